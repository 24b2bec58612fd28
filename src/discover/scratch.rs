//! The scratch area: a 0700 folder under the temp dir holding, for every run,
//! account folders A and B (one per candidate variable), the raw traces, and
//! the upper layers of each account's copy-on-write view. In the stand-in
//! world it also holds the shared stand-ins: an unbound HOME or XDG variable
//! points at its stand-in, which plays the part of the real folder both
//! accounts would share. In the copy-on-write world an unbound variable
//! keeps the value the caller had: the real place, seen through the view.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use super::candidates::{Candidate, Kind, Shape};
use crate::error::{Result, at_path};
use crate::files;

pub struct Scratch {
    root: PathBuf,
    keep: bool,
    runs: usize,
}

impl Scratch {
    pub fn new(keep: bool) -> Result<Scratch> {
        let base = std::env::temp_dir();
        let base = fs::canonicalize(&base).unwrap_or(base);
        let root = base.join(format!(
            "swop-discover-{}-{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        ));
        files::create_private_dir(&root).map_err(at_path("cannot create scratch folder", &root))?;
        sweep_abandoned(&base);
        Ok(Scratch {
            root,
            keep,
            runs: 0,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn keep(&self) -> bool {
        self.keep
    }

    /// A fresh folder for one run, with `A` and `B` trees for every
    /// candidate, and `shared` stand-ins unless `unbound` gives the values
    /// that unbound variables keep (the copy-on-write world).
    pub fn new_run(
        &mut self,
        label: &str,
        candidates: &[Candidate],
        unbound: Option<BTreeMap<String, OsString>>,
    ) -> Result<RunLayout> {
        self.runs += 1;
        let dir = self.root.join(format!("{:02}-{label}", self.runs));
        let mk = |p: &Path| files::create_private_dir_all(p).map_err(at_path("cannot create", p));
        mk(&dir)?;
        mk(&dir.join("traces"))?;
        let stand_ins = unbound.is_none();
        let mut layout = RunLayout {
            dir: dir.clone(),
            unbound: unbound.unwrap_or_default(),
            accounts: BTreeMap::new(),
            shared: BTreeMap::new(),
            files: candidates
                .iter()
                .filter(|c| c.shape == Shape::File)
                .map(|c| (c.var.clone(), crate::recipe::file_name_for(&c.var)))
                .collect(),
        };
        for account in ["A", "B"] {
            let mut folders = BTreeMap::new();
            for c in candidates {
                let p = dir.join(account).join(&c.var);
                mk(&p)?;
                folders.insert(c.var.clone(), p);
            }
            layout.accounts.insert(account.to_string(), folders);
        }
        for c in candidates.iter().filter(|_| stand_ins) {
            let p = dir.join("shared").join(&c.var);
            mk(&p)?;
            layout.shared.insert(c.var.clone(), p);
        }
        Ok(layout)
    }
}

/// Marks a scratch folder the user asked to keep.
const KEPT: &str = "KEPT";

/// Delete the scratch folders of discover runs that were killed: they hold raw
/// traces. Folders kept on request, and those of live runs, stay.
fn sweep_abandoned(base: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    let uid = crate::files::euid();
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("swop-discover-"))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let ours = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir() && m.uid() == uid);
        if ours && !crate::sys::process::alive(pid) && !path.join(KEPT).exists() {
            let _ = crate::sys::cow::remove_layer_dir(&path);
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.keep {
            let _ = files::write_private_file(&self.root.join(KEPT), b"");
            eprintln!(
                "swop: kept the scratch folder and raw traces: {}",
                self.root.display()
            );
        } else {
            let _ = crate::sys::cow::remove_layer_dir(&self.root);
        }
    }
}

/// The folders of one run.
#[derive(Debug, Clone)]
pub struct RunLayout {
    pub dir: PathBuf,
    /// Account label ("A", "B") -> variable -> folder.
    pub accounts: BTreeMap<String, BTreeMap<String, PathBuf>>,
    /// Variable -> shared stand-in (the stand-in world only).
    pub shared: BTreeMap<String, PathBuf>,
    /// Variable -> the value it keeps when unbound (the copy-on-write
    /// world: the caller's own, the real place).
    pub unbound: BTreeMap<String, OsString>,
    /// File variables -> the name of their file inside their folder.
    pub files: BTreeMap<String, String>,
}

impl RunLayout {
    /// The environment changes for one account with `bound` bound: bound variables
    /// point into the account (a file variable at a file not yet made in a
    /// folder of its own), unbound HOME/TMPDIR/XDG at the shared stand-ins
    /// or their real places, unbound tool variables are unset (the tool
    /// falls back to its default, which lies under HOME or XDG).
    pub fn env_for(
        &self,
        account: &str,
        candidates: &[Candidate],
        bound: &BTreeSet<String>,
    ) -> Vec<(String, Option<OsString>)> {
        candidates
            .iter()
            .map(|c| {
                let value = if bound.contains(&c.var) {
                    self.accounts
                        .get(account)
                        .and_then(|f| f.get(&c.var))
                        .map(|p| match self.files.get(&c.var) {
                            Some(name) => p.join(name).into_os_string(),
                            None => p.clone().into_os_string(),
                        })
                } else if c.kind == Kind::Tool {
                    None
                } else {
                    self.shared
                        .get(&c.var)
                        .map(|p| p.clone().into_os_string())
                        .or_else(|| self.unbound.get(&c.var).cloned())
                };
                (c.var.clone(), value)
            })
            .collect()
    }

    pub fn trace_path(&self, account: &str, step: usize) -> PathBuf {
        self.traces().join(format!("trace-{account}-{step}.strace"))
    }

    /// The folder of the raw traces, real and writable in every view.
    pub fn traces(&self) -> PathBuf {
        self.dir.join("traces")
    }

    /// An account's own folders, real and writable in its view.
    pub fn account_dir(&self, account: &str) -> PathBuf {
        self.dir.join(account)
    }

    /// Where an account's copy-on-write layers go.
    pub fn world_dir(&self, account: &str) -> PathBuf {
        self.dir.join(format!("world-{account}"))
    }

    /// Where a path lies relative to this run's folders.
    pub fn locate<'a>(&self, path: &'a Path) -> Location<'a> {
        for (account, folders) in &self.accounts {
            for (var, folder) in folders {
                if let Ok(rest) = path.strip_prefix(folder) {
                    return Location::Account {
                        account: account.clone(),
                        var: var.clone(),
                        rest,
                    };
                }
            }
        }
        for (var, folder) in &self.shared {
            if let Ok(rest) = path.strip_prefix(folder) {
                return Location::Shared {
                    var: var.clone(),
                    rest,
                };
            }
        }
        if path.starts_with(&self.dir) {
            return Location::Scratch;
        }
        Location::Outside
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location<'a> {
    Account {
        account: String,
        var: String,
        rest: &'a Path,
    },
    Shared {
        var: String,
        rest: &'a Path,
    },
    Scratch,
    Outside,
}

impl RunLayout {
    /// `text` (a command line) with this run's folders written as their
    /// variables, `$VAR` for account A's and `$VAR(shared)` for stand-ins.
    pub fn shorten(&self, text: &str) -> String {
        let mut folders: Vec<(String, String)> = Vec::new();
        for (account, vars) in &self.accounts {
            for (var, folder) in vars {
                let shown = if account == "A" {
                    format!("${var}")
                } else {
                    format!("${var}({account})")
                };
                folders.push((folder.display().to_string(), shown));
            }
        }
        for (var, folder) in &self.shared {
            folders.push((folder.display().to_string(), format!("${var}(shared)")));
        }
        // Longest first, so that no folder is cut by a shorter one.
        folders.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
        let mut out = text.to_string();
        for (folder, shown) in folders {
            out = out.replace(&folder, &shown);
        }
        out
    }

    /// How a report shows `rest` under `var`'s folder: `$VAR/rest`; for a file
    /// variable `$VAR` for the file itself and `${VAR%/*}/name` beside it.
    pub fn show(&self, var: &str, rest: &Path) -> String {
        let Some(name) = self.files.get(var) else {
            return var_form(var, rest);
        };
        match rest.strip_prefix(name) {
            Ok(inner) => var_form(var, inner),
            Err(_) if rest.as_os_str().is_empty() => format!("${{{var}%/*}}"),
            Err(_) => format!("${{{var}%/*}}/{}", rest.display()),
        }
    }
}

/// `$VAR/rest`, the way reports show a path under a bound or stand-in folder.
pub fn var_form(var: &str, rest: &Path) -> String {
    if rest.as_os_str().is_empty() {
        format!("${var}")
    } else {
        format!("${var}/{}", rest.display())
    }
}
