//! The profile lock: flock(2) on the profile's lock file, through std's
//! `File::lock` family.
//!
//! `swop exec` keeps the lock file open across exec, so the lock lives exactly
//! as long as some process of the command holds the descriptor; the kernel drops
//! it when the last one dies, `kill -9` included, so no lock is ever stale.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::cli::{LockMode, Wait};
use crate::error::{Error, Result, at_path};
use crate::store::Profile;

#[derive(Debug)]
pub struct ProfileLock {
    file: File,
}

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

impl ProfileLock {
    /// Take the profile's lock, failing fast or waiting as asked. `what` names the
    /// command for the holder record and messages. `None` mode takes no lock.
    pub fn acquire(
        profile: &Profile,
        mode: LockMode,
        wait: Option<Wait>,
        what: &str,
    ) -> Result<Option<ProfileLock>> {
        Self::acquire_advising(profile, mode, wait, what, None)
    }

    /// Take the exclusive lock at once, for a command that has no --wait or
    /// --lock of its own: a busy profile fails with `advice` as the next step.
    pub fn acquire_exclusive_now(
        profile: &Profile,
        what: &str,
        advice: &str,
    ) -> Result<ProfileLock> {
        Self::acquire_advising(profile, LockMode::Exclusive, None, what, Some(advice))?
            .ok_or_else(|| Error::user(format!("cannot lock profile {:?}", profile.name)))
    }

    fn acquire_advising(
        profile: &Profile,
        mode: LockMode,
        wait: Option<Wait>,
        what: &str,
        advice: Option<&str>,
    ) -> Result<Option<ProfileLock>> {
        if mode == LockMode::None {
            return Ok(None);
        }
        let path = profile.lock_path();
        let file = open_lock_file(profile, &path)?;
        let exclusive = mode == LockMode::Exclusive;
        if !try_lock(&file, exclusive).map_err(at_path("cannot lock", &path))? {
            let deadline = match wait {
                None => return Err(busy_error(profile, &file, mode, advice)),
                Some(Wait::Forever) => None,
                Some(Wait::Seconds(secs)) => Some(Instant::now() + Duration::from_secs_f64(secs)),
            };
            let holders = holders(&file);
            eprintln!(
                "swop: waiting for profile {:?} ({}){}",
                profile.name,
                describe_holders(&holders),
                match wait {
                    Some(Wait::Seconds(s)) => format!(", up to {s} s"),
                    _ => String::new(),
                }
            );
            wait_for(&file, exclusive, deadline)
                .map_err(at_path("cannot lock", &path))?
                .then_some(())
                .ok_or_else(|| {
                    Error::user(format!(
                        "profile {:?} is still in use after waiting; try again or use --wait without a limit",
                        profile.name
                    ))
                })?;
        }
        // The profile may have been removed (or removed and made again) while we
        // waited: a lock on an unlinked file protects nothing.
        let same = fs::metadata(&path)
            .ok()
            .zip(file.metadata().ok())
            .is_some_and(|(on_disk, ours)| {
                on_disk.ino() == ours.ino() && on_disk.dev() == ours.dev()
            });
        if !same {
            return Err(Error::user(format!(
                "profile {:?} not found: it was removed while swop waited for its lock; see swop list",
                profile.name
            )));
        }
        let lock = ProfileLock { file };
        if exclusive {
            lock.record_holder(what);
        }
        Ok(Some(lock))
    }

    /// Best effort: who holds the lock, for messages to others.
    ///
    /// The record is one fixed-size write in place, padded with newlines:
    /// truncating the file on every exec costs a journal commit.
    fn record_holder(&self, what: &str) {
        use std::os::unix::fs::FileExt;
        const RECORD: usize = 256;
        let mut record = format!("{}\n", std::process::id());
        for c in what.chars().filter(|c| *c != '\n') {
            if record.len() + c.len_utf8() >= RECORD {
                break;
            }
            record.push(c);
        }
        let mut bytes = record.into_bytes();
        bytes.resize(RECORD, b'\n');
        let _ = self.file.write_all_at(&bytes, 0);
    }

    /// The lock file's descriptor number.
    pub fn fd(&self) -> i32 {
        use std::os::fd::AsRawFd;
        self.file.as_raw_fd()
    }

    /// Let the descriptor survive exec, so the command and its children hold the lock.
    pub fn inherit_across_exec(&self) -> Result<()> {
        use std::os::fd::AsRawFd;
        let fd = self.file.as_raw_fd();
        // SAFETY: fcntl on a descriptor we own, with integer arguments only.
        let rc = unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags < 0 {
                flags
            } else {
                libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC)
            }
        };
        if rc < 0 {
            return Err(Error::Io {
                context: "cannot pass the profile lock to the command".into(),
                source: io::Error::last_os_error(),
            });
        }
        Ok(())
    }
}

/// Open (or make) the lock file, never through a link. On a read-only store the
/// lock is taken on a read-only descriptor: flock(2) does not need write access.
fn open_lock_file(profile: &Profile, path: &Path) -> Result<File> {
    let open = |write: bool| {
        OpenOptions::new()
            .read(true)
            .write(write)
            .create(write)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
    };
    let file = match open(true) {
        Err(e) if e.raw_os_error() == Some(libc::EROFS) => open(false),
        other => other,
    }
    .map_err(|e| match e.raw_os_error() {
        Some(libc::ELOOP) => not_a_lock_file(
            path,
            "a symbolic link, not a lock file, and swop does not follow links in its store",
        ),
        Some(libc::ENOENT) => Error::user(format!(
            "profile {:?} not found: it was removed just now; see swop list",
            profile.name
        )),
        _ => at_path("cannot open lock file", path)(crate::util::advised(e)),
    })?;
    let meta = file
        .metadata()
        .map_err(at_path("cannot open lock file", path))?;
    if !meta.is_file() {
        return Err(not_a_lock_file(
            path,
            "not a regular file, so it cannot be the profile's lock",
        ));
    }
    Ok(file)
}

fn not_a_lock_file(path: &Path, what: &str) -> Error {
    Error::user(format!(
        "{} is {what}; remove it (rm {}) and swop makes a new lock file",
        path.display(),
        path.display()
    ))
}

fn try_lock(file: &File, exclusive: bool) -> io::Result<bool> {
    let result = if exclusive {
        file.try_lock()
    } else {
        file.try_lock_shared()
    };
    match result {
        Ok(()) => Ok(true),
        Err(fs::TryLockError::WouldBlock) => Ok(false),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

fn wait_for(file: &File, exclusive: bool, deadline: Option<Instant>) -> io::Result<bool> {
    let Some(deadline) = deadline else {
        if exclusive {
            file.lock()?;
        } else {
            file.lock_shared()?;
        }
        return Ok(true);
    };
    // flock has no timeout: poll, backing off from 5 ms to 100 ms.
    let mut pause = Duration::from_millis(5);
    loop {
        if try_lock(file, exclusive)? {
            return Ok(true);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

fn busy_error(profile: &Profile, file: &File, mode: LockMode, advice: Option<&str>) -> Error {
    let holders = holders(file);
    let name = &profile.name;
    let hint = if let Some(advice) = advice {
        advice.to_string()
    } else if mode == LockMode::Shared {
        "add --wait to wait for it".to_string()
    } else {
        "add --wait [SECS] to wait, or --lock shared to run beside other shared users".to_string()
    };
    Error::user(format!(
        "profile {name:?} is in use by {}; {hint}",
        describe_holders(&holders)
    ))
}

fn describe_holders(holders: &[Holder]) -> String {
    if holders.is_empty() {
        return "another process".into();
    }
    holders
        .iter()
        .map(Holder::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether anybody holds the profile's lock, without disturbing them.
pub fn in_use(profile: &Profile) -> bool {
    in_use_with(&KernelLocks::read(), profile)
}

/// The kernel's table of file locks (/proc/locks), read once for many profiles.
pub struct KernelLocks(Option<String>);

impl KernelLocks {
    pub fn read() -> KernelLocks {
        KernelLocks(fs::read_to_string("/proc/locks").ok())
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
    if let Some(pids) = locks.0.as_deref().and_then(|text| lock_pids(text, &file)) {
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
    match proc_lock_pids(file) {
        Some(pids) => pids
            .into_iter()
            .map(|pid| Holder {
                pid,
                command: proc_command(pid).or_else(|| {
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

/// Pids holding a flock on the file's inode, from /proc/locks (Linux).
fn proc_lock_pids(file: &File) -> Option<Vec<u32>> {
    lock_pids(&fs::read_to_string("/proc/locks").ok()?, file)
}

/// Pids holding a flock on the file's inode, in a /proc/locks text.
fn lock_pids(text: &str, file: &File) -> Option<Vec<u32>> {
    let meta = file.metadata().ok()?;
    let dev = meta.dev();
    let key = format!(
        "{:02x}:{:02x}:{}",
        libc::major(dev),
        libc::minor(dev),
        meta.ino()
    );
    let mut pids: Vec<u32> = text
        .lines()
        .filter(|line| !line.contains("->"))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // "1: FLOCK ADVISORY WRITE 1234 00:1f:5678 0 EOF"
            (fields.get(1) == Some(&"FLOCK") && fields.get(5) == Some(&key.as_str()))
                .then(|| fields.get(4)?.parse().ok())
                .flatten()
        })
        .collect();
    pids.sort_unstable();
    pids.dedup();
    Some(pids)
}

fn proc_command(pid: u32) -> Option<String> {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let words: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    (!words.is_empty()).then(|| crate::discover::redact::redact_command(&words).join(" "))
}
