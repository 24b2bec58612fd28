//! Changing a profile after `add`: its `profile.toml` rewritten in one
//! rename and checked before and after, and its name.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use super::{EDIT_LOCK_FILE, PROFILE_FILE, Profile, ProfileFile, Store, rename_noreplace, values};
use crate::error::{Error, Profile as ProfileError, Result, at_path};
use crate::files;
use crate::names;

impl Store {
    /// The profile's file as written, checked.
    pub fn profile_file(&self, name: &str) -> Result<ProfileFile> {
        let (dir, file) = self.read_profile_file(name)?;
        self.profile_from_file(name, dir, file.clone())?;
        Ok(file)
    }

    /// Apply `change` to the profile's file and write it back in one rename.
    /// The profile must be sound before and after: a change that would make
    /// it unreadable is refused and nothing is written. Two edits of one
    /// profile take turns, so neither loses what the other wrote.
    pub fn edit(
        &self,
        name: &str,
        change: impl FnOnce(&mut ProfileFile) -> Result<()>,
    ) -> Result<Profile> {
        let (dir, _) = self.existing_profile_dir(name)?;
        let _turn = edit_lock(&dir.join(EDIT_LOCK_FILE))?;
        let (dir, mut file) = self.read_profile_file(name)?;
        self.profile_from_file(name, dir.clone(), file.clone())?;
        change(&mut file)?;
        values::check_file(&file)?;
        let profile = self.profile_from_file(name, dir.clone(), file.clone())?;
        let path = dir.join(PROFILE_FILE);
        toml::to_string(&file)
            .map_err(io::Error::other)
            .and_then(|text| files::replace_private_file(&path, text.as_bytes()))
            .map_err(at_path("cannot write", &path))?;
        Ok(profile)
    }

    /// Give `profile` the name `to`, in one rename that never replaces
    /// another profile. The caller holds its lock.
    pub fn rename(&self, profile: &Profile, to: &str) -> Result<PathBuf> {
        names::check_profile_name(to)?;
        let target = self.profile_dir(to);
        if fs::symlink_metadata(&target).is_ok() {
            return Err(Error::profile(to, ProfileError::Exists));
        }
        rename_noreplace(&profile.dir, &target).map_err(|e| {
            if matches!(e.raw_os_error(), Some(libc::EEXIST) | Some(libc::ENOTEMPTY)) {
                Error::profile(to, ProfileError::Exists)
            } else {
                at_path("cannot rename", &profile.dir)(e)
            }
        })?;
        if let Ok(d) = fs::File::open(self.profiles_dir()) {
            let _ = d.sync_all();
        }
        Ok(target)
    }

    /// Make the folders of `profile`'s bindings that do not exist yet.
    pub fn make_binding_dirs(&self, profile: &Profile) -> Result<()> {
        self.make_bound_folders(&profile.bindings)
    }
}

/// The lock held for one read-modify-write of `profile.toml`. Not the
/// profile's lock, which its running commands hold: a value changes while
/// they run.
fn edit_lock(path: &std::path::Path) -> Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(at_path("cannot open", path))?;
    file.lock().map_err(at_path("cannot lock", path))?;
    Ok(file)
}
