//! Who holds a profile's lock, for messages and for `list`: the kernel's table
//! of file locks where it has one ([`KernelLocks`]), else the record the last
//! exclusive holder left in the lock file.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek};
use std::os::unix::fs::OpenOptionsExt;

pub use crate::error::{Holder, describe_holders};
use crate::store::Profile;
use crate::sys::flock::KernelLocks;

/// Whether someone holds the profile's lock, against a lock table already read.
pub fn in_use_with(locks: &KernelLocks, profile: &Profile) -> bool {
    let Ok(file) = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(profile.lock_path())
    else {
        return false;
    };
    if let Some(pids) = locks.pids(&file) {
        return !pids.is_empty();
    }
    // No /proc/locks: probe. A shared probe does not disturb shared holders.
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(_) => true,
    }
}

/// The holders of the lock on `file`: from /proc/locks where the kernel says,
/// else from the record the last exclusive holder left in the file.
pub fn holders(file: &File) -> Vec<Holder> {
    let recorded = recorded_holder(file);
    match KernelLocks::read().pids(file) {
        Some(pids) => pids
            .into_iter()
            .map(|pid| Holder {
                pid,
                command: command_line(pid).or_else(|| {
                    recorded
                        .as_ref()
                        .filter(|r| r.pid == pid)
                        .and_then(|r| r.command.clone())
                }),
            })
            .collect(),
        None => recorded.into_iter().collect(),
    }
}

fn recorded_holder(file: &File) -> Option<Holder> {
    let mut text = String::new();
    let mut reader = file;
    reader.rewind().ok()?;
    reader.take(4096).read_to_string(&mut text).ok()?;
    let mut lines = text.lines();
    let pid = lines.next()?.trim().parse().ok()?;
    Some(Holder {
        pid,
        command: lines.next().map(str::to_string).filter(|c| !c.is_empty()),
    })
}

/// The command line of a holder, redacted.
fn command_line(pid: u32) -> Option<String> {
    crate::sys::process::argv(pid).map(|words| crate::redact::command_line(&words))
}
