//! Why a discovery is not verified. Each reason is typed, so that the report,
//! the JSON and `--record` read the same facts, and each says what to do.

use serde::Serialize;

use super::markdown::code;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Problem {
    /// A step of the exploration did not end as the user expects.
    StepFailed {
        step: usize,
        command: String,
        ended: String,
        timed_out: bool,
        /// The step had no terminal: nobody could answer it.
        unattended: bool,
    },
    /// The tracer saw no file call of the tool while it ran.
    EmptyTrace {
        step: usize,
        command: String,
        hint: String,
    },
    /// Even with every candidate bound, the steps no longer end as they did:
    /// something outside the candidate folders remembers the first run.
    NotRepeatable { ended: Vec<String> },
    /// The tool wrote outside the scratch folders into the user's own
    /// places, and the world refused it.
    Escaped { paths: Vec<String> },
    /// With every candidate bound, the tool still wrote state outside all
    /// of them: both accounts would write it.
    SharedWrite {
        paths: Vec<String>,
        /// `path: VAR`, the variable known to move a path, where one is.
        movers: Vec<String>,
    },
    /// A step talks to a person, so two accounts cannot run it at once unattended.
    Interactive { step: usize, command: String },
    /// No run with the final set passed.
    NoPassingRun,
}

impl Problem {
    /// One or two sentences: what happened and what to do.
    pub fn message(&self) -> String {
        match self {
            Problem::StepFailed {
                step,
                command,
                ended,
                timed_out: true,
                unattended,
            } => format!(
                "Step {step} ({}) did not end by itself and was stopped ({ended}){}. \
                 Give it its input another way (pipe a secret: `sh -c 'printf ... | TOOL login --with-api-key'`), \
                 run swop discover in a terminal, or allow more time with --timeout SECS.",
                code(command),
                if *unattended {
                    "; it had no terminal, so it may be waiting for input or a browser login"
                } else {
                    ""
                }
            ),
            Problem::StepFailed {
                step,
                command,
                ended,
                ..
            } => format!(
                "Step {step} ({}) failed ({ended}) with every candidate bound, so nothing it does can be proved. \
                 Check the command (run it by hand); if this exit is what the step should do, say so with --expect-exit {}.",
                code(command),
                ended.strip_prefix("exit ").unwrap_or("N")
            ),
            Problem::EmptyTrace {
                step,
                command,
                hint,
            } => format!(
                "The tracer saw no file call of step {step} ({}) while it ran: that is a tracing failure, not a clean run. {hint}",
                code(command)
            ),
            Problem::NotRepeatable { ended } => format!(
                "The steps cannot be repeated: run again with every candidate bound, they ended otherwise ({}). \
                 Something outside the candidate folders remembers the first run (a server, a daemon, a file in a fixed place): \
                 pick steps that can run again (e.g. log out at the end), or add --candidate VAR for the place it keeps.",
                ended.join("; ")
            ),
            Problem::Escaped { paths } => format!(
                "The tool wrote (or tried to write) outside the scratch folders, into your own files: {}. \
                 No binding among the candidates kept it there, so nothing can be proved; swop keeps your home read-only while the tool runs, \
                 which may also be why a step failed. Find the variable that names this place and add it with --candidate VAR.",
                paths
                    .iter()
                    .take(6)
                    .map(|p| code(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Problem::SharedWrite { paths, movers } => format!(
                "The accounts are not isolated: with every candidate bound, the tool still wrote {}, outside every folder a variable gave it, \
                 so both accounts would write the same file. {}",
                paths
                    .iter()
                    .take(6)
                    .map(|p| code(p))
                    .collect::<Vec<_>>()
                    .join(", "),
                if movers.is_empty() {
                    "No variable among the candidates moves it: if the tool has one, add it with --candidate VAR; \
                     if it has none (ssh reads the home from the password database), the tool cannot run as two accounts side by side"
                        .to_string()
                } else {
                    format!(
                        "A variable that moves it: {}; add it with --candidate VAR.",
                        movers
                            .iter()
                            .map(|m| code(m))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
            Problem::Interactive { step, command } => format!(
                "The two-account run was not run: step {step} ({}) talks to the terminal, and two accounts cannot answer one unattended. \
                 Pipe its input instead (e.g. `sh -c 'printf \"$KEY\\n\" | TOOL login --with-api-key'`) to have it proved.",
                code(command)
            ),
            Problem::NoPassingRun => {
                "No run with the final set passed: the result is not verified.".to_string()
            }
        }
    }
}
