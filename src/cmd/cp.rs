//! `swop cp SRC NEW`: a second account made like the first. The new profile
//! gets SRC's tools, bindings, values, sealing (`seal`, `allow_write`) and
//! shared entries (links to the same shared copies), and the settings files
//! the catalog names for its tools; never a login: the catalog's and the
//! recorded recipes' credential files are left out even where a settings
//! entry would name one.

use std::fs;
use std::path::Path;

use super::Run;
use crate::cli::CpArgs;
use crate::error::Result;
use crate::files;
use crate::store::{Profile, Store};

impl Run for CpArgs {
    fn run(&self) -> Result<()> {
        crate::names::check_profile_name(&self.new)?;
        let store = Store::open()?;
        let (src, mut file) = store.load_with_file(&self.src)?;
        // Held until the copy is in place: until then `rm` of the last
        // other profile that lists a copy would not see the new one's link.
        let _shared = match file.shared.is_empty() {
            true => None,
            false => Some(crate::share::shared_lock(&store)?),
        };
        let links = shared_links(&store, &src, &mut file);
        let settings = settings_files(&store, &src);
        let mut copied = Vec::new();
        let profile = store.create_with(&self.new, file, |tmp| {
            for (folder, rel, from) in &settings {
                let to = tmp.join(folder).join(rel);
                if let Some(parent) = to.parent() {
                    files::create_private_dir_all(parent)?;
                }
                fs::copy(from, &to)?;
                fs::set_permissions(&to, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
                copied.push(format!("{folder}/{rel}"));
            }
            for (folder, entry, copy) in &links {
                std::os::unix::fs::symlink(copy, tmp.join(folder).join(entry))?;
            }
            Ok(())
        })?;
        let mut what: Vec<String> = vec![format!(
            "binds {}",
            profile
                .bindings
                .iter()
                .map(|b| b.var.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )];
        if !profile.values.is_empty() {
            let vars: Vec<&str> = profile.values.keys().map(String::as_str).collect();
            what.push(format!("sets {}", vars.join(", ")));
        }
        if !profile.shared.is_empty() {
            what.push(format!("shares {}", profile.shared.join(", ")));
        }
        if profile.seal {
            what.push("seals every command".to_string());
        }
        if !copied.is_empty() {
            what.push(format!("settings copied: {}", copied.join(", ")));
        }
        eprintln!(
            "swop: copied profile {:?} to {:?} ({}); no login was copied{}",
            self.src,
            self.new,
            what.join("; "),
            match profile.tools.first() {
                Some(tool) => format!(": log in with swop exec {} -- {tool} ...", self.new),
                None => String::new(),
            }
        );
        Ok(())
    }
}

/// The settings files of `src`'s tools that exist, as (folder in the
/// profile, path inside it, where SRC has it); never a login file.
fn settings_files(store: &Store, src: &Profile) -> Vec<(String, String, std::path::PathBuf)> {
    let logins = crate::logins::credential_files(store, &src.tools);
    let mut found = Vec::new();
    for tool in &src.tools {
        let Some(known) = crate::share::catalog_entry(tool) else {
            continue;
        };
        for (var, rel) in known.settings {
            if logins.iter().any(|l| l.var == *var && l.rel == *rel) {
                continue;
            }
            let Some(binding) = src.bindings.iter().find(|b| b.var == *var) else {
                continue;
            };
            let from = binding.path.join(rel);
            let regular = fs::symlink_metadata(&from).is_ok_and(|m| m.is_file());
            let folder = folder_name(&binding.path);
            if regular && !found.iter().any(|(f, r, _)| *f == folder && r == rel) {
                found.push((folder, rel.to_string(), from));
            }
        }
    }
    found
}

/// The shared entries of `src` as (folder, entry, shared copy) links for
/// the copy; an entry whose shared copy is gone is dropped from `file`.
fn shared_links(
    store: &Store,
    src: &Profile,
    file: &mut crate::store::ProfileFile,
) -> Vec<(String, String, std::path::PathBuf)> {
    let bound: Vec<String> = src.bindings.iter().map(|b| b.var.clone()).collect();
    let mut links = Vec::new();
    file.shared.retain(|named| {
        let Some((tool, entry)) = crate::store::split_shared(named) else {
            return false;
        };
        let Ok(shareable) = crate::share::resolve(
            store,
            &[tool.to_string()],
            &bound,
            &format!("{tool}/{entry}"),
        ) else {
            return false;
        };
        let copy = shareable.copy_in(store);
        let Some(place) = shareable.place_in(src) else {
            return false;
        };
        let linked = fs::read_link(&place).is_ok_and(|t| t == copy);
        if linked {
            let folder = place.parent().map(folder_name).unwrap_or_default();
            links.push((folder, shareable.entry.clone(), copy));
        }
        linked
    });
    links
}

/// The name of a bound folder inside its profile.
fn folder_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
