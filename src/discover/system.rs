//! Facts about the machine for the report's "Tested on".

use std::fs;
use std::process::Command;

/// Whether this Linux runs under WSL (1 or 2).
pub fn is_wsl() -> bool {
    std::env::var_os("WSL_DISTRO_NAME").is_some()
        || fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|r| r.to_ascii_lowercase().contains("microsoft"))
            .unwrap_or(false)
}

/// `PRETTY_NAME` from /etc/os-release.
pub fn os_release() -> Option<String> {
    let text = fs::read_to_string("/etc/os-release").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
}

/// Output of a command, trimmed, if it ran and succeeded.
pub fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The kernel's name, release and version and the machine (`uname -srvm`):
/// what a runbook's "Tested on" needs, without the host name `uname -a`
/// would add.
pub fn uname() -> Option<String> {
    command_output("uname", &["-srvm"])
}

/// One line for `swop doctor`.
pub fn platform_summary() -> String {
    let os = if cfg!(target_os = "macos") {
        command_output("sw_vers", &["-productVersion"])
            .map(|v| format!("macOS {v}"))
            .unwrap_or_else(|| "macOS".into())
    } else {
        os_release().unwrap_or_else(|| std::env::consts::OS.to_string())
    };
    let wsl = if cfg!(target_os = "linux") && is_wsl() {
        " (WSL)"
    } else {
        ""
    };
    format!("{os}{wsl}, {}", std::env::consts::ARCH)
}
