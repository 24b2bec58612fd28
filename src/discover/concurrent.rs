//! The runs a discovery makes without a tracer: accounts A and B at the same
//! time, unattended, each in a world of its own, compared before and after
//! (runbook Task 10); and the tool's `--version`. A step runs with no
//! terminal, in a session of its own, its output kept only in part.

use std::collections::{BTreeSet, HashSet};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;

use super::candidates::CandidateSet;
use super::classify::Class;
use super::model::{Ended, Observation, Step};
use super::runner::{GRACE, Runner, UNATTENDED_TIMEOUT};
use super::scratch::{Location, RunLayout};
use super::snapshot::Snapshot;
use super::supervise::{self, Limits, StepProcesses};
use super::trial::{StepResult, Trial, describe_end, ended_otherwise};
use super::world::{Confinement, View};
use crate::error::{Discover, Error, Launch, Result};

/// How much of a step's output the two-account run keeps, for messages.
const OUTPUT_TAIL: usize = 2048;

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

impl Runner<'_> {
    /// Run A and B at once, untraced and unattended, each in a view of its
    /// own, and compare their trees before and after, what each changed
    /// outside its folders, and their ends with `explore`'s.
    pub fn concurrent(
        &mut self,
        set: &CandidateSet,
        bound: &BTreeSet<String>,
        explore: &Trial,
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
                        .unwrap_or_else(|_| Err(Discover::ConcurrentRun.into()))
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
        let mut runs: Vec<Trial> = ["A", "B"]
            .iter()
            .zip(&views)
            .map(|(account, view)| self.untraced_run(set, &layout, account, view))
            .collect();
        // A temp file is state only if both accounts chose its name.
        let names: Vec<HashSet<PathBuf>> = runs.iter().map(Trial::temp_names).collect();
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
                if let Some(now) = ended_otherwise(&traced.ended, ended) {
                    c.differences.push(format!(
                        "account {account}, step {}: {now} without a terminal, {} when traced{}",
                        i + 1,
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
    ) -> Trial {
        let mut steps = vec![StepResult {
            ended: Ended::default(),
            obs: Observation::default(),
        }];
        let evidence = self.evidence(set, layout, account, view, &mut steps, None);
        Trial {
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
        let layout = self.new_layout("version", set).ok()?;
        let all: BTreeSet<String> = set.all().iter().map(|c| c.var.clone()).collect();
        let env = layout.env_for("A", set.all(), &all);
        let view = self.world.view(&layout.world_dir("A")).ok()?;
        for arg in super::version::VERSION_ARGS {
            let step = Step {
                argv: vec![program.as_os_str().to_owned(), (*arg).into()],
                shown: String::new(),
            };
            let mut cmd = self.command(&step, set, &env)?;
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
            if let Some(line) = super::version::version_line(&String::from_utf8_lossy(&output)) {
                return Some(crate::redact::redact_text(&line));
            }
        }
        None
    }
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
            program: crate::redact::redact_text(&program),
            failure: Launch::Failed(e),
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
        action: "cannot make a pipe for the tool's output",
        path: None,
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
