//! `swop recipes [--json]`: which tools `swop add --tool` knows, what each
//! binds, and whether that was proved on this machine, so nobody has to read
//! the source or guess a tool name to find out; with `--json`, the catalog's
//! facts too (credential variables, keyring, what stays shared, sources).

use serde::Serialize;

use super::Run;
use super::print_bytes;
use crate::cli::RecipesArgs;
use crate::error::Result;
use crate::output::{printable_line, printable_text};
use crate::recipe::{CATALOG, Recipe, Verified};
use crate::store::Store;

/// One line of the list, and one object of the JSON array.
#[derive(Debug, Serialize)]
pub struct Listed {
    pub tool: String,
    /// Proved on this machine by `swop discover --record`.
    pub verified: bool,
    /// `built-in` (from the catalog) or `recorded` (in the store's recipes/).
    pub source: &'static str,
    pub bindings: Vec<String>,
    pub files: Vec<String>,
    pub unset: Vec<String>,
    /// Commands `swop exec` runs without the lock (the words after the program).
    pub read_only: Vec<String>,
    pub notes: Vec<String>,
    /// How it was proved: tool version, date, OS, command.
    pub verification: Option<Verified>,
    /// A command that proves a built-in recipe here, unattended and offline.
    pub verify_command: Option<String>,
    /// What the catalog knows of the tool (`null` for a tool it does not know).
    pub catalog: Option<Facts>,
}

/// The catalog's facts about a tool, as `swop recipes --json` prints them.
#[derive(Debug, Serialize)]
pub struct Facts {
    /// Plain values that choose the account or endpoint (`swop add --set`).
    pub values: Vec<&'static str>,
    /// Variables carrying credentials; `NAME_*` is a family.
    pub credentials: Vec<&'static str>,
    /// Variables that move the tool's state elsewhere.
    pub overrides: Vec<&'static str>,
    pub keyring: Option<&'static str>,
    pub shared: &'static str,
    /// The command `swop status` runs.
    pub status: Option<String>,
    /// The files holding the login, as `VAR/path`: never shared or copied.
    pub credential_files: Vec<String>,
    /// What profiles may share (`swop add --share ENTRY`), as `VAR/entry`.
    pub shareable: Vec<String>,
    /// Where the facts were checked.
    pub sources: Vec<&'static str>,
    /// What the sources did not confirm.
    pub unconfirmed: Vec<&'static str>,
}

impl Facts {
    fn of(k: &crate::recipe::Known) -> Facts {
        Facts {
            values: k.values.to_vec(),
            credentials: k.credentials.to_vec(),
            overrides: k.overrides.to_vec(),
            keyring: k.keyring,
            shared: k.shared,
            status: k.status.as_ref().map(|s| s.argv.join(" ")),
            credential_files: k
                .credential_files
                .iter()
                .map(|(var, path)| format!("{var}/{path}"))
                .collect(),
            shareable: k
                .shareable
                .iter()
                .map(|(var, entry)| format!("{var}/{entry}"))
                .collect(),
            sources: k.sources.to_vec(),
            unconfirmed: k.unconfirmed.to_vec(),
        }
    }
}

impl Run for RecipesArgs {
    fn run(&self) -> Result<()> {
        let listed = list(&Store::open()?)?;
        let text = if self.json {
            serde_json::to_string_pretty(&listed).unwrap_or_default() + "\n"
        } else {
            table(&listed)
        };
        print_bytes(text.as_bytes())
    }
}

/// The catalog's tools in its order, each as recorded here if it was, then
/// the tools recorded here that the catalog does not know.
pub fn list(store: &Store) -> Result<Vec<Listed>> {
    let mut tools: Vec<String> = CATALOG.iter().map(|k| k.tool.to_string()).collect();
    for recorded in Recipe::recorded_tools(store)? {
        if !tools.contains(&recorded) {
            tools.push(recorded);
        }
    }
    let mut listed = Vec::new();
    for tool in tools {
        match Recipe::lookup(store, &tool) {
            Ok((recipe, recorded)) => listed.push(entry(recipe, recorded)),
            // One damaged file must not hide the others; the error says how to fix it.
            Err(err) => eprintln!("swop: warning: {}", printable_text(&err.to_string())),
        }
    }
    Ok(listed)
}

fn entry(recipe: Recipe, recorded: bool) -> Listed {
    let verify_command = match recorded {
        true => None,
        false => verify_command(&recipe.tool),
    };
    Listed {
        catalog: crate::recipe::entry(&recipe.tool).map(Facts::of),
        verified: recipe.verified.is_some(),
        source: if recorded { "recorded" } else { "built-in" },
        tool: recipe.tool,
        bindings: recipe.bindings,
        files: recipe.files,
        unset: recipe.unset,
        read_only: recipe.read_only,
        notes: recipe.notes,
        verification: recipe.verified,
        verify_command,
    }
}

/// `swop discover --record TOOL -- ...` with the catalog's unattended proof
/// of `tool`, quoted for a POSIX shell; `None` when the catalog has none.
pub fn verify_command(tool: &str) -> Option<String> {
    let words = CATALOG.iter().find(|k| k.tool == tool)?.verify?;
    let argv = ["swop", "discover", "--record", tool, "--"]
        .into_iter()
        .chain(words.iter().copied());
    Some(crate::shell::posix_join(argv.map(std::ffi::OsStr::new)))
}

fn table(listed: &[Listed]) -> String {
    let rows: Vec<[String; 3]> = listed
        .iter()
        .map(|l| {
            let state = match &l.verification {
                Some(v) if !v.tool_version.is_empty() => {
                    format!("verified {} ({})", v.date, v.tool_version)
                }
                Some(v) => format!("verified {}", v.date),
                None if l.source == "recorded" => "recorded, not verified".to_string(),
                None => "built in, not verified here".to_string(),
            };
            let mut binds: Vec<String> = l.bindings.clone();
            binds.extend(l.files.iter().map(|f| format!("{f} (file)")));
            let mut binds = match binds.is_empty() {
                true => "(no variable moves its state)".to_string(),
                false => binds.join(", "),
            };
            if !l.unset.is_empty() {
                binds.push_str(&format!("; unsets {}", l.unset.join(", ")));
            }
            // A recorded recipe is a file anyone with the store can edit:
            // none of it reaches the terminal as an escape sequence.
            [l.tool.as_str(), &state, &binds].map(|cell| printable_line(cell).into_owned())
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([["TOOL", "STATE"][i].len()])
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut out = format!("{:w0$}  {:w1$}  BINDS\n", "TOOL", "STATE");
    for [tool, state, binds] in &rows {
        out.push_str(&format!("{tool:w0$}  {state:w1$}  {binds}\n"));
    }
    let read_only: Vec<String> = listed
        .iter()
        .flat_map(|l| {
            l.read_only
                .iter()
                .map(move |c| printable_line(&format!("{} {c}", l.tool)).into_owned())
        })
        .collect();
    if !read_only.is_empty() {
        out.push_str(&format!(
            "\nRead-only commands, run by swop exec without the lock (beside a session): {}\n",
            read_only.join(", ")
        ));
    }
    out.push_str(
        "\nswop recipes --json adds each tool's credential variables, keyring use, what stays shared, \
         its status command and the sources of these facts.\n",
    );
    for l in listed.iter().filter(|l| !l.verified) {
        if let Some(command) = &l.verify_command {
            out.push_str(&format!(
                "\nTo prove the {} recipe here (offline, in a scratch folder): {command}\n",
                l.tool
            ));
        }
    }
    out
}
