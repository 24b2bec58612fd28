//! One error type for the whole program, and the exit code of each kind.
//!
//! The codes a script can rely on: 0 ok, 1 error, 2 usage, [`NOT_FOUND`] for a
//! profile that does not exist, [`IN_USE`] for a profile that is busy; `exec`
//! returns its command's own status. The two distinct codes come from
//! sysexits.h, whose meanings they share and which few tools return by
//! themselves, so a wrapper can tell swop's refusal from its command's failure.

use std::io;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// No such profile (sysexits' EX_NOUSER: the account named does not exist).
pub const NOT_FOUND: i32 = 67;
/// The profile is in use: its lock is held or a process runs in it
/// (sysexits' EX_TEMPFAIL: try again later, or wait with --wait).
pub const IN_USE: i32 = 75;
/// A profile of that name exists already (sysexits' EX_CANTCREAT).
pub const EXISTS: i32 = 73;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asked for something impossible: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Something the user can fix, said in their terms: exit 1.
    #[error("{0}")]
    User(String),
    /// The named profile does not exist: exit [`NOT_FOUND`].
    #[error("{0}")]
    NotFound(String),
    /// A profile of the name to create exists: exit [`EXISTS`].
    #[error("{0}")]
    Exists(String),
    /// The profile is busy (its lock, or processes running in it): exit [`IN_USE`].
    #[error("{0}")]
    InUse(String),
    /// A system call failed; `context` says what swop was doing.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    /// A command could not be started (126 not executable, 127 not found).
    #[error("{message}")]
    Exec { code: i32, message: String },
    /// A refusal the user has already been told about, in this shell: exit 1
    /// and say nothing again.
    #[error("")]
    Said,
    /// A signal told swop to stop; it cleaned up and dies of the same signal.
    #[error(
        "stopped by signal {0}; everything swop started was stopped and its scratch folder removed"
    )]
    Interrupted(i32),
}

impl Error {
    pub fn code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::User(_) | Error::Io { .. } | Error::Said => 1,
            Error::NotFound(_) => NOT_FOUND,
            Error::Exists(_) => EXISTS,
            Error::InUse(_) => IN_USE,
            Error::Exec { code, .. } => *code,
            Error::Interrupted(signal) => 128 + signal,
        }
    }

    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }

    pub fn user(message: impl Into<String>) -> Self {
        Error::User(message.into())
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Error::NotFound(message.into())
    }

    pub fn in_use(message: impl Into<String>) -> Self {
        Error::InUse(message.into())
    }

    /// The same error, with `note` after what it says.
    pub fn noted(self, note: &str) -> Self {
        let add = |message: String| format!("{message}; {note}");
        match self {
            Error::Usage(m) => Error::Usage(add(m)),
            Error::User(m) => Error::User(add(m)),
            Error::NotFound(m) => Error::NotFound(add(m)),
            Error::Exists(m) => Error::Exists(add(m)),
            Error::InUse(m) => Error::InUse(add(m)),
            Error::Io { context, source } => Error::Io {
                context: add(context),
                source,
            },
            Error::Exec { code, message } => Error::Exec {
                code,
                message: add(message),
            },
            other => other,
        }
    }
}

/// Attach what swop was doing to an I/O error: `.map_err(io_context(|| format!(...)))`.
pub fn io_context<F: FnOnce() -> String>(context: F) -> impl FnOnce(io::Error) -> Error {
    move |source| Error::Io {
        context: context(),
        source,
    }
}

/// Shorthand for the common case of an I/O error about one path.
pub fn at_path(what: &'static str, path: &std::path::Path) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io {
        context: format!("{what} {}", path.display()),
        source,
    }
}
