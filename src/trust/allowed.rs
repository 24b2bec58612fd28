//! The allowed `.swop` files, in the store's `allowed/` folder: one file per
//! allowed `.swop`, named by a hash of its real path, holding the hash of
//! the contents that were allowed and the real path itself. Like profiles,
//! the folder is the registry: no central file to corrupt, and two shells
//! that allow two files at once do not lose either.

use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::Dotfile;
use crate::error::{Result, at_path};
use crate::store::Store;

const ALLOWED_DIR: &str = "allowed";
/// A hash line and a path.
const ENTRY_LIMIT: u64 = 8 * 1024;

/// The allowed list of one store.
pub struct Allowed<'a> {
    store: &'a Store,
    dir: PathBuf,
}

impl<'a> Allowed<'a> {
    pub fn new(store: &'a Store) -> Allowed<'a> {
        Allowed {
            store,
            dir: store.root().join(ALLOWED_DIR),
        }
    }

    /// Whether `dotfile`, as it is now, is allowed.
    pub fn contains(&self, dotfile: &Dotfile) -> Result<bool> {
        let path = self.entry(&dotfile.real);
        let entry = match read_entry(&path) {
            Ok(entry) => entry,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => {
                return Err(crate::store::store_file_error(
                    &path,
                    e,
                    crate::error::Next::AllowAgain,
                ));
            }
        };
        Ok(entry == entry_text(dotfile))
    }

    /// Allow `dotfile` as it is now, in place of what was allowed for its
    /// path before.
    pub fn insert(&self, dotfile: &Dotfile) -> Result<()> {
        match crate::files::create_private_dir(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(at_path("cannot create", &self.dir)(e)),
        }
        self.check_dir()?;
        let path = self.entry(&dotfile.real);
        crate::files::replace_private_file(&path, &entry_text(dotfile))
            .map_err(at_path("cannot write", &path))
    }

    /// Stop allowing the `.swop` at `real`: whether it was allowed.
    pub fn remove(&self, real: &Path) -> Result<bool> {
        let path = self.entry(real);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(at_path("cannot remove", &path)(e)),
        }
    }

    /// The folder must be a real folder of the user's that no one else may write.
    fn check_dir(&self) -> Result<()> {
        self.store
            .check_owned(&self.dir)
            .map_err(|e| e.noted(crate::error::Note::AllowedFolder))
    }

    /// The entry file of the `.swop` at `real`.
    fn entry(&self, real: &Path) -> PathBuf {
        let hash = crate::files::sha256_hex(&[real.as_os_str().as_bytes()]);
        self.dir.join(&hash[..32])
    }
}

/// What an entry holds: the contents' hash, a newline, the real path.
fn entry_text(dotfile: &Dotfile) -> Vec<u8> {
    let mut text = crate::files::sha256_hex(&[&dotfile.contents]).into_bytes();
    text.push(b'\n');
    text.extend_from_slice(dotfile.real.as_os_str().as_bytes());
    text
}

/// An entry's bytes, read as any store file is (no link, no FIFO, the
/// user's, not writable by others, small).
fn read_entry(path: &Path) -> io::Result<Vec<u8>> {
    let file = crate::files::open_store_file(path, ENTRY_LIMIT)?;
    let mut bytes = Vec::new();
    file.take(ENTRY_LIMIT).read_to_end(&mut bytes)?;
    Ok(bytes)
}
