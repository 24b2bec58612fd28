//! `swop exec` and the heart of `swop shell`: replace swop with a command
//! inside a profile, under the profile's lock.

use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt;
use std::process::Command;

use super::Run;
use crate::cli::{ExecArgs, LockArgs, SealArgs};
use crate::entry::{Entry, Holder, Options, Say};
use crate::error::{Asked, Error, Launch, Result, Usage};
use crate::lock::LockMode;
use crate::store::Store;

impl Run for ExecArgs {
    fn run(&self) -> Result<()> {
        match (&self.name, &self.pick) {
            (Some(name), _) => exec_in_profile(name, &self.lock, &self.seal, &self.command, None)
                .map_err(|err| {
                    // Only a refusal pays for its advice: this runs for every wrapped tool.
                    let words: Vec<String> = self
                        .command
                        .iter()
                        .map(|w| w.to_string_lossy().into_owned())
                        .collect();
                    err.asked_by(Asked::Exec {
                        lock: self.lock.lock.map(lock_word),
                        command: crate::redact::command_to_type(&words),
                    })
                }),
            (None, Some(pick)) => exec_picked(pick, &self.lock, &self.seal, &self.command),
            (None, None) => Err(Usage::ExecWhere.into()),
        }
    }
}

/// `--lock`'s word for `mode`, as typed.
pub(super) fn lock_word(mode: LockMode) -> String {
    use clap::ValueEnum;
    mode.to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

/// Replace swop with `argv` inside the profile, holding its lock, saying
/// `announce` on stderr once everything is ready.
///
/// swop execs rather than spawning: the command keeps swop's pid, its terminal,
/// its exit status and its signals, and the lock's descriptor goes with it.
pub fn exec_in_profile(
    name: &str,
    lock: &LockArgs,
    seal: &SealArgs,
    argv: &[OsString],
    announce: Option<&str>,
) -> Result<()> {
    let Some(command) = argv.split_first() else {
        return Err(Usage::NoCommand.into());
    };
    let store = Store::open()?;
    let profile = store.load(name)?;
    // Fail closed, before anything waits or runs.
    if sealed(seal, &profile) {
        crate::seal::require()?;
    }
    let what = redacted_command_line(argv);
    let options = Options {
        mode: lock
            .lock
            .unwrap_or_else(|| default_lock(&store, &profile, argv)),
        wait: lock.wait,
        what: &what,
        holder: Holder::Command,
    };
    let entry = Entry::command(&store, &profile, &options)?;
    exec_entered(&store, &entry, seal, command, announce)
}

/// `swop exec --pick A,B -- CMD`: the first free profile with the most
/// headroom (see [`crate::pick`]), said on stderr, entered as a named one
/// is: sealed when it is, or when `--seal` asks.
fn exec_picked(pick: &str, lock: &LockArgs, seal: &SealArgs, argv: &[OsString]) -> Result<()> {
    let Some(command) = argv.split_first() else {
        return Err(Usage::NoPickedCommand.into());
    };
    let store = Store::open()?;
    let config = crate::config::Config::load()?;
    let candidates = crate::pick::candidates(&store, pick, &config)?;
    // Fail closed, before anything waits or runs: whichever is picked.
    if candidates.iter().any(|profile| sealed(seal, profile)) {
        crate::seal::require()?;
    }
    let what = redacted_command_line(argv);
    let options = Options {
        mode: lock.lock.unwrap_or_default(),
        wait: lock.wait,
        what: &what,
        holder: Holder::Command,
    };
    let mode_of = |profile: &crate::store::Profile| {
        lock.lock
            .unwrap_or_else(|| default_lock(&store, profile, argv))
    };
    let (entry, reason) = Entry::pick(&store, &candidates, &options, mode_of)?;
    exec_entered(&store, &entry, seal, command, Some(&reason))
}

/// Whether a command of `profile` runs sealed: when the profile is, or
/// `--seal` asks, unless `--no-seal` says otherwise.
fn sealed(seal: &SealArgs, profile: &crate::store::Profile) -> bool {
    (seal.seal || profile.seal) && !seal.no_seal
}

/// Replace swop with `(program, args)` in the profile `entry` entered,
/// sealed when [`sealed`], saying `announce` once everything is ready.
fn exec_entered(
    store: &Store,
    entry: &Entry,
    seal: &SealArgs,
    (program, args): (&OsString, &[OsString]),
    announce: Option<&str>,
) -> Result<()> {
    let sealed = entry.profile().is_some_and(|profile| sealed(seal, profile));
    entry.warn();
    entry.notice(false, typed_by_hand());
    let mut command = Command::new(program);
    command.args(args);
    entry.apply(&mut command)?;
    if let Some(announce) = announce {
        eprintln!("swop: {announce}");
    }
    if sealed {
        entry.seal(store, &mut command, seal.allow_write.clone())?;
    }
    let err = command.exec();
    Err(Error::Exec {
        program: crate::redact::redact_text(&program.to_string_lossy()),
        failure: match err.kind() {
            std::io::ErrorKind::NotFound => Launch::NotFound,
            _ => Launch::NotRunnable(err),
        },
    })
}

/// Whether this `swop exec` was typed by hand, which hears every notice:
/// not run by a wrapped tool's function, nor inside another command's
/// profile (which handed its lock down), which hear them once per shell.
fn typed_by_hand() -> Say {
    let wrapped = std::env::var_os(crate::switch::WRAPPED_VAR).is_some();
    let nested = std::env::var_os(crate::lock::LOCK_FD_VAR).is_some();
    if wrapped || nested {
        Say::Once
    } else {
        Say::Always
    }
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
    crate::redact::command_line(&words)
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
        seal: SealArgs::default(),
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
