//! Residents: every process that runs in a profile, found from the mark swop
//! leaves in its environment (see [`mark`]), whether or not it still holds
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

mod mark;
mod stop;

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use serde::Serialize;

use crate::error::Holder;
use crate::store::Store;
use crate::sys::process::{self, Environ};

pub use stop::{Stopped, stop};

/// How a resident runs in its profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// It holds the profile's lock, through the descriptor `swop exec` passed on.
    Lock,
    /// It does not hold the lock itself, but a process of the same command
    /// that holds it is its parent (or its parent's, and so on, through
    /// processes of the profile): it is part of the holder, as codex's
    /// native program is under the `node codex` that started it.
    #[serde(rename = "under_lock")]
    UnderLock,
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
            Kind::UnderLock => "under the lock",
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
    /// The same for people: paths in the home and the store named `~` and
    /// `$SWOP_HOME`, control characters escaped.
    #[serde(skip)]
    pub shown: String,
    /// It runs sealed (`swop exec --seal`): it cannot reach other accounts.
    pub sealed: bool,
    /// Its start as precisely as the system tells: with the pid, what makes
    /// sure a signal reaches this process and not a later one with its pid.
    #[serde(skip)]
    stamp: u64,
}

impl std::fmt::Display for Resident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.holder().fmt(f)
    }
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
    /// The same for people, see [`Resident::shown`].
    #[serde(skip)]
    pub shown: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.holder().fmt(f)
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
        crate::error::hides_environment(&self.holder(), scope)
    }

    /// The process, as messages name it.
    pub fn holder(&self) -> Holder {
        holder(self.pid, &self.shown)
    }
}

/// How wide a command line may be in a message about its process.
const MESSAGE_WIDTH: usize = 50;

/// A process as messages name it: its command line, short.
fn holder(pid: u32, shown: &str) -> Holder {
    Holder {
        pid,
        command: Some(crate::output::fit(shown, MESSAGE_WIDTH)),
    }
}

/// The places a command line's paths are named by, for people: the store
/// (`$SWOP_HOME`, its canonical path), and the home (`~`).
fn places(store: &Store) -> Vec<(String, &'static str)> {
    let mut places = vec![(store.root().to_string_lossy().into_owned(), "$SWOP_HOME")];
    if let Some(home) = std::env::var_os("HOME").and_then(|h| h.into_string().ok()) {
        places.push((home.trim_end_matches('/').to_string(), "~"));
    }
    places
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
        let places = places(store);
        let places: Vec<(&str, &str)> = places.iter().map(|(p, n)| (p.as_str(), *n)).collect();
        // Escaped here, once: every message and row that shows a command
        // shows this text, which any process can set to what it likes.
        let shown = |command: &str| {
            crate::output::printable_line(&crate::output::shorten_paths(command, &places))
                .into_owned()
        };
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
                resident.shown = shown(&resident.command);
                Some(resident)
            })
            .collect();
        let profiles: HashMap<u32, String> = residents
            .iter()
            .map(|r| (r.pid, r.profile.clone()))
            .collect();
        let holders: HashMap<u32, &str> = residents
            .iter()
            .filter(|r| r.kind == Kind::Lock)
            .map(|r| (r.pid, r.profile.as_str()))
            .collect();
        let under: Vec<u32> = residents
            .iter()
            .filter(|r| r.kind == Kind::Resident && under_holder(r, &profiles, &holders))
            .map(|r| r.pid)
            .collect();
        for resident in residents.iter_mut().filter(|r| under.contains(&r.pid)) {
            resident.kind = Kind::UnderLock;
        }
        let mut unreadable = Vec::new();
        for pid in seen.unreadable {
            let Some(info) = process::info(pid).filter(|i| !i.ended) else {
                continue;
            };
            if handed_no_profile(info.ppid, &seen.plain) {
                continue;
            }
            let command = command_line(pid).unwrap_or_default();
            match ancestor_in(pid, &profiles) {
                Some(profile) => residents.push(Resident {
                    profile,
                    pid,
                    kind: Kind::Unreadable,
                    started: info.started(),
                    shown: shown(&command),
                    command,
                    sealed: false,
                    stamp: info.stamp,
                }),
                None => unreadable.push(Unreadable {
                    pid,
                    started: info.started(),
                    shown: shown(&command),
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

    /// Those that hide their environment and may run in profile `name`, or
    /// in any profile of the store without one: none in a store without
    /// profiles.
    pub fn unreadable_in(&self, store: &Store, name: Option<&str>) -> Vec<&Unreadable> {
        let created = match name {
            Some(name) => created(store, name),
            None => {
                let names = store.names().unwrap_or_default();
                if names.is_empty() {
                    return Vec::new();
                }
                // The oldest, if the system says for all.
                let times: Option<Vec<u64>> =
                    names.iter().map(|name| created(store, name)).collect();
                times.and_then(|t| t.into_iter().min())
            }
        };
        self.unreadable(created)
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

/// Whether a process that inherited the lock's name but not its descriptor
/// descends from a holder of its profile's lock, through processes of that
/// profile only: it is part of the command that holds the lock (codex's
/// native program under `node codex`), not a daemon left behind.
fn under_holder(
    resident: &Resident,
    profiles: &HashMap<u32, String>,
    holders: &HashMap<u32, &str>,
) -> bool {
    let mut pid = resident.pid;
    for _ in 0..4096 {
        let Some(parent) = process::parent(pid).filter(|p| *p > 1) else {
            return false;
        };
        if holders.get(&parent) == Some(&resident.profile.as_str()) {
            return true;
        }
        if profiles.get(&parent) != Some(&resident.profile) {
            return false;
        }
        pid = parent;
    }
    false
}

/// The profile of the nearest ancestor of `pid` that runs in one.
/// Whether a process's parent, `ppid`, handed it an environment without a
/// profile: its own names none (`plain`), and it is no shell (which may have
/// switched since it started: its environment as the system shows it is
/// the one it started with) nor the process that adopts orphans (a daemon
/// started in a profile ends up there, whatever it was handed). A browser's
/// sandboxed helpers and an agent started by a plain session stay out of
/// the profiles so.
fn handed_no_profile(ppid: u32, plain: &HashSet<u32>) -> bool {
    if ppid <= 1 || !plain.contains(&ppid) {
        return false;
    }
    let adopter_or_shell = process::name(ppid).is_none_or(|name| {
        ADOPTERS.iter().any(|a| name == *a)
            || matches!(crate::shell::guess(&name), crate::shell::Guess::Known(_))
    });
    !adopter_or_shell
}

/// The programs that adopt orphans besides pid 1: a session's service
/// manager, a container's init.
const ADOPTERS: [&str; 5] = ["systemd", "init", "tini", "dumb-init", "catatonit"];

fn ancestor_in(pid: u32, profiles: &HashMap<u32, String>) -> Option<String> {
    let mut pid = process::parent(pid)?;
    for _ in 0..4096 {
        if let Some(profile) = profiles.get(&pid) {
            return Some(profile.clone());
        }
        if pid <= 1 {
            return None;
        }
        pid = process::parent(pid)?;
    }
    None
}

/// What one pass over the user's processes found.
struct Seen {
    /// Pid, profile, and the lock descriptor `exec` named, if any.
    marked: Vec<Marked>,
    /// Processes whose environment cannot be read.
    unreadable: Vec<u32>,
    /// Processes whose environment names no profile.
    plain: HashSet<u32>,
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
        plain: HashSet::new(),
    };
    let mut stores = StoreMatch::new(store.root());
    process::each_environ(mark::STORE, &mut |pid, environ| {
        let block = match environ {
            Environ::Block(block) => block,
            Environ::Unreadable => {
                seen.unreadable.push(pid);
                return;
            }
        };
        let Some(mark) = mark::mark(block) else {
            seen.plain.insert(pid);
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
    let info = process::info(pid).filter(|i| !i.ended)?;
    let kind = match (fd, lock) {
        (Some(fd), Some(lock)) if crate::sys::flock::holds_lock(pid, fd, lock) => Kind::Lock,
        (Some(_), _) => Kind::Resident,
        (None, _) => Kind::Switched,
    };
    Some(Resident {
        profile,
        pid,
        kind,
        started: info.started(),
        command: command_line(pid).unwrap_or_default(),
        shown: String::new(),
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

/// The command line of a process, redacted, for messages.
pub fn command_line(pid: u32) -> Option<String> {
    process::argv(pid).map(|words| crate::redact::command_line(&words))
}

impl Resident {
    /// The process, as messages name it.
    pub fn holder(&self) -> Holder {
        holder(self.pid, &self.shown)
    }

    /// The process to signal: this very one, never a later one with its pid.
    fn process(&self) -> crate::sys::signal::Process {
        crate::sys::signal::Process {
            pid: self.pid,
            stamp: Some(self.stamp),
        }
    }
}
