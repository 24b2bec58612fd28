//! Recipes: what swop knows about one tool. Built-in ones are candidates from
//! the tools' documentation; recorded ones were proved on this machine by
//! `swop discover --record` and stored in `$SWOP_HOME/recipes/TOOL.toml`.

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, at_path};
use crate::store::Store;
use crate::util;

/// A recipe is a few lines.
const RECIPE_FILE_LIMIT: u64 = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    pub tool: String,
    /// The variables to bind to folders: the minimal set.
    pub bindings: Vec<String>,
    /// The variables to bind to files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Variables to remove so an inherited value cannot defeat the bindings.
    #[serde(default)]
    pub unset: Vec<String>,
    /// Facts for the Limitations: what file isolation cannot cover.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Present when `swop discover` proved the recipe on this machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<Verified>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verified {
    pub tool_version: String,
    /// UTC date, YYYY-MM-DD.
    pub date: String,
    pub os: String,
    pub command: String,
}

/// A catalog entry: the variables a tool is known to read.
pub struct Known {
    pub tool: &'static str,
    /// Folder variables worth trying as candidates, most specific first.
    pub candidates: &'static [&'static str],
    /// File variables worth trying as candidates, with the name the file has
    /// by default (the name it gets inside a profile).
    pub files: &'static [(&'static str, &'static str)],
    /// Variables that carry an account's credentials: never inherited by a
    /// discovery's runs.
    pub credentials: &'static [&'static str],
    /// The bindings to use before anything was verified.
    pub bindings: &'static [&'static str],
    pub unset: &'static [&'static str],
    pub notes: &'static [&'static str],
}

pub const CATALOG: &[Known] = &[
    Known {
        tool: "codex",
        candidates: &["CODEX_HOME", "CODEX_SQLITE_HOME"],
        files: &[],
        credentials: &["OPENAI_API_KEY", "CODEX_API_KEY"],
        bindings: &["CODEX_HOME"],
        unset: &["CODEX_SQLITE_HOME"],
        notes: &[
            "codex keeps its SQLite state under CODEX_HOME unless CODEX_SQLITE_HOME is set; an inherited CODEX_SQLITE_HOME would put two accounts in one database, so profiles unset it.",
            "In keyring mode (cli_auth_credentials_store = \"keyring\") codex keys the keychain entry on a hash of the canonical CODEX_HOME, so each profile gets its own entry as long as the profile path never changes.",
            "codex reads /etc/codex/*.toml and the project's .codex/ and AGENTS.md: these are shared by every account by design.",
        ],
    },
    Known {
        tool: "claude",
        candidates: &["CLAUDE_CONFIG_DIR"],
        files: &[],
        credentials: &[
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_AUTH_TOKEN",
            "CLAUDE_CODE_OAUTH_TOKEN",
        ],
        bindings: &["CLAUDE_CONFIG_DIR"],
        unset: &[],
        notes: &[
            "On macOS Claude Code keys its keychain item on a hash of the literal CLAUDE_CONFIG_DIR string; swop always emits the same canonical path, so keep using swop to switch.",
        ],
    },
    Known {
        tool: "gemini",
        candidates: &["GEMINI_CLI_HOME"],
        files: &[],
        credentials: &["GEMINI_API_KEY", "GOOGLE_API_KEY"],
        bindings: &["GEMINI_CLI_HOME"],
        unset: &[],
        notes: &[],
    },
    Known {
        tool: "gh",
        candidates: &["GH_CONFIG_DIR"],
        files: &[],
        credentials: &[
            "GH_TOKEN",
            "GITHUB_TOKEN",
            "GH_ENTERPRISE_TOKEN",
            "GITHUB_ENTERPRISE_TOKEN",
        ],
        bindings: &["GH_CONFIG_DIR"],
        unset: &["GH_TOKEN", "GITHUB_TOKEN"],
        notes: &[
            "gh stores its token in the system keyring (the login Keychain on macOS, the Secret Service on Linux) keyed by host only, so two accounts on github.com share one keyring entry: log in with `gh auth login --insecure-storage` inside each profile, or give each profile its own GH_TOKEN.",
        ],
    },
    Known {
        tool: "aws",
        candidates: &[],
        files: &[
            ("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            ("AWS_CONFIG_FILE", "config"),
        ],
        credentials: &[
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ],
        bindings: &["AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"],
        unset: &[
            "AWS_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ],
        notes: &[
            "The SSO and CLI caches live under ~/.aws/sso and ~/.aws/cli with no variable to move them; bind HOME as well when the profiles log in with SSO.",
        ],
    },
    Known {
        tool: "gcloud",
        candidates: &["CLOUDSDK_CONFIG"],
        files: &[],
        credentials: &[
            "GOOGLE_APPLICATION_CREDENTIALS",
            "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE",
        ],
        bindings: &["CLOUDSDK_CONFIG"],
        unset: &["CLOUDSDK_ACTIVE_CONFIG_NAME"],
        notes: &[
            "Application default credentials live in CLOUDSDK_CONFIG too; GOOGLE_APPLICATION_CREDENTIALS, when set, names a file every profile shares.",
        ],
    },
    Known {
        tool: "docker",
        candidates: &["DOCKER_CONFIG"],
        files: &[],
        credentials: &[],
        bindings: &["DOCKER_CONFIG"],
        unset: &[],
        notes: &[
            "A credential helper (credsStore) keeps registry logins in the OS keychain, shared by every DOCKER_CONFIG.",
        ],
    },
    Known {
        tool: "kubectl",
        candidates: &[],
        files: &[("KUBECONFIG", "config")],
        credentials: &[],
        bindings: &["KUBECONFIG"],
        unset: &[],
        notes: &[
            "kubectl's discovery and HTTP caches live under ~/.kube/cache; exec credential plugins (aws, gcloud) inherit the profile's environment.",
        ],
    },
    Known {
        tool: "npm",
        candidates: &["NPM_CONFIG_CACHE"],
        files: &[("NPM_CONFIG_USERCONFIG", ".npmrc")],
        credentials: &["NPM_TOKEN", "NODE_AUTH_TOKEN"],
        bindings: &["NPM_CONFIG_USERCONFIG"],
        unset: &["NPM_TOKEN"],
        notes: &["npm keeps its auth tokens in the user .npmrc that NPM_CONFIG_USERCONFIG names."],
    },
    Known {
        tool: "pip",
        candidates: &[],
        files: &[("PIP_CONFIG_FILE", "pip.conf")],
        credentials: &[],
        bindings: &["PIP_CONFIG_FILE"],
        unset: &[],
        notes: &[],
    },
    Known {
        tool: "cargo",
        candidates: &["CARGO_HOME"],
        files: &[],
        credentials: &["CARGO_REGISTRY_TOKEN"],
        bindings: &["CARGO_HOME"],
        unset: &["CARGO_REGISTRY_TOKEN"],
        notes: &[
            "CARGO_HOME holds the registry cache and installed binaries as well as credentials.toml, so each profile downloads crates again.",
        ],
    },
    Known {
        tool: "gpg",
        candidates: &["GNUPGHOME"],
        files: &[],
        credentials: &[],
        bindings: &["GNUPGHOME"],
        unset: &[],
        notes: &[
            "gpg starts gpg-agent, which keeps running with the profile's GNUPGHOME after gpg returns.",
        ],
    },
    Known {
        tool: "rclone",
        candidates: &[],
        files: &[("RCLONE_CONFIG", "rclone.conf")],
        credentials: &["RCLONE_CONFIG_PASS"],
        bindings: &["RCLONE_CONFIG"],
        unset: &[],
        notes: &[],
    },
    Known {
        tool: "terraform",
        candidates: &["TF_DATA_DIR"],
        files: &[("TF_CLI_CONFIG_FILE", ".terraformrc")],
        credentials: &[],
        bindings: &["HOME"],
        unset: &["TF_CLI_CONFIG_FILE"],
        notes: &[],
    },
    Known {
        tool: "git",
        candidates: &["HOME", "XDG_CONFIG_HOME"],
        files: &[("GIT_CONFIG_GLOBAL", ".gitconfig")],
        credentials: &[],
        bindings: &["HOME"],
        unset: &["GIT_CONFIG_GLOBAL"],
        notes: &[
            "`git config --global` writes ~/.gitconfig unless $XDG_CONFIG_HOME/git/config already exists, so the git recipe binds HOME.",
            "Credential helpers (osxkeychain, libsecret, manager) keep tokens outside the file system.",
        ],
    },
];

/// The catalog's name for a file variable's file, if the variable is one.
pub fn file_variable(var: &str) -> Option<&'static str> {
    CATALOG
        .iter()
        .flat_map(|k| k.files)
        .find(|(v, _)| *v == var)
        .map(|(_, name)| *name)
}

/// Whether the catalog knows `var` as a folder variable.
pub fn folder_variable(var: &str) -> bool {
    CATALOG.iter().any(|k| k.candidates.contains(&var))
}

/// The name a file variable's file gets inside a profile or a scratch account.
pub fn file_name_for(var: &str) -> String {
    file_variable(var)
        .map(str::to_string)
        .unwrap_or_else(|| var.to_ascii_lowercase())
}

/// Every variable of the catalog that could redirect a tool's state or carry
/// an account's credentials: a discovery's runs never inherit them.
pub fn catalog_overrides() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().flat_map(|k| {
        k.candidates
            .iter()
            .copied()
            .chain(k.files.iter().map(|(v, _)| *v))
            .chain(k.credentials.iter().copied())
            .chain(k.unset.iter().copied())
    })
}

/// Every variable the catalog names, bound, unset or a credential: a saved
/// value of one of them may be restored.
pub fn catalog_names() -> impl Iterator<Item = &'static str> {
    catalog_overrides().chain(CATALOG.iter().flat_map(|k| k.bindings.iter().copied()))
}

/// The catalog entry for a program name or path (`/usr/bin/gh`, `codex-x86_64...`).
pub fn known(program: &str) -> Option<&'static Known> {
    let base = program.rsplit('/').next().unwrap_or(program);
    CATALOG.iter().find(|k| {
        base == k.tool
            || base
                .strip_prefix(k.tool)
                .is_some_and(|rest| rest.starts_with(['-', '.', '_']))
    })
}

impl Recipe {
    pub fn built_in(tool: &str) -> Option<Recipe> {
        let k = CATALOG.iter().find(|k| k.tool == tool)?;
        let (files, folders): (Vec<&str>, Vec<&str>) =
            k.bindings.iter().partition(|v| file_variable(v).is_some());
        Some(Recipe {
            tool: k.tool.to_string(),
            bindings: folders.iter().map(|s| s.to_string()).collect(),
            files: files.iter().map(|s| s.to_string()).collect(),
            unset: k.unset.iter().map(|s| s.to_string()).collect(),
            notes: k.notes.iter().map(|s| s.to_string()).collect(),
            verified: None,
        })
    }

    fn path(store: &Store, tool: &str) -> PathBuf {
        store.root().join("recipes").join(format!("{tool}.toml"))
    }

    /// The recipe recorded on this machine, if any.
    pub fn recorded(store: &Store, tool: &str) -> Result<Option<Recipe>> {
        crate::names::check_profile_name(tool)
            .map_err(|_| Error::user(format!("invalid tool name {tool:?}")))?;
        let path = Self::path(store, tool);
        let again = format!("run swop discover --record {tool} again or delete it");
        match std::fs::symlink_metadata(path.parent().unwrap_or(store.root())) {
            Ok(_) => store.check_owned(path.parent().unwrap_or(store.root()))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(at_path("cannot read", &path)(e)),
        }
        let text = match util::read_store_text(&path, RECIPE_FILE_LIMIT) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(crate::store::store_file_error(&path, e, &again)),
        };
        let recipe: Recipe = toml::from_str(&text).map_err(|e| {
            Error::user(format!(
                "{} is not a valid recipe: {}; {again}",
                path.display(),
                e.message().trim_end()
            ))
        })?;
        if recipe.tool != tool {
            return Err(Error::user(format!(
                "{} is the recipe of {:?}, not of {tool:?}; {again}",
                path.display(),
                recipe.tool
            )));
        }
        let bad = |e: Error| {
            Error::user(format!(
                "{}: {e}; run swop discover --record {tool} again or delete it",
                path.display()
            ))
        };
        for var in recipe.bindings.iter().chain(&recipe.files) {
            crate::names::check_binding_name(var).map_err(bad)?;
        }
        for var in &recipe.unset {
            crate::names::check_var_name(var).map_err(bad)?;
        }
        Ok(Some(recipe))
    }

    /// The recorded recipe, else the built-in one; `false` when not verified here.
    pub fn lookup(store: &Store, tool: &str) -> Result<(Recipe, bool)> {
        if let Some(recipe) = Self::recorded(store, tool)? {
            return Ok((recipe, true));
        }
        match Self::built_in(tool) {
            Some(recipe) => Ok((recipe, false)),
            None => Err(Error::user(format!(
                "no recipe for {tool:?}; record one with: swop discover --record {tool} -- {tool} ...{}",
                match crate::names::closest(tool, CATALOG.iter().map(|k| k.tool)) {
                    Some(close) => format!(" (did you mean {close:?}?)"),
                    None => String::new(),
                }
            ))),
        }
    }

    pub fn save(&self, store: &Store) -> Result<PathBuf> {
        let dir = store.root().join("recipes");
        util::create_private_dir_all(&dir).map_err(at_path("cannot create", &dir))?;
        let path = Self::path(store, &self.tool);
        let text = toml::to_string(self).map_err(|e| Error::user(e.to_string()))?;
        util::replace_private_file(&path, text.as_bytes())
            .map_err(at_path("cannot write", &path))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_names_are_valid_and_lookup_by_path() {
        for k in CATALOG {
            let files = k.files.iter().map(|(v, _)| v);
            for v in k.candidates.iter().chain(k.bindings).chain(files) {
                assert!(crate::names::check_binding_name(v).is_ok(), "{v}");
            }
            for v in k.unset.iter().chain(k.credentials) {
                assert!(crate::names::check_var_name(v).is_ok(), "{v}");
            }
        }
        assert_eq!(known("/usr/local/bin/codex").map(|k| k.tool), Some("codex"));
        assert_eq!(
            known("codex-x86_64-unknown-linux-musl").map(|k| k.tool),
            Some("codex")
        );
        assert!(known("codexx").is_none());
    }
}
