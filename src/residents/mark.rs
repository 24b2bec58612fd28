//! The mark swop leaves in the environment of everything that runs in a
//! profile: `SWOP_PROFILE` and `SWOP_HOME`, set by `exec`, `shell` and the
//! exports of `env`, plus `SWOP_LOCK_FD` where `exec` passed its lock on.
//! Read from a raw environment block (`NAME=value` entries, NUL-separated),
//! as the kernel keeps it for every process.

use memchr::memmem;

/// What the environment of a process says about the profile it runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark<'a> {
    pub profile: &'a [u8],
    pub store: &'a [u8],
    pub lock_fd: Option<&'a [u8]>,
    /// `SWOP_SEALED=1`: it runs sealed (`swop exec --seal`).
    pub sealed: bool,
}

const PROFILE: &[u8] = b"SWOP_PROFILE=";
/// The entry every marked environment holds: what a search looks for first.
pub const STORE: &[u8] = b"SWOP_HOME=";
const LOCK_FD: &[u8] = b"SWOP_LOCK_FD=";
const SEALED: &[u8] = b"SWOP_SEALED=";

/// The mark in `block`, if it has both `SWOP_PROFILE` and `SWOP_HOME`. The first
/// of repeated entries wins, as for getenv(3).
pub fn mark(block: &[u8]) -> Option<Mark<'_>> {
    // Most processes have no mark: one fast search rules them out.
    memmem::find(block, STORE)?;
    let (mut profile, mut store, mut lock_fd, mut sealed) = (None, None, None, None);
    for entry in block.split(|&b| b == 0) {
        if let Some(value) = entry.strip_prefix(PROFILE) {
            profile.get_or_insert(value);
        } else if let Some(value) = entry.strip_prefix(STORE) {
            store.get_or_insert(value);
        } else if let Some(value) = entry.strip_prefix(LOCK_FD) {
            lock_fd.get_or_insert(value);
        } else if let Some(value) = entry.strip_prefix(SEALED) {
            sealed.get_or_insert(value);
        }
    }
    Some(Mark {
        profile: profile.filter(|p| !p.is_empty())?,
        store: store.filter(|s| !s.is_empty())?,
        lock_fd,
        sealed: sealed == Some(b"1"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_mark_wherever_it_is_and_the_first_entry_wins() {
        let block = b"PATH=/bin\0SWOP_PROFILE=work\0X=SWOP_HOME=fake\0SWOP_HOME=/s\0\
                      SWOP_LOCK_FD=3\0SWOP_PROFILE=other\0";
        assert_eq!(
            mark(block),
            Some(Mark {
                profile: b"work",
                store: b"/s",
                lock_fd: Some(b"3"),
                sealed: false,
            })
        );
        let first = b"SWOP_HOME=/s\0SWOP_PROFILE=a";
        assert_eq!(mark(first).map(|m| m.profile), Some(&b"a"[..]));
    }

    #[test]
    fn half_a_mark_is_no_mark() {
        assert_eq!(mark(b"SWOP_HOME=/s\0HOME=/h\0"), None);
        assert_eq!(mark(b"SWOP_PROFILE=a\0"), None);
        assert_eq!(mark(b"SWOP_PROFILE=\0SWOP_HOME=/s\0"), None);
        assert_eq!(mark(b"SWOP_PROFILE=a\0XSWOP_HOME=/s\0"), None);
        assert_eq!(mark(b""), None);
    }
}
