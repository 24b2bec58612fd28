//! Files of swop's own: made private (folders 0700, files 0600 written whole
//! and replaced atomically), and read only when they can be trusted (regular,
//! ours, written by no one else, with one name, and small). The store, the
//! scratch folders of a discovery and the views built for it are made this way.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// This process's effective uid: the owner of everything swop trusts.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// A folder only its owner, this user, may enter.
pub fn is_private_dir(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.is_dir() && meta.uid() == euid() && meta.mode() & 0o077 == 0
}

/// swop's folder in the session's runtime folder (`$XDG_RUNTIME_DIR`, given
/// as `runtime`), when that is absolute, private and the user's: in memory,
/// emptied at logout, and no one else's to look into.
pub fn private_runtime_dir(runtime: Option<&Path>) -> Option<PathBuf> {
    let runtime = runtime.filter(|r| r.is_absolute())?;
    fs::symlink_metadata(runtime)
        .is_ok_and(|m| is_private_dir(&m))
        .then(|| runtime.join("swop"))
}

/// Create one folder with mode 0700 whatever the umask.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().mode(0o700).create(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
}

/// Create a folder and its missing parents, each new one 0700.
pub fn create_private_dir_all(path: &Path) -> io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        create_private_dir_all(parent)?;
    }
    match create_private_dir(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        other => other,
    }
}

/// Write a new file with mode 0600, flushed to disk.
pub fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Why a file of swop's cannot be trusted (rendered in `crate::error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// A FIFO, a folder, a device...: what it is instead.
    NotRegular(&'static str),
    /// Another user's.
    Owner {
        owner: u32,
        uid: u32,
    },
    OthersMayWrite(u32),
    HardLinks(u64),
    TooBig {
        len: u64,
        limit: u64,
    },
    /// It grew past the limit while it was read.
    Grew(u64),
    NotText,
}

/// Why an open store file cannot be trusted, if it cannot: anything but a
/// regular file (a FIFO would block, a device never ends), a file of another
/// user or one others may write, a file with more than one name (writing the
/// lock record into a hard link would overwrite another file), or more than
/// `limit` bytes.
pub fn store_file_problem(meta: &fs::Metadata, limit: u64) -> Option<FileProblem> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let kind = meta.file_type();
    if !kind.is_file() {
        let what = if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_dir() {
            "a folder"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "something else"
        };
        return Some(FileProblem::NotRegular(what));
    }
    let uid = euid();
    if meta.uid() != uid {
        return Some(FileProblem::Owner {
            owner: meta.uid(),
            uid,
        });
    }
    if meta.mode() & 0o022 != 0 {
        return Some(FileProblem::OthersMayWrite(meta.mode()));
    }
    if meta.nlink() != 1 {
        return Some(FileProblem::HardLinks(meta.nlink()));
    }
    if meta.len() > limit {
        return Some(FileProblem::TooBig {
            len: meta.len(),
            limit,
        });
    }
    None
}

/// The [`FileProblem`] an error of [`open_store_file`] or [`read_store_text`]
/// carries, if it is one.
pub fn problem_of(err: &io::Error) -> Option<&FileProblem> {
    err.get_ref()?.downcast_ref::<FileProblem>()
}

/// Open a file of the store for reading without following a link or
/// blocking on a FIFO, and refuse it unless [`store_file_problem`] finds
/// nothing. The error is `InvalidData` carrying the [`FileProblem`], or the
/// open's own (`ELOOP` for a link, `ENOENT` when missing).
pub fn open_store_file(path: &Path, limit: u64) -> io::Result<fs::File> {
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    check_store_file(&file, limit)?;
    Ok(file)
}

/// [`store_file_problem`] on a file already open.
pub fn check_store_file(file: &fs::File, limit: u64) -> io::Result<()> {
    match store_file_problem(&file.metadata()?, limit) {
        Some(problem) => Err(io::Error::new(io::ErrorKind::InvalidData, problem)),
        None => Ok(()),
    }
}

/// The text of a small file of the store ([`open_store_file`]); a file that
/// grows past `limit` while it is read is refused too.
pub fn read_store_text(path: &Path, limit: u64) -> io::Result<String> {
    use std::io::Read;
    let file = open_store_file(path, limit)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            FileProblem::Grew(limit),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, FileProblem::NotText))
}

/// Replace a file atomically: write a 0600 sibling, then rename it over.
pub fn replace_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or(OsStr::new("file"));
    let mut tmp_name = OsStr::new(".tmp-").to_os_string();
    tmp_name.push(name);
    tmp_name.push(format!("-{}", std::process::id()));
    let tmp = dir.join(tmp_name);
    let _ = fs::remove_file(&tmp);
    write_private_file(&tmp, contents).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The SHA-256 of `parts`, one after the other, in lower-case hex.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
