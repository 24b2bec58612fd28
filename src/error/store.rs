//! The store and its files, where they are not as swop needs them: links,
//! other owners, folders others may write, files that are not regular.

use std::fmt;
use std::path::PathBuf;

pub use crate::files::FileProblem;

#[derive(Debug)]
pub enum Store {
    HomeNotAbsolute,
    NoHome,
    /// A bound folder that is a link.
    BoundLink {
        path: PathBuf,
        var: String,
        target: Option<PathBuf>,
    },
    /// A bound folder that is a file or a device.
    BoundNotAFolder {
        path: PathBuf,
        var: String,
    },
    /// The file of a bound file variable is a link.
    BoundFileLink {
        path: PathBuf,
        var: String,
    },
    /// A folder of the store that is a link.
    Link(PathBuf),
    OthersMayWrite {
        path: PathBuf,
        mode: u32,
    },
    NotOwned {
        path: PathBuf,
        owner: u32,
        uid: u32,
    },
    BoundTwice(String),
    /// A binding differs from another only in case.
    CaseClash(String),
    NoBinding,
    /// A link on the way to the store that another user owns.
    ForeignLink {
        link: PathBuf,
        root: PathBuf,
        owner: u32,
    },
    TooManyLinks(PathBuf),
    /// A folder meant for everyone's files (`/tmp`) given as the store.
    SharedFolder {
        dir: PathBuf,
        mode: u32,
        /// A private folder swop would make there instead.
        instead: PathBuf,
        default: Option<PathBuf>,
    },
    /// A file of the store that is a link, and what to do.
    FileLink {
        path: PathBuf,
        next: Next,
    },
    /// A file of the store that cannot be trusted, and what to do.
    File {
        path: PathBuf,
        problem: FileProblem,
        next: Next,
    },
    /// A lock file that is a link.
    LockFileLink(PathBuf),
    /// A lock file that cannot be trusted.
    LockFile {
        path: PathBuf,
        problem: FileProblem,
    },
}

/// What to do about a file of the store swop refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A profile's file: move it, and make the profile again.
    RecreateProfile(String),
    /// `config.toml`.
    FixOrRemove,
    /// A recorded recipe: record it again, or delete it.
    RecordAgain(String),
    /// The entry of an allowed `.swop`.
    AllowAgain,
}

impl fmt::Display for Next {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Next::RecreateProfile(name) => write!(
                f,
                "move it away and recreate the profile (swop rm {name} && swop add {name})"
            ),
            Next::FixOrRemove => write!(f, "fix or remove it"),
            Next::RecordAgain(tool) => {
                write!(f, "run swop discover --record {tool} again or delete it")
            }
            Next::AllowAgain => write!(f, "remove it and allow the .swop again (swop allow)"),
        }
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Store::HomeNotAbsolute => {
                write!(f, "SWOP_HOME must be an absolute path; fix or unset it")
            }
            Store::NoHome => write!(f, "cannot find a home folder for the store; set SWOP_HOME"),
            Store::BoundLink { path, var, target } => write!(
                f,
                "{} (bound to {var}) is a symbolic link{}; swop does not follow links out of a profile. \
                 Remove the link (rm {}) and swop makes a new folder",
                path.display(),
                target
                    .as_ref()
                    .map(|t| format!(" to {}", t.display()))
                    .unwrap_or_default(),
                path.display()
            ),
            Store::BoundNotAFolder { path, var } => write!(
                f,
                "{} (bound to {var}) is not a folder; move it away and swop makes a new folder",
                path.display()
            ),
            Store::BoundFileLink { path, var } => write!(
                f,
                "{} (bound to {var}) is a symbolic link; swop does not follow links out of a profile. \
                 Remove it (rm {}) and the tool makes a new file",
                path.display(),
                path.display()
            ),
            Store::Link(path) => write!(
                f,
                "{} is a symbolic link; swop does not follow links in its store. Replace it with a real folder",
                path.display()
            ),
            Store::OthersMayWrite { path, mode } => write!(
                f,
                "{} can be written by other users (mode {:o}); fix with: chmod go-w {}",
                path.display(),
                mode & 0o7777,
                path.display()
            ),
            Store::NotOwned { path, owner, uid } => write!(
                f,
                "{} is owned by uid {owner}, not by you (uid {uid}); swop only trusts folders you own. \
                 If it is yours, take it back with: sudo chown -R {uid} {}",
                path.display(),
                path.display()
            ),
            Store::BoundTwice(var) => {
                write!(f, "{var} is bound twice (--bind and --bind-file); keep one")
            }
            Store::CaseClash(var) => write!(
                f,
                "{var} differs from another binding only in case; bind one of them"
            ),
            Store::NoBinding => write!(f, "a profile needs at least one binding"),
            Store::ForeignLink { link, root, owner } => write!(
                f,
                "{} (on the way to the store {}) is a symbolic link owned by uid {owner}, who can point it \
                 anywhere at any moment; swop follows only links of yours or of the system. \
                 Set SWOP_HOME to a folder of your own instead",
                link.display(),
                root.display()
            ),
            Store::TooManyLinks(root) => write!(
                f,
                "{} leads through more than 40 symbolic links; set SWOP_HOME to the folder itself",
                root.display()
            ),
            Store::SharedFolder {
                dir,
                mode,
                instead,
                default,
            } => write!(
                f,
                "{} is a folder other users may write to (mode {:o}), like /tmp, so it cannot hold a store; \
                 nothing was created. Set SWOP_HOME to a private folder (one swop creates, such as {}), \
                 or unset SWOP_HOME to use the default{}",
                dir.display(),
                mode & 0o7777,
                instead.display(),
                default
                    .as_ref()
                    .map(|d| format!(" ({})", d.display()))
                    .unwrap_or_default()
            ),
            Store::FileLink { path, next } => write!(
                f,
                "{} is a symbolic link, and swop does not follow links in its store; \
                 put the file itself there, or {next}",
                path.display()
            ),
            Store::File {
                path,
                problem,
                next,
            } => write!(f, "{} is {problem}; {next}", path.display()),
            Store::LockFileLink(path) => write!(
                f,
                "{} is a symbolic link, not a lock file, and swop does not follow links in its store; \
                 remove it (rm {}) and swop makes a new lock file",
                path.display(),
                path.display()
            ),
            Store::LockFile { path, problem } => write!(
                f,
                "{} is {problem}, so it cannot be the profile's lock; remove it (rm {}) and swop makes \
                 a new lock file",
                path.display(),
                path.display()
            ),
        }
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::NotRegular(kind) => write!(f, "{kind}, not a regular file"),
            FileProblem::Owner { owner, uid } => {
                write!(f, "owned by uid {owner}, not by you (uid {uid})")
            }
            FileProblem::OthersMayWrite(mode) => {
                write!(f, "writable by other users (mode {:o})", mode & 0o7777)
            }
            FileProblem::HardLinks(links) => {
                write!(f, "one of {links} hard links to the same file")
            }
            FileProblem::TooBig { len, limit } => {
                write!(f, "{len} bytes, more than the {limit} a swop file may hold")
            }
            FileProblem::Grew(limit) => {
                write!(f, "more than the {limit} bytes a swop file may hold")
            }
            FileProblem::NotText => write!(f, "not UTF-8 text"),
        }
    }
}

impl std::error::Error for FileProblem {}
