//! A recipe made from a verified discovery (`swop discover --record TOOL`):
//! what the runs proved, with what they were proved without, and what the
//! catalog knows about the programs they ran.
//!
//! A proof holds only in the environment it was made in. The runs did not
//! inherit the variables the clean room removed, so a profile made from the
//! recipe must not inherit them either; nor the credentials and overrides
//! the catalog lists for the tool, found by the recipe's name or by the
//! name of any program the steps ran (`--record hf` is huggingface's).

use super::{CATALOG, Known, Recipe, Verified, catalog_credentials, known};

/// What a verified discovery says, in the terms of a recipe.
#[derive(Debug, Clone, Default)]
pub struct Proof {
    /// The minimal set: folder variables.
    pub bindings: Vec<String>,
    /// The minimal set: file variables.
    pub files: Vec<String>,
    /// Variables the tool used and wrote but the minimal set leaves out.
    pub unset: Vec<String>,
    /// Variables of the caller's environment that the runs did not inherit.
    pub removed: Vec<String>,
    /// Facts the runs showed for the Limitations (writes outside every
    /// candidate folder).
    pub notes: Vec<String>,
    pub verified: Option<Verified>,
}

/// The catalog entries that speak for a recipe named `tool` whose steps ran
/// `programs`: the entry of that name, and the entry of each program (by
/// its name or a name it goes by: `hf` is huggingface's). Each once, in the
/// order found.
pub fn catalog_entries<'a>(
    tool: &str,
    programs: impl IntoIterator<Item = &'a str>,
) -> Vec<&'static Known> {
    let by_name = CATALOG.iter().find(|k| k.tool == tool);
    let mut entries: Vec<&'static Known> = Vec::new();
    let found = by_name
        .into_iter()
        .chain(known(tool))
        .chain(programs.into_iter().filter_map(known));
    for entry in found {
        if !entries.iter().any(|e| e.tool == entry.tool) {
            entries.push(entry);
        }
    }
    entries
}

/// Whether a catalog name stands for one variable (`HF_TOKEN`), not a
/// family (`TF_TOKEN_*`), which no recipe can list by name.
fn one_variable(name: &str) -> bool {
    crate::names::check_var_name(name).is_ok()
}

impl Recipe {
    /// The recipe `proof` makes for `tool`, whose steps ran `programs`.
    ///
    /// It unsets, besides what the discovery found to unset, what the clean
    /// room removed and what the catalog entries (see [`catalog_entries`])
    /// list to unset, as credentials or as overrides; never a variable it
    /// binds, nor one no profile may touch. Its notes are the entries' and
    /// the proof's. Read-only commands stay the catalog's (see
    /// [`Recipe::lookup`]).
    pub fn from_proof<'a>(
        tool: &str,
        programs: impl IntoIterator<Item = &'a str>,
        proof: Proof,
    ) -> Recipe {
        let entries = catalog_entries(tool, programs);
        let catalog = entries
            .iter()
            .flat_map(|k| k.unset.iter().chain(k.credentials).chain(k.overrides))
            .map(|var| var.to_string());
        let bound = |var: &String| proof.bindings.contains(var) || proof.files.contains(var);
        let mut unset: Vec<String> = Vec::new();
        for var in proof
            .unset
            .iter()
            .cloned()
            .chain(proof.removed)
            .chain(catalog)
        {
            if !bound(&var) && one_variable(&var) && !unset.contains(&var) {
                unset.push(var);
            }
        }
        let mut notes: Vec<String> = entries
            .iter()
            .flat_map(|k| k.notes.iter().map(|n| n.to_string()))
            .collect();
        for note in proof.notes {
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        let mut recipe = Recipe {
            tool: tool.to_string(),
            bindings: proof.bindings,
            files: proof.files,
            unset,
            notes,
            read_only: Vec::new(),
            credentials: Vec::new(),
            verified: proof.verified,
        };
        for named in catalog_credentials(entries) {
            recipe.add_credential(named);
        }
        recipe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn hf_proof() -> Proof {
        Proof {
            bindings: Vec::new(),
            files: strings(&["HF_TOKEN_PATH"]),
            unset: Vec::new(),
            removed: strings(&["HF_HOME", "HF_TOKEN_PATH", "CARGO_HOME"]),
            notes: strings(&["writes /etc/x outside every candidate folder"]),
            verified: None,
        }
    }

    #[test]
    fn a_recipe_named_after_the_program_keeps_the_catalogs_facts() {
        let by_program = Recipe::from_proof("hf", ["hf"], hf_proof());
        let by_tool = Recipe::from_proof("huggingface", ["hf"], hf_proof());
        assert_eq!(by_program.unset, by_tool.unset);
        assert_eq!(by_program.notes, by_tool.notes);
        for credential in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] {
            assert!(
                by_program.unset.iter().any(|v| v == credential),
                "{credential} in {:?}",
                by_program.unset
            );
        }
    }

    #[test]
    fn a_recipe_of_any_name_keeps_the_facts_of_the_programs_it_ran() {
        // `swop discover --record work-hf -- sh -c 'hf auth login'`.
        let recipe = Recipe::from_proof("work-hf", ["sh", "hf"], hf_proof());
        assert!(
            recipe.unset.iter().any(|v| v == "HF_TOKEN"),
            "{:?}",
            recipe.unset
        );
        let unknown = Recipe::from_proof("work-hf", ["sh"], hf_proof());
        assert!(!unknown.unset.iter().any(|v| v == "HF_TOKEN"));
    }

    #[test]
    fn what_the_clean_room_removed_is_unset_but_what_is_bound() {
        let recipe = Recipe::from_proof("hf", ["hf"], hf_proof());
        assert!(recipe.unset.iter().any(|v| v == "HF_HOME"));
        assert!(recipe.unset.iter().any(|v| v == "CARGO_HOME"));
        assert!(!recipe.unset.iter().any(|v| v == "HF_TOKEN_PATH"));
        assert_eq!(recipe.files, ["HF_TOKEN_PATH"]);
        assert!(recipe.notes.iter().any(|n| n.contains("/etc/x")));
        assert!(recipe.check_variables().is_ok());
    }

    #[test]
    fn families_and_forbidden_names_are_not_listed() {
        let proof = Proof {
            bindings: strings(&["TF_CLI_CONFIG_FILE"]),
            removed: strings(&["PATH", "TF_DATA_DIR"]),
            ..Proof::default()
        };
        let recipe = Recipe::from_proof("terraform", ["terraform"], proof);
        assert!(
            recipe.unset.iter().all(|v| !v.contains('*')),
            "{:?}",
            recipe.unset
        );
        assert!(!recipe.unset.iter().any(|v| v == "PATH"));
        assert!(recipe.unset.iter().any(|v| v == "TF_DATA_DIR"));
        assert!(recipe.check_variables().is_ok());
    }

    #[test]
    fn entries_are_found_once_by_name_alias_or_program() {
        let tools = |tool: &str, programs: &[&str]| -> Vec<&str> {
            catalog_entries(tool, programs.iter().copied())
                .iter()
                .map(|k| k.tool)
                .collect()
        };
        assert_eq!(tools("huggingface", &["hf"]), ["huggingface"]);
        assert_eq!(tools("hf", &[]), ["huggingface"]);
        assert_eq!(
            tools("mine", &["/usr/bin/gh", "hf", "gh"]),
            ["gh", "huggingface"]
        );
        assert!(tools("mine", &["sh", "cat"]).is_empty());
    }
}
