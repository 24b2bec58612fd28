//! The world a discovery's runs see.
//!
//! A proof is only as good as the world it was made in: a tool that prefers
//! an existing `~/.kaggle`, writes the passwd entry's `~/.ssh` or, as root,
//! `/usr/local/share`, behaves otherwise in an empty stand-in home. So each
//! run sees the user's real file system through a copy-on-write view
//! ([`crate::sys::cow`]): the real home with its legacy folders and dotfiles
//! in view, nothing written reaching a real file, every change captured in
//! the run's upper layers. Where that view cannot be had (macOS, an older
//! kernel, user namespaces refused) the runs get today's stand-in: an empty
//! shared folder plays each unbound place, the real home is made read-only
//! where namespaces allow, and the report says so.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::error::{Result, at_path};
use crate::sys::cow::{self, Change, Layer, Plan};
use crate::sys::read_only::{ReadOnlyHome, Unprotected};
use crate::trace::path::under;

/// Which world the runs saw (`"world"` in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorldKind {
    /// The real file system through a copy-on-write layer.
    CopyOnWrite,
    /// Empty stand-ins for the unbound places.
    StandIn,
}

/// `stand-in` makes a discovery use the stand-in world even where the
/// copy-on-write view works: to compare the two, or to get past a view
/// this machine handles badly.
pub const WORLD_VAR: &str = "SWOP_DISCOVER_WORLD";

pub struct World {
    plan: Option<Plan>,
    /// Why the copy-on-write world could not be had.
    pub why_stand_in: Option<String>,
    /// In the stand-in world: the user's own files made read-only, or why not.
    read_only: Option<std::result::Result<ReadOnlyHome, Unprotected>>,
}

impl World {
    /// The copy-on-write world if this machine allows it (proved by a test
    /// run in `scratch`) and `SWOP_DISCOVER_WORLD` does not ask for the
    /// stand-in, else the stand-in with `protect` made read-only apart
    /// from `writable`.
    pub fn new(scratch: &Path, protect: &[PathBuf], writable: &[PathBuf]) -> World {
        let plan = match std::env::var_os(WORLD_VAR) {
            Some(v) if v == "stand-in" => Err(cow::Unavailable(format!(
                "{WORLD_VAR}=stand-in asked for it"
            ))),
            _ => Plan::new(scratch),
        };
        match plan {
            Ok(plan) => World {
                plan: Some(plan),
                why_stand_in: None,
                read_only: None,
            },
            Err(why) => World {
                plan: None,
                why_stand_in: Some(why.0),
                read_only: Some(ReadOnlyHome::new(protect, writable)),
            },
        }
    }

    /// The stand-in world, whatever the machine allows (traces taken
    /// elsewhere, and tests of the fallback).
    pub fn stand_in(why: &str) -> World {
        World {
            plan: None,
            why_stand_in: Some(why.to_string()),
            read_only: None,
        }
    }

    pub fn kind(&self) -> WorldKind {
        if self.plan.is_some() {
            WorldKind::CopyOnWrite
        } else {
            WorldKind::StandIn
        }
    }

    /// Why the user's own files were not read-only in the stand-in world.
    pub fn unprotected(&self) -> Option<String> {
        match &self.read_only {
            Some(Err(why)) => Some(why.to_string()),
            _ => None,
        }
    }

    /// A fresh view for one account of one run, its layers in `dir`.
    pub fn view(&self, dir: &Path) -> Result<View<'_>> {
        Ok(match &self.plan {
            Some(plan) => View::CopyOnWrite(
                plan.layer(dir)
                    .map_err(at_path("cannot make the copy-on-write layers in", dir))?,
            ),
            None => View::StandIn(self.read_only.as_ref().and_then(|r| r.as_ref().ok())),
        })
    }
}

/// One account's view of the world during one run.
pub enum View<'w> {
    CopyOnWrite(Layer),
    StandIn(Option<&'w ReadOnlyHome>),
}

impl View<'_> {
    /// Make `cmd` run in this view, with `holes` (the account's folders,
    /// the trace folder) real and writable, in the folder `cwd`.
    pub fn apply(&self, cmd: &mut Command, holes: &[PathBuf], cwd: &Path) -> Result<()> {
        match self {
            View::CopyOnWrite(layer) => layer
                .apply(cmd, holes, Some(cwd))
                .map_err(at_path("cannot prepare the copy-on-write view for", cwd)),
            View::StandIn(Some(read_only)) => {
                read_only.apply(cmd);
                Ok(())
            }
            View::StandIn(None) => Ok(()),
        }
    }

    /// The folders the copy-on-write view covers (none in the stand-in).
    pub fn covered(&self) -> Vec<PathBuf> {
        match self {
            View::CopyOnWrite(layer) => layer.targets().map(Path::to_path_buf).collect(),
            View::StandIn(_) => Vec::new(),
        }
    }

    /// What the run changed outside its holes (copy-on-write only).
    pub fn changes(&self) -> BTreeMap<PathBuf, Change> {
        match self {
            View::CopyOnWrite(layer) => layer.changes().into_iter().collect(),
            View::StandIn(_) => BTreeMap::new(),
        }
    }
}

/// How one command of a run is confined: its account's view, the folders
/// that stay real in it, and the folder it starts in.
pub struct Confinement<'v> {
    pub view: &'v View<'v>,
    pub holes: Vec<PathBuf>,
    pub cwd: PathBuf,
}

impl Confinement<'_> {
    pub fn apply(&self, cmd: &mut Command) -> Result<()> {
        self.view.apply(cmd, &self.holes, &self.cwd)
    }
}

/// What a run left behind, against which a traced write is judged: a write
/// is state only if it outlives the run.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Copy-on-write: every path the run changed in the view, by real path.
    pub changes: BTreeMap<PathBuf, Change>,
    /// Folders the view covers; under them, `changes` is the whole truth.
    pub covered: Vec<PathBuf>,
    /// Real folders inside the covered ones (the account folders, traces).
    pub holes: Vec<PathBuf>,
    /// Paths the run created and removed again (where the trace is the
    /// truth): they left nothing behind.
    pub gone: HashSet<PathBuf>,
    /// Temp folders: what a run leaves there under a name that another run
    /// did not use (`tmpk3j4h2`, `poetry-1a2b3c.json`) is a throwaway, not
    /// state.
    pub temp: Vec<PathBuf>,
    /// The names (relative to their temp folder) that the run this one is
    /// compared with left in temp folders; `None` for the first run, all
    /// of whose temp files count as state until another run says otherwise.
    pub reference: Option<HashSet<PathBuf>>,
    /// The user's own places (the real home...): never a throwaway, even
    /// when they lie in a temp folder.
    pub mine: Vec<PathBuf>,
}

impl Evidence {
    /// Whether `path` lies in the copy-on-write view, where the upper
    /// layers tell what changed.
    pub fn in_view(&self, path: &Path) -> bool {
        self.covered.iter().any(|c| under(path, c)) && !self.holes.iter().any(|h| under(path, h))
    }

    /// Whether the run wrote state at `path`: changed, created, removed or
    /// renamed something that outlives the run and is not a throwaway.
    pub fn wrote(&self, path: &Path, traced_write: bool) -> bool {
        self.outlived(path, traced_write) && !self.throwaway(path)
    }

    /// Whether a write at `path` outlived the run, throwaway or not.
    fn outlived(&self, path: &Path, traced_write: bool) -> bool {
        if self.in_view(path) {
            self.changes.contains_key(path)
        } else {
            traced_write && !self.gone.contains(path)
        }
    }

    /// The names the run left in temp folders, for the runs compared with
    /// it: `paths` are the traced paths with whether the trace saw a write.
    pub fn temp_names<'p>(
        &self,
        paths: impl IntoIterator<Item = (&'p Path, bool)>,
    ) -> HashSet<PathBuf> {
        paths
            .into_iter()
            .filter(|(path, written)| self.outlived(path, *written))
            .filter_map(|(path, _)| self.temp_name(path).map(Path::to_path_buf))
            .collect()
    }

    /// A file under a temp folder that the run compared with did not
    /// leave there too: a name made up for one run (`mktemp`, a pid), never
    /// looked for again. A name both runs chose is state.
    pub fn throwaway(&self, path: &Path) -> bool {
        let Some(reference) = &self.reference else {
            return false;
        };
        self.temp_name(path)
            .is_some_and(|name| !reference.contains(name))
    }

    /// `path` relative to the innermost temp folder holding it, unless it
    /// lies in one of the user's places or a hole inside that folder.
    pub fn temp_name<'p>(&self, path: &'p Path) -> Option<&'p Path> {
        // The innermost temp folder: an account's TMPDIR lies in the scratch
        // folder, which lies in /tmp.
        let temp = self
            .temp
            .iter()
            .filter(|t| under(path, t))
            .max_by_key(|t| t.as_os_str().len())?;
        let inside = |places: &[PathBuf]| places.iter().any(|p| under(path, p) && !under(temp, p));
        if inside(&self.holes) || inside(&self.mine) {
            return None;
        }
        path.strip_prefix(temp).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_outlives_the_run_only_where_the_evidence_says_so() {
        let mut e = Evidence {
            covered: vec!["/home".into(), "/tmp".into()],
            holes: vec!["/tmp/scratch/A".into()],
            temp: vec!["/tmp".into()],
            reference: Some(HashSet::from([PathBuf::from("update-check.json")])),
            ..Evidence::default()
        };
        e.changes
            .insert("/home/u/.kaggle/kaggle.json".into(), Change::Modified);
        e.changes.insert("/tmp/tmpk3j4h2x1".into(), Change::Created);
        e.changes
            .insert("/tmp/update-check.json".into(), Change::Created);
        // A name the other run chose too is state.
        assert!(e.wrote(Path::new("/tmp/update-check.json"), true));
        e.gone.insert("/tmp/scratch/A/TMPDIR/x".into());
        // In the view: the upper layers decide, whatever the trace said.
        assert!(e.wrote(Path::new("/home/u/.kaggle/kaggle.json"), false));
        assert!(!e.wrote(Path::new("/home/u/.gitconfig"), true));
        assert!(!e.wrote(Path::new("/tmp/tmpk3j4h2x1"), true));
        // In a hole: the trace, unless the path is gone.
        assert!(e.wrote(Path::new("/tmp/scratch/A/HOME/.x"), true));
        assert!(!e.wrote(Path::new("/tmp/scratch/A/TMPDIR/x"), true));
        assert!(!e.wrote(Path::new("/tmp/scratch/A/HOME/.y"), false));
    }
}
