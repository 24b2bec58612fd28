//! Landlock, the Linux security module that lets an unprivileged process
//! restrict what it and its children may do to the file system. swop uses
//! it to allow writes only beneath chosen folders (a discovery's
//! copy-on-write view, a sealed profile) and, for a sealed profile, reads
//! everywhere but in other accounts' places: a rule is tied to the folder's
//! inode, so no other path (a bind mount, `/proc/PID/root`, a remount)
//! reaches a file outside it.
//!
//! The rules can be prepared before a fork and applied between fork and
//! exec, where nothing may allocate: [`Rules::apply`] makes system calls
//! only.

use std::collections::HashMap;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

// Access rights for files, from <linux/landlock.h>.
const EXECUTE: u64 = 1 << 0;
const WRITE_FILE: u64 = 1 << 1;
const READ_FILE: u64 = 1 << 2;
const REMOVE_DIR: u64 = 1 << 4;
const REMOVE_FILE: u64 = 1 << 5;
const MAKE_CHAR: u64 = 1 << 6;
const MAKE_DIR: u64 = 1 << 7;
const MAKE_REG: u64 = 1 << 8;
const MAKE_SOCK: u64 = 1 << 9;
const MAKE_FIFO: u64 = 1 << 10;
const MAKE_BLOCK: u64 = 1 << 11;
const MAKE_SYM: u64 = 1 << 12;
/// ABI 2: moving or linking a file from one folder to another.
const REFER: u64 = 1 << 13;
/// ABI 3: truncating a file.
const TRUNCATE: u64 = 1 << 14;
/// ABI 5: ioctl on a device.
const IOCTL_DEV: u64 = 1 << 15;

/// The rights that a rule on a file (not a folder) may carry.
const FILE_RIGHTS: u64 = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;

const CREATE_RULESET_VERSION: u32 = 1 << 0;
const RULE_PATH_BENEATH: libc::c_int = 1;

#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
}

#[repr(C, packed)]
struct PathBeneathAttr {
    allowed_access: u64,
    parent_fd: i32,
}

/// The Landlock ABI version this kernel offers, if it offers Landlock at
/// all (and it is enabled).
pub fn abi() -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: the documented way to ask for the version: no attribute.
        let version = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                std::ptr::null::<RulesetAttr>(),
                0usize,
                CREATE_RULESET_VERSION,
            )
        };
        u32::try_from(version).ok().filter(|v| *v >= 1)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Devices a confined process may write: they hold no state.
pub const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
    "/dev/ptmx",
];
/// Folders of devices a confined process may write: terminals.
pub const DEVICE_FOLDERS: &[&str] = &["/dev/pts"];

/// The rights that read: a file's bytes, a folder's names.
const READ_RIGHTS: u64 = READ_FILE | READ_DIR;
const READ_DIR: u64 = 1 << 3;

/// The oldest ABI that can express every write: ABI 2 lets a file move
/// between two allowed folders (before it, never), ABI 3 refuses truncating
/// a file that may not be written (before it, always allowed).
pub const FULL_WRITE_ABI: u32 = 3;

/// Every right that changes the file system, as far as `abi` knows them.
fn write_rights(abi: u32) -> u64 {
    let mut rights = WRITE_FILE
        | REMOVE_DIR
        | REMOVE_FILE
        | MAKE_CHAR
        | MAKE_DIR
        | MAKE_REG
        | MAKE_SOCK
        | MAKE_FIFO
        | MAKE_BLOCK
        | MAKE_SYM;
    if abi >= 2 {
        rights |= REFER;
    }
    if abi >= 3 {
        rights |= TRUNCATE;
    }
    rights
}

/// What a process may do beneath some paths; what the rules handle is
/// refused everywhere else.
#[derive(Debug, Clone)]
pub struct Rules {
    handled: u64,
    /// Paths, the rights allowed beneath them, and whether a path the
    /// kernel refuses a rule for is skipped (else it is an error). A path
    /// that does not exist when the rules are applied is skipped.
    allowed: Vec<(CString, u64, bool)>,
    /// Where each path is in `allowed`: a second rule for a path joins its
    /// first, as the kernel would (one rule per path, half the calls for the
    /// entries a folder both shows and lets be written, as /tmp does when
    /// the store is in it).
    index: HashMap<CString, usize>,
}

/// An alias kept for the views, which only ever restrict writes.
pub type WriteRules = Rules;

impl Rules {
    /// Rules that handle writes only: anything may be read and run.
    pub fn new(abi: u32) -> Rules {
        Rules {
            handled: write_rights(abi),
            allowed: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Rules that handle reads as well: a path nobody allowed can be
    /// neither read nor written (programs still run).
    pub fn reads_and_writes(abi: u32) -> Rules {
        Rules {
            handled: write_rights(abi) | READ_RIGHTS,
            allowed: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Allow every handled right (reads too, where handled) beneath the
    /// folder `path`.
    pub fn allow_folder(&mut self, path: &Path) {
        self.push(path, self.handled, false);
    }

    /// Allow reading beneath the folder (or the file) `path`, nothing else.
    pub fn allow_reading(&mut self, path: &Path, is_folder: bool) {
        let rights = if is_folder { READ_RIGHTS } else { READ_FILE };
        self.push(path, self.handled & rights, false);
    }

    /// Allow writing to the file `path` (a device such as /dev/null), not
    /// creating or removing anything.
    pub fn allow_file(&mut self, path: &Path) {
        self.push(path, self.handled & FILE_RIGHTS, false);
    }

    /// [`Self::allow_file`] for a path that may turn out to be no file at
    /// all (`/proc/self/fd/1` when it is a pipe): then it is skipped.
    pub fn allow_optional_file(&mut self, path: &Path) {
        self.push(path, self.handled & FILE_RIGHTS, true);
    }

    /// Allow writing to the standard descriptors where they are files of
    /// the user's (`2> log`), so that /dev/stderr can be opened again; a
    /// pipe or a terminal is skipped (terminals have rules of their own).
    pub fn allow_standard_files(&mut self) {
        for fd in 0..3 {
            self.allow_optional_file(Path::new(&format!("/proc/self/fd/{fd}")));
        }
    }

    /// Restrict this process, which is about to exec, and everything it
    /// starts: `no_new_privs` (a setuid program could not be held to the
    /// rules otherwise), then the rules.
    #[cfg(target_os = "linux")]
    pub fn restrict_this_process(&self) -> std::io::Result<()> {
        // SAFETY: prctl with constant arguments; `apply` makes system calls
        // on data this process owns.
        unsafe {
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            self.apply()
        }
    }

    fn push(&mut self, path: &Path, rights: u64, optional: bool) {
        if rights == 0 {
            return;
        }
        let Ok(c) = CString::new(path.as_os_str().as_bytes()) else {
            return;
        };
        match self.index.get(&c) {
            Some(&at) => {
                let (_, allowed, skippable) = &mut self.allowed[at];
                *allowed |= rights;
                *skippable &= optional;
            }
            None => {
                self.index.insert(c.clone(), self.allowed.len());
                self.allowed.push((c, rights, optional));
            }
        }
    }

    /// Restrict the calling thread, and everything it starts, to the rules.
    /// The caller must hold `CAP_SYS_ADMIN` in its user namespace or have
    /// set `no_new_privs`.
    ///
    /// # Safety
    /// Async-signal-safe (system calls on data prepared before a fork), so
    /// it may run between fork and exec; it changes the calling thread only.
    #[cfg(target_os = "linux")]
    pub unsafe fn apply(&self) -> std::io::Result<()> {
        let attr = RulesetAttr {
            handled_access_fs: self.handled,
        };
        // SAFETY: a valid attribute of the size passed.
        let ruleset = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                &attr as *const RulesetAttr,
                std::mem::size_of::<RulesetAttr>(),
                0u32,
            )
        };
        if ruleset < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let ruleset = ruleset as libc::c_int;
        let result = (|| {
            for (path, rights, optional) in &self.allowed {
                // SAFETY: a NUL-terminated path. A symbolic link is followed:
                // callers give no link whose target must stay out of reach.
                let fd = unsafe { libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
                if fd < 0 {
                    continue;
                }
                let rule = PathBeneathAttr {
                    allowed_access: *rights,
                    parent_fd: fd,
                };
                // SAFETY: a valid rule for the ruleset just made.
                let added = unsafe {
                    libc::syscall(
                        libc::SYS_landlock_add_rule,
                        ruleset,
                        RULE_PATH_BENEATH,
                        &rule as *const PathBeneathAttr,
                        0u32,
                    )
                };
                let refused = (added != 0).then(std::io::Error::last_os_error);
                // SAFETY: closing the descriptor opened above.
                unsafe { libc::close(fd) };
                if let Some(err) = refused.filter(|_| !optional) {
                    return Err(err);
                }
            }
            // SAFETY: restricting the calling thread with a complete ruleset.
            if unsafe { libc::syscall(libc::SYS_landlock_restrict_self, ruleset, 0u32) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })();
        // SAFETY: closing the ruleset; the restriction stays.
        unsafe { libc::close(ruleset) };
        result
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    use super::*;

    #[test]
    fn writes_outside_the_allowed_folders_are_refused() {
        let Some(abi) = abi() else {
            if std::env::var_os("CI").is_some() {
                panic!("Landlock must work in CI");
            }
            crate::test_skips::skip("this kernel has no Landlock");
            return;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let allowed = dir.path().join("allowed");
        let other = dir.path().join("other");
        std::fs::create_dir_all(&allowed).expect("mkdir");
        std::fs::create_dir_all(&other).expect("mkdir");
        let mut rules = WriteRules::new(abi);
        rules.allow_folder(&allowed);
        rules.allow_file(Path::new("/dev/null"));
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(r#"echo a > "$1/file" && echo b > /dev/null && ! (echo c > "$2/file") 2>/dev/null && cat "$2/../allowed/file""#)
            .arg("sh")
            .arg(&allowed)
            .arg(&other)
            .stdout(Stdio::piped());
        // SAFETY: apply is async-signal-safe; no_new_privs is a plain prctl.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                rules.apply()
            });
        }
        let out = cmd.output().expect("run");
        assert!(out.status.success(), "{out:?}");
        assert_eq!(out.stdout, b"a\n");
        assert!(!other.join("file").exists());
    }
}
