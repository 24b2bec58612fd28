//! One step of a discovery, traced: the tracer that runs it ([`StepTracer`],
//! strace in `linux`, eslogger or fs_usage in `macos`), how it is run
//! ([`StepRun`]), and where the tool's output goes.

use std::fs;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::Tracer;
use super::model::{Ended, Observation};
use super::supervise::{self, Limits, StepProcesses};
use super::world::Confinement;
use crate::error::{Discover, Error, Result, at_path};

/// A way of tracing one step of a tool: strace on Linux; fs_usage or eslogger on macOS.
pub trait StepTracer {
    /// Which tracer it is.
    fn kind(&self) -> Tracer;

    /// For the report: which tracer, which version, which options.
    fn describe(&self) -> String;

    /// Run `tool` (its program, arguments, environment and folder are set)
    /// traced, writing the raw trace to `trace`, and read back what it touched.
    fn trace(&self, tool: Command, trace: &Path, step: &StepRun) -> Result<(Ended, Observation)>;

    /// Whether its steps can run in a copy-on-write view of the file system
    /// (Linux namespaces); else the runs get the stand-in world.
    fn runs_in_view(&self) -> bool {
        false
    }
}

/// How one traced step is run.
#[derive(Clone, Copy)]
pub struct StepRun<'a> {
    pub output: Output,
    /// The run's scratch folder, for tracers that need before/after snapshots
    /// to see what the trace cannot.
    pub watch: &'a Path,
    /// The value of [`supervise::MARKER_VAR`] for this step's processes.
    pub marker: &'a str,
    pub limits: Limits,
    /// The account's view of the world, with its holes.
    pub confinement: &'a Confinement<'a>,
}

/// Give `to` the environment and working folder `from` was set up with.
pub fn copy_env_and_dir(from: &Command, to: &mut Command) {
    to.env_clear();
    for (key, value) in from.get_envs() {
        match value {
            Some(value) => to.env(key, value),
            None => to.env_remove(key),
        };
    }
    if let Some(dir) = from.get_current_dir() {
        to.current_dir(dir);
    }
}

/// Where a traced tool's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The terminal, unchanged: an interactive login can be completed.
    Terminal,
    /// stdout goes to stderr, keeping stdout free for swop's result (JSON, or
    /// the Markdown report redirected to a file).
    StderrOnly,
}

impl Output {
    /// Give the traced tool the terminal's stdin and stderr, and stdout as chosen.
    pub fn connect(self, cmd: &mut Command) -> Result<()> {
        cmd.stdin(Stdio::inherit()).stderr(Stdio::inherit());
        let stdout = match self {
            Output::Terminal => Stdio::inherit(),
            Output::StderrOnly => std::os::fd::AsFd::as_fd(&std::io::stderr())
                .try_clone_to_owned()
                .map(Stdio::from)
                .map_err(|e| Error::Io {
                    action: "cannot redirect output",
                    path: None,
                    source: e,
                })?,
        };
        cmd.stdout(stdout);
        Ok(())
    }
}

/// The folder a command will run in.
pub fn working_dir(cmd: &Command) -> PathBuf {
    cmd.get_current_dir()
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// Run a command in the foreground and supervise it (time limit, stop
/// signals, leftovers). The command gets the default handlers for Ctrl-C;
/// swop notes it (see [`crate::sys::handlers::StopSignals`]) and stops everything.
pub fn run_foreground(
    mut cmd: Command,
    output: Output,
    step: &StepProcesses,
    limits: Limits,
) -> Result<Ended> {
    output.connect(&mut cmd)?;
    // SAFETY: only async-signal-safe calls (signal) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
    let program = cmd.get_program().to_string_lossy().into_owned();
    let child = cmd
        .spawn()
        .map_err(|source| Discover::CannotRun { program, source })?;
    supervise::supervise(child, step, limits)
}

/// Create the trace file 0600 before the tracer opens it (it truncates, keeping the mode).
pub fn create_trace_file(path: &Path) -> Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(at_path("cannot create trace file", path))
}
