//! The store: one folder per profile under `$SWOP_HOME/profiles/`.
//!
//! The file system is the registry. A profile is built in a hidden temporary
//! sibling and renamed into place, so a crash never leaves half a profile under
//! a real name; hidden leftovers are ignored and swept by later `add`s.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{
    BadFile, Error, Next, Profile as ProfileError, Result, Store as StoreError, Suggestion, at_path,
};
use crate::files;
use crate::names;

mod edit;
mod values;

pub use values::{check_value, parse_assignment};

pub const PROFILE_FILE: &str = "profile.toml";
pub const LOCK_FILE: &str = "lock";
/// Taken while `profile.toml` is rewritten (see [`Store::edit`]).
pub const EDIT_LOCK_FILE: &str = "profile.toml.lock";
/// A profile file is a few lines; anything much larger was not written by swop.
const PROFILE_FILE_LIMIT: u64 = 64 * 1024;
const TMP_PREFIX: &str = ".new-";
const TRASH_PREFIX: &str = ".trash-";

/// The runbook's five: the places most tools keep per-user state.
pub const DEFAULT_BINDINGS: [&str; 5] = [
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
];

/// One variable pointed at one folder of a profile, or at a file in a folder
/// of its own (`--bind-file`: the file is the tool's to create).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub var: String,
    /// The binding's folder. Absolute and canonical: the same string every
    /// time for the same profile.
    pub path: PathBuf,
    /// For a file binding, the file's name inside `path`.
    pub file: Option<String>,
}

impl Binding {
    /// The value the variable gets.
    pub fn value(&self) -> PathBuf {
        match &self.file {
            Some(name) => self.path.join(name),
            None => self.path.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub dir: PathBuf,
    pub bindings: Vec<Binding>,
    /// Variables removed from the environment so an inherited value cannot
    /// defeat the bindings (e.g. CODEX_SQLITE_HOME).
    pub unset: Vec<String>,
    /// The recipes the profile was made from.
    pub tools: Vec<String>,
    /// Plain values the profile sets (`swop add --set`, `swop set`).
    pub values: BTreeMap<String, String>,
    /// Bound folders that were missing when the profile was loaded; made
    /// again by [`Store::ensure_binding_dirs`].
    pub missing: Vec<PathBuf>,
    /// Entries shared with other profiles, as `tool/entry` (see
    /// [`crate::share`]).
    pub shared: Vec<String>,
    /// Every command of the profile runs sealed (see [`crate::seal`]).
    pub seal: bool,
    /// More places a sealed command of the profile may write.
    pub allow_write: Vec<PathBuf>,
}

impl Profile {
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }
}

/// `profile.toml` as written on disk.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unset: Vec<String>,
    /// Variable -> folder name inside the profile.
    #[serde(default)]
    pub bindings: BTreeMap<String, String>,
    /// File variables -> the file's name inside the folder named after the
    /// variable.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// Variables set to plain values, not places (see [`values`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// Entries of bound folders that are links to one copy in the store's
    /// `shared/`, as `tool/entry`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared: Vec<String>,
    /// Every command of the profile runs sealed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub seal: bool,
    /// More places a sealed command of the profile may write (absolute).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_write: Vec<PathBuf>,
}

/// What `add` is asked to create.
#[derive(Debug, Clone, Default)]
pub struct ProfileSpec {
    pub bindings: Vec<String>,
    /// Variables bound to a file rather than a folder, each with the name
    /// of its file in the profile (the catalog's, see
    /// `recipe::file_name_for`).
    pub files: Vec<(String, String)>,
    pub unset: Vec<String>,
    pub tools: Vec<String>,
    /// Variables set to plain values.
    pub values: Vec<(String, String)>,
    /// Every command of the profile runs sealed.
    pub seal: bool,
}

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// Our effective uid: the owner every folder of the store must have.
    uid: u32,
}

impl Store {
    /// `$SWOP_HOME`, else the platform data folder.
    pub fn default_root() -> Result<PathBuf> {
        if let Some(home) = std::env::var_os("SWOP_HOME").filter(|v| !v.is_empty()) {
            let path = PathBuf::from(home);
            if path.is_relative() {
                return Err(StoreError::HomeNotAbsolute.into());
            }
            return Ok(path);
        }
        directories::BaseDirs::new()
            .map(|dirs| dirs.data_dir().join("swop"))
            .ok_or_else(|| StoreError::NoHome.into())
    }

    fn at(root: PathBuf) -> Store {
        let uid = crate::files::euid();
        Store { root, uid }
    }

    /// The store, without creating anything. The root is canonical where it
    /// exists, and no link on the way to it belongs to another user.
    pub fn open() -> Result<Store> {
        let root = Self::default_root()?;
        let uid = crate::files::euid();
        Ok(Store::at(resolve_root(&root, uid)?))
    }

    /// The store, created (0700) if it does not exist yet. A root that cannot
    /// be trusted is refused before anything is made in it.
    pub fn open_or_create() -> Result<Store> {
        let store = Self::open()?;
        store.check_store()?;
        let root = store.root().to_path_buf();
        files::create_private_dir_all(&store.profiles_dir())
            .map_err(at_path("cannot create the store at", &root))?;
        let store = Self::open()?;
        store.check_store()?;
        Ok(store)
    }

    /// Refuse a store root or `profiles/` folder that is a link, someone else's,
    /// a shared folder, or writable by others. Missing folders are fine:
    /// nothing is in them.
    fn check_store(&self) -> Result<()> {
        for dir in [self.root.clone(), self.profiles_dir()] {
            match fs::symlink_metadata(&dir) {
                Ok(meta) => {
                    if dir == self.root {
                        refuse_shared_folder(&dir, &meta, self.uid)?;
                    }
                    self.check_owned_meta(&dir, &meta)?
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(at_path("cannot read", &dir)(e)),
            }
        }
        Ok(())
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn profiles_dir(&self) -> PathBuf {
        self.root.join("profiles")
    }

    pub fn profile_dir(&self, name: &str) -> PathBuf {
        self.profiles_dir().join(name)
    }

    /// Names of all profiles, sorted. Hidden entries (in-progress adds) are skipped.
    pub fn names(&self) -> Result<Vec<String>> {
        self.check_store()?;
        let dir = self.profiles_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(at_path("cannot read", &dir)(e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| names::is_profile_name(n))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Load a profile, or say it does not exist (and what the user may have meant).
    pub fn load(&self, name: &str) -> Result<Profile> {
        self.load_with_file(name).map(|(profile, _)| profile)
    }

    /// [`Store::load`], with the profile's file as written.
    pub fn load_with_file(&self, name: &str) -> Result<(Profile, ProfileFile)> {
        let (dir, parsed) = self.read_profile_file(name)?;
        let mut profile = self.profile_from_file(name, dir, parsed.clone())?;
        for binding in &profile.bindings {
            if !self.check_binding(binding)? {
                profile.missing.push(binding.path.clone());
            }
        }
        Ok((profile, parsed))
    }

    /// The folder of a profile and its `profile.toml` as written, parsed but
    /// not yet checked.
    fn read_profile_file(&self, name: &str) -> Result<(PathBuf, ProfileFile)> {
        let (dir, meta) = self.existing_profile_dir(name)?;
        self.check_owned_meta(&dir, &meta)?;
        let file = dir.join(PROFILE_FILE);
        let text = files::read_store_text(&file, PROFILE_FILE_LIMIT).map_err(|e| {
            match e.raw_os_error() {
                Some(libc::ENOENT) => Error::profile(
                    name,
                    ProfileError::NoProfileFile {
                        dir: dir.clone(),
                        file_name: PROFILE_FILE,
                    },
                ),
                _ => store_file_error(&file, e, Next::RecreateProfile(name.to_string())),
            }
        })?;
        let parsed: ProfileFile = toml::from_str(&text).map_err(|e| {
            Error::profile(
                name,
                ProfileError::InvalidFile {
                    file: file.clone(),
                    message: e.message().trim_end().replace('\n', ": "),
                },
            )
        })?;
        Ok((dir, parsed))
    }

    /// A profile to delete: only its folder has to be sound, so that `rm`
    /// repairs a profile whose file is damaged or whose bindings are refused.
    pub fn load_for_removal(&self, name: &str) -> Result<Profile> {
        let (dir, meta) = self.existing_profile_dir(name)?;
        if meta.file_type().is_symlink() || !meta.is_dir() {
            return Err(Error::profile(
                name,
                ProfileError::NotAFolder {
                    dir,
                    link: meta.file_type().is_symlink(),
                },
            ));
        }
        // A folder that others may write is still ours to delete; one that is
        // someone else's is not.
        self.check_owner(&dir, &meta)?;
        Ok(Profile {
            name: name.to_string(),
            dir,
            bindings: Vec::new(),
            unset: Vec::new(),
            tools: Vec::new(),
            values: BTreeMap::new(),
            missing: Vec::new(),
            shared: Vec::new(),
            seal: false,
            allow_write: Vec::new(),
        })
    }

    /// The folder of a profile that exists, in a store that passes
    /// `check_store`, with its `lstat`.
    fn existing_profile_dir(&self, name: &str) -> Result<(PathBuf, fs::Metadata)> {
        names::check_profile_name(name)?;
        self.check_store()?;
        let dir = self.profile_dir(name);
        match fs::symlink_metadata(&dir) {
            Ok(meta) => Ok((dir, meta)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(self.not_found(name)),
            Err(e) => Err(at_path("cannot read", &dir)(e)),
        }
    }

    /// A bound folder that exists must be a real folder of ours; a missing one is
    /// made again by [`Store::ensure_binding_dirs`]. True when it exists.
    fn check_binding(&self, binding: &Binding) -> Result<bool> {
        let path = &binding.path;
        let meta = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(at_path("cannot read", path)(e)),
        };
        if meta.file_type().is_symlink() {
            return Err(StoreError::BoundLink {
                path: path.clone(),
                var: binding.var.clone(),
                target: fs::read_link(path).ok(),
            }
            .into());
        }
        if !meta.is_dir() {
            return Err(StoreError::BoundNotAFolder {
                path: path.clone(),
                var: binding.var.clone(),
            }
            .into());
        }
        self.check_owned_meta(path, &meta)?;
        if binding.file.is_some() {
            // The tool writes the file: a link planted there would send its
            // writes out of the profile.
            let file = binding.value();
            if fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(StoreError::BoundFileLink {
                    path: file,
                    var: binding.var.clone(),
                }
                .into());
            }
        }
        Ok(true)
    }

    fn profile_from_file(&self, name: &str, dir: PathBuf, file: ProfileFile) -> Result<Profile> {
        let profile_file = dir.join(PROFILE_FILE);
        let bad = |problem: BadFile| {
            Error::profile(
                name,
                ProfileError::BadFile {
                    file: profile_file.clone(),
                    problem,
                },
            )
        };
        if file.version != 1 {
            return Err(bad(BadFile::Version(file.version)));
        }
        let mut bindings = Vec::with_capacity(file.bindings.len());
        for (var, folder) in &file.bindings {
            names::check_binding_name(var).map_err(|e| bad(BadFile::Name(e)))?;
            if !names::is_var_name(folder) && !names::is_profile_name(folder) {
                return Err(bad(BadFile::NotAFolderName {
                    var: var.clone(),
                    folder: folder.clone(),
                }));
            }
            if [PROFILE_FILE, LOCK_FILE, EDIT_LOCK_FILE].contains(&folder.as_str()) {
                return Err(bad(BadFile::OwnFile {
                    var: var.clone(),
                    folder: folder.clone(),
                }));
            }
            let path = dir.join(folder);
            bindings.push(Binding {
                var: var.clone(),
                path,
                file: None,
            });
        }
        for (var, name) in &file.files {
            names::check_binding_name(var).map_err(|e| bad(BadFile::Name(e)))?;
            if file.bindings.contains_key(var) {
                return Err(bad(BadFile::FolderAndFile { var: var.clone() }));
            }
            if !is_file_name(name) {
                return Err(bad(BadFile::NotAFileName {
                    var: var.clone(),
                    file: name.clone(),
                }));
            }
            bindings.push(Binding {
                var: var.clone(),
                path: dir.join(var),
                file: Some(name.clone()),
            });
        }
        for var in &file.unset {
            names::check_var_name(var).map_err(|e| bad(BadFile::Name(e)))?;
        }
        values::check_file(&file).map_err(|e| bad(BadFile::Value(e)))?;
        if let Some(entry) = file.shared.iter().find(|e| split_shared(e).is_none()) {
            return Err(bad(BadFile::NotShared(entry.clone())));
        }
        if let Some(tool) = file.tools.iter().find(|t| !names::is_tool_name(t)) {
            return Err(bad(BadFile::NotAToolName(tool.clone())));
        }
        if let Some(place) = file.allow_write.iter().find(|p| !p.is_absolute()) {
            return Err(bad(BadFile::RelativePlace(place.clone())));
        }
        Ok(Profile {
            name: name.to_string(),
            dir,
            bindings,
            unset: file.unset,
            tools: file.tools,
            values: file.values,
            missing: Vec::new(),
            shared: file.shared,
            seal: file.seal,
            allow_write: file.allow_write,
        })
    }

    fn not_found(&self, name: &str) -> Error {
        let names = self.names().unwrap_or_default();
        let suggestion = match names::closest(name, names.iter().map(String::as_str)) {
            Some(close) => Suggestion::Close(close.to_string()),
            None if names.is_empty() => Suggestion::Create,
            None => Suggestion::List,
        };
        Error::profile(name, ProfileError::NotFound(suggestion))
    }

    /// Refuse folders another user could have planted or could change.
    pub fn check_owned(&self, path: &Path) -> Result<()> {
        let meta = fs::symlink_metadata(path).map_err(at_path("cannot read", path))?;
        self.check_owned_meta(path, &meta)
    }

    /// [`Store::check_owned`] with the `lstat` already done.
    fn check_owned_meta(&self, path: &Path, meta: &fs::Metadata) -> Result<()> {
        if meta.file_type().is_symlink() {
            return Err(StoreError::Link(path.to_path_buf()).into());
        }
        self.check_owner(path, meta)?;
        if meta.permissions().mode() & 0o022 != 0 {
            return Err(StoreError::OthersMayWrite {
                path: path.to_path_buf(),
                mode: meta.permissions().mode(),
            }
            .into());
        }
        Ok(())
    }

    fn check_owner(&self, path: &Path, meta: &fs::Metadata) -> Result<()> {
        let uid = self.uid;
        if meta.uid() != uid {
            return Err(StoreError::NotOwned {
                path: path.to_path_buf(),
                owner: meta.uid(),
                uid,
            }
            .into());
        }
        Ok(())
    }

    /// Make the bound folders that were missing when the profile was loaded;
    /// the others were checked by [`Store::load`].
    pub fn ensure_binding_dirs(&self, profile: &Profile) -> Result<()> {
        self.make_bound_folders(
            profile
                .bindings
                .iter()
                .filter(|b| profile.missing.contains(&b.path)),
        )
    }

    /// Make the folders of `bindings`; one that exists already (made
    /// meanwhile, by a concurrent swop) must pass as any other does.
    fn make_bound_folders<'b>(
        &self,
        bindings: impl IntoIterator<Item = &'b Binding>,
    ) -> Result<()> {
        for binding in bindings {
            match files::create_private_dir(&binding.path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    self.check_binding(binding)?;
                }
                Err(e) => return Err(at_path("cannot create", &binding.path)(e)),
            }
        }
        Ok(())
    }

    /// Create a profile atomically.
    pub fn create(&self, name: &str, spec: &ProfileSpec) -> Result<Profile> {
        names::check_profile_name(name)?;
        let mut bindings = BTreeMap::new();
        let mut files = BTreeMap::new();
        let mut seen: Vec<String> = Vec::new();
        for (var, file_name) in spec
            .bindings
            .iter()
            .map(|v| (v, None))
            .chain(spec.files.iter().map(|(v, name)| (v, Some(name))))
        {
            names::check_binding_name(var)?;
            let lower = var.to_ascii_lowercase();
            if let Some(other) = seen.iter().find(|k| k.to_ascii_lowercase() == lower) {
                return Err(if other == var {
                    StoreError::BoundTwice(var.clone())
                } else {
                    StoreError::CaseClash(var.clone())
                }
                .into());
            }
            seen.push(var.clone());
            match file_name {
                Some(name) => files.insert(var.clone(), name.clone()),
                None => bindings.insert(var.clone(), var.clone()),
            };
        }
        if seen.is_empty() {
            return Err(StoreError::NoBinding.into());
        }
        for var in &spec.unset {
            names::check_var_name(var)?;
        }
        let values: BTreeMap<String, String> = spec.values.iter().cloned().collect();
        let file = ProfileFile {
            version: 1,
            tools: spec.tools.clone(),
            unset: spec
                .unset
                .iter()
                .filter(|v| {
                    !bindings.contains_key(*v)
                        && !files.contains_key(*v)
                        && !values.contains_key(*v)
                })
                .cloned()
                .collect(),
            bindings,
            files,
            values,
            shared: Vec::new(),
            seal: spec.seal,
            allow_write: Vec::new(),
        };
        values::check_file(&file)?;
        self.create_with(name, file, |_| Ok(()))
    }

    /// Create a profile atomically from its file: the folder is built in a
    /// hidden sibling (its bound folders, `profile.toml`, the lock, and what
    /// `fill` puts there) and renamed into place in one step.
    pub fn create_with(
        &self,
        name: &str,
        file: ProfileFile,
        fill: impl FnOnce(&Path) -> io::Result<()>,
    ) -> Result<Profile> {
        names::check_profile_name(name)?;
        let final_dir = self.profile_dir(name);
        if fs::symlink_metadata(&final_dir).is_ok() {
            return Err(Error::profile(name, ProfileError::Exists));
        }
        self.sweep_leftovers();
        let tmp = self.profiles_dir().join(format!(
            "{TMP_PREFIX}{name}-{}-{}",
            std::process::id(),
            unique_suffix()
        ));
        let build = || -> io::Result<()> {
            files::create_private_dir(&tmp)?;
            for folder in file.bindings.values().chain(file.files.keys()) {
                files::create_private_dir(&tmp.join(folder))?;
            }
            let text = toml::to_string(&file).map_err(io::Error::other)?;
            files::write_private_file(&tmp.join(PROFILE_FILE), text.as_bytes())?;
            files::write_private_file(&tmp.join(LOCK_FILE), b"")?;
            fill(&tmp)
        };
        if let Err(e) = build() {
            let _ = fs::remove_dir_all(&tmp);
            return Err(Error::profile(
                name,
                ProfileError::CannotCreate {
                    in_dir: self.profiles_dir(),
                    source: e,
                },
            ));
        }
        // rename(2) refuses to replace a non-empty folder, and a profile never is
        // one: of two concurrent adds of one name, exactly one wins.
        if let Err(e) = rename_noreplace(&tmp, &final_dir) {
            let _ = fs::remove_dir_all(&tmp);
            if matches!(e.raw_os_error(), Some(libc::EEXIST) | Some(libc::ENOTEMPTY)) {
                return Err(Error::profile(name, ProfileError::Exists));
            }
            return Err(at_path("cannot create", &final_dir)(e));
        }
        if let Ok(d) = fs::File::open(self.profiles_dir()) {
            let _ = d.sync_all();
        }
        self.profile_from_file(name, final_dir, file)
    }

    /// Move a profile out of its name, then delete it. The caller holds its lock.
    pub fn remove(&self, profile: &Profile) -> Result<()> {
        let trash = self.profiles_dir().join(format!(
            "{TRASH_PREFIX}{}-{}-{}",
            profile.name,
            std::process::id(),
            unique_suffix()
        ));
        fs::rename(&profile.dir, &trash).map_err(at_path("cannot remove", &profile.dir))?;
        // remove_dir_all does not follow symbolic links out of the tree.
        fs::remove_dir_all(&trash).map_err(|source| {
            Error::profile(
                &profile.name,
                ProfileError::PartlyRemoved {
                    trash: trash.clone(),
                    source,
                },
            )
        })
    }

    /// Delete hidden leftovers of adds and removes that were interrupted.
    fn sweep_leftovers(&self) {
        let Ok(entries) = fs::read_dir(self.profiles_dir()) else {
            return;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some(rest) = name
                .strip_prefix(TMP_PREFIX)
                .or_else(|| name.strip_prefix(TRASH_PREFIX))
            else {
                continue;
            };
            // `<name>-<pid>-<suffix>`: only the owner's death makes it a leftover.
            let pid = rest.rsplit('-').nth(1).and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|pid| !crate::sys::process::alive(pid)) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// `root` with every symbolic link on the way resolved; a missing tail stays
/// as given (nothing is there yet). A link that another user owns could be
/// pointed elsewhere at any moment, so it is refused; links of root (macOS's
/// `/tmp` and `/var`) are the system's own.
fn resolve_root(root: &Path, uid: u32) -> Result<PathBuf> {
    use std::collections::VecDeque;
    use std::path::Component;
    let parts = |path: &Path| -> Vec<std::ffi::OsString> {
        path.components()
            .filter_map(|c| match c {
                Component::Normal(part) => Some(part.to_os_string()),
                Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .collect()
    };
    let mut resolved = PathBuf::from("/");
    let mut pending: VecDeque<std::ffi::OsString> = parts(root).into();
    let mut links = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            resolved.pop();
            continue;
        }
        let next = resolved.join(&part);
        let meta = match fs::symlink_metadata(&next) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                resolved = next;
                resolved.extend(pending);
                return Ok(resolved);
            }
            Err(e) => return Err(at_path("cannot read", &next)(e)),
        };
        if !meta.file_type().is_symlink() {
            resolved = next;
            continue;
        }
        let target = fs::read_link(&next).map_err(at_path("cannot read", &next))?;
        if meta.uid() != uid && meta.uid() != 0 {
            return Err(StoreError::ForeignLink {
                link: next.clone(),
                root: root.to_path_buf(),
                owner: meta.uid(),
            }
            .into());
        }
        links += 1;
        if links > 40 {
            return Err(StoreError::TooManyLinks(root.to_path_buf()).into());
        }
        if target.is_absolute() {
            resolved = PathBuf::from("/");
        }
        for part in parts(&target).into_iter().rev() {
            pending.push_front(part);
        }
    }
    Ok(resolved)
}

/// A folder meant for everyone's files (`/tmp`: sticky, or world-writable
/// and someone else's) is no store, and no chmod makes it one: another user
/// could plant profiles in it.
fn refuse_shared_folder(dir: &Path, meta: &fs::Metadata, uid: u32) -> Result<()> {
    let mode = meta.permissions().mode();
    let sticky = mode & 0o1000 != 0;
    let others = mode & 0o002 != 0 && meta.uid() != uid;
    if !meta.is_dir() || !(sticky || others) {
        return Ok(());
    }
    Err(StoreError::SharedFolder {
        dir: dir.to_path_buf(),
        mode,
        instead: dir.join(format!("swop-{}", users_name())),
        default: directories::BaseDirs::new().map(|dirs| dirs.data_dir().join("swop")),
    }
    .into())
}

/// The user's name for a suggested folder, else their uid.
fn users_name() -> String {
    std::env::var_os("USER")
        .and_then(|u| u.into_string().ok())
        .filter(|u| names::is_profile_name(u))
        .unwrap_or_else(|| crate::files::euid().to_string())
}

/// The error for a store file that [`files::read_store_text`] refused, with
/// `next` as what to do about it.
pub fn store_file_error(path: &Path, err: io::Error, next: Next) -> Error {
    if err.raw_os_error() == Some(libc::ELOOP) {
        return StoreError::FileLink {
            path: path.to_path_buf(),
            next,
        }
        .into();
    }
    if let Some(problem) = files::problem_of(&err) {
        return StoreError::File {
            path: path.to_path_buf(),
            problem: problem.clone(),
            next,
        }
        .into();
    }
    at_path("cannot read", path)(err)
}

/// One plain file name: no separator, not `.` or `..`, printable.
fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name != "."
        && name != ".."
        && !name.contains('/')
        && !name.chars().any(char::is_control)
}

fn unique_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{nanos:08x}")
}

/// `tool/entry`, as `profile.toml` lists a shared entry (see
/// [`crate::share`]), split: when the tool is a tool name and the entry one
/// plain file or folder name.
pub fn split_shared(named: &str) -> Option<(&str, &str)> {
    let (tool, entry) = named.split_once('/')?;
    (names::is_tool_name(tool) && is_file_name(entry)).then_some((tool, entry))
}

/// rename(2) that never replaces: renameat2(RENAME_NOREPLACE) where the kernel has
/// it, else plain rename, which refuses a non-empty target folder.
pub(crate) fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let from_c = CString::new(from.as_os_str().as_bytes()).map_err(io::Error::other)?;
        let to_c = CString::new(to.as_os_str().as_bytes()).map_err(io::Error::other)?;
        // SAFETY: both pointers are valid NUL-terminated strings for the call's duration.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                from_c.as_ptr(),
                libc::AT_FDCWD,
                to_c.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if !matches!(err.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(err);
        }
    }
    fs::rename(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_entries_are_one_name_under_a_tool() {
        assert_eq!(split_shared("codex/sessions"), Some(("codex", "sessions")));
        assert_eq!(
            split_shared("claude/CLAUDE.md"),
            Some(("claude", "CLAUDE.md"))
        );
        let long = format!("codex/{}", "x".repeat(129));
        for bad in [
            "codex",
            "codex/",
            "codex/a/b",
            "codex/..",
            "/x",
            "a b/x",
            &long,
        ] {
            assert_eq!(split_shared(bad), None, "{bad}");
        }
    }
}
