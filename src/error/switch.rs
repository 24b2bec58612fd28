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
    /// `swop init` without a shell, run by one that cannot be told or has
    /// no integration; `shells` are those `swop init` takes.
    InitWhich {
        undetected: Undetected,
        shells: Vec<String>,
    },
    /// `swop init` without a shell, run by sh, which has no integration.
    InitSh,
    /// `swop use` or `swop off` run by the binary, in a shell of `shell`
    /// (`None`: it cannot be told): `env_args` says the profile (or
    /// `--off`) to switch by hand.
    NeedsIntegration {
        word: String,
        shell: Option<ShellKind>,
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

/// What the walk from swop up to a shell found instead of one.
fn ran_by(runners: &[String], program: Option<&str>) -> String {
    match (runners.is_empty(), program) {
        (true, Some(program)) => format!("it runs under {program}, which is no shell"),
        (false, Some(program)) => format!(
            "it runs under {}, started by {program}, which is no shell",
            runners.join(" under ")
        ),
        (_, None) => "its parent process cannot be read".to_string(),
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
            Shell::Undetected(Undetected::Unknown { runners, program }) => write!(
                f,
                "cannot tell which shell will read what swop env prints ({}); name it with --shell \
                 ({}), e.g. eval \"$(swop env NAME --shell bash)\"",
                printable_line(&ran_by(runners, program.as_deref())),
                syntaxes()
            ),
            Shell::InitWhich {
                undetected: Undetected::Unsupported(shell),
                shells,
            } => write!(
                f,
                "swop init is run by {shell}, for which swop has no integration; name the shell: \
                 swop init SHELL ({})",
                shells.join(", ")
            ),
            Shell::InitWhich {
                undetected: Undetected::Unknown { runners, program },
                shells,
            } => write!(
                f,
                "cannot tell which shell runs swop init ({}); name it: swop init SHELL ({})",
                printable_line(&ran_by(runners, program.as_deref())),
                shells.join(", ")
            ),
            Shell::InitSh => write!(
                f,
                "sh has no shell integration: switch it with eval \"$(swop env NAME)\" and back with \
                 eval \"$(swop env --off)\"; for another shell: swop init SHELL"
            ),
            Shell::NeedsIntegration {
                word,
                shell,
                env_args,
            } if *shell == Some(ShellKind::Sh) => write!(
                f,
                "`swop {word}` needs a shell integration, and sh has none: switch this shell{} \
                 with {}",
                if word == "off" { " back" } else { "" },
                by_hand(ShellKind::Sh, env_args)
            ),
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

/// `swop env` printed its exports to a terminal, which runs none of them:
/// how a shell of `shell` runs them, for `name` (else `--off`).
#[derive(Debug)]
pub struct NothingSwitched {
    pub shell: ShellKind,
    pub name: Option<String>,
}

impl fmt::Display for NothingSwitched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (env_args, back, word) = match &self.name {
            Some(name) => (name.as_str(), "", format!("use {name}")),
            None => ("--off", " back", "off".to_string()),
        };
        write!(
            f,
            "nothing changed: swop env only prints what switches a shell, for the shell to run; "
        )?;
        match self.shell {
            ShellKind::Nu | ShellKind::Json => write!(
                f,
                "nushell switches{back} with swop {word} (the integration: swop init nu)"
            ),
            kind => write!(
                f,
                "to switch this one{back}: {} (or swop {word}, with the integration: swop init)",
                by_hand(kind, env_args)
            ),
        }
    }
}

/// How a shell of `kind` switches by hand with `swop env ENV_ARGS` (a
/// profile name, `NAME`, or `--off`).
fn by_hand(kind: ShellKind, env_args: &str) -> String {
    match kind {
        ShellKind::Fish => format!("swop env {env_args} | source"),
        ShellKind::Elvish => format!("eval (swop env {env_args} | slurp)"),
        ShellKind::Xonsh => format!("execx($(swop env {env_args}))"),
        ShellKind::Tcsh => format!("eval \"`swop env {env_args}`\""),
        // nushell cannot evaluate text: by hand, one command at a time.
        ShellKind::Nu if env_args == "--off" => {
            "nushell is switched by the integration only, so there is nothing to switch back"
                .to_string()
        }
        ShellKind::Nu => format!("swop exec {env_args} -- CMD runs one command as {env_args}"),
        ShellKind::Bash | ShellKind::Zsh | ShellKind::Sh | ShellKind::Json => {
            format!("eval \"$(swop env {env_args})\"")
        }
    }
}

/// What to do when `swop use` or `swop off` runs without the integration in
/// a shell of `kind` (`None`: unknown): how to load it, and how to switch
/// by hand with `swop env ENV_ARGS` (a profile name, or `--off`).
fn without_integration(kind: Option<ShellKind>, env_args: &str) -> String {
    // An unknown shell is most often bash.
    let by_hand = by_hand(kind.unwrap_or(ShellKind::Bash), env_args);
    let Some(kind) = kind else {
        return format!(
            r#"run eval "$(swop init bash)" here and in your shell's rc file (zsh: swop init zsh; fish: swop init fish | source; others: swop init --help); without it: {by_hand}"#
        );
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
        // sh has no integration (said above); JSON is read by no shell.
        ShellKind::Sh | ShellKind::Json => {
            return by_hand;
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
