//! Second readings of a command line that clap refused, for the slips
//! people make:
//!
//! - no `--` before the command (`swop exec work codex login status`,
//!   `swop exec work --wait codex`): swop does not guess where the command
//!   starts, it says where `--` goes;
//! - `--wait` before NAME (`swop exec --wait work -- true`): `--wait` takes an
//!   optional number of seconds, and `work` is no number, so it is NAME and
//!   the wait has no limit, as it would have after NAME;
//! - NAME after `--` (`swop exec -- work true`): it goes before;
//! - `swop use` without a name, in a shell with the integration;
//! - `swop -v`, which is no option of swop's;
//! - a redirection in tcsh (`swop list > f`), which its alias hands to swop
//!   as words.
//!
//! clap stays the only grammar: a reading counts only when the corrected
//! command line parses.

use std::ffi::OsString;

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::cli::Cli;
use crate::error::Usage;

/// What to make of a refused command line.
#[derive(Debug)]
pub enum Reading {
    /// It says one thing only, which clap did not see.
    Meant(Box<Cli>),
    /// A slip that a message fits better than clap's.
    Slip(Usage),
}

/// The subcommands whose last argument is a command after `--`.
const RUN_COMMANDS: [&str; 2] = ["exec", "discover"];

/// What tcsh hands on as words when an alias is redirected.
const REDIRECTIONS: [&str; 9] = [">", ">>", ">&", ">>&", ">!", ">>!", "<", "|", "|&"];

/// A second reading of `args`, refused by clap with `err`.
pub fn reread(args: &[OsString], err: &clap::Error) -> Option<Reading> {
    // Mending `--wait` keeps every word in its place, so the place found for
    // `--` in the mended line is the same in what the user typed.
    let (mended, err) = match wait_before_name(args, err) {
        Some(mended) => match Cli::try_parse_from(&mended) {
            Ok(cli) => return Some(Reading::Meant(Box::new(cli))),
            Err(next) => (mended, next),
        },
        None => return put_dashes(args, args, err).or_else(|| other_slip(args, err)),
    };
    put_dashes(args, &mended, &err)
}

/// [`missing_dashes`] in `mended`, shown in what the user `typed`.
fn put_dashes(typed: &[OsString], mended: &[OsString], err: &clap::Error) -> Option<Reading> {
    let at = missing_dashes(mended, err)?;
    let mut typed = typed.to_vec();
    typed.insert(at, "--".into());
    Some(Reading::Slip(Usage::PutDashes(shown(&typed))))
}

/// The slips that are not about `--wait` or a missing `--`.
fn other_slip(args: &[OsString], err: &clap::Error) -> Option<Reading> {
    let slip = if let Some(line) = redirected_in_tcsh(args, err) {
        Usage::RedirectInTcsh(line)
    } else if let Some(line) = name_after_dashes(args, err) {
        Usage::NameBeforeDashes(line)
    } else if let Some(flag) = verbose(err) {
        Usage::NoVerbose(flag)
    } else if use_without_name(args, err) {
        let store = crate::store::Store::open().ok();
        Usage::UseWhat(store.and_then(|s| s.names().ok()).unwrap_or_default())
    } else {
        return None;
    };
    Some(Reading::Slip(slip))
}

fn context(err: &clap::Error, kind: ContextKind) -> Option<&str> {
    match err.get(kind)? {
        ContextValue::String(s) => Some(s),
        _ => None,
    }
}

/// `--wait WORD` where WORD was refused as a number of seconds: the same line
/// with `--wait` alone (no limit) and WORD left for what follows.
fn wait_before_name(args: &[OsString], err: &clap::Error) -> Option<Vec<OsString>> {
    if err.kind() != ErrorKind::ValueValidation
        || !context(err, ContextKind::InvalidArg)?.starts_with("--wait")
    {
        return None;
    }
    let value = context(err, ContextKind::InvalidValue)?;
    let at = args
        .windows(2)
        .position(|pair| pair[0] == "--wait" && pair[1] == value)?;
    let mut mended = args.to_vec();
    mended[at] = "--wait=forever".into();
    Some(mended)
}

/// An unexpected word where `exec` or `discover` has no `--` yet: where `--`
/// goes for the line to parse. For `discover`, before that word. For
/// `exec`, before the first word that is no option where the line parses:
/// NAME or `--pick` must come before `--`, so an earlier place never parses
/// (with `--pick`, clap may take the command's first word for NAME and
/// refuse it as a conflict, or refuse the word after it).
fn missing_dashes(args: &[OsString], err: &clap::Error) -> Option<usize> {
    let sub = args.get(1)?.to_str()?;
    if !RUN_COMMANDS.contains(&sub) || args.iter().any(|a| a == "--") {
        return None;
    }
    let parses = |i: usize| {
        let mut mended = args.to_vec();
        mended.insert(i, "--".into());
        Cli::try_parse_from(&mended).is_ok()
    };
    match (sub, err.kind()) {
        ("exec", ErrorKind::UnknownArgument | ErrorKind::ArgumentConflict) => (2..args.len())
            .filter(|&i| !args[i].to_string_lossy().starts_with('-'))
            .find(|&i| parses(i)),
        (_, ErrorKind::UnknownArgument) => {
            let word = context(err, ContextKind::InvalidArg)?;
            (2..args.len())
                .filter(|&i| args[i] == word)
                .find(|&i| parses(i))
        }
        _ => None,
    }
}

/// `swop exec -- NAME CMD...`: the line with NAME before `--`, if it parses.
fn name_after_dashes(args: &[OsString], err: &clap::Error) -> Option<String> {
    if err.kind() != ErrorKind::MissingRequiredArgument || args.get(1)? != "exec" {
        return None;
    }
    let dashes = args.iter().position(|a| a == "--")?;
    let name = args.get(dashes + 1)?;
    let mut mended = args.to_vec();
    mended.remove(dashes + 1);
    mended.insert(dashes, name.clone());
    Cli::try_parse_from(&mended).ok()?;
    Some(shown(&mended))
}

/// `-v` or `--verbose`, refused: swop has neither.
fn verbose(err: &clap::Error) -> Option<String> {
    if err.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let flag = context(err, ContextKind::InvalidArg)?;
    matches!(flag, "-v" | "--verbose").then(|| flag.to_string())
}

/// `swop use` without a name, run by the integration's function (without
/// it, the integration is what is missing).
fn use_without_name(args: &[OsString], err: &clap::Error) -> bool {
    err.kind() == ErrorKind::MissingRequiredArgument
        && args.get(1).is_some_and(|a| a == "use")
        && crate::cmd::shell_function().is_some()
}

/// A redirection that tcsh handed on as words (its integration's `swop` is
/// an alias, which reads them so): the command line that redirects swop,
/// as a subshell.
fn redirected_in_tcsh(args: &[OsString], err: &clap::Error) -> Option<String> {
    if err.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let at = args
        .iter()
        .position(|a| a.to_str().is_some_and(|a| REDIRECTIONS.contains(&a)))?;
    if at < 2 || crate::shell::detect().ok()? != crate::shell::ShellKind::Tcsh {
        return None;
    }
    let rest: Vec<String> = args[at..]
        .iter()
        .map(|word| {
            let word = word.to_string_lossy().into_owned();
            if REDIRECTIONS.contains(&word.as_str()) {
                word
            } else {
                crate::redact::command_to_type(&[word])
            }
        })
        .collect();
    Some(format!("({}) {}", shown(&args[..at]), rest.join(" ")))
}

/// The command line as a user would type it, arguments that look like
/// secrets redacted (it is printed in an error message).
fn shown(args: &[OsString]) -> String {
    let mut words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    words[0] = "swop".into();
    crate::redact::command_to_type(&words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Command;
    use crate::lock::{LockMode, Wait};

    fn args(line: &[&str]) -> Vec<OsString> {
        std::iter::once("swop")
            .chain(line.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn read(line: &[&str]) -> Option<Reading> {
        let args = args(line);
        let err = Cli::try_parse_from(&args).expect_err("clap must refuse it");
        reread(&args, &err)
    }

    #[test]
    fn wait_before_a_name_that_is_no_number_waits_without_a_limit() {
        for line in [
            &["exec", "--wait", "work", "--", "true"][..],
            &["exec", "--lock", "shared", "--wait", "work", "--", "true"],
        ] {
            let Some(Reading::Meant(cli)) = read(line) else {
                panic!("{line:?}: no reading");
            };
            let Command::Exec(exec) = cli.command else {
                panic!("not exec");
            };
            assert_eq!(exec.name.as_deref(), Some("work"));
            assert_eq!(exec.lock.wait, Some(Wait::Forever));
            assert_eq!(exec.command, ["true"]);
            assert!(exec.lock.lock.is_none() || exec.lock.lock == Some(LockMode::Shared));
        }
        let Some(Reading::Meant(cli)) = read(&["shell", "--wait", "work"]) else {
            panic!("shell: no reading");
        };
        assert!(matches!(cli.command, Command::Shell(s) if s.name == "work"));
    }

    #[test]
    fn a_command_without_dashes_is_answered_with_where_they_go() {
        let Some(Reading::Slip(Usage::PutDashes(line))) =
            read(&["exec", "work", "codex", "login", "status"])
        else {
            panic!("no reading");
        };
        assert_eq!(line, "swop exec work -- codex login status");
        let Some(Reading::Slip(Usage::PutDashes(line))) =
            read(&["exec", "--wait", "work", "codex"])
        else {
            panic!("no reading of both slips");
        };
        assert_eq!(line, "swop exec --wait work -- codex");
        for (typed, meant) in [
            (
                &["exec", "--pick", "a,b", "codex", "login", "status"][..],
                "swop exec --pick a,b -- codex login status",
            ),
            (
                &["exec", "--pick", "a,b", "codex"],
                "swop exec --pick a,b -- codex",
            ),
            (
                &["exec", "--pick=a,b", "--wait", "codex"],
                "swop exec --pick=a,b --wait -- codex",
            ),
        ] {
            let Some(Reading::Slip(Usage::PutDashes(line))) = read(typed) else {
                panic!("{typed:?}: no reading");
            };
            assert_eq!(line, meant);
        }
        let Some(Reading::Slip(Usage::PutDashes(line))) = read(&["discover", "codex", "login"])
        else {
            panic!("discover: no reading");
        };
        assert_eq!(line, "swop discover -- codex login");
        // `--wait` took the command's first word for its seconds.
        let Some(Reading::Slip(Usage::PutDashes(line))) =
            read(&["exec", "work", "--wait", "codex", "login", "status"])
        else {
            panic!("no reading of --wait before the command");
        };
        assert_eq!(line, "swop exec work --wait -- codex login status");
        let Some(Reading::Slip(Usage::PutDashes(line))) =
            read(&["exec", "work", "--wait", "codex"])
        else {
            panic!("no reading of --wait before a lone command");
        };
        assert_eq!(line, "swop exec work --wait -- codex");
        // Secrets in the command stay out of the message.
        let Some(Reading::Slip(Usage::PutDashes(line))) = read(&[
            "exec",
            "work",
            "tool",
            "--api-key",
            "sk-abcdefghijklmnopqrstuvwx",
        ]) else {
            panic!("no reading");
        };
        assert!(!line.contains("sk-abc"), "{line}");
    }

    #[test]
    fn a_name_after_the_dashes_goes_before_them() {
        let Some(Reading::Slip(Usage::NameBeforeDashes(line))) =
            read(&["exec", "--", "work", "true"])
        else {
            panic!("no reading");
        };
        assert_eq!(line, "swop exec work -- true");
        let Some(Reading::Slip(Usage::NameBeforeDashes(line))) =
            read(&["exec", "--wait", "5", "--", "work", "codex", "login"])
        else {
            panic!("no reading with options");
        };
        assert_eq!(line, "swop exec --wait 5 work -- codex login");
    }

    #[test]
    fn verbose_is_said_to_be_no_option() {
        for (line, flag) in [
            (&["-v"][..], "-v"),
            (&["--verbose", "list"], "--verbose"),
            (&["list", "-v"], "-v"),
        ] {
            let Some(Reading::Slip(Usage::NoVerbose(said))) = read(line) else {
                panic!("{line:?}: no reading");
            };
            assert_eq!(said, flag);
        }
    }

    #[test]
    fn other_mistakes_get_no_second_reading() {
        for line in [
            &["exec", "work", "--wait=soon", "--", "true"][..],
            &["exec", "work", "--wait", "soon", "--", "true"],
            &["list", "extra"],
            &["exec", "work", "--bogus", "--", "true"],
        ] {
            let args = args(line);
            if let Err(err) = Cli::try_parse_from(&args) {
                assert!(reread(&args, &err).is_none(), "{line:?}");
            }
        }
    }
}
