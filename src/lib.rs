//! swop: run the same command-line tool as several accounts at once.
//!
//! Each account is a *profile*: folders that stand in for the places a tool keeps
//! its credentials and state, handed to the tool through environment variables.

pub mod cli;
pub(crate) mod cmd;
pub(crate) mod config;
pub mod discover;
pub mod error;
pub(crate) mod lock;
pub(crate) mod logins;
pub mod names;
pub(crate) mod pick;
pub mod recipe;
pub mod redact;
pub(crate) mod residents;
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
pub(crate) mod util;

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
            Some(slips::Reading::PutDashes(line)) => {
                eprintln!("swop: put -- before the command to run: {line}");
                return 2;
            }
            None => {
                let word = args.get(1).and_then(|a| a.to_str());
                let shell_function = cmd::shell_function().is_some();
                if let Some(word @ ("use" | "off")) =
                    word.filter(|_| err.use_stderr() && !shell_function)
                {
                    eprintln!("swop: {}", needs_shell_integration(word, None));
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
                    eprint!("{}", util::printable_text(&redacted));
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

/// `swop use` and `swop off` run by the binary: they change the calling
/// shell, which only the shell function of `swop init` can do.
pub fn needs_shell_integration(word: &str, name: Option<&str>) -> Error {
    let env_args = match (word, name) {
        ("off", _) => "--off",
        (_, Some(name)) if names::is_profile_name(name) => name,
        _ => "NAME",
    };
    let kind = shell::detect()
        .ok()
        .or_else(|| shell::login_shell(std::env::var_os("SHELL").as_deref()))
        .unwrap_or(shell::ShellKind::Sh);
    Error::usage(format!(
        "`swop {word}` needs the shell integration, which is not loaded in this shell: {}",
        cmd::without_integration(kind, env_args)
    ))
}

fn finish(result: Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(err) if err.is_broken_pipe() => 0,
        Err(Error::Said) => 1,
        Err(Error::Interrupted(signal)) => {
            eprintln!("swop: {}", Error::Interrupted(signal));
            die_of(signal)
        }
        Err(err) => {
            // Messages quote paths, values and commands from the store, the
            // environment and the command line: no secret and no escape
            // sequence may reach the terminal through one.
            let message = redact::redact_text(&err.to_string());
            eprintln!("swop: {}", util::printable_text(&message));
            err.code()
        }
    }
}

/// End the process by `signal`, so that the caller sees a death by signal
/// (as a shell does after Ctrl-C); the exit code is the fallback.
fn die_of(signal: i32) -> i32 {
    // SAFETY: restoring the default action and raising a signal at ourselves.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
    128 + signal
}
