//! `swop completions SHELL`: a script that asks swop itself what to complete.
//!
//! The script registers a completion function that runs
//! `COMPLETE=SHELL swop -- WORDS...`; swop answers from its clap command (the
//! one definition of its grammar: subcommands, options, their values) and,
//! where an argument names an existing profile, from the store. Nothing is
//! generated from a copy of the grammar, so nothing can drift from it.

use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use super::Run;
use super::print_bytes;
use crate::cli::{CompletionsArgs, command};
use crate::error::Result;

/// The environment variable that turns a run of swop into a completion.
pub const COMPLETE_VAR: &str = "COMPLETE";

impl Run for CompletionsArgs {
    fn run(&self) -> Result<()> {
        print_bytes(script(self.shell).as_bytes())
    }
}

/// Answer a shell's completion request and exit, when this run is one.
pub fn answer_if_asked() {
    if std::env::var_os(COMPLETE_VAR).is_some_and(|v| !v.is_empty()) {
        clap_complete::CompleteEnv::with_factory(completion_command)
            .var(COMPLETE_VAR)
            .complete();
    }
}

/// The command as completion sees it: options are offered only when
/// nothing else fits or a `-` was typed, so that `swop exec <TAB>` lists
/// profiles, not flags. (The completer keeps hidden candidates out when
/// visible ones exist.) Aliases are offered only when typed: the completer
/// keeps one name per subcommand, which must be the name (`rm`, not
/// `remove`). After `--`, `exec` and `discover` complete a command: a
/// program, then files; `add --tool` completes the tools with a recipe.
fn completion_command() -> clap::Command {
    hidden_options(command())
        .mut_subcommand("exec", command_after_dashes)
        .mut_subcommand("discover", command_after_dashes)
        .mut_subcommand("add", |add| {
            add.mut_arg("tools", |arg| {
                arg.add(clap_complete::ArgValueCompleter::new(tool_candidates))
            })
        })
}

/// The command after `--` as two arguments, for completion only: its
/// program (a command on PATH, or an executable path), then its arguments
/// (files). clap's completer counts the words of one argument after `--`
/// from the second on, so the program could not be told from what follows.
fn command_after_dashes(cmd: clap::Command) -> clap::Command {
    use clap::{Arg, ValueHint};
    cmd.mut_arg("command", |arg| {
        arg.num_args(1)
            .add(clap_complete::ArgValueCompleter::new(program_candidates))
    })
    .arg(
        Arg::new("command_args")
            .num_args(1..)
            .value_hint(ValueHint::AnyPath),
    )
}

/// The programs whose names start with what is typed: those on PATH, or
/// executable files (and folders on the way) for a path. Offered only
/// after a `--` the user typed: before it, the word is swop's.
fn program_candidates(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    // COMPLETE=SHELL swop -- swop SUBCOMMAND WORDS...: the first `--` is the
    // completer's own.
    let mut words = std::env::args_os().skip_while(|w| w != "--").skip(3);
    if !words.any(|w| w == "--") {
        return Vec::new();
    }
    if current.as_encoded_bytes().contains(&b'/') {
        return clap_complete::engine::ValueCompleter::complete(
            &clap_complete::PathCompleter::any().filter(|p| p.is_dir() || is_program(p)),
            current,
        );
    }
    let typed = current.to_string_lossy();
    let mut names: Vec<std::ffi::OsString> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|dir| dir.is_absolute())
        .flat_map(|dir| std::fs::read_dir(dir).into_iter().flatten().flatten())
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&*typed))
        .filter(|entry| is_program(&entry.path()))
        .map(|entry| entry.file_name())
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(clap_complete::CompletionCandidate::new)
        .collect()
}

/// A file someone may run: a regular file (links followed) with an execute bit.
fn is_program(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The tools `swop add --tool` takes whose names start with what is typed:
/// the catalog's, and those recorded on this machine.
fn tool_candidates(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    use clap_complete::CompletionCandidate;
    let Some(typed) = current.to_str() else {
        return Vec::new();
    };
    let recorded = crate::store::Store::open()
        .ok()
        .and_then(|store| crate::recipe::Recipe::recorded_tools(&store).ok())
        .unwrap_or_default();
    let built_in = crate::recipe::CATALOG
        .iter()
        .map(|known| known.tool)
        .filter(|tool| !recorded.iter().any(|r| r == tool))
        .map(|tool| CompletionCandidate::new(tool).help(Some("built-in recipe".into())));
    let recorded = recorded
        .iter()
        .map(|tool| CompletionCandidate::new(tool).help(Some("recorded here".into())));
    let mut candidates: Vec<CompletionCandidate> = built_in
        .chain(recorded)
        .filter(|c| c.get_value().to_string_lossy().starts_with(typed))
        .collect();
    candidates.sort_by(|a, b| a.get_value().cmp(b.get_value()));
    candidates
}

/// Options hidden, see [`completion_command`]; aliases too.
fn hidden_options(cmd: clap::Command) -> clap::Command {
    fn hide_options(cmd: clap::Command) -> clap::Command {
        use clap::{Arg, ArgAction};
        // clap adds `--help` (and `--version`) when it builds the command:
        // hidden twins take their place.
        let versioned = cmd.get_version().is_some();
        let mut cmd = cmd
            .mut_args(|arg| {
                if arg.get_long().is_some() || arg.get_short().is_some() {
                    arg.hide(true)
                } else {
                    arg
                }
            })
            .disable_help_flag(true)
            .arg(
                Arg::new("help")
                    .long("help")
                    .short('h')
                    .action(ArgAction::Help)
                    .hide(true),
            );
        if versioned {
            cmd = cmd.disable_version_flag(true).arg(
                Arg::new("version")
                    .long("version")
                    .short('V')
                    .action(ArgAction::Version)
                    .hide(true),
            );
        }
        // `visible_alias(None)` drops every alias; they come back hidden.
        let aliases: Vec<clap::builder::Str> = cmd
            .get_all_aliases()
            .map(|alias| clap::builder::Str::from(alias.to_string()))
            .collect();
        if !aliases.is_empty() {
            cmd = cmd.visible_alias(None).aliases(aliases);
        }
        cmd.mut_subcommands(hide_options)
    }
    hide_options(cmd)
}

/// The registration script for `shell`.
pub fn script(shell: clap_complete::Shell) -> String {
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Bash => &Bash,
        clap_complete::Shell::Zsh => &Zsh,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::Elvish => &Elvish,
        clap_complete::Shell::PowerShell => &Powershell,
        _ => &Bash,
    };
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = completer.write_registration(COMPLETE_VAR, "swop", "swop", "swop", &mut out);
    let mut text = String::from_utf8_lossy(&out).into_owned();
    if shell == clap_complete::Shell::Zsh {
        // Autoloaded from fpath as `_swop`, the file runs on the first Tab:
        // it registers the completer, which must then answer that Tab too.
        text.push_str(
            "if [[ ${funcstack[1]-} == _swop ]]; then _clap_dynamic_completer_swop \"$@\"; fi\n",
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_calls_swop_back() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::Elvish,
            clap_complete::Shell::PowerShell,
        ] {
            let text = script(shell);
            assert!(text.contains(COMPLETE_VAR), "{shell}: {text}");
            assert!(text.contains("swop"), "{shell}: {text}");
        }
    }
}
