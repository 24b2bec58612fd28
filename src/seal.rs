//! Sealing: a command run as a profile that cannot touch another account,
//! whether or not it honours its variables.
//!
//! A sealed command and everything it starts may write only the profile's
//! own folders, the folder it was started in (the project), the temp
//! folders, terminals and what the user allows; and may read everything
//! but other profiles, the rest of swop's store, and the real places the
//! profile's bindings replace (with CODEX_HOME bound, the real `~/.codex`).
//!
//! On Linux the seal is Landlock, which needs no privileges and no user
//! namespace (Ubuntu 24.04 restricts those): writes are an allow-list;
//! reads are allowed everywhere by rules on every folder and file *beside*
//! a hidden place, down the path to it. The alternative, a private mount
//! namespace hiding the places under empty mounts, would see files made
//! later beside them, but needs a user namespace, which some systems
//! refuse, and puts the command in a world of its own (setuid programs and
//! tools that sandbox themselves behave otherwise). The cost of the
//! allow-list: a file made after the seal began, right inside a folder
//! that holds a hidden place (the home, when CODEX_HOME is bound), cannot
//! be read by the sealed command. It cannot write there anyway.
//!
//! On macOS the same rules become a `sandbox-exec` profile.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Result, Seal, Weakness};
use crate::shell::Change;
use crate::store::{Profile, Store};
use crate::sys::landlock::{DEVICE_FOLDERS, DEVICES};

/// The environment variable that marks a sealed command and its children
/// (`swop ps` shows them as sealed).
pub const SEALED_VAR: &str = "SWOP_SEALED";

/// The temp folders every command may write, besides its TMPDIR.
const TEMP_FOLDERS: &[&str] = &["/tmp", "/var/tmp", "/dev/shm"];

/// What a sealed command may write, and what it may not read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Folders (or files) it may write, and so read.
    pub writable: Vec<PathBuf>,
    /// Device files it may write.
    pub devices: Vec<PathBuf>,
    /// Places it may neither read nor write.
    pub hidden: Vec<PathBuf>,
    /// Places it may read but not write, even inside a writable folder
    /// (the real home, when it lies in a temp folder).
    pub protected: Vec<PathBuf>,
    /// Places inside hidden ones that stay readable (the programs under a
    /// real home that HOME replaces, the profile inside the store).
    pub readable: Vec<PathBuf>,
}

/// What the policy of one profile is made from.
pub struct Inputs<'a> {
    pub store: &'a Store,
    pub profile: &'a Profile,
    /// The folder the command starts in.
    pub cwd: &'a Path,
    /// The real homes (outside any profile): the passwd entry's, and the
    /// HOME of the caller when it is another.
    pub real_homes: Vec<PathBuf>,
    /// The command's TMPDIR, if it has one.
    pub tmpdir: Option<PathBuf>,
    /// The values the bound variables had before the switch: the caller's
    /// own places, wherever it moved them (CODEX_HOME=/data/codex).
    pub moved: Vec<PathBuf>,
    /// The command's PATH, whose folders inside hidden places stay
    /// readable, as do the programs its links lead to there.
    pub path: Option<&'a OsStr>,
    /// The toolchains' folders, as the command's environment names them
    /// (else their default folders in the real homes): readable inside
    /// hidden places.
    pub toolchains: Vec<PathBuf>,
    /// More places it may write (`--allow-write`, `allow_write = [...]`).
    pub allow_write: Vec<PathBuf>,
}

/// Toolchain managers whose programs live under the home, with their
/// variable and default folder: they stay readable when a binding hides the
/// place they are in.
pub const TOOLCHAINS: &[(&str, &str)] = &[
    ("RUSTUP_HOME", ".rustup"),
    ("CARGO_HOME", ".cargo"),
    ("PYENV_ROOT", ".pyenv"),
    ("NVM_DIR", ".nvm"),
    ("VOLTA_HOME", ".volta"),
    ("ASDF_DATA_DIR", ".asdf"),
    ("SDKMAN_DIR", ".sdkman"),
    ("BUN_INSTALL", ".bun"),
    ("RBENV_ROOT", ".rbenv"),
    ("NODENV_ROOT", ".nodenv"),
    ("DENO_INSTALL", ".deno"),
];

impl Policy {
    pub fn for_profile(inputs: &Inputs) -> Policy {
        let Inputs {
            store,
            profile,
            cwd,
            real_homes,
            ..
        } = inputs;
        let mut p = Policy::default();
        for binding in &profile.bindings {
            p.writable.push(binding.path.clone());
            // Shared entries are links into the store: their targets are
            // the profile's too.
            p.writable.extend(store_links(&binding.path, store.root()));
        }
        let own = p.writable.len();
        p.writable.extend(TEMP_FOLDERS.iter().map(PathBuf::from));
        p.writable.extend(inputs.tmpdir.clone());
        p.writable.extend(inputs.allow_write.iter().cloned());
        p.devices.extend(DEVICES.iter().map(PathBuf::from));
        p.writable.extend(DEVICE_FOLDERS.iter().map(PathBuf::from));

        // The store: only the profile itself, the settings and the recipes.
        p.hidden.push(store.root().to_path_buf());
        p.readable.push(profile.dir.clone());
        p.readable.push(store.root().join("config.toml"));
        p.readable.push(store.root().join("recipes"));

        p.protected.extend(real_homes.iter().cloned());
        // The real places the bindings replace, with the programs in them
        // that the command may need to start.
        let mut replaced = Vec::new();
        for home in real_homes {
            for binding in &profile.bindings {
                match crate::recipe::places::default_place(&binding.var) {
                    Some("") => replaced.push(home.clone()),
                    Some(place) => replaced.push(home.join(place)),
                    None => {}
                }
            }
        }
        replaced.extend(moved_places(inputs, &p.writable[own..]));
        canonicalize_all(&mut replaced);
        p.readable.extend(programs_under(&replaced, inputs));
        p.hidden.extend(replaced);
        // The project: written and read, unless it holds a hidden place
        // (a command started in the home may not write the home). Both
        // sides canonical: a home reached through a link still holds it.
        canonicalize_all(&mut p.hidden);
        let cwd = canonical(cwd);
        let holds_hidden = p.hidden.iter().any(|h| h.starts_with(&cwd));
        if !holds_hidden && cwd != Path::new("/") {
            p.writable.push(cwd);
        }
        for list in [&mut p.writable, &mut p.readable, &mut p.protected] {
            canonicalize_all(list);
        }
        p
    }

    /// Whether `cwd` is writable under the policy: when it is not, the user
    /// hears why.
    pub fn writes_project(&self, cwd: &Path) -> bool {
        let cwd = canonical(cwd);
        self.writable.iter().any(|w| cwd.starts_with(w))
    }
}

/// `path` with its links resolved, or as it is when it does not exist.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Every path of `list` canonical, sorted, once each.
fn canonicalize_all(list: &mut Vec<PathBuf>) {
    *list = list.iter().map(|path| canonical(path)).collect();
    list.sort();
    list.dedup();
}

/// The targets of the links at the top of a profile's folder that lead
/// into the store (shared entries).
fn store_links(folder: &Path, store_root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_symlink()))
        .filter_map(|e| std::fs::canonicalize(e.path()).ok())
        .filter(|target| target.starts_with(store_root))
        .collect()
}

/// The places the caller had moved the bound variables to, but those that
/// are the profile's own (in the store) and those whose hiding would hide
/// far more than one account: `/`, a real home, the project, a place every
/// account may write (`shared`: the temp folders, an allowed place), or a
/// folder above one.
fn moved_places(inputs: &Inputs, shared: &[PathBuf]) -> Vec<PathBuf> {
    let mut wide: Vec<PathBuf> = inputs.real_homes.iter().map(|h| canonical(h)).collect();
    wide.push(canonical(inputs.cwd));
    wide.extend(shared.iter().map(|w| canonical(w)));
    inputs
        .moved
        .iter()
        .filter(|place| place.is_absolute())
        .map(|place| canonical(place))
        .filter(|place| {
            !place.starts_with(inputs.store.root()) && !wide.iter().any(|w| w.starts_with(place))
        })
        .collect()
}

/// The programs inside `places` (canonical): the entries of PATH there,
/// the toolchains, and the files that links in PATH folders of a real home
/// lead to there.
fn programs_under(places: &[PathBuf], inputs: &Inputs) -> Vec<PathBuf> {
    if places.is_empty() {
        return Vec::new();
    }
    let inside = |dir: &Path| places.iter().any(|h| dir.starts_with(h) && dir != h);
    let path_dirs: Vec<PathBuf> = inputs
        .path
        .map(|p| std::env::split_paths(p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|dir| dir.is_absolute())
        .map(|dir| canonical(&dir))
        .collect();
    let mut out: Vec<PathBuf> = path_dirs.iter().filter(|d| inside(d)).cloned().collect();
    out.extend(
        inputs
            .toolchains
            .iter()
            .map(|dir| canonical(dir))
            .filter(|dir| inside(dir) && dir.exists()),
    );
    // A user's own bin folders link into the places a profile hides
    // (~/.local/bin/hf into ~/.local/share/uv); the system's (/usr/bin,
    // thousands of links into /usr and /etc) do not, and are not read.
    let homes: Vec<PathBuf> = inputs.real_homes.iter().map(|h| canonical(h)).collect();
    for dir in path_dirs
        .iter()
        .filter(|d| homes.iter().any(|h| d.starts_with(h)))
    {
        out.extend(link_targets(dir).into_iter().filter(|t| inside(t)));
    }
    out
}

/// Where the links in `dir` lead, when that is a file.
fn link_targets(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_symlink()))
        .filter_map(|e| std::fs::canonicalize(e.path()).ok())
        .filter(|target| target.is_file())
        .collect()
}

/// The toolchains' folders: as `value` (the command's environment) names
/// them, else their default folders in each real home.
fn toolchains(value: &dyn Fn(&str) -> Option<OsString>, real_homes: &[PathBuf]) -> Vec<PathBuf> {
    TOOLCHAINS
        .iter()
        .flat_map(
            |(var, default)| match value(var).filter(|v| !v.is_empty()) {
                Some(dir) => vec![PathBuf::from(dir)],
                None => real_homes.iter().map(|home| home.join(default)).collect(),
            },
        )
        .collect()
}

/// How strong a seal this machine can make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strength {
    /// Every rule holds (Landlock ABI `abi` on Linux; Seatbelt on macOS).
    Full { detail: String },
    /// Sealing cannot be had here, and why.
    Unavailable(Weakness),
}

/// Whether sealing works on this machine, and how well.
pub fn strength() -> Strength {
    if cfg!(target_os = "macos") {
        return if Path::new("/usr/bin/sandbox-exec").exists() {
            Strength::Full {
                detail: "Seatbelt (sandbox-exec)".into(),
            }
        } else {
            Strength::Unavailable(Weakness::NoSandboxExec)
        };
    }
    match crate::sys::landlock::abi() {
        None => Strength::Unavailable(Weakness::NoLandlock),
        Some(abi) if abi < crate::sys::landlock::FULL_WRITE_ABI => {
            Strength::Unavailable(Weakness::OldLandlock(abi))
        }
        Some(abi) => Strength::Full {
            detail: format!("Landlock ABI {abi}"),
        },
    }
}

/// Fail closed: the reason a seal cannot be made here, as the error the
/// user sees, naming the way to run unsealed.
pub fn require() -> Result<()> {
    match strength() {
        Strength::Full { .. } => Ok(()),
        Strength::Unavailable(why) => Err(Seal::Unavailable(why).into()),
    }
}

/// Seal `command`, about to run as `profile` with `changes` made to its
/// environment: on Linux swop's own process, which the command replaces
/// (this is the last thing before exec); on macOS, the command runs under
/// `sandbox-exec`. `allow_write` adds the places the user allowed.
pub fn seal_command(
    store: &Store,
    profile: &Profile,
    changes: &[Change],
    mut allow_write: Vec<PathBuf>,
    command: &mut Command,
) -> Result<()> {
    let cwd =
        std::env::current_dir().map_err(crate::error::doing("cannot read the current folder"))?;
    // The value the command gets, after the switch.
    let value = |var: &str| -> Option<OsString> {
        match changes.iter().find(|(v, _)| v == var) {
            Some((_, value)) => value.clone(),
            None => std::env::var_os(var),
        }
    };
    allow_write.extend(profile.allow_write.iter().cloned());
    allow_write.extend(crate::config::Config::load()?.allow_write);
    if let Some(place) = allow_write.iter().find(|p| !p.is_absolute()) {
        return Err(Seal::RelativePlace(place.clone()).into());
    }
    // The value the caller had before any switch: a switched shell's
    // record says what it replaced.
    let off = crate::switch::plan(&crate::switch::Current::process(store), None, store.root())
        .map(|plan| plan.changes)
        .unwrap_or_default();
    let before = |var: &str| -> Option<OsString> {
        match off.iter().find(|(v, _)| v == var) {
            Some((_, value)) => value.clone(),
            None => std::env::var_os(var),
        }
    };
    let mut real_homes: Vec<PathBuf> = crate::sys::machine::passwd_home().into_iter().collect();
    for home in [std::env::var_os("HOME"), before("HOME")] {
        real_homes.extend(
            home.map(PathBuf::from)
                .filter(|h| h.is_absolute() && !h.starts_with(store.root())),
        );
    }
    real_homes.sort();
    real_homes.dedup();
    let moved = profile
        .bindings
        .iter()
        .filter_map(|binding| before(&binding.var))
        .map(PathBuf::from)
        .collect();
    let path = value("PATH");
    let toolchains = toolchains(&value, &real_homes);
    let policy = Policy::for_profile(&Inputs {
        store,
        profile,
        cwd: &cwd,
        real_homes,
        moved,
        tmpdir: value("TMPDIR").map(PathBuf::from),
        path: path.as_deref(),
        toolchains,
        allow_write,
    });
    if !policy.writes_project(&cwd) {
        eprintln!(
            "swop: note: the sealed command cannot write this folder ({}): it holds places the seal keeps out of reach",
            crate::output::printable_line(&cwd.display().to_string())
        );
    }
    command.env(SEALED_VAR, "1");
    apply(&policy, command)
}

/// On Linux, seal swop's own process: the command replaces it.
#[cfg(target_os = "linux")]
fn apply(policy: &Policy, _command: &mut Command) -> Result<()> {
    seal_this_process(policy)
}

/// On macOS, run the command under `sandbox-exec` with the policy's profile.
#[cfg(target_os = "macos")]
fn apply(policy: &Policy, command: &mut Command) -> Result<()> {
    let args: Vec<OsString> = command.get_args().map(OsStr::to_os_string).collect();
    let (program, args) = wrap_command(policy, command.get_program(), &args);
    let mut wrapped = Command::new(program);
    wrapped.args(args);
    for (var, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(var, value),
            None => wrapped.env_remove(var),
        };
    }
    *command = wrapped;
    Ok(())
}

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::seal_this_process;

pub mod seatbelt;
#[cfg(target_os = "macos")]
pub use seatbelt::wrap_command;
