//! The system calls that touch paths, and what each does to them.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OpenForm {
    /// `open(path, flags, ...)`
    Plain,
    /// `openat(dirfd, path, flags, ...)`
    At,
    /// `openat2(dirfd, path, {flags=..., ...}, size)`
    At2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Open(OpenForm),
    Creat,
    /// One path, the first argument.
    File(Op),
    /// A dirfd, then one path.
    FileAt(Op),
    Rename {
        at: bool,
    },
    Link {
        at: bool,
    },
    Symlink {
        at: bool,
    },
    Exec {
        at: bool,
    },
    Chdir,
    Fchdir,
    Close,
    CloseRange,
    Dup,
    Fcntl,
    Fork,
    /// `connect(fd, {sa_family=AF_UNIX, sun_path="..."}, len)`
    Connect,
}

pub(super) fn kind_of(name: &[u8]) -> Option<Kind> {
    use Kind::*;
    let k = match name {
        b"open" => Open(OpenForm::Plain),
        b"openat" => Open(OpenForm::At),
        b"openat2" => Open(OpenForm::At2),
        b"creat" => Creat,
        b"stat" | b"lstat" | b"stat64" | b"lstat64" | b"oldstat" | b"oldlstat" | b"access"
        | b"readlink" | b"statfs" | b"statfs64" | b"getxattr" | b"lgetxattr" | b"listxattr"
        | b"llistxattr" => File(Op::Stat),
        b"newfstatat" | b"fstatat" | b"fstatat64" | b"statx" | b"faccessat" | b"faccessat2"
        | b"readlinkat" | b"name_to_handle_at" => FileAt(Op::Stat),
        b"utime" | b"utimes" | b"chmod" | b"chown" | b"chown32" | b"lchown" | b"lchown32"
        | b"truncate" | b"truncate64" | b"setxattr" | b"lsetxattr" | b"removexattr"
        | b"lremovexattr" => File(Op::Write),
        b"utimensat" | b"utimensat_time64" | b"futimesat" | b"fchmodat" | b"fchmodat2"
        | b"fchownat" => FileAt(Op::Write),
        b"mkdir" => File(Op::Mkdir),
        b"mkdirat" => FileAt(Op::Mkdir),
        b"mknod" => File(Op::Create),
        b"mknodat" => FileAt(Op::Create),
        b"unlink" | b"rmdir" => File(Op::Delete),
        b"unlinkat" => FileAt(Op::Delete),
        b"rename" => Rename { at: false },
        b"renameat" | b"renameat2" => Rename { at: true },
        b"link" => Link { at: false },
        b"linkat" => Link { at: true },
        b"symlink" => Symlink { at: false },
        b"symlinkat" => Symlink { at: true },
        b"execve" => Exec { at: false },
        b"execveat" => Exec { at: true },
        b"chdir" => Chdir,
        b"fchdir" => Fchdir,
        b"close" => Close,
        b"close_range" => CloseRange,
        b"dup" | b"dup2" | b"dup3" => Dup,
        b"fcntl" | b"fcntl64" => Fcntl,
        b"clone" | b"clone2" | b"clone3" | b"fork" | b"vfork" => Fork,
        b"connect" => Connect,
        _ => return None,
    };
    Some(k)
}

// ---------------------------------------------------------------------------
