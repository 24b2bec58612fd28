//! The profile lock: flock(2) on the profile's lock file, through std's
//! `File::lock` family.
//!
//! `swop exec` keeps the lock file open across exec, so the lock lives exactly
//! as long as some process of the command holds the descriptor; the kernel drops
//! it when the last one dies, `kill -9` included, so no lock is ever stale.

mod handed_down;
mod table;

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::RawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

pub use crate::sys::flock::KernelLocks;
pub use handed_down::LOCK_FD_VAR;
pub use table::{holders, in_use_with};

use crate::error::{
    BusyAdvice, Error, Profile as ProfileError, Result, Store as StoreError, at_path,
};
use crate::store::Profile;
use table::{Holder, describe_holders};

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
    type Err = crate::error::Seconds;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "forever" {
            return Ok(Wait::Forever);
        }
        match s.parse::<f64>() {
            Ok(secs) if secs.is_finite() && secs >= 0.0 => Ok(Wait::Seconds(secs)),
            _ => Err(crate::error::Seconds::Wait(s.to_string())),
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
    /// the profile in at least `mode` (checked, see the `handed_down` module),
    /// else a new one.
    pub fn for_command(
        profile: &Profile,
        mode: LockMode,
        wait: Option<Wait>,
        what: &str,
    ) -> Result<CommandLock> {
        use handed_down::Inherited;
        if mode == LockMode::None {
            return Ok(unlocked(profile));
        }
        match handed_down::inherited(profile, mode == LockMode::Exclusive) {
            Inherited::Enough(fd) => Ok(CommandLock::Inherited(fd)),
            Inherited::SharedOnly(fd) => {
                handed_down::take_over(profile, fd, wait)?;
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
        advice: BusyAdvice,
    ) -> Result<ProfileLock> {
        Self::acquire_advising(profile, LockMode::Exclusive, None, what, Some(advice))?
            .ok_or_else(|| Error::profile(&profile.name, ProfileError::CannotLock))
    }

    fn acquire_advising(
        profile: &Profile,
        mode: LockMode,
        wait: Option<Wait>,
        what: &str,
        advice: Option<BusyAdvice>,
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
                .ok_or_else(|| Error::profile(&profile.name, ProfileError::StillBusy))?;
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
        use handed_down::Inherited;
        if mode == LockMode::None {
            return Ok(Some(unlocked(profile)));
        }
        let exclusive = mode == LockMode::Exclusive;
        match handed_down::inherited(profile, exclusive) {
            Inherited::Enough(fd) => return Ok(Some(CommandLock::Inherited(fd))),
            // The caller's own shared lock made exclusive, if it is the
            // only one: a fresh lock would be refused by the caller's.
            Inherited::SharedOnly(fd) => {
                return match handed_down::take_over(profile, fd, None) {
                    Ok(()) => Ok(Some(CommandLock::Inherited(fd))),
                    Err(Error::Profile {
                        problem: ProfileError::SharedAlsoBy { .. },
                        ..
                    }) => Ok(None),
                    Err(err) => Err(err),
                };
            }
            Inherited::Nothing => {}
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
            return Err(Error::profile(
                &profile.name,
                ProfileError::RemovedWhileWaiting,
            ));
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
        crate::sys::flock::keep_across_exec(self.fd()).map_err(|source| Error::Io {
            action: "cannot pass the profile lock to the command",
            path: None,
            source,
        })
    }
}

/// Whether this process was handed down a descriptor of `profile`'s lock
/// file: it runs inside a command that holds the profile (a `swop shell`, a
/// `swop exec`), whose lock lasts as long as that command does.
pub fn handed_down_by_holder(profile: &Profile) -> bool {
    handed_down::lock_file_fd(profile).is_some()
}

/// A lock file holds one holder record of 256 bytes.
const LOCK_FILE_LIMIT: u64 = 64 * 1024;

/// Open (or make) the lock file, never through a link, and only if it is a
/// regular file of ours with one name (see [`crate::files::store_file_problem`]). On a read-only store the
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
        Some(libc::ELOOP) => StoreError::LockFileLink(path.to_path_buf()).into(),
        Some(libc::ENOENT) => Error::profile(&profile.name, ProfileError::RemovedJustNow),
        _ => at_path("cannot open lock file", path)(e),
    })?;
    crate::files::check_store_file(&file, LOCK_FILE_LIMIT).map_err(|e| {
        match crate::files::problem_of(&e) {
            Some(problem) => StoreError::LockFile {
                path: path.to_path_buf(),
                problem: problem.clone(),
            }
            .into(),
            None => at_path("cannot open lock file", path)(e),
        }
    })?;
    Ok(file)
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

/// Who holds the profile now, as far as they can be told: for a message.
pub fn holders_of(profile: &Profile) -> Vec<Holder> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(profile.lock_path())
        .map(|file| holders(&file))
        .unwrap_or_default()
}

fn busy_error(profile: &Profile, file: &File, mode: LockMode, advice: Option<BusyAdvice>) -> Error {
    let advice = advice.unwrap_or_else(|| {
        if mode == LockMode::Exclusive && only_shared_holders(file) {
            BusyAdvice::WaitOrShare
        } else {
            // An exclusive holder excludes every lock, shared ones included:
            // only waiting, or taking no lock at all, can work.
            BusyAdvice::WaitOrNoLock
        }
    });
    Error::profile(
        &profile.name,
        ProfileError::Busy {
            holders: holders(file),
            advice,
            asked: None,
        },
    )
}

/// A command that takes no lock: it runs under an inherited one, named
/// as long as the command keeps the descriptor, or under none. Nothing is
/// asked of the inherited lock.
fn unlocked(profile: &Profile) -> CommandLock {
    handed_down::lock_file_fd(profile).map_or(CommandLock::Unlocked, CommandLock::Inherited)
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
