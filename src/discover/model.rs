//! The data of a discovery that every part shares: a step, how a process
//! ended, what a traced step did to the file system (an observation of
//! paths, by their bytes), and where a trace is read from.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::fs;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use serde::Serialize;

use crate::error::{Result, at_path};
use crate::trace::{self, Op, OpSet, ParseStats};

/// One command of the discovery, in order.
#[derive(Debug, Clone)]
pub struct Step {
    pub argv: Vec<OsString>,
    /// For reports: redacted.
    pub shown: String,
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
        f.write_str(&crate::error::exit_text(self.code, self.signal))
    }
}

/// How a step ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ended {
    pub exit: Exit,
    /// Stopped at the time limit.
    pub timed_out: bool,
    /// Processes still running after the step ended, which swop stopped:
    /// their command lines, redacted.
    pub stopped: Vec<String>,
    pub duration: Duration,
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

/// Something a trace can be read from, as often as needed: one file, or all
/// the files of a trace given in parts one after the other.
pub trait Source {
    fn open(&self) -> Result<Box<dyn BufRead>>;
    /// How it is named in messages.
    fn name(&self) -> String;
}

impl Source for Path {
    fn open(&self) -> Result<Box<dyn BufRead>> {
        let file = fs::File::open(self).map_err(at_path("cannot read trace", self))?;
        Ok(Box::new(BufReader::with_capacity(1 << 20, file)))
    }

    fn name(&self) -> String {
        self.display().to_string()
    }
}

impl Source for PathBuf {
    fn open(&self) -> Result<Box<dyn BufRead>> {
        self.as_path().open()
    }

    fn name(&self) -> String {
        self.as_path().name()
    }
}
