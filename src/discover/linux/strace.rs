//! strace, the Linux tracer: found, proved to work on this machine, and run
//! around one step of the tool inside the step's copy-on-write view.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::super::Tracer;
use super::super::model::{Ended, Observation};
use super::super::step::{
    StepRun, StepTracer, copy_env_and_dir, create_trace_file, run_foreground, working_dir,
};
use super::super::supervise::{self, StepProcesses};
use crate::error::{Discover, Result, at_path};
use crate::trace;

/// Why ptrace-based tracing cannot work here, if it cannot.
pub fn ptrace_problem() -> Option<Discover> {
    (crate::sys::machine::ptrace_scope() == Some(3)).then_some(Discover::PtraceDisabled)
}

/// What swop traces: every call that takes a path, the process calls and
/// `fchdir` that let each process's working folder be followed, and
/// `connect`, which shows a tool reaching a keyring over D-Bus.
const TRACED: &str = "trace=%file,%process,fchdir,connect";

/// strace, checked to work on this machine.
pub struct Strace {
    program: PathBuf,
    /// The program as /proc/PID/exe names it, to tell strace's process apart.
    resolved: Option<PathBuf>,
    seccomp: bool,
    pub version: String,
}

impl Strace {
    /// Find strace and prove that it can trace here, or say how to fix it.
    pub fn find() -> Result<Strace> {
        let program = which::which("strace").map_err(|_| Discover::StraceMissing)?;
        if let Some(problem) = ptrace_problem() {
            return Err(Discover::CannotTrace(Box::new(problem)).into());
        }
        let version = crate::sys::machine::command_output(&program.to_string_lossy(), &["-V"])
            .and_then(|v| v.lines().next().map(str::to_string))
            .unwrap_or_else(|| "strace".into());
        let probe = |seccomp: bool| {
            let mut cmd = Command::new(&program);
            cmd.args(["-D", "-f"]);
            if seccomp {
                cmd.arg("--seccomp-bpf");
            }
            cmd.args(["-qq", "-o", "/dev/null", "-e", "trace=%file", "--", "true"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
        };
        let resolved = std::fs::canonicalize(&program).ok();
        let first = probe(true).map_err(at_path("cannot run", &program))?;
        if first.status.success() {
            return Ok(Strace {
                program,
                resolved,
                seccomp: true,
                version,
            });
        }
        let second = probe(false).map_err(at_path("cannot run", &program))?;
        if second.status.success() {
            return Ok(Strace {
                program,
                resolved,
                seccomp: false,
                version,
            });
        }
        let stderr = String::from_utf8_lossy(&second.stderr);
        let line = stderr.lines().next().unwrap_or("").trim();
        if stderr.contains("Operation not permitted") || stderr.contains("ptrace") {
            return Err(Discover::PtraceRefused(line.to_string()).into());
        }
        Err(Discover::StraceFails(line.to_string()).into())
    }
}

impl StepTracer for Strace {
    fn runs_in_view(&self) -> bool {
        true
    }

    fn kind(&self) -> Tracer {
        Tracer::Strace
    }

    fn describe(&self) -> String {
        format!(
            "{} (-f{} -y -e {TRACED})",
            self.version,
            if self.seccomp { " --seccomp-bpf" } else { "" }
        )
    }

    fn trace(&self, tool: Command, trace: &Path, step: &StepRun) -> Result<(Ended, Observation)> {
        create_trace_file(trace)?;
        let mut cmd = Command::new(&self.program);
        // -D: strace runs as a grandchild, so the tool is swop's own child and
        // its exit is known the moment it happens, even while a daemon it
        // started keeps strace running.
        cmd.args(["-D", "-f"]);
        if self.seccomp {
            cmd.arg("--seccomp-bpf");
        }
        cmd.args(["-y", "-qq", "-e", TRACED, "-o"])
            .arg(trace)
            .arg("--")
            .arg(tool.get_program())
            .args(tool.get_args());
        copy_env_and_dir(&tool, &mut cmd);
        cmd.env(supervise::MARKER_VAR, step.marker);
        step.confinement.apply(&mut cmd)?;
        let cwd = working_dir(&tool);
        let ended = run_foreground(
            cmd,
            step.output,
            &StepProcesses {
                marker: step.marker,
                tracer: self.resolved.as_deref(),
                orphans: true,
            },
            step.limits,
        )?;
        let obs = Observation::from_trace(trace::Format::Strace, trace, &cwd, None)?;
        Ok((ended, obs))
    }
}
