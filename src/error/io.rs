//! A system call's error as a person reads it: the system's words, and for
//! the errors a user can fix outside swop (a full disk, a used-up quota, a
//! read-only file system) what to do next.

use std::io;

/// What to do about an error the user can fix outside swop, if it is one.
pub fn advice(err: &io::Error) -> Option<&'static str> {
    match err.raw_os_error()? {
        libc::ENOSPC => Some("the file system is full: free some space, then try again"),
        libc::EDQUOT => Some("the disk quota is used up: free some space, then try again"),
        libc::EROFS => Some(
            "the file system is read-only: make it writable (mount -o remount,rw), then try again",
        ),
        _ => None,
    }
}

/// `err` as text, with its advice when it has one.
pub fn io_text(err: &io::Error) -> String {
    match advice(err) {
        Some(advice) => format!("{err}; {advice}"),
        None => err.to_string(),
    }
}
