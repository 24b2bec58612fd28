//! The tracer a discovery uses on this machine, chosen: strace on Linux
//! (`linux`), eslogger or fs_usage on macOS (`macos`); and which of them
//! work here, for `swop doctor`.

use super::linux::{Strace, ptrace_problem};
use super::macos::MacTracer;
use super::step::StepTracer;
use super::{Os, Tracer};
use crate::error::{Discover, Result, Usage};

/// One tracer as `swop doctor` reports it.
pub struct TracerStatus {
    pub name: String,
    pub usable: bool,
    pub detail: String,
}

pub fn describe_tracers() -> Vec<TracerStatus> {
    let mut out = Vec::new();
    let strace = which::which("strace");
    let (usable, detail) = match &strace {
        Ok(path) => match ptrace_problem() {
            Some(problem) => (false, format!("{} but {problem}", path.display())),
            None => (true, path.display().to_string()),
        },
        Err(_) => (
            false,
            "not found; install it (Debian/Ubuntu: sudo apt-get install strace)".into(),
        ),
    };
    out.push(TracerStatus {
        name: "strace".into(),
        usable: usable && cfg!(target_os = "linux"),
        detail,
    });
    for name in ["fs_usage", "eslogger"] {
        let found = which::which(name);
        out.push(TracerStatus {
            name: name.into(),
            usable: found.is_ok() && cfg!(target_os = "macos"),
            detail: match found {
                Ok(p) => format!("{} (needs root)", p.display()),
                Err(_) => "not found (macOS only)".into(),
            },
        });
    }
    out
}

/// The tracer for a discovery on `os` (this machine's): the one asked for,
/// else the best this OS has. Without strace, the error says how to trace
/// elsewhere and analyse here.
pub fn choose(
    os: Os,
    requested: Option<Tracer>,
    command: &[std::ffi::OsString],
) -> Result<Box<dyn StepTracer>> {
    Ok(match (os, requested) {
        (Os::Linux, None | Some(Tracer::Strace)) => {
            Box::new(Strace::find().map_err(|error| Discover::NoStrace {
                error: Box::new(error),
                capture: super::offline::capture_command(Os::Linux, command),
            })?)
        }
        (Os::Linux, Some(tracer)) => return Err(Usage::MacTracerOnLinux(tracer).into()),
        (Os::Macos, requested) => Box::new(MacTracer::select(requested)?),
    })
}
