//! flock(2) as the kernel shows it: the table of every file lock
//! (/proc/locks), the lock one open file holds (/proc/PID/fdinfo on Linux,
//! an open descriptor on the file on macOS), and the raw calls on a
//! descriptor handed down across exec, which std's `File` cannot make.

use std::fs::{self, File};
use std::io;
use std::os::fd::RawFd;

/// The mode of a flock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    Shared,
    Exclusive,
}

/// The system does not tell which lock an open file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Untold;

/// The kernel's table of file locks (/proc/locks), read once for many files;
/// empty where there is none, and then every question about it is `None`.
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

/// How the kernel names a file in /proc/locks and /proc/PID/fdinfo:
/// `MAJOR:MINOR:INODE`, the numbers of the device in hex.
#[cfg(target_os = "linux")]
fn lock_key(meta: &fs::Metadata) -> String {
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

/// No /proc/locks outside Linux: the callers fall back to probing.
#[cfg(not(target_os = "linux"))]
fn flocks(_text: &str, _file: &File) -> Option<Vec<(u32, bool)>> {
    None
}

/// The flock one open file holds, from the text of its /proc/PID/fdinfo entry
/// (`lock:\t1: FLOCK  ADVISORY  WRITE 1234 fe:00:5678 0 EOF`). With `key`
/// (see `lock_key`), only a lock on that file counts.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn fdinfo_flock(info: &str, key: Option<&str>) -> Option<Held> {
    info.lines()
        .filter_map(|line| line.strip_prefix("lock:"))
        .find_map(|rest| {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            if fields.get(1) != Some(&"FLOCK") || key.is_some_and(|k| fields.get(5) != Some(&k)) {
                return None;
            }
            match *fields.get(3)? {
                "WRITE" => Some(Held::Exclusive),
                "READ" => Some(Held::Shared),
                _ => None,
            }
        })
}

/// The flock that this process's open file on `fd` holds, where the kernel
/// tells (Linux).
pub fn held(fd: RawFd) -> Result<Option<Held>, Untold> {
    #[cfg(target_os = "linux")]
    {
        fs::read_to_string(format!("/proc/self/fdinfo/{fd}"))
            .map(|info| fdinfo_flock(&info, None))
            .map_err(|_| Untold)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = fd;
        Err(Untold)
    }
}

/// Whether descriptor `fd` of process `pid` holds a flock on the file
/// `lock` (on macOS, which does not say: whether it is open on that file).
pub fn holds_lock(pid: u32, fd: i32, lock: &fs::Metadata) -> bool {
    #[cfg(target_os = "linux")]
    {
        let key = lock_key(lock);
        fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}"))
            .is_ok_and(|info| fdinfo_flock(&info, Some(&key)).is_some())
    }
    #[cfg(target_os = "macos")]
    {
        super::process::open_on(pid, fd, lock)
    }
}

/// flock(2) without blocking: whether the open file on `fd` holds `mode` now.
/// Asking for the other mode than the one held converts the lock.
pub fn try_flock(fd: RawFd, mode: Held) -> bool {
    let op = match mode {
        Held::Shared => libc::LOCK_SH,
        Held::Exclusive => libc::LOCK_EX,
    };
    loop {
        // SAFETY: flock on a descriptor number; a bad one is an error, not UB.
        if unsafe { libc::flock(fd, op | libc::LOCK_NB) } == 0 {
            return true;
        }
        if io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return false;
        }
    }
}

/// Device and inode of the file open on `fd`.
pub fn fd_identity(fd: RawFd) -> Option<(u64, u64)> {
    // SAFETY: an all-zero stat is a valid value to be overwritten by fstat.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat writes only into the stat we own; a closed fd is EBADF.
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)] // dev_t is i32 on macOS, u64 on Linux
    Some((st.st_dev as u64, st.st_ino as u64))
}

/// Let `fd` survive exec, so that the program swop becomes holds it.
pub fn keep_across_exec(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor number, with integer arguments only.
    let rc = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFD);
        if flags < 0 {
            flags
        } else {
            libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC)
        }
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdinfo_tells_the_mode_of_the_lock_on_that_file_only() {
        let info = "pos:\t0\nflags:\t0100002\nmnt_id:\t27\nino:\t42\n\
                    lock:\t1: FLOCK  ADVISORY  READ 23504 fe:00:42 0 EOF\n";
        assert_eq!(fdinfo_flock(info, None), Some(Held::Shared));
        assert_eq!(fdinfo_flock(info, Some("fe:00:42")), Some(Held::Shared));
        assert_eq!(fdinfo_flock(info, Some("fe:00:43")), None);
        let write = info.replace("READ", "WRITE");
        assert_eq!(
            fdinfo_flock(&write, Some("fe:00:42")),
            Some(Held::Exclusive)
        );
        let posix = info.replace("FLOCK", "POSIX");
        assert_eq!(fdinfo_flock(&posix, None), None);
        assert_eq!(fdinfo_flock("pos:\t0\n", None), None);
    }

    #[test]
    fn a_lock_taken_is_seen_in_the_kernel_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lock");
        let file = File::create(&path).expect("create");
        file.lock_shared().expect("lock");
        let me = std::process::id();
        if let Some(pids) = KernelLocks::read().pids(&file) {
            assert_eq!(pids, [me]);
        }
        use std::os::fd::AsRawFd;
        if let Ok(held) = held(file.as_raw_fd()) {
            assert_eq!(held, Some(Held::Shared));
        }
        let meta = fs::metadata(&path).expect("stat");
        assert!(holds_lock(me, file.as_raw_fd(), &meta));
    }
}
