//! The user's own files, read-only while a discovery runs the tool.
//!
//! Detecting a write into the real home after the fact is not enough: the
//! file would already be overwritten. On Linux each step runs in a mount
//! namespace of its own (inside a user namespace when swop is not root) where
//! the real home and the files inherited variables named are read-only bind
//! mounts; the scratch folder and the working folder stay writable. A write
//! there fails with EROFS, the trace shows the attempt, and the report names
//! it. Where namespaces are not allowed, the runs go unprotected and the
//! report says so.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One path to mount again, with the flags its mount must keep.
#[derive(Debug)]
struct Mount {
    path: CString,
    /// `MS_NOSUID`, `MS_NODEV`, ... of the mount the path is on: a user
    /// namespace may not clear them.
    kept: libc::c_ulong,
    read_only: bool,
}

#[derive(Debug)]
pub struct ReadOnlyHome {
    /// Read-only first, then the writable holes inside them.
    mounts: Vec<Mount>,
    as_root: bool,
    uid_map: Vec<u8>,
    gid_map: Vec<u8>,
}

impl ReadOnlyHome {
    /// Protect `protect` (paths that exist), leaving `writable` (the scratch
    /// folder, the working folder) writable. `Err` says why it cannot be done
    /// here.
    pub fn new(protect: &[PathBuf], writable: &[PathBuf]) -> Result<ReadOnlyHome, String> {
        if !cfg!(target_os = "linux") {
            return Err("read-only mounts need Linux namespaces; macOS has none".into());
        }
        let mut mounts = Vec::new();
        for path in protect.iter().filter(|p| p.exists()) {
            mounts.push(mount_of(path, true)?);
        }
        for path in writable {
            if protect.iter().any(|p| path.starts_with(p) && path != p) && path.exists() {
                mounts.push(mount_of(path, false)?);
            }
        }
        // SAFETY: getuid and getgid cannot fail.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        let sandbox = ReadOnlyHome {
            mounts,
            as_root: uid == 0,
            uid_map: format!("{uid} {uid} 1").into_bytes(),
            gid_map: format!("{gid} {gid} 1").into_bytes(),
        };
        sandbox.probe()?;
        Ok(sandbox)
    }

    /// Whether namespaces and mounts work here: run `true` inside.
    fn probe(&self) -> Result<(), String> {
        let mut cmd = Command::new("true");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        self.apply(&mut cmd);
        match cmd.status() {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(format!("a test run inside ended with {status}")),
            Err(e) => Err(format!("namespaces are not allowed here ({e})")),
        }
    }

    /// Make `cmd` (and everything it starts) see the protected paths read-only.
    pub fn apply(&self, cmd: &mut Command) {
        let mounts: Vec<(CString, libc::c_ulong, bool)> = self
            .mounts
            .iter()
            .map(|m| (m.path.clone(), m.kept, m.read_only))
            .collect();
        let as_root = self.as_root;
        let uid_map = self.uid_map.clone();
        let gid_map = self.gid_map.clone();
        // SAFETY: between fork and exec only system calls on memory prepared
        // before the fork (no allocation, no locks).
        #[cfg(target_os = "linux")]
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(move || enter(&mounts, as_root, &uid_map, &gid_map));
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (cmd, mounts, as_root, uid_map, gid_map);
    }
}

/// In the child: a new mount namespace (and user namespace unless root),
/// then the bind mounts.
#[cfg(target_os = "linux")]
fn enter(
    mounts: &[(CString, libc::c_ulong, bool)],
    as_root: bool,
    uid_map: &[u8],
    gid_map: &[u8],
) -> std::io::Result<()> {
    let fail = || Err(std::io::Error::last_os_error());
    // SAFETY: plain system calls with valid, NUL-terminated arguments.
    unsafe {
        let flags = if as_root {
            libc::CLONE_NEWNS
        } else {
            libc::CLONE_NEWUSER | libc::CLONE_NEWNS
        };
        if libc::unshare(flags) != 0 {
            return fail();
        }
        if !as_root
            && (write_proc(c"/proc/self/setgroups", b"deny").is_err()
                || write_proc(c"/proc/self/uid_map", uid_map).is_err()
                || write_proc(c"/proc/self/gid_map", gid_map).is_err())
        {
            return fail();
        }
        let none = std::ptr::null();
        if libc::mount(
            none,
            c"/".as_ptr(),
            none,
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return fail();
        }
        for (path, kept, read_only) in mounts {
            if libc::mount(
                path.as_ptr(),
                path.as_ptr(),
                none,
                libc::MS_BIND | libc::MS_REC,
                std::ptr::null(),
            ) != 0
            {
                return fail();
            }
            let mut remount = libc::MS_REMOUNT | libc::MS_BIND | kept;
            if *read_only {
                remount |= libc::MS_RDONLY;
            }
            if libc::mount(none, path.as_ptr(), none, remount, std::ptr::null()) != 0 {
                return fail();
            }
        }
    }
    Ok(())
}

/// Write `bytes` to a /proc file, without allocating.
///
/// # Safety
/// Plain system calls; `path` is NUL-terminated.
#[cfg(target_os = "linux")]
unsafe fn write_proc(path: &std::ffi::CStr, bytes: &[u8]) -> std::io::Result<()> {
    // SAFETY: see the function's contract.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let written = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
        libc::close(fd);
        if written != bytes.len() as isize {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

fn mount_of(path: &Path, read_only: bool) -> Result<Mount, String> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| format!("{} holds a NUL byte", path.display()))?;
    // SAFETY: a zeroed statvfs is valid; statvfs fills it.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: valid path and out pointer.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(format!(
            "cannot read the mount of {}: {}",
            path.display(),
            std::io::Error::last_os_error()
        ));
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
    let kept = pairs
        .iter()
        .filter(|(st_flag, _)| st.f_flag & *st_flag != 0)
        .fold(0, |acc, (_, ms)| acc | ms);
    Ok(Mount {
        path: c,
        kept,
        read_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_into_a_protected_folder_fail_and_holes_stay_writable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        let hole = home.join("project");
        std::fs::create_dir_all(&hole).expect("mkdir");
        std::fs::write(home.join("credentials"), "real").expect("write");
        let sandbox =
            match ReadOnlyHome::new(std::slice::from_ref(&home), std::slice::from_ref(&hole)) {
                Ok(s) => s,
                Err(why) if std::env::var_os("CI").is_none() => {
                    crate::test_skips::skip(&why.to_string());
                    return;
                }
                Err(why) => panic!("read-only mounts must work in CI: {why}"),
            };
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg("echo stolen > \"$1/credentials\"; echo ok > \"$2/file\"")
            .arg("sh")
            .arg(&home)
            .arg(&hole)
            .stderr(Stdio::null());
        sandbox.apply(&mut cmd);
        let status = cmd.status().expect("run");
        assert!(status.success());
        assert_eq!(
            std::fs::read_to_string(home.join("credentials")).expect("read"),
            "real"
        );
        assert_eq!(
            std::fs::read_to_string(hole.join("file")).expect("read"),
            "ok\n"
        );
    }
}
