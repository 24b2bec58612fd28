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
//! fs_usage knows threads and process names cut to 16 or 32 bytes only. An
//! event is kept when its process name is the tool's or one that the tool's
//! processes executed, or when its thread is one that became the tool (an
//! exec keeps the thread and changes the name, e.g. to an interpreter).
//! fs_usage prints only the source of a rename, so whatever appeared or
//! changed between the snapshots without a write in the trace is added to the
//! observation, and the renames are counted for the report's Limitations.
//! Its relative paths are joined to the tool's working directory only where
//! the joined path exists (see `observation`).
//!
//! Either way the observation's `stats.events` counts the tool's own events
//! only: 0 means the tracer saw nothing of the tool, which is a tracer
//! failure ([`crate::error::empty_trace_hint`]), not a tool that touches nothing.

mod names;
mod observation;
mod running;
mod snapshots;
mod tool;
mod tracer;

use std::collections::BTreeSet;
use std::path::Path;

use super::Tracer;
use super::model::Observation;
use super::model::Source;
use crate::error::{Discover, Error, Result, Trace};
use crate::trace::{self, Format, Op};
use names::fs_usage_read;
use observation::eslogger_observation;

pub use tracer::MacTracer;

/// Read a trace captured by hand on a Mac, keeping only the processes of the
/// catalogued tool it ran (`codex`, `gh`, ...) when it ran one: fs_usage by
/// process name, eslogger by the process tree of the first such exec. Other
/// formats, and traces without a known tool, are read whole. The Mac's
/// working directory is unknown: fs_usage's relative paths stay relative.
pub fn observe_trace_file<S: Source + ?Sized>(format: Format, trace: &S) -> Result<Observation> {
    let known = |p: &Path| crate::recipe::known(&p.to_string_lossy()).is_some();
    let name = trace.name();
    let (obs, filtered, tracer) = match format {
        Format::FsUsage => {
            let read = fs_usage_read(trace, None, BTreeSet::new(), &known)?;
            if read.narrow > 0 && read.wide == 0 {
                return Err(Discover::Trace(Trace::Narrow(name)).into());
            }
            let mut obs = read.obs;
            obs.stats.unknown += read.narrow;
            (obs, read.filtered, Tracer::FsUsage)
        }
        Format::Eslogger => {
            let mut root = None;
            trace::eslogger::parse(trace.open()?, None, &mut |e| {
                if root.is_none() && e.op == Op::Exec && known(&e.path) {
                    root = Some(e.pid);
                }
            })
            .map_err(|e| Error::Io {
                action: "cannot read trace",
                path: Some(name.clone().into()),
                source: e,
            })?;
            (
                eslogger_observation(trace, root)?,
                root.is_some(),
                Tracer::Eslogger,
            )
        }
        Format::Strace => {
            return Err(Discover::Trace(Trace::NotMacos).into());
        }
    };
    // The tool was seen starting, and then nothing it did.
    if filtered && obs.paths.keys().all(|p| obs.execs.contains(&**p)) {
        return Err(Discover::Trace(Trace::OnlyStarting {
            name,
            started: obs.execs.iter().cloned().collect(),
            lines: obs.stats.lines,
            tracer,
        })
        .into());
    }
    Ok(obs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

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
        )
        .unwrap();
        let es = observe_trace_file(
            Format::Eslogger,
            &Path::new(FIXTURES).join("eslogger_codex_login.jsonl"),
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

    fn write_trace(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    }

    fn fs_line(call: &str, fields: &str, path: &str, comm: &str, tid: u32) -> String {
        format!("10:41:07.000100  {call:<17}{fields:<26}{path:<190}   0.000031   {comm}.{tid}\n")
    }

    #[test]
    fn a_narrow_capture_is_refused_with_the_command_to_take_a_wide_one() {
        let dir = tempfile::tempdir().unwrap();
        let trace = write_trace(
            dir.path(),
            "narrow.log",
            "13:20:43  getattrlist       /Users/me/x              0.000011   mds\n\n",
        );
        let err = observe_trace_file(Format::FsUsage, &trace).unwrap_err();
        assert!(
            matches!(err, Error::Discover(Discover::Trace(Trace::Narrow(_)))),
            "{err:?}"
        );
    }

    #[test]
    fn a_capture_of_the_tool_starting_and_nothing_else_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let foreign = [
            fs_line("open", "F=3        (R_____)", "/noise/a", "mds_stores", 9),
            fs_line("posix_spawn", "", "/usr/local/bin/codex", "zsh", 50),
            fs_line("open", "F=3        (_WC_T_)", "/Users/me/x", "Terminal", 10),
        ]
        .concat();
        let trace = write_trace(dir.path(), "fs.log", &foreign);
        let err = observe_trace_file(Format::FsUsage, &trace).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Discover(Discover::Trace(Trace::OnlyStarting { started, tracer: Tracer::FsUsage, .. }))
                    if started == &[std::path::PathBuf::from("/usr/local/bin/codex")]
            ),
            "{err:?}"
        );
        // The same with one file event of codex is read.
        let busy = format!(
            "{foreign}{}",
            fs_line(
                "open",
                "F=3        (R_____)",
                "/Users/me/.codex/config.toml",
                "codex",
                51
            )
        );
        let trace = write_trace(dir.path(), "fs2.log", &busy);
        let obs = observe_trace_file(Format::FsUsage, &trace).unwrap();
        assert_eq!(obs.stats.events, 1);
        // eslogger: codex's exec is seen, then only other processes.
        let es = concat!(
            r#"{"event":{"exec":{"target":{"audit_token":[0,0,0,0,0,700,0,0],"executable":{"path":"\/usr\/local\/bin\/codex"}}}},"process":{"audit_token":[0,0,0,0,0,700,0,0],"ppid":1,"executable":{"path":"\/bin\/zsh"}},"version":10}"#,
            "\n",
            r#"{"event":{"open":{"fflag":1,"file":{"path":"\/noise"}}},"process":{"audit_token":[0,0,0,0,0,9,0,0],"ppid":1,"executable":{"path":"\/usr\/sbin\/mds"}},"version":10}"#,
            "\n"
        );
        let trace = write_trace(dir.path(), "es.jsonl", es);
        let err = observe_trace_file(Format::Eslogger, &trace).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Discover(Discover::Trace(Trace::OnlyStarting {
                    tracer: Tracer::Eslogger,
                    ..
                }))
            ),
            "{err:?}"
        );
    }
}
