//! Two profiles on one login: the same credentials file (codex's
//! `auth.json`, gh's `hosts.yml`, aws's `credentials`...) in two profiles,
//! usually copied by hand. Refresh tokens are single-use: when one profile
//! refreshes, the server revokes the token the other still holds, and that
//! profile is logged out (or both are). Files are compared by SHA-256
//! digest; their contents are never kept, shown or compared otherwise.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use crate::recipe::Recipe;
use crate::store::{Profile, Store};

/// A credentials file larger than this is no login swop knows of.
const LOGIN_FILE_LIMIT: u64 = 4 * 1024 * 1024;

/// Profiles whose tool holds the very same login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedLogin {
    pub tool: String,
    /// The file, as `VAR/path`.
    pub file: String,
    /// The profiles, sorted.
    pub profiles: Vec<String>,
}

impl SharedLogin {
    /// What it is, why it matters and what to do, in one paragraph.
    pub fn warning(&self) -> String {
        let names = self.profiles.join(", ");
        let others = &self.profiles[1..];
        let again: Vec<String> = others
            .iter()
            .map(|name| format!("swop exec {name} -- {} ...", self.tool))
            .collect();
        format!(
            "profiles {names} hold the same {tool} login ({file} is identical): when one of them \
             refreshes it, the server revokes the copy the others hold and they are logged out. \
             Log in again with {tool}'s own login in all but one ({}); do not log out, which \
             revokes the login for all of them",
            again.join(", "),
            tool = self.tool,
            file = self.file,
        )
    }
}

/// Every login held by more than one of `profiles`.
pub fn shared_logins(store: &Store, profiles: &[Profile]) -> Vec<SharedLogin> {
    let mut by_digest: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    for profile in profiles {
        for (tool, file, path) in login_files(store, profile) {
            if let Some(digest) = digest(&path) {
                by_digest
                    .entry((tool, file, digest))
                    .or_default()
                    .push(profile.name.clone());
            }
        }
    }
    by_digest
        .into_iter()
        .filter(|(_, names)| names.len() > 1)
        .map(|((tool, file, _), mut profiles)| {
            profiles.sort();
            profiles.dedup();
            SharedLogin {
                tool,
                file,
                profiles,
            }
        })
        .filter(|shared| shared.profiles.len() > 1)
        .collect()
}

/// One credentials file of a tool: `rel` inside the folder of `var`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialFile {
    pub tool: String,
    pub var: String,
    pub rel: String,
}

/// The credentials files the recipes of `tools` name (recorded, else the
/// catalog's): the files that make a login, never copied nor shared.
pub fn credential_files(store: &Store, tools: &[String]) -> Vec<CredentialFile> {
    let mut files = Vec::new();
    for tool in tools {
        let Ok((recipe, _)) = Recipe::lookup(store, tool) else {
            continue;
        };
        for (var, rel) in recipe.credential_files() {
            files.push(CredentialFile {
                tool: tool.clone(),
                var: var.to_string(),
                rel: rel.to_string(),
            });
        }
    }
    files
}

/// The credentials files of a profile's tools that exist: (tool, `VAR/path`,
/// where it is).
pub fn login_files(store: &Store, profile: &Profile) -> Vec<(String, String, PathBuf)> {
    let mut files = Vec::new();
    for login in credential_files(store, &profile.tools) {
        let Some(binding) = profile.bindings.iter().find(|b| b.var == login.var) else {
            continue;
        };
        let named = format!("{}/{}", login.var, login.rel);
        if !files.iter().any(|(_, n, _)| *n == named) {
            files.push((login.tool, named, binding.path.join(&login.rel)));
        }
    }
    files
}

/// The SHA-256 of a regular, non-empty file of bounded size; opened without
/// blocking, so that a FIFO in its place cannot hang `status` or `doctor`.
fn digest(path: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() == 0 || meta.len() > LOGIN_FILE_LIMIT {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(LOGIN_FILE_LIMIT).read_to_end(&mut bytes).ok()?;
    Some(crate::files::sha256_hex(&[&bytes]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_names_the_profiles_and_never_says_log_out_to_fix() {
        let shared = SharedLogin {
            tool: "codex".into(),
            file: "CODEX_HOME/auth.json".into(),
            profiles: vec!["personal".into(), "work".into()],
        };
        let text = shared.warning();
        assert!(text.starts_with("profiles personal, work hold the same codex login"));
        assert!(text.contains("revokes"), "{text}");
        assert!(text.contains("swop exec work -- codex"), "{text}");
        assert!(text.contains("do not log out"), "{text}");
    }

    #[test]
    fn a_fifo_where_a_login_belongs_is_passed_over_at_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("auth.json");
        let path = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("path");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
        assert_eq!(digest(&fifo), None);
        let file = dir.path().join("hosts.yml");
        std::fs::write(&file, "token").expect("write");
        assert_eq!(digest(&file).map(|d| d.len()), Some(64));
    }
}
