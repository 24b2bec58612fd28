//! Which variables might isolate a tool, and in which order to try dropping them.
//!
//! Candidates come from the runbook's defaults, the catalog, `--candidate`,
//! and names mined from the tool: the strings of the programs it runs (see
//! [`strings`]: any name ending in `HOME`, `DIR` or `PATH` (a folder) or
//! `FILE` or `CONFIG` (a file), whatever its prefix) and the environment
//! lookups of the source files it loads (see [`sources`]). Mined names are
//! mostly noise; the evidence sorts them out: every candidate is bound in
//! the exploration, and only those whose folder the tool then used go on.
//! Names that may never be bound (not a place, or one that chooses which
//! code runs or where programs are installed) are left out by
//! [`crate::names::check_binding_name`], and switches (`UV_NO_ENV_FILE`) are
//! never mined.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::recipe;

mod lookups;
mod sources;
mod strings;

// The method calls these once the copy-on-write world gives it each run's reads.
#[allow(unused_imports)]
pub use sources::{MinedName, mine_sources, source_files};
pub use strings::mine;

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

    /// Add names mined from `program` (its environment lookups when it is a
    /// script, else its strings); true when a likely one was new (the others
    /// are noise unless the evidence says otherwise, not worth a run of
    /// their own).
    pub fn add_mined(&mut self, program: &Path, tool: Option<&str>) -> bool {
        // A script says which names it looks up; a binary has only strings.
        if sources::is_script(program) {
            return self.add_mined_sources(&[program.to_path_buf()], tool);
        }
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

    /// Add the names the tool's source files look up (see [`mine_sources`]);
    /// true when a likely one was new, as for [`CandidateSet::add_mined`].
    pub fn add_mined_sources(&mut self, files: &[PathBuf], tool: Option<&str>) -> bool {
        let mut added = false;
        for mined in mine_sources(files, tool) {
            let source = format!("mined: {}", mined.file.display());
            added |= self.add(&mined.var, &source, mined.rank) && mined.rank == Rank::MinedLikely;
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

/// Words that make a name a switch about a place rather than the place
/// (`UV_NO_ENV_FILE`, `DISABLE_V8_COMPILE_CACHE`): bound to a folder, such a
/// name reads as "on" or as a value the tool refuses, and breaks it.
const SWITCH_WORDS: [&str; 8] = [
    "NO", "DISABLE", "ENABLE", "SKIP", "USE", "ALLOW", "FORCE", "IGNORE",
];

/// Whether a mined name may become a candidate: one that may be bound (see
/// [`crate::names::check_binding_name`]) and is not a switch.
fn minable(var: &str) -> bool {
    let switch = var
        .split('_')
        .any(|word| SWITCH_WORDS.iter().any(|s| word.eq_ignore_ascii_case(s)));
    !switch && crate::names::check_binding_name(var).is_ok()
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
    // One word ending in CONFIG has no namespace to speak for it
    // (`ECHCONFIG` is a PEM label, `PIP_USE_SYSCONFIG` a switch).
    let config = [
        "_CONFIG",
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
    fn a_scripts_lookups_are_mined_not_its_strings() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("s3cmd");
        // s3cmd 2.4.0: an exit code's name beside the configuration lookup.
        std::fs::write(
            &script,
            "#!/usr/bin/python3\nEX_CONFIG = 78\ncfg = {'ca_certs_file': CRT_FILE}\n\
             if os.getenv(\"S3CMD_CONFIG\"):\n    config_file = os.getenv(\"S3CMD_CONFIG\")\n",
        )
        .unwrap();
        let mut set = CandidateSet::default();
        assert!(set.add_mined(&script, Some("s3cmd")));
        let vars: Vec<&str> = set.all().iter().map(|c| c.var.as_str()).collect();
        assert_eq!(vars, ["S3CMD_CONFIG"]);
        assert_eq!(set.all()[0].source, format!("mined: {}", script.display()));
    }

    #[test]
    fn switches_and_unbindable_names_are_not_minable() {
        for name in [
            "UV_CREDENTIALS_DIR",
            "HF_HOME",
            "S3CMD_CONFIG",
            "NOTES_DIR",
            "USER_DATA_DIR",
        ] {
            assert!(minable(name), "{name}");
        }
        // uv 0.13.9, yarn 1.22.22 (v8-compile-cache), cargo-dist in uv.
        for name in [
            "UV_NO_ENV_FILE",
            "DISABLE_V8_COMPILE_CACHE",
            "CARGO_DIST_FORCE_INSTALL_DIR",
            "PYTHONPATH",
            "EDITOR",
        ] {
            assert!(!minable(name), "{name}");
        }
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
        assert!(likely("RCLONE_CONFIG", Some("rclone")));
        assert!(likely("S3CMD_CONFIG", Some("s3cmd")));
        assert!(!likely("ECHCONFIG", Some("hf")));
        assert!(!likely("PIP_USE_SYSCONFIG", Some("uv")));
    }
}
