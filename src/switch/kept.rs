//! Kept values: what a switch takes out of the environment stays out of it.
//!
//! A profile removes inherited credentials (`AWS_SECRET_ACCESS_KEY`,
//! `GH_TOKEN`, ...) and replaces values, and `swop off` must put them back
//! exactly. Keeping them in `SWOP_SAVED` would hand every one of them to
//! each process of the profile, which inherits that variable. So their
//! values go to a private file instead, and the record names the file by a
//! token: `AWS_SECRET_ACCESS_KEY@TOKEN`.
//!
//! The files live in `$XDG_RUNTIME_DIR/swop` (a per-user folder in memory,
//! emptied at logout) when the session has one that is private and the
//! user's, else in `kept/` of the store. The folder is 0700 and each file
//! 0600, and swop reads only such files of the user's own. A token is a keyed
//! hash of the file's contents (the key, random, lives in the same folder):
//! a repeated switch reuses its file instead of adding one, and the token,
//! which every process of the profile sees, says nothing about the values.
//! Files are never deleted by `off`: a child shell may hold the same record.
//!
//! What this protects against: programs that log, report, forward or upload
//! their whole environment (crash reports, debug dumps, `env` in a CI log,
//! a container or a remote shell started with every variable), and any
//! program that reads a variable it happens to find. It does not protect
//! against a process of the same user that goes looking for the file.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::record::{Token, decode_saved, encode_saved};
use super::{HOME_VAR, VarLookup};

/// A file of kept values is what the environment held; no more than that.
const KEPT_LIMIT: u64 = 1024 * 1024;
const KEY_FILE: &str = "key";
const KEY_LEN: usize = 32;

/// Where kept values are written and looked for.
pub struct Kept {
    /// `$XDG_RUNTIME_DIR`, the store, and the store `SWOP_HOME` names.
    runtime: Option<PathBuf>,
    store: PathBuf,
    named_store: Option<PathBuf>,
    /// The folders, found on first use: most switches keep nothing.
    dirs: std::cell::OnceCell<Vec<PathBuf>>,
}

impl Kept {
    /// The places of this session, as the environment names them.
    pub fn new(var: &VarLookup, store_root: &Path) -> Kept {
        Kept {
            runtime: var("XDG_RUNTIME_DIR").map(PathBuf::from),
            store: store_root.to_path_buf(),
            named_store: var(HOME_VAR).map(PathBuf::from),
            dirs: std::cell::OnceCell::new(),
        }
    }

    /// The folders: `$XDG_RUNTIME_DIR/swop` when the runtime folder is
    /// private and the user's, and the store's `kept/` (that of the store
    /// in use, and of a `SWOP_HOME` that names another).
    fn dirs(&self) -> &[PathBuf] {
        self.dirs.get_or_init(|| {
            let mut dirs = Vec::with_capacity(3);
            dirs.extend(crate::files::private_runtime_dir(self.runtime.as_deref()));
            dirs.push(self.store.join("kept"));
            if let Some(other) = self
                .named_store
                .as_ref()
                .filter(|h| h.is_absolute())
                .map(|h| h.join("kept"))
                .filter(|other| !dirs.contains(other))
            {
                dirs.push(other);
            }
            dirs
        })
    }

    /// The values a token's file holds, from the first folder that has it.
    pub fn load(&self, token: &Token) -> io::Result<BTreeMap<String, OsString>> {
        let mut first_error = None;
        for dir in self.dirs() {
            match read_private(&dir.join(token.as_str())) {
                Ok(bytes) => {
                    return Ok(decode_saved(&bytes)
                        .into_iter()
                        .filter_map(|(name, value)| Some((name, value?)))
                        .collect());
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| io::Error::from(io::ErrorKind::NotFound)))
    }

    /// Keep `values` in a private file, and name it.
    pub fn save(&self, values: &[(&str, OsString)]) -> io::Result<Token> {
        let dir = &self.dirs()[0];
        ensure_private_dir(dir)?;
        let contents = encode_saved(
            &values
                .iter()
                .map(|(name, value)| (*name, Some(value.clone())))
                .collect::<Vec<_>>(),
        );
        let contents = std::os::unix::ffi::OsStrExt::as_bytes(contents.as_os_str());
        let key = key(dir)?;
        let hex = crate::files::sha256_hex(&[&key, contents]);
        let token = Token::parse(&hex[..Token::LEN]).ok_or_else(|| io::Error::other("token"))?;
        let path = dir.join(token.as_str());
        // The same token is the same contents: a file already there is this one.
        if read_private(&path).is_err() {
            crate::files::replace_private_file(&path, contents)?;
        }
        Ok(token)
    }

    /// Whether new files go to the session's runtime folder, which a
    /// reboot or a new login empties, rather than to the store.
    pub fn in_runtime_dir(&self) -> bool {
        self.folder() != self.store.join("kept")
    }

    /// The folder new files go to, for messages.
    pub fn folder(&self) -> &Path {
        &self.dirs()[0]
    }
}

fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    match crate::files::create_private_dir(dir) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = fs::symlink_metadata(dir)?;
    if meta.file_type().is_symlink() || !crate::files::is_private_dir(&meta) {
        return Err(io::Error::other(format!(
            "{} is not a private folder of yours (mode 0700, no link)",
            dir.display()
        )));
    }
    Ok(())
}

/// A file of this user's that no one else may read or write, no link, no
/// second name, not too big: a store file ([`crate::files::open_store_file`])
/// that others may not read either.
fn read_private(path: &Path) -> io::Result<Vec<u8>> {
    let file = crate::files::open_store_file(path, KEPT_LIMIT)?;
    if file.metadata()?.mode() & 0o077 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a private file of yours", path.display()),
        ));
    }
    let mut bytes = Vec::new();
    file.take(KEPT_LIMIT).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The folder's key, made on first use from the system's random source.
fn key(dir: &Path) -> io::Result<Vec<u8>> {
    let path = dir.join(KEY_FILE);
    match read_settled_key(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        read => return read,
    }
    let mut key = vec![0u8; KEY_LEN];
    fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
    // Written whole under another name, then linked into place: the key's
    // name never shows a file still being written, and a link fails if
    // another swop made the key meanwhile.
    static MADE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let made = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".tmp-{KEY_FILE}-{}-{made}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let linked =
        crate::files::write_private_file(&tmp, &key).and_then(|()| fs::hard_link(&tmp, &path));
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read_settled_key(&path),
        Err(e) => Err(e),
    }
}

/// The key, which another swop may have just made: until it removes its
/// own name of the file, the file has two, and is not read; a short wait
/// covers that.
fn read_settled_key(path: &Path) -> io::Result<Vec<u8>> {
    let mut tries = 0;
    loop {
        match read_key(path) {
            Err(e) if tries < 50 && e.kind() == io::ErrorKind::InvalidData => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            read => return read,
        }
    }
}

/// The key at `path`, refused unless it is one swop wrote: never a short one.
fn read_key(path: &Path) -> io::Result<Vec<u8>> {
    match read_private(path) {
        Ok(key) if key.len() == KEY_LEN => Ok(key),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a key swop wrote; remove it", path.display()),
        )),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(runtime: &Path) -> VarLookup<'static> {
        let runtime = runtime.as_os_str().to_os_string();
        Box::new(move |name| (name == "XDG_RUNTIME_DIR").then(|| runtime.clone()))
    }

    #[test]
    fn kept_values_round_trip_through_one_private_file() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let runtime = tmp.path().join("run");
        crate::files::create_private_dir(&runtime).expect("runtime");
        let store = tmp.path().join("store");
        crate::files::create_private_dir(&store).expect("store");
        let kept = Kept::new(&lookup(&runtime), &store);
        let values = [("AWS_SECRET_ACCESS_KEY", OsString::from("s3cr3t:%\n"))];
        let token = kept.save(&values).expect("save");
        let path = runtime.join("swop").join(token.as_str());
        assert_eq!(fs::metadata(&path).expect("file").mode() & 0o777, 0o600);
        // The same values, the same file; the token is not the values' hash.
        assert_eq!(kept.save(&values).expect("again"), token);
        let plain = crate::files::sha256_hex(&[&fs::read(&path).expect("read")]);
        assert!(!plain.starts_with(token.as_str()));
        let loaded = kept.load(&token).expect("load");
        assert_eq!(loaded["AWS_SECRET_ACCESS_KEY"], values[0].1);
    }

    #[test]
    fn without_a_private_runtime_folder_the_store_keeps_them() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let open = tmp.path().join("open");
        fs::create_dir(&open).expect("mkdir");
        fs::set_permissions(&open, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("chmod");
        let store = tmp.path().join("store");
        crate::files::create_private_dir(&store).expect("store");
        let kept = Kept::new(&lookup(&open), &store);
        assert_eq!(kept.folder(), store.join("kept"));
        let token = kept
            .save(&[("GH_TOKEN", OsString::from("t"))])
            .expect("save");
        // Loosened by someone else: no longer read.
        let file = store.join("kept").join(token.as_str());
        fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .expect("chmod");
        assert!(kept.load(&token).is_err());
    }

    #[test]
    fn a_key_made_by_two_switches_at_once_is_never_short() {
        for _ in 0..100 {
            let tmp = tempfile::tempdir().expect("tempdir");
            let dir = tmp.path().to_path_buf();
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
            let keys: Vec<io::Result<Vec<u8>>> = (0..8)
                .map(|_| {
                    let (dir, barrier) = (dir.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        key(&dir)
                    })
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|t| t.join().expect("thread"))
                .collect();
            let made = fs::read(dir.join(KEY_FILE)).expect("key");
            assert_eq!(made.len(), KEY_LEN);
            for key in keys {
                assert_eq!(key.expect("key"), made);
            }
        }
    }
}
