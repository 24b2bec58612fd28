//! A `.swop` file as swop reads it: one line, a profile name, read once, so
//! that the name switched to is the one whose contents were checked.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Command, Dotfile as Refused, Error, Result, at_path};

/// The file's name.
pub const DOTFILE: &str = ".swop";

/// A profile name and a line end (`\r\n` at most) are 66 bytes.
const DOTFILE_LIMIT: u64 = 66;

/// One `.swop`, read.
#[derive(Debug, Clone)]
pub struct Dotfile {
    /// The path it was found at (absolute), for messages.
    pub path: PathBuf,
    /// Its real path: every link on the way resolved.
    pub real: PathBuf,
    /// The bytes it holds.
    pub contents: Vec<u8>,
    /// The profile it names.
    pub name: String,
}

impl Dotfile {
    /// Read the `.swop` at `path`: a regular file (a FIFO or a device is
    /// refused without blocking) holding one line, a profile name.
    pub fn read(path: &Path) -> Result<Dotfile> {
        let path = absolute(path)?;
        let file = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&path)
            .map_err(at_path("cannot read", &path))?;
        let meta = file.metadata().map_err(at_path("cannot read", &path))?;
        if meta.is_dir() {
            return Err(Command::Dotfile(Refused::AFolder(shown(&path))).into());
        }
        if !meta.is_file() {
            return Err(junk(&path));
        }
        let mut contents = Vec::new();
        file.take(DOTFILE_LIMIT + 1)
            .read_to_end(&mut contents)
            .map_err(at_path("cannot read", &path))?;
        let name = name_in(&contents).ok_or_else(|| junk(&path))?;
        crate::names::check_profile_name(&name).map_err(|name| {
            Command::Dotfile(Refused::BadName {
                file: shown(&path),
                name,
            })
        })?;
        let real = fs::canonicalize(&path).map_err(at_path("cannot resolve", &path))?;
        Ok(Dotfile {
            path,
            real,
            contents,
            name,
        })
    }

    /// The folder it applies to.
    pub fn folder(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }
}

/// The name in a file's contents: one line, maybe ended by `\n` or `\r\n`,
/// spaces and tabs around it left out (an editor's or `echo`'s, never part
/// of a name).
fn name_in(contents: &[u8]) -> Option<String> {
    if contents.len() as u64 > DOTFILE_LIMIT {
        return None;
    }
    let line = contents.strip_suffix(b"\n").unwrap_or(contents);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let name = std::str::from_utf8(line).ok()?.trim_matches([' ', '\t']);
    let junk = name.is_empty() || name.starts_with('-') || name.contains(['\n', '\r', '\0']);
    (!junk).then(|| name.to_string())
}

fn junk(path: &Path) -> Error {
    Command::Dotfile(Refused::NotOneName(shown(path))).into()
}

/// A path as messages show it: on one line.
fn shown(path: &Path) -> String {
    crate::output::printable_line(&path.display().to_string()).into_owned()
}

/// `path` made absolute against the working folder.
fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let here = std::env::current_dir().map_err(|e| Error::Io {
        action: "cannot find the working folder",
        path: None,
        source: e,
    })?;
    Ok(here.join(path))
}

/// The real path of a `.swop` that may no longer exist: its folder's real
/// path and its name.
pub fn real_path(path: &Path) -> Result<PathBuf> {
    let path = absolute(path)?;
    match fs::canonicalize(&path) {
        Ok(real) => Ok(real),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
                return Err(at_path("cannot resolve", &path)(e));
            };
            let folder = fs::canonicalize(folder).map_err(at_path("cannot resolve", folder))?;
            Ok(folder.join(name))
        }
        Err(e) => Err(at_path("cannot resolve", &path)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_one_name() {
        assert_eq!(name_in(b"work\n").as_deref(), Some("work"));
        assert_eq!(name_in(b"work\r\n").as_deref(), Some("work"));
        assert_eq!(name_in(b"work").as_deref(), Some("work"));
        assert_eq!(name_in(b"work \n").as_deref(), Some("work"));
        assert_eq!(name_in(b"\twork\t\r\n").as_deref(), Some("work"));
        for junk in [
            &b""[..],
            b"\n",
            b"a\nb\n",
            b"a\0b",
            b"--help\n",
            &[b'a'; 67],
            b"\xff\n",
            b"  \n",
        ] {
            assert_eq!(name_in(junk), None, "{junk:?}");
        }
    }
}
