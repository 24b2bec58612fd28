//! The fs_usage process-name filter: which names and threads of a trace are
//! the tool's.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::io::BufReader;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::super::tracer::{Observation, PathHasher};
use crate::error::{Result, at_path};
use crate::trace::{self, Op, TraceEvent};

/// A cheap hash for keys no one else picks.
type FastHash = std::hash::BuildHasherDefault<PathHasher>;

/// fs_usage's process names are the kernel's `p_comm`, cut to this many bytes.
const COMM_LEN: usize = 16;

/// The name fs_usage prints for a program: its file name, cut to 16 bytes.
pub(super) fn comm_of(program: &OsStr) -> String {
    let name = Path::new(program).file_name().unwrap_or(program).as_bytes();
    String::from_utf8_lossy(&name[..name.len().min(COMM_LEN)]).into_owned()
}

/// What one thread did under each name it ran as.
#[derive(Default)]
struct ThreadLog {
    /// The names in order of first sight; a new one follows an exec.
    names: Vec<String>,
    /// Programs executed: the name index at the time, the program, and whether
    /// the thread itself became it (execve) or started a child (posix_spawn).
    execs: Vec<(usize, PathBuf, bool)>,
}

/// The tool's processes in an fs_usage trace: names, and threads that became
/// the tool by an exec.
#[derive(Debug, Default)]
struct ToolProcesses {
    names: HashSet<String>,
    threads: HashSet<u32>,
}

impl ToolProcesses {
    fn find(threads: &HashMap<u32, ThreadLog>, seeds: BTreeSet<String>) -> ToolProcesses {
        let mut found = ToolProcesses {
            names: seeds.into_iter().collect(),
            threads: HashSet::new(),
        };
        loop {
            let mut changed = false;
            for (tid, log) in threads {
                let by_name = log.names.iter().position(|n| found.names.contains(n));
                let by_exec = log
                    .execs
                    .iter()
                    .filter(|(_, path, replaces)| {
                        *replaces && found.names.contains(&comm_of(path.as_os_str()))
                    })
                    .map(|(at, _, _)| at + 1)
                    .min();
                let from = match (by_name, by_exec) {
                    (Some(a), Some(b)) => a.min(b),
                    (a, b) => match a.or(b) {
                        Some(from) => from,
                        None => continue,
                    },
                };
                changed |= found.threads.insert(*tid);
                for name in log.names.iter().skip(from) {
                    changed |= found.names.insert(name.clone());
                }
                for (at, path, _) in &log.execs {
                    if *at >= from {
                        changed |= found.names.insert(comm_of(path.as_os_str()));
                    }
                }
            }
            if !changed {
                return found;
            }
        }
    }

    /// An event of the tool's processes, or any process starting one of the
    /// tool's programs (the start of the tool itself is its parent's event).
    fn includes(&self, event: &TraceEvent) -> bool {
        self.threads.contains(&event.pid)
            || event.comm.as_ref().is_some_and(|c| self.names.contains(c))
            || (event.op == Op::Exec && self.names.contains(&comm_of(event.path.as_os_str())))
    }
}

pub(super) fn read_fs_usage(
    trace: &Path,
    cwd: &Path,
    sink: &mut dyn FnMut(TraceEvent),
) -> Result<trace::ParseStats> {
    let file = fs::File::open(trace).map_err(at_path("cannot read trace", trace))?;
    trace::fs_usage::parse(BufReader::with_capacity(1 << 20, file), cwd, sink)
        .map_err(at_path("cannot read trace", trace))
}

/// The events of an fs_usage trace that belong to the processes named by
/// `seeds` and the programs they executed.
pub(super) fn fs_usage_observation(
    trace: &Path,
    cwd: &Path,
    seeds: BTreeSet<String>,
) -> Result<Observation> {
    fs_usage_observation_seeded(trace, cwd, seeds, &|_| false)
}

/// Like [`fs_usage_observation`], with more seeds taken from the programs
/// executed that `seed` picks; with no seed at all, everything in the trace.
///
/// One pass: which names and threads are the tool's is known only at the end,
/// so what each thread did under each of its names is kept apart until then.
pub(super) fn fs_usage_observation_seeded(
    trace: &Path,
    cwd: &Path,
    mut seeds: BTreeSet<String>,
    seed: &dyn Fn(&Path) -> bool,
) -> Result<Observation> {
    let mut threads: HashMap<u32, ThreadLog> = HashMap::new();
    let mut groups: HashMap<(u32, usize), Observation, FastHash> = HashMap::default();
    let mut execs: Vec<TraceEvent> = Vec::new();
    let stats = read_fs_usage(trace, cwd, &mut |e| {
        let ok_exec = e.op == Op::Exec && e.result.is_ok();
        if ok_exec && seed(&e.path) {
            seeds.insert(comm_of(e.path.as_os_str()));
        }
        let log = threads.entry(e.pid).or_default();
        let comm = e.comm.as_deref().unwrap_or_default();
        let at = match log.names.iter().position(|n| n == comm) {
            Some(at) => at,
            None => {
                log.names.push(comm.to_string());
                log.names.len() - 1
            }
        };
        if ok_exec {
            log.execs
                .push((at, e.path.clone(), e.syscall != "posix_spawn"));
            execs.push(e.clone());
        }
        groups.entry((e.pid, at)).or_default().add(e);
    })?;
    let mut obs = Observation::default();
    if seeds.is_empty() {
        for group in groups.into_values() {
            obs.merge(group);
        }
    } else {
        let tool = ToolProcesses::find(&threads, seeds);
        for ((tid, at), group) in groups {
            if tool.threads.contains(&tid) || tool.names.contains(&threads[&tid].names[at]) {
                obs.merge(group);
            }
        }
        for exec in execs {
            if tool.includes(&exec) {
                obs.add(exec);
            }
        }
    }
    obs.stats = stats;
    Ok(obs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn line(call: &str, fields: &str, path: &str, comm: &str, tid: u32) -> String {
        format!("10:41:07.000100  {call:<17}{fields:<26}{path:<190}   0.000031   {comm}.{tid}\n")
    }

    fn observe(text: &str, seed: &str) -> Observation {
        let dir = tempfile::tempdir().unwrap();
        let trace = dir.path().join("trace");
        fs::File::create(&trace)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        fs_usage_observation(
            &trace,
            Path::new("/work"),
            BTreeSet::from([seed.to_string()]),
        )
        .unwrap()
    }

    fn paths(obs: &Observation) -> Vec<String> {
        let mut all: Vec<String> = obs.paths.keys().map(|p| p.display().to_string()).collect();
        all.sort();
        all
    }

    #[test]
    fn fs_usage_keeps_the_tool_and_what_it_started() {
        let text = [
            line(
                "open",
                "F=3        (R_____)",
                "/noise/before",
                "mds_stores",
                9,
            ),
            // swop's forked child execs the tool; the thread then runs an interpreter.
            line("execve", "", "/opt/bin/footool", "swop", 50),
            line(
                "open",
                "F=3        (R_____)",
                "/opt/lib/interp.js",
                "node",
                50,
            ),
            line("open", "F=3        (_WC_T_)", "rel/state", "footool", 51),
            line(
                "posix_spawn",
                "",
                "/opt/bin/footool-token-refresher-daemon",
                "footool",
                51,
            ),
            line("mkdir", "", "/home/a/.foo", "footool-token-re", 60),
            line(
                "open",
                "F=4        (_WC_T_)",
                "/home/a/.foo/token",
                "footool-token-re",
                61,
            ),
            // Another node process: the same name, so it is kept (fs_usage cannot tell).
            line(
                "open",
                "F=3        (R_____)",
                "/other/node/file",
                "node",
                70,
            ),
            line(
                "open",
                "F=3        (_WC_T_)",
                "/shared/token",
                "mds_stores",
                9,
            ),
            line("open", "F=3        (_WC_T_)", "/noise/swop-own", "swop", 1),
        ]
        .concat();
        let obs = observe(&text, "footool");
        assert_eq!(
            paths(&obs),
            [
                "/home/a/.foo",
                "/home/a/.foo/token",
                "/opt/bin/footool",
                "/opt/bin/footool-token-refresher-daemon",
                "/opt/lib/interp.js",
                "/other/node/file",
                "/work/rel/state",
            ]
        );
        assert!(obs.execs.contains(Path::new("/opt/bin/footool")));
    }

    #[test]
    fn a_spawn_by_another_process_does_not_take_its_thread() {
        let text = [
            line("posix_spawn", "", "/opt/bin/footool", "launchd", 1),
            line("open", "F=3        (_WC_T_)", "/launchd/own", "launchd", 1),
            line("open", "F=3        (_WC_T_)", "/tool/own", "footool", 2),
        ]
        .concat();
        assert_eq!(
            paths(&observe(&text, "footool")),
            ["/opt/bin/footool", "/tool/own"]
        );
    }

    #[test]
    fn names_are_cut_like_the_kernel_cuts_them() {
        assert_eq!(
            comm_of(OsStr::new("/opt/bin/footool-token-refresher-daemon")),
            "footool-token-re"
        );
        assert_eq!(comm_of(OsStr::new("codex")), "codex");
    }
}
