//! Traces taken elsewhere: what to run to take one, and how one is analysed.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::classify::{self, Class, Classifier};
use super::findings::{global_writes, redacted_invocation, tracing_limitations};
use super::macos;
use super::method::real_home;
use super::report::{Findings, Requirement, StepView, TestedOn};
use super::runner::Concurrency;
use crate::cli::Os;
use crate::error::{Error, Result, at_path};
use crate::recipe;
use crate::trace::{self, Format};

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Strace => "strace",
        Format::FsUsage => "fs_usage",
        Format::Eslogger => "eslogger",
    }
}

/// What to run on another OS to capture a trace for --trace-file.
pub fn capture_instructions(os: Os) -> String {
    match os {
        Os::Macos => "macOS tracing runs on macOS. Capture a trace there and analyse it here with --trace-file:\n\
             \n  # fs_usage (any macOS; root): start it, run the tool in another terminal, then Ctrl-C\n\
             \x20 sudo fs_usage -w -e -f filesys > fs_usage.log\n\
             \x20 swop discover --os macos --trace-file fs_usage.log --json\n\
             \n  # eslogger (macOS 13+; root and Full Disk Access for the terminal)\n\
             \x20 sudo eslogger open create write rename unlink close exec fork exit > eslogger.jsonl\n\
             \x20 swop discover --trace-file eslogger.jsonl --json\n\
             \nOr run swop discover itself on the Mac."
            .to_string(),
        Os::Linux => "Linux tracing runs on Linux (or WSL2). Capture a trace there and analyse it here with --trace-file:\n\
             \n  strace -f -y -e trace=%file -o tool.strace -- TOOL ARGS\n\
             \x20 swop discover --os linux --trace-file tool.strace --json\n\
             \nOr run swop discover itself on the Linux machine."
            .to_string(),
    }
}

/// Analyse a trace captured elsewhere: classify what it touched and suggest the
/// variables whose default folders hold the state it wrote. Nothing is run, so
/// nothing is verified.
pub fn analyse_trace_file(file: &Path, format: Option<Format>, os: Os) -> Result<Findings> {
    let mut head = Vec::new();
    std::fs::File::open(file)
        .map_err(at_path("cannot open", file))?
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(at_path("cannot read", file))?;
    if head.is_empty() {
        return Err(Error::user(format!(
            "{} is empty: not a trace",
            file.display()
        )));
    }
    let format = match format {
        Some(f) => f,
        None => trace::detect_format(&head).ok_or_else(|| {
            Error::user(format!(
                "cannot tell the format of {}: it looks like no strace, fs_usage or eslogger output; pass --format if it is one",
                file.display()
            ))
        })?,
    };
    // strace's relative paths are read against this folder; a Mac's trace
    // keeps its relative paths relative (its working directory is unknown).
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    // A capture taken by hand holds every process of the machine: keep the tool's.
    let obs = macos::observe_trace_file(format, file, &cwd)?;
    if obs.paths.is_empty() {
        return Err(Error::user(format!(
            "no file events in {} ({} lines read, {} not understood): is it a truncated or a different trace? {}",
            file.display(),
            obs.stats.lines,
            obs.stats.unknown,
            macos::empty_trace_hint(format_name(format)),
        )));
    }
    // The trace's home: this machine's, when the trace ran under it, else the
    // home folder its paths point at most.
    let home = real_home()
        .filter(|h| h != Path::new("/") && obs.paths.keys().any(|p| p.starts_with(h)))
        .or_else(|| classify::guess_home(obs.paths.keys().map(PathBuf::as_path)));
    let program_roots: Vec<PathBuf> = obs
        .execs
        .iter()
        .filter_map(|e| e.parent())
        .filter(|p| !classify::is_system(p) && *p != Path::new("/"))
        .map(Path::to_path_buf)
        .collect();
    let classifier = Classifier {
        layout: None,
        real_home: home.clone(),
        escape_roots: Vec::new(),
        program_roots,
        work_dir: None,
    };
    let paths = classify::merge_by_path(
        obs.paths
            .iter()
            .map(|(p, info)| classifier.classify(p, info)),
    );

    let mut minimal = BTreeSet::new();
    let mut reasons: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in &paths {
        let var = if let Some(rest) = p.path.strip_prefix("$HOME/") {
            (p.class == Class::Leak).then(|| classify::default_var_for(Path::new(rest)).to_string())
        } else if p.class == Class::Isolated || p.class == Class::Leak {
            p.path
                .strip_prefix('$')
                .and_then(|s| s.split('/').next())
                .map(str::to_string)
        } else {
            None
        };
        if let Some(var) = var.filter(|_| p.ops.iter().any(|o| *o != "read" && *o != "stat")) {
            reasons.entry(var.clone()).or_default().push(p.path.clone());
            minimal.insert(var);
        }
    }
    let required = reasons
        .iter()
        .map(|(var, paths)| Requirement {
            var: var.clone(),
            reason: format!(
                "the trace writes state in its default folder: {}",
                paths
                    .iter()
                    .take(4)
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect();
    let mut limitations = vec![
        "Analysed a trace taken elsewhere: the variables are suggested from where the state was written, not proved. Run swop discover on that machine to verify them.".to_string(),
    ];
    if obs.renames_without_destination > 0 {
        limitations.push(macos::rename_limitation(obs.renames_without_destination));
    }
    let cut = paths.iter().filter(|p| p.truncated).count();
    if cut > 0 {
        limitations.push(format!(
            "{cut} path(s) were cut by the tracer (shown with `…` where the rest was): where they lead is unknown, and they were not placed in any folder."
        ));
    }
    let relative = paths.iter().filter(|p| p.relative).count();
    if relative > 0 {
        limitations.push(format!(
            "{relative} path(s) are relative to a folder the trace does not name (the traced machine's working directory, or a symbolic link's folder): they were left as printed."
        ));
    }
    limitations.extend(global_writes(&paths));
    let tool = obs
        .execs
        .iter()
        .find_map(|e| recipe::known(&e.to_string_lossy()))
        .map(|k| k.tool.to_string());
    limitations.extend(tracing_limitations(
        format == Format::FsUsage,
        os == Os::Macos,
        obs.stats.unknown,
        tool.as_deref(),
    ));
    let minimal: Vec<String> = minimal.into_iter().collect();
    let format_name = format_name(format);
    Ok(Findings {
        tool,
        tool_version: None,
        os: match os {
            Os::Linux => "linux".into(),
            Os::Macos => "macos".into(),
        },
        tested_on: TestedOn {
            os_release: None,
            uname: None,
            wsl: false,
            tracer: format!("{format_name} trace from {}", file.display()),
        },
        commands: Vec::new(),
        minimal_env: minimal.clone(),
        files: Vec::new(),
        unset: Vec::new(),
        verified: false,
        problems: Vec::new(),
        required,
        candidates: Vec::new(),
        runs: Vec::new(),
        steps: vec![StepView {
            command: format!("(trace file {})", file.display()),
            exit: None,
            paths: paths.clone(),
        }],
        paths,
        concurrency: Concurrency::not_run(),
        clean_room: Default::default(),
        stopped: Vec::new(),
        limitations,
        runbook: vec![
            redacted_invocation(),
            if minimal.is_empty() {
                "# nothing to bind".into()
            } else {
                format!(
                    "swop add work {}",
                    minimal
                        .iter()
                        .map(|v| format!("--bind {v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            },
        ],
        trace_lines: obs.stats.lines,
        unknown_lines: obs.stats.unknown,
    })
}
