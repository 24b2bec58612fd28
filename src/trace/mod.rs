//! Trace formats: each tracer's output is turned into one stream of [`TraceEvent`]s.
//!
//! Parsers are streaming: they read a line at a time and hand every event to a
//! callback, so memory is bounded by what the caller keeps (distinct paths),
//! not by the size of the trace.

mod bytes;
pub mod eslogger;
pub mod fs_usage;
pub mod lines;
pub mod path;
pub mod strace;

use std::ffi::OsString;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// What a traced call did to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    Read,
    Write,
    Create,
    Delete,
    RenameFrom,
    RenameTo,
    Mkdir,
    Stat,
    Exec,
    /// A connection to a Unix socket (the path, or `@name` for an abstract
    /// one): how a tool reaches a D-Bus keyring. Not a file operation.
    Connect,
    /// A link made at the path (`symlink`, `link`): the path is created,
    /// and nothing happens to what the link points at. Unlike a create,
    /// the path is not opened, so no link at it is followed.
    Link,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Write => "write",
            Op::Create => "create",
            Op::Delete => "delete",
            Op::RenameFrom => "rename-from",
            Op::RenameTo => "rename-to",
            Op::Mkdir => "mkdir",
            Op::Stat => "stat",
            Op::Exec => "exec",
            Op::Connect => "connect",
            Op::Link => "link",
        }
    }

    /// Whether the operation changes the file system.
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Op::Write
                | Op::Create
                | Op::Delete
                | Op::RenameFrom
                | Op::RenameTo
                | Op::Mkdir
                | Op::Link
        )
    }

    /// Every operation, in their order.
    pub const ALL: [Op; 11] = [
        Op::Read,
        Op::Write,
        Op::Create,
        Op::Delete,
        Op::RenameFrom,
        Op::RenameTo,
        Op::Mkdir,
        Op::Stat,
        Op::Exec,
        Op::Connect,
        Op::Link,
    ];

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of operations, a bit each: what was done to one path. Small and
/// `Copy`, as a trace can touch a million paths.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OpSet(u16);

impl OpSet {
    pub fn insert(&mut self, op: Op) {
        self.0 |= op.bit();
    }

    pub fn contains(self, op: Op) -> bool {
        self.0 & op.bit() != 0
    }

    /// Add every operation of `other`.
    pub fn extend(&mut self, other: OpSet) {
        self.0 |= other.0;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The operations, in [`Op::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = Op> {
        Op::ALL.into_iter().filter(move |op| self.contains(*op))
    }

    /// Whether any operation changes the file system.
    pub fn any_write(self) -> bool {
        self.iter().any(Op::is_write)
    }

    /// The operations' names, for people.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Op::as_str).collect()
    }
}

impl FromIterator<Op> for OpSet {
    fn from_iter<I: IntoIterator<Item = Op>>(ops: I) -> Self {
        let mut set = OpSet::default();
        for op in ops {
            set.insert(op);
        }
        set
    }
}

impl std::fmt::Debug for OpSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl serde::Serialize for OpSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Op::as_str))
    }
}

/// One path touched by one call of one process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    /// Process id (fs_usage only knows thread ids; it reports those).
    pub pid: u32,
    /// The call as the tracer named it (`openat`, `renameat2`, `open`, `WrData`, ...).
    pub syscall: String,
    pub op: Op,
    /// Absolute when the tracer or the parser could resolve it; else as printed.
    pub path: PathBuf,
    /// `Ok(return value)` or the error the call failed with.
    pub result: Result<i64, Errno>,
    /// The process name when the tracer prints one (fs_usage's COMM, eslogger's
    /// executable path); `None` for strace.
    pub comm: Option<String>,
}

impl TraceEvent {
    pub fn ok(&self) -> bool {
        self.result.is_ok()
    }
}

/// The error a traced call failed with, as the tracer printed it: its name
/// (`ENOENT`), else its number, or `?` when the tracer gave neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errno(pub String);

impl Errno {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Errno {
    fn from(name: &str) -> Self {
        Errno(name.to_string())
    }
}

impl From<String> for Errno {
    fn from(name: String) -> Self {
        Errno(name)
    }
}

impl PartialEq<str> for Errno {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Errno {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// How much of a path the tracer printed. A cut path is marked in the text
/// too: `…` stands where the missing part was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Printed {
    #[default]
    Whole,
    /// Only the end is left (fs_usage's path column): `…tail`.
    Tail,
    /// Only the start is left (eslogger's `path_truncated`): `head…`.
    Head,
}

impl Printed {
    pub fn is_cut(self) -> bool {
        self != Printed::Whole
    }
}

/// macOS 10.15 and later keep user data on a volume mounted at
/// `/System/Volumes/Data` and join its folders into `/` with firmlinks
/// (`/usr/share/firmlinks`), so one file has two spellings. These are the
/// firmlinked folders; a path under one of them, spelled through the data
/// volume, is given its short spelling.
const FIRMLINKS: &[&str] = &[
    "/AppleInternal",
    "/Applications",
    "/Library",
    "/System/Library/Caches",
    "/Users",
    "/Volumes",
    "/cores",
    "/opt",
    "/private",
    "/usr/local",
];

const DATA_VOLUME: &str = "/System/Volumes/Data";

/// `/System/Volumes/Data/Users/me/x` is `/Users/me/x`.
pub fn normalize_firmlink(path: PathBuf) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    // Bytes first: nearly no path is on the data volume, and `Path`'s own
    // prefix test walks components.
    if !path
        .as_os_str()
        .as_bytes()
        .starts_with(DATA_VOLUME.as_bytes())
    {
        return path;
    }
    let short = &path.as_os_str().as_bytes()[DATA_VOLUME.len()..];
    let firmlinked = FIRMLINKS.iter().any(|link| {
        short
            .strip_prefix(link.as_bytes())
            .is_some_and(|rest| rest.is_empty() || rest[0] == b'/')
    });
    if firmlinked {
        path_from_bytes(short.to_vec())
    } else {
        path
    }
}

/// A trace format swop can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Strace,
    FsUsage,
    Eslogger,
}

impl Format {
    /// The format's name, as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Strace => "strace",
            Format::FsUsage => "fs_usage",
            Format::Eslogger => "eslogger",
        }
    }
}

/// The OS a trace comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Macos,
}

/// A tracer swop can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracer {
    Strace,
    FsUsage,
    Eslogger,
}

impl Tracer {
    /// Its program's name.
    pub fn name(self) -> &'static str {
        match self {
            Tracer::Strace => "strace",
            Tracer::FsUsage => "fs_usage",
            Tracer::Eslogger => "eslogger",
        }
    }

    /// The tracer whose output a trace of `format` is.
    pub fn of(format: Format) -> Tracer {
        match format {
            Format::Strace => Tracer::Strace,
            Format::FsUsage => Tracer::FsUsage,
            Format::Eslogger => Tracer::Eslogger,
        }
    }
}

/// Totals a parser keeps about what it read, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseStats {
    pub lines: u64,
    pub events: u64,
    /// Lines that looked like calls but could not be understood.
    pub unknown: u64,
}

/// Guess the format from the first lines of a trace.
pub fn detect_format(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(50)
    {
        if eslogger::looks_like(line) {
            return Some(Format::Eslogger);
        }
        if strace::looks_like(line) {
            return Some(Format::Strace);
        }
        if fs_usage::looks_like(line) || fs_usage::looks_narrow(line) {
            return Some(Format::FsUsage);
        }
    }
    None
}

/// Parse a whole trace of a known format, calling `sink` for every event.
///
/// `cwd` is the working directory of the traced command, used to resolve the
/// relative paths strace prints; fs_usage's relative paths are left as printed
/// (see [`fs_usage`]).
pub fn parse<R: BufRead>(
    format: Format,
    reader: R,
    cwd: &Path,
    sink: &mut dyn FnMut(TraceEvent),
) -> std::io::Result<ParseStats> {
    match format {
        Format::Strace => strace::parse(reader, Some(cwd), sink),
        Format::FsUsage => fs_usage::parse(reader, sink),
        Format::Eslogger => eslogger::parse(reader, None, sink),
    }
}

/// Bytes of an [`OsString`] path, for parsers that build paths from raw bytes.
pub fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(OsString::from_vec(bytes))
}

/// xorshift64*, for repeatable noise in the parsers' robustness tests.
#[cfg(test)]
pub(crate) struct Rng(pub u64);

#[cfg(test)]
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
