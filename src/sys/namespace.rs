//! Entering a private user and mount namespace between fork and exec, and
//! the mount calls made there. A process that is not root gets a user
//! namespace in which it keeps its own uid and gid, which lets it mount
//! without privileges; root gets one too, mapped to root, so that the
//! mounts it inherits are locked and what it mounts holds no power over
//! the real ones.
//!
//! Everything here that runs in the child is async-signal-safe: the paths
//! and texts are prepared before the fork.

#[cfg(target_os = "linux")]
use std::ffi::CStr;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The identity mapping of the caller's uid and gid, written by the child
/// into its new user namespace.
#[derive(Debug, Clone)]
pub struct IdMap {
    uid_map: Vec<u8>,
    gid_map: Vec<u8>,
}

impl IdMap {
    pub fn of_caller() -> IdMap {
        // SAFETY: getuid and getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        IdMap {
            uid_map: format!("{uid} {uid} 1").into_bytes(),
            gid_map: format!("{gid} {gid} 1").into_bytes(),
        }
    }
}

/// Enter a new user and mount namespace, map the caller's ids in it, and
/// make every mount private, so that nothing mounted here is seen outside.
///
/// # Safety
/// Between fork and exec only: it changes the calling process.
#[cfg(target_os = "linux")]
pub unsafe fn enter(ids: &IdMap) -> io::Result<()> {
    // SAFETY: plain system calls with valid, NUL-terminated arguments.
    unsafe {
        if libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) != 0 {
            return Err(io::Error::last_os_error());
        }
        write_proc(c"/proc/self/setgroups", b"deny")?;
        write_proc(c"/proc/self/uid_map", &ids.uid_map)?;
        write_proc(c"/proc/self/gid_map", &ids.gid_map)?;
        mount(None, c"/", None, libc::MS_REC | libc::MS_PRIVATE, None)
    }
}

/// Enter a new mount namespace only (root, who needs no user namespace to
/// mount), and make every mount private.
///
/// # Safety
/// Between fork and exec only: it changes the calling process.
#[cfg(target_os = "linux")]
pub unsafe fn enter_mounts_only() -> io::Result<()> {
    // SAFETY: plain system calls with valid, NUL-terminated arguments.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(io::Error::last_os_error());
        }
        mount(None, c"/", None, libc::MS_REC | libc::MS_PRIVATE, None)
    }
}

/// `mount(2)`, with the error of the call.
///
/// # Safety
/// Plain system call; async-signal-safe.
#[cfg(target_os = "linux")]
pub unsafe fn mount(
    source: Option<&CStr>,
    target: &CStr,
    fs_type: Option<&CStr>,
    flags: libc::c_ulong,
    data: Option<&CStr>,
) -> io::Result<()> {
    let ptr = |s: Option<&CStr>| s.map_or(std::ptr::null(), CStr::as_ptr);
    // SAFETY: valid NUL-terminated strings or null.
    let done = unsafe {
        libc::mount(
            ptr(source),
            target.as_ptr(),
            ptr(fs_type),
            flags,
            ptr(data).cast(),
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Make the folder or mount `path` read-only in this namespace: bind it
/// onto itself (unless `bind` is false: it is a mount point already) and
/// remount the bind read-only, keeping the flags a user namespace may not
/// clear (`kept`, from [`mount_flags`]).
///
/// # Safety
/// Plain system calls; async-signal-safe.
#[cfg(target_os = "linux")]
pub unsafe fn read_only(path: &CStr, kept: libc::c_ulong, bind: bool) -> io::Result<()> {
    // SAFETY: see the function's contract.
    unsafe {
        if bind {
            mount(Some(path), path, None, libc::MS_BIND | libc::MS_REC, None)?;
        }
        let flags = libc::MS_REMOUNT | libc::MS_BIND | libc::MS_RDONLY | kept;
        mount(None, path, None, flags, None)
    }
}

/// Bind the folder `path` onto itself, writable, inside a folder made
/// read-only: a hole that stays writable (`kept` as for [`read_only`]).
///
/// # Safety
/// Plain system calls; async-signal-safe.
#[cfg(target_os = "linux")]
pub unsafe fn writable(path: &CStr, kept: libc::c_ulong) -> io::Result<()> {
    // SAFETY: see the function's contract.
    unsafe {
        mount(Some(path), path, None, libc::MS_BIND | libc::MS_REC, None)?;
        mount(
            None,
            path,
            None,
            libc::MS_REMOUNT | libc::MS_BIND | kept,
            None,
        )
    }
}

/// Write `bytes` to a /proc file, without allocating.
///
/// # Safety
/// Plain system calls; `path` is NUL-terminated.
#[cfg(target_os = "linux")]
unsafe fn write_proc(path: &CStr, bytes: &[u8]) -> io::Result<()> {
    // SAFETY: see the function's contract.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let written = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
        libc::close(fd);
        if written != bytes.len() as isize {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The flags of the mount `path` is on that a user namespace may not clear
/// in a remount (`MS_NOSUID`, `MS_NODEV`, the atime flags...).
pub fn mount_flags(path: &Path) -> io::Result<libc::c_ulong> {
    let c = c_path(path)?;
    // SAFETY: a zeroed statvfs is valid; statvfs fills it.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: valid path and out pointer.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    #[cfg(target_os = "linux")]
    let pairs = [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ];
    #[cfg(not(target_os = "linux"))]
    let pairs: [(libc::c_ulong, libc::c_ulong); 0] = [];
    Ok(pairs
        .iter()
        .filter(|(st_flag, _)| st.f_flag & *st_flag != 0)
        .fold(0, |acc, (_, ms)| acc | ms))
}

/// A path as the C string a system call takes.
pub fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} holds a NUL byte", path.display()),
        )
    })
}
