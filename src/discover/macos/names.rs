//! The fs_usage process-name filter: which names and threads of a trace are
//! the tool's.

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::super::model::Source;
use super::super::model::{Observation, PathHasher};
use super::observation::{add, rename_without_destination, resolve_relative};
use crate::error::Result;
use crate::trace::{self, Op, TraceEvent};

/// A cheap hash for keys no one else picks.
type FastHash = std::hash::BuildHasherDefault<PathHasher>;

/// The lengths fs_usage cuts process names to: the kernel's `p_comm` (disk
/// I/O lines, and syscall lines of older releases) and `p_name` (syscall
/// lines of recent releases).
const CUT_AT: [usize; 2] = [16, 32];

/// The name fs_usage prints for a program: its file name, cut to 32 bytes
/// (compare it with [`same_command`], which knows the 16-byte cut too).
pub(super) fn comm_of(program: &OsStr) -> String {
    let name = Path::new(program).file_name().unwrap_or(program).as_bytes();
    String::from_utf8_lossy(&name[..name.len().min(CUT_AT[1])]).into_owned()
}

/// Whether two process names fs_usage printed can name the same program:
/// equal, or the shorter one cut at 16 or 32 bytes and the start of the other.
pub(super) fn same_command(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    // A character cut in half reads as one replacement character.
    let whole = short.trim_end_matches('\u{fffd}');
    let cut_here = if whole.len() == short.len() {
        CUT_AT.contains(&short.len())
    } else {
        CUT_AT.iter().any(|&at| (at - 3..at).contains(&whole.len()))
    };
    cut_here && long.as_bytes().starts_with(whole.as_bytes())
}

/// Process names, compared as [`same_command`] does.
#[derive(Debug, Default)]
struct Names(Vec<String>);

impl Names {
    fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|n| same_command(n, name))
    }

    /// Add `name`; whether it was new.
    fn insert(&mut self, name: &str) -> bool {
        if self.0.iter().any(|n| n == name) {
            return false;
        }
        let new = !self.contains(name);
        self.0.push(name.to_string());
        new
    }
}

/// What one thread did under each name it ran as.
#[derive(Default)]
struct ThreadLog {
    /// The names in order of first sight; a new one follows an exec. A name
    /// cut shorter (disk I/O lines) is the same name.
    names: Vec<String>,
    /// Programs executed: the name index at the time, the program, and whether
    /// the thread itself became it (execve) or started a child (posix_spawn).
    execs: Vec<(usize, PathBuf, bool)>,
}

impl ThreadLog {
    fn name_index(&mut self, comm: &str) -> usize {
        match self.names.iter().position(|n| same_command(n, comm)) {
            Some(at) => at,
            None => {
                self.names.push(comm.to_string());
                self.names.len() - 1
            }
        }
    }
}

/// The tool's processes in an fs_usage trace: names, and threads that became
/// the tool by an exec.
#[derive(Debug, Default)]
struct ToolProcesses {
    names: Names,
    threads: std::collections::HashSet<u32>,
}

impl ToolProcesses {
    fn find(threads: &HashMap<u32, ThreadLog>, seeds: BTreeSet<String>) -> ToolProcesses {
        let mut found = ToolProcesses::default();
        for seed in &seeds {
            found.names.insert(seed);
        }
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
                    changed |= found.names.insert(name);
                }
                for (at, path, _) in &log.execs {
                    if *at >= from {
                        changed |= found.names.insert(&comm_of(path.as_os_str()));
                    }
                }
            }
            if !changed {
                return found;
            }
        }
    }

    /// An event of any process starting one of the tool's programs (the start
    /// of the tool itself is its parent's event).
    fn starts_tool(&self, event: &TraceEvent) -> bool {
        event.op == Op::Exec && self.names.contains(&comm_of(event.path.as_os_str()))
    }
}

/// An fs_usage trace read for one tool.
pub(super) struct FsUsageRead {
    /// `stats.events` counts the events of the tool's processes only.
    pub obs: Observation,
    /// Lines in the narrow layout, which are not read, and in the wide one.
    pub narrow: u64,
    pub wide: u64,
    /// Whether the trace was cut down to a tool's processes (seeds were given
    /// or found); if not, it holds every process.
    pub filtered: bool,
}

/// The events of an fs_usage trace that belong to the processes named by
/// `seeds` and the programs they executed; relative paths are joined to `cwd`
/// where they exist.
pub(super) fn fs_usage_observation(
    trace: &Path,
    cwd: &Path,
    seeds: BTreeSet<String>,
) -> Result<Observation> {
    Ok(fs_usage_read(trace, Some(cwd), seeds, &|_| false)?.obs)
}

/// What one thread did under one of its names.
#[derive(Default)]
struct Group {
    obs: Observation,
    events: u64,
}

/// Like [`fs_usage_observation`], with more seeds taken from the programs
/// executed that `seed` picks; with no seed at all, everything in the trace.
/// Without `cwd` (a trace from elsewhere), relative paths stay relative.
///
/// One pass: which names and threads are the tool's is known only at the end,
/// so what each thread did under each of its names is kept apart until then.
pub(super) fn fs_usage_read<S: Source + ?Sized>(
    trace: &S,
    cwd: Option<&Path>,
    mut seeds: BTreeSet<String>,
    seed: &dyn Fn(&Path) -> bool,
) -> Result<FsUsageRead> {
    let mut threads: HashMap<u32, ThreadLog> = HashMap::new();
    let mut groups: HashMap<(u32, usize), Group, FastHash> = HashMap::default();
    let mut execs: Vec<TraceEvent> = Vec::new();
    let summary = trace::fs_usage::read(trace.open()?, &mut |mut e, printed| {
        if let Some(cwd) = cwd {
            resolve_relative(&mut e, printed, cwd);
        }
        let ok_exec = e.op == Op::Exec && e.result.is_ok();
        if ok_exec && seed(&e.path) {
            seeds.insert(comm_of(e.path.as_os_str()));
        }
        let log = threads.entry(e.pid).or_default();
        let at = log.name_index(e.comm.as_deref().unwrap_or_default());
        if ok_exec {
            log.execs
                .push((at, e.path.clone(), e.syscall != "posix_spawn"));
            execs.push(e.clone());
        }
        let group = groups.entry((e.pid, at)).or_default();
        group.events += 1;
        if rename_without_destination(&e) {
            group.obs.renames_without_destination += 1;
        }
        add(&mut group.obs, e, printed);
    })
    .map_err(|e| crate::error::Error::Io {
        action: "cannot read trace",
        path: Some(trace.name().into()),
        source: e,
    })?;
    let mut obs = Observation::default();
    let mut events = 0;
    let filtered = !seeds.is_empty();
    if filtered {
        let tool = ToolProcesses::find(&threads, seeds);
        for ((tid, at), group) in groups {
            if tool.threads.contains(&tid) || tool.names.contains(&threads[&tid].names[at]) {
                events += group.events;
                obs.merge(group.obs);
            }
        }
        for exec in execs {
            if tool.starts_tool(&exec) {
                obs.add(exec);
            }
        }
    } else {
        for group in groups.into_values() {
            events += group.events;
            obs.merge(group.obs);
        }
    }
    obs.stats = summary.stats;
    obs.stats.events = events;
    Ok(FsUsageRead {
        obs,
        narrow: summary.narrow,
        wide: summary.wide,
        filtered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
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
                // /work does not exist here: the relative path stays as printed.
                "rel/state",
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
            comm_of(OsStr::new(
                "/opt/bin/footool-token-refresher-daemon-with-a-long-name"
            )),
            "footool-token-refresher-daemon-w"
        );
        assert_eq!(comm_of(OsStr::new("codex")), "codex");
        let long = "footool-token-refresher-daemon";
        assert!(same_command(long, "footool-token-re"));
        assert!(same_command("footool-token-re", long));
        assert!(same_command(
            "footool-token-refresher-daemon-w",
            "footool-token-refresher-daemon-with-a-long-name"
        ));
        // Only a name of a cut length can be a cut name.
        assert!(!same_command("footool", "footool-token-refresher-daemon"));
        assert!(!same_command("footool-token-ref", long));
        assert!(!same_command("footool-token-xx", long));
        // A character cut in half by the 16-byte cut.
        let accented = "cafe-tool-xx-\u{e9}\u{e9}\u{e9}-refresh";
        let cut = String::from_utf8_lossy(&accented.as_bytes()[..16]).into_owned();
        assert!(cut.ends_with('\u{fffd}'), "{cut}");
        assert!(same_command(&cut, accented));
    }

    #[test]
    fn disk_io_under_the_short_name_is_the_same_process() {
        let daemon = "footool-token-refresher-daemon";
        let text = [
            line("posix_spawn", "", "/opt/bin/footool-token-refresher-daemon", "footool", 51),
            // Syscall lines carry 32 bytes of the name, disk I/O lines 16.
            line("open", "F=4        (_WC_T_)", "/home/a/.foo/token", daemon, 61),
            format!(
                "10:41:07.000300    WrData[A]       D=0x0a3c1f20  B=0x1000   /dev/disk3s1  {:<170}   0.000410 W footool-token-re.61\n",
                "/home/a/.foo/token.journal"
            ),
            line("open", "F=4        (_WC_T_)", "/noise/other-thread", "footool-token-rX", 62),
        ]
        .concat();
        let obs = observe(&text, "footool");
        assert_eq!(
            paths(&obs),
            [
                "/home/a/.foo/token",
                "/home/a/.foo/token.journal",
                "/opt/bin/footool-token-refresher-daemon",
            ]
        );
        // The spawn is footool's event; the daemon's thread did two things.
        assert_eq!(obs.stats.events, 3);
    }

    #[test]
    fn only_the_tools_events_are_counted() {
        let foreign = [
            line("open", "F=3        (R_____)", "/noise/a", "mds_stores", 9),
            line("open", "F=3        (_WC_T_)", "/noise/b", "Terminal", 10),
        ]
        .concat();
        let obs = observe(&foreign, "footool");
        assert!(obs.paths.is_empty());
        assert_eq!((obs.stats.events, obs.stats.lines), (0, 2));
        // Started by swop and seen doing nothing: still nothing of the tool.
        let started = [
            foreign.clone(),
            line("posix_spawn", "", "/opt/bin/footool", "swop", 50),
        ]
        .concat();
        let obs = observe(&started, "footool");
        assert_eq!(paths(&obs), ["/opt/bin/footool"]);
        assert_eq!(obs.stats.events, 0);
        let busy = [
            started,
            line("rename", "", "/home/a/.foo/.t1", "footool", 51),
            line("renameatx_np", "", "[-2]//home/a/.foo/.t2", "footool", 51),
            line("rename", "", "/noise/c", "mds_stores", 9),
        ]
        .concat();
        let obs = observe(&busy, "footool");
        assert_eq!(obs.stats.events, 2);
        assert_eq!(obs.renames_without_destination, 2);
    }
}
