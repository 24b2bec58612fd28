//! Finding and checking the tracers this machine has.

/// One tracer as `swop doctor` reports it.
pub struct TracerStatus {
    pub name: String,
    pub usable: bool,
    pub detail: String,
}

/// Why ptrace-based tracing cannot work here, if it cannot.
pub fn ptrace_problem() -> Option<String> {
    if let Ok(scope) = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
        && scope.trim() == "3"
    {
        return Some(
            "kernel.yama.ptrace_scope is 3 (ptrace disabled until reboot); set it to 1 or lower: sudo sysctl kernel.yama.ptrace_scope=1 (needs a reboot from 3)".into(),
        );
    }
    None
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
