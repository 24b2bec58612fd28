//! Switches that cannot be made: a record too long to keep, values that
//! cannot be kept out of the environment, a shell that cannot be told or
//! cannot say a value, a value a profile cannot hold.

use std::fmt;
use std::path::PathBuf;

use super::Name;
use crate::output::printable_line;
use crate::shell::{Refusal, ShellKind, Undetected};

#[derive(Debug)]
pub enum Switch {
    /// The values of `names`, kept out of the environment, could not be
    /// written to a private file in `folder`.
    CannotKeep {
        names: Vec<String>,
        folder: PathBuf,
        source: std::io::Error,
    },
    /// The record would pass `limit` bytes; the longest values, with their lengths.
    RecordTooLong {
        longest: Vec<(String, usize)>,
        var: &'static str,
        limit: usize,
    },
    /// A shell that cannot be given a value byte for byte.
    Refused(Refusal),
}

impl fmt::Display for Switch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Switch::CannotKeep {
                names,
                folder,
                source,
            } => write!(
                f,
                "cannot switch: swop keeps the values of {} out of the environment, in a private file, \
                 and could not write one in {}: {}; fix that folder (it must be yours and 0700), \
                 or switch with swop exec",
                names.join(", "),
                folder.display(),
                super::io_text(source)
            ),
            Switch::RecordTooLong {
                longest,
                var,
                limit,
            } => {
                let named: Vec<String> = longest
                    .iter()
                    .take(3)
                    .map(|(name, len)| format!("{name} ({len} bytes)"))
                    .collect();
                write!(
                    f,
                    "cannot switch: swop would have to remember {}, more than the {} KiB it keeps in {var} \
                     (a larger environment makes every program launch fail); shorten or unset {} first",
                    named.join(", "),
                    limit / 1024,
                    longest.first().map_or("them", |(name, _)| name)
                )
            }
            Switch::Refused(refusal) => write!(
                f,
                "cannot switch a {} shell: {} (in {}); use another shell, or swop exec",
                refusal.shell.name(),
                refusal.why,
                refusal.var
            ),
        }
    }
}

/// The shell to print for cannot be told, or needs what is not loaded.
#[derive(Debug)]
pub enum Shell {
    Undetected(Undetected),
    /// `swop use` or `swop off` run by the binary, in a shell of `shell`:
    /// `env_args` says the profile (or `--off`) to switch by hand.
    NeedsIntegration {
        word: String,
        shell: ShellKind,
        env_args: String,
    },
}

impl From<Undetected> for super::Error {
    fn from(undetected: Undetected) -> Self {
        super::Error::Shell(Shell::Undetected(undetected))
    }
}

impl From<Refusal> for super::Error {
    fn from(refusal: Refusal) -> Self {
        super::Error::Switch(Switch::Refused(refusal))
    }
}

/// The syntaxes `--shell` takes, for messages.
fn syntaxes() -> String {
    let names: Vec<&str> = ShellKind::ALL.iter().map(|k| k.name()).collect();
    names.join(", ")
}

impl fmt::Display for Shell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shell::Undetected(Undetected::Unsupported(shell)) => write!(
                f,
                "swop env is run by {shell}, which swop cannot print for; name the syntax with \
                 --shell ({})",
                syntaxes()
            ),
            Shell::Undetected(Undetected::Unknown { runners, program }) => {
                let by = match (runners.is_empty(), program) {
                    (true, Some(program)) => format!("it runs under {program}, which is no shell"),
                    (false, Some(program)) => format!(
                        "it runs under {}, started by {program}, which is no shell",
                        runners.join(" under ")
                    ),
                    (_, None) => "its parent process cannot be read".to_string(),
                };
                write!(
                    f,
                    "cannot tell which shell will read what swop env prints ({}); name it with --shell \
                     ({}), e.g. eval \"$(swop env NAME --shell bash)\"",
                    printable_line(&by),
                    syntaxes()
                )
            }
            Shell::NeedsIntegration {
                word,
                shell,
                env_args,
            } => write!(
                f,
                "`swop {word}` needs the shell integration, which is not loaded in this shell: {}",
                without_integration(*shell, env_args)
            ),
        }
    }
}

/// What to do when `swop use` or `swop off` runs without the integration in
/// a shell of `kind`: how to load it, and how to switch by hand with
/// `swop env ENV_ARGS` (a profile name, or `--off`).
fn without_integration(kind: ShellKind, env_args: &str) -> String {
    let by_hand = match kind {
        ShellKind::Fish => format!("swop env {env_args} | source"),
        ShellKind::Elvish => format!("eval (swop env {env_args} | slurp)"),
        ShellKind::Xonsh => format!("execx($(swop env {env_args}))"),
        ShellKind::Tcsh => format!("eval \"`swop env {env_args}`\""),
        // nushell cannot evaluate text: by hand, one command at a time.
        ShellKind::Nu => "swop exec NAME -- CMD runs one command as a profile".to_string(),
        ShellKind::Bash | ShellKind::Zsh | ShellKind::Sh | ShellKind::Json => {
            format!("eval \"$(swop env {env_args})\"")
        }
    };
    let (line, rc) = match kind {
        ShellKind::Bash => (r#"eval "$(swop init bash)""#, "~/.bashrc"),
        ShellKind::Zsh => (r#"eval "$(swop init zsh)""#, "~/.zshrc"),
        ShellKind::Fish => ("swop init fish | source", "~/.config/fish/config.fish"),
        ShellKind::Elvish => ("eval (swop init elvish | slurp)", "~/.config/elvish/rc.elv"),
        ShellKind::Xonsh => ("execx($(swop init xonsh))", "~/.xonshrc"),
        ShellKind::Tcsh => (r#"eval "`swop init tcsh`""#, "~/.tcshrc"),
        ShellKind::Nu => {
            return format!(
                "save it once with swop init nu | save -f ($nu.default-config-dir | path join \
                 swop.nu), then source swop.nu in config.nu; without it: {by_hand}"
            );
        }
        // sh has no integration, but an unknown shell is most often bash.
        ShellKind::Sh | ShellKind::Json => {
            return format!(
                r#"run eval "$(swop init bash)" here and in your shell's rc file (zsh: swop init zsh; fish: swop init fish | source; others: swop init --help); without it: {by_hand}"#
            );
        }
    };
    format!("run {line} here and in {rc}; without it: {by_hand}")
}

/// A value a profile cannot hold.
#[derive(Debug)]
pub enum Value {
    /// The variable is not one a profile may set.
    Name(Name),
    HasNul(String),
    TooLong {
        var: String,
        len: usize,
        limit: usize,
    },
    /// A command-line assignment (shown as given) that is not text.
    NotText(String),
    /// A variable bound to a place that is set to a value too.
    BoundAndSet(String),
}

impl From<Name> for Value {
    fn from(name: Name) -> Self {
        Value::Name(name)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Name(name) => name.fmt(f),
            Value::HasNul(var) => write!(
                f,
                "the value of {var} holds a NUL byte, which no environment variable can carry"
            ),
            Value::TooLong { var, len, limit } => write!(
                f,
                "the value of {var} is {len} bytes; a profile keeps values up to {} KiB (put longer data in a file the tool reads)",
                limit / 1024
            ),
            Value::NotText(shown) => write!(
                f,
                "{shown} is not valid UTF-8; values are text (profile.toml holds nothing else)"
            ),
            Value::BoundAndSet(var) => write!(
                f,
                "{var} is bound to a place of the profile and cannot also be set to a value; keep one"
            ),
        }
    }
}
