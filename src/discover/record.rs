//! The recipe a verified discovery proves, recorded in the store for `swop
//! add NAME --tool TOOL`. A recipe is a file of the store that outlives the
//! run: no secret and no user name goes in it either.

use std::path::PathBuf;

use super::model::Step;
use super::privacy::private;
use super::programs;
use super::report::{Findings, global_writes, today};
use super::version::version_line;
use crate::error::{Command, Recipe as RecipeError, Result};
use crate::recipe::{Proof, Recipe, Verified};
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
    recipe
}
