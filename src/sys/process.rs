//! Processes, as the system tells of them: one process's parent, start and
//! state, its command line and its executable, its ancestors, swop's own
//! children, and the environment of each of the user's processes. The same
//! interface on every platform: `linux` reads /proc, `macos` asks libproc
//! and sysctl.
//!
//! A process that has ended and waits for its parent to collect its status (a
//! zombie) is not alive here, anywhere: it runs no code, holds no open file
//! and no lock, and cannot be signalled into doing anything.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
mod procargs;

#[cfg(target_os = "linux")]
use linux as platform;
#[cfg(target_os = "macos")]
use macos as platform;

use std::ffi::OsString;
use std::path::PathBuf;

/// What the system tells about one process at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    pub ppid: u32,
    /// Its start in the system's own unit: with the pid, what tells this
    /// process from a later one given the same pid.
    pub stamp: u64,
    /// Ended, and not yet collected by its parent (a zombie).
    pub ended: bool,
}

impl Info {
    /// Its start, in seconds since the Unix epoch: asked only where shown,
    /// as on Linux it needs the boot time.
    pub fn started(&self) -> Option<u64> {
        platform::started(self.stamp)
    }
}

/// The environment of one process, as the system gives it.
pub enum Environ<'a> {
    /// Its `NAME=value` entries, NUL-separated.
    Block(&'a [u8]),
    /// The process does not let it be read.
    Unreadable,
}

/// Parent, start and state of `pid`, while it exists (a zombie included).
pub fn info(pid: u32) -> Option<Info> {
    platform::info(pid)
}

/// Whether `pid` runs: it exists and has not ended.
pub fn alive(pid: u32) -> bool {
    info(pid).is_some_and(|i| !i.ended)
}

/// This process's session, as its leader and the leader's start: the
/// terminal (or the login) it belongs to, for saying a thing once per
/// terminal. `None` when the leader is gone or cannot be read.
pub fn session() -> Option<(u32, u64)> {
    // SAFETY: getsid(0) asks about the calling process; it cannot fail for it.
    let sid = unsafe { libc::getsid(0) };
    let sid = u32::try_from(sid).ok().filter(|s| *s > 0)?;
    info(sid).filter(|i| !i.ended).map(|i| (sid, i.stamp))
}

/// The process group of `pid`: what tells a shell's `$(...)` subshell,
/// which stays in its group, from a shell started inside it, which (with
/// job control) leads one of its own.
pub fn group(pid: u32) -> Option<u32> {
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: getpgid only reads the process table.
    let group = unsafe { libc::getpgid(pid) };
    u32::try_from(group).ok()
}

/// Whether the very process that had `stamp` (see [`Info::stamp`]) still runs.
pub fn still_running(pid: u32, stamp: u64) -> bool {
    info(pid).is_some_and(|i| !i.ended && i.stamp == stamp)
}

/// The parent of `pid`, while it exists.
pub fn parent(pid: u32) -> Option<u32> {
    info(pid).map(|i| i.ppid)
}

/// This process's parent, its parent's parent, and so on up to init.
pub fn ancestors() -> Vec<u32> {
    let mut chain = Vec::new();
    let mut pid = std::os::unix::process::parent_id();
    // A cycle cannot happen, but a bound costs nothing.
    while pid > 1 && chain.len() < 4096 {
        chain.push(pid);
        match parent(pid) {
            Some(ppid) => pid = ppid,
            None => break,
        }
    }
    chain
}

/// The command line of `pid`, one string per argument.
pub fn argv(pid: u32) -> Option<Vec<String>> {
    platform::argv(pid)
}

/// The names the system gives `pid`, most telling first: its command name,
/// then its executable's path (Linux); its executable's path (macOS).
pub fn names(pid: u32) -> Vec<OsString> {
    platform::names(pid)
}

/// The most telling of [`names`] alone: the command name (Linux), the
/// executable's path (macOS).
pub fn name(pid: u32) -> Option<OsString> {
    platform::name(pid)
}

/// The executable `pid` runs, where the system says.
pub fn executable(pid: u32) -> Option<PathBuf> {
    platform::executable(pid)
}

/// swop's own children, orphans re-parented to it included (see
/// [`super::signal::become_subreaper`]); empty where the system does not list them.
pub fn own_children() -> Vec<u32> {
    platform::own_children()
}

/// Call `found` with the pid and environment of every process of this user
/// (its effective uid is ours) whose environment holds `needle`, this one
/// excepted, and with [`Environ::Unreadable`] for one of this user's that
/// hides its environment. Other users' processes are skipped even when swop
/// could read them (as root).
pub fn each_environ(needle: &[u8], found: &mut dyn FnMut(u32, Environ<'_>)) {
    platform::each_environ(needle, found)
}

/// The user's processes (this one excepted) whose environment holds the
/// entry `name=value` exactly: what a process inherits however it detaches.
pub fn with_entry(name: &str, value: &str) -> Vec<u32> {
    let entry = format!("{name}={value}");
    let mut pids = Vec::new();
    each_environ(entry.as_bytes(), &mut |pid, environ| {
        if let Environ::Block(block) = environ
            && block.split(|&b| b == 0).any(|e| e == entry.as_bytes())
        {
            pids.push(pid);
        }
    });
    pids
}

/// Whether descriptor `fd` of process `pid` is open on the file `file`
/// (macOS, which does not say which open file holds a flock).
#[cfg(target_os = "macos")]
pub fn open_on(pid: u32, fd: i32, file: &std::fs::Metadata) -> bool {
    macos::open_on(pid, fd, file)
}

/// This process's real uid and gid.
pub fn real_ids() -> (u32, u32) {
    // SAFETY: getuid and getgid cannot fail.
    unsafe { (libc::getuid(), libc::getgid()) }
}

/// Whether standard input is a terminal.
pub fn stdin_is_terminal() -> bool {
    // SAFETY: isatty has no preconditions.
    unsafe { libc::isatty(0) == 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_found_with_its_parent_and_runs() {
        let me = info(std::process::id()).expect("own info");
        assert_eq!(me.ppid, std::os::unix::process::parent_id());
        assert!(!me.ended);
        assert!(still_running(std::process::id(), me.stamp));
        assert!(!still_running(std::process::id(), me.stamp + 1));
        assert_eq!(ancestors().first(), Some(&me.ppid));
    }

    #[test]
    fn a_zombie_has_ended() {
        let mut child = std::process::Command::new("true").spawn().expect("true");
        let pid = child.id();
        // Not collected yet: a zombie once it exits.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while info(pid).is_some_and(|i| !i.ended) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(info(pid).is_some(), "the zombie is still there");
        assert!(!alive(pid));
        child.wait().expect("collect it");
        assert!(info(pid).is_none());
    }
}
