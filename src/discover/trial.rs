//! A trial of a set of bindings: how each step of one run ended and what it
//! touched, and what that shows (the variables whose folders were used, held
//! state or were written; the programs that ran; how its steps ended against
//! another trial's).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::model::{Ended, Observation};
use super::scratch::{Location, RunLayout};
use super::world::Evidence;

/// One step of one run: how it ended and what it touched.
#[derive(Debug, Clone)]
pub struct StepResult {
    pub ended: Ended,
    pub obs: Observation,
}

/// One trial of a set of bindings: a traced run of the steps, as one
/// account (or one account of the two-account run, untraced).
#[derive(Debug, Clone)]
pub struct Trial {
    pub label: String,
    pub bound: BTreeSet<String>,
    pub layout: RunLayout,
    /// In order; a step that hit its time limit ends the run.
    pub steps: Vec<StepResult>,
    /// Evidence that the accounts meet, in `$VAR/path` form: state both
    /// would write, or state one would read where the other keeps it.
    pub leaks: Vec<String>,
    /// Writes the world refused: into the user's own places (the stand-in
    /// world keeps them read-only) or past the copy-on-write view.
    pub escapes: Vec<String>,
    /// What the run left behind, against which its writes are judged.
    pub evidence: Evidence,
    /// Steps whose end differs from the exploration's.
    pub changed_exits: Vec<String>,
}

impl Trial {
    /// What the run left in temp folders, by name: the names another run
    /// must also choose for a temp file to be state.
    pub fn temp_names(&self) -> HashSet<PathBuf> {
        let paths = self
            .steps
            .iter()
            .flat_map(|s| s.obs.paths.iter())
            .map(|(path, info)| (&**path, info.written()));
        self.evidence.temp_names(paths)
    }

    pub fn passed(&self) -> bool {
        self.leaks.is_empty() && self.escapes.is_empty() && self.changed_exits.is_empty()
    }

    pub fn exits(&self) -> Vec<String> {
        self.steps.iter().map(|s| describe_end(&s.ended)).collect()
    }

    /// Variables whose account folder saw any access.
    pub fn touched_vars(&self) -> BTreeSet<String> {
        let mut vars = BTreeSet::new();
        for step in &self.steps {
            for path in step.obs.paths.keys() {
                if let Location::Account { var, .. } = self.layout.locate(path) {
                    vars.insert(var);
                }
            }
        }
        vars
    }

    /// Variables whose account folder holds state after the exploration: a
    /// write under it that outlived the run, or a use of something that
    /// exists there (the folders start empty). A folder the tool only looked
    /// at, or used for throwaway files, holds nothing to isolate.
    pub fn stateful_vars(&self) -> BTreeSet<String> {
        let mut vars = BTreeSet::new();
        for step in &self.steps {
            for (path, info) in &step.obs.paths {
                let Location::Account { var, rest, .. } = self.layout.locate(path) else {
                    continue;
                };
                let wrote = self.evidence.wrote(path, info.written());
                let used = info.ok
                    && !rest.as_os_str().is_empty()
                    && !info.written()
                    && !self.evidence.throwaway(path);
                if wrote || used {
                    vars.insert(var);
                }
            }
        }
        vars
    }

    /// Variables whose account folder got state: a write under it that
    /// outlived the self.
    pub fn written_vars(&self) -> BTreeSet<String> {
        let mut vars = BTreeSet::new();
        for step in &self.steps {
            for (path, info) in &step.obs.paths {
                if let Location::Account { var, .. } = self.layout.locate(path)
                    && self.evidence.wrote(path, info.written())
                {
                    vars.insert(var);
                }
            }
        }
        vars
    }

    /// Folders holding the programs the tool executed.
    pub fn program_roots(&self) -> Vec<PathBuf> {
        let mut roots = BTreeSet::new();
        for step in &self.steps {
            for exe in &step.obs.execs {
                for p in [Some(exe.clone()), std::fs::canonicalize(exe).ok()]
                    .into_iter()
                    .flatten()
                {
                    if let Some(parent) = p.parent()
                        && !super::classify::is_system(parent)
                        && parent != Path::new("/")
                    {
                        roots.insert(parent.to_path_buf());
                    }
                }
            }
        }
        roots.into_iter().collect()
    }
}

/// `exit 0`, `signal 9`, or `stopped after 30 s`.
pub fn describe_end(ended: &Ended) -> String {
    if ended.timed_out {
        format!("stopped after {} s", ended.duration.as_secs())
    } else {
        ended.exit.to_string()
    }
}

/// How `now` ended, when that is otherwise than `then`: another exit, or
/// stopped at its time limit.
pub fn ended_otherwise(then: &Ended, now: &Ended) -> Option<String> {
    (now.exit != then.exit || now.timed_out).then(|| describe_end(now))
}

/// Step `i` (from 0) ended otherwise than it did before, said for the report.
fn step_ended_otherwise(i: usize, then: &Ended, now: &Ended) -> Option<String> {
    ended_otherwise(then, now).map(|now| {
        format!(
            "step {} ended with {now} instead of {}",
            i + 1,
            describe_end(then)
        )
    })
}

/// Whether each step of `run` ended as in `explore`.
pub fn changed_exits(explore: &Trial, run: &Trial) -> Vec<String> {
    explore
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, traced)| match run.steps.get(i) {
            Some(now) => step_ended_otherwise(i, &traced.ended, &now.ended),
            None => Some(format!("step {} did not run", i + 1)),
        })
        .collect()
}

/// How the steps of `now` ended otherwise than those of `then`.
pub fn changed_exits_since(then: &Trial, now: &Trial) -> Vec<String> {
    then.steps
        .iter()
        .zip(&now.steps)
        .enumerate()
        .filter_map(|(i, (a, b))| step_ended_otherwise(i, &a.ended, &b.ended))
        .collect()
}
