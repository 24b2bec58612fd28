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

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::io::{BufReader, Read};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::method::progress;
use super::snapshot::Snapshot;
use super::system;
use super::tracer::{Exit, Observation, Output, StepTracer, create_trace_file};
use crate::cli::Tracer;
use crate::error::{Error, Result, at_path};
use crate::trace::{self, Format, Op, TraceEvent};

/// Makes swop take the running OS for `macos` or `linux`, so that the live
/// macOS path can run against stand-in tracers elsewhere.
const HOST_OS_VAR: &str = "SWOP_TEST_HOST_OS";

/// The eslogger events a trace needs: file calls, and the process tree.
const ESLOGGER_EVENTS: [&str; 9] = [
    "open", "create", "write", "rename", "unlink", "close", "exec", "fork", "exit",
];

/// `-e` with no list turns off fs_usage's default exclusions (Terminal, sshd,
/// sh, csh, tcsh...), which would hide a tool started through `sh -c`.
const FS_USAGE_ARGS: [&str; 4] = ["-w", "-e", "-f", "filesys"];

/// fs_usage's process names are the kernel's `p_comm`, cut to this many bytes.
const COMM_LEN: usize = 16;

/// Longest wait for the tracer's first line.
const READY_TIMEOUT: Duration = Duration::from_secs(15);
/// How long the tracer may keep draining its buffers after the tool exits.
const DRAIN: Duration = Duration::from_secs(1);
/// How long a signalled tracer gets to exit before a harder signal.
const STOP_GRACE: Duration = Duration::from_secs(5);

const FULL_DISK_ACCESS: &str = "grant Full Disk Access to the terminal app you run swop from (System Settings > Privacy & Security > Full Disk Access), quit and reopen it, and run swop again with sudo access";

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    FsUsage,
    Eslogger,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::FsUsage => "fs_usage",
            Kind::Eslogger => "eslogger",
        }
    }
}

/// fs_usage or eslogger, found and run through sudo.
pub struct MacTracer {
    kind: Kind,
    program: PathBuf,
    /// `None` when swop already runs as root and there is no sudo.
    sudo: Option<PathBuf>,
}

impl MacTracer {
    /// The tracer asked for, else eslogger where it exists (macOS 13+), else
    /// fs_usage; then one `sudo -v`, so that no password prompt comes mid-run.
    pub fn select(requested: Option<Tracer>) -> Result<MacTracer> {
        let kind = match requested {
            Some(Tracer::Strace) => {
                return Err(Error::usage(
                    "strace traces Linux only; on macOS swop uses eslogger (macOS 13+) or fs_usage",
                ));
            }
            Some(Tracer::Eslogger) => Kind::Eslogger,
            Some(Tracer::FsUsage) => Kind::FsUsage,
            None if which::which("eslogger").is_ok()
                && major_version().is_some_and(|v| v >= 13) =>
            {
                Kind::Eslogger
            }
            None => Kind::FsUsage,
        };
        let program = which::which(kind.name()).map_err(|_| {
            Error::user(match kind {
                Kind::Eslogger => {
                    "eslogger was not found: it ships with macOS 13 and later as /usr/bin/eslogger; on older releases use --tracer fs_usage"
                }
                Kind::FsUsage => {
                    "fs_usage was not found: it ships with macOS as /usr/bin/fs_usage; check PATH"
                }
            })
        })?;
        let sudo = match which::which("sudo") {
            Ok(sudo) => Some(sudo),
            // SAFETY: geteuid has no preconditions.
            Err(_) if unsafe { libc::geteuid() } == 0 => None,
            Err(_) => {
                return Err(Error::user(format!(
                    "{} needs root, and sudo was not found; run swop discover as root or install sudo",
                    kind.name()
                )));
            }
        };
        let tracer = MacTracer {
            kind,
            program,
            sudo,
        };
        tracer.authenticate(true)?;
        Ok(tracer)
    }

    /// Make sure sudo will not ask for a password while a step runs: `sudo -v`
    /// on the terminal the first time, later only when `sudo -n -v` fails.
    fn authenticate(&self, first: bool) -> Result<()> {
        let Some(sudo) = &self.sudo else {
            return Ok(());
        };
        if !first {
            let cached = Command::new(sudo)
                .args(["-n", "-v"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if cached {
                return Ok(());
            }
        }
        progress(&format!(
            "{} needs root: running sudo -v (it may ask for your password)",
            self.kind.name()
        ));
        let status = Command::new(sudo)
            .arg("-v")
            .stdin(Stdio::inherit())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .status()
            .map_err(at_path("cannot run", sudo))?;
        if status.success() {
            Ok(())
        } else {
            Err(Error::user(format!(
                "{} needs root and `sudo -v` failed ({}); run swop discover from a terminal where sudo works for you",
                self.kind.name(),
                Exit::from(status)
            )))
        }
    }

    /// Start the tracer with its output going to `trace`.
    fn start(&self, trace: &Path) -> Result<RunningTracer> {
        let mut cmd = match &self.sudo {
            Some(sudo) => {
                let mut cmd = Command::new(sudo);
                cmd.arg("-n").arg(&self.program);
                cmd
            }
            None => Command::new(&self.program),
        };
        match self.kind {
            Kind::FsUsage => cmd.args(FS_USAGE_ARGS),
            Kind::Eslogger => cmd.args(ESLOGGER_EVENTS),
        };
        let out = fs::OpenOptions::new()
            .write(true)
            .open(trace)
            .map_err(at_path("cannot open trace file", trace))?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::piped());
        // SAFETY: only async-signal-safe calls (setpgid, signal) between fork
        // and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::setpgid(0, 0);
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                libc::signal(libc::SIGTERM, libc::SIG_DFL);
                Ok(())
            });
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| Error::user(format!("cannot start {}: {e}", self.kind.name())))?;
        let signals = TracerSignals::new(child.id());
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let reader = child.stderr.take().map(|mut pipe| {
            let sink = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut kept) = sink.lock()
                        && kept.len() < 64 * 1024
                    {
                        kept.extend_from_slice(&buf[..n]);
                    }
                }
            })
        });
        Ok(RunningTracer {
            child,
            kind: self.kind,
            sudo: self.sudo.clone(),
            stderr,
            reader,
            ended: false,
            _signals: signals,
        })
    }
}

impl StepTracer for MacTracer {
    fn describe(&self) -> String {
        match self.kind {
            Kind::Eslogger => format!(
                "eslogger {} (through sudo; the tool's process tree by pid)",
                ESLOGGER_EVENTS.join(" ")
            ),
            Kind::FsUsage => format!(
                "fs_usage {} (through sudo; the tool's processes by name, renames completed from before/after snapshots)",
                FS_USAGE_ARGS.join(" ")
            ),
        }
    }

    fn trace(
        &self,
        tool: Command,
        trace: &Path,
        output: Output,
        watch: &Path,
    ) -> Result<(Exit, Observation)> {
        self.authenticate(false)?;
        create_trace_file(trace)?;
        let cwd = tool
            .get_current_dir()
            .map(Path::to_path_buf)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("/"));
        let seed = comm_of(tool.get_program());
        let before = Snapshot::take(&[watch]);
        let mut tracer = self.start(trace)?;
        tracer.wait_ready(trace)?;
        let ran = run_tool(tool, output);
        if ran.is_ok() {
            std::thread::sleep(DRAIN);
        }
        let stopped = tracer.stop();
        let (exit, pid) = ran?;
        stopped?;
        let after = Snapshot::take(&[watch]);
        let mut obs = match self.kind {
            Kind::Eslogger => Observation::from_trace(Format::Eslogger, trace, &cwd, Some(pid))?,
            Kind::FsUsage => fs_usage_observation(trace, &cwd, BTreeSet::from([seed]))?,
        };
        add_snapshot_changes(&mut obs, &before, &after, watch);
        Ok((exit, obs))
    }
}

/// A tracer started for one step; stopped (or killed) before it is dropped.
struct RunningTracer {
    child: Child,
    kind: Kind,
    sudo: Option<PathBuf>,
    stderr: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
    ended: bool,
    _signals: TracerSignals,
}

impl RunningTracer {
    /// Wait until the trace file has its first bytes, or fail when the tracer
    /// ends first (no root, no Full Disk Access, a bad option).
    fn wait_ready(&mut self, trace: &Path) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.try_wait()? {
                return Err(self.failure(status, "could not start"));
            }
            if fs::metadata(trace).is_ok_and(|m| m.len() > 0) {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                progress(&format!(
                    "{} printed nothing in {} s; tracing anyway",
                    self.kind.name(),
                    READY_TIMEOUT.as_secs()
                ));
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stop the tracer; an error when it had already ended by itself.
    fn stop(mut self) -> Result<()> {
        if let Some(status) = self.try_wait()? {
            return Err(self.failure(status, "stopped before the tool finished"));
        }
        self.halt();
        Ok(())
    }

    fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        let status = self.child.try_wait().map_err(|e| Error::Io {
            context: format!("cannot check on {}", self.kind.name()),
            source: e,
        })?;
        self.ended |= status.is_some();
        Ok(status)
    }

    /// SIGINT (fs_usage and eslogger flush and exit), then SIGTERM, both
    /// relayed by sudo; then SIGKILL to the tracer's whole process group.
    fn halt(&mut self) {
        for (signal, group) in [
            (libc::SIGINT, false),
            (libc::SIGTERM, false),
            (libc::SIGKILL, true),
        ] {
            if self.ended {
                return;
            }
            self.signal(signal, group);
            let deadline = Instant::now() + STOP_GRACE;
            while Instant::now() < deadline {
                if self.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        progress(&format!(
            "{} (pid {}) did not stop; end it with: sudo kill {}",
            self.kind.name(),
            self.child.id(),
            self.child.id()
        ));
    }

    /// Signal the sudo process, which relays the signal to the tracer, or the
    /// tracer's whole process group (led by sudo); through sudo when the kernel
    /// refuses, as it does for the root members of the group.
    fn signal(&self, signal: libc::c_int, group: bool) {
        let Ok(pid) = libc::pid_t::try_from(self.child.id()) else {
            return;
        };
        let target = if group { -pid } else { pid };
        // SAFETY: kill has no memory preconditions; pid is our own child.
        if unsafe { libc::kill(target, signal) } == 0 && !group {
            return;
        }
        if let Some(sudo) = &self.sudo {
            let _ = Command::new(sudo)
                .args(["-n", "kill", &format!("-{signal}"), &target.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }

    fn stderr_text(&mut self) -> String {
        if let Some(reader) = &self.reader {
            let deadline = Instant::now() + Duration::from_millis(500);
            while !reader.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        self.stderr
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    fn failure(&mut self, status: ExitStatus, what: &str) -> Error {
        let stderr = self.stderr_text();
        explain_failure(self.kind, status, &stderr, what)
    }
}

impl Drop for RunningTracer {
    fn drop(&mut self) {
        if !self.ended {
            self.halt();
        }
    }
}

/// What to tell the user when the tracer ended on its own.
fn explain_failure(kind: Kind, status: ExitStatus, stderr: &str, what: &str) -> Error {
    let name = kind.name();
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .collect();
    let detail = if lines.is_empty() {
        Exit::from(status).to_string()
    } else {
        lines.join(" / ")
    };
    let upper = stderr.to_ascii_uppercase();
    let text = if upper.contains("NOT_PERMITTED")
        || upper.contains("FULL DISK ACCESS")
        || upper.contains("TCC")
    {
        format!(
            "{name} {what}: it is not permitted to watch file events ({detail}). To fix it, {FULL_DISK_ACCESS}; or use --tracer fs_usage"
        )
    } else if upper.contains("NOT_PRIVILEGED")
        || upper.contains("MUST BE RUN AS ROOT")
        || upper.contains("MUST BE ROOT")
    {
        let fda = if kind == Kind::Eslogger {
            format!("; eslogger also needs Full Disk Access: {FULL_DISK_ACCESS}")
        } else {
            String::new()
        };
        format!(
            "{name} {what}: it must run as root ({detail}); run swop discover where `sudo {name}` works (sudo -v){fda}"
        )
    } else if upper.contains("PASSWORD IS REQUIRED") || upper.starts_with("SUDO:") {
        format!(
            "{name} {what}: sudo would not run it without a password ({detail}); run `sudo -v` in this terminal, then swop discover again"
        )
    } else if upper.contains("TOO_MANY_CLIENTS") {
        format!(
            "{name} {what}: too many Endpoint Security clients are running ({detail}); stop another eslogger or security tool, or use --tracer fs_usage"
        )
    } else {
        format!("{name} {what} ({detail})")
    };
    Error::user(text)
}

/// The name fs_usage prints for a program: its file name, cut to 16 bytes.
fn comm_of(program: &OsStr) -> String {
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

fn read_fs_usage(
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
fn fs_usage_observation(trace: &Path, cwd: &Path, seeds: BTreeSet<String>) -> Result<Observation> {
    let mut threads: HashMap<u32, ThreadLog> = HashMap::new();
    read_fs_usage(trace, cwd, &mut |e| {
        let log = threads.entry(e.pid).or_default();
        let comm = e.comm.unwrap_or_default();
        let at = match log.names.iter().position(|n| *n == comm) {
            Some(at) => at,
            None => {
                log.names.push(comm);
                log.names.len() - 1
            }
        };
        if e.op == Op::Exec && e.result.is_ok() {
            log.execs.push((at, e.path, e.syscall != "posix_spawn"));
        }
    })?;
    let tool = ToolProcesses::find(&threads, seeds);
    drop(threads);
    let mut obs = Observation::default();
    let stats = read_fs_usage(trace, cwd, &mut |e| {
        if tool.includes(&e) {
            obs.add(e);
        }
    })?;
    obs.stats = stats;
    Ok(obs)
}

/// Read a trace captured by hand on a Mac, keeping only the processes of the
/// catalogued tool it ran (`codex`, `gh`, ...) when it ran one: fs_usage by
/// process name, eslogger by the process tree of the first such exec. Other
/// formats, and traces without a known tool, are read whole.
pub fn observe_trace_file(format: Format, path: &Path, cwd: &Path) -> Result<Observation> {
    let known = |p: &Path| crate::recipe::known(&p.to_string_lossy()).is_some();
    match format {
        Format::FsUsage => {
            let mut seeds = BTreeSet::new();
            read_fs_usage(path, cwd, &mut |e| {
                if e.op == Op::Exec && e.result.is_ok() && known(&e.path) {
                    seeds.insert(comm_of(e.path.as_os_str()));
                }
            })?;
            if seeds.is_empty() {
                return Observation::from_trace(format, path, cwd, None);
            }
            fs_usage_observation(path, cwd, seeds)
        }
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

/// Add what the snapshots show and the trace does not: files that appeared
/// (creates, and the destination of a rename fs_usage cannot print), files
/// that changed, and entries that went away. The run folder's own files (the
/// traces) and a folder's changed times (its entries are listed themselves)
/// are left out.
fn add_snapshot_changes(obs: &mut Observation, before: &Snapshot, after: &Snapshot, watch: &Path) {
    let existed: HashSet<PathBuf> = before.changes(&Snapshot::default()).into_iter().collect();
    for path in before.changes(after) {
        if path.parent() == Some(watch) || obs.paths.get(&path).is_some_and(|i| i.written()) {
            continue;
        }
        let op = match fs::symlink_metadata(&path) {
            Ok(meta) if !existed.contains(&path) => {
                if meta.is_dir() {
                    Op::Mkdir
                } else {
                    Op::Create
                }
            }
            Ok(meta) if meta.is_dir() => continue,
            Ok(_) => Op::Write,
            Err(_) => Op::Delete,
        };
        obs.add(TraceEvent {
            pid: 0,
            syscall: "snapshot".into(),
            op,
            path,
            result: Ok(0),
            comm: None,
        });
    }
}

/// Run the tool in a process group of its own (eslogger mutes the group it
/// runs in, which is swop's) and wait for it; its exit and pid. When swop owns
/// the terminal, the tool's group gets the foreground while it runs: Ctrl-C and
/// /dev/tty reach the tool, not the tracer.
fn run_tool(mut cmd: Command, output: Output) -> Result<(Exit, u32)> {
    cmd.stdin(Stdio::inherit()).stderr(Stdio::inherit());
    match output {
        Output::Terminal => {
            cmd.stdout(Stdio::inherit());
        }
        Output::StderrOnly => {
            let fd = std::os::fd::AsFd::as_fd(&std::io::stderr())
                .try_clone_to_owned()
                .map_err(|e| Error::Io {
                    context: "cannot redirect output".into(),
                    source: e,
                })?;
            cmd.stdout(Stdio::from(fd));
        }
    }
    let tty = foreground_terminal();
    let tty_fd = tty.as_ref().map(AsRawFd::as_raw_fd);
    // SAFETY: only async-signal-safe calls (setpgid, signal, tcsetpgrp, getpid)
    // between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::setpgid(0, 0);
            if let Some(fd) = tty_fd {
                libc::signal(libc::SIGTTOU, libc::SIG_IGN);
                libc::tcsetpgrp(fd, libc::getpid());
            }
            for signal in [libc::SIGINT, libc::SIGQUIT, libc::SIGTTOU, libc::SIGTSTP] {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    let _ignored = SignalHandlers::ignore(&[libc::SIGINT, libc::SIGQUIT, libc::SIGTTOU]);
    let take_back = || {
        if let Some(fd) = tty_fd {
            // SAFETY: fd is open (tty lives until the end of this function).
            unsafe { libc::tcsetpgrp(fd, libc::getpgrp()) };
        }
    };
    let program = cmd.get_program().to_string_lossy().into_owned();
    let child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            take_back();
            return Err(Error::user(format!("cannot run {program}: {e}")));
        }
    };
    let pid = child.id() as libc::pid_t;
    // Both sides set the group and the foreground, so neither races the other.
    // SAFETY: plain system calls on our own child.
    unsafe {
        libc::setpgid(pid, pid);
        if let Some(fd) = tty_fd {
            libc::tcsetpgrp(fd, pid);
        }
    }
    let status = wait_keeping_running(pid, tty_fd);
    take_back();
    drop(child);
    drop(tty);
    Ok((Exit::from(status?), pid as u32))
}

/// The controlling terminal, when swop's process group is in its foreground.
fn foreground_terminal() -> Option<fs::File> {
    let tty = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    // SAFETY: plain system calls on an open descriptor.
    let ours = unsafe { libc::tcgetpgrp(tty.as_raw_fd()) == libc::getpgrp() };
    ours.then_some(tty)
}

/// Wait for the tool to end. A tool stopped by Ctrl-Z or by touching the
/// terminal from the background is continued: swop cannot be suspended with it.
fn wait_keeping_running(pid: libc::pid_t, tty_fd: Option<i32>) -> Result<ExitStatus> {
    loop {
        let mut status = 0;
        // SAFETY: status is a valid out pointer; pid is our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WUNTRACED) };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Error::Io {
                context: "cannot wait for the traced tool".into(),
                source: e,
            });
        }
        if libc::WIFSTOPPED(status) {
            let signal = libc::WSTOPSIG(status);
            if signal == libc::SIGTTIN || signal == libc::SIGTTOU {
                match tty_fd {
                    // SAFETY: plain system call on an open descriptor.
                    Some(fd) => unsafe {
                        libc::tcsetpgrp(fd, pid);
                    },
                    None => std::thread::sleep(Duration::from_millis(200)),
                }
            }
            // SAFETY: signalling our own child's process group.
            unsafe { libc::kill(-pid, libc::SIGCONT) };
            continue;
        }
        return Ok(ExitStatus::from_raw(status));
    }
}

/// Signal handlers installed for a while, the old ones restored on drop.
struct SignalHandlers(Vec<(libc::c_int, libc::sighandler_t)>);

impl SignalHandlers {
    fn ignore(signals: &[libc::c_int]) -> Self {
        Self::install(signals.iter().map(|&s| (s, libc::SIG_IGN)))
    }

    fn install(handlers: impl Iterator<Item = (libc::c_int, libc::sighandler_t)>) -> Self {
        SignalHandlers(
            handlers
                // SAFETY: the handlers are SIG_IGN or stop_tracer_and_die, which
                // makes only async-signal-safe calls.
                .map(|(s, h)| (s, unsafe { libc::signal(s, h) }))
                .collect(),
        )
    }
}

impl Drop for SignalHandlers {
    fn drop(&mut self) {
        for &(signal, old) in self.0.iter().rev() {
            // SAFETY: restoring the handler saved when installing.
            unsafe { libc::signal(signal, old) };
        }
    }
}

/// The running tracer's sudo process, for [`stop_tracer_and_die`].
static TRACER_PID: AtomicI32 = AtomicI32::new(0);

/// Stop the tracer, then die of the signal as if swop had no handler.
extern "C" fn stop_tracer_and_die(signal: libc::c_int) {
    let pid = TRACER_PID.load(Ordering::SeqCst);
    // SAFETY: kill, signal and raise are async-signal-safe.
    unsafe {
        if pid > 0 {
            libc::kill(pid, libc::SIGINT);
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// While a tracer runs: Ctrl-C and Ctrl-\ are ignored (the tracer is stopped
/// in order, and the tool gets them while it runs), SIGTERM and SIGHUP stop
/// the tracer before swop dies of them.
struct TracerSignals {
    _handlers: SignalHandlers,
}

impl TracerSignals {
    fn new(pid: u32) -> Self {
        TRACER_PID.store(i32::try_from(pid).unwrap_or(0), Ordering::SeqCst);
        let die = stop_tracer_and_die as extern "C" fn(libc::c_int) as libc::sighandler_t;
        let handlers = SignalHandlers::install(
            [
                (libc::SIGINT, libc::SIG_IGN),
                (libc::SIGQUIT, libc::SIG_IGN),
                (libc::SIGTERM, die),
                (libc::SIGHUP, die),
            ]
            .into_iter(),
        );
        TracerSignals {
            _handlers: handlers,
        }
    }
}

impl Drop for TracerSignals {
    fn drop(&mut self) {
        TRACER_PID.store(0, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/macos");

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
    fn snapshots_fill_in_what_the_trace_misses() {
        let dir = tempfile::tempdir().unwrap();
        let watch = dir.path();
        let a = watch.join("A/FOO_HOME");
        fs::create_dir_all(&a).unwrap();
        fs::write(a.join("changed"), "1").unwrap();
        fs::write(a.join("gone"), "1").unwrap();
        fs::write(a.join(".tmp1"), "1").unwrap();
        let before = Snapshot::take(&[watch]);
        fs::rename(a.join(".tmp1"), a.join("token")).unwrap();
        fs::write(a.join("changed"), "22").unwrap();
        fs::remove_file(a.join("gone")).unwrap();
        fs::create_dir(a.join("sub")).unwrap();
        fs::write(watch.join("trace-A-1.strace"), "x").unwrap();
        let after = Snapshot::take(&[watch]);
        let mut obs = Observation::default();
        obs.add(TraceEvent {
            pid: 1,
            syscall: "rename".into(),
            op: Op::RenameFrom,
            path: a.join(".tmp1"),
            result: Ok(0),
            comm: Some("footool".into()),
        });
        add_snapshot_changes(&mut obs, &before, &after, watch);
        let ops = |name: &str| -> Vec<Op> {
            obs.paths
                .get(&a.join(name))
                .map(|i| i.ops.iter().copied().collect())
                .unwrap_or_default()
        };
        assert_eq!(ops("token"), [Op::Create]);
        assert_eq!(ops("changed"), [Op::Write]);
        assert_eq!(ops("gone"), [Op::Delete]);
        assert_eq!(ops("sub"), [Op::Mkdir]);
        assert_eq!(ops(".tmp1"), [Op::RenameFrom]);
        assert!(!obs.paths.contains_key(&watch.join("trace-A-1.strace")));
        assert!(!obs.paths.contains_key(&a));
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

    #[test]
    fn names_are_cut_like_the_kernel_cuts_them() {
        assert_eq!(
            comm_of(OsStr::new("/opt/bin/footool-token-refresher-daemon")),
            "footool-token-re"
        );
        assert_eq!(comm_of(OsStr::new("codex")), "codex");
    }

    #[test]
    fn tracer_failures_say_what_to_grant() {
        let status = ExitStatus::from_raw(1 << 8);
        let fda = explain_failure(
            Kind::Eslogger,
            status,
            "ERROR: Failed to create ES client: ES_NEW_CLIENT_RESULT_ERR_NOT_PERMITTED\n",
            "could not start",
        )
        .to_string();
        assert!(fda.contains("Full Disk Access"), "{fda}");
        assert!(fda.contains("Privacy & Security"), "{fda}");
        assert!(fda.contains("sudo"), "{fda}");
        let root = explain_failure(
            Kind::Eslogger,
            status,
            "ES_NEW_CLIENT_RESULT_ERR_NOT_PRIVILEGED",
            "could not start",
        )
        .to_string();
        assert!(
            root.contains("root") && root.contains("Full Disk Access"),
            "{root}"
        );
        let fs_root = explain_failure(
            Kind::FsUsage,
            status,
            "'fs_usage' must be run as root...",
            "could not start",
        )
        .to_string();
        assert!(fs_root.contains("must run as root"), "{fs_root}");
        assert!(!fs_root.contains("Full Disk Access"), "{fs_root}");
    }
}
