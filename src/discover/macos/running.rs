//! The root tracer's process: started through sudo, waited on until it is
//! live, stopped in order, and its failures explained.

use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::super::model::Exit;
use super::tracer::{ESLOGGER_EVENTS, FS_USAGE_ARGS, Kind, MacTracer};
use crate::discover::progress;
use crate::error::{Discover, Error, Result, TracerFailure, at_path};
use crate::sys::signal::{self, Group, Signal, Stoppable};

/// Longest wait for the tracer's first line.
const READY_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a signalled tracer gets to exit before a harder signal.
const STOP_GRACE: Duration = Duration::from_secs(5);

impl MacTracer {
    /// Start the tracer with its output going to `trace`.
    pub(super) fn start(&self, trace: &Path) -> Result<RunningTracer> {
        let mut cmd = match &self.sudo {
            Some(sudo) => {
                let mut cmd = Command::new(sudo);
                cmd.arg("-n").arg(&self.program);
                cmd
            }
            None => Command::new(&self.program),
        };
        match self.kind {
            Kind::FsUsage => cmd.args(FS_USAGE_ARGS),
            Kind::Eslogger => cmd.args(ESLOGGER_EVENTS),
        };
        let out = fs::OpenOptions::new()
            .write(true)
            .open(trace)
            .map_err(at_path("cannot open trace file", trace))?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::piped());
        // SAFETY: only async-signal-safe calls (setpgid, signal) between fork
        // and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::setpgid(0, 0);
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::signal(libc::SIGTERM, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|source| Discover::TracerStart {
            tracer: self.kind.tracer(),
            source,
        })?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let reader = child.stderr.take().map(|mut pipe| {
            let sink = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut kept) = sink.lock()
                        && kept.len() < 64 * 1024
                    {
                        kept.extend_from_slice(&buf[..n]);
                    }
                }
            })
        });
        Ok(RunningTracer {
            child,
            kind: self.kind,
            sudo: self.sudo.clone(),
            stderr,
            reader,
            ended: false,
        })
    }
}

/// A tracer started for one step; stopped (or killed) before it is dropped.
pub(super) struct RunningTracer {
    child: Child,
    kind: Kind,
    sudo: Option<PathBuf>,
    stderr: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
    ended: bool,
}

impl RunningTracer {
    /// Wait until the trace file has its first bytes, or fail when the tracer
    /// ends first (no root, no Full Disk Access, a bad option).
    pub(super) fn wait_ready(&mut self, trace: &Path) -> Result<()> {
        let started = Instant::now();
        loop {
            // Told to stop: dropping self stops the tracer.
            super::super::supervise::check_stop()?;
            if let Some(status) = self.try_wait()? {
                return Err(self.failure(status, true));
            }
            if fs::metadata(trace).is_ok_and(|m| m.len() > 0) {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                progress(&format!(
                    "{} printed nothing in {} s; tracing anyway",
                    self.kind.name(),
                    READY_TIMEOUT.as_secs()
                ));
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stop the tracer; an error when it had already ended by itself.
    pub(super) fn stop(mut self) -> Result<()> {
        if let Some(status) = self.try_wait()? {
            return Err(self.failure(status, false));
        }
        self.halt();
        Ok(())
    }

    fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        let status = self.child.try_wait().map_err(|e| Error::Io {
            action: match self.kind {
                Kind::FsUsage => "cannot check on fs_usage",
                Kind::Eslogger => "cannot check on eslogger",
            },
            path: None,
            source: e,
        })?;
        self.ended |= status.is_some();
        Ok(status)
    }

    /// SIGINT (fs_usage and eslogger flush and exit), then SIGTERM and
    /// SIGKILL the way swop stops anything ([`signal::terminate`]).
    fn halt(&mut self) {
        if self.ended {
            return;
        }
        let _ = Stoppable::signal(self, libc::SIGINT);
        if signal::wait_until_ended(self, STOP_GRACE) {
            return;
        }
        let stopped = signal::terminate(std::slice::from_mut(&mut &mut *self), STOP_GRACE);
        if !matches!(stopped.first(), Some(Ok(_))) {
            progress(&format!(
                "{} (pid {}) did not stop; end it with: sudo kill {}",
                self.kind.name(),
                self.child.id(),
                self.child.id()
            ));
        }
    }

    fn stderr_text(&mut self) -> String {
        if let Some(reader) = &self.reader {
            let deadline = Instant::now() + Duration::from_millis(500);
            while !reader.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        self.stderr
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    fn failure(&mut self, status: ExitStatus, starting: bool) -> Error {
        let stderr = self.stderr_text();
        explain_failure(self.kind, status, &stderr, starting)
    }
}

/// The tracer runs as root under sudo: a signal goes to the sudo process,
/// which relays it to the tracer, and SIGKILL to the tracer's whole process
/// group (led by sudo); through `sudo kill` when the kernel refuses, as it
/// does for the root members of the group.
impl Stoppable for RunningTracer {
    fn signal(&mut self, signal: Signal) -> std::io::Result<bool> {
        if self.ended() {
            return Ok(false);
        }
        let group = signal == libc::SIGKILL;
        let pid = self.child.id();
        let sent = if group {
            Group::new(pid).send(signal)
        } else {
            Stoppable::signal(&mut signal::Process { pid, stamp: None }, signal)
        };
        if matches!(sent, Ok(true)) && !group {
            return Ok(true);
        }
        if let Some(sudo) = &self.sudo {
            let target = if group {
                format!("-{pid}")
            } else {
                pid.to_string()
            };
            let _ = Command::new(sudo)
                .args(["-n", "kill", &format!("-{signal}"), &target])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        Ok(true)
    }

    fn ended(&mut self) -> bool {
        self.try_wait().ok().flatten().is_some() || self.ended
    }
}

impl Drop for RunningTracer {
    fn drop(&mut self) {
        if !self.ended {
            self.halt();
        }
    }
}

/// What to tell the user when the tracer ended on its own, `starting` or
/// later: its complaint, told by the words it printed, and its first lines.
fn explain_failure(kind: Kind, status: ExitStatus, stderr: &str, starting: bool) -> Error {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .collect();
    let detail = if lines.is_empty() {
        Exit::from(status).to_string()
    } else {
        lines.join(" / ")
    };
    let upper = stderr.to_ascii_uppercase();
    let failure = if upper.contains("NOT_PERMITTED")
        || upper.contains("FULL DISK ACCESS")
        || upper.contains("TCC")
    {
        TracerFailure::NotPermitted
    } else if upper.contains("NOT_PRIVILEGED")
        || upper.contains("MUST BE RUN AS ROOT")
        || upper.contains("MUST BE ROOT")
    {
        TracerFailure::NotRoot
    } else if upper.contains("PASSWORD IS REQUIRED") || upper.starts_with("SUDO:") {
        TracerFailure::Password
    } else if upper.contains("TOO_MANY_CLIENTS") {
        TracerFailure::TooManyClients
    } else {
        TracerFailure::Other
    };
    Discover::TracerEnded {
        tracer: kind.tracer(),
        starting,
        failure,
        detail,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn tracer_failures_are_told_by_what_the_tracer_printed() {
        let status = ExitStatus::from_raw(1 << 8);
        let failure = |kind, stderr| match explain_failure(kind, status, stderr, true) {
            Error::Discover(Discover::TracerEnded { failure, .. }) => failure,
            other => panic!("not a tracer failure: {other:?}"),
        };
        let es = Kind::Eslogger;
        assert_eq!(
            failure(
                es,
                "ERROR: Failed to create ES client: ES_NEW_CLIENT_RESULT_ERR_NOT_PERMITTED\n"
            ),
            TracerFailure::NotPermitted
        );
        assert_eq!(
            failure(es, "ES_NEW_CLIENT_RESULT_ERR_NOT_PRIVILEGED"),
            TracerFailure::NotRoot
        );
        assert_eq!(
            failure(Kind::FsUsage, "'fs_usage' must be run as root..."),
            TracerFailure::NotRoot
        );
        assert_eq!(
            failure(es, "sudo: a password is required"),
            TracerFailure::Password
        );
        assert_eq!(failure(es, "something else"), TracerFailure::Other);
    }
}
