//! `swop exec` and the heart of `swop shell`: replace swop with a command
//! inside a profile, under the profile's lock.

use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt;
use std::process::Command;

use super::Run;
use crate::cli::{ExecArgs, LockArgs};
use crate::error::{Error, Result};
use crate::lock::LockMode;
use crate::lock::{CommandLock, LOCK_FD_VAR, ProfileLock};
use crate::store::Store;
use crate::switch;

impl Run for ExecArgs {
    fn run(&self) -> Result<()> {
        match (&self.name, &self.pick) {
            (Some(name), _) => exec_in_profile(name, &self.lock, &self.command, None),
            (None, Some(pick)) => exec_picked(pick, &self.lock, &self.command),
            (None, None) => Err(Error::usage(
                "name a profile or --pick some; usage: swop exec NAME -- CMD [ARGS]...",
            )),
        }
    }
}

/// `swop exec --pick A,B -- CMD`: the first free profile with the most
/// headroom (see [`crate::pick`]), said on stderr.
fn exec_picked(pick: &str, lock: &LockArgs, argv: &[OsString]) -> Result<()> {
    if argv.is_empty() {
        return Err(Error::usage(
            "no command given; usage: swop exec --pick A,B -- CMD [ARGS]...",
        ));
    }
    let store = Store::open()?;
    let config = crate::config::Config::load()?;
    let profiles = crate::pick::candidates(&store, pick, &config)?;
    let what = redacted_command_line(argv);
    let mode_of = |profile: &crate::store::Profile| {
        lock.lock
            .unwrap_or_else(|| default_lock(&store, profile, argv))
    };
    let picked = crate::pick::choose(profiles, mode_of, lock.wait, &what)?;
    run_locked(
        &store,
        &picked.profile,
        picked.lock,
        argv,
        Some(&picked.reason),
    )
}

/// Replace swop with `argv` inside the profile, holding its lock, saying
/// `announce` on stderr once everything is ready.
///
/// swop execs rather than spawning: the command keeps swop's pid, its terminal,
/// its exit status and its signals, and the lock's descriptor goes with it.
pub fn exec_in_profile(
    name: &str,
    lock: &LockArgs,
    argv: &[OsString],
    announce: Option<&str>,
) -> Result<()> {
    if argv.is_empty() {
        return Err(Error::usage(
            "no command given; usage: swop exec NAME -- CMD [ARGS]...",
        ));
    }
    let store = Store::open()?;
    let profile = store.load(name)?;
    let what = redacted_command_line(argv);
    let mode = lock
        .lock
        .unwrap_or_else(|| default_lock(&store, &profile, argv));
    // A command already running under this profile's lock (a wrapped tool in
    // `swop shell`, a script run by `swop exec`) is part of the holder: it
    // goes on under the lock it inherited instead of waiting for itself.
    let held = ProfileLock::for_command(&profile, mode, lock.wait, &what)?;
    run_locked(&store, &profile, held, argv, announce)
}

/// Replace swop with `argv` in `profile`, whose lock is `held`.
fn run_locked(
    store: &Store,
    profile: &crate::store::Profile,
    held: CommandLock,
    argv: &[OsString],
    announce: Option<&str>,
) -> Result<()> {
    let Some((program, args)) = argv.split_first() else {
        return Err(Error::usage(
            "no command given; usage: swop exec NAME -- CMD [ARGS]...",
        ));
    };
    store.ensure_binding_dirs(profile)?;
    let plan = switch::plan(
        &switch::Current::process(store),
        Some(profile),
        store.root(),
    )?;
    for warning in &plan.warnings {
        eprintln!("swop: warning: {warning}");
    }
    if let Some(notice) = switch::removal_notice(&plan.removed, profile, false) {
        eprintln!("swop: {notice}");
    }
    let mut command = Command::new(program);
    command.args(args);
    for (var, value) in &plan.changes {
        match value {
            Some(value) => command.env(var, value),
            None => command.env_remove(var),
        };
    }
    match &held {
        CommandLock::Own(held) => {
            held.inherit_across_exec()?;
            command.env(LOCK_FD_VAR, held.fd().to_string());
        }
        CommandLock::Inherited(fd) => {
            command.env(LOCK_FD_VAR, fd.to_string());
        }
        // A variable left from another profile's lock would name a descriptor
        // that means nothing here.
        CommandLock::Unlocked => {
            command.env_remove(LOCK_FD_VAR);
        }
    }
    if let Some(announce) = announce {
        eprintln!("swop: {announce}");
    }
    let err = command.exec();
    let shown = crate::redact::redact_text(&program.to_string_lossy());
    Err(match err.kind() {
        std::io::ErrorKind::NotFound => Error::Exec {
            code: 127,
            message: format!("{shown}: command not found"),
        },
        _ => Error::Exec {
            code: 126,
            message: format!("{shown}: cannot run: {err}"),
        },
    })
}

/// The lock of a command run without `--lock`: none for a command that the
/// recipe of one of the profile's tools marks read-only (`codex login
/// status`), so that it runs beside a session, which holds the profile
/// exclusively; else exclusive. flock has no lock that an exclusive holder
/// lets through, so beside a session the only lock is none at all.
fn default_lock(store: &Store, profile: &crate::store::Profile, argv: &[OsString]) -> LockMode {
    match crate::recipe::read_only_tool(store, &profile.tools, argv) {
        Some(_) => LockMode::None,
        None => LockMode::Exclusive,
    }
}

fn redacted_command_line(argv: &[OsString]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|w| OsStr::to_string_lossy(w).into_owned())
        .collect();
    crate::redact::redact_command(&words).join(" ")
}

/// `swop exec NAME [--lock MODE] [--wait [SECS]] -- CMD...` parsed without
/// clap, for the same reason as `swop env`: wrapped tools go through it on
/// every call. Anything unusual returns `None` and goes through clap.
pub fn fast_path(args: &[OsString]) -> Option<ExecArgs> {
    use clap::ValueEnum;
    let rest = args.get(1..)?;
    if rest.first()?.to_str()? != "exec" {
        return None;
    }
    let dash = rest.iter().position(|a| a == "--")?;
    let command = rest[dash + 1..].to_vec();
    if command.is_empty() {
        return None;
    }
    let mut name = None;
    let mut lock = LockArgs {
        lock: None,
        wait: None,
    };
    let (mut seen_lock, mut seen_wait) = (false, false);
    let mut words = rest[1..dash].iter().map(|w| w.to_str()).peekable();
    while let Some(word) = words.next() {
        let word = word?;
        let (flag, inline) = match word.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
            _ => (word, None),
        };
        match flag {
            "--lock" if !seen_lock => {
                seen_lock = true;
                let value = match inline {
                    Some(v) => v,
                    None => words.next()??,
                };
                lock.lock = Some(LockMode::from_str(value, false).ok()?);
            }
            "--wait" if !seen_wait => {
                seen_wait = true;
                lock.wait = Some(match inline {
                    Some(v) => v.parse().ok()?,
                    // An optional value: a following number is the limit.
                    None => match words.peek() {
                        Some(Some(next)) if !next.starts_with('-') => {
                            // Before NAME the word is ambiguous to a reader: leave it to clap.
                            name.as_ref()?;
                            let secs = next.parse().ok()?;
                            words.next();
                            secs
                        }
                        _ => crate::lock::Wait::Forever,
                    },
                });
            }
            _ if !word.starts_with('-') && name.is_none() && !word.is_empty() => {
                name = Some(word.to_string());
            }
            _ => return None,
        }
    }
    Some(ExecArgs {
        name: Some(name?),
        pick: None,
        lock,
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn argv(args: &[&str]) -> Vec<OsString> {
        std::iter::once("swop")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn fast_path_agrees_with_clap() {
        let cases: &[&[&str]] = &[
            &["exec", "work", "--", "codex"],
            &["exec", "work", "--", "codex", "--", "-x"],
            &["exec", "work", "--lock", "shared", "--", "true"],
            &["exec", "work", "--lock=none", "--wait", "--", "true"],
            &["exec", "work", "--wait", "30", "--", "true"],
            &[
                "exec",
                "work",
                "--wait=2.5",
                "--lock",
                "exclusive",
                "--",
                "true",
            ],
            &["exec", "--lock", "shared", "work", "--", "true"],
        ];
        for case in cases {
            let got = fast_path(&argv(case)).unwrap_or_else(|| panic!("{case:?}: no fast path"));
            let crate::cli::Command::Exec(want) = crate::cli::Cli::parse_from(argv(case)).command
            else {
                panic!("not exec");
            };
            assert_eq!(
                (
                    got.name,
                    got.pick,
                    got.lock.lock,
                    got.lock.wait,
                    got.command
                ),
                (
                    want.name,
                    want.pick,
                    want.lock.lock,
                    want.lock.wait,
                    want.command
                ),
                "{case:?}"
            );
        }
        for slow in [
            &["exec", "work"][..],
            &["exec", "work", "--"],
            &["exec", "--", "true"],
            &["exec", "a", "b", "--", "true"],
            &["exec", "work", "--lock", "bogus", "--", "true"],
            &[
                "exec", "work", "--lock", "shared", "--lock", "none", "--", "true",
            ],
            &["exec", "work", "--help", "--", "true"],
            &["exec", "work", "--wait", "soon", "--", "true"],
            &["exec", "--wait", "30", "work", "--", "true"],
            &["exec", "--pick", "a,b", "--", "true"],
            &["exec", "--pick=a,b", "--", "true"],
            &["env", "work"],
        ] {
            assert!(
                fast_path(&argv(slow)).is_none(),
                "{slow:?} must go through clap"
            );
        }
    }
}
