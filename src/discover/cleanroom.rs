//! The environment every traced run starts from: the caller's, minus every
//! variable that could redirect the tool's state or carry an account's
//! credentials. A `CARGO_HOME` or `AWS_SHARED_CREDENTIALS_FILE` exported in the
//! caller's shell would otherwise send the runs to the user's real files, and
//! the proof would be about the wrong place.
//!
//! Two more facts come from the caller's environment: the places that are the
//! user's own (the real home, and what the removed variables named), where a
//! write is a leak; and where toolchain managers keep programs. HOME points
//! at a stand-in in the runs, so a rustup or pyenv install found through HOME
//! would vanish; such variables are pinned to their real folder.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::candidates::{CandidateSet, Kind};

/// Toolchain managers that find their programs through HOME, with their
/// variable and default folder under the home.
const TOOLCHAINS: &[(&str, &str)] = &[
    ("RUSTUP_HOME", ".rustup"),
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

/// What the clean room changed, for the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CleanRoomView {
    /// Variables of the caller's environment the runs did not inherit.
    pub removed: Vec<String>,
    /// Toolchain variables set to the real folder (shown as `$HOME/...`).
    pub pinned: Vec<String>,
    /// Why the user's own files could not be made read-only for the runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unprotected: Option<String>,
}

pub struct CleanRoom {
    /// The caller's environment as it would be outside swop.
    base: BTreeMap<OsString, OsString>,
    real_home: Option<PathBuf>,
    pins: Vec<(String, PathBuf)>,
}

impl CleanRoom {
    pub fn new(real_home: Option<PathBuf>) -> CleanRoom {
        let base = caller_env();
        let pins = real_home
            .as_deref()
            .map(|home| {
                TOOLCHAINS
                    .iter()
                    .filter(|(var, _)| !base.contains_key(OsStr::new(var)))
                    .map(|(var, dir)| (var.to_string(), home.join(dir)))
                    .filter(|(_, dir)| dir.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        CleanRoom {
            base,
            real_home,
            pins,
        }
    }

    /// Whether the runs must not inherit `var`: a candidate, a variable the
    /// catalog knows to redirect state or carry credentials, or any other
    /// that points into the real home (an override the catalog does not
    /// know), unless it names programs or how they run.
    fn removes(&self, var: &OsStr, value: &OsStr, set: &CandidateSet) -> bool {
        let Some(var) = var.to_str() else {
            return false;
        };
        if set.contains(var) || crate::recipe::is_catalog_override(var) {
            return true;
        }
        let into_home = self.real_home.as_deref().is_some_and(|home| {
            std::env::split_paths(value).any(|p| p.is_absolute() && p.starts_with(home))
        });
        into_home && crate::names::forbidden_reason(var).is_none()
    }

    /// The caller's value of `var`, as it would be outside swop.
    pub fn value(&self, var: &str) -> Option<&OsStr> {
        self.base.get(OsStr::new(var)).map(OsString::as_os_str)
    }

    /// Variables of the caller's environment that name an existing place
    /// where a tool could keep an account's state (a catalog override, a
    /// name shaped like a place, or a value in the home): each is a
    /// candidate, bound or unset, never passed through unseen.
    /// `DATABRICKS_CONFIG_FILE=/srv/shared/cfg` exported by the user would
    /// otherwise send both accounts to one file.
    pub fn inherited_places(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (var, value) in &self.base {
            let Some(name) = var.to_str() else {
                continue;
            };
            let path = Path::new(value);
            if !path.is_absolute()
                || std::env::split_paths(value).nth(1).is_some()
                || crate::names::check_binding_name(name).is_err()
                || super::classify::is_system(path)
                || TOOLCHAINS.iter().any(|(t, _)| *t == name)
            {
                continue;
            }
            let into_home = self
                .real_home
                .as_deref()
                .is_some_and(|home| path.starts_with(home) && path != home);
            let shaped =
                crate::recipe::is_catalog_override(name) || crate::names::names_a_place(name);
            if (shaped || into_home) && std::fs::symlink_metadata(path).is_ok() {
                out.push(name.to_string());
            }
        }
        out
    }

    /// The environment a run starts from, before its bindings are applied.
    pub fn env(&self, set: &CandidateSet) -> Vec<(OsString, OsString)> {
        let mut env: Vec<(OsString, OsString)> = self
            .base
            .iter()
            .filter(|(k, v)| !self.removes(k, v, set))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        env.extend(
            self.pins
                .iter()
                .map(|(var, dir)| (OsString::from(var), dir.clone().into_os_string())),
        );
        env
    }

    /// The user's own places outside `scratch`: the real home and what the
    /// removed variables named. Values that hold the scratch folder (a TMPDIR
    /// of /tmp) or name system folders are no such place.
    pub fn escape_roots(&self, set: &CandidateSet, scratch: &Path) -> Vec<PathBuf> {
        let mut roots: Vec<PathBuf> = Vec::new();
        if let Some(home) = &self.real_home {
            roots.push(home.clone());
        }
        // The home of the passwd entry: ssh writes there whatever HOME says.
        roots.extend(crate::sys::machine::passwd_home().filter(|h| h.parent().is_some()));
        let values = self
            .base
            .iter()
            .filter(|(var, value)| self.removes(var, value, set))
            // Some name lists of files (KUBECONFIG=a:b).
            .flat_map(|(_, value)| std::env::split_paths(value).collect::<Vec<_>>());
        for path in values {
            if !path.is_absolute() || path.parent().is_none() {
                continue;
            }
            let path = std::fs::canonicalize(&path).unwrap_or(path);
            if scratch.starts_with(&path) || super::classify::is_system(&path) {
                continue;
            }
            roots.push(path);
        }
        roots.sort();
        roots.dedup();
        roots
    }

    pub fn view(&self, set: &CandidateSet) -> CleanRoomView {
        CleanRoomView {
            removed: self
                .base
                .iter()
                .filter(|(k, v)| self.removes(k, v, set))
                .map(|(k, _)| k.to_string_lossy().into_owned())
                // Always replaced by stand-ins: not worth a mention.
                .filter(|k| set.get(k).is_none_or(|c| c.kind == Kind::Tool))
                .collect(),
            pinned: self
                .pins
                .iter()
                .map(|(var, dir)| {
                    let shown = self
                        .real_home
                        .as_deref()
                        .and_then(|h| dir.strip_prefix(h).ok())
                        .map(|rest| super::scratch::var_form("HOME", rest))
                        .unwrap_or_else(|| dir.display().to_string());
                    format!("{var}={shown}")
                })
                .collect(),
            unprotected: None,
        }
    }
}

/// The caller's home, canonical: the user's own place.
pub fn real_home() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    let home = PathBuf::from(home);
    Some(std::fs::canonicalize(&home).unwrap_or(home))
}

/// The environment the tool would have outside swop: a switched shell's
/// variables restored, swop's own removed.
fn caller_env() -> BTreeMap<OsString, OsString> {
    // The profile the shell is on tells which of its saved values to restore.
    let store = crate::store::Store::open().ok();
    let current = match &store {
        Some(store) => crate::switch::Current::process(store),
        None => crate::switch::Current {
            var: Box::new(|name| std::env::var_os(name)),
            profile: Box::new(|_| None),
            vars: Box::new(Vec::new),
        },
    };
    let root = store.as_ref().map_or(Path::new("/"), |s| s.root());
    // An --off plan never fails; an empty one leaves the environment as it is.
    let changes = crate::switch::plan(&current, None, root)
        .map(|plan| plan.changes)
        .unwrap_or_default();
    let mut env: BTreeMap<OsString, OsString> = std::env::vars_os().collect();
    for (var, value) in changes {
        match value {
            Some(v) => env.insert(var.into(), v),
            None => env.remove(&OsString::from(var)),
        };
    }
    env.retain(|k, _| !k.to_string_lossy().starts_with("SWOP_"));
    env
}
