//! Running a discovery's steps: traced as account A with a set of bindings,
//! untraced as accounts A and B at the same time, and the tool's `--version`.
//! Every run starts from the clean room, sees the world of [`World`] (each
//! account a copy-on-write view of its own, fresh for each run), and every
//! step is supervised (time limit, stop signals, daemons stopped afterwards).

use std::collections::{BTreeSet, HashSet};
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;

use super::candidates::{CandidateSet, Kind};
use super::classify::{Class, Classifier};
use super::cleanroom::CleanRoom;
use super::method::{Step, real_home};
use super::scratch::{Location, RunLayout, Scratch};
use super::snapshot::Snapshot;
use super::supervise::{self, Ended, Limits, StepProcesses};
use super::tracer::{Observation, Output, PathInfo, StepRun, StepTracer};
use super::world::{Confinement, Evidence, View, World, WorldKind};
use crate::error::{Error, Result};
use crate::sys::cow::Change;
use crate::trace::Op;

/// The time limit of a step nobody watches (no terminal, or the two-account
/// run), unless `--timeout` says otherwise.
pub const UNATTENDED_TIMEOUT: Duration = Duration::from_secs(30);
/// How long processes a step started may outlive it before they are stopped.
const GRACE: Duration = Duration::from_secs(1);
/// How much of a step's output the two-account run keeps, for messages.
const OUTPUT_TAIL: usize = 2048;

/// One step of one run: how it ended and what it touched.
#[derive(Debug, Clone)]
pub struct StepResult {
    pub ended: Ended,
    pub obs: Observation,
}

/// One traced run of the steps, as one account, with a set of bindings.
#[derive(Debug, Clone)]
pub struct Run {
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

impl Run {
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
}

/// `exit 0`, `signal 9`, or `stopped after 30 s`.
pub fn describe_end(ended: &Ended) -> String {
    if ended.timed_out {
        format!("stopped after {} s", ended.duration.as_secs())
    } else {
        ended.exit.to_string()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Concurrency {
    pub ran: bool,
    pub passed: bool,
    /// Paths each account changed, in `$VAR/path` form.
    pub a_wrote: Vec<String>,
    pub b_wrote: Vec<String>,
    /// State changed outside both accounts' folders (in the shared
    /// stand-ins, or anywhere in either account's view): must be empty.
    pub shared_changed: Vec<String>,
    pub a_exits: Vec<String>,
    pub b_exits: Vec<String>,
    /// Steps that ended otherwise than when traced, with the end of their output.
    pub differences: Vec<String>,
}

impl Concurrency {
    pub fn not_run() -> Self {
        Concurrency {
            ran: false,
            passed: false,
            a_wrote: vec![],
            b_wrote: vec![],
            shared_changed: vec![],
            a_exits: vec![],
            b_exits: vec![],
            differences: vec![],
        }
    }
}

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
    fn command(
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
        against: Option<&Run>,
    ) -> Result<Run> {
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
            super::method::progress(&format!("  step {}: {}", i + 1, step.shown));
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
        let reference = against.map(Run::temp_names);
        let evidence = self.evidence(set, &layout, "A", &view, &mut steps, reference);
        let mut run = Run {
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
    fn new_layout(&mut self, label: &str, set: &CandidateSet) -> Result<RunLayout> {
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
    fn evidence(
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

    fn classifier<'r>(&self, run: &'r Run, set: &CandidateSet) -> Classifier<'r> {
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
    fn judge(&self, run: &mut Run, set: &CandidateSet) {
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

    /// Run A and B at once, untraced and unattended, each in a view of its
    /// own, and compare their trees before and after, what each changed
    /// outside its folders, and their ends with `explore`'s.
    pub fn concurrent(
        &mut self,
        set: &CandidateSet,
        bound: &BTreeSet<String>,
        explore: &Run,
    ) -> Result<Concurrency> {
        supervise::check_stop()?;
        let layout = self.new_layout("concurrent", set)?;
        let roots = [
            layout.account_dir("A"),
            layout.account_dir("B"),
            layout.dir.join("shared"),
        ];
        let root_refs: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
        let before = Snapshot::take(&root_refs);
        let mut accounts = Vec::new();
        let mut views = Vec::new();
        for account in ["A", "B"] {
            views.push(self.world.view(&layout.world_dir(account))?);
        }
        for (account, view) in ["A", "B"].iter().zip(&views) {
            let env = layout.env_for(account, set.all(), bound);
            let confinement = Confinement {
                view,
                holes: vec![layout.account_dir(account)],
                cwd: self.cwd.clone(),
            };
            let mut cmds = Vec::new();
            for (i, step) in self.steps.iter().enumerate() {
                let Some(mut cmd) = self.command(step, set, &env) else {
                    continue;
                };
                confinement.apply(&mut cmd)?;
                let traced = explore.steps.get(i).map(|s| s.ended.duration);
                let timeout = self.timeout.unwrap_or_else(|| {
                    traced.map_or(UNATTENDED_TIMEOUT, |d| (d * 4).max(UNATTENDED_TIMEOUT))
                });
                cmds.push((cmd, timeout));
            }
            accounts.push(cmds);
        }
        let results: Vec<Result<Vec<Unattended>>> = std::thread::scope(|s| {
            let handles: Vec<_> = accounts
                .into_iter()
                .map(|cmds| s.spawn(move || run_unattended(cmds)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::user("a concurrent run failed")))
                })
                .collect()
        });
        supervise::stop_own_children();
        let mut ends = Vec::new();
        for result in results {
            ends.push(result?);
        }
        let after = Snapshot::take(&root_refs);
        let mut c = Concurrency::not_run();
        c.ran = true;
        for path in before.changes(&after) {
            match layout.locate(&path) {
                Location::Account { account, var, rest } => {
                    let shown = layout.show(&var, rest);
                    if account == "A" {
                        c.a_wrote.push(shown);
                    } else {
                        c.b_wrote.push(shown);
                    }
                }
                Location::Shared { var, rest } => c.shared_changed.push(layout.show(&var, rest)),
                _ => {}
            }
        }
        let mut runs: Vec<Run> = ["A", "B"]
            .iter()
            .zip(&views)
            .map(|(account, view)| self.untraced_run(set, &layout, account, view))
            .collect();
        // A temp file is state only if both accounts chose its name.
        let names: Vec<HashSet<PathBuf>> = runs.iter().map(Run::temp_names).collect();
        runs[0].evidence.reference = Some(names[1].clone());
        runs[1].evidence.reference = Some(names[0].clone());
        for run in &runs {
            let classifier = self.classifier(run, set);
            c.shared_changed.extend(
                run.steps[0]
                    .obs
                    .paths
                    .iter()
                    .map(|(path, info)| classifier.classify(path, info))
                    .filter(|c| matches!(c.class, Class::Leak | Class::Global))
                    .map(|c| c.path),
            );
        }
        c.shared_changed.sort();
        c.shared_changed.dedup();
        for (account, steps) in ["A", "B"].iter().zip(&ends) {
            let exits: Vec<String> = steps.iter().map(|(e, _)| describe_end(e)).collect();
            for (i, (ended, output)) in steps.iter().enumerate() {
                let Some(traced) = explore.steps.get(i) else {
                    continue;
                };
                if ended.exit != traced.ended.exit || ended.timed_out {
                    c.differences.push(format!(
                        "account {account}, step {}: {} without a terminal, {} when traced{}",
                        i + 1,
                        describe_end(ended),
                        describe_end(&traced.ended),
                        last_line(output)
                            .map(|l| format!(" (it said: {l})"))
                            .unwrap_or_default()
                    ));
                }
            }
            if *account == "A" {
                c.a_exits = exits;
            } else {
                c.b_exits = exits;
            }
        }
        c.passed = c.shared_changed.is_empty() && c.differences.is_empty();
        Ok(c)
    }

    /// One account of the two-account run as a run of one step: what its
    /// view changed, for judging like a traced run.
    fn untraced_run(
        &self,
        set: &CandidateSet,
        layout: &RunLayout,
        account: &str,
        view: &View,
    ) -> Run {
        let mut steps = vec![StepResult {
            ended: Ended::default(),
            obs: Observation::default(),
        }];
        let evidence = self.evidence(set, layout, account, view, &mut steps, None);
        Run {
            label: format!("concurrent-{account}"),
            bound: BTreeSet::new(),
            layout: layout.clone(),
            steps,
            leaks: Vec::new(),
            escapes: Vec::new(),
            evidence,
            changed_exits: Vec::new(),
        }
    }

    /// The tool's version line: `PROGRAM --version` (then `-V`, then
    /// `version`, for tools that know only those) in the clean room with
    /// every candidate bound to a fresh folder, in a view of its own, so
    /// that nothing is written anywhere that matters. The first line that
    /// carries a version number, in plain text, whatever the exit status
    /// (`kubectl version` fails without a cluster).
    pub fn version(&mut self, set: &CandidateSet, program: &Path) -> Option<String> {
        for arg in super::system::VERSION_ARGS {
            let layout = self.new_layout("version", set).ok()?;
            let all: BTreeSet<String> = set.all().iter().map(|c| c.var.clone()).collect();
            let env = layout.env_for("A", set.all(), &all);
            let step = Step {
                argv: vec![program.as_os_str().to_owned(), (*arg).into()],
                shown: String::new(),
            };
            let mut cmd = self.command(&step, set, &env)?;
            let view = self.world.view(&layout.world_dir("A")).ok()?;
            Confinement {
                view: &view,
                holes: vec![layout.account_dir("A")],
                cwd: self.cwd.clone(),
            }
            .apply(&mut cmd)
            .ok()?;
            let Some((ended, output)) = run_unattended(vec![(cmd, Duration::from_secs(5))])
                .ok()
                .and_then(|mut ends| ends.pop())
            else {
                continue;
            };
            if ended.timed_out {
                continue;
            }
            if let Some(line) = super::system::version_line(&String::from_utf8_lossy(&output)) {
                return Some(crate::redact::redact_text(&line));
            }
        }
        None
    }
}

/// State the run read in the real place of a variable it left unbound,
/// where the exploration kept that state inside the variable's folder: the
/// exploration wrote `$KAGGLE_CONFIG_DIR/kaggle.json`, and without the
/// variable the tool read `~/.kaggle/kaggle.json`, which every account
/// would read. Only variables whose real place is known are checked.
fn state_read_where_shared(explore: &Run, run: &Run, classifier: &Classifier) -> Vec<String> {
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

/// Whether each step of `run` ended as in `explore`.
fn changed_exits(explore: &Run, run: &Run) -> Vec<String> {
    let mut out = Vec::new();
    for (i, traced) in explore.steps.iter().enumerate() {
        let then = describe_end(&traced.ended);
        match run.steps.get(i) {
            Some(now) if now.ended.exit == traced.ended.exit && !now.ended.timed_out => {}
            Some(now) => out.push(format!(
                "step {} ended with {} instead of {then}",
                i + 1,
                describe_end(&now.ended)
            )),
            None => out.push(format!("step {} did not run", i + 1)),
        }
    }
    out
}

/// How an unattended step ended, and the end of its output.
type Unattended = (Ended, Vec<u8>);

/// Run commands one after the other with no terminal (stdin from /dev/null,
/// a session of their own), output kept only in part; stop at the first that
/// hits its time limit.
fn run_unattended(cmds: Vec<(Command, Duration)>) -> Result<Vec<Unattended>> {
    let mut out = Vec::new();
    for (mut cmd, timeout) in cmds {
        let marker = supervise::new_marker();
        cmd.env(supervise::MARKER_VAR, &marker).stdin(Stdio::null());
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let (reader, writer) = std::io::pipe().map_err(pipe_error)?;
        cmd.stdout(writer.try_clone().map_err(pipe_error)?)
            .stderr(writer);
        let program = cmd.get_program().to_string_lossy().into_owned();
        let spawned = cmd.spawn();
        // Our copies of the pipe's writing end go with the command.
        drop(cmd);
        let child = spawned.map_err(|e| Error::Exec {
            code: 127,
            message: format!("cannot run {}: {e}", crate::redact::redact_text(&program)),
        })?;
        let tail = std::thread::spawn(move || keep_tail(reader, OUTPUT_TAIL));
        let ended = supervise::supervise(
            child,
            &StepProcesses {
                marker: &marker,
                tracer: None,
                orphans: false,
            },
            Limits {
                timeout: Some(timeout),
                grace: GRACE,
            },
        )?;
        let output = tail.join().unwrap_or_default();
        let timed_out = ended.timed_out;
        out.push((ended, output));
        if timed_out {
            break;
        }
    }
    Ok(out)
}

fn pipe_error(source: std::io::Error) -> Error {
    Error::Io {
        context: "cannot make a pipe for the tool's output".into(),
        source,
    }
}

/// Read everything, keeping the last `limit` bytes.
fn keep_tail(mut reader: impl Read, limit: usize) -> Vec<u8> {
    let mut kept = Vec::with_capacity(limit * 2);
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                kept.extend_from_slice(&buf[..n]);
                if kept.len() > limit * 2 {
                    kept.drain(..kept.len() - limit);
                }
            }
        }
    }
    if kept.len() > limit {
        kept.drain(..kept.len() - limit);
    }
    kept
}

/// The last non-empty line of some output, redacted and shortened.
fn last_line(output: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(output);
    let line = text.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    let line: String = line.chars().take(200).collect();
    Some(crate::redact::redact_text(&line))
}
