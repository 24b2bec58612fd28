//! Streaming parser for `strace` text output.
//!
//! Handles `strace -f -o FILE` (pid-prefixed lines), the stderr form
//! (`[pid  123] ` prefixes, unprefixed lines for a lone process), `-ff -o P`
//! files (no prefix; the pid comes from the file name), timestamps (`-t`,
//! `-tt`, `-ttt`, `-r`), `-T`, `-n`, `-i`, `-x`/`-xx`, `-y`/`-yy` and `-X`.
//!
//! Calls split by other processes (`<unfinished ...>` / `<... NAME resumed>`)
//! are joined per pid. Relative paths are resolved against `-y` annotations
//! when present, else against a per-process working directory and file
//! descriptor table rebuilt from `chdir`, `fchdir`, `open*`, `dup*`, `close` and
//! `clone`/`fork`. Resolution is lexical: the file system is never consulted.
//!
//! Memory is bounded by the live processes (one pending call, a working
//! directory and an fd table each) and the longest line kept (`MAX_LINE`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufRead};
use std::path::Path;
use std::rc::Rc;

use memchr::{memchr, memchr2, memchr3, memmem};

use super::{Op, ParseStats, TraceEvent, path_from_bytes};

/// Longest line kept; the rest of a longer line is read and dropped.
const MAX_LINE: usize = 1 << 20;
/// Arguments kept per call; later ones are never needed.
const MAX_ARGS: usize = 8;

const UNFINISHED: &[u8] = b"<unfinished ...>";
const DETACHED: &[u8] = b"<detached ...>";
const ATTACHED_CUT: &[u8] = b"strace: Process ";

/// Whether `line` is clearly a line of strace output.
pub fn looks_like(line: &str) -> bool {
    let line = trim_end(line.as_bytes());
    let (_, rest) = split_prefix(line, false);
    match classify(rest) {
        Line::Exit | Line::Superseded(_) | Line::Resumed { .. } => true,
        Line::Quiet => rest.starts_with(b"--- SIG") || rest.starts_with(ATTACHED_CUT),
        Line::Call { body, .. } => {
            body.ends_with(UNFINISHED)
                || body.ends_with(DETACHED)
                || split_call(body, &mut Args::new()).is_some()
        }
        Line::Empty | Line::Garbage => false,
    }
}

/// Parse strace output, calling `sink` for every path event.
pub fn parse<R: BufRead>(
    reader: R,
    cwd: &Path,
    sink: &mut dyn FnMut(TraceEvent),
) -> io::Result<ParseStats> {
    parse_with_pid(reader, cwd, None, sink)
}

/// Parse strace output whose unprefixed lines belong to `pid` (for the
/// `P.PID` files of `strace -ff -o P`).
///
/// With `None`, unprefixed lines (strace's stderr form for a lone process)
/// are reported as pid 0 until a `[pid N]` line shows which process they
/// are. Each call starts with fresh state, so a `-ff` file cannot inherit its
/// parent's working directory: trace with `-y` to resolve its relative paths.
pub fn parse_with_pid<R: BufRead>(
    mut reader: R,
    cwd: &Path,
    pid: Option<u32>,
    sink: &mut dyn FnMut(TraceEvent),
) -> io::Result<ParseStats> {
    use std::os::unix::ffi::OsStrExt;

    let mut parser = Parser::new(cwd.as_os_str().as_bytes(), pid);
    // A line that spans several reads of `reader`'s buffer is gathered here.
    let mut long: Vec<u8> = Vec::new();
    let mut in_long = false;
    let mut long_cut = false;
    loop {
        let avail = match reader.fill_buf() {
            Ok(avail) => avail,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            if in_long {
                parser.line(&long, long_cut, sink);
            }
            break;
        }
        let used = match memchr(b'\n', avail) {
            Some(end) => {
                if in_long {
                    long_cut |= push_capped(&mut long, &avail[..end]);
                    parser.line(&long, long_cut, sink);
                    long.clear();
                    in_long = false;
                    long_cut = false;
                } else {
                    let line = &avail[..end];
                    if line.len() > MAX_LINE {
                        parser.line(&line[..MAX_LINE], true, sink);
                    } else {
                        parser.line(line, false, sink);
                    }
                }
                end + 1
            }
            None => {
                in_long = true;
                long_cut |= push_capped(&mut long, avail);
                avail.len()
            }
        };
        reader.consume(used);
    }
    Ok(parser.stats)
}

/// Append up to `MAX_LINE` bytes in total; true when bytes were dropped.
fn push_capped(buf: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let room = MAX_LINE.saturating_sub(buf.len());
    let take = bytes.len().min(room);
    buf.extend_from_slice(&bytes[..take]);
    take < bytes.len()
}

// ---------------------------------------------------------------------------
// Line shape

/// What a line is, once its pid and timestamps are stripped.
enum Line<'a> {
    Empty,
    /// `+++ exited with N +++` or `+++ killed by SIG +++`.
    Exit,
    /// `+++ superseded by execve in pid N +++`.
    Superseded(u32),
    /// Signals, strace's own messages, stack traces, a lone `<unfinished ...>`.
    Quiet,
    /// `NAME(` and `body`, everything after the parenthesis.
    Call {
        name: &'a [u8],
        body: &'a [u8],
    },
    /// `<... NAME resumed>` and `body`, everything after it.
    Resumed {
        name: &'a [u8],
        body: &'a [u8],
    },
    Garbage,
}

fn classify(rest: &[u8]) -> Line<'_> {
    let Some(&first) = rest.first() else {
        return Line::Empty;
    };
    match first {
        b'+' => {
            if rest.starts_with(b"+++ exited with ") || rest.starts_with(b"+++ killed by ") {
                Line::Exit
            } else if let Some(tail) = rest.strip_prefix(b"+++ superseded by execve in pid ") {
                let digits = leading_digits(tail);
                match parse_u32(&tail[..digits]) {
                    Some(pid) => Line::Superseded(pid),
                    None => Line::Quiet,
                }
            } else if rest.starts_with(b"+++ ") {
                Line::Quiet
            } else {
                Line::Garbage
            }
        }
        b'-' if rest.starts_with(b"--- ") => Line::Quiet,
        b'<' => {
            if let Some(tail) = rest.strip_prefix(b"<... ") {
                let n = name_len(tail);
                match tail[n..].strip_prefix(b" resumed>") {
                    Some(body) if n > 0 => Line::Resumed {
                        name: &tail[..n],
                        body,
                    },
                    _ => Line::Garbage,
                }
            } else if rest.starts_with(UNFINISHED) || rest.starts_with(DETACHED) {
                Line::Quiet
            } else {
                Line::Garbage
            }
        }
        b'>' => Line::Quiet,
        b's' if rest.starts_with(b"strace: ") => Line::Quiet,
        b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
            let n = name_len(rest);
            match rest.get(n) {
                Some(b'(') => Line::Call {
                    name: &rest[..n],
                    body: &rest[n + 1..],
                },
                _ => Line::Garbage,
            }
        }
        _ => Line::Garbage,
    }
}

/// Split off the pid prefix (`123 ` or `[pid  123] `) and any timestamps or
/// bracketed fields (`-t`, `-tt`, `-ttt`, `-r`, `-n`, `-i`).
///
/// With `pid_given`, a leading number is a timestamp, never a pid.
fn split_prefix(line: &[u8], pid_given: bool) -> (Option<u32>, &[u8]) {
    let mut s = trim_start(line);
    let mut pid = None;
    if let Some(tail) = s.strip_prefix(b"[pid") {
        let tail = trim_start(tail);
        let (n, end, value) = pid_len(tail);
        if n > 0 && tail.get(end) == Some(&b']') {
            pid = value;
            s = &tail[end + 1..];
        }
    } else if !pid_given {
        let (n, end, value) = pid_len(s);
        if n > 0
            && matches!(s.get(end), Some(b' ' | b'\t'))
            && let Some(p) = value
        {
            pid = Some(p);
            s = &s[end..];
        }
    }
    for _ in 0..6 {
        s = trim_start(s);
        match s.first() {
            Some(b'0'..=b'9') => {
                let end = s
                    .iter()
                    .position(|&c| c == b' ' || c == b'\t')
                    .unwrap_or(s.len());
                s = &s[end..];
            }
            Some(b'[') => match memchr(b']', s) {
                Some(end) => s = &s[end + 1..],
                None => break,
            },
            _ => break,
        }
    }
    (pid, s)
}

/// Digits of a pid, the end of the pid field, which `-Y` extends with the
/// command name (`123<sh>`), and the pid (`None` when too big).
fn pid_len(s: &[u8]) -> (usize, usize, Option<u32>) {
    // Held at 2^32 once past `u32::MAX`.
    const TOO_BIG: u64 = 1 << 32;
    let mut value = 0u64;
    let mut n = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            break;
        }
        value = (value * 10 + u64::from(c - b'0')).min(TOO_BIG);
        n += 1;
    }
    let value = u32::try_from(value).ok();
    if n > 0
        && s.get(n) == Some(&b'<')
        && let Some(close) = memchr(b'>', &s[n..])
    {
        return (n, n + close + 1, value);
    }
    (n, n, value)
}

// ---------------------------------------------------------------------------
// Syscalls of interest

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenForm {
    /// `open(path, flags, ...)`
    Plain,
    /// `openat(dirfd, path, flags, ...)`
    At,
    /// `openat2(dirfd, path, {flags=..., ...}, size)`
    At2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Open(OpenForm),
    Creat,
    /// One path, the first argument.
    File(Op),
    /// A dirfd, then one path.
    FileAt(Op),
    Rename {
        at: bool,
    },
    Link {
        at: bool,
    },
    Symlink {
        at: bool,
    },
    Exec {
        at: bool,
    },
    Chdir,
    Fchdir,
    Close,
    CloseRange,
    Dup,
    Fcntl,
    Fork,
}

fn kind_of(name: &[u8]) -> Option<Kind> {
    use Kind::*;
    let k = match name {
        b"open" => Open(OpenForm::Plain),
        b"openat" => Open(OpenForm::At),
        b"openat2" => Open(OpenForm::At2),
        b"creat" => Creat,
        b"stat" | b"lstat" | b"stat64" | b"lstat64" | b"oldstat" | b"oldlstat" | b"access"
        | b"readlink" | b"statfs" | b"statfs64" | b"getxattr" | b"lgetxattr" | b"listxattr"
        | b"llistxattr" => File(Op::Stat),
        b"newfstatat" | b"fstatat" | b"fstatat64" | b"statx" | b"faccessat" | b"faccessat2"
        | b"readlinkat" | b"name_to_handle_at" => FileAt(Op::Stat),
        b"utime" | b"utimes" | b"chmod" | b"chown" | b"chown32" | b"lchown" | b"lchown32"
        | b"truncate" | b"truncate64" | b"setxattr" | b"lsetxattr" | b"removexattr"
        | b"lremovexattr" => File(Op::Write),
        b"utimensat" | b"utimensat_time64" | b"futimesat" | b"fchmodat" | b"fchmodat2"
        | b"fchownat" => FileAt(Op::Write),
        b"mkdir" => File(Op::Mkdir),
        b"mkdirat" => FileAt(Op::Mkdir),
        b"mknod" => File(Op::Create),
        b"mknodat" => FileAt(Op::Create),
        b"unlink" | b"rmdir" => File(Op::Delete),
        b"unlinkat" => FileAt(Op::Delete),
        b"rename" => Rename { at: false },
        b"renameat" | b"renameat2" => Rename { at: true },
        b"link" => Link { at: false },
        b"linkat" => Link { at: true },
        b"symlink" => Symlink { at: false },
        b"symlinkat" => Symlink { at: true },
        b"execve" => Exec { at: false },
        b"execveat" => Exec { at: true },
        b"chdir" => Chdir,
        b"fchdir" => Fchdir,
        b"close" => Close,
        b"close_range" => CloseRange,
        b"dup" | b"dup2" | b"dup3" => Dup,
        b"fcntl" | b"fcntl64" => Fcntl,
        b"clone" | b"clone2" | b"clone3" | b"fork" | b"vfork" => Fork,
        _ => return None,
    };
    Some(k)
}

// ---------------------------------------------------------------------------
// Parser state

/// Hash for pid and fd keys: a multiply, folded so the low bits see the high ones.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

type FdTable = IdMap<i64, Vec<u8>>;

/// What one process (strace's pid, really a thread id) knows about paths.
struct Proc {
    cwd: Rc<RefCell<Vec<u8>>>,
    /// False while the working directory is only the default guess.
    cwd_known: bool,
    fds: Rc<RefCell<FdTable>>,
    /// Line on which this state was made (to tell a reused pid from a child
    /// seen before its parent's `clone` returned).
    since: u64,
}

impl Proc {
    fn new(cwd: &[u8], since: u64) -> Self {
        Proc {
            cwd: Rc::new(RefCell::new(cwd.to_vec())),
            cwd_known: false,
            fds: Rc::new(RefCell::new(FdTable::default())),
            since,
        }
    }

    /// The state a new child starts with.
    fn child(&self, share_fs: bool, share_files: bool, since: u64) -> Proc {
        let cwd = if share_fs {
            self.cwd.clone()
        } else {
            Rc::new(RefCell::new(self.cwd.borrow().clone()))
        };
        let fds = if share_files {
            self.fds.clone()
        } else {
            Rc::new(RefCell::new(self.fds.borrow().clone()))
        };
        Proc {
            cwd,
            cwd_known: self.cwd_known,
            fds,
            since,
        }
    }
}

/// A call seen up to `<unfinished ...>`, waiting for its resumed half.
struct Pending {
    /// The call's name, then its first half from just after `NAME(`.
    buf: Vec<u8>,
    name_len: usize,
    kind: Kind,
    /// Line on which the call started.
    since: u64,
}

impl Pending {
    fn name(&self) -> &[u8] {
        &self.buf[..self.name_len]
    }

    fn text(&self) -> &[u8] {
        &self.buf[self.name_len..]
    }
}

/// Buffers of finished pending calls kept for the next ones, and the largest
/// kept.
const SPARE_BUFFERS: usize = 16;
const SPARE_CAPACITY: usize = 4096;

/// Searchers for the words looked for inside calls, built once.
struct Words {
    empty_path: memmem::Finder<'static>,
    clone_fs: memmem::Finder<'static>,
    clone_files: memmem::Finder<'static>,
    attached: memmem::Finder<'static>,
}

impl Words {
    fn new() -> Self {
        Words {
            empty_path: memmem::Finder::new(b"AT_EMPTY_PATH"),
            clone_fs: memmem::Finder::new(b"CLONE_FS"),
            clone_files: memmem::Finder::new(b"CLONE_FILES"),
            attached: memmem::Finder::new(ATTACHED_CUT),
        }
    }
}

struct Parser {
    stats: ParseStats,
    words: Words,
    start_cwd: Vec<u8>,
    pid_given: bool,
    /// Pid reported for lines without a pid prefix.
    unprefixed_pid: u32,
    /// True until the real pid behind unprefixed stderr lines is known.
    unprefixed_pseudo: bool,
    procs: IdMap<u32, Proc>,
    pending: IdMap<u32, Pending>,
    spare: Vec<Vec<u8>>,
    join: Vec<u8>,
    /// The previous line ended with strace's `... attached` message.
    after_attach: bool,
    /// The process whose call that message cut in two.
    cut_pid: Option<u32>,
    /// Line on which the call being handled started.
    call_since: u64,
}

/// The directory a relative path is taken from.
enum Dir<'a> {
    Cwd,
    Fd(i64),
    Known(Cow<'a, [u8]>),
    Unknown,
}

impl Parser {
    fn new(cwd: &[u8], pid: Option<u32>) -> Self {
        Parser {
            stats: ParseStats::default(),
            words: Words::new(),
            start_cwd: normalize(cwd),
            pid_given: pid.is_some(),
            unprefixed_pid: pid.unwrap_or(0),
            unprefixed_pseudo: pid.is_none(),
            procs: IdMap::default(),
            pending: IdMap::default(),
            spare: Vec::new(),
            join: Vec::new(),
            after_attach: false,
            cut_pid: None,
            call_since: 0,
        }
    }

    fn line(&mut self, raw: &[u8], cut: bool, sink: &mut dyn FnMut(TraceEvent)) {
        self.stats.lines += 1;
        let line = trim_end(raw);
        let after_attach = std::mem::replace(&mut self.after_attach, line.ends_with(b" attached"));
        let (line_pid, rest) = split_prefix(line, self.pid_given);
        let prefixed = line_pid.is_some();
        let pid = line_pid.unwrap_or(self.unprefixed_pid);
        match classify(rest) {
            Line::Empty | Line::Quiet => {}
            Line::Garbage if after_attach => {
                // The rest of a call cut by `strace: Process N attached`.
                if let Some(cut_pid) = self.cut_pid.take()
                    && let Some(name) = self.pending.get(&cut_pid).map(|p| p.name().to_vec())
                {
                    self.resumed(cut_pid, false, &name, trim_start(line), cut, sink);
                }
            }
            Line::Garbage => self.stats.unknown += 1,
            Line::Exit => self.exit(pid, prefixed),
            Line::Superseded(old) => {
                if let Some(p) = self.pending.remove(&old) {
                    self.pending.insert(pid, p);
                }
                if let Some(p) = self.procs.remove(&old) {
                    self.procs.insert(pid, p);
                }
            }
            Line::Call { name, body } => {
                if !self.pending.is_empty() && self.pending.remove(&pid).is_some() {
                    // A new call while one was pending: its other half was lost.
                    self.stats.unknown += 1;
                }
                let Some(kind) = kind_of(name) else { return };
                self.adopt_by_call(pid, prefixed);
                if let Some(first) = body.strip_suffix(UNFINISHED) {
                    self.defer(pid, name, kind, first);
                } else if body.ends_with(DETACHED) {
                    // strace let go of the process mid-call.
                } else {
                    self.call_since = self.stats.lines;
                    self.whole(pid, name, kind, body, cut, sink);
                }
            }
            Line::Resumed { name, body } => self.resumed(pid, prefixed, name, body, cut, sink),
        }
    }

    fn exit(&mut self, pid: u32, prefixed: bool) {
        self.pending.remove(&pid);
        self.procs.remove(&pid);
        if prefixed
            && pid == self.unprefixed_pid
            && !self.unprefixed_pseudo
            && self.procs.len() == 1
        {
            // strace drops the prefix again when a single process is left.
            if let Some(&only) = self.procs.keys().next() {
                self.unprefixed_pid = only;
            }
        }
    }

    fn defer(&mut self, pid: u32, name: &[u8], kind: Kind, first: &[u8]) {
        let first = trim_end(first);
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf.reserve(name.len() + first.len() + 32);
        buf.extend_from_slice(name);
        buf.extend_from_slice(first);
        let pending = Pending {
            buf,
            name_len: name.len(),
            kind,
            since: self.stats.lines,
        };
        if let Some(old) = self.pending.insert(pid, pending) {
            self.recycle(old.buf);
        }
    }

    fn recycle(&mut self, buf: Vec<u8>) {
        if self.spare.len() < SPARE_BUFFERS && buf.capacity() <= SPARE_CAPACITY {
            self.spare.push(buf);
        }
    }

    fn resumed(
        &mut self,
        pid: u32,
        prefixed: bool,
        name: &[u8],
        body: &[u8],
        cut: bool,
        sink: &mut dyn FnMut(TraceEvent),
    ) {
        let kind = kind_of(name);
        let mut pending = if self.pending.is_empty() {
            None
        } else {
            self.pending.remove(&pid)
        };
        if pending.is_none() && kind.is_some() && prefixed {
            pending = self.adopt_by_resume(pid, name);
        }
        let Some(p) = pending else {
            if kind.is_some() {
                self.stats.unknown += 1;
            }
            return;
        };
        if p.name() != name {
            // The pending call's end went missing.
            self.stats.unknown += 1;
            if kind.is_some() {
                self.stats.unknown += 1;
            }
            return;
        }
        let mut rest = trim_start(body);
        if let Some(r) = rest.strip_prefix(UNFINISHED) {
            rest = trim_start(r);
        }
        if rest.ends_with(DETACHED) {
            return;
        }
        let mut joined = std::mem::take(&mut self.join);
        joined.clear();
        joined.extend_from_slice(p.text());
        if joined.last() == Some(&b',') {
            joined.push(b' ');
        }
        joined.extend_from_slice(rest);
        if let Some(first) = joined.strip_suffix(UNFINISHED) {
            // Still not done (after a cut by an `attached` message).
            self.defer(pid, p.name(), p.kind, first);
        } else {
            self.call_since = p.since;
            self.whole(pid, p.name(), p.kind, &joined, cut, sink);
        }
        if joined.capacity() <= MAX_LINE {
            self.join = joined;
        }
        self.recycle(p.buf);
    }

    /// Handle a call's whole text (after `NAME(`); `call_since` is set.
    fn whole(
        &mut self,
        pid: u32,
        name: &[u8],
        kind: Kind,
        text: &[u8],
        cut: bool,
        sink: &mut dyn FnMut(TraceEvent),
    ) {
        if !cut && self.call(pid, name, kind, text, sink) {
            return;
        }
        if let Some(at) = self.words.attached.find(text) {
            // `clone(...strace: Process N attached`, then on the next line
            // ` <unfinished ...>` or the rest of the call.
            self.defer(pid, name, kind, &text[..at]);
            self.cut_pid = Some(pid);
        } else {
            self.stats.unknown += 1;
        }
    }

    /// In the stderr form, lines of a lone process carry no pid. When the
    /// first `[pid N]` resumes the call that unprefixed lines left pending, N
    /// is that process.
    fn adopt_by_resume(&mut self, pid: u32, name: &[u8]) -> Option<Pending> {
        if !self.unprefixed_pseudo || pid == self.unprefixed_pid {
            return None;
        }
        let matches = self
            .pending
            .get(&self.unprefixed_pid)
            .is_some_and(|p| p.name() == name);
        if !matches {
            return None;
        }
        let p = self.pending.remove(&self.unprefixed_pid);
        self.alias_unprefixed(pid);
        p
    }

    /// The first prefixed pid that is not a known child, while nothing of the
    /// unprefixed process is pending, is the unprefixed process.
    fn adopt_by_call(&mut self, pid: u32, prefixed: bool) {
        if !prefixed || !self.unprefixed_pseudo || pid == self.unprefixed_pid {
            return;
        }
        let old = self.unprefixed_pid;
        if !self.procs.contains_key(&old)
            || self.procs.contains_key(&pid)
            || self.pending.contains_key(&old)
        {
            return;
        }
        self.alias_unprefixed(pid);
    }

    fn alias_unprefixed(&mut self, pid: u32) {
        let old = self.unprefixed_pid;
        if let Some(state) = self.procs.remove(&old) {
            self.procs.entry(pid).or_insert(state);
        }
        self.unprefixed_pid = pid;
        self.unprefixed_pseudo = false;
    }

    fn proc(&mut self, pid: u32) -> &mut Proc {
        if !self.procs.contains_key(&pid) {
            let fresh = self.fresh_proc(pid);
            self.procs.insert(pid, fresh);
        }
        let (start, line) = (&self.start_cwd, self.stats.lines);
        self.procs
            .entry(pid)
            .or_insert_with(|| Proc::new(start, line))
    }

    /// State for a pid seen for the first time. A child often shows up before
    /// its parent's `clone`/`fork` returns: when exactly one process has such a
    /// call pending, it is taken as the parent.
    fn fresh_proc(&self, pid: u32) -> Proc {
        let mut parent = None;
        for (&ppid, p) in &self.pending {
            if p.kind != Kind::Fork || ppid == pid {
                continue;
            }
            if parent.is_some() {
                return Proc::new(&self.start_cwd, self.stats.lines);
            }
            parent = Some((ppid, p));
        }
        let Some((ppid, pending)) = parent else {
            return Proc::new(&self.start_cwd, self.stats.lines);
        };
        let Some(p) = self.procs.get(&ppid) else {
            return Proc::new(&self.start_cwd, self.stats.lines);
        };
        p.child(
            has_flag(pending.text(), &self.words.clone_fs),
            has_flag(pending.text(), &self.words.clone_files),
            self.stats.lines,
        )
    }

    fn set_cwd(&mut self, pid: u32, dir: &[u8]) {
        let p = self.proc(pid);
        let mut cwd = p.cwd.borrow_mut();
        cwd.clear();
        cwd.extend_from_slice(dir);
        drop(cwd);
        p.cwd_known = true;
    }

    fn set_fd(&mut self, pid: u32, fd: i64, path: Option<Vec<u8>>) {
        let p = self.proc(pid);
        let mut fds = p.fds.borrow_mut();
        match path {
            Some(path) => {
                fds.insert(fd, path);
            }
            None => {
                fds.remove(&fd);
            }
        }
    }

    /// The path `fd` was opened with, if known.
    fn fd_path(&self, pid: u32, fd: i64) -> Option<Vec<u8>> {
        let p = self.procs.get(&pid)?;
        p.fds.borrow().get(&fd).cloned()
    }

    /// Absolute path for `path` relative to `dir`; as printed when `dir` is
    /// unknown; `None` for an empty path whose directory is unknown.
    fn resolve(&mut self, pid: u32, dir: &Dir<'_>, path: &[u8]) -> Option<Vec<u8>> {
        if path.first() == Some(&b'/') {
            return Some(normalize(path));
        }
        let joined = match dir {
            Dir::Known(base) => Some(join(base, path)),
            Dir::Cwd => {
                let p = self.proc(pid);
                let base = p.cwd.borrow();
                Some(join(&base, path))
            }
            Dir::Fd(fd) => self
                .procs
                .get(&pid)
                .and_then(|p| p.fds.borrow().get(fd).map(|base| join(base, path))),
            Dir::Unknown => None,
        };
        joined.or_else(|| (!path.is_empty()).then(|| path.to_vec()))
    }

    /// Read a dirfd argument, noting what a `-y` annotation tells about the cwd.
    fn dirfd<'a>(&mut self, pid: u32, args: &Args<'a>, i: usize) -> Dir<'a> {
        let dir = args.dirfd(i);
        if let DirArg::CwdIs(path) = dir {
            self.set_cwd(pid, &path);
            return Dir::Known(path);
        }
        match dir {
            DirArg::Cwd => Dir::Cwd,
            DirArg::Fd(fd) => Dir::Fd(fd),
            DirArg::FdIs(path) => Dir::Known(path),
            DirArg::CwdIs(_) | DirArg::Unknown => Dir::Unknown,
        }
    }

    fn emit(
        &mut self,
        sink: &mut dyn FnMut(TraceEvent),
        pid: u32,
        name: &[u8],
        op: Op,
        path: Vec<u8>,
        result: &Result<i64, String>,
    ) {
        self.stats.events += 1;
        sink(TraceEvent {
            pid,
            syscall: match std::str::from_utf8(name) {
                Ok(name) => name.to_owned(),
                Err(_) => String::from_utf8_lossy(name).into_owned(),
            },
            op,
            path: path_from_bytes(path),
            result: result.clone(),
            comm: None,
        });
    }

    /// Handle one whole call; false when it cannot be understood (nothing is
    /// emitted then).
    fn call(
        &mut self,
        pid: u32,
        name: &[u8],
        kind: Kind,
        body: &[u8],
        sink: &mut dyn FnMut(TraceEvent),
    ) -> bool {
        let mut args = Args::new();
        let Some(ret) = split_call(body, &mut args) else {
            return false;
        };
        let result = ret.result();
        match kind {
            Kind::Open(form) => {
                let (dir_i, path_i) = if form == OpenForm::Plain {
                    (None, 0)
                } else {
                    (Some(0), 1)
                };
                let Some(PathArg::Str(path)) = args.path(path_i) else {
                    return false;
                };
                if path.is_empty() {
                    return true;
                }
                let flags = args.get(path_i + 1);
                let flags = if form == OpenForm::At2 {
                    struct_field(flags, b"flags=")
                } else {
                    flags
                };
                let op = open_op(flags);
                let dir = match dir_i {
                    Some(i) => self.dirfd(pid, &args, i),
                    None => Dir::Cwd,
                };
                let Some(full) = self.resolve(pid, &dir, &path) else {
                    return true;
                };
                // With `-y` every later use of the fd names its path itself.
                if let Ok(fd) = result
                    && !ret.annotated
                {
                    self.set_fd(pid, fd, Some(full.clone()));
                }
                let target = ret
                    .fd_path()
                    .filter(|t| t.first() == Some(&b'/') && **t != full[..]);
                if let Some(target) = target {
                    // Through a symbolic link: what was really opened counts too.
                    self.emit(sink, pid, name, op, normalize(&target), &result);
                }
                self.emit(sink, pid, name, op, full, &result);
            }
            Kind::Creat => {
                let Some(PathArg::Str(path)) = args.path(0) else {
                    return false;
                };
                if path.is_empty() {
                    return true;
                }
                let Some(full) = self.resolve(pid, &Dir::Cwd, &path) else {
                    return true;
                };
                // With `-y` every later use of the fd names its path itself.
                if let Ok(fd) = result
                    && !ret.annotated
                {
                    self.set_fd(pid, fd, Some(full.clone()));
                }
                self.emit(sink, pid, name, Op::Create, full, &result);
            }
            Kind::File(op) | Kind::FileAt(op) => {
                let at = matches!(kind, Kind::FileAt(_));
                let path_i = usize::from(at);
                let Some(path) = args.path(path_i) else {
                    return false;
                };
                let dir = if at {
                    self.dirfd(pid, &args, 0)
                } else {
                    Dir::Cwd
                };
                let path = match path {
                    PathArg::Str(p) if !p.is_empty() => p,
                    // The dirfd itself: `fstatat(fd, "", ..., AT_EMPTY_PATH)`,
                    // `utimensat(fd, NULL, ...)`.
                    PathArg::Str(_) if at && args.has_flag(&self.words.empty_path) => {
                        Cow::Borrowed(&[][..])
                    }
                    PathArg::Null if at => Cow::Borrowed(&[][..]),
                    PathArg::Str(_) | PathArg::Null => return true,
                };
                if let Some(full) = self.resolve(pid, &dir, &path) {
                    self.emit(sink, pid, name, op, full, &result);
                }
            }
            Kind::Rename { at } | Kind::Link { at } => {
                let (old_i, new_i) = if at { (1, 3) } else { (0, 1) };
                let (Some(PathArg::Str(old)), Some(PathArg::Str(new))) =
                    (args.path(old_i), args.path(new_i))
                else {
                    return false;
                };
                let (old_dir, new_dir) = if at {
                    (self.dirfd(pid, &args, 0), self.dirfd(pid, &args, 2))
                } else {
                    (Dir::Cwd, Dir::Cwd)
                };
                let (from_op, to_op) = if matches!(kind, Kind::Rename { .. }) {
                    (Op::RenameFrom, Op::RenameTo)
                } else {
                    (Op::Read, Op::Create)
                };
                let old_ok = !old.is_empty() || (at && args.has_flag(&self.words.empty_path));
                if old_ok && let Some(full) = self.resolve(pid, &old_dir, &old) {
                    self.emit(sink, pid, name, from_op, full, &result);
                }
                if !new.is_empty()
                    && let Some(full) = self.resolve(pid, &new_dir, &new)
                {
                    self.emit(sink, pid, name, to_op, full, &result);
                }
            }
            Kind::Symlink { at } => {
                let link_i = if at { 2 } else { 1 };
                let Some(PathArg::Str(link)) = args.path(link_i) else {
                    return false;
                };
                let dir = if at {
                    self.dirfd(pid, &args, 1)
                } else {
                    Dir::Cwd
                };
                if !link.is_empty()
                    && let Some(full) = self.resolve(pid, &dir, &link)
                {
                    self.emit(sink, pid, name, Op::Create, full, &result);
                }
            }
            Kind::Exec { at } => {
                let path_i = usize::from(at);
                let Some(PathArg::Str(path)) = args.path(path_i) else {
                    return false;
                };
                let dir = if at {
                    self.dirfd(pid, &args, 0)
                } else {
                    Dir::Cwd
                };
                if (!path.is_empty() || (at && args.has_flag(&self.words.empty_path)))
                    && let Some(full) = self.resolve(pid, &dir, &path)
                {
                    self.emit(sink, pid, name, Op::Exec, full, &result);
                }
            }
            Kind::Chdir => {
                let Some(PathArg::Str(path)) = args.path(0) else {
                    return false;
                };
                if path.is_empty() {
                    return true;
                }
                if let Some(full) = self.resolve(pid, &Dir::Cwd, &path) {
                    if result.is_ok() {
                        self.set_cwd(pid, &full);
                    }
                    self.emit(sink, pid, name, Op::Stat, full, &result);
                }
            }
            Kind::Fchdir => {
                let dir = match args.dirfd(0) {
                    DirArg::Fd(fd) => self.fd_path(pid, fd).map(Cow::Owned),
                    DirArg::FdIs(p) => Some(p),
                    DirArg::Cwd | DirArg::CwdIs(_) | DirArg::Unknown => None,
                };
                if result.is_ok()
                    && let Some(dir) = dir
                {
                    self.set_cwd(pid, &dir);
                }
            }
            Kind::Close => {
                let Some(fd) = leading_int(args.get(0)) else {
                    return false;
                };
                if let Some(p) = self.procs.get(&pid) {
                    p.fds.borrow_mut().remove(&fd);
                }
            }
            Kind::CloseRange => {
                let Some(lo) = leading_int(args.get(0)) else {
                    return false;
                };
                let hi = leading_int(args.get(1)).unwrap_or(i64::MAX);
                if result.is_ok()
                    && let Some(p) = self.procs.get(&pid)
                {
                    p.fds.borrow_mut().retain(|&fd, _| fd < lo || fd > hi);
                }
            }
            Kind::Dup | Kind::Fcntl => {
                if kind == Kind::Fcntl && !args.get(1).starts_with(b"F_DUPFD") {
                    return true;
                }
                let Ok(new) = result else { return true };
                if let DirArg::Fd(old) = args.dirfd(0) {
                    let path = self.fd_path(pid, old);
                    self.set_fd(pid, new, path);
                }
            }
            Kind::Fork => {
                if let Ok(child) = result
                    && let Ok(child) = u32::try_from(child)
                    && child > 0
                {
                    let share_fs = has_flag(body, &self.words.clone_fs);
                    let share_files = has_flag(body, &self.words.clone_files);
                    self.inherit(pid, child, share_fs, share_files);
                }
            }
        }
        true
    }

    /// Give `child` its parent's working directory and descriptors.
    fn inherit(&mut self, parent: u32, child: u32, share_fs: bool, share_files: bool) {
        let (started, line) = (self.call_since, self.stats.lines);
        let born = self.proc(parent).child(share_fs, share_files, line);
        match self.procs.get_mut(&child) {
            // Absent, or left by an earlier process with this pid.
            None => {
                self.procs.insert(child, born);
            }
            Some(c) if c.since <= started => {
                *c = born;
            }
            Some(c) => {
                // The child's first lines came before the parent's return.
                if !c.cwd_known && !Rc::ptr_eq(&c.cwd, &born.cwd) {
                    let dir = born.cwd.borrow().clone();
                    *c.cwd.borrow_mut() = dir;
                    c.cwd_known = born.cwd_known;
                }
                if !Rc::ptr_eq(&c.fds, &born.fds) {
                    let parent_fds = born.fds.borrow();
                    let mut mine = c.fds.borrow_mut();
                    for (fd, path) in parent_fds.iter() {
                        mine.entry(*fd).or_insert_with(|| path.clone());
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Call text

/// Items whose strings and annotations `split_call` keeps what it learnt of:
/// paths and directories come no later.
const MAX_SEEN: usize = 4;

struct Args<'a> {
    items: [&'a [u8]; MAX_ARGS],
    /// What `split_call` read at the start of the first items, with offsets
    /// into the item, so that it is not read again.
    seen: [Seen; MAX_SEEN],
    len: usize,
}

/// The first string or `-y` annotation `split_call` skipped in an item.
#[derive(Clone, Copy)]
enum Seen {
    Nothing,
    /// A string without escapes starting the item, and its closing quote.
    Plain {
        close: usize,
    },
    /// An annotation at `at` and what `read_annotation` found.
    Annotation {
        at: usize,
        path: Option<AnnotatedPath>,
    },
}

enum PathArg<'a> {
    Str(Cow<'a, [u8]>),
    Null,
}

impl<'a> Args<'a> {
    fn new() -> Self {
        Args {
            items: [&[]; MAX_ARGS],
            seen: [Seen::Nothing; MAX_SEEN],
            len: 0,
        }
    }

    fn seen(&self, i: usize) -> Seen {
        match self.seen.get(i) {
            Some(&seen) if i < self.len => seen,
            _ => Seen::Nothing,
        }
    }

    fn get(&self, i: usize) -> &'a [u8] {
        if i < self.len { self.items[i] } else { &[] }
    }

    fn path(&self, i: usize) -> Option<PathArg<'a>> {
        let arg = self.get(i);
        if arg == b"NULL" {
            return Some(PathArg::Null);
        }
        if arg.first() != Some(&b'"') {
            return None;
        }
        if let Seen::Plain { close } = self.seen(i) {
            return Some(PathArg::Str(Cow::Borrowed(&arg[1..close])));
        }
        // A trailing `...` marks a cut string: kept as printed.
        decode_quoted(arg).map(PathArg::Str)
    }

    /// Argument `i` as a directory descriptor.
    fn dirfd(&self, i: usize) -> DirArg<'a> {
        let known = match self.seen(i) {
            Seen::Annotation { at, path } => Some((at, path)),
            _ => None,
        };
        parse_dirfd(self.get(i), known)
    }

    /// Keep `body[start..end]`, trimmed, as the next item; `seen` has offsets
    /// into `body`.
    fn push(&mut self, body: &'a [u8], start: usize, end: usize, seen: Seen) {
        if self.len >= MAX_ARGS {
            return;
        }
        let raw = &body[start..end];
        let lead = raw.len() - trim_start(raw).len();
        self.items[self.len] = trim_end(&raw[lead..]);
        if let Some(slot) = self.seen.get_mut(self.len) {
            let first = start + lead;
            *slot = match seen {
                Seen::Plain { close } if close > first => Seen::Plain {
                    close: close - first,
                },
                Seen::Annotation { at, path } if at >= first => Seen::Annotation {
                    at: at - first,
                    path,
                },
                _ => Seen::Nothing,
            };
        }
        self.len += 1;
    }

    /// Whether a flag word appears in any argument but the strings.
    fn has_flag(&self, flag: &memmem::Finder) -> bool {
        self.items[..self.len]
            .iter()
            .any(|a| a.first() != Some(&b'"') && has_flag(a, flag))
    }
}

enum Res<'a> {
    Val(i64),
    Errno(&'a [u8]),
    ErrNum(i64),
    Unknown,
}

struct Ret<'a> {
    res: Res<'a>,
    /// The value carries a `-y` annotation (`= 3</path>`).
    annotated: bool,
    /// The text from the annotation's `<` on, when there is one.
    annotation: &'a [u8],
}

impl<'a> Ret<'a> {
    /// The path the returned descriptor names (`= 3</real/path>`): where a
    /// path through symbolic links really led.
    fn fd_path(&self) -> Option<Cow<'a, [u8]>> {
        if self.annotated {
            annotation_path(self.annotation)
        } else {
            None
        }
    }
}

impl Ret<'_> {
    fn result(&self) -> Result<i64, String> {
        match self.res {
            Res::Val(n) => Ok(n),
            Res::Errno(name) => Err(String::from_utf8_lossy(name).into_owned()),
            Res::ErrNum(n) => Err(n.to_string()),
            Res::Unknown => Err("?".to_owned()),
        }
    }
}

/// Bytes that `split_call` has to look at (1); all others are skipped (0).
const CALL_SPECIAL: [u8; 256] = {
    let mut table = [0; 256];
    let special = b"\"<([{)]},";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = 1;
        i += 1;
    }
    table
};

/// Index of the first byte of `CALL_SPECIAL` in `s`.
fn find_call_special(s: &[u8]) -> Option<usize> {
    let special = |c: u8| CALL_SPECIAL[usize::from(c)];
    let mut at = 0;
    // Four bytes per branch.
    while let Some(&[a, b, c, d]) = s.get(at..).and_then(<[u8]>::first_chunk::<4>) {
        if special(a) | special(b) | special(c) | special(d) != 0 {
            break;
        }
        at += 4;
    }
    s[at..]
        .iter()
        .position(|&c| special(c) != 0)
        .map(|i| at + i)
}

/// Split `args) = result` (the text after `NAME(`) into arguments and result.
fn split_call<'a>(body: &'a [u8], args: &mut Args<'a>) -> Option<Ret<'a>> {
    // Offsets into `body` until the item is pushed.
    let mut seen = Seen::Nothing;
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    loop {
        i += find_call_special(body.get(i..)?)?;
        match body[i] {
            b'"' => {
                let (end, escaped) = skip_quoted(body, i)?;
                if matches!(seen, Seen::Nothing)
                    && !escaped
                    && trim_start(&body[start..i]).is_empty()
                {
                    seen = Seen::Plain { close: end - 1 };
                }
                i = end;
                continue;
            }
            b'<' if i > 0 && is_annotated(body[i - 1]) => {
                let (path, used) = read_annotation(&body[i..])?;
                if matches!(seen, Seen::Nothing) {
                    seen = Seen::Annotation { at: i, path };
                }
                i += used;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' if depth == 0 => {
                args.push(body, start, i, seen);
                return parse_ret(&body[i + 1..]);
            }
            b')' | b']' | b'}' => depth = depth.checked_sub(1)?,
            b',' if depth == 0 => {
                args.push(body, start, i, seen);
                seen = Seen::Nothing;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
}

/// A `<` right after these starts a `-y` annotation (`3</x>`, `AT_FDCWD</x>`).
fn is_annotated(prev: u8) -> bool {
    prev.is_ascii_digit() || prev == b'D'
}

/// ` = 3`, ` = -1 ENOENT (...)`, ` = ?`, ` = 3</path>`, with `-T` times after.
fn parse_ret(s: &[u8]) -> Option<Ret<'_>> {
    let s = trim_start(s).strip_prefix(b"=")?;
    let s = trim_start(s);
    if let Some(rest) = s.strip_prefix(b"?") {
        let rest = trim_start(rest);
        let n = errno_len(rest);
        let res = if n > 0 {
            Res::Errno(&rest[..n])
        } else {
            Res::Unknown
        };
        return Some(Ret {
            res,
            annotated: false,
            annotation: &[],
        });
    }
    let (value, used) = parse_int(s)?;
    let rest = &s[used..];
    if value < 0 {
        let rest = trim_start(rest);
        let n = errno_len(rest);
        let res = if n > 0 {
            Res::Errno(&rest[..n])
        } else {
            Res::ErrNum(value)
        };
        return Some(Ret {
            res,
            annotated: false,
            annotation: &[],
        });
    }
    let annotated = rest.starts_with(b"<");
    Some(Ret {
        res: Res::Val(value),
        annotated,
        annotation: if annotated { rest } else { &[] },
    })
}

fn errno_len(s: &[u8]) -> usize {
    if !s.first().is_some_and(u8::is_ascii_uppercase) {
        return 0;
    }
    s.iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_')
        .count()
}

/// A signed decimal or `0x` hex integer at the start of `s`, and its length.
fn parse_int(s: &[u8]) -> Option<(i64, usize)> {
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let sign = usize::from(neg);
    let (value, used) = if let Some(hex) = body.strip_prefix(b"0x") {
        let n = hex.iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if n == 0 {
            return None;
        }
        // Values past i64::MAX wrap, as the 64-bit register would.
        let v = parse_radix(&hex[..n], 16)?;
        (v as i64, n + 2)
    } else {
        let mut v: i64 = 0;
        let mut n = 0;
        for &c in body {
            if !c.is_ascii_digit() {
                break;
            }
            v = v.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
            n += 1;
        }
        if n == 0 {
            return None;
        }
        (v, n)
    };
    Some((if neg { value.wrapping_neg() } else { value }, used + sign))
}

fn leading_int(arg: &[u8]) -> Option<i64> {
    parse_int(arg).map(|(v, _)| v)
}

enum DirArg<'a> {
    Cwd,
    /// `AT_FDCWD</path>`: the cwd, as `-y` showed it.
    CwdIs(Cow<'a, [u8]>),
    Fd(i64),
    /// `N</path>`.
    FdIs(Cow<'a, [u8]>),
    Unknown,
}

/// Read a dirfd argument; `known` is an annotation already read in it (where
/// it starts in `arg`, and what it held).
fn parse_dirfd(arg: &[u8], known: Option<(usize, Option<AnnotatedPath>)>) -> DirArg<'_> {
    // The path of the annotation at `arg[at..]`.
    let annotation_path = |at: usize| match known {
        Some((k, path)) if k == at => path_of(&arg[at..], path?),
        _ => annotation_path(&arg[at..]),
    };
    if let Some(rest) = arg.strip_prefix(b"AT_FDCWD") {
        return match rest.first() {
            Some(b'<') => match annotation_path(8) {
                Some(p) => DirArg::CwdIs(p),
                None => DirArg::Cwd,
            },
            _ => DirArg::Cwd,
        };
    }
    let Some((fd, used)) = parse_int(arg) else {
        return DirArg::Unknown;
    };
    // -100 is AT_FDCWD (`-X raw`); 0xffffff9c is its 32-bit form.
    if fd == -100 || fd == 0xffff_ff9c {
        return DirArg::Cwd;
    }
    if arg.get(used) == Some(&b'<')
        && let Some(p) = annotation_path(used)
    {
        return DirArg::FdIs(p);
    }
    DirArg::Fd(fd)
}

/// The path inside a `-y` annotation starting at `<`; `None` for sockets,
/// pipes and other descriptors without a path.
fn annotation_path(s: &[u8]) -> Option<Cow<'_, [u8]>> {
    let (path, _) = read_annotation(s)?;
    path_of(s, path?)
}

/// The path of the annotation at the start of `s`, as `read_annotation` found it.
fn path_of(s: &[u8], path: AnnotatedPath) -> Option<Cow<'_, [u8]>> {
    match path {
        AnnotatedPath::Plain(end) => Some(Cow::Borrowed(&s[1..end])),
        AnnotatedPath::Escaped(end) => unescaped(s, 1, end),
    }
}

/// Where the path in a `-y` annotation ends, and whether it has escapes.
#[derive(Clone, Copy)]
enum AnnotatedPath {
    Plain(usize),
    Escaped(usize),
}

/// Read `<...>` at the start of `s`: where the path ends when it is a path,
/// and the bytes used. Paths escape `<` and `>`; `-yy` adds a nested
/// `<char 1:3>`; sockets print `TCP:[a->b]` with a bare `>` inside brackets.
fn read_annotation(s: &[u8]) -> Option<(Option<AnnotatedPath>, usize)> {
    let is_path = matches!(s.get(1), Some(b'/' | b'\\'));
    let mut depth = 1usize;
    let mut i = 1;
    if is_path {
        let mut path = None;
        let mut escaped = false;
        loop {
            i += memchr3(b'\\', b'<', b'>', s.get(i..)?)?;
            match s[i] {
                b'\\' => {
                    escaped |= path.is_none();
                    i += 2;
                    continue;
                }
                b'<' => depth += 1,
                _ => depth -= 1,
            }
            if path.is_none() {
                path = Some(if escaped {
                    AnnotatedPath::Escaped(i)
                } else {
                    AnnotatedPath::Plain(i)
                });
            }
            if depth == 0 {
                return Some((path, i + 1));
            }
            i += 1;
        }
    }
    let mut brackets = 0usize;
    while i < s.len() {
        match s[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'[' => brackets += 1,
            b']' => brackets = brackets.saturating_sub(1),
            b'<' if brackets == 0 => depth += 1,
            b'>' if brackets == 0 => {
                depth -= 1;
                if depth == 0 {
                    return Some((None, i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `s[start..end]` with its escapes decoded; borrowed when it has none. No
/// escape may run past `end`.
fn unescaped(s: &[u8], start: usize, end: usize) -> Option<Cow<'_, [u8]>> {
    let text = &s[start..end];
    let Some(first) = memchr(b'\\', text) else {
        return Some(Cow::Borrowed(text));
    };
    let mut out = Vec::with_capacity(text.len());
    out.extend_from_slice(&text[..first]);
    let mut i = start + first;
    while i < end {
        if s[i] == b'\\' {
            i = unescape(s, i + 1, &mut out)?;
        } else {
            let run = memchr(b'\\', &s[i..end]).unwrap_or(end - i);
            out.extend_from_slice(&s[i..i + run]);
            i += run;
        }
    }
    Some(Cow::Owned(out))
}

/// Index just past the closing quote of the string starting at `at`, and
/// whether the string has escapes.
fn skip_quoted(s: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut i = at + 1;
    let mut escaped = false;
    loop {
        i += memchr2(b'"', b'\\', s.get(i..)?)?;
        if s[i] == b'"' {
            return Some((i + 1, escaped));
        }
        escaped = true;
        i += 2;
    }
}

/// Decode the quoted string at the start of `s`; borrowed when it has no
/// escapes.
fn decode_quoted(s: &[u8]) -> Option<Cow<'_, [u8]>> {
    let mut i = 1;
    let run = memchr2(b'"', b'\\', s.get(i..)?)?;
    if s[i + run] == b'"' {
        return Some(Cow::Borrowed(&s[i..i + run]));
    }
    let mut out = Vec::with_capacity(s.len());
    loop {
        let run = memchr2(b'"', b'\\', s.get(i..)?)?;
        out.extend_from_slice(&s[i..i + run]);
        i += run;
        if s[i] == b'"' {
            return Some(Cow::Owned(out));
        }
        i = unescape(s, i + 1, &mut out)?;
    }
}

/// Decode the escape whose letter is at `i` (just after a `\`); returns the
/// index after it.
fn unescape(s: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    let c = *s.get(i)?;
    let simple = match c {
        b'n' => Some(b'\n'),
        b't' => Some(b'\t'),
        b'r' => Some(b'\r'),
        b'v' => Some(0x0b),
        b'f' => Some(0x0c),
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'e' => Some(0x1b),
        _ => None,
    };
    if let Some(b) = simple {
        out.push(b);
        return Some(i + 1);
    }
    if c == b'x' {
        let hi = s.get(i + 1).copied().and_then(hex_val);
        let lo = s.get(i + 2).copied().and_then(hex_val);
        if let (Some(hi), Some(lo)) = (hi, lo) {
            out.push(hi << 4 | lo);
            return Some(i + 3);
        }
        out.push(b'x');
        return Some(i + 1);
    }
    if (b'0'..=b'7').contains(&c) {
        let mut v: u32 = 0;
        let mut j = i;
        while j < s.len() && j < i + 3 && (b'0'..=b'7').contains(&s[j]) {
            v = v * 8 + u32::from(s[j] - b'0');
            j += 1;
        }
        out.push((v & 0xff) as u8);
        return Some(j);
    }
    out.push(c);
    Some(i + 1)
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// What an open's flags say it may do.
fn open_op(flags: &[u8]) -> Op {
    const O_WRONLY: u64 = 0o1;
    const O_RDWR: u64 = 0o2;
    const O_CREAT: u64 = 0o100;
    const O_TRUNC: u64 = 0o1000;
    const O_APPEND: u64 = 0o2000;
    let (mut create, mut write) = (false, false);
    for word in flags.split(|&c| c == b'|' || c == b' ') {
        match word {
            b"O_CREAT" => create = true,
            b"O_WRONLY" | b"O_RDWR" | b"O_TRUNC" | b"O_APPEND" => write = true,
            _ => {
                let bits = if let Some(hex) = word.strip_prefix(b"0x") {
                    parse_radix(hex, 16)
                } else if word.len() > 1 && word[0] == b'0' {
                    parse_radix(word, 8)
                } else {
                    None
                };
                if let Some(bits) = bits {
                    create |= bits & O_CREAT != 0;
                    write |= bits & (O_WRONLY | O_RDWR | O_TRUNC | O_APPEND) != 0;
                }
            }
        }
    }
    if create {
        Op::Create
    } else if write {
        Op::Write
    } else {
        Op::Read
    }
}

/// The value of `key` (e.g. `flags=`) inside `{key=value, ...}`.
fn struct_field<'a>(arg: &'a [u8], key: &[u8]) -> &'a [u8] {
    let Some(at) = memmem::find(arg, key) else {
        return &[];
    };
    let value = &arg[at + key.len()..];
    let end = value
        .iter()
        .position(|&c| c == b',' || c == b'}')
        .unwrap_or(value.len());
    &value[..end]
}

/// Whether `flag` appears in `hay` as a whole word.
fn has_flag(hay: &[u8], flag: &memmem::Finder) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let len = flag.needle().len();
    let mut from = 0;
    while let Some(found) = hay.get(from..).and_then(|rest| flag.find(rest)) {
        let at = from + found;
        let before = at.checked_sub(1).map(|i| hay[i]);
        let after = hay.get(at + len).copied();
        if !before.is_some_and(word) && !after.is_some_and(word) {
            return true;
        }
        from = at + len;
    }
    false
}

// ---------------------------------------------------------------------------
// Paths

/// `rel` joined to `base` and normalized; `rel` empty means `base` itself.
fn join(base: &[u8], rel: &[u8]) -> Vec<u8> {
    if rel.is_empty() && !base.is_empty() {
        return normalize(base);
    }
    let mut joined = Vec::with_capacity(base.len() + rel.len() + 1);
    joined.extend_from_slice(base);
    joined.push(b'/');
    joined.extend_from_slice(rel);
    if is_normal(&joined) {
        joined
    } else {
        normalize_slow(&joined)
    }
}

/// Lexically drop `.`, empty components and `..` (never above the root).
fn normalize(path: &[u8]) -> Vec<u8> {
    if is_normal(path) {
        path.to_vec()
    } else {
        normalize_slow(path)
    }
}

/// Whether `normalize` would return `path` unchanged: no `.`, `..` or empty
/// component and no trailing slash (except for `/` itself).
fn is_normal(path: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (path.first(), path.last()) else {
        return false;
    };
    if first == b'.' || (last == b'/' && path.len() > 1) {
        return false;
    }
    // No `//` and no `/.`, checked without branches so it vectorizes.
    let odd = path.iter().zip(&path[1..]).fold(0u8, |acc, (&a, &b)| {
        acc | (u8::from(a == b'/') & (u8::from(b == b'/') | u8::from(b == b'.')))
    });
    odd == 0
}

fn normalize_slow(path: &[u8]) -> Vec<u8> {
    let absolute = path.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&c| c == b'/') {
        match part {
            b"" | b"." => {}
            b".." => match parts.last() {
                Some(&last) if last != b".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(part),
            },
            _ => parts.push(part),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    for part in &parts {
        if absolute || !out.is_empty() {
            out.push(b'/');
        }
        out.extend_from_slice(part);
    }
    if out.is_empty() {
        out.push(if absolute { b'/' } else { b'.' });
    }
    out
}

// ---------------------------------------------------------------------------
// Bytes

/// Bytes of a syscall name: ASCII letters, digits and `_`.
const NAME_CHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric() || b == b'_';
        c += 1;
    }
    table
};

fn name_len(s: &[u8]) -> usize {
    s.iter()
        .position(|&c| !NAME_CHAR[usize::from(c)])
        .unwrap_or(s.len())
}

fn leading_digits(s: &[u8]) -> usize {
    s.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// A decimal number made of `digits` only; `None` when empty or too big.
fn parse_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    let mut v: u32 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some(v)
}

/// An unsigned number in `radix`, as `u64::from_str_radix` reads it.
fn parse_radix(text: &[u8], radix: u32) -> Option<u64> {
    let digits = match text {
        [b'+', rest @ ..] if !rest.is_empty() => rest,
        _ => text,
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        let d = char::from(c).to_digit(radix)?;
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(v)
}

fn trim_start(mut s: &[u8]) -> &[u8] {
    // strace pads results to a column: skip runs of spaces a word at a time.
    while let Some((chunk, rest)) = s.split_first_chunk::<8>()
        && *chunk == [b' '; 8]
    {
        s = rest;
    }
    let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &s[n..]
}

fn trim_end(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    &s[..s.len() - n]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor};
    use std::path::PathBuf;

    type Ev = (u32, String, Op, String, Result<i64, String>);

    fn run_bytes(input: &[u8], pid: Option<u32>) -> (Vec<TraceEvent>, ParseStats) {
        let mut out = Vec::new();
        let stats = parse_with_pid(Cursor::new(input), Path::new("/home/u"), pid, &mut |e| {
            out.push(e)
        })
        .unwrap();
        (out, stats)
    }

    fn short(events: &[TraceEvent]) -> Vec<Ev> {
        events
            .iter()
            .map(|e| {
                let path = e.path.to_string_lossy().into_owned();
                (e.pid, e.syscall.clone(), e.op, path, e.result.clone())
            })
            .collect()
    }

    fn run(input: &str) -> (Vec<Ev>, ParseStats) {
        let (events, stats) = run_bytes(input.as_bytes(), None);
        (short(&events), stats)
    }

    /// Events as (op, path) pairs, for inputs where nothing else matters.
    fn ops(input: &str) -> Vec<(Op, String)> {
        run(input)
            .0
            .into_iter()
            .map(|(_, _, op, path, _)| (op, path))
            .collect()
    }

    fn ev(pid: u32, sc: &str, op: Op, path: &str, result: Result<i64, &str>) -> Ev {
        (
            pid,
            sc.to_owned(),
            op,
            path.to_owned(),
            result.map_err(str::to_owned),
        )
    }

    fn pair(op: Op, path: &str) -> (Op, String) {
        (op, path.to_owned())
    }

    #[test]
    fn pid_prefixed_openat() {
        let (events, stats) = run(
            "12345 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3\n\
             12345 read(3, \"root:x:0:0:root:/root:/bin/bash\\n\"..., 4096) = 1234\n\
             12345 close(3)                          = 0\n",
        );
        assert_eq!(
            events,
            vec![ev(12345, "openat", Op::Read, "/etc/passwd", Ok(3))]
        );
        assert_eq!(
            stats,
            ParseStats {
                lines: 3,
                events: 1,
                unknown: 0
            }
        );
    }

    #[test]
    fn open_flags_pick_the_op() {
        let got = ops(concat!(
            "1 open(\"x\", O_WRONLY|O_APPEND|O_CREAT, 0666) = 3\n",
            "1 openat(AT_FDCWD, \"a\", O_RDONLY|O_CREAT, 0400) = 3\n",
            "1 openat(AT_FDCWD, \"b\", O_WRONLY|O_TRUNC) = 3\n",
            "1 openat(AT_FDCWD, \"c\", O_RDWR|O_CLOEXEC) = 3\n",
            "1 openat(AT_FDCWD, \"d\", O_RDONLY|O_APPEND) = 3\n",
            "1 openat(AT_FDCWD, \"e\", O_RDONLY|O_DIRECTORY|O_NONBLOCK) = 3\n",
            "1 openat(-100, \"f\", 0x241, 0666) = 3\n",
            "1 openat(-100 /* AT_FDCWD */, \"g\", 0x241 /* O_WRONLY|O_CREAT|O_TRUNC */, 0666) = 3\n",
            "1 openat(-100, \"h\", 0) = 3\n",
            "1 openat2(AT_FDCWD, \"i\", {flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS}, 24) = 3\n",
            "1 openat2(AT_FDCWD, \"j\", {flags=O_WRONLY|O_CREAT, mode=0644, resolve=0}, 24) = 3\n",
            "1 openat2(AT_FDCWD, \"k\", {flags=O_RDWR, resolve=0}, 24) = 3\n",
            "1 creat(\"l\", 0644) = 3\n",
            "1 open_by_handle_at(3, {handle_bytes=8, handle_type=1}, O_RDONLY) = 4\n",
        ));
        assert_eq!(
            got,
            vec![
                pair(Op::Create, "/home/u/x"),
                pair(Op::Create, "/home/u/a"),
                pair(Op::Write, "/home/u/b"),
                pair(Op::Write, "/home/u/c"),
                pair(Op::Write, "/home/u/d"),
                pair(Op::Read, "/home/u/e"),
                pair(Op::Create, "/home/u/f"),
                pair(Op::Create, "/home/u/g"),
                pair(Op::Read, "/home/u/h"),
                pair(Op::Read, "/home/u/i"),
                pair(Op::Create, "/home/u/j"),
                pair(Op::Write, "/home/u/k"),
                pair(Op::Create, "/home/u/l"),
            ]
        );
    }

    #[test]
    fn syscall_table() {
        let got = ops(concat!(
            "1 stat(\"a\", {st_mode=S_IFREG|0644, st_size=3, ...}) = 0\n",
            "1 lstat(\"/b\", 0x7ffd) = 0\n",
            "1 newfstatat(AT_FDCWD, \"c\", {st_mode=S_IFREG|0644, st_size=3, ...}, 0) = 0\n",
            "1 statx(AT_FDCWD, \"d\", AT_STATX_SYNC_AS_STAT, STATX_ALL, {stx_mask=STATX_BASIC_STATS, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=3, ...}) = 0\n",
            "1 access(\"e\", R_OK) = 0\n",
            "1 faccessat2(AT_FDCWD, \"f\", X_OK, AT_EACCESS) = 0\n",
            "1 readlink(\"g\", \"target\", 4096) = 6\n",
            "1 readlinkat(AT_FDCWD, \"h\", 0x7ffd, 4095) = -1 EINVAL (Invalid argument)\n",
            "1 statfs(\"i\", {f_type=EXT2_SUPER_MAGIC, ...}) = 0\n",
            "1 getxattr(\"j\", \"user.x\", NULL, 0) = -1 ENODATA (No data available)\n",
            "1 llistxattr(\"k\", NULL, 0) = 0\n",
            "1 utimensat(AT_FDCWD, \"l\", [UTIME_NOW, UTIME_NOW], 0) = 0\n",
            "1 utimes(\"m\", [{tv_sec=0, tv_usec=0}, {tv_sec=0, tv_usec=0}]) = 0\n",
            "1 chmod(\"n\", 0600) = 0\n",
            "1 fchmodat(AT_FDCWD, \"o\", 0600) = 0\n",
            "1 fchownat(AT_FDCWD, \"p\", 0, 0, AT_SYMLINK_NOFOLLOW) = 0\n",
            "1 truncate(\"q\", 0) = 0\n",
            "1 setxattr(\"r\", \"user.x\", \"v\", 1, 0) = 0\n",
            "1 lremovexattr(\"s\", \"user.x\") = 0\n",
            "1 mkdir(\"t\", 0777) = 0\n",
            "1 mkdirat(AT_FDCWD, \"u\", 0700) = 0\n",
            "1 mknod(\"v\", S_IFIFO|0644) = 0\n",
            "1 mknodat(AT_FDCWD, \"w\", S_IFIFO|0644) = 0\n",
            "1 unlink(\"x\") = 0\n",
            "1 unlinkat(AT_FDCWD, \"y\", AT_REMOVEDIR) = 0\n",
            "1 rmdir(\"z\") = 0\n",
            "1 utime(\"za\", NULL) = 0\n",
            "1 lchown(\"zb\", 0, 0) = 0\n",
        ));
        use Op::*;
        let want = [
            (Stat, "a"),
            (Stat, "/b"),
            (Stat, "c"),
            (Stat, "d"),
            (Stat, "e"),
            (Stat, "f"),
            (Stat, "g"),
            (Stat, "h"),
            (Stat, "i"),
            (Stat, "j"),
            (Stat, "k"),
            (Write, "l"),
            (Write, "m"),
            (Write, "n"),
            (Write, "o"),
            (Write, "p"),
            (Write, "q"),
            (Write, "r"),
            (Write, "s"),
            (Mkdir, "t"),
            (Mkdir, "u"),
            (Create, "v"),
            (Create, "w"),
            (Delete, "x"),
            (Delete, "y"),
            (Delete, "z"),
            (Write, "za"),
            (Write, "zb"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(op, p)| {
                let path = if p.starts_with('/') {
                    p.to_string()
                } else {
                    format!("/home/u/{p}")
                };
                (*op, path)
            })
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn stderr_prefixes_and_given_pid() {
        let input = "openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n\
                     [pid  4130] openat(AT_FDCWD, \"/b\", O_RDONLY) = 3\n\
                     [pid 77] stat(\"/c\", 0x1) = 0\n";
        let (events, _) = run(input);
        let pids: Vec<u32> = events.iter().map(|e| e.0).collect();
        assert_eq!(pids, vec![0, 4130, 77]);

        let (events, stats) = run_bytes(b"openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n", Some(42));
        assert_eq!(events[0].pid, 42);
        assert_eq!(stats.events, 1);
        // In a `-ff` file a leading number is a timestamp, never a pid.
        let (events, _) = run_bytes(
            b"1795607442 openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n",
            Some(7),
        );
        assert_eq!(events[0].pid, 7);
    }

    #[test]
    fn timestamps_and_other_columns_are_skipped() {
        let input = concat!(
            "3732  11:50:42.230418 openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n",
            "3739  1795607442.249731 openat(AT_FDCWD, \"/b\", O_RDONLY) = 3\n",
            "3746       0.000079 openat(AT_FDCWD, \"/c\", O_RDONLY) = 3\n",
            "3753  11:50:42 openat(AT_FDCWD, \"/d\", O_RDONLY) = 3\n",
            "3760  openat(AT_FDCWD, \"/e\", O_RDONLY) = 3 <0.000035>\n",
            "3767  [ 257] openat(AT_FDCWD, \"/f\", O_RDONLY) = 3\n",
            "3781  [00007f2150674ad7] openat(AT_FDCWD, \"/g\", O_RDONLY) = 3\n",
            "1795607442.249731 openat(AT_FDCWD, \"/h\", O_RDONLY) = 3\n",
            "     0.000079 openat(AT_FDCWD, \"/i\", O_RDONLY) = 3\n",
            "[pid  12] 11:50:42.230418 openat(AT_FDCWD, \"/j\", O_RDONLY) = 3\n",
            "28663<sh> openat(AT_FDCWD, \"/y\", O_RDONLY) = 3\n",
            "[pid 28664<a b>] openat(AT_FDCWD, \"/z\", O_RDONLY) = 3\n",
            "11:50:42 openat(AT_FDCWD, \"/k\", O_RDONLY) = 3\n",
        );
        let (events, stats) = run(input);
        let pids: Vec<u32> = events.iter().map(|e| e.0).collect();
        let paths: Vec<&str> = events.iter().map(|e| e.3.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/a", "/b", "/c", "/d", "/e", "/f", "/g", "/h", "/i", "/j", "/y", "/z", "/k"
            ]
        );
        // Once `[pid 12]` shows up, unprefixed lines are taken as that process.
        let want = [
            3732, 3739, 3746, 3753, 3760, 3767, 3781, 0, 0, 12, 28663, 28664, 12,
        ];
        assert_eq!(pids, want);
        assert_eq!(stats.unknown, 0);
    }

    #[test]
    fn split_calls_are_joined_per_pid() {
        let input = concat!(
            "123 openat(AT_FDCWD, \"/x\", O_RDONLY <unfinished ...>\n",
            "124 openat(AT_FDCWD, \"/y\", O_WRONLY|O_CREAT|O_TRUNC, 0666 <unfinished ...>\n",
            "123 <... openat resumed>) = 3\n",
            "124 <... openat resumed> ) = -1 EACCES (Permission denied)\n",
            "125 renameat2(AT_FDCWD, \"A\", AT_FDCWD,  <unfinished ...>\n",
            "126 rename(\"C\", \"D\" <unfinished ...>\n",
            "125 <... renameat2 resumed>\"B\", RENAME_NOREPLACE) = 0\n",
            "126 <... rename resumed>)               = 0\n",
            "127 newfstatat(AT_FDCWD, \"s\",  <unfinished ...>\n",
            "127 <... newfstatat resumed>{st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0\n",
        );
        let (events, stats) = run(input);
        assert_eq!(
            events,
            vec![
                ev(123, "openat", Op::Read, "/x", Ok(3)),
                ev(124, "openat", Op::Create, "/y", Err("EACCES")),
                ev(125, "renameat2", Op::RenameFrom, "/home/u/A", Ok(0)),
                ev(125, "renameat2", Op::RenameTo, "/home/u/B", Ok(0)),
                ev(126, "rename", Op::RenameFrom, "/home/u/C", Ok(0)),
                ev(126, "rename", Op::RenameTo, "/home/u/D", Ok(0)),
                ev(127, "newfstatat", Op::Stat, "/home/u/s", Ok(0)),
            ]
        );
        assert_eq!(stats.unknown, 0);
    }

    #[test]
    fn split_call_lost_halves_are_unknown() {
        let input = concat!(
            "5 <... openat resumed>) = 3\n",
            "6 openat(AT_FDCWD, \"/a\", O_RDONLY <unfinished ...>\n",
            "6 <... stat resumed>) = 0\n",
            "7 read(0,  <unfinished ...>\n",
            "7 <... read resumed>\"\", 10) = 0\n",
            "8 openat(AT_FDCWD, \"/k\", O_RDONLY <unfinished ...>\n",
            "8 +++ killed by SIGKILL +++\n",
        );
        let (events, stats) = run(input);
        assert!(events.is_empty());
        // The orphan resume, and the mismatched pair (two lines).
        assert_eq!(stats.unknown, 3);
    }

    #[test]
    fn return_values() {
        let input = concat!(
            "1 openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n",
            "1 openat(AT_FDCWD, \"/b\", O_RDONLY)       =    4\n",
            "1 openat(AT_FDCWD, \"/c\", O_RDONLY) = -1 ENOENT (No such file or directory)\n",
            "1 execve(\"/d\", [\"d\"], 0x7ffd /* 3 vars */) = ?\n",
            "1 openat(AT_FDCWD, \"/e\", O_RDONLY) = 5</e>\n",
            "1 openat(AT_FDCWD, \"/f\", O_RDONLY) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n",
            "1 openat(AT_FDCWD, \"/g\", O_RDONLY) = -1 (errno 2)\n",
            "1 openat(AT_FDCWD, \"/h\", O_RDONLY) = -1 EACCES (Permission denied) (INJECTED)\n",
            "1 openat(AT_FDCWD, \"/i\", O_RDONLY) = 0x3\n",
        );
        let results: Vec<_> = run(input).0.into_iter().map(|e| e.4).collect();
        let want: Vec<Result<i64, String>> = vec![
            Ok(3),
            Ok(4),
            Err("ENOENT".into()),
            Err("?".into()),
            Ok(5),
            Err("ERESTARTSYS".into()),
            Err("-1".into()),
            Err("EACCES".into()),
            Ok(3),
        ];
        assert_eq!(results, want);
    }

    #[test]
    fn string_escapes() {
        let input = concat!(
            "1 openat(AT_FDCWD, \"/q\\\"x\", O_RDONLY) = 3\n",
            "1 openat(AT_FDCWD, \"/back\\\\sl\", O_RDONLY) = 3\n",
            "1 openat(AT_FDCWD, \"/t\\tn\\nv\\vf\\fr\\r\", O_RDONLY) = 3\n",
            "1 openat(AT_FDCWD, \"/\\303\\251\", O_RDONLY) = 3\n",
            "1 openat(AT_FDCWD, \"\\x2f\\x68\\x69\", O_RDONLY) = 3\n",
            "1 openat(AT_FDCWD, \"/\\0011\\1a\\177\", O_RDONLY) = 3\n",
            "1 openat(AT_FDCWD, \"/a, b) = 4\", O_RDONLY) = 3\n",
            "1 openat(AT_FDCWD, \"/long\"..., O_RDONLY) = 3\n",
        );
        let (events, stats) = run_bytes(input.as_bytes(), None);
        use std::os::unix::ffi::OsStrExt;
        let paths: Vec<&[u8]> = events
            .iter()
            .map(|e| e.path.as_os_str().as_bytes())
            .collect();
        let want: Vec<&[u8]> = vec![
            b"/q\"x",
            b"/back\\sl",
            b"/t\tn\nv\x0bf\x0cr\r",
            "/é".as_bytes(),
            b"/hi",
            b"/\x011\x01a\x7f",
            b"/a, b) = 4",
            b"/long",
        ];
        assert_eq!(paths, want);
        assert_eq!(stats.unknown, 0);
    }

    #[test]
    fn y_annotations() {
        let input = concat!(
            "1 openat(3</home/u/dir>, \"name\", O_RDONLY) = 4</home/u/dir/name>\n",
            "1 openat(AT_FDCWD</cwd/dir>, \"rel\", O_RDONLY) = -1 ENOENT (No such file or directory)\n",
            "1 newfstatat(3</x/y>, \"\", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH) = 0\n",
            "1 openat(AT_FDCWD</tmp/st/sub>, \"g>t\", O_RDONLY) = 3</tmp/st/sub/g\\76t>\n",
            "1 newfstatat(3</tmp/st/sub/g\\76t>, \"\", {st_mode=S_IFREG|0644, st_size=0, ...}, AT_EMPTY_PATH) = 0\n",
            "1 newfstatat(3</tmp/a\\74b[c>, \"\", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0\n",
            "1 newfstatat(3<\\x2f\\x74\\xc3\\xa9>, \"\", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0\n",
            "1 openat(AT_FDCWD</w/x,y>(deleted), \"z\", O_RDONLY) = 3\n",
            "1 newfstatat(4</dev/null<char 1:3>>, \"\", {st_mode=S_IFCHR|0666, ...}, AT_EMPTY_PATH) = 0\n",
            "1 close(4<TCP:[127.0.0.1:34856->127.0.0.1:52515]>) = 0\n",
            "1 unlinkat(5<socket:[77]>, \"s\", 0) = -1 ENOTDIR (Not a directory)\n",
            "1 utimensat(6</f/g>, NULL, [UTIME_NOW, UTIME_NOW], 0) = 0\n",
        );
        let (events, stats) = run_bytes(input.as_bytes(), None);
        use std::os::unix::ffi::OsStrExt;
        let paths: Vec<&[u8]> = events
            .iter()
            .map(|e| e.path.as_os_str().as_bytes())
            .collect();
        let want: Vec<&[u8]> = vec![
            b"/home/u/dir/name",
            b"/cwd/dir/rel",
            b"/x/y",
            b"/tmp/st/sub/g>t",
            b"/tmp/st/sub/g>t",
            b"/tmp/a<b[c",
            "/té".as_bytes(),
            b"/w/x,y/z",
            b"/dev/null",
            // A socket is no directory: the path stays as printed.
            b"s",
            b"/f/g",
        ];
        assert_eq!(paths, want);
        assert_eq!(stats.unknown, 0);
        // The last AT_FDCWD annotation also sets the cwd for calls without one.
        let got = ops("1 openat(AT_FDCWD</a/b>, \"c\", O_RDONLY) = 3\n1 stat(\"d\", 0x1) = 0\n");
        assert_eq!(
            got,
            vec![pair(Op::Read, "/a/b/c"), pair(Op::Stat, "/a/b/d")]
        );
    }

    #[test]
    fn cwd_tracking_without_y() {
        let input = concat!(
            "1 chdir(\"sub\") = 0\n",
            "1 openat(AT_FDCWD, \"a\", O_RDONLY) = 3\n",
            "1 chdir(\"missing\") = -1 ENOENT (No such file or directory)\n",
            "1 stat(\"../b\", 0x1) = 0\n",
            "1 openat(AT_FDCWD, \"/etc\", O_RDONLY|O_DIRECTORY) = 4\n",
            "1 openat(4, \"hosts\", O_RDONLY) = 5\n",
            "1 dup2(4, 9) = 9\n",
            "1 fcntl(9, F_DUPFD_CLOEXEC, 20) = 21\n",
            "1 newfstatat(21, \"passwd\", {st_mode=S_IFREG|0644, ...}, 0) = 0\n",
            "1 fchdir(4) = 0\n",
            "1 openat(AT_FDCWD, \"./group\", O_RDONLY) = 6\n",
            "1 close(4) = 0\n",
            "1 openat(4, \"gone\", O_RDONLY) = -1 EBADF (Bad file descriptor)\n",
            "1 chdir(\"/var/./tmp/..\") = 0\n",
            "1 open(\"log\", O_WRONLY|O_APPEND) = 3\n",
            "1 close_range(3, 4294967295, 0) = 0\n",
            "1 openat(9, \"x\", O_RDONLY) = -1 EBADF (Bad file descriptor)\n",
        );
        let got = ops(input);
        assert_eq!(
            got,
            vec![
                pair(Op::Stat, "/home/u/sub"),
                pair(Op::Read, "/home/u/sub/a"),
                pair(Op::Stat, "/home/u/sub/missing"),
                pair(Op::Stat, "/home/u/b"),
                pair(Op::Read, "/etc"),
                pair(Op::Read, "/etc/hosts"),
                pair(Op::Stat, "/etc/passwd"),
                pair(Op::Read, "/etc/group"),
                pair(Op::Read, "gone"),
                pair(Op::Stat, "/var"),
                pair(Op::Write, "/var/log"),
                pair(Op::Read, "x"),
            ]
        );
    }

    #[test]
    fn children_inherit_cwd() {
        let input = concat!(
            "10 chdir(\"/w\") = 0\n",
            "10 openat(AT_FDCWD, \"d\", O_RDONLY|O_DIRECTORY) = 3\n",
            "10 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 11\n",
            "11 openat(AT_FDCWD, \"a\", O_RDONLY) = 4\n",
            "11 openat(3, \"b\", O_RDONLY) = 5\n",
            "11 chdir(\"/elsewhere\") = 0\n",
            "10 openat(AT_FDCWD, \"c\", O_RDONLY) = 4\n",
            // A thread shares cwd and descriptors with its creator.
            "10 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, child_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7fff00, tls=0x7f} => {parent_tid=[12]}, 88) = 12\n",
            "12 chdir(\"t\") = 0\n",
            "12 openat(AT_FDCWD, \"/z\", O_RDONLY|O_DIRECTORY) = 7\n",
            "10 openat(7, \"e\", O_RDONLY) = 8\n",
            "10 openat(AT_FDCWD, \"f\", O_RDONLY) = 9\n",
            // The child's first line before the parent's return.
            "10 vfork( <unfinished ...>\n",
            "13 openat(AT_FDCWD, \"g\", O_RDONLY) = 3\n",
            "10 <... vfork resumed>) = 13\n",
            "13 openat(AT_FDCWD, \"h\", O_RDONLY) = 3\n",
            "13 +++ exited with 0 +++\n",
        );
        let got = ops(input);
        assert_eq!(
            got,
            vec![
                pair(Op::Stat, "/w"),
                pair(Op::Read, "/w/d"),
                pair(Op::Read, "/w/a"),
                pair(Op::Read, "/w/d/b"),
                pair(Op::Stat, "/elsewhere"),
                pair(Op::Read, "/w/c"),
                pair(Op::Stat, "/w/t"),
                pair(Op::Read, "/z"),
                pair(Op::Read, "/z/e"),
                pair(Op::Read, "/w/t/f"),
                // Taken as the child of the one process with a fork pending.
                pair(Op::Read, "/w/t/g"),
                pair(Op::Read, "/w/t/h"),
            ]
        );
    }

    #[test]
    fn reused_pid_starts_afresh() {
        // With `-qq` there are no exit lines: pid 11 comes back as 20's child.
        let input = concat!(
            "10 chdir(\"/a\") = 0\n",
            "10 clone(child_stack=NULL, flags=SIGCHLD) = 11\n",
            "11 chdir(\"/b\") = 0\n",
            "20 clone(child_stack=NULL, flags=SIGCHLD) = 11\n",
            "11 openat(AT_FDCWD, \"x\", O_RDONLY) = 3\n",
        );
        let got = ops(input);
        assert_eq!(got.last(), Some(&pair(Op::Read, "/home/u/x")));
    }

    #[test]
    fn renames_links_symlinks() {
        let input = concat!(
            "1 rename(\"a\", \"/b\") = 0\n",
            "1 renameat(AT_FDCWD, \"c\", 3</d>, \"e\") = 0\n",
            "1 renameat2(3</x>, \"a\", AT_FDCWD, \"b\", RENAME_NOREPLACE) = -1 EEXIST (File exists)\n",
            "1 link(\"f\", \"g\") = 0\n",
            "1 linkat(AT_FDCWD, \"h\", AT_FDCWD, \"i\", 0) = 0\n",
            "1 linkat(4</tmpf>, \"\", AT_FDCWD, \"j\", AT_EMPTY_PATH) = 0\n",
            "1 symlink(\"target\", \"k\") = 0\n",
            "1 symlinkat(\"../t\", AT_FDCWD, \"l\") = 0\n",
            "1 symlinkat(\"t\", 5</m>, \"n\") = -1 EEXIST (File exists)\n",
        );
        let (events, _) = run(input);
        let got: Vec<_> = events
            .iter()
            .map(|e| (e.2, e.3.as_str(), e.4.is_ok()))
            .collect();
        use Op::*;
        assert_eq!(
            got,
            vec![
                (RenameFrom, "/home/u/a", true),
                (RenameTo, "/b", true),
                (RenameFrom, "/home/u/c", true),
                (RenameTo, "/d/e", true),
                (RenameFrom, "/x/a", false),
                (RenameTo, "/home/u/b", false),
                (Read, "/home/u/f", true),
                (Create, "/home/u/g", true),
                (Read, "/home/u/h", true),
                (Create, "/home/u/i", true),
                (Read, "/tmpf", true),
                (Create, "/home/u/j", true),
                (Create, "/home/u/k", true),
                (Create, "/home/u/l", true),
                (Create, "/m/n", false),
            ]
        );
    }

    #[test]
    fn exec_lines() {
        let input = concat!(
            "7 execve(\"/bin/x\", [\"x\", \"a, b)\"], 0x7ffd5c89e788 /* 35 vars */) = 0\n",
            "7 execve(\"/usr/local/bin/cat\", [\"cat\"], 0x56 /* 3 vars */) = -1 ENOENT (No such file or directory)\n",
            "7 execve(\"./run\", [\"./run\"], [\"A=1\", \"B=)\"]) = 0\n",
            "7 execveat(3</bin>, \"ls\", [\"ls\"], NULL, 0) = 0\n",
            "7 execveat(4</bin/true>, \"\", [\"true\"], NULL, AT_EMPTY_PATH) = 0\n",
        );
        let (events, stats) = run(input);
        assert_eq!(
            events,
            vec![
                ev(7, "execve", Op::Exec, "/bin/x", Ok(0)),
                ev(7, "execve", Op::Exec, "/usr/local/bin/cat", Err("ENOENT")),
                ev(7, "execve", Op::Exec, "/home/u/run", Ok(0)),
                ev(7, "execveat", Op::Exec, "/bin/ls", Ok(0)),
                ev(7, "execveat", Op::Exec, "/bin/true", Ok(0)),
            ]
        );
        assert_eq!(stats.unknown, 0);
    }

    #[test]
    fn superseded_execve() {
        let input = concat!(
            "21 execve(\"/bin/new\", [\"new\"], 0x1 /* 1 var */ <unfinished ...>\n",
            "20 +++ superseded by execve in pid 21 +++\n",
            "20 <... execve resumed>) = 0\n",
        );
        let (events, stats) = run(input);
        assert_eq!(events, vec![ev(20, "execve", Op::Exec, "/bin/new", Ok(0))]);
        assert_eq!(stats.unknown, 0);
    }

    #[test]
    fn stderr_form_adopts_the_first_process() {
        let input = concat!(
            "chdir(\"/w\")                        = 0\n",
            "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLDstrace: Process 4130 attached\n",
            " <unfinished ...>\n",
            "[pid  4130] openat(AT_FDCWD, \"a\", O_RDONLY <unfinished ...>\n",
            "[pid  4129] <... clone resumed>, child_tidptr=0x7fdf726f5a10) = 4130\n",
            "[pid  4130] <... openat resumed>)       = 3\n",
            "[pid  4129] openat(AT_FDCWD, \"b\", O_RDONLY) = 3\n",
            "[pid  4130] +++ exited with 0 +++\n",
            "openat(AT_FDCWD, \"c\", O_RDONLY) = 3\n",
            "+++ exited with 0 +++\n",
        );
        let (events, stats) = run(input);
        assert_eq!(
            events,
            vec![
                ev(0, "chdir", Op::Stat, "/w", Ok(0)),
                // Handled when resumed, after the clone return gave it a cwd.
                ev(4130, "openat", Op::Read, "/w/a", Ok(3)),
                ev(4129, "openat", Op::Read, "/w/b", Ok(3)),
                ev(4129, "openat", Op::Read, "/w/c", Ok(3)),
            ]
        );
        assert_eq!(stats.unknown, 0);
    }

    #[test]
    fn calls_cut_by_attach_messages() {
        let input = concat!(
            "chdir(\"/w\") = 0\n",
            "openat(AT_FDCWD, strace: Process 9 attached\n",
            "\"a\", O_RDONLY) = 3\n",
            "wait4(-1, strace: Process 10 attached\n",
            "0x7ffe30ce60ac, WNOHANG, NULL) = 0\n",
            "stat(\"b\", strace: Process 11 attached\n",
            " <unfinished ...>\n",
            "[pid 12] <... stat resumed>{st_mode=S_IFREG|0644, ...}) = 0\n",
            "[pid 12] openat(AT_FDCWD, \"c\", strace: Process 13 attached\n",
            "O_RDONLY <unfinished ...>\n",
            "[pid 13] stat(\"/d\", 0x1) = 0\n",
            "[pid 12] <... openat resumed>) = 4\n",
        );
        let (events, stats) = run(input);
        assert_eq!(
            events,
            vec![
                ev(0, "chdir", Op::Stat, "/w", Ok(0)),
                ev(0, "openat", Op::Read, "/w/a", Ok(3)),
                ev(12, "stat", Op::Stat, "/w/b", Ok(0)),
                ev(13, "stat", Op::Stat, "/d", Ok(0)),
                ev(12, "openat", Op::Read, "/w/c", Ok(4)),
            ]
        );
        assert_eq!(stats.unknown, 0);
    }

    #[test]
    fn quiet_lines() {
        let input = concat!(
            "123 +++ exited with 0 +++\n",
            "123 +++ killed by SIGKILL +++\n",
            "+++ killed by SIGSEGV (core dumped) +++\n",
            "123 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n",
            "--- stopped by SIGTSTP ---\n",
            "strace: Process 123 attached\n",
            "strace: Process 123 detached\n",
            "[pid 5] strace: Process 6 attached\n",
            " <unfinished ...>\n",
            "123 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f\n",
            "123 read(0,  <detached ...>\n",
            "123 exit_group(0)                     = ?\n",
            " > /usr/lib/x86_64-linux-gnu/libc.so.6(__open64+0x7b) [0x114e7b]\n",
            "[ Process PID=123 runs in 32 bit mode. ]\n",
            "\n",
            "\r\n",
        );
        let (events, stats) = run(input);
        assert!(events.is_empty());
        assert_eq!(
            stats,
            ParseStats {
                lines: 16,
                events: 0,
                unknown: 0
            }
        );
    }

    #[test]
    fn garbage_is_unknown_and_never_panics() {
        let input = concat!(
            "hello world\n",
            "12345 openat(AT_FDCWD, \"/unterminated\n",
            "12345 openat(AT_FDCWD, \"/x\", O_RDONLY\n",
            "12345 openat(AT_FDCWD, 0x7ffd, O_RDONLY) = -1 EFAULT (Bad address)\n",
            "12345 openat(AT_FDCWD, \"/x\", O_RDONLY) = \n",
            "12345 openat(3<, \"/x\", O_RDONLY) = 3\n",
            "{\"event_type\": 1}\n",
            "12345 openat(AT_FDCWD, \"/x\\",
        );
        let (events, stats) = run(input);
        assert!(events.is_empty());
        assert_eq!(stats.lines, 8);
        assert_eq!(stats.unknown, 8);

        // Pseudo-random bytes, and every prefix of real lines.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut bytes = Vec::new();
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let alphabet = b"\"\\<>()[]{},= 0123456789abxAT_FDCWD/\n\t|.-+?";
            let pick = (seed >> 32) as usize;
            bytes.push(if pick.is_multiple_of(4) {
                (seed >> 8) as u8
            } else {
                alphabet[pick % alphabet.len()]
            });
        }
        let _ = run_bytes(&bytes, None);
        let lines = concat!(
            "12 openat(3</a\\76b<char 1:3>>, \"x\\303\\251\\x41\", O_RDONLY|O_CREAT, 0666) = 4</p>\n",
            "12 <... renameat2 resumed>\"B\", RENAME_NOREPLACE) = 0\n",
            "[pid 9] 1.5 [  3] clone3({flags=CLONE_FS} => {parent_tid=[1]}, 88) = 13\n",
        );
        for end in 0..lines.len() {
            let _ = run_bytes(&lines.as_bytes()[..end], None);
            let _ = run_bytes(&lines.as_bytes()[end..], Some(1));
        }
    }

    #[test]
    fn huge_and_split_lines() {
        let mut input = Vec::new();
        input.extend_from_slice(b"1 write(1, \"");
        input.resize(input.len() + 3 * MAX_LINE, b'a');
        input.extend_from_slice(b"\", 10) = 10\n");
        input.extend_from_slice(b"1 openat(AT_FDCWD, \"/");
        input.resize(input.len() + 2 * MAX_LINE, b'b');
        input.extend_from_slice(b"\", O_RDONLY) = 3\n");
        input.extend_from_slice(b"1 openat(AT_FDCWD, \"/after\", O_RDONLY) = 3\n");
        let (events, stats) = run_bytes(&input, None);
        assert_eq!(stats.lines, 3);
        assert_eq!(stats.unknown, 1);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].path, PathBuf::from("/after"));

        // The same trace through a tiny buffer gives the same events.
        let trace = concat!(
            "1 openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n",
            "2 renameat2(AT_FDCWD, \"x\", AT_FDCWD, \"y\", RENAME_NOREPLACE) = 0\n",
            "3 openat(AT_FDCWD</d>, \"b\", O_RDONLY) = 3</d/b>",
        );
        let mut small = Vec::new();
        let reader = BufReader::with_capacity(7, trace.as_bytes());
        let stats_small = parse(reader, Path::new("/home/u"), &mut |e| small.push(e)).unwrap();
        let (big, stats_big) = run_bytes(trace.as_bytes(), None);
        assert_eq!(small, big);
        assert_eq!(stats_small, stats_big);
        assert_eq!(big.len(), 4);
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(b"/a/./b/../c//d/"), b"/a/c/d");
        assert_eq!(normalize(b"/../.."), b"/");
        assert_eq!(normalize(b"a/../../b"), b"../b");
        assert_eq!(normalize(b"./"), b".");
        assert_eq!(join(b"/x", b""), b"/x");
    }

    #[test]
    fn looks_like_strace_lines_only() {
        for line in [
            "12345 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3",
            "[pid  123] openat(AT_FDCWD, \"/x\", O_RDONLY <unfinished ...>",
            "execve(\"/usr/bin/sh\", [\"sh\"], 0x7ffc4ff598c0 /* 39 vars */) = 0",
            "3732  11:50:42.230418 brk(NULL) = 0x5596ac4d2000",
            "123 <... openat resumed>) = 3",
            "123 +++ exited with 0 +++",
            "--- SIGCHLD {si_signo=SIGCHLD} ---",
            "strace: Process 123 attached",
            "exit_group(0)                     = ?",
        ] {
            assert!(looks_like(line), "{line}");
        }
        for line in [
            "00:59:54.600429  open              F=5        (_WC__E)  src/BAD_FILE   0.000039   git.623959",
            "00:59:54.600387  unlink                                 src/BAD_FILE   0.000328 W git.623959",
            "11:02:03.000001  stat64            [  2]           /nope        0.000010   zsh.1234",
            "{\"event_type\":10,\"process\":{}}",
            "hello (world) = 3",
            "",
            "12345",
        ] {
            assert!(!looks_like(line), "{line}");
        }
    }

    // --- Real strace ---------------------------------------------------------

    /// Whether strace can trace here. Without it, tests fail under `CI` and
    /// are skipped elsewhere.
    fn strace_usable() -> bool {
        use std::process::{Command, Stdio};
        let probe = Command::new("strace")
            .args(["-f", "-o", "/dev/null", "--", "true"])
            .stdin(Stdio::null())
            .output();
        let reason = match probe {
            Err(e) => format!("cannot run strace: {e}"),
            Ok(out) if !out.status.success() => format!(
                "strace cannot trace here (ptrace denied?): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Ok(_) => return true,
        };
        if std::env::var_os("CI").is_some() {
            panic!("strace is required when CI is set: {reason}");
        }
        eprintln!("skipped: {reason}");
        false
    }

    /// A fresh folder under the temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Scratch {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let dir = std::env::temp_dir().join(format!(
                "swop-strace-{tag}-{}-{n}-{nanos}",
                std::process::id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            // `-y` prints real paths: compare against the canonical folder.
            Scratch(std::fs::canonicalize(&dir).unwrap())
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Trace `sh -c script` in `dir` with `opts`; the trace goes to `dir/T`
    /// (`-o T` is added unless `opts` writes elsewhere). Returns the events and
    /// stats of every trace file.
    fn trace(dir: &Path, opts: &[&str], script: &str) -> (Vec<TraceEvent>, ParseStats) {
        use std::process::Command;
        let stderr_form = !opts.contains(&"-o");
        let mut cmd = Command::new("strace");
        cmd.args(opts);
        cmd.args(["sh", "-c", script]).current_dir(dir);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "strace {opts:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut events = Vec::new();
        let mut total = ParseStats::default();
        let mut add = |bytes: &[u8], pid: Option<u32>| {
            let stats =
                parse_with_pid(Cursor::new(bytes), dir, pid, &mut |e| events.push(e)).unwrap();
            total.lines += stats.lines;
            total.events += stats.events;
            total.unknown += stats.unknown;
        };
        if stderr_form {
            add(&out.stderr, None);
        } else {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("T"))
                })
                .collect();
            files.sort();
            for file in files {
                let name = file.file_name().unwrap().to_string_lossy().into_owned();
                let pid = name.strip_prefix("T.").and_then(|p| p.parse().ok());
                add(&std::fs::read(&file).unwrap(), pid);
            }
        }
        (events, total)
    }

    fn has(events: &[TraceEvent], op: Op, path: &Path) -> bool {
        events
            .iter()
            .any(|e| e.op == op && e.path == path && e.ok())
    }

    const SCRIPT: &str =
        "cd sub && echo x > rel.txt && mv rel.txt moved.txt && rm moved.txt && mkdir d";

    fn check_script(opts: &[&str]) {
        if !strace_usable() {
            return;
        }
        let tmp = Scratch::new("script");
        let root = &tmp.0;
        std::fs::create_dir(root.join("sub")).unwrap();
        let mut all_opts = opts.to_vec();
        if !opts.contains(&"stderr") {
            all_opts.extend(["-o", "T"]);
        }
        all_opts.retain(|o| *o != "stderr");
        let (events, stats) = trace(root, &all_opts, SCRIPT);
        let sub = root.join("sub");
        let want = [
            (Op::Stat, sub.clone()),
            (Op::Create, sub.join("rel.txt")),
            (Op::RenameFrom, sub.join("rel.txt")),
            (Op::RenameTo, sub.join("moved.txt")),
            (Op::Delete, sub.join("moved.txt")),
            (Op::Mkdir, sub.join("d")),
        ];
        for (op, path) in &want {
            assert!(
                has(&events, *op, path),
                "{opts:?}: no {op:?} {} in {:#?}",
                path.display(),
                events
                    .iter()
                    .filter(|e| e.path.starts_with(root))
                    .collect::<Vec<_>>()
            );
        }
        let mv = |e: &TraceEvent| e.op == Op::Exec && e.ok() && e.path.ends_with("mv");
        assert!(events.iter().any(mv), "{opts:?}: no exec of mv");
        // Nothing under the folder may stay relative or land elsewhere.
        for e in &events {
            assert!(e.path.is_absolute(), "{opts:?}: relative {e:?}");
            let name = e.path.file_name().map(|n| n.to_string_lossy().into_owned());
            if matches!(name.as_deref(), Some("rel.txt" | "moved.txt")) {
                assert!(e.path.starts_with(&sub), "{opts:?}: misplaced {e:?}");
            }
        }
        assert!(stats.events > 0);
        assert_eq!(stats.unknown, 0, "{opts:?}");
        if !opts.contains(&"stderr") {
            assert!(
                events.iter().all(|e| e.pid > 0),
                "{opts:?}: pid 0 in a pid-prefixed trace"
            );
        }
    }

    #[test]
    fn real_strace_plain() {
        check_script(&["-f"]);
    }

    #[test]
    fn real_strace_with_y() {
        check_script(&["-f", "-y"]);
    }

    #[test]
    fn real_strace_seccomp_bpf() {
        check_script(&["--seccomp-bpf", "-f"]);
        check_script(&["--seccomp-bpf", "-f", "-e", "trace=%file,%process,%desc"]);
        // What `swop discover` runs.
        check_script(&["-f", "--seccomp-bpf", "-y", "-qq", "-e", "trace=%file"]);
    }

    #[test]
    fn real_strace_timestamps_and_columns() {
        check_script(&["-f", "-tt", "-T"]);
        check_script(&["-f", "-ttt", "-n"]);
        check_script(&["-f", "-r", "-i", "-yy"]);
        check_script(&["-f", "-X", "raw"]);
        check_script(&["-f", "-X", "verbose"]);
        check_script(&["-f", "-Y"]);
    }

    #[test]
    fn real_strace_stderr_form() {
        check_script(&["-f", "stderr"]);
        check_script(&["-f", "-y", "stderr"]);
    }

    #[test]
    fn real_strace_per_process_files() {
        // Each `-ff` file is parsed alone, so a child's cwd comes from `-y`.
        check_script(&["-ff", "-y"]);
    }

    #[test]
    fn real_strace_odd_names() {
        if !strace_usable() {
            return;
        }
        let tmp = Scratch::new("names");
        let root = &tmp.0;
        let sub = root.join("sub");
        std::fs::create_dir(&sub).unwrap();
        let names: [&[u8]; 9] = [
            b"a b",
            b"q\"x",
            b"g>t",
            b"lt<x",
            b"n\nl",
            "é".as_bytes(),
            b"back\\sl",
            b"t\tab[1]",
            b"x,y) = 3",
        ];
        use std::os::unix::ffi::OsStrExt;
        for name in names {
            std::fs::write(sub.join(std::ffi::OsStr::from_bytes(name)), b"x").unwrap();
        }
        let script = "cd sub && for f in *; do cat -- \"$f\" > /dev/null; done";
        for opts in [
            &["-f", "-o", "T"][..],
            &["-f", "-y", "-o", "T"],
            &["-f", "-yy", "-o", "T"],
            &["-f", "-x", "-y", "-o", "T"],
            &["-f", "-xx", "-y", "-o", "T"],
        ] {
            let (events, stats) = trace(root, opts, script);
            for name in names {
                let path = sub.join(std::ffi::OsStr::from_bytes(name));
                assert!(
                    has(&events, Op::Read, &path),
                    "{opts:?}: {}",
                    path.display()
                );
            }
            assert_eq!(stats.unknown, 0, "{opts:?}");
            std::fs::remove_file(root.join("T")).unwrap();
        }
    }

    #[test]
    fn real_strace_fd_relative() {
        if !strace_usable() {
            return;
        }
        let tmp = Scratch::new("fdrel");
        let root = &tmp.0;
        std::fs::create_dir_all(root.join("tree/a/b")).unwrap();
        std::fs::write(root.join("tree/a/b/f"), b"x").unwrap();
        // `rm -r` walks with openat(dirfd, name) and unlinkat(dirfd, name).
        for opts in [&["-f", "-o", "T"][..], &["-f", "-y", "-o", "T"]] {
            let copy = root.join("copy");
            let _ = std::fs::remove_dir_all(&copy);
            std::fs::create_dir_all(copy.join("a/b")).unwrap();
            std::fs::write(copy.join("a/b/f"), b"x").unwrap();
            let (events, stats) = trace(root, opts, "rm -r copy");
            for (op, rel) in [
                (Op::Delete, "copy/a/b/f"),
                (Op::Delete, "copy/a/b"),
                (Op::Delete, "copy/a"),
                (Op::Delete, "copy"),
            ] {
                assert!(
                    has(&events, op, &root.join(rel)),
                    "{opts:?}: {rel} in {events:#?}"
                );
            }
            assert_eq!(stats.unknown, 0, "{opts:?}");
            std::fs::remove_file(root.join("T")).unwrap();
        }
    }

    /// Throughput on a synthetic trace: `cargo test --release -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn throughput() {
        let lines = [
            "12345 openat(AT_FDCWD, \"/usr/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3\n",
            "12345 read(3, \"\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0P\\237\\2\\0\\0\\0\\0\\0\"..., 832) = 832\n",
            "12345 newfstatat(3, \"\", {st_mode=S_IFREG|0755, st_size=1922136, ...}, AT_EMPTY_PATH) = 0\n",
            "12345 mmap(NULL, 1970000, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3, 0) = 0x7f1d2a000000\n",
            "12346 rt_sigaction(SIGINT, {sa_handler=SIG_IGN, sa_mask=[INT], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f661acc1050},  <unfinished ...>\n",
            "12345 close(3)                                = 0\n",
            "12346 <... rt_sigaction resumed>{sa_handler=SIG_DFL, sa_mask=~[KILL STOP RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7f661acc1050}, 8) = 0\n",
            "12345 openat(AT_FDCWD, \"rel/file.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = -1 ENOENT (No such file or directory)\n",
            "12345 write(1, \"hello world\\n\", 12)          = 12\n",
            "12345 futex(0x7f1d2a1b2c3d, FUTEX_WAKE_PRIVATE, 1) = 0\n",
        ];
        let mut trace = Vec::new();
        while trace.len() < 50 << 20 {
            for l in &lines {
                trace.extend_from_slice(l.as_bytes());
            }
        }
        let start = std::time::Instant::now();
        let mut n = 0u64;
        let stats = parse(Cursor::new(&trace), Path::new("/home/u"), &mut |_| n += 1).unwrap();
        let secs = start.elapsed().as_secs_f64();
        let mb = trace.len() as f64 / 1e6;
        eprintln!(
            "{mb:.0} MB, {} lines, {n} events in {secs:.3}s: {:.0} MB/s",
            stats.lines,
            mb / secs
        );
        assert_eq!(stats.unknown, 0);
    }
}
