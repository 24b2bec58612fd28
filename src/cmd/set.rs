//! `swop set NAME ...`: change a profile after `add`. Values
//! (`VAR=VALUE`, `--unset-value`) and sealing (`--seal`, `--no-seal`) change
//! at once; tools, bindings and shared entries (`--tool`, `--bind`, `--bind-file`, `--unbind`, `--share`,
//! `--unshare`) only while nothing runs in the profile, as they move its
//! folders under its tools. Bound folders are made; an unbound one stays.

use super::Run;
use crate::cli::SetArgs;
use crate::error::{Change, Command, Error, Profile as ProfileError, Result, Share};
use crate::recipe::Recipe;
use crate::store::{Profile, ProfileFile, Store, parse_assignment};

impl Run for SetArgs {
    fn run(&self) -> Result<()> {
        crate::names::check_profile_name(&self.name)?;
        let set = self
            .values
            .iter()
            .map(|arg| parse_assignment(arg))
            .collect::<Result<Vec<_>>>()?;
        super::add::check_bindings(&self.binds, &self.bind_files)?;
        let store = Store::open()?;
        let mut profile = store.load(&self.name)?;
        let _lock = match self.structural() {
            true => Some(super::idle::claim(
                &store,
                &profile,
                "swop set",
                Change::Edit,
            )?),
            false => None,
        };
        let seal = match (self.seal, self.no_seal) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        let mut done = Vec::new();
        let values = !set.is_empty() || !self.unset_values.is_empty() || seal.is_some();
        if self.definition() || values {
            let recipes = self
                .tools
                .iter()
                .map(|tool| Recipe::lookup(&store, tool).map(|(recipe, _)| recipe))
                .collect::<Result<Vec<_>>>()?;
            // One edit: a change refused in part is refused as a whole.
            let changed = store.edit(&self.name, |file| {
                if self.definition() {
                    self.change_definition(file, &recipes, &mut done)?;
                }
                change_values(file, &self.name, &set, &self.unset_values)?;
                if let Some(seal) = seal {
                    file.seal = seal;
                }
                Ok(())
            })?;
            if self.definition() {
                store.make_binding_dirs(&changed)?;
            }
            profile = changed;
            match seal {
                Some(true) => done.push("seals every command".to_string()),
                Some(false) => done.push("no longer seals its commands".to_string()),
                None => {}
            }
            if !set.is_empty() {
                let names: Vec<&str> = set.iter().map(|(var, _)| var.as_str()).collect();
                done.push(format!("set {}", names.join(", ")));
            }
            if !self.unset_values.is_empty() {
                done.push(format!("no longer sets {}", self.unset_values.join(", ")));
            }
        }
        self.change_shares(&store, &profile, &mut done)?;
        let file = store
            .profile_dir(&self.name)
            .join(crate::store::PROFILE_FILE);
        eprintln!("swop: profile {:?} {}", self.name, done.join("; "));
        super::add::say_stored_in_clear(&file, set.len());
        let active = std::env::var_os(crate::switch::PROFILE_VAR);
        if active.as_deref() == Some(self.name.as_ref()) {
            eprintln!(
                "swop: this shell is on {0:?}: run swop use {0} again to pick the change up",
                self.name
            );
        }
        Ok(())
    }
}

impl SetArgs {
    /// Whether tools or bindings change.
    fn definition(&self) -> bool {
        !(self.tools.is_empty()
            && self.binds.is_empty()
            && self.bind_files.is_empty()
            && self.unbinds.is_empty())
    }

    /// Whether the profile's folders change: only while nothing runs in it.
    fn structural(&self) -> bool {
        self.definition() || !(self.shares.is_empty() && self.unshares.is_empty())
    }

    /// Tools, bindings and unbindings, applied to the profile's file.
    fn change_definition(
        &self,
        file: &mut ProfileFile,
        recipes: &[Recipe],
        done: &mut Vec<String>,
    ) -> Result<()> {
        for recipe in recipes {
            if !file.tools.contains(&recipe.tool) {
                file.tools.push(recipe.tool.clone());
            }
            for var in &recipe.bindings {
                if !is_bound(file, var) {
                    file.bindings.insert(var.clone(), var.clone());
                }
            }
            for var in &recipe.files {
                if !is_bound(file, var) {
                    file.files
                        .insert(var.clone(), crate::recipe::file_name_for(var));
                }
            }
            for var in &recipe.unset {
                let free = !is_bound(file, var) && !file.values.contains_key(var);
                if free && !file.unset.contains(var) {
                    file.unset.push(var.clone());
                }
            }
            done.push(format!("uses the {} recipe", recipe.tool));
        }
        for (var, as_file) in self
            .binds
            .iter()
            .map(|v| (v, false))
            .chain(self.bind_files.iter().map(|v| (v, true)))
        {
            bind(file, var, as_file)?;
            done.push(format!(
                "binds {var}{}",
                if as_file { " (file)" } else { "" }
            ));
        }
        for var in &self.unbinds {
            unbind(file, var)?;
            done.push(format!("no longer binds {var} (its folder stays)"));
        }
        if file.bindings.is_empty() && file.files.is_empty() {
            return Err(Error::profile(&self.name, ProfileError::WouldBindNothing));
        }
        Ok(())
    }

    /// `--share` and `--unshare`, each recorded in the profile's file as
    /// its folders change.
    fn change_shares(
        &self,
        store: &Store,
        profile: &Profile,
        done: &mut Vec<String>,
    ) -> Result<()> {
        let bound: Vec<String> = profile.bindings.iter().map(|b| b.var.clone()).collect();
        for (word, sharing) in self
            .shares
            .iter()
            .map(|w| (w, true))
            .chain(self.unshares.iter().map(|w| (w, false)))
        {
            let entry = crate::share::resolve(store, &profile.tools, &bound, word)?;
            let named = entry.named();
            if sharing {
                let how = crate::share::share(store, profile, &entry)?;
                done.push(format!("shares {} ({})", named, describe(&how)));
            } else {
                let others = crate::share::unshare(store, profile, &entry)?;
                done.push(match others.is_empty() {
                    true => format!("keeps {named} as its own (no other profile shared it)"),
                    false => format!(
                        "keeps a copy of {named} as its own ({} still share{} it)",
                        others.join(", "),
                        if others.len() == 1 { "s" } else { "" }
                    ),
                });
            }
        }
        Ok(())
    }
}

/// Set and remove values. A variable given a value is no longer unset by
/// the profile: the value wins over the recipe's unset.
fn change_values(
    file: &mut ProfileFile,
    name: &str,
    set: &[(String, String)],
    remove: &[String],
) -> Result<()> {
    for var in remove {
        if file.values.remove(var).is_none() {
            return Err(Error::profile(
                name,
                ProfileError::NoValue { var: var.clone() },
            ));
        }
    }
    for (var, value) in set {
        crate::store::check_value(var, value)?;
        file.unset.retain(|v| v != var);
        file.values.insert(var.clone(), value.clone());
    }
    Ok(())
}

/// How an entry came to be shared, for the line that says so.
pub fn describe(how: &crate::share::Shared) -> &'static str {
    use crate::share::Shared;
    match how {
        Shared::Already => "it was already",
        Shared::Moved => "its own became the shared copy",
        Shared::Merged => "its own was merged into the shared copy",
        Shared::Linked => "linked to the shared copy",
    }
}

fn is_bound(file: &ProfileFile, var: &str) -> bool {
    let lower = var.to_ascii_lowercase();
    file.bindings
        .keys()
        .chain(file.files.keys())
        .any(|b| b.to_ascii_lowercase() == lower)
}

fn bind(file: &mut ProfileFile, var: &str, as_file: bool) -> Result<()> {
    if file.bindings.contains_key(var) || file.files.contains_key(var) {
        return Err(Command::AlreadyBound(var.to_string()).into());
    }
    if is_bound(file, var) {
        return Err(Command::BoundInOtherCase(var.to_string()).into());
    }
    if file.values.contains_key(var) {
        return Err(Command::SetToValue(var.to_string()).into());
    }
    file.unset.retain(|v| v != var);
    if as_file {
        file.files
            .insert(var.to_string(), crate::recipe::file_name_for(var));
    } else {
        file.bindings.insert(var.to_string(), var.to_string());
    }
    Ok(())
}

fn unbind(file: &mut ProfileFile, var: &str) -> Result<()> {
    let under: Vec<String> = file
        .shared
        .iter()
        .filter(|named| {
            crate::store::split_shared(named)
                .and_then(|(tool, entry)| {
                    let known = crate::share::catalog_entry(tool)?;
                    known
                        .shareable
                        .iter()
                        .find(|(_, e)| e.trim_end_matches('/') == entry)
                        .map(|(v, _)| *v == var)
                })
                .unwrap_or(false)
        })
        .cloned()
        .collect();
    if !under.is_empty() {
        return Err(Share::HoldsShared {
            var: var.to_string(),
            entries: under,
        }
        .into());
    }
    if file.bindings.remove(var).is_none() && file.files.remove(var).is_none() {
        return Err(Command::NotBound(var.to_string()).into());
    }
    Ok(())
}
