//! `swop discover`: trace a command (or read a trace taken elsewhere), print
//! or write the report, and record the proved recipe with `--record`.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::Run;
use crate::cli::DiscoverArgs;
use crate::discover::findings::{self, today};
use crate::discover::inputs::TraceInputs;
use crate::discover::macos::MacTracer;
use crate::discover::method::{self, Options, Step, progress};
use crate::discover::offline::{analyse_trace_file, capture_command, capture_instructions};
use crate::discover::privacy::private;
use crate::discover::report::Findings;
use crate::discover::system::version_line;
use crate::discover::tracer::{Output, StepTracer, Strace};
use crate::discover::{Os, Tracer};
use crate::error::{Error, Result, at_path};
use crate::files;
use crate::output;
use crate::recipe::{Proof, Recipe, Verified};
use crate::store::Store;

impl Run for Box<DiscoverArgs> {
    fn run(&self) -> Result<()> {
        let here = if crate::sys::machine::host_is_macos() {
            Os::Macos
        } else {
            Os::Linux
        };
        let os = self.os.unwrap_or(here);
        if self.print_capture {
            return output::print_bytes(
                format!("{}\n", capture_command(os, &self.command)).as_bytes(),
            );
        }
        let findings = if !self.trace_file.is_empty() {
            if !self.command.is_empty() {
                return Err(Error::usage(
                    "--trace-file analyses a trace taken elsewhere; give no command after --",
                ));
            }
            let given: Vec<PathBuf> = self
                .trace_file
                .iter()
                .map(|f| {
                    if f.as_os_str() == "-" {
                        PathBuf::from("/dev/stdin")
                    } else {
                        f.clone()
                    }
                })
                .collect();
            let inputs = TraceInputs::gather(&given, self.format)?;
            analyse_trace_file(&inputs, os, self.all_paths)?
        } else {
            if os != here {
                return Err(Error::user(capture_instructions(os, &self.command)));
            }
            if self.command.is_empty() {
                return Err(Error::usage(
                    "no command to trace; usage: swop discover [options] -- CMD [ARGS]...",
                ));
            }
            let tracer: Box<dyn StepTracer> = match (os, self.tracer) {
                (Os::Linux, None | Some(Tracer::Strace)) => Box::new(Strace::find().map_err(
                    |e| {
                        Error::user(format!(
                            "{e}\nOr take the trace on a machine that has strace, and analyse it here:\n  {}\n  swop discover --trace-file tool.strace",
                            capture_command(Os::Linux, &self.command)
                        ))
                    },
                )?),
                (Os::Linux, Some(t)) => {
                    return Err(Error::usage(format!(
                        "{t:?} traces macOS only; on Linux swop uses strace"
                    )));
                }
                (Os::Macos, requested) => Box::new(MacTracer::select(requested)?),
            };
            self.discover_live(tracer.as_ref())?
        };
        if let Some(path) = &self.report {
            write_report(path, findings.to_markdown().as_bytes())
                .map_err(at_path("cannot write report", path))?;
            progress(&format!("report written to {}", path.display()));
        }
        // The result goes to stdout, so `swop discover -- CMD > report.md`
        // keeps it; the progress lines before it went to stderr.
        if self.json {
            findings
                .write_json(std::io::stdout().lock())
                .map_err(crate::error::io_context(|| "writing to stdout".into()))?;
        } else if self.report.is_none() {
            eprintln!();
            output::print_bytes(findings.to_markdown().as_bytes())?;
        }
        if let Some(tool) = &self.record {
            self.record(tool, &findings)?;
        } else if !findings.verified && self.trace_file.is_empty() {
            progress("the result is NOT verified; see Limitations");
        }
        Ok(())
    }
}

impl DiscoverArgs {
    fn steps(&self) -> Result<Vec<Step>> {
        let mut steps = vec![step_from_argv(self.command.clone())];
        for text in &self.steps {
            let words = shell_words::split(text)
                .map_err(|e| Error::usage(format!("cannot split --step {text:?}: {e}")))?;
            if words.is_empty() {
                return Err(Error::usage("--step needs a command"));
            }
            steps.push(step_from_argv(
                words.into_iter().map(OsString::from).collect(),
            ));
        }
        Ok(steps)
    }

    fn discover_live(&self, tracer: &dyn StepTracer) -> Result<Findings> {
        let opts = Options {
            steps: self.steps()?,
            extra_candidates: self.candidates.clone(),
            record: self.record.clone(),
            // stdout is swop's when it goes elsewhere than the terminal
            // (JSON, or the report redirected to a file): the traced tool's
            // own output then goes to stderr, which stays on the terminal.
            output: if self.json || !std::io::stdout().is_terminal() {
                Output::StderrOnly
            } else {
                Output::Terminal
            },
            keep_traces: self.keep_traces,
            timeout: self.timeout,
            expect_exit: self.expect_exit.clone(),
        };
        if let Some(tool) = &self.record {
            crate::names::check_tool_name(tool).map_err(|e| Error::usage(e.to_string()))?;
        }
        let d = method::discover(tracer, &opts)?;
        Ok(findings::findings_from(
            &d,
            &opts.steps,
            self.record.as_deref(),
            self.all_paths,
        ))
    }

    fn record(&self, tool: &str, findings: &Findings) -> Result<()> {
        if !findings.verified {
            return Err(Error::user(format!(
                "not recorded: the {tool} recipe could not be verified (see the report's Limitations)"
            )));
        }
        let store = Store::open_or_create()?;
        let mut programs = step_programs(&self.steps()?);
        programs.extend(findings.programs.iter().cloned());
        let recipe = recipe_from(tool, programs.iter().map(String::as_str), findings);
        let path = recipe.save(&store)?;
        progress(&format!(
            "recorded the {tool} recipe ({}) in {}; use it with: swop add NAME --tool {tool}",
            if findings.minimal_env.is_empty() {
                "no bindings".to_string()
            } else {
                findings.minimal_env.join(", ")
            },
            path.display()
        ));
        Ok(())
    }
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
        notes: findings::global_writes(&findings.paths)
            .into_iter()
            .collect(),
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

/// The names of the programs the steps run: each step's own, and for a
/// shell's `-c` script every word that names a program the catalog knows
/// (which is what the names are for).
fn step_programs(steps: &[Step]) -> Vec<String> {
    let mut programs = Vec::new();
    for step in steps {
        let words: Vec<String> = step
            .argv
            .iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect();
        let Some(first) = words.first() else {
            continue;
        };
        programs.push(first.rsplit('/').next().unwrap_or(first).to_string());
        let script = words
            .iter()
            .position(|w| w == "-c")
            .and_then(|i| words.get(i + 1));
        let script_words = script
            .and_then(|s| shell_words::split(s).ok())
            .unwrap_or_default();
        programs.extend(
            script_words
                .into_iter()
                .filter(|w| crate::recipe::known(w).is_some()),
        );
    }
    programs
}

fn step_from_argv(argv: Vec<OsString>) -> Step {
    let words: Vec<String> = argv
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let shown = findings::shown_command(&words);
    Step { argv, shown }
}

/// Write the report the way a shell's `>` would: a device, a FIFO, a link or
/// someone else's file is written in place and stays what it is (as root,
/// `--report /dev/null` must not turn /dev/null into a file). Only a new file
/// or a regular file of the user's with one name is replaced atomically.
fn write_report(path: &Path, text: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let replaceable = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta.is_file() && meta.uid() == crate::files::euid() && meta.nlink() == 1,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(e),
    };
    if replaceable {
        return files::replace_private_file(path, text);
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOCTTY)
        .open(path)?;
    std::io::Write::write_all(&mut file, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(words: &[&str]) -> Step {
        step_from_argv(words.iter().map(OsString::from).collect())
    }

    #[test]
    fn the_programs_of_steps_and_of_their_scripts() {
        let steps = [
            step(&["/opt/venv/bin/hf", "auth", "login"]),
            step(&[
                "sh",
                "-c",
                "echo token | gh auth login --with-token && cat x",
            ]),
        ];
        assert_eq!(step_programs(&steps), ["hf", "sh", "gh"]);
    }
}
