//! Traces taken elsewhere: what to run to take one, and how one is analysed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

mod inputs;

pub use inputs::TraceInputs;

use super::classify::{self, Class, ClassifiedPath, Classifier};
use super::cleanroom::real_home;
use super::concurrent::Concurrency;
use super::macos;
use super::model::Observation;
use super::report::{
    Findings, PathCounts, Requirement, TestedOn, global_writes, redacted_invocation,
    rename_limitation, tracing_limitations,
};
use super::{Os, Tracer};
use crate::error::{Discover, Error, Result, Trace};
use crate::recipe;
use crate::trace::{self, Format};

/// The strace command swop prefers for a capture: `-y` names the folder of
/// every descriptor, `%process` and `fchdir` let the working folder of every
/// process be followed, so relative paths can be resolved, and `connect`
/// shows a keyring reached over D-Bus.
pub const STRACE_CAPTURE: &str =
    "strace -f -y -e trace=%file,%process,fchdir,connect -o tool.strace --";

/// The capture command swop prefers on `os`, for `command` when given.
pub fn capture_command(os: Os, command: &[OsString]) -> String {
    let shown = if command.is_empty() {
        "TOOL ARGS".to_string()
    } else {
        crate::shell::posix_join(command.iter().map(OsString::as_os_str))
    };
    match os {
        Os::Linux => format!("{STRACE_CAPTURE} {shown}"),
        Os::Macos => "sudo fs_usage -w -e -f filesys > fs_usage.log".to_string(),
    }
}

/// Read a trace taken elsewhere into one observation.
fn observe(inputs: &TraceInputs) -> Result<Observation> {
    match inputs.format {
        Format::Strace => observe_strace(inputs),
        format => macos::observe_trace_file(format, inputs),
    }
}

/// strace files, parents' before their children's: a `-ff` child's file
/// starts where its parent forked it. The traced machine's working folder is
/// unknown: relative paths the trace does not resolve stay relative.
fn observe_strace(inputs: &TraceInputs) -> Result<Observation> {
    let files = &inputs.files;
    let mut parent: HashMap<u32, u32> = HashMap::new();
    if files.iter().filter(|f| f.pid.is_some()).count() > 1 {
        for file in files {
            let Some(pid) = file.pid else { continue };
            let reader = open(&file.path, &file.shown)?;
            for child in trace::strace::children(reader).map_err(read_error(&file.shown))? {
                parent.entry(child).or_insert(pid);
            }
        }
    }
    let mut order: Vec<&inputs::TraceInput> = files.iter().collect();
    // Parents first: by the depth of each file's process in the fork tree.
    let depth = |pid: Option<u32>| {
        let mut d = 0;
        let mut at = pid;
        while let Some(p) = at.and_then(|p| parent.get(&p).copied()) {
            d += 1;
            at = Some(p);
            if d > files.len() {
                break;
            }
        }
        d
    };
    order.sort_by_key(|f| depth(f.pid));
    let mut session = trace::strace::Session::new(None);
    let mut obs = Observation::default();
    for file in order {
        let reader = open(&file.path, &file.shown)?;
        session
            .read(reader, file.pid, &mut |e| obs.add(e))
            .map_err(read_error(&file.shown))?;
    }
    obs.stats = session.stats();
    Ok(obs)
}

fn open(path: &Path, shown: &Path) -> Result<std::io::BufReader<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(read_error(shown))?;
    Ok(std::io::BufReader::with_capacity(1 << 20, file))
}

fn read_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    crate::error::at_path("cannot read trace", path)
}

/// Analyse a trace captured elsewhere: classify what it touched and suggest the
/// variables whose default folders hold the state it wrote. Nothing is run, so
/// nothing is verified. System files are counted, and listed with `all_paths`.
pub fn analyse_trace_file(inputs: &TraceInputs, os: Os, all_paths: bool) -> Result<Findings> {
    let format = inputs.format;
    let name = inputs.describe();
    // A capture taken by hand holds every process of the machine: keep the tool's.
    let obs = observe(inputs)?;
    if obs.paths.is_empty() {
        return Err(Discover::Trace(Trace::NoEvents {
            name,
            lines: obs.stats.lines,
            unknown: obs.stats.unknown,
            tracer: Tracer::of(format),
        })
        .into());
    }
    // The trace's home: this machine's, when the trace ran under it, else the
    // home folder its paths point at most.
    let home = real_home()
        .filter(|h| h != Path::new("/") && obs.paths.keys().any(|p| classify::under(p, h)))
        .or_else(|| classify::guess_home(obs.paths.keys().map(|p| &**p)));
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
        evidence: None,
    };
    let mut counts = PathCounts::default();
    let (mut cut, mut relative) = (0u64, 0u64);
    let shown: Vec<ClassifiedPath> = obs
        .paths
        .iter()
        .filter_map(|(p, info)| {
            counts.add(classifier.class_of(p, info));
            cut += u64::from(info.truncated);
            relative += u64::from(!info.truncated && p.is_relative());
            (all_paths || !classifier.counted_only(p, info)).then(|| classifier.classify(p, info))
        })
        .collect();
    let paths = classify::merge_by_path(shown);

    let mut minimal = BTreeSet::new();
    let mut reasons: BTreeMap<String, Vec<String>> = Default::default();
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
        if let Some(var) = var.filter(|_| p.ops.any_write()) {
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
        limitations.push(rename_limitation(obs.renames_without_destination));
    }
    if cut > 0 {
        limitations.push(format!(
            "{cut} path(s) were cut by the tracer (shown with `…` where the rest was): where they lead is unknown, and they were not placed in any folder."
        ));
    }
    if relative > 0 {
        limitations.push(relative_limitation(format, relative));
    }
    limitations.extend(global_writes(&paths));
    let tool = obs
        .execs
        .iter()
        .find_map(|e| recipe::known(&e.to_string_lossy()))
        .map(|k| k.tool.to_string());
    // The bus address of the machine the trace comes from is unknown: only
    // the default places of a login's bus are recognised.
    let keyrings = super::keyring::seen([&obs], &super::keyring::SessionBus::default());
    limitations.extend(super::keyring::limitation(&keyrings, tool.as_deref()));
    limitations.extend(tracing_limitations(
        format == Format::FsUsage,
        os == Os::Macos,
        obs.stats.unknown,
        tool.as_deref(),
    ));
    let minimal: Vec<String> = minimal.into_iter().collect();
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
            tracer: format!("{} trace from {name}", format.name()),
        },
        world: None,
        commands: Vec::new(),
        programs: obs
            .execs
            .iter()
            .filter_map(|e| e.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
        minimal_env: minimal.clone(),
        files: Vec::new(),
        unset: Vec::new(),
        verified: false,
        problems: Vec::new(),
        required,
        candidates: Vec::new(),
        runs: Vec::new(),
        steps: Vec::new(),
        paths,
        path_counts: counts,
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

/// What the report says of paths relative to a folder the trace does not
/// name, and how to capture so that they are resolved.
fn relative_limitation(format: Format, count: u64) -> String {
    match format {
        Format::Strace => format!(
            "{count} path(s) are relative to a working folder the capture does not show (marked relative, left as printed). \
             Capture with `{STRACE_CAPTURE} TOOL ARGS` (or -ff instead of -f): -y names each descriptor's folder, and %process with fchdir lets swop follow every process's working folder."
        ),
        _ => format!(
            "{count} path(s) are relative to a folder the trace does not name (the traced machine's working directory, or a symbolic link's folder): they were left as printed."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `-ff` files whose child has the lower pid (pids wrap around): the
    /// parent's file is still read first, so the child starts in the folder
    /// its parent changed to.
    #[test]
    fn a_parents_file_is_read_before_its_childs_whatever_the_pids() {
        let dir = tempfile::tempdir().expect("tempdir");
        let prefix = dir.path().join("cap");
        std::fs::write(
            dir.path().join("cap.900"),
            "chdir(\"/w\") = 0\nclone(child_stack=NULL, flags=SIGCHLD) = 100\n+++ exited with 0 +++\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("cap.100"),
            "openat(AT_FDCWD, \"f\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3\n+++ exited with 0 +++\n",
        )
        .expect("write");
        let inputs = TraceInputs::gather(&[prefix], None).expect("inputs");
        let obs = observe(&inputs).expect("observe");
        assert!(
            obs.info(Path::new("/w/f")).is_some(),
            "{:?}",
            obs.paths.keys()
        );
        assert!(obs.info(Path::new("f")).is_none());
    }
}
