//! Which shell will read `swop env`'s output when `--shell` does not say.
//!
//! The login shell (`$SHELL`) is the wrong guess whenever a script switches:
//! `eval "$(swop env A)"` in a bash script run from a fish login would get
//! fish syntax, and bash reading `set -e ...` turns errexit on and dies. The
//! shell that evaluates the output is the one that started swop, so swop asks
//! for its parent process's program first (Linux: `/proc/PPID/comm`, then
//! `/proc/PPID/exe`; macOS: `proc_pidpath`), then `$SHELL`, then falls back
//! to POSIX sh, whose syntax every shell swop prints for can at least parse
//! without running anything but assignments.

use std::ffi::OsStr;

use super::ShellKind;

/// What a program name says about the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guess {
    /// A shell swop prints for.
    Known(ShellKind),
    /// A shell swop has no syntax for: guessing another would be worse.
    Unsupported(String),
    /// Not a shell (a script runner, a terminal, `env`): ask the next source.
    Other,
}

/// The guess for one program name or path (`/usr/bin/zsh`, `-bash`, `dash`).
pub fn guess(program: &OsStr) -> Guess {
    let name = std::path::Path::new(program)
        .file_name()
        .and_then(OsStr::to_str)
        .unwrap_or("");
    // Login shells are named "-zsh"; some installs carry a version ("bash5");
    // xonsh titles its process with its command line ("xonsh --no-rc -").
    let name = name
        .split(' ')
        .next()
        .unwrap_or("")
        .trim_start_matches('-')
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    match name {
        "bash" => Guess::Known(ShellKind::Bash),
        "zsh" => Guess::Known(ShellKind::Zsh),
        "fish" => Guess::Known(ShellKind::Fish),
        "sh" | "dash" | "ash" | "ksh" | "mksh" | "oksh" | "loksh" | "posh" | "yash" => {
            Guess::Known(ShellKind::Sh)
        }
        "tcsh" | "csh" => Guess::Known(ShellKind::Tcsh),
        "elvish" => Guess::Known(ShellKind::Elvish),
        "xonsh" => Guess::Known(ShellKind::Xonsh),
        "nu" => Guess::Known(ShellKind::Nu),
        "pwsh" | "powershell" | "ion" | "rc" | "es" | "oil" | "osh" | "ysh" | "murex" => {
            Guess::Unsupported(name.to_string())
        }
        _ => Guess::Other,
    }
}

/// The shell to print for: the parent's, else `$SHELL`'s, else sh. An error
/// when the parent is a shell swop cannot print for.
pub fn detect(shell_var: Option<&OsStr>) -> crate::Result<ShellKind> {
    match parent_guess() {
        Guess::Known(kind) => return Ok(kind),
        Guess::Unsupported(name) => {
            return Err(crate::Error::usage(format!(
                "swop env is run by {name}, which swop cannot print for; name the syntax with \
                 --shell (bash, zsh, fish, sh, elvish, xonsh, nu, tcsh or json)"
            )));
        }
        Guess::Other => {}
    }
    Ok(match shell_var.map(guess) {
        Some(Guess::Known(kind)) => kind,
        _ => ShellKind::Sh,
    })
}

/// The guess for the parent process, from every name the system gives for it.
fn parent_guess() -> Guess {
    // SAFETY: getppid has no preconditions and cannot fail.
    let ppid = unsafe { libc::getppid() };
    let mut fallback = Guess::Other;
    for name in parent_names(ppid) {
        match guess(&name) {
            Guess::Known(kind) => return Guess::Known(kind),
            Guess::Unsupported(shell) => fallback = Guess::Unsupported(shell),
            Guess::Other => {}
        }
    }
    fallback
}

/// The parent's command name, then its executable's path.
#[cfg(target_os = "linux")]
fn parent_names(ppid: libc::pid_t) -> Vec<std::ffi::OsString> {
    use std::os::unix::ffi::OsStringExt;
    let mut names = Vec::with_capacity(2);
    if let Ok(mut comm) = std::fs::read(format!("/proc/{ppid}/comm")) {
        if comm.last() == Some(&b'\n') {
            comm.pop();
        }
        names.push(std::ffi::OsString::from_vec(comm));
    }
    if let Ok(exe) = std::fs::read_link(format!("/proc/{ppid}/exe")) {
        names.push(exe.into_os_string());
    }
    names
}

/// The parent's executable's path.
#[cfg(target_os = "macos")]
fn parent_names(ppid: libc::pid_t) -> Vec<std::ffi::OsString> {
    use std::os::unix::ffi::OsStringExt;
    let mut buf = vec![0u8; libc::PROC_PIDPATHINFO_MAXSIZE as usize];
    // SAFETY: the buffer holds the size passed.
    let len = unsafe { libc::proc_pidpath(ppid, buf.as_mut_ptr().cast(), buf.len() as u32) };
    match usize::try_from(len) {
        Ok(len) if len > 0 => {
            buf.truncate(len);
            vec![std::ffi::OsString::from_vec(buf)]
        }
        _ => Vec::new(),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn parent_names(_ppid: libc::pid_t) -> Vec<std::ffi::OsString> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_of_shells() {
        let cases = [
            ("/usr/bin/zsh", Guess::Known(ShellKind::Zsh)),
            ("-bash", Guess::Known(ShellKind::Bash)),
            ("bash5.2", Guess::Known(ShellKind::Bash)),
            ("/opt/homebrew/bin/fish", Guess::Known(ShellKind::Fish)),
            ("/usr/bin/dash", Guess::Known(ShellKind::Sh)),
            ("sh", Guess::Known(ShellKind::Sh)),
            ("tcsh", Guess::Known(ShellKind::Tcsh)),
            ("/usr/bin/elvish", Guess::Known(ShellKind::Elvish)),
            ("xonsh --no-rc -", Guess::Known(ShellKind::Xonsh)),
            ("nu", Guess::Known(ShellKind::Nu)),
            ("pwsh", Guess::Unsupported("pwsh".into())),
            ("/usr/bin/python3", Guess::Other),
            ("sshd", Guess::Other),
            ("", Guess::Other),
        ];
        for (name, want) in cases {
            assert_eq!(guess(OsStr::new(name)), want, "{name}");
        }
    }
}
