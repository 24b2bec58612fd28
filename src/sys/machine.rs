//! Facts about the machine: the OS and its release, the kernel (`uname`),
//! WSL, whether ptrace may trace, the user's home as the password
//! database has it, and the local time of day. For `swop doctor` and the "Tested on"
//! of a discovery's report; the host name is never collected.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

/// Makes swop take the running OS for `macos` or `linux`, so that the live
/// macOS path can run against stand-in tracers elsewhere.
const HOST_OS_VAR: &str = "SWOP_TEST_HOST_OS";

/// Whether swop is running on macOS (or told to act as if, see [`HOST_OS_VAR`]).
pub fn host_is_macos() -> bool {
    match std::env::var_os(HOST_OS_VAR) {
        Some(v) if v == "macos" => true,
        Some(v) if v == "linux" => false,
        _ => cfg!(target_os = "macos"),
    }
}

/// Whether this Linux runs under WSL (1 or 2).
pub fn is_wsl() -> bool {
    std::env::var_os("WSL_DISTRO_NAME").is_some()
        || fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|r| r.to_ascii_lowercase().contains("microsoft"))
            .unwrap_or(false)
}

/// The release of the OS swop runs on: `PRETTY_NAME` from /etc/os-release
/// on Linux, `macOS 14.5 (23F79)` from `sw_vers` on a Mac.
pub fn os_release() -> Option<String> {
    if host_is_macos() {
        return parse_sw_vers(&command_output("sw_vers", &[])?);
    }
    linux_release()
}

/// `PRETTY_NAME` from /etc/os-release.
fn linux_release() -> Option<String> {
    let text = fs::read_to_string("/etc/os-release").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
}

fn parse_sw_vers(text: &str) -> Option<String> {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(key)?.strip_prefix(':'))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match (field("ProductName"), field("ProductVersion")) {
        (Some(name), Some(version)) => Some(match field("BuildVersion") {
            Some(build) => format!("{name} {version} ({build})"),
            None => format!("{name} {version}"),
        }),
        _ => {
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            (!lines.is_empty()).then(|| lines.join("; "))
        }
    }
}

/// The major release number, from `sw_vers -productVersion`.
pub fn macos_major_version() -> Option<u32> {
    command_output("sw_vers", &["-productVersion"])?
        .trim()
        .split('.')
        .next()?
        .parse()
        .ok()
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
        linux_release().unwrap_or_else(|| std::env::consts::OS.to_string())
    };
    let wsl = if cfg!(target_os = "linux") && is_wsl() {
        " (WSL)"
    } else {
        ""
    };
    format!("{os}{wsl}, {}", std::env::consts::ARCH)
}

/// Yama's `kernel.yama.ptrace_scope`, where the kernel has it: 3 forbids
/// ptrace until the next boot.
pub fn ptrace_scope() -> Option<u32> {
    fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The home folder of the caller's entry in the password database, canonical.
pub fn passwd_home() -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: getpwuid_r with a buffer of the size passed; the result points
    // into `buf`, read before it goes.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let found = libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if found != 0 || result.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        let dir = std::ffi::CStr::from_ptr(pwd.pw_dir);
        let dir = PathBuf::from(std::ffi::OsStr::from_bytes(dir.to_bytes()));
        Some(std::fs::canonicalize(&dir).unwrap_or(dir))
    }
}

/// A moment on the local wall clock, in the machine's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// 0 is Sunday.
    pub weekday: u32,
    pub hour: u32,
    pub minute: u32,
}

/// The local wall-clock time of `secs` since the epoch (localtime_r).
pub fn local_time(secs: i64) -> Option<LocalTime> {
    let t = libc::time_t::try_from(secs).ok()?;
    // SAFETY: an all-zero tm is a valid value for localtime_r to overwrite.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call; localtime_r is reentrant.
    let done = unsafe { libc::localtime_r(&t, &mut tm) };
    if done.is_null() {
        return None;
    }
    Some(LocalTime {
        weekday: u32::try_from(tm.tm_wday).ok()?,
        hour: u32::try_from(tm.tm_hour).ok()?,
        minute: u32::try_from(tm.tm_min).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sw_vers_reads_as_one_release() {
        assert_eq!(
            parse_sw_vers(
                "ProductName:\t\tmacOS\nProductVersion:\t\t14.5\nBuildVersion:\t\t23F79\n"
            )
            .as_deref(),
            Some("macOS 14.5 (23F79)")
        );
        assert_eq!(
            parse_sw_vers("ProductName: Mac OS X\nProductVersion: 10.15.7\n").as_deref(),
            Some("Mac OS X 10.15.7")
        );
        assert_eq!(
            parse_sw_vers("something else").as_deref(),
            Some("something else")
        );
    }
}
