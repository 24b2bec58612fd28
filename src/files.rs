//! Files of swop's own: made private (folders 0700, files 0600 written whole
//! and replaced atomically), and read only when they can be trusted (regular,
//! ours, written by no one else, with one name, and small). The store, the
//! scratch folders of a discovery and the views built for it are made this way.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// This process's effective uid: the owner of everything swop trusts.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// What to do about an error the user can fix outside swop, if it is one.
fn io_advice(err: &io::Error) -> Option<&'static str> {
    match err.raw_os_error()? {
        libc::ENOSPC => Some("the file system is full: free some space, then try again"),
        libc::EDQUOT => Some("the disk quota is used up: free some space, then try again"),
        libc::EROFS => Some(
            "the file system is read-only: make it writable (mount -o remount,rw), then try again",
        ),
        _ => None,
    }
}

/// The same error, with the advice of `io_advice` appended to its message; other errors unchanged.
pub fn advised(err: io::Error) -> io::Error {
    match io_advice(&err) {
        Some(advice) => io::Error::new(err.kind(), format!("{err}; {advice}")),
        None => err,
    }
}

/// Create one folder with mode 0700 whatever the umask.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .mode(0o700)
        .create(path)
        .map_err(advised)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(advised)
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
    let write = || -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        file.write_all(contents)?;
        file.sync_all()
    };
    write().map_err(advised)
}

/// Why an open store file cannot be trusted, if it cannot: anything but a
/// regular file (a FIFO would block, a device never ends), a file of another
/// user or one others may write, a file with more than one name (writing the
/// lock record into a hard link would overwrite another file), or more than
/// `limit` bytes. Said so that it reads after "PATH is ".
pub fn store_file_problem(meta: &fs::Metadata, limit: u64) -> Option<String> {
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
        return Some(format!("{what}, not a regular file"));
    }
    let uid = euid();
    if meta.uid() != uid {
        return Some(format!(
            "owned by uid {}, not by you (uid {uid})",
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Some(format!(
            "writable by other users (mode {:o})",
            meta.mode() & 0o7777
        ));
    }
    if meta.nlink() != 1 {
        return Some(format!(
            "one of {} hard links to the same file",
            meta.nlink()
        ));
    }
    if meta.len() > limit {
        return Some(format!(
            "{} bytes, more than the {limit} a swop file may hold",
            meta.len()
        ));
    }
    None
}

/// Open a file of the store for reading without following a link or
/// blocking on a FIFO, and refuse it unless [`store_file_problem`] finds
/// nothing. The error is `InvalidData` with the problem as its message, or
/// the open's own (`ELOOP` for a link, `ENOENT` when missing).
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
            format!("more than the {limit} bytes a swop file may hold"),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
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
    fs::rename(&tmp, path).map_err(advised).inspect_err(|_| {
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
