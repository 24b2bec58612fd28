//! What a discovery could not do: trace here (no tracer, no permission), read
//! a trace taken elsewhere, or start what it runs.

use std::fmt;
use std::path::PathBuf;
use std::process::ExitStatus;

use super::Error;
use crate::trace::{Format, Os, Tracer};

/// What the macOS tracers need that cannot be had from the terminal alone.
const FULL_DISK_ACCESS: &str = "grant Full Disk Access to the terminal app you run swop from (System Settings > Privacy & Security > Full Disk Access), quit and reopen it, and run swop again with sudo access";

#[derive(Debug)]
pub enum Discover {
    /// Tracing for another OS than this one: capture there with `capture`.
    CaptureElsewhere {
        os: Os,
        capture: String,
    },
    /// strace cannot be had here; where to take the trace instead.
    NoStrace {
        error: Box<Error>,
        capture: String,
    },
    StraceMissing,
    /// `kernel.yama.ptrace_scope` is 3: no ptrace until reboot.
    PtraceDisabled,
    /// Why tracing cannot work here, said as the reason a discovery stops.
    CannotTrace(Box<Discover>),
    /// strace's own words when ptrace is refused.
    PtraceRefused(String),
    /// strace's own words when it fails otherwise.
    StraceFails(String),
    /// eslogger or fs_usage not on PATH.
    TracerMissing(Tracer),
    /// The macOS tracer needs root, and there is no sudo.
    NoSudo(Tracer),
    SudoFailed {
        tracer: Tracer,
        status: ExitStatus,
    },
    TracerStart {
        tracer: Tracer,
        source: std::io::Error,
    },
    /// The macOS tracer ended by itself.
    TracerEnded {
        tracer: Tracer,
        starting: bool,
        failure: TracerFailure,
        /// The first lines of its stderr, else how it ended.
        detail: String,
    },
    /// A program of a step could not be started.
    CannotRun {
        program: String,
        source: std::io::Error,
    },
    /// A thread of the two-account run ended without an answer.
    ConcurrentRun,
    Trace(Trace),
}

/// What the tracer's complaint says, from the words it printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TracerFailure {
    NotPermitted,
    NotRoot,
    Password,
    TooManyClients,
    Other,
}

/// A trace taken elsewhere that cannot be read as one.
#[derive(Debug)]
pub enum Trace {
    /// The files given (shown) are empty.
    Empty(String),
    UnknownFormat(PathBuf),
    Mixed {
        first: PathBuf,
        first_format: Format,
        other: PathBuf,
        other_format: Format,
    },
    EmptyFolder(PathBuf),
    /// Neither the file nor `PREFIX.<pid>` files exist.
    Missing(PathBuf),
    NoEvents {
        name: String,
        lines: u64,
        unknown: u64,
        tracer: Tracer,
    },
    /// fs_usage's narrow layout, which does not tell processes apart.
    Narrow(String),
    /// A strace trace given to the macOS reader.
    NotMacos,
    /// The tool was seen starting (these programs), then nothing of it.
    OnlyStarting {
        name: String,
        started: Vec<PathBuf>,
        lines: u64,
        tracer: Tracer,
    },
}

/// How a process ended, as a report says it: `exit 3`, `signal 9`.
pub fn exit_text(code: Option<i32>, signal: Option<i32>) -> String {
    match (code, signal) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => "unknown".to_string(),
    }
}

/// What to check when a traced run shows no file event of the tool's own
/// processes, for each tracer.
pub fn empty_trace_hint(tracer: Tracer) -> &'static str {
    match tracer {
        Tracer::Eslogger => {
            "eslogger reported no file event of the tool's processes. Check that the terminal you run swop from has Full Disk Access (System Settings > Privacy & Security > Full Disk Access; quit and reopen it after granting), that `sudo eslogger open` prints events in that terminal, and that the tool is not started inside eslogger's own process group (eslogger mutes it); or trace with --tracer fs_usage"
        }
        Tracer::FsUsage => {
            "fs_usage reported no file event of the tool's processes. Check that `sudo fs_usage -w -f filesys` prints lines in this terminal, that the tool keeps the name of the program swop started (fs_usage keeps a process by its name, cut to 16 or 32 bytes), and that fs_usage did not drop events (\"buffer overrun\" in its output); or trace with --tracer eslogger (macOS 13 and later)"
        }
        Tracer::Strace => {
            "the tracer reported no file call of the tool's processes. Check that strace can trace here (kernel.yama.ptrace_scope; in a container, CAP_SYS_PTRACE) and that the step really runs the tool"
        }
    }
}

impl fmt::Display for Discover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Discover::CaptureElsewhere {
                os: Os::Macos,
                capture,
            } => write!(
                f,
                "macOS tracing runs on macOS. Capture a trace there and analyse it here with --trace-file:\n\
                 \n  # fs_usage (any macOS; root): start it, run the tool in another terminal, then Ctrl-C\n\
                 \x20 {capture}\n\
                 \x20 swop discover --os macos --trace-file fs_usage.log --json\n\
                 \n  # eslogger (macOS 13+; root and Full Disk Access for the terminal)\n\
                 \x20 sudo eslogger open create write rename unlink close exec fork exit > eslogger.jsonl\n\
                 \x20 swop discover --trace-file eslogger.jsonl --json\n\
                 \nOr run swop discover itself on the Mac."
            ),
            Discover::CaptureElsewhere {
                os: Os::Linux,
                capture,
            } => write!(
                f,
                "Capture a trace with strace (Linux, WSL2) and analyse it with --trace-file:\n\
                 \n  {capture}\n\
                 \x20 swop discover --os linux --trace-file tool.strace --json\n\
                 \nWith -ff instead of -f, strace writes one file per process: give the prefix\n\
                 (--trace-file tool.strace), the files, or their folder.\n\
                 \nOr run swop discover itself on a Linux machine with strace."
            ),
            Discover::NoStrace { error, capture } => write!(
                f,
                "{error}\nOr take the trace on a machine that has strace, and analyse it here:\n  {capture}\n  swop discover --trace-file tool.strace"
            ),
            Discover::StraceMissing => write!(
                f,
                "strace is not installed; install it (Debian, Ubuntu, WSL2: sudo apt-get install strace; Fedora: sudo dnf install strace) and run swop discover again"
            ),
            Discover::PtraceDisabled => write!(
                f,
                "kernel.yama.ptrace_scope is 3 (ptrace disabled until reboot); set it to 1 or lower: sudo sysctl kernel.yama.ptrace_scope=1 (needs a reboot from 3)"
            ),
            Discover::PtraceRefused(line) => write!(
                f,
                "strace may not trace here ({line}). In a container, grant ptrace (docker run --cap-add=SYS_PTRACE --security-opt seccomp=unconfined); on a host, allow it with: sudo sysctl kernel.yama.ptrace_scope=1"
            ),
            Discover::StraceFails(line) => write!(f, "strace does not work here: {line}"),
            Discover::CannotTrace(why) => write!(f, "cannot trace: {why}"),
            Discover::TracerMissing(Tracer::Eslogger) => write!(
                f,
                "eslogger was not found: it ships with macOS 13 and later as /usr/bin/eslogger; on older releases use --tracer fs_usage"
            ),
            Discover::TracerMissing(tracer) => write!(
                f,
                "{} was not found: it ships with macOS as /usr/bin/{}; check PATH",
                tracer.name(),
                tracer.name()
            ),
            Discover::NoSudo(tracer) => write!(
                f,
                "{} needs root, and sudo was not found; run swop discover as root or install sudo",
                tracer.name()
            ),
            Discover::SudoFailed { tracer, status } => {
                use std::os::unix::process::ExitStatusExt;
                write!(
                    f,
                    "{} needs root and `sudo -v` failed ({}); run swop discover from a terminal where sudo works for you",
                    tracer.name(),
                    exit_text(status.code(), status.signal())
                )
            }
            Discover::TracerStart { tracer, source } => {
                write!(f, "cannot start {}: {source}", tracer.name())
            }
            Discover::TracerEnded {
                tracer,
                starting,
                failure,
                detail,
            } => {
                let name = tracer.name();
                let what = if *starting {
                    "could not start"
                } else {
                    "stopped before the tool finished"
                };
                match failure {
                    TracerFailure::NotPermitted => write!(
                        f,
                        "{name} {what}: it is not permitted to watch file events ({detail}). To fix it, {FULL_DISK_ACCESS}; or use --tracer fs_usage"
                    ),
                    TracerFailure::NotRoot => {
                        let fda = if *tracer == Tracer::Eslogger {
                            format!("; eslogger also needs Full Disk Access: {FULL_DISK_ACCESS}")
                        } else {
                            String::new()
                        };
                        write!(
                            f,
                            "{name} {what}: it must run as root ({detail}); run swop discover where `sudo {name}` works (sudo -v){fda}"
                        )
                    }
                    TracerFailure::Password => write!(
                        f,
                        "{name} {what}: sudo would not run it without a password ({detail}); run `sudo -v` in this terminal, then swop discover again"
                    ),
                    TracerFailure::TooManyClients => write!(
                        f,
                        "{name} {what}: too many Endpoint Security clients are running ({detail}); stop another eslogger or security tool, or use --tracer fs_usage"
                    ),
                    TracerFailure::Other => write!(f, "{name} {what} ({detail})"),
                }
            }
            Discover::CannotRun { program, source } => write!(f, "cannot run {program}: {source}"),
            Discover::ConcurrentRun => write!(f, "a concurrent run failed"),
            Discover::Trace(trace) => trace.fmt(f),
        }
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trace::Empty(shown) => write!(f, "{shown} holds no trace: the files are empty"),
            Trace::UnknownFormat(path) => write!(
                f,
                "cannot tell the format of {}: it looks like no strace, fs_usage or eslogger output; pass --format if it is one",
                path.display()
            ),
            Trace::Mixed {
                first,
                first_format,
                other,
                other_format,
            } => write!(
                f,
                "the trace files are of different formats: {} is {}, {} is {}; give the files of one capture",
                first.display(),
                first_format.name(),
                other.display(),
                other_format.name()
            ),
            Trace::EmptyFolder(path) => {
                write!(
                    f,
                    "{} is a folder with no trace files in it",
                    path.display()
                )
            }
            Trace::Missing(path) => write!(
                f,
                "{} does not exist, and no {}.<pid> files either (the names `strace -ff -o {}` writes)",
                path.display(),
                path.display(),
                path.display()
            ),
            Trace::NoEvents {
                name,
                lines,
                unknown,
                tracer,
            } => write!(
                f,
                "no file events in {name} ({lines} lines read, {unknown} not understood): is it a truncated or a different trace? {}",
                empty_trace_hint(*tracer)
            ),
            Trace::Narrow(name) => write!(
                f,
                "{name} is fs_usage output in the narrow layout (no microseconds, no thread ids): its lines cannot be told apart by process. Capture again with `sudo fs_usage -w -e -f filesys > fs_usage.log`"
            ),
            Trace::NotMacos => write!(f, "strace traces are read by the strace session, not here"),
            Trace::OnlyStarting {
                name,
                started,
                lines,
                tracer,
            } => {
                let started: Vec<String> =
                    started.iter().map(|e| e.display().to_string()).collect();
                write!(
                    f,
                    "{name} shows {} starting but no file event of its processes ({lines} lines read): not a trace of the tool at work, nothing can be concluded from it. {}",
                    if started.is_empty() {
                        "the tool".to_string()
                    } else {
                        started.join(", ")
                    },
                    empty_trace_hint(*tracer)
                )
            }
        }
    }
}
