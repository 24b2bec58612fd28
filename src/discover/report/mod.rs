//! The findings of a discovery, as Markdown in the runbook's shape and as one
//! JSON object; made from a discovery (`findings`) or from a trace taken
//! elsewhere, and kept private on the way out ([`super::privacy`],
//! `private_json`): no secret and no user name leaves the machine.

mod findings;
mod private_json;

use serde::Serialize;

pub use findings::{
    findings_from, global_writes, redacted_invocation, rename_limitation, shown_command, today,
    tracing_limitations,
};
use private_json::Private;

use super::classify::{Class, ClassifiedPath};
use super::cleanroom::CleanRoomView;
use super::concurrent::Concurrency;
use super::markdown;
use super::privacy::private;
use super::verdict::Problem;
use super::world::WorldKind;

#[derive(Debug, Clone, Serialize)]
pub struct TestedOn {
    pub os_release: Option<String>,
    pub uname: Option<String>,
    pub wsl: bool,
    pub tracer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateView {
    pub var: String,
    pub source: String,
    /// A file variable: bound to a file, not a folder.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub file: bool,
    pub used: bool,
    pub required: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub label: String,
    pub bound: Vec<String>,
    pub passed: Option<bool>,
    pub leaks: Vec<String>,
    pub exits: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub command: String,
    pub exit: Option<String>,
    /// Every path but system files (counted in `path_counts`), unless asked.
    pub paths: Vec<ClassifiedPath>,
    pub path_counts: PathCounts,
}

/// How many distinct paths of each class a step or trace touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PathCounts {
    pub isolated: u64,
    pub leak: u64,
    pub global: u64,
    pub project: u64,
    pub shared_input: u64,
    pub program: u64,
    pub system: u64,
}

impl PathCounts {
    pub fn add(&mut self, class: Class) {
        let slot = match class {
            Class::Isolated => &mut self.isolated,
            Class::Leak => &mut self.leak,
            Class::Global => &mut self.global,
            Class::Project => &mut self.project,
            Class::SharedInput => &mut self.shared_input,
            Class::Program => &mut self.program,
            Class::System => &mut self.system,
        };
        *slot += 1;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub var: String,
    pub reason: String,
}

/// Everything a report says. Holds paths and names, never file contents, and
/// every command in it is redacted.
#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    pub tool: Option<String>,
    pub tool_version: Option<String>,
    pub os: String,
    pub tested_on: TestedOn,
    /// What the runs saw: the real file system through a copy-on-write
    /// view, or empty stand-ins. None for a trace taken elsewhere, which
    /// saw the world of the machine it was taken on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub world: Option<WorldKind>,
    pub commands: Vec<String>,
    /// The programs the traced steps ran, by name: the catalog's facts for
    /// each apply to the recipe (`hf` is huggingface's).
    pub programs: Vec<String>,
    pub minimal_env: Vec<String>,
    /// Those of `minimal_env` that name a file (`swop add --bind-file`).
    pub files: Vec<String>,
    pub unset: Vec<String>,
    pub verified: bool,
    /// Why the result is not verified, when it is not.
    pub problems: Vec<Problem>,
    pub required: Vec<Requirement>,
    pub candidates: Vec<CandidateView>,
    pub runs: Vec<RunView>,
    pub steps: Vec<StepView>,
    /// Every path but system files (counted in `path_counts`), unless asked
    /// with `--all-paths`.
    pub paths: Vec<ClassifiedPath>,
    pub path_counts: PathCounts,
    pub concurrency: Concurrency,
    /// What the runs did not inherit from the caller's environment.
    pub clean_room: CleanRoomView,
    /// Processes steps left running, which swop stopped.
    pub stopped: Vec<String>,
    pub limitations: Vec<String>,
    /// The swop commands that reproduce this and use the result.
    pub runbook: Vec<String>,
    pub trace_lines: u64,
    pub unknown_lines: u64,
}

impl Findings {
    /// The findings as one JSON object, written as it is made: a big trace's
    /// findings need not be held as text. Every string in it is private (see
    /// [`private`]).
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        serde_json::to_writer_pretty(&mut out, &Private(self)).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        out.flush()
    }

    /// The report in the runbook's shape. Every value shown passes through
    /// [`private`] and [`markdown`]: no secret, no user name, and nothing
    /// that a path could use to add headings or hide the rest of the page.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let title = self.tool.as_deref().unwrap_or("the tool");
        md.push_str(&format!("# Isolating {}: findings\n\n", prose(title)));
        md.push_str(&format!(
            "Minimal environment: **{}** ({}).\n\n",
            if self.minimal_env.is_empty() {
                "nothing to bind".to_string()
            } else {
                prose(&self.minimal_env.join(", "))
            },
            if self.verified {
                "verified: the minimal set leaked nothing, and two accounts ran at once without meeting"
            } else {
                "NOT verified: see Limitations"
            }
        ));

        md.push_str("## Tested on\n\n");
        let t = &self.tested_on;
        md.push_str(&format!(
            "- OS: {}{}\n",
            prose(t.os_release.as_deref().unwrap_or(&self.os)),
            if t.wsl { " (WSL2)" } else { "" }
        ));
        if let Some(uname) = &t.uname {
            md.push_str(&format!("- uname: {}\n", code(uname)));
        }
        md.push_str(&format!(
            "- {}: {}\n",
            self.tool
                .as_deref()
                .map_or("tool version".to_string(), |t| code(&format!(
                    "{t} --version"
                ))),
            prose(self.tool_version.as_deref().unwrap_or("unknown"))
        ));
        md.push_str(&format!("- Tracer: {}\n", prose(&t.tracer)));
        if let Some(world) = self.world {
            md.push_str(&format!(
                "- World: {}\n",
                match world {
                    WorldKind::CopyOnWrite => "your real files, through a copy-on-write view (nothing written reached them)",
                    WorldKind::StandIn => "empty stand-ins for your home and its folders (see Limitations)",
                }
            ));
        }
        md.push('\n');

        md.push_str("## Runbook\n\n");
        let runbook: Vec<String> = self.runbook.iter().map(|l| private(l)).collect();
        md.push_str(&markdown::fenced("sh", &runbook));
        md.push('\n');

        md.push_str("## Findings\n\n");
        for (i, step) in self.steps.iter().enumerate() {
            md.push_str(&format!(
                "### Step {}: {}{}\n\n",
                i + 1,
                code(&step.command),
                step.exit
                    .as_deref()
                    .map(|e| format!(" ({})", prose(e)))
                    .unwrap_or_default()
            ));
            push_paths(&mut md, &step.paths, &step.path_counts);
        }
        if self.steps.is_empty() && !self.paths.is_empty() {
            md.push_str("### The trace\n\n");
            push_paths(&mut md, &self.paths, &self.path_counts);
        }
        if !self.runs.is_empty() {
            md.push_str("### Runs\n\n| run | bound | result | evidence |\n|---|---|---|---|\n");
            for run in &self.runs {
                let result = match run.passed {
                    None => "explored".to_string(),
                    Some(true) => "no leak".to_string(),
                    Some(false) => "leaks".to_string(),
                };
                md.push_str(&format!(
                    "| {} | {} | {result} | {} |\n",
                    prose_cell(&run.label),
                    prose_cell(&run.bound.join(" ")),
                    run.leaks
                        .iter()
                        .take(4)
                        .map(|l| code_cell(l))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            md.push('\n');
        }

        md.push_str("## Required env vars\n\n");
        if self.required.is_empty() {
            md.push_str("None: the tool touched none of the candidate folders.\n");
        }
        for r in &self.required {
            md.push_str(&format!("- {}: {}\n", code(&r.var), prose(&r.reason)));
        }
        if !self.unset.is_empty() {
            md.push_str(&format!(
                "- Unset in every profile: {} (used by the tool but not needed; an inherited value would defeat the isolation)\n",
                self.unset.iter().map(|v| code(v)).collect::<Vec<_>>().join(", ")
            ));
        }
        md.push('\n');

        md.push_str("## Concurrency\n\n");
        let c = &self.concurrency;
        if !c.ran {
            md.push_str("Not run (see Limitations).\n\n");
        } else {
            md.push_str(&format!(
                "Accounts A and B ran every step at the same time with the minimal set. \
                 A changed {} paths, all under its own folders; B changed {}; outside their folders they {}.\n\n",
                c.a_wrote.len(),
                c.b_wrote.len(),
                if c.shared_changed.is_empty() {
                    "changed nothing".to_string()
                } else {
                    format!(
                        "changed: {}",
                        c.shared_changed.iter().map(|p| code(p)).collect::<Vec<_>>().join(", ")
                    )
                }
            ));
            md.push_str(&format!(
                "- A: {}\n- B: {}\n\n",
                prose(&c.a_exits.join(", ")),
                prose(&c.b_exits.join(", "))
            ));
            for difference in &c.differences {
                md.push_str(&format!("- Ended otherwise: {}\n", prose(difference)));
            }
            if !c.differences.is_empty() {
                md.push('\n');
            }
        }

        md.push_str("## Limitations\n\n");
        if self.limitations.is_empty() {
            md.push_str("None found.\n");
        }
        for l in &self.limitations {
            md.push_str(&format!("- {}\n", prose(l)));
        }
        md
    }
}

/// A value shown as code: private, in a span it cannot leave.
fn code(text: &str) -> String {
    markdown::code(&private(text))
}

/// [`code`] in a table cell.
fn code_cell(text: &str) -> String {
    markdown::code_cell(&private(text))
}

/// A sentence: private, its code spans kept, its markup escaped.
fn prose(text: &str) -> String {
    markdown::inline(&private(text))
}

/// [`prose`] in a table cell.
fn prose_cell(text: &str) -> String {
    markdown::inline_cell(&private(text))
}

/// The interesting classes in full; system and program files as counts.
fn push_paths(md: &mut String, paths: &[ClassifiedPath], counts: &PathCounts) {
    let shown: Vec<&ClassifiedPath> = paths
        .iter()
        .filter(|p| !matches!(p.class, Class::System | Class::Program))
        .collect();
    if shown.is_empty() {
        md.push_str("No path under a candidate folder, and no write outside one.\n\n");
    } else {
        md.push_str("| path | ops | class |\n|---|---|---|\n");
        for p in &shown {
            md.push_str(&format!(
                "| {} | {}{}{} | {} |\n",
                code_cell(&p.path),
                p.ops.names().join(", "),
                if p.exists { "" } else { " (not found)" },
                if p.truncated {
                    " (cut by the tracer)"
                } else if p.relative {
                    " (relative)"
                } else {
                    ""
                },
                p.class.as_str()
            ));
        }
        md.push('\n');
    }
    let (system, program) = (counts.system, counts.program);
    if system + program > 0 {
        md.push_str(&format!(
            "Also read: {system} system paths and {program} of the tool's own files (listed in the JSON output, system files with --all-paths).\n\n"
        ));
    }
}
