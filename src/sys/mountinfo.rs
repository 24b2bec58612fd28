//! The mount table of this process's namespace, as `/proc/self/mountinfo`
//! describes it: which folders are mount points, of which file system, and
//! whether they can be written.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Where it is mounted.
    pub point: PathBuf,
    /// The file system type (`ext4`, `tmpfs`, `proc`...).
    pub fs_type: String,
    /// Mounted read-write (the mount's own flag; the file system may still
    /// refuse writes).
    pub writable: bool,
}

impl Mount {
    /// Whether it holds files a tool keeps (rather than a kernel interface
    /// such as /proc, or devices): the file systems whose writes are state.
    pub fn holds_files(&self) -> bool {
        !matches!(
            self.fs_type.as_str(),
            "proc"
                | "sysfs"
                | "cgroup"
                | "cgroup2"
                | "devpts"
                | "devtmpfs"
                | "mqueue"
                | "debugfs"
                | "tracefs"
                | "securityfs"
                | "pstore"
                | "bpf"
                | "configfs"
                | "fusectl"
                | "hugetlbfs"
                | "binfmt_misc"
                | "autofs"
                | "efivarfs"
                | "nsfs"
                | "rpc_pipefs"
                | "nfsd"
                | "selinuxfs"
                | "overlay-whiteout"
        )
    }
}

/// The mounts of this process's namespace, in the kernel's order (parents
/// before the mounts on top of them).
pub fn mounts() -> std::io::Result<Vec<Mount>> {
    let text = std::fs::read("/proc/self/mountinfo")?;
    Ok(parse(&text))
}

/// Parse mountinfo text; lines that do not have its shape are skipped.
pub fn parse(text: &[u8]) -> Vec<Mount> {
    text.split(|b| *b == b'\n').filter_map(parse_line).collect()
}

/// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
fn parse_line(line: &[u8]) -> Option<Mount> {
    let fields: Vec<&[u8]> = line.split(|b| *b == b' ').collect();
    let separator = fields.iter().position(|f| *f == b"-")?;
    if separator < 6 {
        return None;
    }
    let point = PathBuf::from(OsString::from_vec(unescape(fields[4])));
    let writable = fields[5].split(|b| *b == b',').any(|o| o == b"rw");
    let fs_type = String::from_utf8_lossy(fields.get(separator + 1)?).into_owned();
    Some(Mount {
        point,
        fs_type,
        writable,
    })
}

/// mountinfo writes a space, tab, newline and backslash in a path as `\040`,
/// `\011`, `\012` and `\134`.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| field[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(d) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            None => {
                out.push(field[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn lines_of_the_kernels_shape() {
        let text = b"22 27 0:21 / /proc rw,relatime - proc proc rw\n\
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n\
28 27 0:25 / /mnt/a\\040b ro,nosuid,nodev shared:5 - tmpfs none ro,size=4k\n\
garbage\n";
        let mounts = parse(text);
        assert_eq!(mounts.len(), 3);
        assert_eq!(mounts[0].fs_type, "proc");
        assert!(!mounts[0].holds_files());
        assert_eq!(mounts[1].point, Path::new("/"));
        assert!(mounts[1].writable && mounts[1].holds_files());
        assert_eq!(mounts[2].point, Path::new("/mnt/a b"));
        assert!(!mounts[2].writable);
    }

    #[test]
    fn this_process_has_a_root_mount() {
        let mounts = mounts().expect("mountinfo");
        assert!(
            mounts.iter().any(|m| m.point == Path::new("/")),
            "{mounts:?}"
        );
    }
}
