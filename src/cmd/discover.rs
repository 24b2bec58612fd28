//! `swop discover`: trace a command (or read a trace taken elsewhere), print
//! or write the report, and record the proved recipe with `--record`.

use std::io::IsTerminal;
use std::path::Path;

use super::Run;
use super::print_bytes;
use crate::cli::DiscoverArgs;
use crate::discover::progress;
use crate::discover::{self, Options, Output};
use crate::error::{Result, Usage, at_path};

impl Run for Box<DiscoverArgs> {
    fn run(&self) -> Result<()> {
        if self.print_capture {
            let line = discover::capture_command(self.os, &self.command);
            return print_bytes(format!("{line}\n").as_bytes());
        }
        let options = self.options();
        let findings = if !self.trace_file.is_empty() {
            if !self.command.is_empty() {
                return Err(Usage::TraceFileAndCommand.into());
            }
            discover::analyse(&self.trace_file, self.format, self.os, self.all_paths)?
        } else {
            discover::run(&options)?
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
                .map_err(crate::error::doing("writing to stdout"))?;
        } else if self.report.is_none() {
            eprintln!();
            print_bytes(findings.to_markdown().as_bytes())?;
        }
        if self.record.is_some() {
            discover::record(&options, &findings)?;
        } else if !findings.verified && self.trace_file.is_empty() {
            progress("the result is NOT verified; see Limitations");
        }
        Ok(())
    }
}

impl DiscoverArgs {
    fn options(&self) -> Options {
        Options {
            os: self.os,
            command: self.command.clone(),
            steps: self.steps.clone(),
            candidates: self.candidates.clone(),
            record: self.record.clone(),
            tracer: self.tracer,
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
            all_paths: self.all_paths,
        }
    }
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
        return crate::files::replace_private_file(path, text);
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
