//! `swop completions SHELL`: clap_complete's scripts, plus profile names.
//!
//! The scripts come from the command line as the user types it, `use` and
//! `off` included (see [`crate::cli::command`]). For bash, zsh and fish a hook
//! from `shell/complete.*` completes profile names through `swop list --names`
//! wherever a subcommand expects one.

use clap_complete::Shell;

use super::Run;
use crate::cli::{CompletionsArgs, command};
use crate::error::Result;
use crate::util::print_bytes;

const BASH_HOOK: &str = include_str!("../../shell/complete.bash");
const ZSH_HOOK: &str = include_str!("../../shell/complete.zsh");
const FISH_HOOK: &str = include_str!("../../shell/complete.fish");

/// The subcommands whose NAME argument is an existing profile.
pub const TAKES_PROFILE: [&str; 8] = ["use", "env", "exec", "shell", "show", "rm", "ps", "stop"];

/// Stands for the profile names in the generated zsh script, where the hook's
/// `_swop_profiles` takes its place.
const PROFILES_MARKER: &str = "SWOP_PROFILE_NAMES_MARKER";
const ZSH_ENTRY: &str = "if [ \"$funcstack[1]\" = \"_swop\" ]; then";

impl Run for CompletionsArgs {
    fn run(&self) -> Result<()> {
        print_bytes(script(self.shell).as_bytes())
    }
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    match shell {
        Shell::Bash => generate(shell, command()) + BASH_HOOK,
        Shell::Fish => generate(shell, command()) + FISH_HOOK,
        Shell::Zsh => {
            let mut command = command();
            for sub in TAKES_PROFILE {
                command = command.mut_subcommand(sub, |c| {
                    c.mut_arg("name", |a| a.value_parser([PROFILES_MARKER]))
                });
            }
            let text = generate(shell, command)
                .replace(&format!(":({PROFILES_MARKER})'"), ":_swop_profiles'");
            // The hook must be defined before the script's last lines call _swop,
            // whether the file is autoloaded from fpath or sourced.
            match text.rfind(ZSH_ENTRY) {
                Some(at) => format!("{}{ZSH_HOOK}{}", &text[..at], &text[at..]),
                None => text + ZSH_HOOK,
            }
        }
        _ => generate(shell, command()),
    }
}

fn generate(shell: Shell, mut command: clap::Command) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "swop", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zsh_completes_profile_names_for_every_subcommand_that_takes_one() {
        let text = script(Shell::Zsh);
        assert!(!text.contains(PROFILES_MARKER), "{text}");
        let calls = text.matches(":_swop_profiles'").count();
        // `rm` is generated twice, as itself and as its alias `remove`.
        assert_eq!(calls, TAKES_PROFILE.len() + 1, "{text}");
        let hook = text.find("_swop_profiles() {").unwrap();
        assert!(hook < text.rfind(ZSH_ENTRY).unwrap());
    }

    /// The options whose value is the next word, which the hooks must skip.
    const TAKES_VALUE: [&str; 4] = ["--lock", "--shell", "--wait", "--timeout"];

    /// The hooks are shell code with their own copies of the lists: they must
    /// name the same subcommands (and `rm`'s alias) and the same options.
    #[test]
    fn the_hooks_list_every_subcommand_that_takes_a_profile() {
        let bash_case = BASH_HOOK
            .lines()
            .find(|l| l.trim_start().starts_with("use |"))
            .expect("the bash hook's case of subcommands");
        let fish_list = FISH_HOOK
            .lines()
            .find(|l| l.contains("contains -- \"$sub\""))
            .expect("the fish hook's list of subcommands");
        let words = |text: &str| -> Vec<String> {
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect()
        };
        let mut wanted: Vec<String> = TAKES_PROFILE.iter().map(|s| s.to_string()).collect();
        wanted.push("remove".into());
        wanted.sort();
        let mut bash = words(bash_case);
        bash.sort();
        assert_eq!(bash, wanted, "{bash_case}");
        let mut fish: Vec<String> = words(fish_list)
            .into_iter()
            .filter(|w| wanted.contains(w))
            .collect();
        fish.sort();
        assert_eq!(fish, wanted, "{fish_list}");
        for option in TAKES_VALUE {
            assert!(
                BASH_HOOK.contains(&format!("{option} "))
                    || BASH_HOOK.contains(&format!("{option})")),
                "bash: {option}"
            );
            assert!(FISH_HOOK.contains(&format!(" {option}")), "fish: {option}");
        }
    }

    #[test]
    fn every_shell_offers_use_and_off() {
        for (shell, form) in [
            (Shell::Bash, "swop,{})"),
            (Shell::Zsh, "'{}:Switch this shell"),
            (Shell::Fish, "-f -a \"{}\" -d 'Switch this shell"),
            (Shell::Elvish, "cand {} 'Switch this shell"),
            (Shell::PowerShell, "[CompletionResult]::new('{}', '{}'"),
        ] {
            let text = script(shell);
            for sub in ["use", "off"] {
                let wanted = form.replace("{}", sub);
                assert!(text.contains(&wanted), "{shell}: no {wanted}");
            }
        }
    }
}
