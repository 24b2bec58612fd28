//! Sorting every touched path into one class, shown without user names.

use std::path::{Component, Path, PathBuf};

use memchr::memmem;
use serde::Serialize;

use super::model::PathInfo;
use super::privacy::anonymize_path;
use super::scratch::{Location, RunLayout, var_form};
use super::world::Evidence;
use crate::trace::OpSet;
pub use crate::trace::path::under;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Under a bound folder of the account.
    Isolated,
    /// State written in the user's own places (the real home, what an
    /// inherited variable named) or a shared stand-in, or state read there:
    /// the accounts would meet.
    Leak,
    /// State written outside every candidate folder elsewhere
    /// (`/usr/local/share`, a fixed name in /tmp): both accounts would
    /// write it, so they are not isolated.
    Global,
    /// Written in the folder the tool ran in: the project both accounts
    /// work on, not an account's state.
    Project,
    /// Read-only under the shared home (e.g. .gitconfig).
    SharedInput,
    /// The tool's own files.
    Program,
    /// Operating system files.
    System,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Isolated => "isolated",
            Class::Leak => "leak",
            Class::Global => "global",
            Class::Project => "project",
            Class::SharedInput => "shared-input",
            Class::Program => "program",
            Class::System => "system",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassifiedPath {
    pub path: String,
    pub ops: OpSet,
    pub class: Class,
    /// Whether any call on it succeeded (false: the tool looked and found nothing).
    pub exists: bool,
    /// The tracer printed only part of the path (`…` marks the missing part).
    #[serde(skip_serializing_if = "is_false")]
    pub truncated: bool,
    /// Relative to a folder the trace does not name (fs_usage after a relative
    /// symbolic link, or a trace taken elsewhere).
    #[serde(skip_serializing_if = "is_false")]
    pub relative: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One entry per shown path (raw paths can read alike once shown, and steps
/// repeat paths): operations joined, the most telling class kept; sorted by
/// class, then path.
pub fn merge_by_path(paths: impl IntoIterator<Item = ClassifiedPath>) -> Vec<ClassifiedPath> {
    let mut out: Vec<ClassifiedPath> = paths.into_iter().collect();
    // Sorted by shown path, the entries to merge sit side by side.
    out.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|later, kept| {
        if later.path != kept.path {
            return false;
        }
        kept.ops.extend(later.ops);
        kept.class = kept.class.min(later.class);
        kept.exists |= later.exists;
        kept.truncated |= later.truncated;
        kept.relative |= later.relative;
        true
    });
    out.sort_by(|a, b| (a.class, &a.path).cmp(&(b.class, &b.path)));
    out
}

const SYSTEM_PREFIXES: &[&str] = &[
    "/etc",
    "/usr",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/bin",
    "/sbin",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/var/lib",
    "/var/run",
    "/nix/store",
    "/snap",
    "/System",
    "/Library",
    "/private/etc",
    "/private/var/db",
    "/private/var/run",
    "/Applications",
    "/usr/local",
    "/opt/homebrew",
];

pub struct Classifier<'a> {
    pub layout: Option<&'a RunLayout>,
    pub real_home: Option<PathBuf>,
    /// Places outside the scratch tree that are the user's own: the real
    /// home, and the folders and files that inherited variables named. A
    /// write there is a leak wherever the program lives.
    pub escape_roots: Vec<PathBuf>,
    pub program_roots: Vec<PathBuf>,
    /// The folder the tool ran in: a project the accounts share, where
    /// writes are the project's, not an escape, unless it is the home
    /// itself.
    pub work_dir: Option<PathBuf>,
    /// What the run left behind: which traced writes are state.
    pub evidence: Option<&'a Evidence>,
}

/// Where writes are the kernel's business, not state.
const DEVICE_PREFIXES: &[&str] = &["/dev", "/proc", "/sys"];

/// Where a path was placed, enough to show it: worked out first, and
/// turned into text only for the paths that are shown.
enum Placed<'p> {
    /// Under a folder of the run's layout, or of a kept scratch folder.
    Var(String, &'p Path),
    /// Under the layout of a run, shown through it (a file variable's folder).
    Layout(String, &'p Path),
    /// A cut or relative path: shown as printed, anonymised.
    Fragment,
    /// Shown as is (system files).
    Plain,
    /// Shown under `$HOME` when it is there, else anonymised.
    Home,
}

impl Classifier<'_> {
    pub fn classify(&self, path: &Path, info: &PathInfo) -> ClassifiedPath {
        let (class, placed) = self.place(path, info);
        ClassifiedPath {
            path: self.show(path, placed),
            ops: info.ops,
            class,
            exists: info.ok,
            truncated: info.truncated,
            relative: !info.truncated && path.is_relative(),
        }
    }

    /// The class alone, without making the text a report would show.
    pub fn class_of(&self, path: &Path, info: &PathInfo) -> Class {
        self.place(path, info).0
    }

    /// Whether a path is only counted in reports, not listed (unless asked):
    /// an operating system file, known to be one. Cut and relative paths
    /// are listed, as nobody knows where they lead.
    pub fn counted_only(&self, path: &Path, info: &PathInfo) -> bool {
        !info.truncated && path.is_absolute() && self.class_of(path, info) == Class::System
    }

    /// Whether the tool wrote (or tried to write) outside the scratch tree
    /// into a place of the user's (the real home, or what an inherited
    /// variable named) that the stand-in world keeps read-only; or, in the
    /// copy-on-write world, where the view refused a write that the real
    /// file system would have taken.
    pub fn escaped(&self, path: &Path, info: &PathInfo) -> bool {
        let outside = self
            .layout
            .is_none_or(|l| matches!(l.locate(path), Location::Outside));
        if !outside || !info.written() || is_device(path) || self.in_project(path) {
            return false;
        }
        match self.evidence {
            Some(e) if !e.covered.is_empty() => info.read_only && !really_read_only(path),
            _ => self.escape_root(path).is_some(),
        }
    }

    /// Whether a write there is the project's: under the folder the tool
    /// ran in, unless that is the home or the root, and not in a place of
    /// the user's inside it (a home under the working folder stays a home).
    fn in_project(&self, path: &Path) -> bool {
        let Some(w) = self.work_dir.as_deref() else {
            return false;
        };
        let mine = self.real_home.iter().chain(&self.escape_roots);
        under(path, w)
            && self.real_home.as_deref() != Some(w)
            && w != Path::new("/")
            && !mine
                .filter(|r| r.as_path() != w && under(r, w))
                .any(|r| under(path, r))
    }

    /// Whether the run wrote state at `path`: with evidence, a write that
    /// outlived the run; else any write the trace shows.
    fn wrote(&self, path: &Path, info: &PathInfo) -> bool {
        match self.evidence {
            Some(e) => e.wrote(path, info.written()),
            None => info.written(),
        }
    }

    fn escape_root(&self, path: &Path) -> Option<&Path> {
        if self.in_project(path) {
            return None;
        }
        self.real_home
            .iter()
            .chain(&self.escape_roots)
            .find(|root| under(path, root))
            .map(PathBuf::as_path)
    }

    fn place<'p>(&self, path: &'p Path, info: &PathInfo) -> (Class, Placed<'p>) {
        let written = self.wrote(path, info);
        // Part of a path, or one relative to an unknown folder: no folder
        // can be told from it, so it is placed by what was done alone.
        if info.truncated || path.is_relative() {
            let class = if written {
                Class::Global
            } else {
                Class::System
            };
            return (class, Placed::Fragment);
        }
        if let Some(layout) = self.layout {
            match layout.locate(path) {
                Location::Account { var, rest, .. } => {
                    return (Class::Isolated, Placed::Layout(var, rest));
                }
                Location::Shared { var, rest } => {
                    // Evidence that the accounts meet: a write, or a use of
                    // something that exists there (the stand-ins start empty,
                    // so it was made in this run). A look at a missing path
                    // is not evidence.
                    let evidence = written || (info.ok && !rest.as_os_str().is_empty());
                    let class = if evidence {
                        Class::Leak
                    } else {
                        Class::SharedInput
                    };
                    return (class, Placed::Layout(var, rest));
                }
                Location::Scratch => return (Class::System, Placed::Home),
                Location::Outside => {}
            }
        } else if let Some((var, (own, rest))) = scratch_location(path) {
            // A trace that swop itself took and kept: its folders name themselves.
            let class = match own {
                true => Class::Isolated,
                false if written => Class::Leak,
                false => Class::SharedInput,
            };
            return (class, Placed::Var(var, rest));
        }
        if written {
            // A write is state wherever the program lives: the user's own
            // places come first.
            let class = if is_device(path) {
                Class::System
            } else if self.in_project(path) {
                Class::Project
            } else if self.escape_root(path).is_some() {
                Class::Leak
            } else {
                Class::Global
            };
            return (class, Placed::Home);
        }
        if self.program_roots.iter().any(|r| under(path, r)) || in_node_modules(path) {
            return (Class::Program, Placed::Home);
        }
        if is_system(path) {
            return (Class::System, Placed::Plain);
        }
        if self.real_home.as_deref().is_some_and(|h| under(path, h)) {
            // The real home, read although HOME pointed elsewhere (or a trace
            // taken by hand, where the home is where state lives).
            return (Class::SharedInput, Placed::Home);
        }
        (Class::System, Placed::Home)
    }

    fn show(&self, path: &Path, placed: Placed) -> String {
        match placed {
            Placed::Layout(var, rest) => match self.layout {
                Some(layout) => layout.show(&var, rest),
                None => var_form(&var, rest),
            },
            Placed::Var(var, rest) => var_form(&var, rest),
            Placed::Fragment => anonymize_path(path),
            Placed::Plain => path.display().to_string(),
            Placed::Home => match self
                .real_home
                .as_deref()
                .and_then(|h| path.strip_prefix(h).ok())
            {
                Some(rest) => var_form("HOME", rest),
                None => anonymize_path(path),
            },
        }
    }
}

fn bytes(path: &Path) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes()
}

fn is_device(path: &Path) -> bool {
    DEVICE_PREFIXES.iter().any(|p| under(path, Path::new(p)))
}

/// Whether the real file system holding `path` (its nearest existing
/// folder) is mounted read-only: a write refused there is refused in real
/// use too.
fn really_read_only(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Some(existing) = path.ancestors().find(|p| p.exists()) else {
        return false;
    };
    let Ok(c) = std::ffi::CString::new(existing.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a zeroed statvfs is valid; statvfs fills it.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: valid path and out pointer.
    unsafe { libc::statvfs(c.as_ptr(), &mut st) == 0 && st.f_flag & libc::ST_RDONLY != 0 }
}

/// Searchers built once: a million paths would build them a million times.
struct Finders {
    node_modules: memmem::Finder<'static>,
    scratch: [memmem::Finder<'static>; 4],
}

fn finders() -> &'static Finders {
    static FINDERS: std::sync::OnceLock<Finders> = std::sync::OnceLock::new();
    FINDERS.get_or_init(|| Finders {
        node_modules: memmem::Finder::new(b"/node_modules/"),
        scratch: [
            memmem::Finder::new(b"/A/"),
            memmem::Finder::new(b"/B/"),
            memmem::Finder::new(b"/shared/"),
            memmem::Finder::new(b"/profiles/"),
        ],
    })
}

fn in_node_modules(path: &Path) -> bool {
    let bytes = bytes(path);
    finders().node_modules.find(bytes).is_some() || bytes.ends_with(b"/node_modules")
}

pub fn is_system(path: &Path) -> bool {
    let b = bytes(path);
    // The first component rules most paths out before any comparison.
    let first = b
        .get(1..)
        .map(|rest| &rest[..memchr::memchr(b'/', rest).unwrap_or(rest.len())])
        .unwrap_or_default();
    let candidate = matches!(
        first,
        b"etc"
            | b"usr"
            | b"lib"
            | b"lib32"
            | b"lib64"
            | b"libx32"
            | b"bin"
            | b"sbin"
            | b"proc"
            | b"sys"
            | b"dev"
            | b"run"
            | b"var"
            | b"nix"
            | b"snap"
            | b"System"
            | b"Library"
            | b"private"
            | b"Applications"
            | b"opt"
    );
    candidate && SYSTEM_PREFIXES.iter().any(|p| under(path, Path::new(p)))
}

/// In a trace taken under swop's own folders, a folder named after a variable
/// is that variable's folder: `.../{A,B,shared}/VAR/rest` (discover's scratch
/// accounts) or `.../profiles/NAME/VAR/rest` (a profile). Gives the variable,
/// whether the folder belonged to one account, and the rest.
fn scratch_location(path: &Path) -> Option<(String, (bool, &Path))> {
    // Most paths of a trace have none of these folders: skip them at once.
    let b = bytes(path);
    if !finders().scratch.iter().any(|f| f.find(b).is_some()) {
        return None;
    }
    let comps: Vec<Component> = path.components().collect();
    for i in (2..comps.len()).rev() {
        let Some(var) = comps[i].as_os_str().to_str() else {
            continue;
        };
        let looks_bound = var == "HOME"
            || var == "TMPDIR"
            || (var.ends_with("_HOME") || var.ends_with("_DIR") || var.ends_with("_CONFIG"))
                && var
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !looks_bound || !crate::names::is_var_name(var) {
            continue;
        }
        let parent = comps[i - 1].as_os_str().to_str();
        let grandparent = comps[i - 2].as_os_str().to_str();
        let own = match (parent, grandparent) {
            (Some("A" | "B"), _) | (_, Some("profiles")) => true,
            (Some("shared"), _) => false,
            _ => continue,
        };
        let mut prefix = PathBuf::new();
        for c in &comps[..=i] {
            prefix.push(c.as_os_str());
        }
        let rest = path.strip_prefix(&prefix).ok()?;
        return Some((var.to_string(), (own, rest)));
    }
    None
}

/// Where tools keep state when no variable says otherwise, relative to the home.
pub use crate::recipe::places::PLACES as DEFAULT_LOCATIONS;

/// For shared writes shown as `$HOME/...`, the variables not yet among the
/// candidates that are known to move them: `$HOME/.kaggle/kaggle.json:
/// KAGGLE_CONFIG_DIR`.
pub fn movers(shown: &[String], set: &super::candidates::CandidateSet) -> Vec<String> {
    let mut out = Vec::new();
    for path in shown {
        let Some(rest) = path.strip_prefix("$HOME/") else {
            continue;
        };
        let rest = Path::new(rest);
        let known = DEFAULT_LOCATIONS
            .iter()
            .find(|(var, dir)| rest.starts_with(dir) && !set.contains(var));
        if let Some((var, _)) = known {
            out.push(format!("{path}: {var}"));
        }
    }
    out
}

/// Where a variable's folder is when it is unset, relative to the home
/// (`""` for HOME itself), where that is known.
pub use crate::recipe::places::default_place as default_location;

/// The most specific variable whose default folder holds `rest` (relative to the home).
pub fn default_var_for(rest: &Path) -> &'static str {
    DEFAULT_LOCATIONS
        .iter()
        .find(|(_, dir)| rest.starts_with(dir))
        .map(|(var, _)| *var)
        .unwrap_or("HOME")
}

/// The home folder a trace taken elsewhere most likely ran under.
pub fn guess_home<'a>(paths: impl Iterator<Item = &'a Path>) -> Option<PathBuf> {
    let mut counts: std::collections::BTreeMap<PathBuf, usize> = Default::default();
    for path in paths {
        let comps: Vec<Component> = path.components().take(3).collect();
        let home = match comps.as_slice() {
            [
                Component::RootDir,
                Component::Normal(top),
                Component::Normal(user),
            ] if *top == "home" || *top == "Users" => Path::new("/").join(top).join(user),
            [Component::RootDir, Component::Normal(top), ..] if *top == "root" => {
                PathBuf::from("/root")
            }
            _ => continue,
        };
        *counts.entry(home).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Op;

    fn info(ops: &[Op]) -> PathInfo {
        PathInfo {
            ops: ops.iter().copied().collect(),
            ok: true,
            ..PathInfo::default()
        }
    }

    #[test]
    fn hand_taken_trace_classes() {
        let c = Classifier {
            layout: None,
            real_home: Some("/home/alice".into()),
            escape_roots: Vec::new(),
            program_roots: vec!["/opt/tool/bin".into(), "/home/alice/.local/bin".into()],
            work_dir: None,
            evidence: None,
        };
        let cases = [
            (
                "/home/alice/.codex/auth.json",
                &[Op::Create][..],
                "$HOME/.codex/auth.json",
                Class::Leak,
            ),
            (
                "/home/alice/.gitconfig",
                &[Op::Read][..],
                "$HOME/.gitconfig",
                Class::SharedInput,
            ),
            ("/etc/passwd", &[Op::Read][..], "/etc/passwd", Class::System),
            (
                "/opt/tool/bin/tool",
                &[Op::Exec][..],
                "/opt/tool/bin/tool",
                Class::Program,
            ),
            (
                "/tmp/x.lock",
                &[Op::Create][..],
                "/tmp/x.lock",
                Class::Global,
            ),
            (
                "/home/bob/x",
                &[Op::Read][..],
                "/home/<user>/x",
                Class::System,
            ),
            (
                "/home/alice/.local/bin/tool",
                &[Op::Exec][..],
                "$HOME/.local/bin/tool",
                Class::Program,
            ),
            // A tool in the home that writes beside itself writes the home.
            (
                "/home/alice/.local/bin/tool.state",
                &[Op::Create][..],
                "$HOME/.local/bin/tool.state",
                Class::Leak,
            ),
            ("/dev/null", &[Op::Write][..], "/dev/null", Class::System),
        ];
        for (path, ops, shown, class) in cases {
            let got = c.classify(Path::new(path), &info(ops));
            assert_eq!((got.path.as_str(), got.class), (shown, class), "{path}");
        }
    }

    #[test]
    fn profile_folders_name_their_variable() {
        let p = Path::new("/home/u/.local/share/swop/profiles/work/XDG_CONFIG_HOME/gh/hosts.yml");
        let (var, (own, rest)) = scratch_location(p).expect("a profile path");
        assert_eq!(
            (var.as_str(), own, rest),
            ("XDG_CONFIG_HOME", true, Path::new("gh/hosts.yml"))
        );
        assert!(scratch_location(Path::new("/home/u/HOME/x")).is_none());
    }

    #[test]
    fn kept_scratch_paths_name_their_variable() {
        let p = Path::new("/tmp/swop-discover-1-ab/02-explore/A/CODEX_HOME/auth.json");
        let (var, (own, rest)) = scratch_location(p).expect("a scratch path");
        assert_eq!(
            (var.as_str(), own, rest),
            ("CODEX_HOME", true, Path::new("auth.json"))
        );
    }

    #[test]
    fn cut_and_relative_paths_are_never_placed_by_folder() {
        let c = Classifier {
            layout: None,
            real_home: Some("/home/alice".into()),
            escape_roots: Vec::new(),
            program_roots: vec!["/opt/tool/bin".into()],
            work_dir: None,
            evidence: None,
        };
        let cut = PathInfo {
            truncated: true,
            ..info(&[Op::Create])
        };
        // A tail that reads like a scratch account's folder is still a tail.
        let got = c.classify(Path::new("…ch/A/CODEX_HOME/auth.json"), &cut);
        assert_eq!(
            (got.path.as_str(), got.class, got.truncated, got.relative),
            ("…ch/A/CODEX_HOME/auth.json", Class::Global, true, false)
        );
        let got = c.classify(
            Path::new("…/usr/lib/x.dylib"),
            &PathInfo {
                truncated: true,
                ..info(&[Op::Read])
            },
        );
        assert_eq!((got.class, got.truncated), (Class::System, true));
        // A head cut by eslogger, absolute as it looks, is not placed either.
        let got = c.classify(
            Path::new("/home/alice/.codex/sessions/…"),
            &PathInfo {
                truncated: true,
                ..info(&[Op::Write])
            },
        );
        assert_eq!(got.class, Class::Global);
        let got = c.classify(Path::new("A/Resources/Info.plist"), &info(&[Op::Read]));
        assert_eq!(
            (got.class, got.truncated, got.relative),
            (Class::System, false, true)
        );
        let got = c.classify(Path::new("../Users/bob/x"), &info(&[Op::Write]));
        assert_eq!(
            (got.path.as_str(), got.class, got.relative),
            ("../Users/<user>/x", Class::Global, true)
        );
        let json =
            serde_json::to_value(c.classify(Path::new("/etc/hosts"), &info(&[Op::Read]))).unwrap();
        assert!(
            json.get("truncated").is_none() && json.get("relative").is_none(),
            "{json}"
        );
        let json = serde_json::to_value(c.classify(Path::new("…x"), &cut)).unwrap();
        assert_eq!(json["truncated"], true);
    }

    #[test]
    fn defaults_and_home_guess() {
        assert_eq!(default_var_for(Path::new(".codex/auth.json")), "CODEX_HOME");
        assert_eq!(
            default_var_for(Path::new(".config/gh/hosts.yml")),
            "GH_CONFIG_DIR"
        );
        assert_eq!(default_var_for(Path::new(".config/x")), "XDG_CONFIG_HOME");
        assert_eq!(default_var_for(Path::new(".foo")), "HOME");
        let paths = [
            Path::new("/home/a/x"),
            Path::new("/home/a/y"),
            Path::new("/etc/z"),
        ];
        assert_eq!(
            guess_home(paths.into_iter()),
            Some(PathBuf::from("/home/a"))
        );
    }
}
