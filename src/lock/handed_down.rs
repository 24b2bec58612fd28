//! A lock handed down. `swop exec` passes its locked descriptor to the command
//! and names it in `SWOP_LOCK_FD`, so that a `swop exec` of the same profile
//! inside (a wrapped tool typed in `swop shell`) goes on under it instead of
//! waiting for itself.
//!
//! The variable is only a claim: anyone can set it, and a descriptor of the
//! lock file that someone merely opened holds nothing. It counts when flock(2)
//! on that very open file succeeds without blocking in the mode it holds: a
//! no-op for its holder, a failure while another process holds a conflicting
//! lock. Asking for another mode than the one held is no question but a
//! conversion, which the kernel does by dropping the old lock first, so a
//! failed one leaves the caller with none. The mode held is therefore read
//! first (as the kernel tells on Linux, a probe elsewhere) and only that mode
//! is asked for.

use std::fs::{self, File, OpenOptions};
use std::os::fd::RawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::time::{Duration, Instant};

use super::Wait;
use super::table::{self, Holder};
use crate::error::{Error, Profile as ProfileError, Result};
use crate::store::Profile;
use crate::sys::flock::{self, Held, KernelLocks};

/// The variable that names the descriptor a command inherited.
pub const LOCK_FD_VAR: &str = "SWOP_LOCK_FD";

/// What a command's caller handed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inherited {
    /// Nothing to run under: no variable, another file, or no lock held.
    Nothing,
    /// The descriptor holds the lock in at least the mode asked for.
    Enough(RawFd),
    /// The descriptor holds the lock shared, and exclusive was asked for.
    SharedOnly(RawFd),
}

/// What `SWOP_LOCK_FD` is worth to a command that asks for `exclusive` (else
/// shared) use of `profile`.
pub fn inherited(profile: &Profile, exclusive: bool) -> Inherited {
    let Some(fd) = lock_file_fd(profile) else {
        return Inherited::Nothing;
    };
    match held_mode(fd, profile) {
        Some(Held::Exclusive) if flock::try_flock(fd, Held::Exclusive) => Inherited::Enough(fd),
        Some(Held::Shared) if flock::try_flock(fd, Held::Shared) => {
            if exclusive {
                Inherited::SharedOnly(fd)
            } else {
                Inherited::Enough(fd)
            }
        }
        _ => Inherited::Nothing,
    }
}

/// The descriptor `SWOP_LOCK_FD` names, if it is open on this profile's lock file.
pub fn lock_file_fd(profile: &Profile) -> Option<RawFd> {
    let fd = std::env::var_os(LOCK_FD_VAR)?
        .to_str()?
        .parse::<RawFd>()
        .ok()
        .filter(|fd| *fd > 2)?;
    let ours = fs::symlink_metadata(profile.lock_path()).ok()?;
    let (dev, ino) = flock::fd_identity(fd)?;
    (dev == ours.dev() && ino == ours.ino()).then_some(fd)
}

/// The mode of the flock the open file on `fd` holds, if any: as the kernel
/// tells, else as a probe finds.
fn held_mode(fd: RawFd, profile: &Profile) -> Option<Held> {
    flock::held(fd).unwrap_or_else(|_| probe(profile))
}

/// Without fdinfo: a shared lock tried on a fresh open file of the lock tells
/// whether anyone holds it exclusively. If so, the inherited descriptor holds
/// it exclusively or not at all; if not, shared or not at all. Either way,
/// asking it for that mode converts nothing.
fn probe(profile: &Profile) -> Option<Held> {
    let fresh = open_fresh(profile)?;
    match fresh.try_lock_shared() {
        Ok(()) => {
            let _ = fresh.unlock();
            Some(Held::Shared)
        }
        Err(fs::TryLockError::WouldBlock) => Some(Held::Exclusive),
        Err(fs::TryLockError::Error(_)) => None,
    }
}

fn open_fresh(profile: &Profile) -> Option<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(profile.lock_path())
        .ok()
}

/// Make the caller's shared lock on `fd` exclusive: at once when no other open
/// file holds the profile, else once the others are gone, waiting as `wait`
/// allows; without `wait`, refuse at once.
///
/// Each try is a conversion: the kernel drops the shared lock, then finds the
/// profile busy, so a failed try takes the shared lock straight back. Where
/// the kernel's lock table can be read, a try is made only when the caller's
/// is the last lock left.
pub fn take_over(profile: &Profile, fd: RawFd, wait: Option<Wait>) -> Result<()> {
    let name = &profile.name;
    let fresh = open_fresh(profile);
    if try_take_over(profile, fd, fresh.as_ref())? {
        announce_exclusive(name);
        return Ok(());
    }
    let others = fresh.as_ref().map(other_holders).unwrap_or_default();
    let shown = table::describe_holders(&others);
    let Some(wait) = wait else {
        return Err(Error::profile(name, ProfileError::SharedAlsoBy { others }));
    };
    eprintln!(
        "swop: waiting for profile {name:?} ({shown}) to make this shared lock exclusive{}",
        match wait {
            Wait::Seconds(s) => format!(", up to {s} s"),
            Wait::Forever => String::new(),
        }
    );
    let deadline = match wait {
        Wait::Forever => None,
        Wait::Seconds(secs) => super::deadline_after(secs),
    };
    let mut pause = Duration::from_millis(5);
    loop {
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return Err(Error::profile(name, ProfileError::StillShared));
        }
        std::thread::sleep(deadline.map_or(pause, |d| pause.min(d - now)));
        pause = (pause * 2).min(Duration::from_millis(100));
        if try_take_over(profile, fd, fresh.as_ref())? {
            announce_exclusive(name);
            return Ok(());
        }
    }
}

/// One try at making the shared lock on `fd` exclusive: whether it is now.
fn try_take_over(profile: &Profile, fd: RawFd, fresh: Option<&File>) -> Result<bool> {
    if !last_holder(fresh) {
        return Ok(false);
    }
    if flock::try_flock(fd, Held::Exclusive) {
        return Ok(true);
    }
    if flock::try_flock(fd, Held::Shared) {
        return Ok(false);
    }
    Err(Error::profile(
        &profile.name,
        ProfileError::TakenWhileConverting,
    ))
}

/// The lock is the caller's too: say that it changed for the caller's whole life.
fn announce_exclusive(name: &str) {
    eprintln!(
        "swop: the lock on profile {name:?} is exclusive now, and stays so until the command \
         that started this one ends"
    );
}

/// Whether the caller's is the only lock on the profile, where the kernel can
/// tell; elsewhere only a try tells.
fn last_holder(fresh: Option<&File>) -> bool {
    fresh
        .and_then(|f| KernelLocks::read().holding_files(f))
        .is_none_or(|files| files <= 1)
}

/// The holders of the profile's lock other than this process's own ancestors.
fn other_holders(file: &File) -> Vec<Holder> {
    let ancestors = crate::sys::process::ancestors();
    table::holders(file)
        .into_iter()
        .filter(|h| !ancestors.contains(&h.pid) && h.pid != std::process::id())
        .collect()
}
