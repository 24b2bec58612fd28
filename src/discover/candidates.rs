//! Which variables might isolate a tool, and in which order to try dropping them.

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub var: String,
    pub kind: Kind,
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

#[derive(Debug, Clone, Default)]
pub struct CandidateSet {
    list: Vec<Candidate>,
}

impl CandidateSet {
    /// The five of the runbook and TMPDIR.
    pub fn base() -> Self {
        let mut set = CandidateSet::default();
        for var in ["HOME", "TMPDIR"].into_iter().chain(XDG) {
            set.add(var, "default");
        }
        set
    }

    /// Add a variable if it is new and allowed; true when it was added.
    pub fn add(&mut self, var: &str, source: &str) -> bool {
        if self.contains(var) || crate::names::check_var_name(var).is_err() {
            return false;
        }
        self.list.push(Candidate {
            var: var.to_string(),
            kind: kind_of(var),
            source: source.to_string(),
        });
        true
    }

    /// Add the catalog's variables for a program (by name or path).
    pub fn add_catalog(&mut self, program: &str) -> Vec<String> {
        let Some(known) = recipe::known(program) else {
            return Vec::new();
        };
        let source = format!("catalog: {}", known.tool);
        known
            .candidates
            .iter()
            .filter(|var| self.add(var, &source))
            .map(|v| v.to_string())
            .collect()
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
        let rank = |var: &str| -> (Kind, usize) {
            let kind = kind_of(var);
            let pos = match kind {
                Kind::Xdg => XDG.iter().position(|x| *x == var).unwrap_or(0),
                _ => self.list.iter().position(|c| c.var == var).unwrap_or(0),
            };
            // Later (more specific) tool variables are tried first, the catalog's last.
            let pos = if kind == Kind::Tool {
                usize::MAX - pos
            } else {
                pos
            };
            (kind, pos)
        };
        let mut order: Vec<String> = vars.iter().cloned().collect();
        order.sort_by_key(|v| rank(v));
        order
    }
}

/// Programs whose strings are noise for this purpose: shells, interpreters and
/// the tracer itself.
const NOT_MINED: &[&str] = &[
    "sh", "bash", "dash", "zsh", "fish", "env", "node", "nodejs", "python", "python3", "perl",
    "ruby", "busybox", "strace", "sudo", "timeout", "nice", "nohup", "cat", "printf", "echo",
    "true", "false", "sleep", "ls", "cp", "mv", "rm", "mkdir", "sed", "grep", "awk", "tr", "head",
    "tail", "tee", "xargs", "uname",
];

/// Variables that name folders of toolchains or system data: binding them to an
/// empty folder would break the tool rather than isolate it.
fn noise(var: &str) -> bool {
    const PARTS: &[&str] = &[
        "CERT", "LIB", "INCLUDE", "BIN", "PLUGIN", "MODULE", "SDK", "SRC", "BUILD", "TARGET",
        "MANIFEST", "TEST", "FIXTURE",
    ];
    const PREFIXES: &[&str] = &[
        "CARGO_",
        "RUSTUP_",
        "OUT_DIR",
        "JAVA_",
        "ANDROID_",
        "GIT_",
        "SSL_",
        "NVM_",
        "PYENV_",
        "GO",
        "CONDA_",
        "VIRTUAL_",
        "XDG_RUNTIME",
        "WORKSPACE_",
        "PROJECT_",
        "CMAKE_",
    ];
    PARTS.iter().any(|p| var.contains(p)) || PREFIXES.iter().any(|p| var.starts_with(p))
}

/// Variable names in an executable's strings that look like folder variables:
/// `[A-Z][A-Z0-9_]*_(HOME|DIR|CONFIG_DIR)`, with toolchain noise dropped.
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
        if found.len() > 200 {
            break;
        }
    }
    found.retain(|v| !noise(v) && crate::names::check_var_name(v).is_ok());
    found
}

fn scan(hay: &[u8], found: &mut BTreeSet<String>) {
    for needle in [&b"_HOME"[..], &b"_DIR"[..]] {
        for end in memchr::memmem::find_iter(hay, needle) {
            let stop = end + needle.len();
            // The name must end here: the next byte is not part of a name.
            if hay
                .get(stop)
                .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            {
                continue;
            }
            let mut start = end;
            while start > 0 {
                let b = hay[start - 1];
                if b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' {
                    start -= 1;
                } else {
                    break;
                }
            }
            while start < end && !hay[start].is_ascii_uppercase() {
                start += 1;
            }
            if start >= end || end - start > 64 {
                continue;
            }
            let Ok(mut name) = std::str::from_utf8(&hay[start..stop]) else {
                continue;
            };
            // Literals sit back to back in binaries: "...BUS_ADDRESSXDG_RUNTIME_DIR".
            if let Some(pos) = name.rfind("XDG_").filter(|p| *p > 0) {
                name = &name[pos..];
            }
            // One-letter stems ("H_DIR") are fragments, not names.
            if name.len() - needle.len() >= 2 {
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
        let vars: BTreeSet<String> = ["CODEX_HOME", "HOME", "XDG_CONFIG_HOME", "TMPDIR"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            set.removal_order(&vars),
            ["HOME", "TMPDIR", "XDG_CONFIG_HOME", "CODEX_HOME"]
        );
    }

    #[test]
    fn mines_folder_variables_from_bytes() {
        let mut found = BTreeSet::new();
        scan(
            b"\0getenv FOO_HOME\0BAR_CONFIG_DIR=x lower_HOME Z_HOMEX SSL_CERT_DIR H_DIR ADDRXDG_DATA_HOME\0",
            &mut found,
        );
        assert!(found.contains("FOO_HOME"));
        assert!(found.contains("BAR_CONFIG_DIR"));
        assert!(!found.contains("Z_HOMEX"));
        assert!(!found.contains("H_DIR"));
        assert!(found.contains("XDG_DATA_HOME"));
        assert!(found.iter().all(|v| !v.starts_with("lower")));
        found.retain(|v| !noise(v));
        assert!(!found.contains("SSL_CERT_DIR"));
    }
}
