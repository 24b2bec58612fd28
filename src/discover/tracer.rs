//! Tracing one step of a tool: finding and checking the tracers this machine
//! has, running a step under strace, and reading back what it touched.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::BufReader;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use serde::Serialize;

use super::supervise::{self, Ended, Limits, StepProcesses};
use super::world::Confinement;
use crate::error::{Error, Result, at_path};
use crate::trace::{self, Op, OpSet, ParseStats};

/// One tracer as `swop doctor` reports it.
pub struct TracerStatus {
    pub name: String,
    pub usable: bool,
    pub detail: String,
}

/// Why ptrace-based tracing cannot work here, if it cannot.
pub fn ptrace_problem() -> Option<String> {
    if crate::sys::machine::ptrace_scope() == Some(3) {
        return Some(
            "kernel.yama.ptrace_scope is 3 (ptrace disabled until reboot); set it to 1 or lower: sudo sysctl kernel.yama.ptrace_scope=1 (needs a reboot from 3)".into(),
        );
    }
    None
}

pub fn describe_tracers() -> Vec<TracerStatus> {
    let mut out = Vec::new();
    let strace = which::which("strace");
    let (usable, detail) = match &strace {
        Ok(path) => match ptrace_problem() {
            Some(problem) => (false, format!("{} but {problem}", path.display())),
            None => (true, path.display().to_string()),
        },
        Err(_) => (
            false,
            "not found; install it (Debian/Ubuntu: sudo apt-get install strace)".into(),
        ),
    };
    out.push(TracerStatus {
        name: "strace".into(),
        usable: usable && cfg!(target_os = "linux"),
        detail,
    });
    for name in ["fs_usage", "eslogger"] {
        let found = which::which(name);
        out.push(TracerStatus {
            name: name.into(),
            usable: found.is_ok() && cfg!(target_os = "macos"),
            detail: match found {
                Ok(p) => format!("{} (needs root)", p.display()),
                Err(_) => "not found (macOS only)".into(),
            },
        });
    }
    out
}

/// What swop traces: every call that takes a path, the process calls and
/// `fchdir` that let each process's working folder be followed, and
/// `connect`, which shows a tool reaching a keyring over D-Bus.
const TRACED: &str = "trace=%file,%process,fchdir,connect";

/// strace, checked to work on this machine.
pub struct Strace {
    program: PathBuf,
    /// The program as /proc/PID/exe names it, to tell strace's process apart.
    resolved: Option<PathBuf>,
    seccomp: bool,
    pub version: String,
}

impl Strace {
    /// Find strace and prove that it can trace here, or say how to fix it.
    pub fn find() -> Result<Strace> {
        let program = which::which("strace").map_err(|_| {
            Error::user(
                "strace is not installed; install it (Debian, Ubuntu, WSL2: sudo apt-get install strace; Fedora: sudo dnf install strace) and run swop discover again",
            )
        })?;
        if let Some(problem) = ptrace_problem() {
            return Err(Error::user(format!("cannot trace: {problem}")));
        }
        let version = crate::sys::machine::command_output(&program.to_string_lossy(), &["-V"])
            .and_then(|v| v.lines().next().map(str::to_string))
            .unwrap_or_else(|| "strace".into());
        let probe = |seccomp: bool| {
            let mut cmd = Command::new(&program);
            cmd.args(["-D", "-f"]);
            if seccomp {
                cmd.arg("--seccomp-bpf");
            }
            cmd.args(["-qq", "-o", "/dev/null", "-e", "trace=%file", "--", "true"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output()
        };
        let resolved = std::fs::canonicalize(&program).ok();
        let first = probe(true).map_err(at_path("cannot run", &program))?;
        if first.status.success() {
            return Ok(Strace {
                program,
                resolved,
                seccomp: true,
                version,
            });
        }
        let second = probe(false).map_err(at_path("cannot run", &program))?;
        if second.status.success() {
            return Ok(Strace {
                program,
                resolved,
                seccomp: false,
                version,
            });
        }
        let stderr = String::from_utf8_lossy(&second.stderr);
        let line = stderr.lines().next().unwrap_or("").trim();
        if stderr.contains("Operation not permitted") || stderr.contains("ptrace") {
            return Err(Error::user(format!(
                "strace may not trace here ({line}). In a container, grant ptrace (docker run --cap-add=SYS_PTRACE --security-opt seccomp=unconfined); on a host, allow it with: sudo sysctl kernel.yama.ptrace_scope=1"
            )));
        }
        Err(Error::user(format!("strace does not work here: {line}")))
    }
}

impl StepTracer for Strace {
    fn runs_in_view(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!(
            "{} (-f{} -y -e {TRACED})",
            self.version,
            if self.seccomp { " --seccomp-bpf" } else { "" }
        )
    }

    fn trace(&self, tool: Command, trace: &Path, step: &StepRun) -> Result<(Ended, Observation)> {
        create_trace_file(trace)?;
        let mut cmd = Command::new(&self.program);
        // -D: strace runs as a grandchild, so the tool is swop's own child and
        // its exit is known the moment it happens, even while a daemon it
        // started keeps strace running.
        cmd.args(["-D", "-f"]);
        if self.seccomp {
            cmd.arg("--seccomp-bpf");
        }
        cmd.args(["-y", "-qq", "-e", TRACED, "-o"])
            .arg(trace)
            .arg("--")
            .arg(tool.get_program())
            .args(tool.get_args());
        copy_env_and_dir(&tool, &mut cmd);
        cmd.env(supervise::MARKER_VAR, step.marker);
        step.confinement.apply(&mut cmd)?;
        let cwd = working_dir(&tool);
        let ended = run_foreground(
            cmd,
            step.output,
            &StepProcesses {
                marker: step.marker,
                tracer: self.resolved.as_deref(),
                orphans: true,
            },
            step.limits,
        )?;
        let obs = Observation::from_trace(trace::Format::Strace, trace, &cwd, None)?;
        Ok((ended, obs))
    }
}

/// Give `to` the environment and working folder `from` was set up with.
pub fn copy_env_and_dir(from: &Command, to: &mut Command) {
    to.env_clear();
    for (key, value) in from.get_envs() {
        match value {
            Some(value) => to.env(key, value),
            None => to.env_remove(key),
        };
    }
    if let Some(dir) = from.get_current_dir() {
        to.current_dir(dir);
    }
}

/// A way of tracing one step of a tool: strace on Linux; fs_usage or eslogger on macOS.
pub trait StepTracer {
    /// For the report: which tracer, which version, which options.
    fn describe(&self) -> String;

    /// Run `tool` (its program, arguments, environment and folder are set)
    /// traced, writing the raw trace to `trace`, and read back what it touched.
    fn trace(&self, tool: Command, trace: &Path, step: &StepRun) -> Result<(Ended, Observation)>;

    /// Whether its steps can run in a copy-on-write view of the file system
    /// (Linux namespaces); else the runs get the stand-in world.
    fn runs_in_view(&self) -> bool {
        false
    }
}

/// How one traced step is run.
#[derive(Clone, Copy)]
pub struct StepRun<'a> {
    pub output: Output,
    /// The run's scratch folder, for tracers that need before/after snapshots
    /// to see what the trace cannot.
    pub watch: &'a Path,
    /// The value of [`supervise::MARKER_VAR`] for this step's processes.
    pub marker: &'a str,
    pub limits: Limits,
    /// The account's view of the world, with its holes.
    pub confinement: &'a Confinement<'a>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
}

impl From<ExitStatus> for Exit {
    fn from(status: ExitStatus) -> Self {
        Exit {
            code: status.code(),
            signal: status.signal(),
        }
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.code, self.signal) {
            (Some(code), _) => write!(f, "exit {code}"),
            (None, Some(sig)) => write!(f, "signal {sig}"),
            _ => write!(f, "unknown"),
        }
    }
}

/// A fast hash for the path table: traces of a million calls look paths up a
/// million times, and no untrusted party picks the keys to collide.
#[derive(Default)]
pub struct PathHasher(u64);

impl Hasher for PathHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.write_u64(u64::from_le_bytes(tail) ^ bytes.len() as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// A traced path as a map key: hashed and compared as the bytes it is (the
/// parsers normalise it), where `Path` would hash component by component.
#[derive(Debug, Clone, PartialOrd, Ord)]
pub struct PathKey(PathBuf);

impl PathKey {
    fn bytes(&self) -> &[u8] {
        use std::os::unix::ffi::OsStrExt;
        self.0.as_os_str().as_bytes()
    }
}

impl PartialEq for PathKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for PathKey {}

impl std::hash::Hash for PathKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for PathKey {
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

impl std::ops::Deref for PathKey {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for PathKey {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl From<PathBuf> for PathKey {
    fn from(path: PathBuf) -> Self {
        PathKey(path)
    }
}

/// The paths of a trace, by their bytes.
pub type PathTable = HashMap<PathKey, PathInfo, BuildHasherDefault<PathHasher>>;

/// Everything one traced step did to the file system.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub paths: PathTable,
    /// Programs the step executed (successfully).
    pub execs: BTreeSet<PathBuf>,
    /// `stats.events` counts the events of the traced tool's own processes
    /// (after any process filter): 0 means the tracer saw nothing of it.
    pub stats: ParseStats,
    /// Renames the tracer reported without their destination (fs_usage): the
    /// report says so in its Limitations.
    pub renames_without_destination: u64,
    /// Unix sockets the step connected to (`@name` for abstract ones), and
    /// whether a connection succeeded: how a keyring is reached.
    pub sockets: BTreeMap<PathBuf, bool>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PathInfo {
    pub ops: OpSet,
    /// Whether any call on the path succeeded.
    pub ok: bool,
    /// The tracer printed only part of the path (the path holds `…` where the
    /// rest was): where it leads is unknown.
    pub truncated: bool,
    /// A write was refused because the file system is read-only (`EROFS`).
    pub read_only: bool,
}

impl PathInfo {
    pub fn written(&self) -> bool {
        self.ops.any_write()
    }

    /// Take in what another look at the same path saw.
    pub fn absorb(&mut self, other: PathInfo) {
        self.ops.extend(other.ops);
        self.ok |= other.ok;
        self.truncated |= other.truncated;
        self.read_only |= other.read_only;
    }
}

impl Observation {
    /// What was done to `path`, if anything.
    pub fn info(&self, path: &Path) -> Option<&PathInfo> {
        use std::os::unix::ffi::OsStrExt;
        self.paths.get(path.as_os_str().as_bytes())
    }

    pub fn info_mut(&mut self, path: &Path) -> Option<&mut PathInfo> {
        use std::os::unix::ffi::OsStrExt;
        self.paths.get_mut(path.as_os_str().as_bytes())
    }

    pub fn add(&mut self, event: trace::TraceEvent) {
        if event.op == Op::Connect {
            *self.sockets.entry(event.path).or_default() |= event.result.is_ok();
            return;
        }
        if event.op == Op::Exec {
            // Failed execs are the PATH search, not files the tool uses.
            if !event.ok() {
                return;
            }
            self.execs.insert(event.path.clone());
        }
        // `mkdir -p` and O_EXCL probes meet existing paths: nothing was written.
        let op = match (&event.result, event.op) {
            (Err(errno), Op::Mkdir | Op::Create | Op::Link) if errno == "EEXIST" => Op::Stat,
            (_, op) => op,
        };
        let info = self.paths.entry(event.path.into()).or_default();
        info.ops.insert(op);
        info.ok |= event.result.is_ok();
        info.read_only |= op.is_write() && matches!(&event.result, Err(e) if e == "EROFS");
    }

    /// Paths reached through symbolic links, at their real target too: a
    /// write through a link the tool made (into the real home, say) counts
    /// where it landed. Written paths and paths under `within` (the run's
    /// scratch folder) are looked at, while the links still exist.
    ///
    /// The folders on the way are always resolved. The last part is followed
    /// only by the operations that open it (read, write, create, exec) and
    /// only they land at the link's target; making a link at a path
    /// ([`Op::Link`]), removing, renaming or a look at it stay at the path
    /// itself. So `symlink(<codex binary>, $CODEX_HOME/tmp/apply_patch)`
    /// makes the link and does nothing to the binary.
    pub fn add_link_targets(&mut self, within: &Path) {
        let mut parents: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
        let mut targets = Vec::new();
        for (path, info) in &self.paths {
            if !(info.written() || path.starts_with(within)) {
                continue;
            }
            let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
                continue;
            };
            let real_parent = parents
                .entry(parent.to_path_buf())
                .or_insert_with(|| fs::canonicalize(parent).ok());
            let Some(real_parent) = real_parent else {
                continue;
            };
            let itself = real_parent.join(name);
            let opens = |op: &Op| matches!(op, Op::Read | Op::Write | Op::Create | Op::Exec);
            let followed: OpSet = info.ops.iter().filter(opens).collect();
            let kept: OpSet = info.ops.iter().filter(|op| !opens(op)).collect();
            let target = if followed.is_empty() {
                None
            } else {
                Some(fs::canonicalize(&itself).unwrap_or_else(|_| itself.clone()))
            };
            let mut land = |at: PathBuf, ops: OpSet| {
                if !ops.is_empty() && at.as_path() != &**path {
                    targets.push((at, PathInfo { ops, ..*info }));
                }
            };
            match target {
                // Followed to where it already is: the path's own name holds all.
                Some(target) if target == itself => land(itself, info.ops),
                Some(target) => {
                    land(target, followed);
                    land(itself, kept);
                }
                None => land(itself, kept),
            }
        }
        for (target, info) in targets {
            self.paths.entry(target.into()).or_default().absorb(info);
        }
    }

    /// Whether the step opened the terminal: it talks to a person.
    pub fn used_terminal(&self) -> bool {
        self.info(Path::new("/dev/tty")).is_some_and(|info| info.ok)
    }

    /// Take in what another observation saw.
    pub fn merge(&mut self, other: Observation) {
        for (path, info) in other.paths {
            self.paths.entry(path).or_default().absorb(info);
        }
        self.execs.extend(other.execs);
        self.renames_without_destination += other.renames_without_destination;
        for (socket, connected) in other.sockets {
            *self.sockets.entry(socket).or_default() |= connected;
        }
    }

    /// Parse a trace file into an observation.
    pub fn from_trace(
        format: trace::Format,
        path: &Path,
        cwd: &Path,
        root_pid: Option<u32>,
    ) -> Result<Observation> {
        let file = fs::File::open(path).map_err(at_path("cannot read trace", path))?;
        let reader = BufReader::with_capacity(1 << 20, file);
        let mut obs = Observation::default();
        let stats = match format {
            trace::Format::Eslogger => {
                trace::eslogger::parse(reader, root_pid, &mut |e| obs.add(e))
            }
            other => trace::parse(other, reader, cwd, &mut |e| obs.add(e)),
        }
        .map_err(at_path("cannot read trace", path))?;
        obs.stats = stats;
        Ok(obs)
    }
}

/// Where a traced tool's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The terminal, unchanged: an interactive login can be completed.
    Terminal,
    /// stdout goes to stderr, keeping stdout free for swop's result (JSON, or
    /// the Markdown report redirected to a file).
    StderrOnly,
}

impl Output {
    /// Give the traced tool the terminal's stdin and stderr, and stdout as chosen.
    pub fn connect(self, cmd: &mut Command) -> Result<()> {
        cmd.stdin(Stdio::inherit()).stderr(Stdio::inherit());
        let stdout = match self {
            Output::Terminal => Stdio::inherit(),
            Output::StderrOnly => std::os::fd::AsFd::as_fd(&std::io::stderr())
                .try_clone_to_owned()
                .map(Stdio::from)
                .map_err(|e| Error::Io {
                    context: "cannot redirect output".into(),
                    source: e,
                })?,
        };
        cmd.stdout(stdout);
        Ok(())
    }
}

/// The folder a command will run in.
pub fn working_dir(cmd: &Command) -> PathBuf {
    cmd.get_current_dir()
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// Run a command in the foreground and supervise it (time limit, stop
/// signals, leftovers). The command gets the default handlers for Ctrl-C;
/// swop notes it (see [`crate::sys::signal::StopSignals`]) and stops everything.
pub fn run_foreground(
    mut cmd: Command,
    output: Output,
    step: &StepProcesses,
    limits: Limits,
) -> Result<Ended> {
    output.connect(&mut cmd)?;
    // SAFETY: only async-signal-safe calls (signal) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
    let program = cmd.get_program().to_string_lossy().into_owned();
    let child = cmd
        .spawn()
        .map_err(|e| Error::user(format!("cannot run {program}: {e}")))?;
    supervise::supervise(child, step, limits)
}

/// Create the trace file 0600 before the tracer opens it (it truncates, keeping the mode).
pub fn create_trace_file(path: &Path) -> Result<()> {
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .map_err(at_path("cannot create trace file", path))
}
