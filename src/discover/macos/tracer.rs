//! The macOS tracer for a step: which one, sudo, and the step from snapshot
//! to observation.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::super::model::Ended;
use super::super::model::Observation;
use super::super::snapshot::Snapshot;
use super::super::step::{StepRun, StepTracer, create_trace_file, working_dir};
use super::super::supervise;
use super::names::{comm_of, fs_usage_observation};
use super::observation::eslogger_observation;
use super::snapshots::add_snapshot_changes;
use super::tool::run_tool;
use crate::discover::progress;
use crate::error::{Discover, Result, Usage, at_path};
use crate::trace::Tracer;

/// The eslogger events a trace needs: file calls, and the process tree.
pub(super) const ESLOGGER_EVENTS: [&str; 9] = [
    "open", "create", "write", "rename", "unlink", "close", "exec", "fork", "exit",
];

/// `-e` with no list turns off fs_usage's default exclusions (Terminal, sshd,
/// sh, csh, tcsh...), which would hide a tool started through `sh -c`.
pub(super) const FS_USAGE_ARGS: [&str; 4] = ["-w", "-e", "-f", "filesys"];

/// How long the tracer may keep draining its buffers after the tool exits.
const DRAIN: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    FsUsage,
    Eslogger,
}

impl Kind {
    pub(super) fn name(self) -> &'static str {
        self.tracer().name()
    }

    /// The tracer it is, as discover names them.
    pub(super) fn tracer(self) -> Tracer {
        match self {
            Kind::FsUsage => Tracer::FsUsage,
            Kind::Eslogger => Tracer::Eslogger,
        }
    }
}

/// fs_usage or eslogger, found and run through sudo.
pub struct MacTracer {
    pub(super) kind: Kind,
    pub(super) program: PathBuf,
    /// `None` when swop already runs as root and there is no sudo.
    pub(super) sudo: Option<PathBuf>,
}

impl MacTracer {
    /// The tracer asked for, else eslogger where it exists (macOS 13+), else
    /// fs_usage; then one `sudo -v`, so that no password prompt comes mid-run.
    pub fn select(requested: Option<Tracer>) -> Result<MacTracer> {
        let kind = match requested {
            Some(Tracer::Strace) => {
                return Err(Usage::StraceOnMacos.into());
            }
            Some(Tracer::Eslogger) => Kind::Eslogger,
            Some(Tracer::FsUsage) => Kind::FsUsage,
            None if which::which("eslogger").is_ok()
                && crate::sys::machine::macos_major_version().is_some_and(|v| v >= 13) =>
            {
                Kind::Eslogger
            }
            None => Kind::FsUsage,
        };
        let program =
            which::which(kind.name()).map_err(|_| Discover::TracerMissing(kind.tracer()))?;
        let sudo = match which::which("sudo") {
            Ok(sudo) => Some(sudo),
            Err(_) if crate::files::euid() == 0 => None,
            Err(_) => {
                return Err(Discover::NoSudo(kind.tracer()).into());
            }
        };
        let tracer = MacTracer {
            kind,
            program,
            sudo,
        };
        tracer.authenticate(true)?;
        Ok(tracer)
    }

    /// Make sure sudo will not ask for a password while a step runs: `sudo -v`
    /// on the terminal the first time, later only when `sudo -n -v` fails.
    fn authenticate(&self, first: bool) -> Result<()> {
        let Some(sudo) = &self.sudo else {
            return Ok(());
        };
        if !first {
            let cached = Command::new(sudo)
                .args(["-n", "-v"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if cached {
                return Ok(());
            }
        }
        progress(&format!(
            "{} needs root: running sudo -v (it may ask for your password)",
            self.kind.name()
        ));
        let status = Command::new(sudo)
            .arg("-v")
            .stdin(Stdio::inherit())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .status()
            .map_err(at_path("cannot run", sudo))?;
        if status.success() {
            Ok(())
        } else {
            Err(Discover::SudoFailed {
                tracer: self.kind.tracer(),
                status,
            }
            .into())
        }
    }
}

impl StepTracer for MacTracer {
    fn kind(&self) -> Tracer {
        self.kind.tracer()
    }

    fn describe(&self) -> String {
        match self.kind {
            Kind::Eslogger => format!(
                "eslogger {} (through sudo; the tool's process tree by pid)",
                ESLOGGER_EVENTS.join(" ")
            ),
            Kind::FsUsage => format!(
                "fs_usage {} (through sudo; the tool's processes by name, renames completed from before/after snapshots)",
                FS_USAGE_ARGS.join(" ")
            ),
        }
    }

    fn trace(
        &self,
        mut tool: Command,
        trace: &Path,
        step: &StepRun,
    ) -> Result<(Ended, Observation)> {
        let watch = step.watch;
        tool.env(supervise::MARKER_VAR, step.marker);
        self.authenticate(false)?;
        create_trace_file(trace)?;
        let cwd = working_dir(&tool);
        let seed = comm_of(tool.get_program());
        let before = Snapshot::take(&[watch]);
        let mut tracer = self.start(trace)?;
        tracer.wait_ready(trace)?;
        let ran = run_tool(tool, step);
        if ran.is_ok() {
            std::thread::sleep(DRAIN);
        }
        let stopped = tracer.stop();
        let (ended, pid) = ran?;
        stopped?;
        let after = Snapshot::take(&[watch]);
        let mut obs = match self.kind {
            Kind::Eslogger => eslogger_observation(trace, Some(pid))?,
            Kind::FsUsage => fs_usage_observation(trace, &cwd, BTreeSet::from([seed]))?,
        };
        add_snapshot_changes(&mut obs, &before, &after, watch);
        Ok((ended, obs))
    }
}
