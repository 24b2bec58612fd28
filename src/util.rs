//! Small helpers shared by the commands.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// A value for a message: quoted, with control characters made visible.
pub fn quoted(s: &str) -> String {
    format!("{s:?}")
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

/// The same error, with [`io_advice`] appended to its message; other errors unchanged.
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

/// Read a small text file that swop itself wrote, refusing a symbolic link,
/// anything but a regular file (a FIFO would block) and more than `limit` bytes.
pub fn read_private_text(path: &Path, limit: u64) -> io::Result<String> {
    use std::io::Read;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file",
        ));
    }
    if meta.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} bytes, more than the {limit} a swop file may hold",
                meta.len()
            ),
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
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

/// Print to stdout in one write; a closed pipe surfaces as an error the caller
/// turns into a quiet exit.
pub fn print_bytes(bytes: &[u8]) -> crate::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(crate::error::io_context(|| "writing to stdout".into()))
}

/// Whether a process with this pid exists.
pub fn pid_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 only checks for existence and permission.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}
