//! Questions asked of the catalog: which tool a program is, which variables
//! are files, which carry credentials or redirect a tool's state.

use super::Recipe;
use super::catalog::{CATALOG, FILE_VARIABLES, Known, matches};
use crate::store::Store;

/// The catalog's name for a file variable's file, if the variable is one:
/// a tool's (`AWS_CONFIG_FILE`), or one of the common files any tool may
/// read (`NETRC`, `GOOGLE_APPLICATION_CREDENTIALS`).
pub fn file_variable(var: &str) -> Option<&'static str> {
    CATALOG
        .iter()
        .flat_map(|k| k.files)
        .find(|(v, _)| *v == var)
        .map(|(_, name)| *name)
        .or_else(|| FILE_VARIABLES.iter().find(|f| f.var == var).map(|f| f.file))
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

/// The catalog entry of a tool, by its name.
pub fn entry(tool: &str) -> Option<&'static Known> {
    CATALOG.iter().find(|k| k.tool == tool)
}

/// The variables of one entry that carry credentials or point its state
/// elsewhere (patterns such as `TF_TOKEN_*` included).
fn inherited_of(k: &'static Known) -> impl Iterator<Item = &'static str> {
    k.credentials
        .iter()
        .chain(k.overrides)
        .chain(k.unset)
        .copied()
}

/// Whether `var` could redirect a tool's state or carry an account's
/// credentials, for any tool of the catalog: a discovery's runs never
/// inherit it.
pub fn is_catalog_override(var: &str) -> bool {
    CATALOG.iter().any(|k| {
        k.candidates.contains(&var)
            || k.files.iter().any(|(v, _)| *v == var)
            || inherited_of(k).any(|p| matches(p, var))
    })
}

/// Whether `var` carries credentials or redirects the state of `tool`,
/// according to the catalog: a profile of the tool must not inherit it. The
/// tool is found by its name or by its program's (a recipe recorded as `hf`
/// is huggingface's).
pub fn inherited_danger(tool: &str, var: &str) -> bool {
    entry(tool)
        .or_else(|| known(tool))
        .is_some_and(|k| inherited_of(k).any(|p| matches(p, var)))
}

/// The catalog entry for a program name or path (`/usr/bin/gh`, `codex-x86_64...`).
pub fn known(program: &str) -> Option<&'static Known> {
    CATALOG.iter().find(|k| k.runs_as(program))
}

/// Whether a program name or path is `tool`'s: its file name is the tool's
/// name, alone or followed by a platform suffix (`codex-x86_64-unknown-linux-musl`).
pub fn program_is(tool: &str, program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    base == tool
        || base
            .strip_prefix(tool)
            .is_some_and(|rest| rest.starts_with(['-', '.', '_']))
}

/// Whether `program` runs `tool`: its own name or, for a catalog tool, one
/// of the names its program goes by.
fn runs_tool(tool: &str, program: &str) -> bool {
    match entry(tool) {
        Some(k) => k.runs_as(program),
        None => program_is(tool, program),
    }
}

/// The help of `swop add --tool`, naming the built-in recipes.
pub fn tool_flag_help() -> String {
    let tools: Vec<&str> = CATALOG.iter().map(|k| k.tool).collect();
    format!(
        "Bind the variables of this tool's recipe (repeatable): {}, or one recorded \
         with swop discover --record (swop recipes lists them)",
        tools.join(", ")
    )
}

/// The tool among `tools` whose recipe marks `argv` as a read-only command:
/// the program is the tool's and the arguments are exactly one of the
/// recipe's read-only commands. A recipe that cannot be read marks nothing.
pub fn read_only_tool<'a>(
    store: &Store,
    tools: &'a [String],
    argv: &[std::ffi::OsString],
) -> Option<&'a str> {
    let (program, args) = argv.split_first()?;
    let program = program.to_str()?;
    let args: Vec<&str> = args.iter().map(|a| a.to_str()).collect::<Option<_>>()?;
    tools.iter().map(String::as_str).find(|tool| {
        runs_tool(tool, program)
            && Recipe::lookup(store, tool).is_ok_and(|(recipe, _)| {
                recipe
                    .read_only
                    .iter()
                    .any(|command| command.split_whitespace().eq(args.iter().copied()))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_found_by_path_and_alias() {
        assert_eq!(known("/usr/local/bin/codex").map(|k| k.tool), Some("codex"));
        assert_eq!(
            known("codex-x86_64-unknown-linux-musl").map(|k| k.tool),
            Some("codex")
        );
        assert!(known("codexx").is_none());
        assert_eq!(known("/usr/bin/flyctl").map(|k| k.tool), Some("fly"));
        assert_eq!(known("hf").map(|k| k.tool), Some("huggingface"));
    }

    #[test]
    fn credentials_and_overrides_are_known_by_tool() {
        assert!(inherited_danger("aws", "AWS_ACCESS_KEY_ID"));
        assert!(inherited_danger("terraform", "TF_TOKEN_app_terraform_io"));
        assert!(inherited_danger("cargo", "CARGO_REGISTRIES_MINE_TOKEN"));
        assert!(!inherited_danger("aws", "GH_TOKEN"));
        // A recipe recorded under the program's name: huggingface's `hf`.
        assert!(inherited_danger("hf", "HF_TOKEN"));
        assert!(!inherited_danger("hf", "GH_TOKEN"));
        assert!(!inherited_danger("aws", "AWS_REGION"));
        assert!(is_catalog_override("TF_TOKEN_example_com"));
        assert!(is_catalog_override("CODEX_HOME"));
        assert!(!is_catalog_override("AWS_REGION"));
    }

    #[test]
    fn the_common_file_variables_are_files() {
        assert_eq!(
            file_variable("GOOGLE_APPLICATION_CREDENTIALS"),
            Some("credentials.json")
        );
        assert_eq!(file_variable("NETRC"), Some(".netrc"));
        assert_eq!(file_variable("AWS_CONFIG_FILE"), Some("config"));
        assert_eq!(file_name_for("PSQLRC"), ".psqlrc");
        assert_eq!(file_name_for("MY_TOOL_FILE"), "my_tool_file");
        assert!(!folder_variable("NETRC"));
    }
}
