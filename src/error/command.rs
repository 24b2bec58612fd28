//! What one subcommand refuses: `add`'s bindings, `stop`'s processes,
//! a `.swop` that switches nothing, a recipe that cannot be read, a
//! configuration that cannot be parsed, `init`'s script.

use std::fmt;
use std::path::PathBuf;

use super::{Holder, Name};
use crate::shell::ShellKind;

#[derive(Debug)]
pub enum Command {
    /// `add --bind VAR` or `--bind-file VAR` of a name that cannot be bound.
    BindName {
        var: String,
        name: Name,
        flag: &'static str,
    },
    /// `--bind` of a file variable (with the catalog's file name), or
    /// `--bind-file` of a folder one.
    WrongKind {
        var: String,
        flag: &'static str,
        file: Option<&'static str>,
    },
    /// `add --tool TOOL` of a tool no variable keeps apart; why, from the catalog.
    NoStateVariable {
        tool: String,
        shared: &'static str,
    },
    /// `add --tool TOOL` of a recorded recipe that binds nothing.
    RecipeBindsNothing(String),
    /// `set --bind VAR` of a variable the profile binds already.
    AlreadyBound(String),
    /// `set --bind VAR` of a variable that differs from a binding only in case.
    BoundInOtherCase(String),
    /// `set --bind VAR` of a variable the profile sets to a value.
    SetToValue(String),
    /// `set --unbind VAR` of a variable the profile does not bind.
    NotBound(String),
    /// `stop`: what could not be ended in the profile (`None`: any).
    NotStopped {
        profile: Option<String>,
        failures: Vec<(Holder, Stop)>,
    },
    Dotfile(Dotfile),
    Recipe {
        tool: String,
        problem: Recipe,
    },
    /// `config.toml` that does not parse, at `line` when known.
    Config {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// A tool of `wrap` in `config.toml` that cannot be wrapped.
    ConfigName {
        path: PathBuf,
        name: Name,
    },
    /// A group of `[groups]` in `config.toml` that is not one.
    ConfigGroup {
        path: PathBuf,
        problem: Group,
    },
    /// swop's own path cannot be written in a shell's syntax.
    InitPath {
        shell: ShellKind,
        why: &'static str,
    },
}

/// How a group of `config.toml` (`[groups] agents = ["work", "personal"]`)
/// is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    /// Its name is not named like a profile.
    NotAName(String),
    /// It lists no profile.
    Empty(String),
    /// It lists a word that is no profile name.
    NotAProfile { group: String, member: String },
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::NotAName(group) => write!(
                f,
                "groups: {group:?} is not a group name; use a profile-like name (letters, digits, . _ -)"
            ),
            Group::Empty(group) => write!(f, "groups: {group:?} lists no profile"),
            Group::NotAProfile { group, member } => write!(
                f,
                "groups: {group:?} lists {member:?}, which is not a profile name"
            ),
        }
    }
}

/// Why a process could not be ended.
#[derive(Debug)]
pub enum Stop {
    Refused(std::io::Error),
    Stuck,
    /// It started while swop ended the others.
    Restarted,
}

/// Why a `.swop` (shown as given) switches nothing.
#[derive(Debug)]
pub enum Dotfile {
    /// Not allowed (never, or not since it changed); the command that allows it.
    NotAllowed {
        file: String,
        name: String,
        allow: String,
    },
    /// It changed between the shell's reading and swop's.
    Changed(String),
    /// Not one line holding a name.
    NotOneName(String),
    /// A folder named `.swop`, not a file.
    AFolder(String),
    /// A name that is no profile name.
    BadName { file: String, name: Name },
    /// No `.swop` where the command looked; `allow` or `deny`.
    Missing { here: String, command: &'static str },
    /// Never followed: another user's, or in a folder another user controls.
    Foreign { file: String, owner: u32 },
    ForeignFolder {
        file: String,
        folder: String,
        owner: u32,
    },
    OpenFolder {
        file: String,
        folder: String,
        mode: u32,
    },
    /// Its metadata (or its folder's) cannot be read.
    Unreadable {
        path: String,
        source: std::io::Error,
    },
}

/// Why a recorded recipe (at `path`) cannot be used.
#[derive(Debug)]
pub enum Recipe {
    Invalid {
        path: PathBuf,
        message: String,
    },
    /// The file says it is another tool's.
    OtherTool {
        path: PathBuf,
        found: String,
    },
    /// A variable it binds or unsets is not one a profile may.
    Variable {
        path: PathBuf,
        name: Name,
    },
    /// No recipe, recorded or built in; the closest tool, and every tool.
    Unknown {
        close: Option<String>,
        known: Vec<String>,
    },
    /// `--record` of a discovery that was not verified.
    NotVerified,
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::BindName { var, name, flag } => {
                write!(f, "{name}; leave out {flag} {var}")
            }
            Command::WrongKind { var, flag, file } => {
                match file {
                    Some(name) => write!(f, "{var} names a file ({name})")?,
                    None => write!(f, "{var} names a folder")?,
                }
                let other = if *flag == "--bind" {
                    "--bind-file"
                } else {
                    "--bind"
                };
                write!(f, ": bind it with {other} {var} instead of {flag} {var}")
            }
            Command::NoStateVariable { tool, shared } => write!(
                f,
                "{tool} has no variable that moves its state, so no profile can keep its accounts apart: {shared}"
            ),
            Command::RecipeBindsNothing(tool) => write!(
                f,
                "the {tool} recipe binds nothing: swop discover found no state of {tool} in files, \
                 so a profile cannot keep its accounts apart; see its report, or bind variables yourself with --bind VAR"
            ),
            Command::AlreadyBound(var) => write!(f, "the profile binds {var} already"),
            Command::BoundInOtherCase(var) => write!(
                f,
                "{var} differs from a binding of the profile only in case; bind one of them"
            ),
            Command::SetToValue(var) => write!(
                f,
                "the profile sets {var} to a value; drop it first (--unset-value {var})"
            ),
            Command::NotBound(var) => write!(f, "the profile does not bind {var}"),
            Command::NotStopped { profile, failures } => {
                let said: Vec<String> = failures
                    .iter()
                    .map(|(process, why)| match why {
                        Stop::Refused(err) => format!("{process}: cannot signal it: {err}"),
                        Stop::Stuck => format!(
                            "{process}: it still runs after SIGKILL (stuck in the kernel?)"
                        ),
                        Stop::Restarted => format!(
                            "{process}: it started while swop ended the others (something restarts them?)"
                        ),
                    })
                    .collect();
                let scope = match profile {
                    Some(name) => format!("profile {name:?}"),
                    None => "any profile".to_string(),
                };
                write!(
                    f,
                    "could not end every process in {scope}: {}; end them yourself (kill PID) and check with swop ps",
                    said.join("; ")
                )
            }
            Command::Dotfile(dotfile) => dotfile.fmt(f),
            Command::Recipe { tool, problem } => {
                let again = format!("run swop discover --record {tool} again or delete it");
                match problem {
                    Recipe::Invalid { path, message } => write!(
                        f,
                        "{} is not a valid recipe: {message}; {again}",
                        path.display()
                    ),
                    Recipe::OtherTool { path, found } => write!(
                        f,
                        "{} is the recipe of {found:?}, not of {tool:?}; {again}",
                        path.display()
                    ),
                    Recipe::Variable { path, name } => {
                        write!(f, "{}: {name}; {again}", path.display())
                    }
                    Recipe::Unknown { close, known } => write!(
                        f,
                        "no recipe for {tool:?}{}; swop has recipes for {} (swop recipes); \
                         for another tool, trace a command that makes it write its state: \
                         swop discover --record {tool} -- CMD [ARGS]...",
                        close
                            .as_ref()
                            .map(|close| format!(" (did you mean {close:?}?)"))
                            .unwrap_or_default(),
                        known.join(", ")
                    ),
                    Recipe::NotVerified => write!(
                        f,
                        "not recorded: the {tool} recipe could not be verified (see the report's Limitations)"
                    ),
                }
            }
            Command::Config {
                path,
                line,
                message,
            } => match line {
                Some(line) => write!(
                    f,
                    "{}: line {line}: {message}; fix or remove the file",
                    path.display()
                ),
                None => write!(f, "{}: {message}; fix or remove the file", path.display()),
            },
            Command::ConfigName { path, name } => {
                write!(f, "{}: {name}; fix or remove the file", path.display())
            }
            Command::ConfigGroup { path, problem } => {
                write!(f, "{}: {problem}; fix or remove the file", path.display())
            }
            Command::InitPath { shell, why } => write!(
                f,
                "cannot write swop's path into the {} script: {why}",
                shell.name()
            ),
        }
    }
}

impl fmt::Display for Dotfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dotfile::NotAllowed { file, name, allow } => write!(
                f,
                "{file} asks for profile {name:?}; it switches nothing until you allow it: {allow}"
            ),
            Dotfile::Changed(file) => write!(
                f,
                "{file} changed while the shell read it; {file} switched nothing"
            ),
            Dotfile::NotOneName(file) => write!(
                f,
                "{file} must hold one line, a profile name (see swop list): it switches nothing"
            ),
            Dotfile::BadName { file, name } => write!(f, "{name}; {file} switches nothing"),
            Dotfile::AFolder(file) => write!(
                f,
                "{file} is a folder; a .swop that picks a profile is a file holding its name: it switches nothing"
            ),
            Dotfile::Missing { here, command } => write!(
                f,
                "there is no .swop in {here} or any folder above it; name one: swop {command} PATH"
            ),
            Dotfile::Foreign { file, owner } => write!(
                f,
                "{file} belongs to uid {owner}, not to you: swop never switches for another user's .swop"
            ),
            Dotfile::ForeignFolder {
                file,
                folder,
                owner,
            } => write!(
                f,
                "{file} lies in {folder}, which belongs to uid {owner}: they could replace it at any time, \
                 so swop never switches for it"
            ),
            Dotfile::OpenFolder { file, folder, mode } => write!(
                f,
                "{file} lies in {folder}, which other users may write to (mode {:o}, no sticky bit): \
                 anyone could replace it, so swop never switches for it; if the folder is \
                 yours, chmod go-w it",
                mode & 0o7777
            ),
            Dotfile::Unreadable { path, source } => write!(f, "{path}: {source}"),
        }
    }
}
