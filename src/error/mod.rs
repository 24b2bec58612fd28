//! One error type for the whole program: what went wrong, as data (the
//! profile, the path, the variable, the errno), and the exit code of each
//! kind. The words a person reads are written in one place, the `Display`
//! implementations of this folder, one file per subject; nothing outside it
//! formats a message into an error, and no code chooses what to do by an
//! error's text.
//!
//! The codes a script can rely on: 0 ok, 1 error, 2 usage, [`NOT_FOUND`] for a
//! profile that does not exist, [`IN_USE`] for a profile that is busy; `exec`
//! returns its command's own status. The two distinct codes come from
//! sysexits.h, whose meanings they share and which few tools return by
//! themselves, so a wrapper can tell swop's refusal from its command's failure.

mod command;
mod discover;
mod io;
mod names;
mod pick;
mod profile;
mod seal;
mod share;
mod store;
mod switch;
mod usage;

use std::fmt;
use std::path::{Path, PathBuf};

pub use command::{Command, Dotfile, Group, Recipe, Stop};
pub use discover::{Discover, Trace, TracerFailure, empty_trace_hint, exit_text};
pub use io::{advice, io_text};
pub use names::{NAME_RULE, Name};
pub use pick::{Full, Passed, Pick};
pub use profile::{
    Asked, BadFile, BusyAdvice, Change, Holder, Profile, Suggestion, describe_holders,
    hides_environment,
};
pub use seal::{Seal, Weakness};
pub use share::Share;
pub use store::{FileProblem, Next, Store};
pub use switch::{NothingSwitched, Shell, Switch, Value};
pub use usage::{Seconds, Usage};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// No such profile (sysexits' EX_NOUSER: the account named does not exist).
pub const NOT_FOUND: i32 = 67;
/// The profile is in use: its lock is held or a process runs in it
/// (sysexits' EX_TEMPFAIL: try again later, or wait with --wait).
pub const IN_USE: i32 = 75;
/// A profile of that name exists already (sysexits' EX_CANTCREAT).
pub const EXISTS: i32 = 73;

#[derive(Debug)]
pub enum Error {
    /// The command line asks for something impossible: exit 2.
    Usage(Usage),
    /// A name given is not a name swop takes.
    Name(Name),
    /// A profile cannot be used as asked; its exit code says how.
    Profile { name: String, problem: Profile },
    /// The store, or a file or folder of it, is not as swop needs it.
    Store(Store),
    /// A value a profile would set cannot be.
    Value(Value),
    /// A switch cannot be made.
    Switch(Switch),
    /// The shell to print for is not one swop can tell or print for: exit 2.
    Shell(Shell),
    /// A command could not be started: 127 not found, 126 not runnable.
    /// The program as messages show it: redacted.
    Exec { program: String, failure: Launch },
    /// What one subcommand refuses.
    Command(Command),
    /// What a discovery could not do.
    Discover(Discover),
    /// A command cannot be sealed: nothing ran.
    Seal(Seal),
    /// No profile `swop exec --pick` may choose can be used now.
    Pick(Pick),
    /// An entry cannot be shared, or given back.
    Share(Share),
    /// A system call failed while swop was doing `action` on `path`.
    Io {
        action: &'static str,
        path: Option<PathBuf>,
        source: std::io::Error,
    },
    /// An error, and what it means for what was asked.
    Noted { error: Box<Error>, note: Note },
    /// A refusal the user has already been told about, in this shell: exit 1
    /// and say nothing again.
    Said,
    /// A signal told swop to stop; it cleaned up and dies of the same signal.
    Interrupted(i32),
}

/// Why a command did not start.
#[derive(Debug)]
pub enum Launch {
    /// No such program: exit 127.
    NotFound,
    /// It exists and cannot be run (exec failed): exit 126.
    NotRunnable(std::io::Error),
    /// Starting it failed (spawn failed): exit 127.
    Failed(std::io::Error),
}

/// What an error means for what was asked, said after it.
#[derive(Debug)]
pub enum Note {
    /// A `.swop` (shown as given) switched nothing.
    SwitchedNothing(String),
    /// The store folder that failed is the one of allowed `.swop` files.
    AllowedFolder,
    /// The profile missing is named by a group (shown as given) of `config.toml`.
    GroupLists(String),
    /// `--pick` of one name, where no group is defined.
    PickTakes,
    /// `--pick` of one name that is neither a profile nor one of these groups.
    Groups(Vec<String>),
}

impl Error {
    pub fn code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Shell(_) => 2,
            Error::Profile { problem, .. } => problem.code(),
            Error::Exec { failure, .. } => match failure {
                Launch::NotRunnable(_) => 126,
                Launch::NotFound | Launch::Failed(_) => 127,
            },
            Error::Noted { error, .. } => error.code(),
            Error::Pick(_) => IN_USE,
            Error::Interrupted(signal) => 128 + signal,
            Error::Name(_)
            | Error::Store(_)
            | Error::Value(_)
            | Error::Switch(_)
            | Error::Command(_)
            | Error::Discover(_)
            | Error::Seal(_)
            | Error::Share(_)
            | Error::Io { .. }
            | Error::Said => 1,
        }
    }

    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// A problem of the profile `name`.
    pub fn profile(name: &str, problem: Profile) -> Self {
        Error::Profile {
            name: name.to_string(),
            problem,
        }
    }

    /// The same error, which names `asked` as the command to type again
    /// when the profile is busy.
    pub fn asked_by(mut self, by: Asked) -> Self {
        if let Error::Profile {
            problem: Profile::Busy { asked, .. } | Profile::SharedAlsoBy { asked, .. },
            ..
        } = &mut self
        {
            *asked = Some(by);
        }
        self
    }

    /// The same error, and what it means for what was asked.
    pub fn noted(self, note: Note) -> Self {
        Error::Noted {
            error: Box::new(self),
            note,
        }
    }
}

/// `?` turns each subject's error into an [`Error`].
macro_rules! subjects {
    ($($subject:ident),+) => {
        $(impl From<$subject> for Error {
            fn from(problem: $subject) -> Self {
                Error::$subject(problem)
            }
        })+
    };
}

subjects!(
    Usage, Name, Store, Value, Switch, Shell, Command, Discover, Seal, Pick, Share
);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(usage) => usage.fmt(f),
            Error::Name(name) => name.fmt(f),
            Error::Profile { name, problem } => problem.render(name, f),
            Error::Store(store) => store.fmt(f),
            Error::Value(value) => value.fmt(f),
            Error::Switch(switch) => switch.fmt(f),
            Error::Shell(shell) => shell.fmt(f),
            Error::Exec { program, failure } => {
                let shown = program;
                match failure {
                    Launch::NotFound => write!(f, "{shown}: command not found"),
                    Launch::NotRunnable(e) => write!(f, "{shown}: cannot run: {e}"),
                    Launch::Failed(e) => write!(f, "cannot run {shown}: {e}"),
                }
            }
            Error::Command(command) => command.fmt(f),
            Error::Discover(discover) => discover.fmt(f),
            Error::Seal(seal) => seal.fmt(f),
            Error::Pick(pick) => pick.fmt(f),
            Error::Share(share) => share.fmt(f),
            Error::Io {
                action,
                path,
                source,
            } => match path {
                Some(path) => write!(f, "{action} {}: {}", path.display(), io_text(source)),
                None => write!(f, "{action}: {}", io_text(source)),
            },
            Error::Noted { error, note } => match note {
                Note::SwitchedNothing(file) => write!(f, "{error}; {file} switched nothing"),
                Note::AllowedFolder => write!(f, "{error} (the folder of allowed .swop files)"),
                Note::GroupLists(group) => {
                    write!(f, "{error}; the group {group:?} of config.toml lists it")
                }
                Note::PickTakes => write!(
                    f,
                    "{error}; --pick takes profiles separated by commas, or a group: [groups] in config.toml"
                ),
                Note::Groups(groups) => write!(f, "{error}; the groups are {}", groups.join(", ")),
            },
            Error::Said => Ok(()),
            Error::Interrupted(signal) => write!(
                f,
                "stopped by signal {signal}; everything swop started was stopped and its scratch folder removed"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// An I/O error about one path: `.map_err(at_path("cannot read", &path))`.
pub fn at_path(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io {
        action,
        path: Some(path),
        source,
    }
}

/// An I/O error while swop was doing `action`, about no path.
pub fn doing(action: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io {
        action,
        path: None,
        source,
    }
}
