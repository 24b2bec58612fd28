//! `swop discover`: trace a tool, classify what it touches, find and prove the
//! smallest set of variables that keeps two accounts apart, and report.
//!
//! The front door: [`run`] a discovery on this machine, [`analyse`] a trace
//! taken elsewhere, [`record()`] the recipe a verified discovery proves. Behind
//! it, in layers:
//!
//! - the data every part shares ([`model`]), a traced step ([`step`]) and its
//!   supervision (`supervise`);
//! - the backends that trace a step: `linux` (strace) and `macos` (eslogger,
//!   fs_usage), chosen by `backend`;
//! - the world the runs see (`world`, `cleanroom`, `scratch`), the candidates
//!   (`candidates`), and the judgement of a path (`classify`);
//! - the method (`method`: explore, prune, verify) and the runs it makes
//!   (`runner`, `concurrent`);
//! - the findings and their report ([`report`]), and traces taken elsewhere
//!   (`offline`).

mod backend;
mod bisect;
mod candidates;
mod classify;
mod cleanroom;
mod concurrent;
mod keyring;
mod linux;
mod macos;
mod markdown;
mod method;
pub mod model;
mod offline;
pub mod privacy;
mod programs;
mod record;
pub mod report;
mod runner;
mod scratch;
mod snapshot;
mod step;
mod supervise;
mod trial;
mod verdict;
mod version;
mod world;

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

pub use crate::trace::{Os, Tracer};
pub use backend::{TracerStatus, describe_tracers};
pub use report::Findings;
pub use step::Output;

use crate::error::{Discover, Result, Usage};
use crate::trace::Format;

/// What to discover, and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The OS the discovery is for (`--os`); this machine's when `None`.
    pub os: Option<Os>,
    /// The first step: the command after `--`.
    pub command: Vec<OsString>,
    /// The steps after it, each a command line (`--step`).
    pub steps: Vec<String>,
    /// Variables to try besides those swop finds (`--candidate`).
    pub candidates: Vec<String>,
    /// The tool whose recipe to record (`--record`).
    pub record: Option<String>,
    pub tracer: Option<Tracer>,
    pub output: Output,
    pub keep_traces: bool,
    /// The time limit of every step (`--timeout`).
    pub timeout: Option<Duration>,
    /// Exit codes that count as a step doing its job, besides 0.
    pub expect_exit: Vec<i32>,
    /// Every path in the findings, not only the telling ones.
    pub all_paths: bool,
}

/// The OS swop runs on (or is told to act as, for tests).
pub fn host_os() -> Os {
    if crate::sys::machine::host_is_macos() {
        Os::Macos
    } else {
        Os::Linux
    }
}

/// Discover on this machine: trace the steps of `options` with the tracer
/// this OS has, find the smallest set of variables that keeps two accounts
/// apart, prove it, and say what was found.
pub fn run(options: &Options) -> Result<Findings> {
    let os = options.os.unwrap_or(host_os());
    if os != host_os() {
        return Err(Discover::CaptureElsewhere {
            os,
            capture: offline::capture_command(os, &options.command),
        }
        .into());
    }
    if options.command.is_empty() {
        return Err(Usage::NothingToTrace.into());
    }
    let tracer = backend::choose(os, options.tracer, &options.command)?;
    let steps = steps(options)?;
    if let Some(tool) = &options.record {
        crate::names::check_tool_name(tool).map_err(Usage::RecordName)?;
    }
    let method = method::Options {
        steps,
        extra_candidates: options.candidates.clone(),
        record: options.record.clone(),
        output: options.output,
        keep_traces: options.keep_traces,
        timeout: options.timeout,
        expect_exit: options.expect_exit.clone(),
    };
    let discovery = method::discover(tracer.as_ref(), &method)?;
    Ok(report::findings_from(
        &discovery,
        &method.steps,
        options.record.as_deref(),
        options.all_paths,
    ))
}

/// Analyse a trace taken elsewhere (`--trace-file`, `-` for stdin), of
/// `format` or the format its lines show, as a trace of `os`.
pub fn analyse(
    files: &[PathBuf],
    format: Option<Format>,
    os: Option<Os>,
    all_paths: bool,
) -> Result<Findings> {
    let given: Vec<PathBuf> = files
        .iter()
        .map(|f| {
            if f.as_os_str() == "-" {
                PathBuf::from("/dev/stdin")
            } else {
                f.clone()
            }
        })
        .collect();
    let inputs = offline::TraceInputs::gather(&given, format)?;
    offline::analyse_trace_file(&inputs, os.unwrap_or(host_os()), all_paths)
}

/// The command that captures a trace of `command` on `os`, to analyse here.
pub fn capture_command(os: Option<Os>, command: &[OsString]) -> String {
    offline::capture_command(os.unwrap_or(host_os()), command)
}

/// Record the recipe that `findings`, verified, prove for the tool of
/// `options.record` in the store; where it went.
pub fn record(options: &Options, findings: &Findings) -> Result<PathBuf> {
    let Some(tool) = &options.record else {
        return Err(Usage::RecordName(crate::error::Name::Tool(String::new())).into());
    };
    let path = record::record(tool, &steps(options)?, findings)?;
    progress(&format!(
        "recorded the {tool} recipe ({}) in {}; use it with: swop add NAME --tool {tool}",
        if findings.minimal_env.is_empty() {
            "no bindings".to_string()
        } else {
            findings.minimal_env.join(", ")
        },
        path.display()
    ));
    Ok(path)
}

/// The steps of `options`: the command, then each `--step` split as a shell
/// would.
fn steps(options: &Options) -> Result<Vec<model::Step>> {
    let mut steps = vec![step_of(options.command.clone())];
    for text in &options.steps {
        let words = shell_words::split(text).map_err(|error| Usage::StepSplit {
            text: text.clone(),
            error,
        })?;
        if words.is_empty() {
            return Err(Usage::EmptyStep.into());
        }
        steps.push(step_of(words.into_iter().map(OsString::from).collect()));
    }
    Ok(steps)
}

/// A step of `argv`, shown in reports as it would run: redacted, homes
/// hidden.
fn step_of(argv: Vec<OsString>) -> model::Step {
    let words: Vec<String> = argv
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let shown = report::shown_command(&words);
    model::Step { argv, shown }
}

/// One line of progress on stderr, redacted: what a discovery is doing.
pub fn progress(message: &str) {
    eprintln!("swop: {}", crate::redact::redact_text(message));
}
