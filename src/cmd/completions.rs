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
/// visible ones exist.)
fn completion_command() -> clap::Command {
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
        cmd.mut_subcommands(hide_options)
    }
    hide_options(command())
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
