//! The method: explore with every candidate bound, drop candidates one at a
//! time (least preferred first) while nothing leaks, verify the result, then run
//! two accounts at once and check that each wrote only inside its own folders.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use super::candidates::{self, CandidateSet};
use super::classify::{Class, ClassifiedPath, Classifier, StatePaths, merge_by_path};
use super::scratch::{Location, RunLayout, Scratch, var_form};
use super::snapshot::Snapshot;
use super::tracer::{Exit, Observation, Output, StepTracer};
use crate::error::{Error, Result};

/// One command of the discovery, in order.
#[derive(Debug, Clone)]
pub struct Step {
    pub argv: Vec<OsString>,
    /// For reports: redacted.
    pub shown: String,
}

pub struct Options {
    pub steps: Vec<Step>,
    pub extra_candidates: Vec<String>,
    pub record: Option<String>,
    pub output: Output,
    pub keep_traces: bool,
}

/// One traced run of every step, as one account, with a set of bindings.
#[derive(Debug, Clone)]
pub struct Run {
    pub label: String,
    pub bound: BTreeSet<String>,
    pub layout: RunLayout,
    pub steps: Vec<(Exit, Observation)>,
    /// Evidence of leaks, in `$VAR/path` form.
    pub leaks: Vec<String>,
    /// Steps whose exit differs from the exploration's.
    pub changed_exits: Vec<String>,
}

impl Run {
    pub fn passed(&self) -> bool {
        self.leaks.is_empty() && self.changed_exits.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Concurrency {
    pub ran: bool,
    pub passed: bool,
    /// Paths each account changed, in `$VAR/path` form.
    pub a_wrote: Vec<String>,
    pub b_wrote: Vec<String>,
    /// Paths changed in the shared stand-ins: must be empty.
    pub shared_changed: Vec<String>,
    pub a_exits: Vec<String>,
    pub b_exits: Vec<String>,
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
        }
    }
}

pub struct Discovery {
    pub candidates: CandidateSet,
    pub runs: Vec<Run>,
    /// Index of the run that proves the result.
    pub verification: Option<usize>,
    pub minimal: Vec<String>,
    /// Candidates whose folders the exploration saw used.
    pub used: BTreeSet<String>,
    /// Tool variables that were used but proved unneeded: inherited values must be removed.
    pub unset: Vec<String>,
    pub concurrency: Concurrency,
    pub state: StatePaths,
    pub program_roots: Vec<PathBuf>,
    pub tracer: String,
    pub cwd: PathBuf,
}

impl Discovery {
    pub fn verified(&self) -> bool {
        self.verification.is_some() && self.concurrency.passed
    }

    pub fn classifier<'a>(&'a self, run: &'a Run) -> Classifier<'a> {
        Classifier {
            layout: Some(&run.layout),
            real_home: real_home(),
            program_roots: self.program_roots.clone(),
            state: &self.state,
        }
    }

    /// The classified paths of one step of a run, most interesting first.
    pub fn classified(&self, run: &Run, step: usize) -> Vec<ClassifiedPath> {
        let classifier = self.classifier(run);
        let Some((_, obs)) = run.steps.get(step) else {
            return Vec::new();
        };
        merge_by_path(
            obs.paths
                .iter()
                .map(|(path, info)| classifier.classify(path, info)),
        )
    }
}

pub fn real_home() -> Option<PathBuf> {
    let home = crate::switch::process_env("HOME").filter(|h| !h.is_empty())?;
    let home = PathBuf::from(home);
    Some(std::fs::canonicalize(&home).unwrap_or(home))
}

struct Context<'a> {
    tracer: &'a dyn StepTracer,
    scratch: Scratch,
    base_env: Vec<(OsString, OsString)>,
    opts: &'a Options,
    cwd: PathBuf,
}

pub fn discover(tracer: &dyn StepTracer, opts: &Options) -> Result<Discovery> {
    let cwd = std::env::current_dir().map_err(|e| Error::Io {
        context: "cannot read the current folder".into(),
        source: e,
    })?;
    let mut ctx = Context {
        tracer,
        scratch: Scratch::new(opts.keep_traces)?,
        base_env: base_env(),
        opts,
        cwd: cwd.clone(),
    };
    for step in &opts.steps {
        check_runnable(step)?;
    }
    let mut set = CandidateSet::base();
    if let Some(tool) = &opts.record {
        set.add_catalog(tool);
    }
    for step in &opts.steps {
        for word in step_programs(step) {
            set.add_catalog(&word);
            if let Ok(path) = which::which(&word) {
                let source = format!("mined: {}", path.display());
                for var in candidates::mine(&path) {
                    set.add(&var, &source);
                }
            }
        }
    }
    for var in &opts.extra_candidates {
        crate::names::check_var_name(var)?;
        set.add(var, "--candidate");
    }

    let mut runs: Vec<Run> = Vec::new();
    let mut mined: BTreeSet<PathBuf> = BTreeSet::new();
    // Explore until no new candidate turns up (at most twice: programs found in
    // the first trace bring their own variables).
    loop {
        let all: BTreeSet<String> = set.all().iter().map(|c| c.var.clone()).collect();
        progress(&format!(
            "exploring with all {} candidates bound: {}",
            all.len(),
            all.iter().cloned().collect::<Vec<_>>().join(" ")
        ));
        let run = ctx.run("explore", &set, &all, None)?;
        let mut added = false;
        for (_, obs) in &run.steps {
            for exe in &obs.execs {
                added |= !set.add_catalog(&exe.to_string_lossy()).is_empty();
                if mined.insert(exe.clone()) {
                    let source = format!("mined: {}", exe.display());
                    for var in candidates::mine(exe) {
                        added |= set.add(&var, &source);
                    }
                }
            }
        }
        runs.push(run);
        if !added || runs.len() >= 2 {
            break;
        }
        progress("the trace showed programs with further candidates; exploring again");
    }
    let explore = runs.len() - 1;
    let state = state_paths(&runs[explore]);
    let touched = touched_vars(&runs[explore]);
    let program_roots = program_roots(&runs[explore]);
    progress(&format!(
        "the tool used: {}",
        if touched.is_empty() {
            "none of the candidates".to_string()
        } else {
            touched.iter().cloned().collect::<Vec<_>>().join(" ")
        }
    ));

    let (minimal, verification) = {
        let (current, last) = prune(&mut ctx, &set, &touched, &mut runs, explore, &state)?;
        if last.is_some_and(|i| runs[i].bound == current) {
            (current, last)
        } else {
            progress(&format!("verifying: {}", join(&current)));
            let run = ctx.run("verify", &set, &current, Some((&runs[explore], &state)))?;
            let ok = run.passed();
            runs.push(run);
            if ok {
                (current, Some(runs.len() - 1))
            } else {
                progress("the used set leaks; falling back to leave-one-out over all candidates");
                let all: BTreeSet<String> = set.all().iter().map(|c| c.var.clone()).collect();
                let (current, last) = prune(&mut ctx, &set, &all, &mut runs, explore, &state)?;
                let verified = last.filter(|i| runs[*i].bound == current);
                (current, verified)
            }
        }
    };

    let concurrency = match verification {
        Some(_) => {
            progress(&format!(
                "running accounts A and B at the same time with {}",
                join(&minimal)
            ));
            ctx.concurrent(&set, &minimal)?
        }
        None => Concurrency::not_run(),
    };

    let unset: Vec<String> = touched
        .iter()
        .filter(|v| !minimal.contains(*v))
        .filter(|v| set.get(v).is_some_and(|c| c.kind == candidates::Kind::Tool))
        .cloned()
        .collect();
    let minimal = set.removal_order(&minimal).into_iter().rev().collect();
    Ok(Discovery {
        candidates: set,
        runs,
        verification,
        minimal,
        used: touched,
        unset,
        concurrency,
        state,
        program_roots,
        tracer: tracer.describe(),
        cwd,
    })
}

/// Try removing each variable of `start`, least preferred first; a removal stays
/// when that run passes. Returns the final set and the last passing run.
fn prune(
    ctx: &mut Context,
    set: &CandidateSet,
    start: &BTreeSet<String>,
    runs: &mut Vec<Run>,
    explore: usize,
    state: &StatePaths,
) -> Result<(BTreeSet<String>, Option<usize>)> {
    let mut current = start.clone();
    let mut last = None;
    for var in set.removal_order(start) {
        let mut trial = current.clone();
        trial.remove(&var);
        progress(&format!("trying without {var}: {}", join(&trial)));
        let run = ctx.run(
            &format!("without-{var}"),
            set,
            &trial,
            Some((&runs[explore], state)),
        )?;
        let passed = run.passed();
        if passed {
            progress(&format!("  {var} is not needed"));
            current = trial;
        } else {
            let why = run
                .leaks
                .iter()
                .chain(&run.changed_exits)
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            progress(&format!("  {var} is needed: {why}"));
        }
        runs.push(run);
        if passed {
            last = Some(runs.len() - 1);
        }
    }
    Ok((current, last))
}

impl Context<'_> {
    /// Trace every step in order as account A with `bound` bound.
    fn run(
        &mut self,
        label: &str,
        set: &CandidateSet,
        bound: &BTreeSet<String>,
        against: Option<(&Run, &StatePaths)>,
    ) -> Result<Run> {
        let layout = self.scratch.new_run(label, set.all())?;
        let env = layout.env_for("A", set.all(), bound);
        let mut steps = Vec::new();
        for (i, step) in self.opts.steps.iter().enumerate() {
            let trace = layout.trace_path("A", i + 1);
            let Some((program, args)) = step.argv.split_first() else {
                continue;
            };
            let mut cmd = Command::new(program);
            cmd.args(args);
            self.apply_env(&mut cmd, &env);
            progress(&format!("  step {}: {}", i + 1, step.shown));
            let (exit, obs) = self
                .tracer
                .trace(cmd, &trace, self.opts.output, &layout.dir)?;
            if exit.signal == Some(libc::SIGINT) {
                return Err(Error::user("interrupted"));
            }
            if !self.scratch.keep() {
                let _ = std::fs::remove_file(&trace);
            }
            steps.push((exit, obs));
        }
        let mut run = Run {
            label: label.to_string(),
            bound: bound.clone(),
            layout,
            steps,
            leaks: Vec::new(),
            changed_exits: Vec::new(),
        };
        if let Some((explore, state)) = against {
            run.leaks = leaks(&run, state);
            for (i, ((a, _), (b, _))) in explore.steps.iter().zip(&run.steps).enumerate() {
                if a != b {
                    run.changed_exits
                        .push(format!("step {} ended with {b} instead of {a}", i + 1));
                }
            }
        }
        Ok(run)
    }

    fn apply_env(&self, cmd: &mut Command, env: &[(String, Option<OsString>)]) {
        cmd.env_clear();
        cmd.envs(self.base_env.iter().map(|(k, v)| (k, v)));
        for (var, value) in env {
            match value {
                Some(v) => cmd.env(var, v),
                None => cmd.env_remove(var),
            };
        }
        cmd.current_dir(&self.cwd);
    }

    /// Run A and B at once, untraced, and compare their trees before and after.
    fn concurrent(&mut self, set: &CandidateSet, bound: &BTreeSet<String>) -> Result<Concurrency> {
        let layout = self.scratch.new_run("concurrent", set.all())?;
        let roots = [
            layout.dir.join("A"),
            layout.dir.join("B"),
            layout.dir.join("shared"),
        ];
        let root_refs: Vec<&Path> = roots.iter().map(PathBuf::as_path).collect();
        let before = Snapshot::take(&root_refs);
        let mut commands = Vec::new();
        for account in ["A", "B"] {
            let env = layout.env_for(account, set.all(), bound);
            let mut cmds = Vec::new();
            for (i, step) in self.opts.steps.iter().enumerate() {
                let Some((program, args)) = step.argv.split_first() else {
                    continue;
                };
                let mut cmd = Command::new(program);
                cmd.args(args);
                self.apply_env(&mut cmd, &env);
                let log = layout.dir.join(format!("output-{account}-{}.log", i + 1));
                let file = private_file(&log)?;
                let file2 = file
                    .try_clone()
                    .map_err(crate::error::at_path("cannot create", &log))?;
                cmd.stdin(Stdio::null()).stdout(file).stderr(file2);
                cmds.push(cmd);
            }
            commands.push(cmds);
        }
        let results: Vec<Vec<String>> = std::thread::scope(|s| {
            let handles: Vec<_> = commands
                .into_iter()
                .map(|cmds| {
                    s.spawn(move || {
                        cmds.into_iter()
                            .map(|mut c| match c.status() {
                                Ok(st) => Exit::from(st).to_string(),
                                Err(e) => format!("cannot run: {e}"),
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let after = Snapshot::take(&root_refs);
        let mut c = Concurrency {
            ran: true,
            passed: false,
            a_wrote: vec![],
            b_wrote: vec![],
            shared_changed: vec![],
            a_exits: results.first().cloned().unwrap_or_default(),
            b_exits: results.get(1).cloned().unwrap_or_default(),
        };
        for path in before.changes(&after) {
            match layout.locate(&path) {
                Location::Account { account, var, rest } => {
                    let shown = var_form(&var, rest);
                    if account == "A" {
                        c.a_wrote.push(shown);
                    } else {
                        c.b_wrote.push(shown);
                    }
                }
                Location::Shared { var, rest } => c.shared_changed.push(var_form(&var, rest)),
                _ => {}
            }
        }
        c.passed = c.shared_changed.is_empty();
        Ok(c)
    }
}

/// What a run leaked: writes in a shared stand-in, or any access there to a path
/// the tool writes as state.
fn leaks(run: &Run, state: &StatePaths) -> Vec<String> {
    let classifier = Classifier {
        layout: Some(&run.layout),
        real_home: None,
        program_roots: Vec::new(),
        state,
    };
    let mut out = BTreeSet::new();
    for (_, obs) in &run.steps {
        for (path, info) in &obs.paths {
            let c = classifier.classify(path, info);
            if c.class == Class::Leak {
                out.insert(c.path);
            }
        }
    }
    out.into_iter().collect()
}

/// Paths written under the account's folders, relative to their folder.
fn state_paths(run: &Run) -> StatePaths {
    let mut state = StatePaths::new();
    for (_, obs) in &run.steps {
        for (path, info) in &obs.paths {
            if let Location::Account { rest, .. } = run.layout.locate(path)
                && info.written()
                && info.ok
                && !rest.as_os_str().is_empty()
            {
                let made_dir = info.ops.contains(&crate::trace::Op::Mkdir)
                    || std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
                if made_dir {
                    state.dirs.insert(rest.to_path_buf());
                } else {
                    state.files.insert(rest.to_path_buf());
                }
            }
        }
    }
    state
}

/// Variables whose account folder saw any access.
fn touched_vars(run: &Run) -> BTreeSet<String> {
    let mut vars = BTreeSet::new();
    for (_, obs) in &run.steps {
        for path in obs.paths.keys() {
            if let Location::Account { var, .. } = run.layout.locate(path) {
                vars.insert(var);
            }
        }
    }
    vars
}

/// Folders holding the programs the tool executed.
fn program_roots(run: &Run) -> Vec<PathBuf> {
    let mut roots = BTreeSet::new();
    for (_, obs) in &run.steps {
        for exe in &obs.execs {
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

/// A step whose program cannot be found would be traced as a tool that touches
/// nothing, and "proved" to need nothing.
fn check_runnable(step: &Step) -> Result<()> {
    let Some(program) = step.argv.first() else {
        return Err(Error::usage("an empty step"));
    };
    let found = if Path::new(program).components().count() > 1 {
        Path::new(program).is_file()
    } else {
        which::which(program).is_ok()
    };
    if found {
        Ok(())
    } else {
        Err(Error::Exec {
            code: 127,
            message: format!("{}: command not found", program.to_string_lossy()),
        })
    }
}

/// The program names a step runs, including those named inside `sh -c '...'`.
fn step_programs(step: &Step) -> Vec<String> {
    let mut out = Vec::new();
    let words: Vec<String> = step
        .argv
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    if let Some(first) = words.first() {
        out.push(first.clone());
    }
    let is_shell = words.first().is_some_and(|w| {
        matches!(
            w.rsplit('/').next(),
            Some("sh" | "bash" | "dash" | "zsh" | "fish")
        )
    });
    if is_shell
        && let Some(pos) = words.iter().position(|w| w == "-c")
        && let Some(script) = words.get(pos + 1)
    {
        out.extend(
            script
                .split(|c: char| !(c.is_ascii_alphanumeric() || "-_./".contains(c)))
                .filter(|w| crate::recipe::known(w).is_some())
                .map(str::to_string),
        );
    }
    out
}

/// The environment the tool would have outside swop: a switched shell's
/// variables restored, swop's own removed.
fn base_env() -> Vec<(OsString, OsString)> {
    let changes = crate::switch::plan(&crate::switch::process_env, None, Path::new("/"));
    let mut env: BTreeMap<OsString, OsString> = std::env::vars_os().collect();
    for (var, value) in changes {
        match value {
            Some(v) => env.insert(var.into(), v),
            None => env.remove(&OsString::from(var)),
        };
    }
    env.retain(|k, _| !k.to_string_lossy().starts_with("SWOP_"));
    env.into_iter().collect()
}

/// A new 0600 file, whatever the umask: the tool's output may hold secrets.
fn private_file(path: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(crate::error::at_path("cannot create", path))?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(crate::error::at_path("cannot protect", path))?;
    Ok(file)
}

fn join(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "(nothing bound)".into()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(" ")
    }
}

pub fn progress(message: &str) {
    eprintln!("swop: {}", super::redact::redact_text(message));
}
