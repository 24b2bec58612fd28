//! One file per subcommand; `run` dispatches.

mod add;
mod allow;
pub(crate) mod completions;
mod cp;
mod current;
mod discover;
mod doctor;
mod env;
mod exec;
mod folder;
mod idle;
mod init;
mod list;
mod mv;
mod ps;
mod recipes;
mod rm;
mod set;
mod shell;
mod show;
mod status;
mod stop;
mod view;

pub use env::fast_path as env_fast_path;
pub use exec::fast_path as exec_fast_path;

use crate::cli::Command;
use crate::error::Result;

/// Print to stdout in one write; a closed pipe surfaces as an error the caller
/// turns into a quiet exit.
pub fn print_bytes(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(crate::error::doing("writing to stdout"))
}

/// A subcommand.
pub trait Run {
    fn run(&self) -> Result<()>;
}

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Add(args) => args.run(),
        Command::List(args) => args.run(),
        Command::Show(args) => args.run(),
        Command::Set(args) => args.run(),
        Command::Rm(args) => args.run(),
        Command::Mv(args) => args.run(),
        Command::Cp(args) => args.run(),
        Command::Env(args) => args.run(),
        Command::Exec(args) => args.run(),
        Command::Shell(args) => args.run(),
        Command::Allow(args) => args.run(),
        Command::Deny(args) => args.run(),
        Command::Ps(args) => args.run(),
        Command::Stop(args) => args.run(),
        Command::Init(args) => args.run(),
        Command::Completions(args) => args.run(),
        Command::Recipes(args) => args.run(),
        Command::Status(args) => args.run(),
        Command::Use(args) => match shell_function() {
            Some(shell) => print_bytes(&crate::entry::switch_text(
                Some(&args.name),
                Some(shell),
                Some(function_syntax),
            )?),
            None => Err(needs_shell_integration("use", Some(&args.name))),
        },
        Command::Off => match shell_function() {
            Some(shell) => {
                print_bytes(&crate::entry::switch_text(
                    None,
                    Some(shell),
                    Some(function_syntax),
                )?)?;
                crate::entry::say_if_still_held();
                Ok(())
            }
            None => Err(needs_shell_integration("off", None)),
        },
        Command::Discover(args) => args.run(),
        Command::Doctor => doctor::Doctor.run(),
    }
}

pub use init::needs_shell_integration;

/// Set by the shell function of `swop init` for `use` and `off`: the shell
/// whose syntax to print. The function evaluates what swop prints, so swop
/// reads the words (one grammar, clap's) and the function reads none.
pub const SHELL_FUNCTION_VAR: &str = "SWOP_SHELL_FUNCTION";

/// The shell a `use` or `off` runs for, when the shell function runs it.
pub fn shell_function() -> Option<crate::shell::ShellKind> {
    let value = std::env::var_os(SHELL_FUNCTION_VAR)?;
    crate::shell::ShellKind::parse(value.to_str()?)
}

/// What the shell function of `shell` evaluates: its own syntax, but JSON
/// for nushell, whose function loads a record (it cannot evaluate text).
fn function_syntax(shell: crate::shell::ShellKind) -> crate::shell::ShellKind {
    use crate::shell::ShellKind;
    match shell {
        ShellKind::Nu => ShellKind::Json,
        other => other,
    }
}

/// The fast paths of `env` and `exec` are a second reading of the grammar
/// clap defines: for any argument list, they must give up (`None`) or read
/// exactly what clap reads.
#[cfg(test)]
mod grammar {
    use std::ffi::OsString;

    use clap::Parser;
    use proptest::prelude::*;

    use crate::cli::{Cli, Command};

    fn argv(words: &[String]) -> Vec<OsString> {
        std::iter::once("swop".to_string())
            .chain(words.iter().cloned())
            .map(OsString::from)
            .collect()
    }

    fn words(vocabulary: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(
            proptest::sample::select(vocabulary).prop_map(str::to_string),
            0..7,
        )
    }

    const ENV_WORDS: &[&str] = &[
        "work",
        "a.b",
        "--off",
        "--shell",
        "--shell=fish",
        "--shell=",
        "fish",
        "bash",
        "zsh",
        "sh",
        "json",
        "-x",
        "--",
        "",
        "--wait",
        "--help",
        "-",
        "x y",
        "--off=1",
        "--folder",
        "--folder=/p/.swop",
        "--folder=",
        "/p/.swop",
        "--told",
    ];

    const EXEC_WORDS: &[&str] = &[
        "work",
        "other",
        "--lock",
        "--lock=none",
        "--lock=",
        "shared",
        "none",
        "exclusive",
        "bogus",
        "--wait",
        "--wait=5",
        "--wait=",
        "30",
        "2.5",
        "soon",
        "-1",
        "--",
        "true",
        "codex",
        "-v",
        "--help",
        "",
        "forever",
        "inf",
        "1e19",
        "--pick",
        "--pick=a,b",
        "a,b",
        "agents",
        "--seal",
        "--no-seal",
        "--allow-write",
    ];

    /// `exec` lines in the shapes people type: options around the name,
    /// then `--` and a command.
    fn exec_lines() -> impl Strategy<Value = Vec<String>> {
        let option = proptest::sample::select(
            &[
                "--lock shared",
                "--lock none",
                "--lock exclusive",
                "--lock=shared",
                "--wait",
                "--wait 30",
                "--wait=2.5",
                "--lock bogus",
                "--wait soon",
                "--pick a,b",
                "--pick=agents",
            ][..],
        );
        (
            proptest::collection::vec(option.clone(), 0..2),
            proptest::sample::select(&["work", "a.b", "-x"][..]),
            proptest::collection::vec(option, 0..3),
            proptest::collection::vec(proptest::sample::select(EXEC_WORDS), 0..3),
        )
            .prop_map(|(before, name, after, command)| {
                let mut words = Vec::new();
                for option in before {
                    words.extend(option.split(' ').map(str::to_string));
                }
                words.push(name.to_string());
                for option in after {
                    words.extend(option.split(' ').map(str::to_string));
                }
                words.push("--".into());
                words.push("true".into());
                words.extend(command.into_iter().map(str::to_string));
                words
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn env_fast_path_reads_what_clap_reads(rest in words(ENV_WORDS)) {
            let mut words = vec!["env".to_string()];
            words.extend(rest);
            let args = argv(&words);
            if let Some(fast) = super::env_fast_path(&args) {
                let parsed = Cli::try_parse_from(&args);
                prop_assert!(parsed.is_ok(), "{words:?}: the fast path took what clap refuses");
                let Ok(Cli { command: Command::Env(clap), .. }) = parsed else {
                    return Err(TestCaseError::fail(format!("{words:?}: not env")));
                };
                prop_assert_eq!(
                    (fast.name, fast.off, fast.shell, fast.folder, fast.told),
                    (clap.name, clap.off, clap.shell, clap.folder, clap.told),
                    "{:?}", words
                );
            }
        }

        #[test]
        fn exec_fast_path_reads_what_clap_reads(rest in prop_oneof![words(EXEC_WORDS), exec_lines()]) {
            let mut words = vec!["exec".to_string()];
            words.extend(rest);
            let args = argv(&words);
            if let Some(fast) = super::exec_fast_path(&args) {
                let parsed = Cli::try_parse_from(&args);
                prop_assert!(parsed.is_ok(), "{words:?}: the fast path took what clap refuses");
                let Ok(Cli { command: Command::Exec(clap), .. }) = parsed else {
                    return Err(TestCaseError::fail(format!("{words:?}: not exec")));
                };
                prop_assert_eq!(
                    (fast.name, fast.pick, fast.lock.lock, fast.lock.wait, fast.command),
                    (clap.name, clap.pick, clap.lock.lock, clap.lock.wait, clap.command),
                    "{:?}", words
                );
                prop_assert_eq!(
                    (fast.seal.seal, fast.seal.no_seal, fast.seal.allow_write),
                    (clap.seal.seal, clap.seal.no_seal, clap.seal.allow_write),
                    "{:?}", words
                );
            }
        }
    }
}
