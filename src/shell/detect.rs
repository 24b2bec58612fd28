//! Which shell will read `swop env`'s output when `--shell` does not say.
//!
//! The shell that evaluates the output is the one that started swop, so swop
//! asks for its parent process's program (its names, see
//! [`crate::sys::process::names`]). A program that only runs another
//! one (`timeout 5 swop env A | source`, `env`, `nice`, `sudo`, `xargs`,
//! `nohup`, `time`) stands between them: swop walks up past it to the
//! program that started it. The login shell (`$SHELL`) is never asked: it is
//! the wrong guess whenever a script or another shell switches (fish
//! `source`-ing bash quoting runs a value's text), so where the walk ends at
//! something that is no shell, swop refuses and asks for `--shell`.

use std::ffi::OsStr;

use super::ShellKind;

/// What a program name says about the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guess {
    /// A shell swop prints for.
    Known(ShellKind),
    /// A shell swop has no syntax for: guessing another would be worse.
    Unsupported(String),
    /// A program that runs the next one and passes its output on: look at
    /// the program that started it.
    Runner,
    /// Not a shell (a script runner, a terminal, an editor).
    Other,
}

/// Programs that run a command given on their command line and pass its
/// output on: the shell that reads the output started them.
const RUNNERS: &[&str] = &[
    "timeout",
    "env",
    "nice",
    "ionice",
    "chrt",
    "taskset",
    "sudo",
    "doas",
    "xargs",
    "nohup",
    "time",
    "stdbuf",
    "setsid",
    "flock",
    "caffeinate",
    "unbuffer",
    "strace",
    "ltrace",
];

/// How many runners in a row swop walks past.
const MAX_RUNNERS: usize = 8;

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
        _ if RUNNERS.contains(&name) => Guess::Runner,
        _ => Guess::Other,
    }
}

/// Why the shell to print for cannot be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undetected {
    /// A shell swop has no syntax for.
    Unsupported(String),
    /// No shell found: the runners walked past, and the program (no shell)
    /// the walk ended at, or `None` when a parent could not be read.
    Unknown {
        runners: Vec<String>,
        program: Option<String>,
    },
}

/// The shell to print for: the first shell among swop's parent and the
/// programs that started it, walking past runners; or why there is none
/// (its words are in `crate::error`: name the syntax with `--shell`).
pub fn detect() -> Result<ShellKind, Undetected> {
    let mut pid = std::os::unix::process::parent_id();
    let mut runners: Vec<String> = Vec::new();
    loop {
        let (guess, name) = process_guess(pid);
        match guess {
            Guess::Known(kind) => return Ok(kind),
            Guess::Unsupported(shell) => return Err(Undetected::Unsupported(shell)),
            Guess::Runner if runners.len() < MAX_RUNNERS => {
                runners.push(name);
                match crate::sys::process::parent(pid) {
                    Some(parent) if parent > 1 => pid = parent,
                    _ => {
                        return Err(Undetected::Unknown {
                            runners,
                            program: None,
                        });
                    }
                }
            }
            Guess::Runner | Guess::Other => {
                return Err(Undetected::Unknown {
                    runners,
                    program: (!name.is_empty()).then_some(name),
                });
            }
        }
    }
}

/// The shell `$SHELL` names, for advice only: what to type to load the
/// integration. Never the syntax of a switch.
pub fn login_shell(shell_var: Option<&OsStr>) -> Option<ShellKind> {
    match guess(shell_var?) {
        Guess::Known(kind) => Some(kind),
        _ => None,
    }
}

/// The guess for one process, from every name the system gives for it, and
/// the name to show for it.
fn process_guess(pid: u32) -> (Guess, String) {
    let mut fallback = Guess::Other;
    let names = crate::sys::process::names(pid);
    let shown = names
        .first()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for name in &names {
        match guess(name) {
            Guess::Known(kind) => return (Guess::Known(kind), shown),
            Guess::Unsupported(shell) => fallback = Guess::Unsupported(shell),
            Guess::Runner if fallback == Guess::Other => fallback = Guess::Runner,
            _ => {}
        }
    }
    (fallback, shown)
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
            ("timeout", Guess::Runner),
            ("/usr/bin/env", Guess::Runner),
            ("sudo", Guess::Runner),
            ("xargs", Guess::Runner),
            ("sshd", Guess::Other),
            ("", Guess::Other),
        ];
        for (name, want) in cases {
            assert_eq!(guess(OsStr::new(name)), want, "{name}");
        }
    }
}
