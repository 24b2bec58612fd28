//! Live tracing on macOS: eslogger (macOS 13+, Endpoint Security, real pids)
//! and fs_usage (any release, kdebug, thread ids and process names), both run
//! through sudo around one traced step.
//!
//! A step goes: snapshot the run folder, start the tracer writing to the 0600
//! trace file, wait until it has printed something (a Mac always has file
//! activity, so the first line means the tracer is live), run the tool, give
//! the tracer a second to drain, stop it with SIGINT, snapshot again, and read
//! the trace.
//!
//! Process groups: sudo relays a signal only when the sender is outside the
//! process group sudo started in, so the tracer gets a group of its own (which
//! also keeps the terminal's Ctrl-C away from it). eslogger mutes its own
//! process group; the tool gets a group of its own as well, and the terminal's
//! foreground while it runs, so that Ctrl-C and /dev/tty reach the tool. The
//! tool's pid is the root of the process tree the eslogger parser follows.
//! While a tracer runs, swop ignores Ctrl-C and stops the tracer before it
//! dies of SIGTERM or SIGHUP: a root tracer is never left running.
//!
//! fs_usage knows threads and 16-byte process names only. An event is kept when
//! its process name is the tool's or one that the tool's processes executed,
//! or when its thread is one that became the tool (an exec keeps the thread
//! and changes the name, e.g. to an interpreter). fs_usage prints only the
//! source of a rename, so whatever appeared or changed between the snapshots
//! without a write in the trace is added to the observation.

mod names;
mod process;
mod signals;
mod snapshots;
mod tool;
mod tracers;

use std::collections::BTreeSet;
use std::fs;
use std::io::BufReader;
use std::path::Path;

use super::system;
use super::tracer::Observation;
use crate::error::{Result, at_path};
use crate::trace::{self, Format, Op};
use names::fs_usage_observation_seeded;

pub use tracers::MacTracer;

/// Makes swop take the running OS for `macos` or `linux`, so that the live
/// macOS path can run against stand-in tracers elsewhere.
const HOST_OS_VAR: &str = "SWOP_TEST_HOST_OS";

/// Whether swop is running on macOS (or told to act as if, see [`HOST_OS_VAR`]).
pub fn host_is_macos() -> bool {
    match std::env::var_os(HOST_OS_VAR) {
        Some(v) if v == "macos" => true,
        Some(v) if v == "linux" => false,
        _ => cfg!(target_os = "macos"),
    }
}

/// The release as `sw_vers` names it: `macOS 14.5 (23F79)`.
pub fn os_release() -> Option<String> {
    parse_sw_vers(&system::command_output("sw_vers", &[])?)
}

fn parse_sw_vers(text: &str) -> Option<String> {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(key)?.strip_prefix(':'))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match (field("ProductName"), field("ProductVersion")) {
        (Some(name), Some(version)) => Some(match field("BuildVersion") {
            Some(build) => format!("{name} {version} ({build})"),
            None => format!("{name} {version}"),
        }),
        _ => {
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            (!lines.is_empty()).then(|| lines.join("; "))
        }
    }
}

/// The major release number, from `sw_vers -productVersion`.
fn major_version() -> Option<u32> {
    system::command_output("sw_vers", &["-productVersion"])?
        .trim()
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Read a trace captured by hand on a Mac, keeping only the processes of the
/// catalogued tool it ran (`codex`, `gh`, ...) when it ran one: fs_usage by
/// process name, eslogger by the process tree of the first such exec. Other
/// formats, and traces without a known tool, are read whole.
pub fn observe_trace_file(format: Format, path: &Path, cwd: &Path) -> Result<Observation> {
    let known = |p: &Path| crate::recipe::known(&p.to_string_lossy()).is_some();
    match format {
        Format::FsUsage => fs_usage_observation_seeded(path, cwd, BTreeSet::new(), &known),
        Format::Eslogger => {
            let file = fs::File::open(path).map_err(at_path("cannot read trace", path))?;
            let mut root = None;
            trace::eslogger::parse(BufReader::new(file), None, &mut |e| {
                if root.is_none() && e.op == Op::Exec && known(&e.path) {
                    root = Some(e.pid);
                }
            })
            .map_err(at_path("cannot read trace", path))?;
            Observation::from_trace(format, path, cwd, root)
        }
        Format::Strace => Observation::from_trace(format, path, cwd, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/macos");

    fn paths(obs: &Observation) -> Vec<String> {
        let mut all: Vec<String> = obs.paths.keys().map(|p| p.display().to_string()).collect();
        all.sort();
        all
    }

    #[test]
    fn hand_taken_fixtures_keep_only_codex() {
        let fs = observe_trace_file(
            Format::FsUsage,
            &Path::new(FIXTURES).join("fs_usage_codex_login.log"),
            Path::new("/Users/me/project"),
        )
        .unwrap();
        let es = observe_trace_file(
            Format::Eslogger,
            &Path::new(FIXTURES).join("eslogger_codex_login.jsonl"),
            Path::new("/Users/me/project"),
        )
        .unwrap();
        for obs in [&fs, &es] {
            let all = paths(obs);
            assert!(
                all.contains(&"/Users/me/.swop-scratch/A/CODEX_HOME/auth.json".to_string()),
                "{all:#?}"
            );
            for noise in ["Chrome", "Spotlight", "Terminal"] {
                assert!(
                    !all.iter().any(|p| p.contains(noise)),
                    "{noise} in {all:#?}"
                );
            }
            assert!(
                obs.execs.contains(Path::new("/usr/local/bin/codex")),
                "{all:#?}"
            );
        }
    }

    #[test]
    fn sw_vers_reads_as_one_release() {
        assert_eq!(
            parse_sw_vers(
                "ProductName:\t\tmacOS\nProductVersion:\t\t14.5\nBuildVersion:\t\t23F79\n"
            )
            .as_deref(),
            Some("macOS 14.5 (23F79)")
        );
        assert_eq!(
            parse_sw_vers("ProductName: Mac OS X\nProductVersion: 10.15.7\n").as_deref(),
            Some("Mac OS X 10.15.7")
        );
        assert_eq!(
            parse_sw_vers("something else").as_deref(),
            Some("something else")
        );
    }
}
