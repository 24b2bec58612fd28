//! The recipe a verified discovery proves, recorded in the store for `swop
//! add NAME --tool TOOL`. A recipe is a file of the store that outlives the
//! run: no secret and no user name goes in it either.

use std::path::PathBuf;

use super::classify::{Class, ClassifiedPath};
use super::model::Step;
use super::privacy::private;
use super::programs;
use super::report::{Findings, global_writes, today};
use super::version::version_line;
use crate::error::{Command, Recipe as RecipeError, Result};
use crate::recipe::{Proof, Recipe, Verified, credential_name, credential_path};
use crate::store::Store;

/// Record the recipe `findings` prove for `tool`, whose discovery ran
/// `steps`; where it went. Refused unless the findings are verified.
pub fn record(tool: &str, steps: &[Step], findings: &Findings) -> Result<PathBuf> {
    if !findings.verified {
        return Err(Command::Recipe {
            tool: tool.to_string(),
            problem: RecipeError::NotVerified,
        }
        .into());
    }
    let store = Store::open_or_create()?;
    let mut programs = programs::named_in(steps);
    programs.extend(findings.programs.iter().cloned());
    let recipe = recipe_from(tool, programs.iter().map(String::as_str), findings);
    recipe.save(&store)
}

/// The recipe a verified discovery proves for `tool`, whose steps ran
/// `programs` (see [`Recipe::from_proof`]). A recipe is a file of the store
/// that outlives the run: no secret or user name goes in it either.
fn recipe_from<'a>(
    tool: &str,
    programs: impl IntoIterator<Item = &'a str>,
    findings: &Findings,
) -> Recipe {
    let proof = Proof {
        bindings: findings
            .minimal_env
            .iter()
            .filter(|v| !findings.files.contains(v))
            .cloned()
            .collect(),
        files: findings.files.clone(),
        unset: findings.unset.clone(),
        removed: findings.clean_room.removed.clone(),
        notes: global_writes(&findings.paths).into_iter().collect(),
        verified: Some(Verified {
            tool_version: findings
                .tool_version
                .as_deref()
                .and_then(version_line)
                .map(|line| private(&line))
                .unwrap_or_default(),
            date: today(),
            os: findings
                .tested_on
                .os_release
                .clone()
                .unwrap_or_else(|| findings.os.clone()),
            command: private(&findings.commands.join(" ; ")),
        }),
    };
    let mut recipe = Recipe::from_proof(tool, programs, proof);
    recipe.notes = recipe.notes.iter().map(|n| private(n)).collect();
    for named in credentials(&findings.paths, &recipe.bindings) {
        recipe.add_credential(named);
    }
    recipe
}

/// The files a run wrote under a bound folder whose names say they hold a
/// login (`auth.json`, `credentials`, `.git-credentials`, `token`,
/// `.netrc`), as `VAR/path`: never shared, never copied by `swop cp`.
/// Told by name only: discover reads no file's content.
fn credentials(paths: &[ClassifiedPath], bindings: &[String]) -> Vec<String> {
    paths
        .iter()
        .filter(|p| p.class == Class::Isolated && p.ops.any_write() && p.exists)
        .filter_map(|p| {
            let (var, rest) = p.path.strip_prefix('$')?.split_once('/')?;
            let named = credential_name(var, rest);
            let login = bindings.iter().any(|b| b == var)
                && credential_path(&named).is_some()
                && login_file(rest.rsplit('/').next()?)
                && private(&named) == named;
            login.then_some(named)
        })
        .collect()
}

/// File names that hold no login whatever they say (`auth.json` is one;
/// `auth.lock` the lock beside it).
const NOT_LOGINS: &[&str] = &["lock", "lck", "log", "tmp", "bak", "pid", "sock"];

/// Files that hold a login under names no secret word ends.
const LOGIN_FILES: &[&str] = &[
    ".netrc",
    "_netrc",
    ".pgpass",
    ".my.cnf",
    "id_rsa",
    "id_ecdsa",
    "id_ed25519",
    "id_dsa",
];

/// Whether a file name says it holds a login: a known one, or a stem (the
/// name without its extensions) that names a secret (see
/// [`crate::redact::secret_name`]).
fn login_file(name: &str) -> bool {
    if LOGIN_FILES.contains(&name) {
        return true;
    }
    let mut parts = name.trim_start_matches('.').split('.');
    let stem = parts.next().unwrap_or_default();
    !parts.any(|ext| NOT_LOGINS.contains(&ext)) && crate::redact::secret_name(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_file_is_told_by_its_name() {
        for login in [
            "auth.json",
            ".credentials.json",
            "credentials",
            "credentials.tfrc.json",
            ".git-credentials",
            "token",
            "api_key.txt",
            ".netrc",
            "id_ed25519",
        ] {
            assert!(login_file(login), "{login}");
        }
        for other in [
            "auth.json.lock",
            "history.jsonl",
            "config.toml",
            "hosts.yml",
            "session.json",
            "keymap.json",
            "credentials.log",
        ] {
            assert!(!login_file(other), "{other}");
        }
    }
}
