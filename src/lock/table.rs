//! Who holds a profile's lock, for messages and for `list`: the kernel's table
//! of file locks on Linux (/proc/locks), else the record the last exclusive
//! holder left in the lock file.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek};
use std::os::unix::fs::OpenOptionsExt;

use crate::store::Profile;

/// Who holds a lock, as far as can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub command: Option<String>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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

/// The kernel's table of file locks (/proc/locks), read once for many profiles.
pub struct KernelLocks(Option<String>);

impl KernelLocks {
    pub fn read() -> KernelLocks {
        KernelLocks(fs::read_to_string("/proc/locks").ok())
    }

    /// The pids holding a flock on this file, if the table could be read.
    pub fn pids(&self, file: &File) -> Option<Vec<u32>> {
        let mut pids: Vec<u32> = flocks(self.0.as_deref()?, file)?
            .into_iter()
            .map(|(pid, _)| pid)
            .collect();
        pids.sort_unstable();
        pids.dedup();
        Some(pids)
    }

    /// How many open files hold a flock on this file (each shared holder
    /// counts once), if the table could be read.
    pub fn holding_files(&self, file: &File) -> Option<usize> {
        Some(flocks(self.0.as_deref()?, file)?.len())
    }
}

/// [`in_use`] against a lock table already read.
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
                command: crate::residents::command_line(pid).or_else(|| {
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

/// How the kernel names a file in /proc/locks and /proc/PID/fdinfo:
/// `MAJOR:MINOR:INODE`, the numbers of the device in hex.
#[cfg(target_os = "linux")]
pub fn lock_key(meta: &fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    let dev = meta.dev();
    format!(
        "{:02x}:{:02x}:{}",
        libc::major(dev),
        libc::minor(dev),
        meta.ino()
    )
}

/// The flocks on the file's inode in a /proc/locks text: (pid, exclusive),
/// one per open file that holds one.
#[cfg(target_os = "linux")]
fn flocks(text: &str, file: &File) -> Option<Vec<(u32, bool)>> {
    let key = lock_key(&file.metadata().ok()?);
    Some(
        text.lines()
            .filter(|line| !line.contains("->"))
            .filter_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                // "1: FLOCK ADVISORY WRITE 1234 00:1f:5678 0 EOF"
                if fields.get(1) != Some(&"FLOCK") || fields.get(5) != Some(&key.as_str()) {
                    return None;
                }
                Some((
                    fields.get(4)?.parse().ok()?,
                    fields.get(3) == Some(&"WRITE"),
                ))
            })
            .collect(),
    )
}

/// The flock one open file holds, from the text of its /proc/PID/fdinfo entry
/// (`lock:\t1: FLOCK  ADVISORY  WRITE 1234 fe:00:5678 0 EOF`): `Some(true)`
/// for exclusive, `Some(false)` for shared. With `key` (see [`lock_key`]), only
/// a lock on that file counts.
pub fn fdinfo_flock(info: &str, key: Option<&str>) -> Option<bool> {
    info.lines()
        .filter_map(|line| line.strip_prefix("lock:"))
        .find_map(|rest| {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if fields.get(1) != Some(&"FLOCK") || key.is_some_and(|k| fields.get(5) != Some(&k)) {
                return None;
            }
            match *fields.get(3)? {
                "WRITE" => Some(true),
                "READ" => Some(false),
                _ => None,
            }
        })
}

/// No /proc/locks outside Linux: the callers fall back to probing.
#[cfg(not(target_os = "linux"))]
fn flocks(_text: &str, _file: &File) -> Option<Vec<(u32, bool)>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdinfo_tells_the_mode_of_the_lock_on_that_file_only() {
        let info = "pos:\t0\nflags:\t0100002\nmnt_id:\t27\nino:\t42\n\
                    lock:\t1: FLOCK  ADVISORY  READ 23504 fe:00:42 0 EOF\n";
        assert_eq!(fdinfo_flock(info, None), Some(false));
        assert_eq!(fdinfo_flock(info, Some("fe:00:42")), Some(false));
        assert_eq!(fdinfo_flock(info, Some("fe:00:43")), None);
        let write = info.replace("READ", "WRITE");
        assert_eq!(fdinfo_flock(&write, Some("fe:00:42")), Some(true));
        let posix = info.replace("FLOCK", "POSIX");
        assert_eq!(fdinfo_flock(&posix, None), None);
        assert_eq!(fdinfo_flock("pos:\t0\n", None), None);
    }
}
