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
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use super::namespace::{self, IdMap};

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
    ids: IdMap,
}

/// Why the user's files cannot be made read-only here.
#[derive(Debug)]
pub enum Unprotected {
    /// Not Linux: no namespaces.
    NoNamespaces,
    /// A path holds a NUL byte, which no system call takes.
    NulByte(PathBuf),
    /// A path the mounts need cannot be read or named.
    Mount { path: PathBuf, source: io::Error },
    /// The test run inside the namespace failed.
    ProbeFailed(ExitStatus),
    /// The system refused the namespace.
    NotAllowed(io::Error),
}

impl fmt::Display for Unprotected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unprotected::NoNamespaces => {
                write!(f, "read-only mounts need Linux namespaces; macOS has none")
            }
            Unprotected::NulByte(path) => write!(f, "{} holds a NUL byte", path.display()),
            Unprotected::Mount { path, source } => {
                write!(f, "cannot read the mount of {}: {source}", path.display())
            }
            Unprotected::ProbeFailed(status) => write!(f, "a test run inside ended with {status}"),
            Unprotected::NotAllowed(e) => write!(f, "namespaces are not allowed here ({e})"),
        }
    }
}

impl ReadOnlyHome {
    /// Protect `protect` (paths that exist), leaving `writable` (the scratch
    /// folder, the working folder) writable; or why that cannot be done here.
    pub fn new(protect: &[PathBuf], writable: &[PathBuf]) -> Result<ReadOnlyHome, Unprotected> {
        if !cfg!(target_os = "linux") {
            return Err(Unprotected::NoNamespaces);
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
        let sandbox = ReadOnlyHome {
            mounts,
            as_root: super::process::real_ids().0 == 0,
            ids: IdMap::of_caller(),
        };
        sandbox.probe()?;
        Ok(sandbox)
    }

    /// Whether namespaces and mounts work here: run `true` inside.
    fn probe(&self) -> Result<(), Unprotected> {
        let mut cmd = Command::new("true");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        self.apply(&mut cmd);
        match cmd.status() {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(Unprotected::ProbeFailed(status)),
            Err(e) => Err(Unprotected::NotAllowed(e)),
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
        let ids = self.ids.clone();
        // SAFETY: between fork and exec only system calls on memory prepared
        // before the fork (no allocation, no locks).
        #[cfg(target_os = "linux")]
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(move || enter(&mounts, as_root, &ids));
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (cmd, mounts, as_root, ids);
    }
}

/// In the child: a new mount namespace (and user namespace unless root),
/// then the bind mounts.
#[cfg(target_os = "linux")]
fn enter(mounts: &[(CString, libc::c_ulong, bool)], as_root: bool, ids: &IdMap) -> io::Result<()> {
    // SAFETY: between fork and exec, on memory prepared before the fork.
    unsafe {
        if as_root {
            namespace::enter_mounts_only()?;
        } else {
            namespace::enter(ids)?;
        }
        for (path, kept, read_only) in mounts {
            if *read_only {
                namespace::read_only(path, *kept, true)?;
            } else {
                namespace::writable(path, *kept)?;
            }
        }
    }
    Ok(())
}

fn mount_of(path: &Path, read_only: bool) -> Result<Mount, Unprotected> {
    let c = namespace::c_path(path).map_err(|_| Unprotected::NulByte(path.to_path_buf()))?;
    let kept = namespace::mount_flags(path).map_err(|source| Unprotected::Mount {
        path: path.to_path_buf(),
        source,
    })?;
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
