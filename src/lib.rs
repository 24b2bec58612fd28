//! swop: run the same command-line tool as several accounts at once.
//!
//! Each account is a *profile*: folders that stand in for the places a tool keeps
//! its credentials and state, handed to the tool through environment variables.
//!
//! The library is swop's own, public only for its tests: its documentation is
//! for maintainers (`cargo doc --document-private-items`), and its links may
//! reach private items.
#![allow(rustdoc::private_intra_doc_links)]

pub mod cli;
pub(crate) mod cmd;
pub(crate) mod config;
pub mod discover;
pub(crate) mod entry;
pub mod error;
pub(crate) mod files;
pub(crate) mod lock;
pub(crate) mod logins;
pub mod names;
pub(crate) mod output;
pub(crate) mod pick;
pub mod recipe;
pub mod redact;
pub(crate) mod residents;
pub(crate) mod seal;
pub(crate) mod share;
pub mod shell;
pub(crate) mod slips;
pub(crate) mod status;
pub mod store;
pub mod switch;
pub(crate) mod sys;
pub mod trace;
pub mod trust;
pub mod usage;

use clap::Parser;

pub use error::{Error, Result};

/// Skipped unit tests, listed when the tests end (the integration tests' file).
#[cfg(test)]
#[path = "../tests/integration/skips.rs"]
mod test_skips;

/// Parse the command line, run it, and turn the outcome into an exit code.
pub fn main() -> i32 {
    cmd::completions::answer_if_asked();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `swop env` runs on every shell switch and in prompt hooks, `swop exec` on
    // every wrapped tool: their plain forms skip building the whole clap
    // command, which costs more than the work.
    if let Some(env) = cmd::env_fast_path(&args) {
        return finish(cmd::Run::run(&env));
    }
    if let Some(exec) = cmd::exec_fast_path(&args) {
        return finish(cmd::Run::run(&exec));
    }
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => match slips::reread(&args, &err) {
            Some(slips::Reading::Meant(cli)) => *cli,
            Some(slips::Reading::Slip(usage)) => return finish(Err(usage.into())),
            None => {
                let word = args.get(1).and_then(|a| a.to_str());
                let shell_function = cmd::shell_function().is_some();
                if let Some(word @ ("use" | "off")) =
                    word.filter(|_| err.use_stderr() && !shell_function)
                {
                    eprintln!("swop: {}", cmd::needs_shell_integration(word, None));
                    return 2;
                }
                let code = if err.use_stderr() { 2 } else { 0 };
                // The shell function evaluates stdout: help goes to stderr.
                if code == 0 && cmd::shell_function().is_some() {
                    eprint!("{}", err.render());
                    return 0;
                }
                // clap quotes the offending argument: a token typed in the
                // wrong place is shown redacted (and then without colours).
                let plain = err.render().to_string();
                let redacted = redact::redact_text(&plain);
                if code == 2 && redacted != plain {
                    eprint!("{}", output::printable_text(&redacted));
                    return code;
                }
                // A closed stdout while printing help is not an error worth reporting.
                let _ = err.print();
                return code;
            }
        },
    };
    finish(cmd::run(cli.command))
}

fn finish(result: Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(err) if err.is_broken_pipe() => 0,
        Err(Error::Said) => 1,
        Err(Error::Interrupted(signal)) => {
            eprintln!("swop: {}", Error::Interrupted(signal));
            sys::handlers::die_of(signal)
        }
        Err(err) => {
            // Messages quote paths, values and commands from the store, the
            // environment and the command line: no secret and no escape
            // sequence may reach the terminal through one.
            let message = redact::redact_text(&err.to_string());
            eprintln!("swop: {}", output::printable_text(&message));
            err.code()
        }
    }
}
