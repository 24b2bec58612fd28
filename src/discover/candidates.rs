//! Which variables might isolate a tool, and in which order to try dropping them.
//!
//! Candidates come from the runbook's defaults, the catalog, `--candidate`,
//! and the strings of the programs the tool runs: any name ending in `HOME`,
//! `DIR` or `PATH` (a folder) or `FILE` or `CONFIG` (a file), with or without
//! an underscore, whatever its prefix (`PATH` names are mined, then dropped
//! as search lists, not places). Mined names are mostly noise; the
//! evidence sorts them out: every candidate is bound in the exploration, and
//! only those whose folder the tool then used go on. Names that may never be
//! bound (not a place, or one that chooses which code runs or where programs
//! are installed) are left out by [`crate::names::check_binding_name`].

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::recipe;

/// Where a candidate came from decides how much we prefer to keep it: the
/// least intrusive set wins, so HOME goes first and tool variables last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Home,
    Temp,
    Xdg,
    Tool,
}

/// What a variable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Folder,
    /// A file: bound to a file path inside a folder of its own.
    File,
}

/// Among tool variables, how strongly the evidence so far speaks for one:
/// the weakest are tried for removal first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// A name in some program's strings.
    Mined,
    /// A mined name that carries the tool's own name, or the shape of a
    /// state folder (`*_HOME`, `*_CONFIG_DIR`).
    MinedLikely,
    /// The catalog or the user named it.
    Named,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub var: String,
    pub kind: Kind,
    pub shape: Shape,
    pub rank: Rank,
    /// Why it is a candidate ("default", "catalog: codex", "--candidate", "mined: /usr/bin/x").
    pub source: String,
}

/// XDG variables in the order they are tried for removal.
const XDG: [&str; 4] = [
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
];

fn kind_of(var: &str) -> Kind {
    match var {
        "HOME" => Kind::Home,
        "TMPDIR" => Kind::Temp,
        v if XDG.contains(&v) => Kind::Xdg,
        _ => Kind::Tool,
    }
}

/// The shape a name suggests, unless the catalog knows better.
pub fn shape_of(var: &str) -> Shape {
    if recipe::file_variable(var).is_some() {
        return Shape::File;
    }
    if recipe::folder_variable(var) {
        return Shape::Folder;
    }
    let upper = var.to_ascii_uppercase();
    if upper.ends_with("FILE") || upper.ends_with("CONFIG") || upper.ends_with("USERCONFIG") {
        Shape::File
    } else {
        Shape::Folder
    }
}

#[derive(Debug, Clone, Default)]
pub struct CandidateSet {
    list: Vec<Candidate>,
}

impl CandidateSet {
    /// The five of the runbook and TMPDIR.
    pub fn base() -> Self {
        let mut set = CandidateSet::default();
        for var in ["HOME", "TMPDIR"].into_iter().chain(XDG) {
            set.add(var, "default", Rank::Named);
        }
        set
    }

    /// Add a variable if it is new and may be bound; true when it was added.
    pub fn add(&mut self, var: &str, source: &str, rank: Rank) -> bool {
        if self.contains(var) || crate::names::check_binding_name(var).is_err() {
            return false;
        }
        self.list.push(Candidate {
            var: var.to_string(),
            kind: kind_of(var),
            shape: shape_of(var),
            rank,
            source: source.to_string(),
        });
        true
    }

    /// Add names mined from `program`; true when a likely one was new (the
    /// others are noise unless the evidence says otherwise, not worth a run
    /// of their own).
    pub fn add_mined(&mut self, program: &Path, tool: Option<&str>) -> bool {
        let source = format!("mined: {}", program.display());
        let mut added = false;
        for var in mine(program) {
            let rank = if likely(&var, tool) {
                Rank::MinedLikely
            } else {
                Rank::Mined
            };
            added |= self.add(&var, &source, rank) && rank == Rank::MinedLikely;
        }
        added
    }

    /// Add the catalog's variables (folders and files) for a program (by name or path).
    pub fn add_catalog(&mut self, program: &str) -> Vec<String> {
        let Some(known) = recipe::known(program) else {
            return Vec::new();
        };
        let source = format!("catalog: {}", known.tool);
        known
            .candidates
            .iter()
            .chain(known.files.iter().map(|(var, _)| var))
            .filter(|var| self.add(var, &source, Rank::Named))
            .map(|v| v.to_string())
            .collect()
    }

    /// Keep only the candidates `keep` says yes to.
    pub fn retain(&mut self, mut keep: impl FnMut(&Candidate) -> bool) {
        self.list.retain(|c| keep(c));
    }

    pub fn contains(&self, var: &str) -> bool {
        self.list.iter().any(|c| c.var == var)
    }

    pub fn all(&self) -> &[Candidate] {
        &self.list
    }

    pub fn get(&self, var: &str) -> Option<&Candidate> {
        self.list.iter().find(|c| c.var == var)
    }

    /// `vars` sorted least preferred first: the order removals are tried in.
    pub fn removal_order(&self, vars: &BTreeSet<String>) -> Vec<String> {
        let rank = |var: &str| -> (Kind, Rank, usize) {
            let kind = kind_of(var);
            let found = self.list.iter().position(|c| c.var == var);
            let strength = found.map_or(Rank::Named, |i| self.list[i].rank);
            let pos = match kind {
                Kind::Xdg => XDG.iter().position(|x| *x == var).unwrap_or(0),
                // Later (more specific) tool variables are tried first.
                Kind::Tool => usize::MAX - found.unwrap_or(0),
                _ => found.unwrap_or(0),
            };
            (kind, strength, pos)
        };
        let mut order: Vec<String> = vars.iter().cloned().collect();
        order.sort_by_key(|v| rank(v));
        order
    }
}

/// Whether a mined name has the shape of a state variable: a home of its
/// own (`CARGO_HOME`, `GNUPGHOME`), a config folder or file, or a name that
/// carries the tool's and ends like a folder or file (`GH_CONFIG_DIR`).
/// Build, cache and work folders (`*_TARGET_DIR`, `*_PATH`) are not.
fn likely(var: &str, tool: Option<&str>) -> bool {
    let upper = var.to_ascii_uppercase();
    // `GNUPGHOME` is one word; `..._ENHANCEMENTHOME` is two literals that sit
    // back to back in a binary.
    let home = upper.ends_with("_HOME") || (upper.ends_with("HOME") && !upper.contains('_'));
    let config = [
        "CONFIG",
        "CONFIG_DIR",
        "CONFIG_HOME",
        "CONFIG_FILE",
        "CREDENTIALS_FILE",
    ]
    .iter()
    .any(|end| upper.ends_with(end));
    let own = tool
        .map(|t| t.to_ascii_uppercase().replace('-', "_"))
        .is_some_and(|t| t.len() >= 2 && upper.contains(&t))
        && (upper.ends_with("_DIR") || upper.ends_with("_FILE"))
        && !["TARGET_DIR", "BUILD_DIR", "OUT_DIR", "TMPDIR", "CACHE_DIR"]
            .iter()
            .any(|end| upper.ends_with(end));
    home || config || own
}

/// Programs whose strings are noise for this purpose: shells, interpreters and
/// the tracer itself, whose variables belong to everything they run.
const NOT_MINED: &[&str] = &[
    "sh", "bash", "dash", "zsh", "fish", "env", "node", "nodejs", "python", "python3", "perl",
    "ruby", "busybox", "strace", "sudo", "timeout", "nice", "nohup", "cat", "printf", "echo",
    "true", "false", "sleep", "ls", "cp", "mv", "rm", "mkdir", "sed", "grep", "awk", "tr", "head",
    "tail", "tee", "xargs", "uname", "ln", "id", "date", "dirname", "basename",
];

/// Most names kept from one program: past this, its strings are a dictionary
/// rather than a tool's own variables.
const MAX_MINED: usize = 200;

/// Names in an executable's strings that may name a folder or file of the
/// tool's state; names that may never be bound are left out.
pub fn mine(path: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let base = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if NOT_MINED.contains(&base) || base.starts_with("python") {
        return found;
    }
    let Ok(mut file) = File::open(path) else {
        return found;
    };
    if file.metadata().map(|m| !m.is_file()).unwrap_or(true) {
        return found;
    }
    // Read in chunks with an overlap, so memory stays small for huge binaries.
    const CHUNK: usize = 4 << 20;
    const OVERLAP: usize = 128;
    let mut buf = vec![0u8; CHUNK + OVERLAP];
    let mut carried = 0;
    loop {
        let n = match file.read(&mut buf[carried..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) => break,
        };
        let filled = carried + n;
        scan(&buf[..filled], &mut found);
        let keep = OVERLAP.min(filled);
        buf.copy_within(filled - keep..filled, 0);
        carried = keep;
        if found.len() > MAX_MINED * 4 {
            break;
        }
    }
    found.retain(|v| crate::names::check_binding_name(v).is_ok());
    if found.len() > MAX_MINED {
        // Keep the likeliest: `_HOME` and `_DIR` names first, then by length.
        let mut ranked: Vec<String> = found.into_iter().collect();
        ranked.sort_by_key(|v| (!likely(v, None), v.len()));
        ranked.truncate(MAX_MINED);
        found = ranked.into_iter().collect();
    }
    found
}

const SUFFIXES: [&[u8]; 5] = [b"HOME", b"DIR", b"PATH", b"FILE", b"CONFIG"];

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
}

fn scan(hay: &[u8], found: &mut BTreeSet<String>) {
    for suffix in SUFFIXES {
        for end in memchr::memmem::find_iter(hay, suffix) {
            let stop = end + suffix.len();
            // The name must end here: the next byte is not part of a name.
            if hay
                .get(stop)
                .is_some_and(|b| is_name_byte(*b) || b.is_ascii_lowercase())
            {
                continue;
            }
            let mut start = end;
            while start > 0 && is_name_byte(hay[start - 1]) {
                start -= 1;
            }
            // A lower-case letter just before: part of an identifier
            // (`getHOME`), not a variable name.
            if start > 0 && hay[start - 1].is_ascii_lowercase() {
                continue;
            }
            while start < end && !hay[start].is_ascii_uppercase() {
                start += 1;
            }
            if end - start > 64 {
                continue;
            }
            let Ok(mut name) = std::str::from_utf8(&hay[start..stop]) else {
                continue;
            };
            // Literals sit back to back in binaries: "...BUS_ADDRESSXDG_RUNTIME_DIR".
            if let Some(pos) = name.rfind("XDG_").filter(|p| *p > 0) {
                name = &name[pos..];
            }
            // At least two letters before the suffix ("GNUPGHOME", "FOO_DIR");
            // shorter stems ("H_DIR") are fragments, not names.
            let stem = name[..name.len() - suffix.len()].trim_end_matches('_');
            // `PROFILE` names an account, not a file.
            if stem.len() >= 2 && !name.ends_with("PROFILE") {
                found.insert(name.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_order_prefers_keeping_tool_vars() {
        let mut set = CandidateSet::base();
        set.add_catalog("codex");
        set.add("MKDIR", "mined: x", Rank::Mined);
        let vars: BTreeSet<String> = ["CODEX_HOME", "HOME", "XDG_CONFIG_HOME", "TMPDIR", "MKDIR"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            set.removal_order(&vars),
            ["HOME", "TMPDIR", "XDG_CONFIG_HOME", "MKDIR", "CODEX_HOME"]
        );
    }

    #[test]
    fn mines_folder_and_file_variables_from_bytes() {
        let mut found = BTreeSet::new();
        scan(
            b"\0getenv FOO_HOME\0BAR_CONFIG_DIR=x lower_HOME Z_HOMEX H_DIR ADDRXDG_DATA_HOME\0\
              GNUPGHOME\0CARGO_HOME\0AWS_SHARED_CREDENTIALS_FILE\0KUBECONFIG\0getHOMEDIR\0\
              RCLONE_CONFIG\0GOPATH\0",
            &mut found,
        );
        for want in [
            "FOO_HOME",
            "BAR_CONFIG_DIR",
            "XDG_DATA_HOME",
            "GNUPGHOME",
            "CARGO_HOME",
            "AWS_SHARED_CREDENTIALS_FILE",
            "KUBECONFIG",
            "RCLONE_CONFIG",
            "GOPATH",
        ] {
            assert!(found.contains(want), "{want} in {found:?}");
        }
        for junk in ["Z_HOMEX", "H_DIR", "HOMEDIR"] {
            assert!(!found.contains(junk), "{junk} in {found:?}");
        }
        assert!(found.iter().all(|v| !v.starts_with("lower")));
    }

    #[test]
    fn shapes_come_from_the_catalog_then_the_name() {
        assert_eq!(shape_of("AWS_SHARED_CREDENTIALS_FILE"), Shape::File);
        assert_eq!(shape_of("KUBECONFIG"), Shape::File);
        assert_eq!(shape_of("DOCKER_CONFIG"), Shape::Folder);
        assert_eq!(shape_of("FOO_HOME"), Shape::Folder);
        assert_eq!(shape_of("FOO_STATE_FILE"), Shape::File);
    }

    #[test]
    fn likely_names_carry_the_tool_or_a_state_shape() {
        assert!(likely("CARGO_HOME", Some("cargo")));
        assert!(likely("GNUPGHOME", Some("gpg")));
        assert!(likely("GH_CONFIG_DIR", Some("gh")));
        assert!(likely("MYTOOL_STATE_DIR", Some("mytool")));
        assert!(!likely("CARGO_TARGET_DIR", Some("cargo")));
        assert!(!likely("FOO_DIR", None));
        assert!(!likely("ENOTDIR", Some("gpg")));
        assert!(!likely("CODEX_TUI_ENHANCEMENTHOME", Some("codex")));
    }
}
