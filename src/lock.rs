//! The profile lock: flock(2) on the profile's lock file, through std's
//! `File::lock` family.
//!
//! `swop exec` keeps the lock file open across exec, so the lock lives exactly
//! as long as some process of the command holds the descriptor; the kernel drops
//! it when the last one dies, `kill -9` included, so no lock is ever stale.

mod inherited;
mod table;

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::RawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

pub use inherited::LOCK_FD_VAR;
#[cfg(target_os = "linux")]
pub use table::lock_key;
pub use table::{KernelLocks, fdinfo_flock, holders, in_use_with};

use crate::error::{Error, Result, at_path};
use crate::store::Profile;
use table::describe_holders;

/// How a command holds its profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LockMode {
    /// One command per profile at a time
    #[default]
    Exclusive,
    /// Many commands at once, but none while an exclusive holder runs
    Shared,
    /// No lock
    None,
}

/// How long to wait for a busy profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Wait {
    Forever,
    Seconds(f64),
}

impl std::str::FromStr for Wait {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "forever" {
            return Ok(Wait::Forever);
        }
        match s.parse::<f64>() {
            Ok(secs) if secs.is_finite() && secs >= 0.0 => Ok(Wait::Seconds(secs)),
            _ => Err(format!("expected a number of seconds, got {s:?}")),
        }
    }
}

#[derive(Debug)]
pub struct ProfileLock {
    file: File,
}

/// The lock a command runs under.
#[derive(Debug)]
pub enum CommandLock {
    /// Taken by this swop, to be passed on to the command.
    Own(ProfileLock),
    /// Held by the caller on this descriptor, which the command inherits.
    Inherited(RawFd),
    /// None: `--lock none`.
    Unlocked,
}

impl ProfileLock {
    /// The lock for a command of `profile`: the caller's, when it really holds
    /// the profile in at least `mode` (checked, see the `inherited` module),
    /// else a new one.
    pub fn for_command(
        profile: &Profile,
        mode: LockMode,
        wait: Option<Wait>,
        what: &str,
    ) -> Result<CommandLock> {
        use inherited::Inherited;
        if mode == LockMode::None {
            // Nothing is asked of an inherited lock; it stays named as long as
            // the command keeps the descriptor.
            return Ok(inherited::lock_file_fd(profile)
                .map_or(CommandLock::Unlocked, CommandLock::Inherited));
        }
        match inherited::inherited(profile, mode == LockMode::Exclusive) {
            Inherited::Enough(fd) => Ok(CommandLock::Inherited(fd)),
            Inherited::SharedOnly(fd) => {
                inherited::take_over(profile, fd, wait)?;
                Ok(CommandLock::Inherited(fd))
            }
            Inherited::Nothing => Ok(Self::acquire(profile, mode, wait, what)?
                .map_or(CommandLock::Unlocked, CommandLock::Own)),
        }
    }

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
                Some(Wait::Seconds(secs)) => deadline_after(secs),
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
                    Error::in_use(format!(
                        "profile {:?} is still in use after waiting; try again or use --wait without a limit",
                        profile.name
                    ))
                })?;
        }
        Ok(Some(Self::taken(profile, file, exclusive, what)?))
    }

    /// The lock for a command of `profile` if it can be had at once, `None`
    /// while others hold it: what `swop exec --pick` asks of each candidate.
    /// A lock the caller handed down counts when it is enough as it is.
    pub fn try_for_command(
        profile: &Profile,
        mode: LockMode,
        what: &str,
    ) -> Result<Option<CommandLock>> {
        if mode == LockMode::None {
            return Ok(Some(
                inherited::lock_file_fd(profile)
                    .map_or(CommandLock::Unlocked, CommandLock::Inherited),
            ));
        }
        let exclusive = mode == LockMode::Exclusive;
        if let inherited::Inherited::Enough(fd) = inherited::inherited(profile, exclusive) {
            return Ok(Some(CommandLock::Inherited(fd)));
        }
        let path = profile.lock_path();
        let file = open_lock_file(profile, &path)?;
        if !try_lock(&file, exclusive).map_err(at_path("cannot lock", &path))? {
            return Ok(None);
        }
        Ok(Some(CommandLock::Own(Self::taken(
            profile, file, exclusive, what,
        )?)))
    }

    /// The lock just taken on `file`, once it is sure to be the profile's.
    fn taken(profile: &Profile, file: File, exclusive: bool, what: &str) -> Result<ProfileLock> {
        let path = profile.lock_path();
        // The profile may have been removed (or removed and made again) while we
        // waited: a lock on an unlinked file protects nothing.
        let same = fs::metadata(&path)
            .ok()
            .zip(file.metadata().ok())
            .is_some_and(|(on_disk, ours)| {
                on_disk.ino() == ours.ino() && on_disk.dev() == ours.dev()
            });
        if !same {
            return Err(Error::not_found(format!(
                "profile {:?} not found: it was removed while swop waited for its lock; see swop list",
                profile.name
            )));
        }
        let lock = ProfileLock { file };
        if exclusive {
            lock.record_holder(what);
        }
        Ok(lock)
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

/// A lock file holds one holder record of 256 bytes.
const LOCK_FILE_LIMIT: u64 = 64 * 1024;

/// Open (or make) the lock file, never through a link, and only if it is a
/// regular file of ours with one name (see [`crate::util::store_file_problem`]). On a read-only store the
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
        Some(libc::ENOENT) => Error::not_found(format!(
            "profile {:?} not found: it was removed just now; see swop list",
            profile.name
        )),
        _ => at_path("cannot open lock file", path)(crate::util::advised(e)),
    })?;
    crate::util::check_store_file(&file, LOCK_FILE_LIMIT).map_err(|e| {
        if e.kind() == io::ErrorKind::InvalidData {
            not_a_lock_file(path, &format!("{e}, so it cannot be the profile's lock"))
        } else {
            at_path("cannot open lock file", path)(e)
        }
    })?;
    Ok(file)
}

fn not_a_lock_file(path: &Path, what: &str) -> Error {
    Error::user(format!(
        "{} is {what}; remove it (rm {}) and swop makes a new lock file",
        path.display(),
        path.display()
    ))
}

/// The moment `secs` seconds from now, or `None` (no limit) when that is
/// past what a clock can hold: `--wait 1e19` is a wait without end, not a crash.
pub(crate) fn deadline_after(secs: f64) -> Option<Instant> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .and_then(|wait| Instant::now().checked_add(wait))
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

/// Whether the profile is held by shared holders only, so that a shared lock
/// would be granted now: asked of the kernel by taking one and letting it go.
fn only_shared_holders(file: &File) -> bool {
    match try_lock(file, false) {
        Ok(true) => {
            let _ = file.unlock();
            true
        }
        _ => false,
    }
}

/// Who holds the profile now, for a message: `pid 42 (codex)`, else
/// `another process`.
pub fn holders_of(profile: &Profile) -> String {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(profile.lock_path());
    describe_holders(&file.map(|f| holders(&f)).unwrap_or_default())
}

fn busy_error(profile: &Profile, file: &File, mode: LockMode, advice: Option<&str>) -> Error {
    let holders = holders(file);
    let name = &profile.name;
    let hint = if let Some(advice) = advice {
        advice.to_string()
    } else if mode == LockMode::Exclusive && only_shared_holders(file) {
        "add --wait [SECS] to wait for them, or --lock shared to run beside them".to_string()
    } else {
        // An exclusive holder excludes every lock, shared ones included: only
        // waiting, or taking no lock at all, can work.
        "add --wait [SECS] to wait for it; a command that only reads the profile \
         can run beside it with --lock none"
            .to_string()
    };
    Error::in_use(format!(
        "profile {name:?} is in use by {}; {hint}",
        describe_holders(&holders)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_longer_than_any_clock_is_a_wait_without_end() {
        for secs in [1e19, f64::MAX, 1e300] {
            assert_eq!(deadline_after(secs), None, "{secs}");
        }
        let soon = deadline_after(2.5).expect("a deadline");
        assert!(soon > Instant::now() + Duration::from_secs(2));
    }
}
