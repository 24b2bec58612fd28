//! Shared entries: one copy of a tool's history or prompts for several
//! profiles, never of a login.
//!
//! A shared entry of a profile (`CODEX_HOME/sessions`) is a symbolic link to
//! the one copy kept in the store, `shared/<tool>/<entry>`, so a conversation
//! one account began can be continued by another, while each keeps its own
//! `auth.json`. The catalog says which entries of each tool may be shared
//! (see [`crate::recipe::Known::shareable`]); a login file never may, nor
//! anything inside one. `profile.toml` lists a profile's shared entries as
//! `tool/entry`; the copy lives as long as a profile lists it.

mod merge;

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Result, Share, at_path};
use crate::files;
use crate::store::{Profile, Store, split_shared};

/// The store's folder of shared copies.
pub const SHARED_DIR: &str = "shared";

/// One entry a profile may share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shareable {
    pub tool: String,
    /// The variable whose folder holds it.
    pub var: String,
    /// Its name in that folder.
    pub entry: String,
    /// A folder (`sessions`), else a file (`history.jsonl`).
    pub folder: bool,
}

impl Shareable {
    /// As `profile.toml` lists it.
    pub fn named(&self) -> String {
        format!("{}/{}", self.tool, self.entry)
    }

    /// The one copy in the store.
    pub fn copy_in(&self, store: &Store) -> PathBuf {
        store
            .root()
            .join(SHARED_DIR)
            .join(&self.tool)
            .join(&self.entry)
    }

    /// Where the profile has it.
    pub fn place_in(&self, profile: &Profile) -> Option<PathBuf> {
        profile
            .bindings
            .iter()
            .find(|b| b.var == self.var && b.file.is_none())
            .map(|b| b.path.join(&self.entry))
    }
}

/// The entry `word` of a profile made for `tools`, which bind `bound`:
/// refused with the reason when it holds a login or is not one the catalog
/// lets profiles share.
pub fn resolve(store: &Store, tools: &[String], bound: &[String], word: &str) -> Result<Shareable> {
    let word = word.trim_end_matches('/');
    let (only_tool, name) = match word.split_once('/') {
        Some((tool, name)) => (Some(tool), name),
        None => (None, word),
    };
    refuse_logins(store, tools, name)?;
    let mut offered: Vec<String> = Vec::new();
    for tool in tools.iter().filter(|t| only_tool.is_none_or(|o| o == *t)) {
        let Some(known) = catalog_entry(tool) else {
            continue;
        };
        for (var, entry) in known.shareable {
            let folder = entry.ends_with('/');
            let entry = entry.trim_end_matches('/');
            if !bound.iter().any(|b| b == var) {
                continue;
            }
            offered.push(entry.to_string());
            if entry == name {
                return Ok(Shareable {
                    tool: tool.clone(),
                    var: var.to_string(),
                    entry: entry.to_string(),
                    folder,
                });
            }
        }
    }
    Err(Share::NotShareable {
        word: word.to_string(),
        tools: tools.to_vec(),
        offered,
    }
    .into())
}

/// The catalog's entry for `tool`: by its name, else by a program it runs
/// as (`hf` for huggingface).
pub fn catalog_entry(tool: &str) -> Option<&'static crate::recipe::Known> {
    crate::recipe::entry(tool).or_else(|| crate::recipe::known(tool))
}

/// A login is never shared: not a credentials file the catalog or a
/// recorded recipe names, nor the folder that holds one.
fn refuse_logins(store: &Store, tools: &[String], name: &str) -> Result<()> {
    let mut logins: Vec<(String, String)> = crate::logins::credential_files(store, tools)
        .into_iter()
        .map(|login| (login.tool, login.rel))
        .collect();
    for known in crate::recipe::CATALOG {
        for (_, path) in known.credential_files {
            logins.push((known.tool.to_string(), path.to_string()));
        }
    }
    let holds = logins
        .iter()
        .find(|(_, path)| path == name || path.split('/').next() == Some(name));
    match holds {
        Some((tool, path)) => Err(Share::Login {
            name: name.to_string(),
            tool: tool.clone(),
            path: path.clone(),
        }
        .into()),
        None => Ok(()),
    }
}

/// What `share` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shared {
    /// The entry was a link to the copy already.
    Already,
    /// The profile's entry became the shared copy (none existed).
    Moved,
    /// The profile's entry was merged into the existing copy.
    Merged,
    /// There was nothing to move: the link points at the copy.
    Linked,
}

/// The lock that keeps two swops from moving shared copies at once, and
/// `rm` from deleting a copy while a profile is coming to list it: held
/// until a change to the copies is recorded in `profile.toml`.
pub fn shared_lock(store: &Store) -> Result<File> {
    let dir = store.root().join(SHARED_DIR);
    files::create_private_dir_all(&dir).map_err(at_path("cannot create", &dir))?;
    store.check_owned(&dir)?;
    let path = dir.join(".lock");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&path)
        .map_err(at_path("cannot open", &path))?;
    file.lock().map_err(at_path("cannot lock", &path))?;
    Ok(file)
}

/// Make `entry` of `profile` a link to the shared copy, listed in its
/// `profile.toml`: the profile's own entry becomes the copy when there is
/// none yet, else it is merged into it (refused, with nothing moved, where
/// the two hold different files of one name). The caller holds the
/// profile's lock exclusively.
pub fn share(store: &Store, profile: &Profile, entry: &Shareable) -> Result<Shared> {
    let place = entry.place_in(profile).ok_or_else(|| Share::NoFolder {
        profile: profile.name.clone(),
        var: entry.var.clone(),
        entry: entry.entry.clone(),
    })?;
    let _lock = shared_lock(store)?;
    let copy = entry.copy_in(store);
    let tool_dir = copy.parent().unwrap_or(store.root()).to_path_buf();
    files::create_private_dir_all(&tool_dir).map_err(at_path("cannot create", &tool_dir))?;
    store.check_owned(&tool_dir)?;
    if let Some(parent) = place.parent() {
        files::create_private_dir_all(parent).map_err(at_path("cannot create", parent))?;
    }
    let own = fs::symlink_metadata(&place).ok();
    if let Some(meta) = &own
        && meta.file_type().is_symlink()
    {
        return match fs::read_link(&place) {
            Ok(target) if target == copy => {
                list(store, profile, entry)?;
                Ok(Shared::Already)
            }
            _ => Err(Share::ForeignLink {
                place,
                entry: entry.entry.clone(),
            }
            .into()),
        };
    }
    if let Some(meta) = &own
        && meta.is_dir() != entry.folder
    {
        return Err(Share::WrongKind {
            place,
            is_folder: meta.is_dir(),
            tool: entry.tool.clone(),
            wants_folder: entry.folder,
        }
        .into());
    }
    let outcome = match (own.is_some(), fs::symlink_metadata(&copy).is_ok()) {
        (false, false) => {
            make_empty(&copy, entry.folder)?;
            Shared::Linked
        }
        (false, true) => Shared::Linked,
        (true, false) => match crate::store::rename_noreplace(&place, &copy) {
            Ok(()) => Shared::Moved,
            // Another profile made the copy meanwhile: merge into it.
            Err(e) if matches!(e.raw_os_error(), Some(libc::EEXIST) | Some(libc::ENOTEMPTY)) => {
                merge::into(&place, &copy)?;
                Shared::Merged
            }
            Err(e) => return Err(at_path("cannot move", &place)(e)),
        },
        (true, true) => {
            merge::into(&place, &copy)?;
            Shared::Merged
        }
    };
    std::os::unix::fs::symlink(&copy, &place).map_err(at_path("cannot link", &place))?;
    list(store, profile, entry)?;
    Ok(outcome)
}

/// Record in `profile.toml` that `profile` shares `entry`; the caller holds
/// the shared lock, so `rm` of another profile sees it listed.
fn list(store: &Store, profile: &Profile, entry: &Shareable) -> Result<()> {
    let named = entry.named();
    store.edit(&profile.name, |file| {
        if !file.shared.contains(&named) {
            file.shared.push(named);
        }
        Ok(())
    })?;
    Ok(())
}

fn make_empty(copy: &Path, folder: bool) -> Result<()> {
    let made = if folder {
        files::create_private_dir(copy)
    } else {
        files::write_private_file(copy, b"")
    };
    match made {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            Err(at_path("cannot create", copy)(e))
        }
        _ => Ok(()),
    }
}

/// Who lists a shared entry, besides `except`.
#[derive(Debug, Default)]
pub struct Users {
    pub profiles: Vec<String>,
    /// Profiles whose file cannot be read: they may list it.
    pub unreadable: Vec<String>,
}

/// The profiles other than `except` that share `named` (`tool/entry`).
pub fn users(store: &Store, named: &str, except: &str) -> Users {
    let mut users = Users::default();
    for name in store.names().unwrap_or_default() {
        if name == except {
            continue;
        }
        match store.profile_file(&name) {
            Ok(file) if file.shared.iter().any(|s| s == named) => users.profiles.push(name),
            Ok(_) => {}
            Err(_) => users.unreadable.push(name),
        }
    }
    users
}

/// Make `entry` of `profile` its own again, no longer listed in its
/// `profile.toml`: the shared copy itself when no other profile uses it,
/// else a copy of it. The caller holds the profile's lock exclusively.
pub fn unshare(store: &Store, profile: &Profile, entry: &Shareable) -> Result<Vec<String>> {
    let place = entry.place_in(profile).ok_or_else(|| Share::NotBound {
        profile: profile.name.clone(),
        var: entry.var.clone(),
    })?;
    let _lock = shared_lock(store)?;
    let copy = entry.copy_in(store);
    let linked = fs::read_link(&place).is_ok_and(|target| target == copy);
    if !linked {
        return Err(Share::NotShared {
            profile: profile.name.clone(),
            entry: entry.entry.clone(),
            place,
        }
        .into());
    }
    let users = users(store, &entry.named(), &profile.name);
    let others: Vec<String> = users
        .profiles
        .iter()
        .chain(&users.unreadable)
        .cloned()
        .collect();
    fs::remove_file(&place).map_err(at_path("cannot remove the link", &place))?;
    let done = if others.is_empty() {
        fs::rename(&copy, &place).map_err(at_path("cannot move", &copy))
    } else {
        merge::copy(&copy, &place)
    };
    if let Err(err) = done {
        // Put the link back: the profile keeps what it had.
        let _ = std::os::unix::fs::symlink(&copy, &place);
        return Err(err);
    }
    let named = entry.named();
    store.edit(&profile.name, |file| {
        file.shared.retain(|s| *s != named);
        Ok(())
    })?;
    if let Some(tool_dir) = copy.parent() {
        let _ = fs::remove_dir(tool_dir);
    }
    Ok(others)
}

/// After a profile is gone: delete the shared copies it listed that no
/// other profile lists (nor may list: one whose file cannot be read keeps
/// them all). Returns what was deleted.
pub fn sweep(store: &Store, listed: &[String], gone: &str) -> Vec<String> {
    let Ok(_lock) = shared_lock(store) else {
        return Vec::new();
    };
    let mut deleted = Vec::new();
    for named in listed {
        let Some((tool, entry)) = split_shared(named) else {
            continue;
        };
        let users = users(store, named, gone);
        if !users.profiles.is_empty() || !users.unreadable.is_empty() {
            continue;
        }
        let copy = store.root().join(SHARED_DIR).join(tool).join(entry);
        let removed = match fs::symlink_metadata(&copy) {
            Ok(meta) if meta.is_dir() => fs::remove_dir_all(&copy).is_ok(),
            Ok(_) => fs::remove_file(&copy).is_ok(),
            Err(_) => false,
        };
        if removed {
            deleted.push(named.clone());
        }
        if let Some(tool_dir) = copy.parent() {
            let _ = fs::remove_dir(tool_dir);
        }
    }
    deleted
}
