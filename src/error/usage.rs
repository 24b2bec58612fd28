//! A command line that asks for something impossible: exit 2.

use std::fmt;

use super::Name;
use crate::trace::Tracer;

#[derive(Debug)]
pub enum Usage {
    /// `swop exec NAME` with nothing after `--`.
    NoCommand,
    /// `swop exec --pick A,B` with nothing after `--`.
    NoPickedCommand,
    /// `swop exec` with neither a name nor `--pick`.
    ExecWhere,
    /// A `--pick` value (as given) with an empty name in its list.
    PickEmptyName(String),
    /// `swop mv NAME NAME`.
    SameName(String),
    /// `swop stop` with neither a name nor `--all`.
    StopWhat,
    /// `swop discover --trace-file ... -- CMD`.
    TraceFileAndCommand,
    /// `swop discover` with nothing to trace.
    NothingToTrace,
    /// A macOS tracer asked for on Linux.
    MacTracerOnLinux(Tracer),
    /// strace asked for on macOS.
    StraceOnMacos,
    /// A `--step` that does not split as a shell would.
    StepSplit {
        text: String,
        error: shell_words::ParseError,
    },
    /// A `--step` with no command in it.
    EmptyStep,
    /// A step with no program (a discovery's own, never the user's).
    NoProgram,
    /// `--record TOOL` with a TOOL that is no tool name.
    RecordName(Name),
    /// `--set` without `=`; shown as given.
    NotAnAssignment(String),
    /// A command to run without `--` before it: the line with it, redacted.
    PutDashes(String),
    /// `swop exec -- NAME CMD`: the line with NAME before `--`, redacted.
    NameBeforeDashes(String),
    /// `swop use` without a name; the profiles there are.
    UseWhat(Vec<String>),
    /// `-v` or `--verbose`, as typed: swop has neither.
    NoVerbose(String),
    /// A redirection tcsh handed to swop as words: the line that redirects
    /// swop in a subshell, redacted.
    RedirectInTcsh(String),
}

/// A number of seconds on the command line that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seconds {
    /// `--wait`: not a number, or not one of 0 or more.
    Wait(String),
    /// `--timeout`: not a number.
    Timeout(String),
    /// `--timeout`: more than a day, or less than 0.
    PastADay,
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seconds::Wait(text) => write!(f, "expected a number of seconds, got {text:?}"),
            Seconds::Timeout(text) => write!(f, "{text:?} is not a number of seconds"),
            Seconds::PastADay => write!(f, "give a number of seconds from 0 to 86400 (a day)"),
        }
    }
}

impl std::error::Error for Seconds {}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Usage::NoCommand => write!(
                f,
                "no command given; usage: swop exec NAME -- CMD [ARGS]..."
            ),
            Usage::NoPickedCommand => write!(
                f,
                "no command given; usage: swop exec --pick A,B -- CMD [ARGS]..."
            ),
            Usage::ExecWhere => write!(
                f,
                "name a profile or --pick some; usage: swop exec NAME -- CMD [ARGS]..."
            ),
            Usage::PickEmptyName(value) => write!(
                f,
                "--pick {value:?} names an empty profile; give names separated by commas \
                 (--pick work,personal) or a group of config.toml"
            ),
            Usage::SameName(name) => write!(f, "{name:?} is the profile's name already"),
            Usage::StopWhat => write!(
                f,
                "name the profile whose processes to end (swop stop NAME), \
                 or end those of every profile with swop stop --all"
            ),
            Usage::TraceFileAndCommand => write!(
                f,
                "--trace-file analyses a trace taken elsewhere; give no command after --"
            ),
            Usage::NothingToTrace => write!(
                f,
                "no command to trace; usage: swop discover [options] -- CMD [ARGS]..."
            ),
            Usage::MacTracerOnLinux(tracer) => {
                write!(f, "{tracer:?} traces macOS only; on Linux swop uses strace")
            }
            Usage::StraceOnMacos => write!(
                f,
                "strace traces Linux only; on macOS swop uses eslogger (macOS 13+) or fs_usage"
            ),
            Usage::StepSplit { text, error } => write!(f, "cannot split --step {text:?}: {error}"),
            Usage::EmptyStep => write!(f, "--step needs a command"),
            Usage::NoProgram => write!(f, "an empty step"),
            Usage::RecordName(name) => name.fmt(f),
            Usage::NotAnAssignment(shown) => write!(f, "expected VAR=VALUE, got {shown}"),
            Usage::PutDashes(line) => write!(f, "put -- before the command to run: {line}"),
            Usage::NameBeforeDashes(line) => write!(
                f,
                "the profile goes before --, the command after it: {line}"
            ),
            Usage::UseWhat(profiles) if profiles.is_empty() => write!(
                f,
                "name the profile to switch to: swop use NAME; there is none yet: swop add NAME"
            ),
            Usage::UseWhat(profiles) => write!(
                f,
                "name the profile to switch to: swop use NAME ({})",
                profiles.join(", ")
            ),
            Usage::NoVerbose(flag) => write!(
                f,
                "swop has no {flag}: -V (--version) prints its version, --help its commands"
            ),
            Usage::RedirectInTcsh(line) => write!(
                f,
                "tcsh hands a redirection of swop's alias to swop as words; \
                 redirect a subshell instead: {line}"
            ),
        }
    }
}
