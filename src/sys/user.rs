//! The calling user, as the system knows them rather than as the
//! environment says: ssh finds the home in the password database, whatever
//! HOME says, and so do the places swop must keep apart.

use std::path::PathBuf;

/// The home folder of the caller's passwd entry.
pub fn passwd_home() -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: getpwuid_r with a buffer of the size passed; the result points
    // into `buf`, read before it goes.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let found = libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if found != 0 || result.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        let dir = std::ffi::CStr::from_ptr(pwd.pw_dir);
        let dir = PathBuf::from(std::ffi::OsStr::from_bytes(dir.to_bytes()));
        Some(std::fs::canonicalize(&dir).unwrap_or(dir))
    }
}
