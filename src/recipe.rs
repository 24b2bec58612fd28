//! Recipes: what swop knows about one tool. Built-in ones are candidates from
//! the tools' documentation; recorded ones were proved on this machine by
//! `swop discover --record` and stored in `$SWOP_HOME/recipes/TOOL.toml`.

use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Command, Next, Recipe as RecipeError, Result, at_path};
use crate::files;
use crate::store::Store;

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
    /// Commands that only read the profile (`login status`: the words after
    /// the program), which `swop exec` runs without the lock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_only: Vec<String>,
    /// The files that hold the login, as `VAR/path` under a bound
    /// variable's folder: never shared, never copied by `swop cp`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<String>,
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

mod catalog;
mod facts;
pub mod places;
mod record;

pub use catalog::{CATALOG, Known, StatusCommand};
pub use facts::*;
pub use record::{Proof, catalog_entries};

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
            read_only: k.read_only.iter().map(|s| s.to_string()).collect(),
            credentials: catalog_credentials([k]).collect(),
            verified: None,
        })
    }

    fn path(store: &Store, tool: &str) -> PathBuf {
        store.root().join("recipes").join(format!("{tool}.toml"))
    }

    /// The recipe recorded on this machine, if any.
    pub fn recorded(store: &Store, tool: &str) -> Result<Option<Recipe>> {
        crate::names::check_tool_name(tool)?;
        let path = Self::path(store, tool);
        match std::fs::symlink_metadata(path.parent().unwrap_or(store.root())) {
            Ok(_) => store.check_owned(path.parent().unwrap_or(store.root()))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(at_path("cannot read", &path)(e)),
        }
        let text = match files::read_store_text(&path, RECIPE_FILE_LIMIT) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(crate::store::store_file_error(
                    &path,
                    e,
                    Next::RecordAgain(tool.to_string()),
                ));
            }
        };
        let problem = |problem| Command::Recipe {
            tool: tool.to_string(),
            problem,
        };
        let recipe: Recipe = toml::from_str(&text).map_err(|e| {
            problem(RecipeError::Invalid {
                path: path.clone(),
                message: e.message().trim_end().to_string(),
            })
        })?;
        if recipe.tool != tool {
            return Err(problem(RecipeError::OtherTool {
                path,
                found: recipe.tool,
            })
            .into());
        }
        recipe.check_variables().map_err(|name| {
            problem(RecipeError::Variable {
                path: path.clone(),
                name,
            })
        })?;
        Ok(Some(recipe))
    }

    /// The recorded recipe, else the built-in one; `false` when not verified
    /// here. A recorded recipe keeps the catalog's read-only commands: they
    /// are facts about the tool, not about where it keeps its state, found
    /// by the recipe's name or the program's (`hf` is huggingface's).
    pub fn lookup(store: &Store, tool: &str) -> Result<(Recipe, bool)> {
        if let Some(mut recipe) = Self::recorded(store, tool)? {
            let read_only = catalog_entries(tool, [])
                .into_iter()
                .flat_map(|k| k.read_only.iter().map(|c| c.to_string()));
            for command in read_only {
                if !recipe.read_only.contains(&command) {
                    recipe.read_only.push(command);
                }
            }
            // Which files hold a login is a fact about the tool as well.
            for named in catalog_credentials(catalog_entries(tool, [])) {
                recipe.add_credential(named);
            }
            return Ok((recipe, true));
        }
        match Self::built_in(tool) {
            Some(recipe) => Ok((recipe, false)),
            None => {
                let mut tools: Vec<String> = CATALOG.iter().map(|k| k.tool.to_string()).collect();
                for recorded in Self::recorded_tools(store).unwrap_or_default() {
                    if !tools.contains(&recorded) {
                        tools.push(recorded);
                    }
                }
                let close = crate::names::closest(tool, tools.iter().map(String::as_str))
                    .map(str::to_string);
                Err(Command::Recipe {
                    tool: tool.to_string(),
                    problem: RecipeError::Unknown {
                        close,
                        known: tools,
                    },
                }
                .into())
            }
        }
    }

    /// The tools with a recipe recorded on this machine, sorted.
    pub fn recorded_tools(store: &Store) -> Result<Vec<String>> {
        let dir = store.root().join("recipes");
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(at_path("cannot read", &dir)(e)),
        };
        let mut tools: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".toml").map(str::to_string))
            .filter(|tool| crate::names::is_tool_name(tool))
            .collect();
        tools.sort();
        Ok(tools)
    }

    /// What a recipe binds obeys the rule every profile does (see
    /// [`crate::names::check_binding_name`]), and what it unsets is on no
    /// block-list: checked when a recipe is read and before one is written.
    fn check_variables(&self) -> Result<(), crate::error::Name> {
        for var in self.bindings.iter().chain(&self.files) {
            crate::names::check_binding_name(var)?;
        }
        for var in &self.unset {
            crate::names::check_var_name(var)?;
        }
        for named in &self.credentials {
            if credential_path(named).is_none() {
                return Err(crate::error::Name::Credential(named.clone()));
            }
        }
        Ok(())
    }

    /// Keep `named` (`VAR/path`, see [`credential_name`]) among the files
    /// that hold the login, once.
    pub fn add_credential(&mut self, named: String) {
        if !self.credentials.contains(&named) {
            self.credentials.push(named);
        }
    }

    /// The recipe's credential files, as (variable, path inside its folder).
    pub fn credential_files(&self) -> Vec<(&str, &str)> {
        self.credentials
            .iter()
            .filter_map(|named| credential_path(named))
            .collect()
    }

    pub fn save(&self, store: &Store) -> Result<PathBuf> {
        self.check_variables()?;
        let dir = store.root().join("recipes");
        files::create_private_dir_all(&dir).map_err(at_path("cannot create", &dir))?;
        let path = Self::path(store, &self.tool);
        toml::to_string(self)
            .map_err(io::Error::other)
            .and_then(|text| files::replace_private_file(&path, text.as_bytes()))
            .map_err(at_path("cannot write", &path))?;
        Ok(path)
    }
}

/// A file that holds a login, named as a recipe keeps it: `VAR/path`, the
/// path inside the folder `VAR` is bound to (read back by
/// [`credential_path`]).
pub fn credential_name(var: &str, path: &str) -> String {
    format!("{var}/{path}")
}

/// The files that hold a login for the catalog `entries`, named as a recipe
/// keeps them (see [`credential_name`]).
pub fn catalog_credentials<'a>(
    entries: impl IntoIterator<Item = &'a Known>,
) -> impl Iterator<Item = String> {
    entries
        .into_iter()
        .flat_map(|k| k.credential_files)
        .map(|(var, path)| credential_name(var, path))
}

/// `VAR/path` split, when VAR may be bound and the path stays inside its
/// folder (no `..`, not absolute).
pub fn credential_path(named: &str) -> Option<(&str, &str)> {
    let (var, path) = named.split_once('/')?;
    crate::names::check_binding_name(var).ok()?;
    let plain = path
        .split('/')
        .all(|part| !part.is_empty() && part != "." && part != "..");
    plain.then_some((var, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_files_stay_inside_a_bound_folder() {
        assert_eq!(
            credential_path("CODEX_HOME/auth.json"),
            Some(("CODEX_HOME", "auth.json"))
        );
        assert_eq!(
            credential_path("HOME/.terraform.d/credentials.tfrc.json"),
            Some(("HOME", ".terraform.d/credentials.tfrc.json"))
        );
        for bad in [
            "auth.json",
            "CODEX_HOME/../x",
            "CODEX_HOME//x",
            "PATH/x",
            "X/",
        ] {
            assert_eq!(credential_path(bad), None, "{bad}");
        }
        let recipe = Recipe::built_in("codex").expect("codex");
        assert_eq!(recipe.credential_files(), [("CODEX_HOME", "auth.json")]);
    }

    #[test]
    fn a_recipe_that_binds_code_or_unsets_the_shell_is_never_written() {
        let mut recipe = Recipe::built_in("codex").expect("codex");
        assert!(recipe.check_variables().is_ok());
        recipe.bindings.push("PYTHONPATH".into());
        assert!(recipe.check_variables().is_err());
        recipe.bindings.pop();
        recipe.unset.push("UID".into());
        assert!(recipe.check_variables().is_err());
    }
}
