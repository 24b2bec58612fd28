//! One error type for the whole program, and the exit code of each kind.

use std::io;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asked for something impossible: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Something the user can fix, said in their terms: exit 1.
    #[error("{0}")]
    User(String),
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
            Error::User(_) | Error::Io { .. } => 1,
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
