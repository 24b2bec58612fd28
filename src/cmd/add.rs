//! `swop add NAME`: make a profile from recipes (`--tool`), bindings
//! (`--bind`, `--bind-file`) and values (`--set`), or from the five default
//! places.

use super::Run;
use crate::cli::AddArgs;
use crate::error::{Command, Result};
use crate::recipe::Recipe;
use crate::store::{DEFAULT_BINDINGS, ProfileSpec, Store, parse_assignment};

impl Run for AddArgs {
    fn run(&self) -> Result<()> {
        crate::names::check_profile_name(&self.name)?;
        check_bindings(&self.binds, &self.bind_files)?;
        let values = self
            .values
            .iter()
            .map(|arg| parse_assignment(arg))
            .collect::<Result<Vec<_>>>()?;
        let store = Store::open_or_create()?;
        let mut spec = ProfileSpec {
            values,
            seal: self.seal,
            ..ProfileSpec::default()
        };
        let mut files: Vec<String> = Vec::new();
        if self.seal {
            crate::seal::require()?;
        }
        for tool in &self.tools {
            let (recipe, verified) = Recipe::lookup(&store, tool)?;
            // Only a command that runs as printed is worth a line: the
            // catalog's unattended proof, where it has one.
            if let Some(command) = (!verified)
                .then(|| super::recipes::verify_command(tool))
                .flatten()
            {
                eprintln!(
                    "swop: note: the {tool} recipe ({}) is built in and not yet verified on this machine; \
                     to verify it (offline, in a scratch folder, nothing of yours touched): {command}",
                    recipe.bindings.join(", ")
                );
            }
            if recipe.bindings.is_empty()
                && recipe.files.is_empty()
                && let Some(known) = crate::recipe::entry(tool).filter(|_| !verified)
            {
                return Err(Command::NoStateVariable {
                    tool: tool.clone(),
                    shared: known.shared,
                }
                .into());
            }
            if recipe.bindings.is_empty() && recipe.files.is_empty() {
                return Err(Command::RecipeBindsNothing(tool.clone()).into());
            }
            spec.tools.push(recipe.tool.clone());
            push_unique(&mut spec.bindings, &recipe.bindings);
            push_unique(&mut files, &recipe.files);
            push_unique(&mut spec.unset, &recipe.unset);
        }
        push_unique(&mut spec.bindings, &self.binds);
        push_unique(&mut files, &self.bind_files);
        if self.tools.is_empty() && spec.bindings.is_empty() && files.is_empty() {
            push_unique(&mut spec.bindings, &DEFAULT_BINDINGS.map(String::from));
        }
        spec.files = files
            .into_iter()
            .map(|var| {
                let name = crate::recipe::file_name_for(&var);
                (var, name)
            })
            .collect();
        // Refused before anything is made: a login, or no such entry.
        let shares = self
            .shares
            .iter()
            .map(|word| crate::share::resolve(&store, &spec.tools, &spec.bindings, word))
            .collect::<Result<Vec<_>>>()?;
        let profile = store.create(&self.name, &spec)?;
        let profile = share_all(&store, profile, &shares)?;
        let vars: Vec<String> = profile
            .bindings
            .iter()
            .map(|b| match b.file {
                Some(_) => format!("{} (file)", b.var),
                None => b.var.clone(),
            })
            .collect();
        let mut vars = vars;
        vars.extend(profile.values.keys().map(|var| format!("{var} (value)")));
        vars.extend(
            profile
                .shared
                .iter()
                .map(|named| format!("{named} (shared)")),
        );
        eprintln!(
            "swop: created profile {:?} ({}) in {}",
            profile.name,
            vars.join(", "),
            profile.dir.display()
        );
        say_stored_in_clear(
            &profile.dir.join(crate::store::PROFILE_FILE),
            profile.values.len(),
        );
        Ok(())
    }
}

/// Share `entries` in a profile just made, under its lock.
fn share_all(
    store: &Store,
    profile: crate::store::Profile,
    entries: &[crate::share::Shareable],
) -> Result<crate::store::Profile> {
    if entries.is_empty() {
        return Ok(profile);
    }
    let _lock = crate::lock::ProfileLock::acquire_exclusive_now(
        &profile,
        "swop add",
        crate::error::BusyAdvice::ShareLater,
    )?;
    for entry in entries {
        crate::share::share(store, &profile, entry)?;
    }
    store.load(&profile.name)
}

/// `--bind VAR` and `--bind-file VAR` of variables a profile may bind, each
/// with the flag that fits it (see [`check_kind`]).
pub(super) fn check_bindings(binds: &[String], bind_files: &[String]) -> Result<()> {
    for (flag, var) in binds
        .iter()
        .map(|v| ("--bind", v))
        .chain(bind_files.iter().map(|v| ("--bind-file", v)))
    {
        crate::names::check_binding_name(var).map_err(|name| Command::BindName {
            var: var.clone(),
            name,
            flag,
        })?;
        check_kind(flag, var)?;
    }
    Ok(())
}

/// A variable the catalog knows as a file is bound with `--bind-file`, one
/// it knows as a folder with `--bind`: the other way the tool would find a
/// folder where it opens a file, or the reverse.
fn check_kind(flag: &'static str, var: &str) -> Result<()> {
    let file = crate::recipe::file_variable(var);
    let folder = crate::recipe::folder_variable(var) || DEFAULT_BINDINGS.contains(&var);
    let wrong = match flag {
        "--bind" => file.is_some(),
        _ => folder,
    };
    if !wrong {
        return Ok(());
    }
    Err(Command::WrongKind {
        var: var.to_string(),
        flag,
        file: file.filter(|_| flag == "--bind"),
    }
    .into())
}

fn push_unique(into: &mut Vec<String>, items: &[String]) {
    for item in items {
        if !into.contains(item) {
            into.push(item.clone());
        }
    }
}

/// Once, after `count` values were set: where they are kept, and how.
pub(super) fn say_stored_in_clear(file: &std::path::Path, count: usize) {
    if count > 0 {
        eprintln!(
            "swop: note: {} stored in clear in {} (mode 0600, readable by you alone): \
             not the place for a secret, which belongs in the tool's own login",
            if count == 1 {
                "the value is"
            } else {
                "the values are"
            },
            file.display()
        );
    }
}
