//! Residents: every process that runs in a profile, found from the mark swop
//! leaves in its environment (see [`environ`]), whether or not it still holds
//! the profile's lock. A daemon a tool starts and that closes every inherited
//! descriptor (codex's app-server, gpg-agent, a language server) leaves the
//! lock behind but keeps its environment, and runs from the profile's folders
//! all the same.
//!
//! A census reads the environment of each of the user's processes
//! (/proc/PID/environ on Linux, `sysctl(KERN_PROCARGS2)` on macOS): cheap, but
//! not free, so only the commands that report on or remove profiles take one;
//! `swop env` and `swop exec` never do.
//!
//! A shell switched with `swop use` changes its own variables only: the kernel
//! keeps the environment a process started with, so such a shell shows
//! through the commands it starts, not by itself.
//!
//! Only the calling user's processes count, root's included when root asks:
//! another user's process that claims a profile of this store is neither
//! listed, nor stopped, nor does it keep a profile in use.
//!
//! A process can hide its environment (`prctl(PR_SET_DUMPABLE, 0)`, as
//! ssh-agent does): then swop cannot read the mark, and says so. Such a
//! process counts for a profile when one of its ancestors runs in it (it was
//! started there and its parent is still alive); otherwise it may run in any
//! profile made before it started ([`Unreadable`]): `ps` lists it, `stop`
//! says it could not reach it, and `rm` refuses while it runs.

mod environ;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
mod procargs;
mod stop;

#[cfg(target_os = "linux")]
use linux as platform;
#[cfg(target_os = "macos")]
use macos as platform;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use serde::Serialize;

use crate::store::Store;

pub use stop::{Ending, Stopped, stop};

/// The environment of one process, as the system gives it.
pub enum Environ<'a> {
    /// Its `NAME=value` entries, NUL-separated.
    Block(&'a [u8]),
    /// The process does not let it be read.
    Unreadable,
}

/// How a resident runs in its profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// It holds the profile's lock, through the descriptor `swop exec` passed on.
    Lock,
    /// It was started under the lock and no longer holds it: a daemon that
    /// closed the descriptors it inherited.
    Resident,
    /// It never held the lock: started from a shell switched to the profile
    /// (`swop use`, `swop env`) or by `swop exec --lock none`.
    Switched,
    /// Its environment cannot be read; it descends from a resident.
    Unreadable,
}

impl Kind {
    /// For people: how it runs.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Lock => "holds the lock",
            Kind::Resident => "resident only",
            Kind::Switched => "switched shell",
            Kind::Unreadable => "could not be read",
        }
    }
}

/// One process running in a profile.
#[derive(Debug, Clone, Serialize)]
pub struct Resident {
    pub profile: String,
    pub pid: u32,
    pub kind: Kind,
    /// When it started, in seconds since the Unix epoch.
    pub started: Option<u64>,
    /// Its command line, with anything that looks like a secret redacted.
    pub command: String,
    /// It runs sealed (`swop exec --seal`): it cannot reach other accounts.
    pub sealed: bool,
    /// Its start as precisely as the system tells: with the pid, what makes
    /// sure a signal reaches this process and not a later one with its pid.
    #[serde(skip)]
    stamp: u64,
}

impl std::fmt::Display for Resident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {} ({})", self.pid, self.command)
    }
}

/// What the system tells about one process.
#[derive(Debug, Clone, Copy)]
struct ProcInfo {
    ppid: u32,
    /// Start time in the system's own unit, for identity.
    stamp: u64,
    /// Start time in seconds since the epoch.
    started: Option<u64>,
    /// Dead and not yet reaped.
    ended: bool,
}

/// A process of the user whose environment cannot be read and that descends
/// from no resident: it may run in any profile that existed when it started.
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    pub pid: u32,
    /// When it started, in seconds since the Unix epoch.
    pub started: Option<u64>,
    /// Its command line, redacted.
    pub command: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {} ({})", self.pid, self.command)
    }
}

impl Unreadable {
    /// Whether it could run in a profile made at `created` (seconds since
    /// the epoch; `None` when the system does not say): a process that
    /// started before the profile existed cannot have its environment.
    pub fn may_run_in(&self, created: Option<u64>) -> bool {
        match (self.started, created) {
            (Some(started), Some(created)) => started + 1 >= created,
            _ => true,
        }
    }

    /// The line that says so, for `ps`, `stop` and `rm`.
    pub fn describe(&self, scope: &str) -> String {
        format!(
            "{self} could not be read: it hides its environment from other processes, \
             so swop cannot tell whether it runs in {scope}"
        )
    }
}

/// The residents of every profile of one store, at one moment.
#[derive(Debug, Default)]
pub struct Census {
    residents: Vec<Resident>,
    unreadable: Vec<Unreadable>,
}

impl Census {
    /// Every process of this user that runs in a profile of `store`, this one
    /// excepted, by profile and pid; and those whose environment cannot be read.
    pub fn take(store: &Store) -> Census {
        let seen = seen(store);
        let mut locks = HashMap::new();
        let mut residents: Vec<Resident> = seen
            .marked
            .into_iter()
            .filter_map(|(pid, profile, fd, sealed)| {
                let lock = locks.entry(profile.clone()).or_insert_with(|| {
                    let path = store.profile_dir(&profile).join(crate::store::LOCK_FILE);
                    fs::symlink_metadata(path).ok()
                });
                let mut resident = resident(pid, profile, fd, lock.as_ref())?;
                resident.sealed = sealed;
                Some(resident)
            })
            .collect();
        let profiles: HashMap<u32, String> = residents
            .iter()
            .map(|r| (r.pid, r.profile.clone()))
            .collect();
        let mut unreadable = Vec::new();
        for pid in seen.unreadable {
            let Some(info) = platform::info(pid).filter(|i| !i.ended) else {
                continue;
            };
            let command = command_line(pid).unwrap_or_default();
            match ancestor_in(pid, &profiles) {
                Some(profile) => residents.push(Resident {
                    profile,
                    pid,
                    kind: Kind::Unreadable,
                    started: info.started,
                    command,
                    sealed: false,
                    stamp: info.stamp,
                }),
                None => unreadable.push(Unreadable {
                    pid,
                    started: info.started,
                    command,
                }),
            }
        }
        residents.sort_by(|a, b| (&a.profile, a.pid).cmp(&(&b.profile, b.pid)));
        Census {
            residents,
            unreadable,
        }
    }

    /// All residents, by profile and pid.
    pub fn all(&self) -> &[Resident] {
        &self.residents
    }

    /// The residents of one profile, by pid.
    pub fn of<'a>(&'a self, profile: &'a str) -> impl Iterator<Item = &'a Resident> + 'a {
        self.residents.iter().filter(move |r| r.profile == profile)
    }

    /// The pids of one profile's residents.
    pub fn pids(&self, profile: &str) -> Vec<u32> {
        self.of(profile).map(|r| r.pid).collect()
    }

    /// The processes that hide their environment and may run in a profile
    /// made at `created` (see [`Unreadable::may_run_in`]).
    pub fn unreadable(&self, created: Option<u64>) -> Vec<&Unreadable> {
        self.unreadable
            .iter()
            .filter(|u| u.may_run_in(created))
            .collect()
    }
}

/// When a profile was made, in seconds since the epoch, where the file
/// system keeps a birth time: its folder is made once and renamed into place.
pub fn created(store: &Store, profile: &str) -> Option<u64> {
    let born = fs::metadata(store.profile_dir(profile))
        .ok()?
        .created()
        .ok()?;
    born.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

/// The profile of the nearest ancestor of `pid` that runs in one.
fn ancestor_in(pid: u32, profiles: &HashMap<u32, String>) -> Option<String> {
    let mut pid = platform::info(pid)?.ppid;
    for _ in 0..4096 {
        if let Some(profile) = profiles.get(&pid) {
            return Some(profile.clone());
        }
        if pid <= 1 {
            return None;
        }
        pid = platform::info(pid)?.ppid;
    }
    None
}

/// What one pass over the user's processes found.
struct Seen {
    /// Pid, profile, and the lock descriptor `exec` named, if any.
    marked: Vec<Marked>,
    /// Processes whose environment cannot be read.
    unreadable: Vec<u32>,
}

/// A process whose mark names a profile of the store: its pid, the
/// profile, the lock descriptor it was given, whether it runs sealed.
type Marked = (u32, String, Option<i32>, bool);

/// The processes marked as running in a profile of `store`, and those that
/// cannot be read.
fn seen(store: &Store) -> Seen {
    let mut seen = Seen {
        marked: Vec::new(),
        unreadable: Vec::new(),
    };
    let mut stores = StoreMatch::new(store.root());
    platform::each_process(&mut |pid, environ| {
        let block = match environ {
            Environ::Block(block) => block,
            Environ::Unreadable => {
                seen.unreadable.push(pid);
                return;
            }
        };
        let Some(mark) = environ::mark(block) else {
            return;
        };
        let Ok(profile) = std::str::from_utf8(mark.profile) else {
            return;
        };
        if crate::names::is_profile_name(profile) && stores.is_ours(mark.store) {
            let fd = mark
                .lock_fd
                .and_then(|fd| std::str::from_utf8(fd).ok()?.parse().ok());
            seen.marked
                .push((pid, profile.to_string(), fd, mark.sealed));
        }
    });
    seen
}

/// The resident behind one marked process, unless it has ended meanwhile.
fn resident(
    pid: u32,
    profile: String,
    fd: Option<i32>,
    lock: Option<&fs::Metadata>,
) -> Option<Resident> {
    let info = platform::info(pid).filter(|i| !i.ended)?;
    let kind = match (fd, lock) {
        (Some(fd), Some(lock)) if platform::holds_lock(pid, fd, lock) => Kind::Lock,
        (Some(_), _) => Kind::Resident,
        (None, _) => Kind::Switched,
    };
    Some(Resident {
        profile,
        pid,
        kind,
        started: info.started,
        command: command_line(pid).unwrap_or_default(),
        sealed: false,
        stamp: info.stamp,
    })
}

/// Whether a `SWOP_HOME` value names this store: the same bytes as its
/// canonical root, or a path that resolves to it. Answers are kept, as many
/// processes carry the same value.
struct StoreMatch<'a> {
    root: &'a Path,
    seen: Vec<(Vec<u8>, bool)>,
}

impl<'a> StoreMatch<'a> {
    fn new(root: &'a Path) -> Self {
        StoreMatch {
            root,
            seen: Vec::new(),
        }
    }

    fn is_ours(&mut self, value: &[u8]) -> bool {
        if value == self.root.as_os_str().as_bytes() {
            return true;
        }
        if let Some((_, ours)) = self.seen.iter().find(|(v, _)| v == value) {
            return *ours;
        }
        let path = Path::new(OsStr::from_bytes(value));
        let ours = path.is_absolute() && fs::canonicalize(path).is_ok_and(|p| p == self.root);
        self.seen.push((value.to_vec(), ours));
        ours
    }
}

/// The user's processes (this one excepted) whose environment holds the
/// entry `name=value`: what a process inherits however it detaches.
pub fn processes_with(name: &str, value: &str) -> Vec<u32> {
    let entry = format!("{name}={value}");
    let mut pids = Vec::new();
    platform::each_process(&mut |pid, environ| {
        if let Environ::Block(block) = environ
            && environ::has_entry(block, entry.as_bytes())
        {
            pids.push(pid);
        }
    });
    pids
}

/// Whether a process runs (exists and has not ended).
pub fn alive(pid: u32) -> bool {
    platform::info(pid).is_some_and(|i| !i.ended)
}

/// The command line of a process, redacted, for messages.
pub fn command_line(pid: u32) -> Option<String> {
    let words = platform::argv(pid)?;
    Some(crate::redact::redact_command(&words).join(" "))
}

/// The parent of a process, while it runs.
pub fn parent(pid: u32) -> Option<u32> {
    platform::info(pid).map(|info| info.ppid)
}

/// This process's parent, its parent's parent, and so on up to init.
pub fn ancestors() -> Vec<u32> {
    let mut chain = Vec::new();
    let mut pid = std::os::unix::process::parent_id();
    // A cycle cannot happen, but a bound costs nothing.
    while pid > 1 && chain.len() < 4096 {
        chain.push(pid);
        match platform::info(pid) {
            Some(info) => pid = info.ppid,
            None => break,
        }
    }
    chain
}

/// Whether this very process (same pid, same start) still runs.
fn still_running(resident: &Resident) -> bool {
    platform::info(resident.pid).is_some_and(|i| !i.ended && i.stamp == resident.stamp)
}
