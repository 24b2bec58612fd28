//! swop: run the same command-line tool as several accounts at once.
//!
//! Each account is a *profile*: folders that stand in for the places a tool keeps
//! its credentials and state, handed to the tool through environment variables.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod discover;
pub mod error;
pub mod lock;
pub mod names;
pub mod recipe;
pub mod residents;
pub mod shell;
pub mod store;
pub mod switch;
pub mod trace;
pub mod util;

use clap::Parser;

pub use error::{Error, Result};

/// Parse the command line, run it, and turn the outcome into an exit code.
pub fn main() -> i32 {
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
    let shell_function = args
        .get(1)
        .and_then(|a| a.to_str())
        .filter(|a| matches!(*a, "use" | "off"))
        .map(str::to_string);
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            if let Some(word) = shell_function {
                // `use` and `off` change the calling shell, which only a shell
                // function can do: the binary is being run without one.
                eprintln!(
                    "swop: `swop {word}` needs the shell integration: add eval \"$(swop init bash)\" \
                     to ~/.bashrc (zsh: swop init zsh; fish: swop init fish | source) and open a new shell; \
                     without it: eval \"$(swop env{})\"",
                    if word == "off" { " --off" } else { " NAME" }
                );
                return 2;
            }
            let code = if err.use_stderr() { 2 } else { 0 };
            // clap quotes the offending argument: a token typed in the wrong
            // place is shown redacted (and then without colours).
            let plain = err.render().to_string();
            let redacted = discover::redact::redact_text(&plain);
            if code == 2 && redacted != plain {
                eprint!("{}", util::printable_text(&redacted));
                return code;
            }
            // A closed stdout while printing help is not an error worth reporting.
            let _ = err.print();
            return code;
        }
    };
    finish(cmd::run(cli.command))
}

fn finish(result: Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(err) if err.is_broken_pipe() => 0,
        Err(Error::Interrupted(signal)) => {
            eprintln!("swop: {}", Error::Interrupted(signal));
            die_of(signal)
        }
        Err(err) => {
            // Messages quote paths, values and commands from the store, the
            // environment and the command line: no secret and no escape
            // sequence may reach the terminal through one.
            let message = discover::redact::redact_text(&err.to_string());
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
