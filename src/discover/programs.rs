//! Which programs a discovery is about: the tool a step runs (inside `sh -c`
//! or `env` when it is one), the programs a step names, and whether a step
//! can run at all.

use std::path::{Path, PathBuf};

use super::model::Step;
use crate::error::{Error, Launch, Result, Usage};

/// A step whose program cannot be found would be traced as a tool that touches
/// nothing, and "proved" to need nothing.
pub fn check_runnable(step: &Step) -> Result<()> {
    let Some(program) = step.argv.first() else {
        return Err(Usage::NoProgram.into());
    };
    let found = if Path::new(program).components().count() > 1 {
        Path::new(program).is_file()
    } else {
        which::which(program).is_ok()
    };
    if found {
        Ok(())
    } else {
        Err(Error::Exec {
            program: crate::redact::redact_text(&program.to_string_lossy()),
            failure: Launch::NotFound,
        })
    }
}

/// Shells whose `-c` script names the programs that matter.
fn is_shell(word: &str) -> bool {
    matches!(
        base_name(word),
        "sh" | "bash" | "dash" | "zsh" | "fish" | "ksh" | "mksh"
    )
}

fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Commands that feed or wrap a tool in a script rather than being it.
const HELPERS: &[&str] = &[
    "printf", "echo", "cat", "true", "false", "test", "[", "exec", "env", "sleep", "cd", "export",
    "read", "yes", "command", "builtin", "set", "unset", "timeout", "nohup", "nice", "time",
    "head", "tail", "tee", "grep", "sed", "awk", "xargs", "sh", "bash", "dash", "zsh", "fish",
];

/// The command words of a shell script: the first word of each simple command.
fn script_commands(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    for segment in script.split(['|', ';', '&', '\n', '(', ')', '`']) {
        let words = shell_words::split(segment)
            .unwrap_or_else(|_| segment.split_whitespace().map(str::to_string).collect());
        // Skip assignments and commands that only run the next word.
        let first = words.into_iter().find(|w| {
            let assignment =
                w.contains('=') && w.split('=').next().is_some_and(crate::names::is_var_name);
            !assignment && !matches!(w.as_str(), "exec" | "command" | "nohup" | "env" | "time")
        });
        if let Some(word) = first {
            out.push(word);
        }
    }
    out
}

/// The programs a step runs: its own, and those named inside `sh -c '...'`
/// (or run by `env`).
pub fn run_by(step: &Step) -> Vec<String> {
    let words: Vec<String> = step
        .argv
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let mut out: Vec<String> = words.first().cloned().into_iter().collect();
    if words.first().is_some_and(|w| is_shell(w))
        && let Some(pos) = words.iter().position(|w| w == "-c")
        && let Some(script) = words.get(pos + 1)
    {
        out.extend(
            script_commands(script)
                .into_iter()
                .filter(|w| !HELPERS.contains(&base_name(w))),
        );
    } else if words.first().is_some_and(|w| base_name(w) == "env") {
        out.extend(
            words
                .iter()
                .skip(1)
                .find(|w| !w.starts_with('-') && !w.contains('='))
                .cloned(),
        );
    }
    out
}

/// The tool a discovery is about: the recorded name, else the program the
/// user's command runs (inside `sh -c` or `env` when it is one). Never a
/// program the tool itself ran.
pub fn tool_name(record: Option<&str>, steps: &[Step]) -> Option<String> {
    if let Some(tool) = record {
        return Some(tool.to_string());
    }
    let first = steps.first()?;
    run_by(first)
        .into_iter()
        .map(|w| base_name(&w).to_string())
        .find(|w| !is_shell(w) && !HELPERS.contains(&w.as_str()) && !w.is_empty())
}

/// The program to ask for `--version`: the step's own path when it names the
/// tool (or, for a catalog name such as `huggingface`, one of its programs,
/// `hf`), else the tool found on PATH.
pub fn tool_program(tool: &str, steps: &[Step]) -> Option<PathBuf> {
    steps
        .iter()
        .flat_map(run_by)
        .find(|w| base_name(w) == tool || crate::recipe::known(w).is_some_and(|k| k.tool == tool))
        .and_then(|w| {
            if w.contains('/') {
                Some(PathBuf::from(w))
            } else {
                which::which(&w).ok()
            }
        })
        .or_else(|| which::which(tool).ok())
}

/// The names of the programs the steps run (see [`run_by`]): each step's
/// own, and of the others those the catalog knows (which is what the names
/// are for).
pub fn named_in(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .flat_map(|step| {
            run_by(step)
                .into_iter()
                .enumerate()
                .filter_map(|(i, word)| {
                    let name = base_name(&word);
                    (i == 0 || crate::recipe::known(name).is_some()).then(|| name.to_string())
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(words: &[&str]) -> Step {
        Step {
            argv: words.iter().map(std::ffi::OsString::from).collect(),
            shown: words.join(" "),
        }
    }

    #[test]
    fn the_tool_is_what_the_user_ran() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (&["gemini", "mcp", "add", "x"], Some("gemini")),
            (&["/opt/bin/codex", "login"], Some("codex")),
            (
                &["sh", "-c", "printf 'sk-x\\n' | codex login --with-api-key"],
                Some("codex"),
            ),
            (
                &["sh", "-c", "FOO=1 exec mytool sync; echo done"],
                Some("mytool"),
            ),
            (&["env", "A=1", "aws", "configure"], Some("aws")),
            (&["sh", "-c", "echo hi"], None),
        ];
        for (words, want) in cases {
            assert_eq!(
                tool_name(None, &[step(words)]).as_deref(),
                *want,
                "{words:?}"
            );
        }
        assert_eq!(
            tool_name(Some("gh"), &[step(&["sh"])]).as_deref(),
            Some("gh")
        );
    }

    #[test]
    fn the_programs_of_steps_and_of_their_scripts() {
        let steps = [
            step(&["/opt/venv/bin/hf", "auth", "login"]),
            step(&[
                "sh",
                "-c",
                "echo token | gh auth login --with-token && cat x",
            ]),
        ];
        assert_eq!(named_in(&steps), ["hf", "sh", "gh"]);
    }
}
