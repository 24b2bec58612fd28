//! Running a discovery's steps traced, as account A with a set of bindings:
//! one [`Trial`], judged for leaks and escapes (the untraced runs are in
//! `concurrent`). Every run starts from the clean room, sees the world of
//! [`World`] (each account a copy-on-write view of its own, fresh for each
//! run), and every step is supervised (time limit, stop signals, daemons
//! stopped afterwards).

use std::collections::{BTreeSet, HashSet};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::candidates::{CandidateSet, Kind};
use super::classify::{Class, Classifier};
use super::cleanroom::{CleanRoom, real_home};
use super::model::{PathInfo, Step};
use super::scratch::{Location, RunLayout, Scratch};
use super::step::{Output, StepRun, StepTracer};
use super::supervise::{self, Limits};
use super::trial::{StepResult, Trial, changed_exits};
use super::world::{Confinement, Evidence, View, World, WorldKind};
use crate::discover::progress;
use crate::error::{Error, Result};
use crate::sys::cow::Change;
use crate::trace::Op;

/// The time limit of a step nobody watches (no terminal, or the two-account
/// run), unless `--timeout` says otherwise.
pub const UNATTENDED_TIMEOUT: Duration = Duration::from_secs(30);
/// How long processes a step started may outlive it before they are stopped.
pub const GRACE: Duration = Duration::from_secs(1);

pub struct Runner<'a> {
    pub tracer: &'a dyn StepTracer,
    pub scratch: Scratch,
    pub room: CleanRoom,
    pub steps: &'a [Step],
    pub output: Output,
    pub cwd: PathBuf,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// Whether a person is at a terminal to answer the tool.
    pub attended: bool,
    /// What the runs see.
    pub world: World,
}

impl Runner<'_> {
    fn traced_limits(&self) -> Limits {
        Limits {
            timeout: self
                .timeout
                .or((!self.attended).then_some(UNATTENDED_TIMEOUT)),
            grace: GRACE,
        }
    }

    /// The command of one step, in the clean room with `env` applied.
    pub(super) fn command(
        &self,
        step: &Step,
        set: &CandidateSet,
        env: &[(String, Option<OsString>)],
    ) -> Option<Command> {
        let (program, args) = step.argv.split_first()?;
        let mut cmd = Command::new(program);
        cmd.args(args).env_clear().envs(self.room.env(set));
        for (var, value) in env {
            match value {
                Some(v) => cmd.env(var, v),
                None => cmd.env_remove(var),
            };
        }
        cmd.current_dir(&self.cwd);
        Some(cmd)
    }

    /// Trace every step in order as account A with `bound` bound; compare
    /// with `against` (the exploration) when given.
    pub fn run(
        &mut self,
        label: &str,
        set: &CandidateSet,
        bound: &BTreeSet<String>,
        against: Option<&Trial>,
    ) -> Result<Trial> {
        supervise::check_stop()?;
        let layout = self.new_layout(label, set)?;
        let env = layout.env_for("A", set.all(), bound);
        let view = self.world.view(&layout.world_dir("A"))?;
        let confinement = Confinement {
            view: &view,
            holes: vec![layout.account_dir("A"), layout.traces()],
            cwd: self.cwd.clone(),
        };
        let mut steps = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            let Some(cmd) = self.command(step, set, &env) else {
                continue;
            };
            progress(&format!("  step {}: {}", i + 1, step.shown));
            let trace = layout.trace_path("A", i + 1);
            let marker = supervise::new_marker();
            let run = StepRun {
                output: self.output,
                watch: &layout.dir,
                marker: &marker,
                limits: self.traced_limits(),
                confinement: &confinement,
            };
            let (mut ended, mut obs) = self.tracer.trace(cmd, &trace, &run)?;
            // Ctrl-C at the terminal reached the tool (on macOS it has the
            // terminal to itself): the user wants to stop.
            if self.attended && ended.exit.signal == Some(libc::SIGINT) {
                return Err(Error::Interrupted(libc::SIGINT));
            }
            obs.add_link_targets(&layout.dir);
            for cmd in &mut ended.stopped {
                *cmd = layout.shorten(cmd);
            }
            if !self.scratch.keep() {
                let _ = std::fs::remove_file(&trace);
            }
            let timed_out = ended.timed_out;
            steps.push(StepResult { ended, obs });
            if timed_out {
                break;
            }
        }
        let reference = against.map(Trial::temp_names);
        let evidence = self.evidence(set, &layout, "A", &view, &mut steps, reference);
        let mut run = Trial {
            label: label.to_string(),
            bound: bound.clone(),
            layout,
            steps,
            leaks: Vec::new(),
            escapes: Vec::new(),
            evidence,
            changed_exits: Vec::new(),
        };
        self.judge(&mut run, set);
        if let Some(explore) = against {
            run.leaks.extend(state_read_where_shared(
                explore,
                &run,
                &self.classifier(&run, set),
            ));
            run.changed_exits = changed_exits(explore, &run);
        }
        Ok(run)
    }

    /// A fresh run folder; in the copy-on-write world unbound HOME, XDG and
    /// TMPDIR keep the caller's values (the real places, seen through the
    /// view), in the stand-in world they point at shared stand-ins.
    pub(super) fn new_layout(&mut self, label: &str, set: &CandidateSet) -> Result<RunLayout> {
        let unbound = (self.world.kind() == WorldKind::CopyOnWrite).then(|| {
            set.all()
                .iter()
                .filter(|c| c.kind != Kind::Tool)
                .filter_map(|c| Some((c.var.clone(), self.room.value(&c.var)?.to_os_string())))
                .collect()
        });
        self.scratch.new_run(label, set.all(), unbound)
    }

    /// What a run of `account` left behind: its view's changes, and the
    /// traced writes that did not outlive it. Changes no tracer saw are
    /// added to the last step's observation, so that they are judged and
    /// shown like the others.
    pub(super) fn evidence(
        &self,
        set: &CandidateSet,
        layout: &RunLayout,
        account: &str,
        view: &View,
        steps: &mut [StepResult],
        reference: Option<HashSet<PathBuf>>,
    ) -> Evidence {
        let mut evidence = Evidence {
            changes: view.changes(),
            covered: view.covered(),
            holes: vec![layout.account_dir(account), layout.traces()],
            gone: Default::default(),
            temp: self.temp_folders(layout),
            mine: self.room.escape_roots(set, self.scratch.root()),
            reference,
        };
        for step in steps.iter() {
            for (path, info) in &step.obs.paths {
                let made = [Op::Create, Op::Mkdir, Op::RenameTo]
                    .iter()
                    .any(|op| info.ops.contains(*op));
                if made && !evidence.in_view(path) && std::fs::symlink_metadata(&**path).is_err() {
                    evidence.gone.insert(path.to_path_buf());
                }
            }
        }
        if let Some(last) = steps.last_mut() {
            for (path, change) in &evidence.changes {
                let seen = last.obs.info(path).is_some();
                if !seen {
                    let op = match change {
                        Change::Created => Op::Create,
                        Change::Modified => Op::Write,
                        Change::Removed => Op::Delete,
                    };
                    last.obs.paths.insert(
                        path.clone().into(),
                        PathInfo {
                            ops: std::iter::once(op).collect(),
                            ok: true,
                            ..PathInfo::default()
                        },
                    );
                }
            }
        }
        evidence
    }

    /// The folders where a randomly named file is a throwaway: the system's
    /// temp folders, the caller's TMPDIR, and the TMPDIR folders of the run.
    fn temp_folders(&self, layout: &RunLayout) -> Vec<PathBuf> {
        let mut temp: Vec<PathBuf> = ["/tmp", "/var/tmp", "/dev/shm"]
            .iter()
            .map(PathBuf::from)
            .collect();
        temp.extend(self.room.value("TMPDIR").map(PathBuf::from));
        temp.extend(layout.shared.get("TMPDIR").cloned());
        temp.extend(
            layout
                .accounts
                .values()
                .filter_map(|vars| vars.get("TMPDIR").cloned()),
        );
        temp
    }

    pub(super) fn classifier<'r>(&self, run: &'r Trial, set: &CandidateSet) -> Classifier<'r> {
        Classifier {
            layout: Some(&run.layout),
            real_home: real_home(),
            escape_roots: self.room.escape_roots(set, self.scratch.root()),
            program_roots: Vec::new(),
            work_dir: Some(self.cwd.clone()),
            evidence: Some(&run.evidence),
        }
    }

    /// Find the run's leaks (state written where both accounts would write
    /// it, or used in a shared stand-in) and escapes (writes the world
    /// refused).
    fn judge(&self, run: &mut Trial, set: &CandidateSet) {
        let classifier = self.classifier(run, set);
        let mut leaks = BTreeSet::new();
        let mut escapes = BTreeSet::new();
        for step in &run.steps {
            for (path, info) in &step.obs.paths {
                if classifier.escaped(path, info) {
                    escapes.insert(classifier.classify(path, info).path);
                    continue;
                }
                if matches!(run.layout.locate(path), Location::Account { .. }) {
                    continue;
                }
                let class = classifier.class_of(path, info);
                if matches!(class, Class::Leak | Class::Global) {
                    leaks.insert(classifier.classify(path, info).path);
                }
            }
        }
        run.leaks = leaks.into_iter().collect();
        run.escapes = escapes.into_iter().collect();
    }
}

/// State the run read in the real place of a variable it left unbound,
/// where the exploration kept that state inside the variable's folder: the
/// exploration wrote `$KAGGLE_CONFIG_DIR/kaggle.json`, and without the
/// variable the tool read `~/.kaggle/kaggle.json`, which every account
/// would read. Only variables whose real place is known are checked.
fn state_read_where_shared(explore: &Trial, run: &Trial, classifier: &Classifier) -> Vec<String> {
    let Some(home) = real_home() else {
        return Vec::new();
    };
    let mut shared_places: Vec<PathBuf> = Vec::new();
    for step in &explore.steps {
        for (path, info) in &step.obs.paths {
            let Location::Account { var, rest, .. } = explore.layout.locate(path) else {
                continue;
            };
            let folder_var = !explore.layout.files.contains_key(&var);
            if rest.as_os_str().is_empty()
                || !folder_var
                || run.bound.contains(&var)
                || !explore.evidence.wrote(path, info.written())
            {
                continue;
            }
            if let Some(default) = super::classify::default_location(&var) {
                shared_places.push(home.join(default).join(rest));
            }
        }
    }
    let mut out = BTreeSet::new();
    for step in &run.steps {
        for (path, info) in &step.obs.paths {
            if info.ok && !info.written() && shared_places.iter().any(|p| p.as_path() == &**path) {
                out.insert(format!("{} (read)", classifier.classify(path, info).path));
            }
        }
    }
    out.into_iter().collect()
}
