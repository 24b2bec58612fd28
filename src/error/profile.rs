//! What keeps a profile from being used as asked: it does not exist, exists
//! already, is busy (its lock, or processes running in it), or its files
//! are not what swop wrote.

use std::fmt;
use std::path::PathBuf;

use super::{EXISTS, IN_USE, NOT_FOUND, Name, Value};

/// A process that holds a profile or runs in it, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    /// Its command line, redacted, when it can be told.
    pub command: Option<String>,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.command {
            Some(cmd) => write!(f, "pid {} ({cmd})", self.pid),
            None => write!(f, "pid {}", self.pid),
        }
    }
}

/// "pid 1 (cmd), pid 2 (cmd)", or "another process" when nobody can be named.
pub fn describe_holders(holders: &[Holder]) -> String {
    if holders.is_empty() {
        return "another process".into();
    }
    holders
        .iter()
        .map(Holder::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The line about a process that hides its environment, which may run in
/// `scope` (`profile "work"`, `a profile`): for `ps`, `stop` and `rm`.
pub fn hides_environment(process: &Holder, scope: &str) -> String {
    format!(
        "{process} could not be read: it hides its environment from other processes, \
         so swop cannot tell whether it runs in {scope}"
    )
}

/// What to do about a busy profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusyAdvice {
    /// Only shared holders: wait, or share.
    WaitOrShare,
    /// An exclusive holder: wait, or take no lock to only read.
    WaitOrNoLock,
    /// `rm`, `mv`, `set`: end the holder, then make the change again.
    StopThen(Change),
    /// `add --share` of a profile something took as soon as it was made:
    /// share once it is done.
    ShareLater,
}

/// A change that needs the profile idle (no lock held, nothing running in
/// it), for the command to run again once it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `swop rm NAME`.
    Remove,
    /// `swop mv NAME TO`.
    Rename { to: String },
    /// `swop set NAME` of its tools, bindings or shared entries.
    Edit,
}

impl Change {
    /// The command that makes the change to profile `name`.
    fn command(&self, name: &str) -> String {
        match self {
            Change::Remove => format!("swop rm {name}"),
            Change::Rename { to } => format!("swop mv {name} {to}"),
            Change::Edit => format!("swop set {name}"),
        }
    }
}

/// The command that found a profile busy, as the user would type it again:
/// what to type to wait for the profile, or to share it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// `swop exec NAME [--lock MODE] -- COMMAND`: the mode given, if any,
    /// and the command, quoted for a shell and redacted.
    Exec {
        lock: Option<String>,
        command: String,
    },
    /// `swop shell NAME [--lock MODE]`.
    Shell { lock: Option<String> },
}

impl Asked {
    /// The command line again for profile `name`, locked in `lock` (else
    /// as asked), with `--wait` when `wait`.
    fn again(&self, name: &str, lock: Option<&str>, wait: bool) -> String {
        let (subcommand, asked_lock, command) = match self {
            Asked::Exec { lock, command } => ("exec", lock, Some(command)),
            Asked::Shell { lock } => ("shell", lock, None),
        };
        let mut line = format!("swop {subcommand} {name}");
        if let Some(mode) = lock.or(asked_lock.as_deref()) {
            line.push_str(&format!(" --lock {mode}"));
        }
        if wait {
            line.push_str(" --wait");
        }
        if let Some(command) = command {
            line.push_str(&format!(" -- {command}"));
        }
        line
    }
}

/// How a profile file is not what swop wrote.
#[derive(Debug)]
pub enum BadFile {
    Version(u32),
    NotAFolderName {
        var: String,
        folder: String,
    },
    OwnFile {
        var: String,
        folder: String,
    },
    FolderAndFile {
        var: String,
    },
    NotAFileName {
        var: String,
        file: String,
    },
    NotAToolName(String),
    /// `allow_write` lists a path that is not absolute.
    RelativePlace(std::path::PathBuf),
    /// `shared` lists what is not `tool/entry`.
    NotShared(String),
    Name(Name),
    Value(Value),
}

/// What keeps the profile from being used.
#[derive(Debug)]
pub enum Profile {
    NotFound(Suggestion),
    /// It was removed while swop waited for its lock.
    RemovedWhileWaiting,
    /// It was removed between its loading and its locking.
    RemovedJustNow,
    Exists,
    /// Its lock is held, by these processes as far as they can be told.
    Busy {
        holders: Vec<Holder>,
        advice: BusyAdvice,
        /// The command that asked, when it can be typed again.
        asked: Option<Asked>,
    },
    /// Its lock was still held when `--wait SECS` ran out.
    StillBusy,
    /// A command inside a shared holder asked for it exclusively while
    /// `others` hold it shared too.
    SharedAlsoBy {
        others: Vec<Holder>,
        /// The command that asked, when it can be typed again.
        asked: Option<Asked>,
    },
    /// The others held it shared still when the wait ran out.
    StillShared,
    /// Another command took the profile while swop converted a shared lock.
    TakenWhileConverting,
    CannotLock,
    /// A change asked from a shell switched to the profile.
    ThisShellIsIn(Change),
    /// A change of a profile in which processes run.
    RunsIn {
        residents: Vec<Holder>,
        change: Change,
    },
    /// A change of a profile in which processes that hide their environment
    /// may run.
    MayRunIn {
        hidden: Vec<Holder>,
        change: Change,
    },
    NoProfileFile {
        dir: PathBuf,
        file_name: &'static str,
    },
    InvalidFile {
        file: PathBuf,
        message: String,
    },
    BadFile {
        file: PathBuf,
        problem: BadFile,
    },
    /// `rm` of a folder that is a file or a link.
    NotAFolder {
        dir: PathBuf,
        link: bool,
    },
    /// Making it failed; nothing of it is left.
    CannotCreate {
        in_dir: PathBuf,
        source: std::io::Error,
    },
    /// Removed, but its files could not all be deleted.
    PartlyRemoved {
        trash: PathBuf,
        source: std::io::Error,
    },
    /// `--unset VAR` of a value the profile does not set.
    NoValue {
        var: String,
    },
    /// A change that would leave it without a binding.
    WouldBindNothing,
}

/// What to try after a profile name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suggestion {
    /// The existing name closest to it.
    Close(String),
    /// No profile exists yet: make it.
    Create,
    List,
}

impl Profile {
    pub fn code(&self) -> i32 {
        match self {
            Profile::NotFound(_) | Profile::RemovedWhileWaiting | Profile::RemovedJustNow => {
                NOT_FOUND
            }
            Profile::Exists => EXISTS,
            Profile::Busy { .. }
            | Profile::StillBusy
            | Profile::SharedAlsoBy { .. }
            | Profile::StillShared
            | Profile::ThisShellIsIn(_)
            | Profile::RunsIn { .. }
            | Profile::MayRunIn { .. } => IN_USE,
            _ => 1,
        }
    }

    pub(super) fn render(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let recreate = format!("recreate the profile (swop rm {name} && swop add {name})");
        match self {
            Profile::NotFound(suggestion) => {
                write!(f, "profile {name:?} not found")?;
                match suggestion {
                    Suggestion::Close(close) => write!(f, "; did you mean {close:?}? (swop list)"),
                    Suggestion::Create => write!(f, "; create it with: swop add {name}"),
                    Suggestion::List => write!(f, "; see swop list"),
                }
            }
            Profile::RemovedWhileWaiting => write!(
                f,
                "profile {name:?} not found: it was removed while swop waited for its lock; see swop list"
            ),
            Profile::RemovedJustNow => write!(
                f,
                "profile {name:?} not found: it was removed just now; see swop list"
            ),
            Profile::Exists => write!(f, "profile {name:?} already exists (swop show {name})"),
            Profile::Busy {
                holders,
                advice,
                asked,
            } => {
                let again = |lock, wait| asked.as_ref().map(|a| a.again(name, lock, wait));
                let hint = match (advice, again(None, true)) {
                    (BusyAdvice::StopThen(change), _) => format!(
                        "end it with swop stop {name} (or let it finish), then run {} again",
                        change.command(name)
                    ),
                    (BusyAdvice::ShareLater, _) => {
                        "let it finish, then share with swop set NAME --share ENTRY".to_string()
                    }
                    (BusyAdvice::WaitOrShare, Some(wait)) => format!(
                        "to wait for them: {wait}; to run beside them: {}",
                        again(Some("shared"), false).unwrap_or_default()
                    ),
                    (BusyAdvice::WaitOrShare, None) => {
                        "add --wait [SECS] to wait for them, or --lock shared to run beside them"
                            .to_string()
                    }
                    (BusyAdvice::WaitOrNoLock, Some(wait)) => format!(
                        "to wait for it: {wait}; a command that only reads the profile can run \
                         beside it with --lock none"
                    ),
                    (BusyAdvice::WaitOrNoLock, None) => {
                        "add --wait [SECS] to wait for it; a command that only \
                         reads the profile can run beside it with --lock none"
                            .to_string()
                    }
                };
                write!(
                    f,
                    "profile {name:?} is in use by {}; {hint}",
                    describe_holders(holders)
                )
            }
            Profile::StillBusy => write!(
                f,
                "profile {name:?} is still in use after waiting; try again or use --wait without a limit"
            ),
            Profile::SharedAlsoBy { others, asked } => {
                write!(
                    f,
                    "profile {name:?} is locked shared by the command that started this one and also by \
                     {}; an exclusive command inside it needs the profile alone: ",
                    describe_holders(others)
                )?;
                match asked {
                    Some(asked) => write!(
                        f,
                        "to wait for them: {}; to run it beside them: {}",
                        asked.again(name, None, true),
                        asked.again(name, Some("shared"), false)
                    ),
                    None => write!(
                        f,
                        "add --wait [SECS] to wait for them, or run it with --lock shared"
                    ),
                }
            }
            Profile::StillShared => write!(
                f,
                "profile {name:?} is still locked shared by others after waiting; try again or \
                 use --wait without a limit"
            ),
            Profile::TakenWhileConverting => write!(
                f,
                "profile {name:?}: another command took the profile while swop made the shared lock \
                 exclusive, so the command that started this one holds no lock any more; end it and \
                 start again"
            ),
            Profile::CannotLock => write!(f, "cannot lock profile {name:?}"),
            Profile::ThisShellIsIn(change) => write!(
                f,
                "this shell runs in profile {name:?} (SWOP_PROFILE={name}); switch away first \
                 (swop off, or exit the swop shell), then run {} again",
                change.command(name)
            ),
            Profile::RunsIn { residents, change } => {
                let who: Vec<String> = residents.iter().map(Holder::to_string).collect();
                let one = residents.len() == 1;
                write!(
                    f,
                    "profile {name:?} is in use by {}, which run{} with its environment; \
                     end {} with swop stop {name}, then run {} again",
                    who.join(", "),
                    if one { "s" } else { "" },
                    if one { "it" } else { "them" },
                    change.command(name)
                )
            }
            Profile::MayRunIn { hidden, change } => {
                let scope = format!("profile {name:?}");
                let said: Vec<String> = hidden
                    .iter()
                    .map(|h| hides_environment(h, &scope))
                    .collect();
                let pids: Vec<String> = hidden.iter().map(|h| h.pid.to_string()).collect();
                write!(
                    f,
                    "{}; if it runs there, end it (kill {}), then run {} again",
                    said.join("; "),
                    pids.join(" "),
                    change.command(name)
                )
            }
            Profile::NoProfileFile { dir, file_name } => write!(
                f,
                "profile {name:?} has no {file_name} ({}); {recreate}",
                dir.display()
            ),
            Profile::InvalidFile { file, message } => write!(
                f,
                "{} is not a valid profile file: {message}; fix it or {recreate}",
                file.display()
            ),
            Profile::BadFile { file, problem } => {
                write!(f, "{}: ", file.display())?;
                match problem {
                    BadFile::Version(version) => {
                        write!(f, "version {version} is not understood by this swop")
                    }
                    BadFile::NotAFolderName { var, folder } => write!(
                        f,
                        "{var} is bound to {folder:?}, which is not a folder name inside the profile \
                         (a single name such as {var:?}, no / or ..)"
                    ),
                    BadFile::OwnFile { var, folder } => write!(
                        f,
                        "{var} is bound to {folder:?}, the profile's own file, not a folder"
                    ),
                    BadFile::FolderAndFile { var } => {
                        write!(f, "{var} is bound both to a folder and to a file")
                    }
                    BadFile::NotAFileName { var, file } => write!(
                        f,
                        "{var} is bound to the file {file:?}, which is not a single file name (no / or ..)"
                    ),
                    BadFile::NotAToolName(tool) => write!(
                        f,
                        "tools lists {tool:?}, which is not a tool name (letters, digits, . _ -)"
                    ),
                    BadFile::RelativePlace(place) => write!(
                        f,
                        "allow_write lists {}, which is not an absolute path",
                        place.display()
                    ),
                    BadFile::NotShared(entry) => write!(
                        f,
                        "shared lists {entry:?}, which is not TOOL/ENTRY (a tool name, then one file or folder name)"
                    ),
                    BadFile::Name(problem) => fmt::Display::fmt(problem, f),
                    BadFile::Value(problem) => fmt::Display::fmt(problem, f),
                }?;
                write!(f, "; edit the file or {recreate}")
            }
            Profile::NotAFolder { dir, link } => write!(
                f,
                "{} is not a profile folder but a {}; delete it yourself (rm {}) if you do not need it",
                dir.display(),
                if *link { "symbolic link" } else { "file" },
                dir.display()
            ),
            Profile::CannotCreate { in_dir, source } => write!(
                f,
                "cannot create profile {name:?} in {}: {}",
                in_dir.display(),
                super::io_text(source)
            ),
            Profile::PartlyRemoved { trash, source } => write!(
                f,
                "profile {name:?} is removed, but its files in {} could not all be deleted ({}); \
                 delete that folder yourself",
                trash.display(),
                super::io_text(source)
            ),
            Profile::WouldBindNothing => write!(
                f,
                "a profile needs at least one binding; profile {name:?} would have none"
            ),
            Profile::NoValue { var } => {
                write!(
                    f,
                    "profile {name:?} sets no value for {var} (swop show {name})"
                )
            }
        }
    }
}
