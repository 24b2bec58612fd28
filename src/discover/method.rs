//! The method: explore with every candidate bound, drop candidates one at a
//! time (least preferred first) while nothing leaks, verify the result, then run
//! two accounts at once and check that each wrote only inside its own folders.
//!
//! Every claim rests on evidence: a step that fails, a tracer that saw
//! nothing, a write into the user's own files or steps that cannot be repeated
//! each make the result not verified, with the reason (see [`Problem`]).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use super::Tracer;
use super::candidates::{CandidateSet, Kind, Rank};
use super::classify::{ClassifiedPath, Classifier, merge_by_path};
use super::cleanroom::{CleanRoom, CleanRoomView, real_home};
use super::concurrent::Concurrency;
use super::model::Step;
use super::programs::{check_runnable, run_by, tool_name, tool_program};
use super::runner::Runner;
use super::scratch::Scratch;
use super::step::{Output, StepTracer};
use super::supervise;
use super::trial::{Trial, changed_exits_since, describe_end};
pub use super::verdict::Problem;
use super::world::{World, WorldKind};
use crate::discover::progress;
use crate::error::{Error, Result};

pub struct Options {
    pub steps: Vec<Step>,
    pub extra_candidates: Vec<String>,
    pub record: Option<String>,
    pub output: Output,
    pub keep_traces: bool,
    /// The time limit of every step (`--timeout`).
    pub timeout: Option<Duration>,
    /// Exit codes that count as a step doing its job, besides 0 (`--expect-exit`).
    pub expect_exit: Vec<i32>,
}

pub struct Discovery {
    pub candidates: CandidateSet,
    pub runs: Vec<Trial>,
    /// Index of the run that proves the result.
    pub verification: Option<usize>,
    pub minimal: Vec<String>,
    /// Candidates whose folders the exploration saw used.
    pub used: BTreeSet<String>,
    /// Tool variables whose folders got state but proved unneeded: inherited
    /// values must be removed.
    pub unset: Vec<String>,
    pub concurrency: Concurrency,
    pub problems: Vec<Problem>,
    pub program_roots: Vec<PathBuf>,
    pub escape_roots: Vec<PathBuf>,
    pub clean_room: CleanRoomView,
    /// Processes steps left running, which swop stopped (redacted commands).
    pub stopped: Vec<String>,
    /// Names mined from the tool's strings that the tool never used.
    pub mined_unused: usize,
    /// Mined names left out because binding them made a step fail.
    pub mined_dropped: Vec<String>,
    pub tool: Option<String>,
    pub tool_version: Option<String>,
    pub tracer: String,
    pub tracer_kind: Tracer,
    pub cwd: PathBuf,
    /// The programs the exploration saw run, by name (`hf`, `git`, `node`).
    pub programs: Vec<String>,
    /// What the runs saw, and why not the real world when they did not.
    pub world: WorldKind,
    pub why_stand_in: Option<String>,
}

impl Discovery {
    pub fn verified(&self) -> bool {
        self.verification.is_some() && self.concurrency.passed && self.problems.is_empty()
    }

    pub fn classifier<'a>(&'a self, run: &'a Trial) -> Classifier<'a> {
        Classifier {
            layout: Some(&run.layout),
            real_home: real_home(),
            escape_roots: self.escape_roots.clone(),
            program_roots: self.program_roots.clone(),
            work_dir: Some(self.cwd.clone()),
            evidence: Some(&run.evidence),
        }
    }

    /// The classified paths of one step of a run, most interesting first.
    pub fn classified(&self, run: &Trial, step: usize) -> Vec<ClassifiedPath> {
        let classifier = self.classifier(run);
        let Some(result) = run.steps.get(step) else {
            return Vec::new();
        };
        merge_by_path(
            result
                .obs
                .paths
                .iter()
                .map(|(path, info)| classifier.classify(path, info)),
        )
    }
}

/// Most explorations: one, one more when the trace shows programs with
/// candidates of their own, one more without mined names that broke a step.
const MAX_EXPLORATIONS: usize = 3;

pub fn discover(tracer: &dyn StepTracer, opts: &Options) -> Result<Discovery> {
    let _signals = crate::sys::handlers::StopSignals::catch();
    crate::sys::signal::become_subreaper();
    let cwd = std::env::current_dir().map_err(|e| Error::Io {
        action: "cannot read the current folder",
        path: None,
        source: e,
    })?;
    for step in &opts.steps {
        check_runnable(step)?;
    }
    let tool = tool_name(opts.record.as_deref(), &opts.steps);
    let room = CleanRoom::new(real_home());
    let set = initial_candidates(opts, tool.as_deref(), &room.inherited_places())?;
    let scratch = Scratch::new(opts.keep_traces)?;
    let world = if tracer.runs_in_view() {
        World::new(
            scratch.root(),
            &room.escape_roots(&set, scratch.root()),
            &[scratch.root().to_path_buf(), cwd.clone()],
        )
    } else {
        World::stand_in("macOS has no copy-on-write view of the file system for one process tree")
    };
    match (&world.why_stand_in, world.unprotected()) {
        (None, _) => progress(
            "the runs see your real files through a copy-on-write view: nothing they write reaches them",
        ),
        (Some(why), None) => progress(&format!(
            "warning: the runs see empty stand-ins for your home and its folders ({why}); a tool that prefers a folder that exists in your real home is not seen doing so"
        )),
        (Some(why), Some(unprotected)) => progress(&format!(
            "warning: the runs see empty stand-ins for your home ({why}), and your home cannot be made read-only for them ({unprotected}); a tool that writes there will be reported, not stopped"
        )),
    }
    let runner = Runner {
        tracer,
        scratch,
        room,
        world,
        steps: &opts.steps,
        output: opts.output,
        cwd: cwd.clone(),
        timeout: opts.timeout,
        attended: crate::sys::process::stdin_is_terminal(),
    };
    let mut m = Method {
        runner,
        set,
        runs: Vec::new(),
        explore: 0,
        control: None,
        problems: Vec::new(),
        opts,
        tool: tool.clone(),
        mined_dropped: Vec::new(),
    };
    let outcome = m.run_all()?;
    supervise::check_stop()?;
    let version = tool
        .as_deref()
        .and_then(|t| tool_program(t, &opts.steps))
        .and_then(|program| m.runner.version(&m.set, &program));
    Ok(m.finish(outcome, version, cwd))
}

/// What the method settled on.
#[derive(Default)]
struct Outcome {
    minimal: BTreeSet<String>,
    verification: Option<usize>,
    used: BTreeSet<String>,
    mined_unused: usize,
    concurrency: Option<Concurrency>,
}

struct Method<'a> {
    runner: Runner<'a>,
    set: CandidateSet,
    runs: Vec<Trial>,
    /// Index of the exploration that the other runs are compared with.
    explore: usize,
    /// Whether the steps proved repeatable, once a control run was needed.
    control: Option<bool>,
    problems: Vec<Problem>,
    opts: &'a Options,
    tool: Option<String>,
    mined_dropped: Vec<String>,
}

impl Method<'_> {
    fn run_all(&mut self) -> Result<Outcome> {
        let mut out = Outcome::default();
        if !self.explore_all()? {
            return Ok(out);
        }
        let explore = &self.runs[self.explore];
        out.used = explore.touched_vars();
        let stateful = explore.stateful_vars();
        let before = self.set.all().len();
        let used = out.used.clone();
        self.set
            .retain(|c| c.rank == Rank::Named || used.contains(&c.var));
        out.mined_unused = before - self.set.all().len();
        progress(&format!(
            "the tool used: {}; it keeps state in: {}",
            if out.used.is_empty() {
                "none of the candidates".to_string()
            } else {
                join(&out.used)
            },
            join(&stateful)
        ));

        let Some((minimal, verification)) = self.minimise(&stateful)? else {
            return Ok(out);
        };
        out.minimal = minimal;
        out.verification = verification;
        if verification.is_none() {
            self.problems.push(Problem::NoPassingRun);
            return Ok(out);
        }
        let interactive = self.runs[self.explore]
            .steps
            .iter()
            .position(|s| s.obs.used_terminal());
        if let Some(i) = interactive {
            self.problems.push(Problem::Interactive {
                step: i + 1,
                command: self.opts.steps[i].shown.clone(),
            });
            return Ok(out);
        }
        progress(&format!(
            "running accounts A and B at the same time with {}",
            join(&out.minimal)
        ));
        let explore = self.runs[self.explore].clone();
        out.concurrency = Some(self.runner.concurrent(&self.set, &out.minimal, &explore)?);
        Ok(out)
    }

    /// Explore until no new candidate turns up; false when a problem stops
    /// the method (it is recorded).
    fn explore_all(&mut self) -> Result<bool> {
        let mut mined_seen: BTreeSet<PathBuf> = BTreeSet::new();
        let mut explorations = 0;
        // An exploration that worked, before one with more names bound.
        let mut worked: Option<usize> = None;
        loop {
            let all = all_vars(&self.set);
            progress(&format!(
                "exploring with all {} candidates bound: {}",
                all.len(),
                join(&all)
            ));
            let run = self.runner.run("explore", &self.set, &all, None)?;
            explorations += 1;
            let failure = self.failure(&run);
            self.runs.push(run);
            self.explore = self.runs.len() - 1;
            if self.stops_the_method(failure.is_none()) {
                return Ok(false);
            }
            if let Some(problem) = failure {
                let timed_out = matches!(
                    problem,
                    Problem::StepFailed {
                        timed_out: true,
                        ..
                    }
                );
                if timed_out
                    || !matches!(problem, Problem::StepFailed { .. })
                    || !self.drop_breakers()?
                {
                    // Failing with no suspect bound after an exploration
                    // worked: the world remembers the first run.
                    let problem = match worked {
                        Some(i) if !timed_out => Problem::NotRepeatable {
                            ended: changed_exits_since(&self.runs[i], &self.runs[self.explore]),
                        },
                        _ => problem,
                    };
                    self.problems.push(problem);
                    return Ok(false);
                }
                if self.stops_the_method(true) {
                    return Ok(false);
                }
            }
            worked = Some(self.explore);
            let explore = &self.runs[self.explore];
            let execs: Vec<PathBuf> = explore
                .steps
                .iter()
                .flat_map(|s| s.obs.execs.iter().cloned())
                .collect();
            let roots = explore.program_roots();
            let read = explore
                .steps
                .iter()
                .flat_map(|s| &s.obs.paths)
                .filter(|(_, info)| info.ok && info.ops.contains(crate::trace::Op::Read));
            let sources = super::candidates::source_files(read.map(|(p, _)| &**p), &roots);
            let mut added = false;
            for exe in execs {
                added |= !self.set.add_catalog(&exe.to_string_lossy()).is_empty();
                if mined_seen.insert(exe.clone()) {
                    added |= self.set.add_mined(&exe, self.tool.as_deref());
                }
            }
            added |= self.set.add_mined_sources(&sources, self.tool.as_deref());
            self.set.retain(|c| !self.mined_dropped.contains(&c.var));
            if !added || explorations >= MAX_EXPLORATIONS {
                return Ok(true);
            }
            progress("the trace showed programs with further candidates; exploring again");
        }
    }

    /// Whether the exploration shows what no binding can fix (recorded as
    /// the problem): writes the world refused, which may also be why a step
    /// failed; or, when the steps worked, state written outside every
    /// candidate, which both accounts would write.
    fn stops_the_method(&mut self, steps_worked: bool) -> bool {
        let run = &self.runs[self.explore];
        if !run.escapes.is_empty() {
            let paths = run.escapes.clone();
            self.problems.push(Problem::Escaped { paths });
            return true;
        }
        if steps_worked && !run.leaks.is_empty() {
            let paths = run.leaks.clone();
            let movers = super::classify::movers(&paths, &self.set);
            self.problems.push(Problem::SharedWrite { paths, movers });
            return true;
        }
        false
    }

    /// The exploration failed with every candidate bound: find the names
    /// that break the tool (bisection over the mined and inherited ones; a
    /// `--candidate` or a catalog name is never suspected), drop them, and
    /// make the last run that worked without them the exploration. False
    /// when no suspect is to blame.
    fn drop_breakers(&mut self) -> Result<bool> {
        let mut suspects: Vec<&super::candidates::Candidate> = self
            .set
            .all()
            .iter()
            .filter(|c| c.rank != Rank::Named || c.source == "inherited")
            .collect();
        if suspects.is_empty() {
            return Ok(false);
        }
        // Most wanted first: a bisection keeps the earlier of two names that
        // only break the tool together.
        suspects.sort_by_key(|c| std::cmp::Reverse(c.rank));
        let suspects: Vec<String> = suspects.into_iter().map(|c| c.var.clone()).collect();
        let fixed: BTreeSet<String> = all_vars(&self.set)
            .into_iter()
            .filter(|v| !suspects.contains(v))
            .collect();
        progress(&format!(
            "a step failed with every candidate bound; looking for the names among {} that make it fail",
            suspects.len()
        ));
        let mut last_good = None;
        let breakers = super::bisect::breakers(&suspects, |subset| {
            let mut bound = fixed.clone();
            bound.extend(subset.iter().cloned());
            progress(&format!("  trying with {} of them bound", subset.len()));
            let run = self.runner.run("explore", &self.set, &bound, None)?;
            let works = self.failure(&run).is_none();
            self.runs.push(run);
            if works {
                last_good = Some(self.runs.len() - 1);
            }
            Ok(works)
        })?;
        if breakers.is_empty() {
            return Ok(false);
        }
        progress(&format!(
            "  binding these makes a step fail: {}",
            breakers.join(" ")
        ));
        self.set.retain(|c| !breakers.contains(&c.var));
        self.mined_dropped.extend(breakers);
        let Some(good) = last_good else {
            return Ok(false);
        };
        self.explore = good;
        Ok(true)
    }

    /// Why an exploration cannot stand as the reference, if it cannot.
    fn failure(&self, run: &Trial) -> Option<Problem> {
        for (i, result) in run.steps.iter().enumerate() {
            let command = self.opts.steps[i].shown.clone();
            let ended = &result.ended;
            let expected = ended
                .exit
                .code
                .is_some_and(|code| code == 0 || self.opts.expect_exit.contains(&code))
                && !ended.timed_out;
            if !expected {
                return Some(Problem::StepFailed {
                    step: i + 1,
                    command,
                    ended: describe_end(ended),
                    timed_out: ended.timed_out,
                    unattended: !self.runner.attended,
                });
            }
            if result.obs.stats.events == 0 {
                return Some(Problem::EmptyTrace {
                    step: i + 1,
                    command,
                    hint: crate::error::empty_trace_hint(self.runner.tracer.kind()).to_string(),
                });
            }
        }
        None
    }

    /// Prune the used set, verify what is left, and fall back to
    /// leave-one-out over every candidate when the used set leaks. `None`
    /// when a problem stopped the method.
    fn minimise(
        &mut self,
        used: &BTreeSet<String>,
    ) -> Result<Option<(BTreeSet<String>, Option<usize>)>> {
        let Some((current, last)) = self.prune(used)? else {
            return Ok(None);
        };
        if last.is_some_and(|i| self.runs[i].bound == current) {
            return Ok(Some((current, last)));
        }
        progress(&format!("verifying: {}", join(&current)));
        let i = self.trial("verify", &current)?;
        if self.runs[i].passed() {
            return Ok(Some((current, Some(i))));
        }
        progress("the used set leaks; falling back to leave-one-out over all candidates");
        let all = all_vars(&self.set);
        let Some((current, last)) = self.prune(&all)? else {
            return Ok(None);
        };
        let verified = last.filter(|i| self.runs[*i].bound == current);
        Ok(Some((current, verified)))
    }

    /// Run the steps with `bound` and compare with the exploration.
    fn trial(&mut self, label: &str, bound: &BTreeSet<String>) -> Result<usize> {
        let explore = self.runs[self.explore].clone();
        let run = self.runner.run(label, &self.set, bound, Some(&explore))?;
        self.runs.push(run);
        Ok(self.runs.len() - 1)
    }

    /// Try removing each variable of `start`, least preferred first; a removal
    /// stays when that run passes. The final set and the last passing run.
    fn prune(
        &mut self,
        start: &BTreeSet<String>,
    ) -> Result<Option<(BTreeSet<String>, Option<usize>)>> {
        let mut current = start.clone();
        let mut last = None;
        for var in self.set.removal_order(start) {
            let mut trial = current.clone();
            trial.remove(&var);
            progress(&format!("trying without {var}: {}", join(&trial)));
            let i = self.trial(&format!("without-{var}"), &trial)?;
            let run = &self.runs[i];
            if run.passed() {
                progress(&format!("  {var} is not needed"));
                current = trial;
                last = Some(i);
                continue;
            }
            let only_exits = run.leaks.is_empty() && run.escapes.is_empty();
            if only_exits && !self.repeatable()? {
                return Ok(None);
            }
            let run = &self.runs[i];
            let why: Vec<String> = run
                .escapes
                .iter()
                .chain(&run.leaks)
                .chain(&run.changed_exits)
                .take(3)
                .cloned()
                .collect();
            progress(&format!("  {var} is needed: {}", why.join(", ")));
        }
        Ok(Some((current, last)))
    }

    /// When a run ends otherwise than the exploration without leaking, the
    /// cause may be the variable or the world: repeat the exploration's
    /// bindings once. False (and the problem recorded) when they too now
    /// end otherwise.
    fn repeatable(&mut self) -> Result<bool> {
        if let Some(known) = self.control {
            return Ok(known);
        }
        progress("  the steps ended differently; repeating the exploration to tell why");
        let all = self.runs[self.explore].bound.clone();
        let i = self.trial("control", &all)?;
        let ok = self.runs[i].changed_exits.is_empty();
        if !ok {
            self.problems.push(Problem::NotRepeatable {
                ended: self.runs[i].changed_exits.clone(),
            });
        }
        self.control = Some(ok);
        Ok(ok)
    }

    fn finish(self, out: Outcome, tool_version: Option<String>, cwd: PathBuf) -> Discovery {
        let explore = self.runs.get(self.explore);
        let written = explore.map(Trial::written_vars).unwrap_or_default();
        let unset: Vec<String> = out
            .used
            .iter()
            .filter(|v| !out.minimal.contains(*v) && written.contains(*v))
            .filter(|v| self.set.get(v).is_some_and(|c| c.kind == Kind::Tool))
            .cloned()
            .collect();
        let minimal = self
            .set
            .removal_order(&out.minimal)
            .into_iter()
            .rev()
            .collect();
        let program_roots = explore.map(Trial::program_roots).unwrap_or_default();
        let programs: BTreeSet<String> = explore
            .iter()
            .flat_map(|run| run.steps.iter().flat_map(|s| &s.obs.execs))
            .filter_map(|exe| exe.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let mut stopped: Vec<String> = Vec::new();
        for run in &self.runs {
            for (i, step) in run.steps.iter().enumerate() {
                for cmd in &step.ended.stopped {
                    let line = format!("step {}: {cmd}", i + 1);
                    if !stopped.contains(&line) {
                        stopped.push(line);
                    }
                }
            }
        }
        let escape_roots = self
            .runner
            .room
            .escape_roots(&self.set, self.runner.scratch.root());
        let mut clean_room = self.runner.room.view(&self.set);
        clean_room.unprotected = self.runner.world.unprotected();
        Discovery {
            clean_room,
            candidates: self.set,
            runs: self.runs,
            verification: out.verification,
            minimal,
            used: out.used,
            unset,
            concurrency: out.concurrency.unwrap_or_else(Concurrency::not_run),
            problems: self.problems,
            program_roots,
            escape_roots,
            stopped,
            mined_unused: out.mined_unused,
            mined_dropped: self.mined_dropped,
            tool: self.tool,
            tool_version,
            tracer: self.runner.tracer.describe(),
            tracer_kind: self.runner.tracer.kind(),
            cwd,
            programs: programs.into_iter().collect(),
            world: self.runner.world.kind(),
            why_stand_in: self.runner.world.why_stand_in.clone(),
        }
    }
}

/// The candidates before anything ran: the defaults, the catalog for the tool
/// and the programs the steps name, `--candidate`, the caller's variables
/// that name places (`inherited`), and names mined from those programs.
fn initial_candidates(
    opts: &Options,
    tool: Option<&str>,
    inherited: &[String],
) -> Result<CandidateSet> {
    let mut set = CandidateSet::base();
    for var in inherited {
        set.add(var, "inherited", Rank::Named);
    }
    for name in opts.record.as_deref().into_iter().chain(tool) {
        set.add_catalog(name);
    }
    for step in &opts.steps {
        for word in run_by(step) {
            set.add_catalog(&word);
            if let Ok(path) = which::which(&word) {
                set.add_mined(&path, tool);
            }
        }
    }
    for var in &opts.extra_candidates {
        crate::names::check_binding_name(var)?;
        set.add(var, "--candidate", Rank::Named);
    }
    Ok(set)
}

fn all_vars(set: &CandidateSet) -> BTreeSet<String> {
    set.all().iter().map(|c| c.var.clone()).collect()
}

fn join(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "(nothing bound)".into()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(" ")
    }
}
