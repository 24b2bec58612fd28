//! `fs_usage -w` output (macOS).
//!
//! One line per completed call, printed by `format_print` in Apple's
//! `fs_usage.c` (system_cmds) as
//!
//! ```text
//! HH:MM:SS.uuuuuu  CALL(%-17.17s)FIELDS[   ] PATH-COLUMN %3u.%06u( W|  ) COMM.THREADID
//! 00:59:54.600429  open              F=5        (_WC__E)  src/BAD_FILE   0.000039   git.623959
//! ```
//!
//! Facts the parser relies on (checked against the published captures in
//! `tests/fixtures/macos/corpus`):
//!
//! - The path column is padded with spaces up to a fixed column (the elapsed
//!   time starts near column 219 in wide mode, earlier when fs_usage sized
//!   itself to a terminal) and the path is printed raw, so a path may contain
//!   spaces: the line is split from the right. After the elapsed time comes
//!   `" W "` (the thread waited) or three spaces, then the command name (may
//!   contain spaces and dots), a dot and the thread id (decimal).
//! - Command names: syscall lines of recent releases carry up to 32 bytes of
//!   the process name, disk I/O lines of the same thread the kernel's 16-byte
//!   `p_comm`. The name is reported as printed; whoever compares names must
//!   take a name of 16 or 32 bytes as a possible prefix of a longer one.
//! - A path too long for its column keeps only its tail, cut at any byte, and
//!   then fills the column exactly: only the column's closing space, the
//!   separator and the `%3u` padding stand between it and the elapsed time.
//!   Such a tail is reported as `…tail`, marked [`Printed::Tail`]; it is never
//!   absolute and never joined to anything.
//! - A lookup that stopped before the last component (a missing parent
//!   directory) is printed as the part that was looked up, padded with `>`:
//!   the `>` are removed, the path is the prefix that failed.
//! - The path is the text of the kernel's last name lookup: the string the
//!   process passed, or, after a relative symbolic link, the link's text and
//!   the rest of the path (`A/Resources/Info.plist` inside a framework whose
//!   `Versions/Current` points at `A`). A relative path is therefore relative
//!   to the working directory *or* to some link's folder, and the line cannot
//!   say which: relative paths are reported as printed, never joined to a
//!   directory. The live tracer decides (see `discover::macos`).
//! - `*at` calls print `[dirfd]/path`; `AT_FDCWD` is `-2`, so `[-2]//Users/me/x`
//!   is `/Users/me/x`; `[-2]/rel` and `[5]/rel` are reported as `rel`.
//! - An error is printed as `[errno]` among the fields (`[  2]`), before the
//!   open flags: the event's result is then `Err` with the errno's name.
//! - Open flags are `(RWCATE...)`: position 1 `R`, 2 `W`, 3 `C` (O_CREAT),
//!   4 `A` (O_APPEND), 5 `T` (O_TRUNC), 6 `E` (O_EXCL); releases print 6, 12 or
//!   14 characters, the first six always mean the same.
//! - Disk I/O lines (`RdData[S]`, `WrData[A]`, `RdMeta`, `WrMeta`, `PgIn`,
//!   `PgOut`) print `D=0x.. B=0x.. /dev/diskN` then the file's path; one that
//!   failed prints `[errno]` in place of the device. Metadata I/O often has no
//!   path at all: no event.
//! - Paths through the data volume (`/System/Volumes/Data/Users/...`) are
//!   given their firmlinked spelling (`/Users/...`).
//! - A `rename` line shows only the source, and a `link` line only one of
//!   its two names, which the line cannot say (it is reported as a stat):
//!   the destination never appears in the trace. The live tracer recovers it
//!   from before/after snapshots; a trace taken elsewhere cannot, and its
//!   report says so. A `symlink` line shows the link's path, the one name
//!   the kernel looks up (the target is text the call stores): a link made
//!   there, nothing done to the target.
//! - fs_usage knows thread ids, not pids: the thread id (its low 32 bits) is
//!   reported as `pid`, and the command name as `comm`.
//! - `_nocancel` variants are reported under the plain name; descriptor calls
//!   (`read`, `write`, `close`, ...) print no path and give no event.
//! - Without `-w` (or a wide terminal) fs_usage prints a narrow layout with no
//!   microseconds and no thread id; processes cannot be told apart in it, so
//!   such lines are counted apart ([`Summary::narrow`]) and not read.
//!
//! Paths are normalised lexically (`.` and `..` removed without looking at
//! the file system).

use super::bytes::{
    all_digits, find_byte, find_within, parse_i64, parse_u64, skip_spaces, skip_spaces_back,
    strip_suffix, trim, trim_end, trim_start,
};
use super::{
    Op, ParseStats, Printed, TraceEvent, lines, normalize_firmlink, path, path_from_bytes,
};
use std::io::{self, BufRead};
use std::path::PathBuf;

/// Longest line kept; the rest of a longer line is skipped (wide lines are
/// under 400 bytes).
const MAX_LINE: usize = 64 * 1024;
/// How far left of the thread id the elapsed time is looked for: the command
/// name (16 bytes, or 32 for the long process name some releases print) plus
/// the `" W "` marker and slack for hand-edited spacing.
const TAIL_WINDOW: usize = 48;

/// Whether `line` is a line of `fs_usage -w` output.
pub fn looks_like(line: &str) -> bool {
    split_line(trim_end(line.as_bytes()))
}

/// Whether `line` is a line of fs_usage's narrow layout (no `-w`), which
/// swop refuses to read.
pub fn looks_narrow(line: &str) -> bool {
    is_narrow(trim_end(line.as_bytes()))
}

/// A line of the narrow layout: `HH:MM:SS  CALL  ...  ELAPSED( W|  ) COMM`,
/// a timestamp without microseconds and no thread id.
fn is_narrow(line: &[u8]) -> bool {
    if timestamp_len(line) != Some(8) {
        return false;
    }
    let start = skip_spaces(line, 8);
    let end = find_byte(&line[start..], b' ').map_or(line.len(), |n| start + n);
    let call = strip_suffix(&line[start..end], b"_nocancel");
    !call.is_empty()
        && call.iter().all(|&b| is_call_byte(b))
        && classify(call).is_some()
        && line[end..]
            .split(|&b| b == b' ')
            .any(|word| matches!(word.iter().position(|&b| b == b'.'), Some(dot) if dot > 0 && word.len() == dot + 7 && all_digits(&word[..dot]) && all_digits(&word[dot + 1..])))
}

/// What a whole fs_usage trace held besides its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub stats: ParseStats,
    /// Lines in the narrow layout (no `-w`), which are not read.
    pub narrow: u64,
    /// Lines in the wide layout, understood (events, and calls without a path).
    pub wide: u64,
}

/// Read `fs_usage -w` output, calling `sink` for every call that names a path.
pub fn parse<R: BufRead>(reader: R, sink: &mut dyn FnMut(TraceEvent)) -> io::Result<ParseStats> {
    read(reader, &mut |event, _| sink(event)).map(|summary| summary.stats)
}

/// Like [`parse`], with how much of each path fs_usage printed, and the count
/// of narrow-layout lines.
pub fn read<R: BufRead>(
    reader: R,
    sink: &mut dyn FnMut(TraceEvent, Printed),
) -> io::Result<Summary> {
    let mut parser = Parser {
        summary: Summary::default(),
        sink,
        comm: LastText::default(),
    };
    lines::for_each_line(reader, MAX_LINE, |line, overlong| {
        parser.line(line, overlong)
    })?;
    Ok(parser.summary)
}

struct Parser<'a> {
    summary: Summary,
    sink: &'a mut dyn FnMut(TraceEvent, Printed),
    comm: LastText,
}

/// The text of the bytes last asked for, to save decoding a command name
/// again on each of its lines.
#[derive(Default)]
struct LastText {
    bytes: Vec<u8>,
    text: String,
}

impl LastText {
    fn get(&mut self, bytes: &[u8]) -> String {
        if self.bytes != bytes {
            self.bytes.clear();
            self.bytes.extend_from_slice(bytes);
            self.text = lossy_string(bytes);
        }
        self.text.clone()
    }
}

impl Parser<'_> {
    /// One line, without its `\n`; `overlong` when it was cut at `MAX_LINE`.
    fn line(&mut self, line: &[u8], overlong: bool) {
        let stats = &mut self.summary.stats;
        stats.lines += 1;
        if overlong {
            stats.unknown += 1;
            return;
        }
        let line = trim_end(line);
        if line.is_empty() {
            return;
        }
        match parse_line(line, &mut self.comm) {
            Parsed::Event(event, printed) => {
                stats.events += 1;
                self.summary.wide += 1;
                (self.sink)(event, printed);
            }
            Parsed::Skip => self.summary.wide += 1,
            Parsed::Noise => {}
            Parsed::Narrow => self.summary.narrow += 1,
            Parsed::Unknown => stats.unknown += 1,
        }
    }
}

enum Parsed {
    Event(TraceEvent, Printed),
    /// A line of the narrow layout.
    Narrow,
    /// A call understood but with no path (read, close, ...).
    Skip,
    /// One of fs_usage's own messages.
    Noise,
    Unknown,
}

fn parse_line(line: &[u8], comm: &mut LastText) -> Parsed {
    let Some(ts) = timestamp_len(line) else {
        return if is_noise(line) {
            Parsed::Noise
        } else {
            Parsed::Unknown
        };
    };
    if is_narrow(line) {
        return Parsed::Narrow;
    }
    // Call name: the first word after the timestamp.
    let name_start = skip_spaces(line, ts);
    let name_end = find_byte(&line[name_start..], b' ').map_or(line.len(), |n| name_start + n);
    let raw_call = &line[name_start..name_end];
    if raw_call.is_empty() || !raw_call.iter().all(|&b| is_call_byte(b)) {
        return Parsed::Unknown;
    }
    let call = strip_suffix(raw_call, b"_nocancel");
    let Some(kind) = classify(call) else {
        return Parsed::Unknown;
    };
    let Some(tail) = split_tail(line, ts) else {
        return Parsed::Unknown;
    };
    if name_end >= tail.secs_start {
        return Parsed::Unknown;
    }
    let disk = match kind {
        Kind::Ignore => return Parsed::Skip,
        Kind::Disk(_) => true,
        Kind::Open | Kind::Path(_) => false,
    };
    let rest = &line[name_end..tail.secs_start];
    let fields = scan_fields(rest, disk);
    let column = &rest[fields.end..];
    let Some(path) = path_text(column) else {
        return Parsed::Skip;
    };
    let op = match kind {
        Kind::Open => open_op(fields.flags),
        Kind::Path(op) | Kind::Disk(op) => op,
        Kind::Ignore => return Parsed::Skip,
    };
    // Truncated: the path text ends right where the column ends, so the gap to
    // the elapsed seconds is only the column's closing space, the separator
    // and the `%3u` padding.
    let gap = rest.len() - (fields.end + path.printed_end);
    let full_column_gap = 2 + 3usize.saturating_sub(tail.secs_digits);
    let truncated = gap == full_column_gap;
    let printed = &column[path.start..path.end];
    // Bracketed text that is not `[dirfd]/`: a field fs_usage could not
    // print, or a note pasted in its place; not a path.
    if !truncated && printed.first() == Some(&b'[') && at_path(printed).is_none() {
        return Parsed::Unknown;
    }
    let path = resolve(printed, truncated);
    let result = match fields.errno {
        Some(errno) => Err(errno_name(errno).into()),
        None => Ok(if matches!(kind, Kind::Open) {
            fields.fd.unwrap_or(0)
        } else {
            0
        }),
    };
    let syscall = match find_byte(call, b'[') {
        Some(i) if disk => &call[..i],
        _ => call,
    };
    Parsed::Event(
        TraceEvent {
            pid: (tail.tid & u64::from(u32::MAX)) as u32,
            syscall: lossy_string(syscall),
            op,
            path,
            result,
            comm: Some(comm.get(tail.comm)),
        },
        if truncated {
            Printed::Tail
        } else {
            Printed::Whole
        },
    )
}

fn lossy_string(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The end of a line, found by splitting it from the right.
struct Tail<'a> {
    /// Where the elapsed seconds start.
    secs_start: usize,
    secs_digits: usize,
    comm: &'a [u8],
    tid: u64,
}

/// Whether `line` splits into a call, its fields and path column, and the
/// elapsed time, command name and thread id.
fn split_line(line: &[u8]) -> bool {
    let Some(ts) = timestamp_len(line) else {
        return false;
    };
    let Some(tail) = split_tail(line, ts) else {
        return false;
    };
    // Call name: the first word after the timestamp.
    let after_ts = &line[ts..tail.secs_start];
    let Some(name_start) = after_ts.iter().position(|&b| b != b' ') else {
        return false;
    };
    after_ts[name_start..]
        .iter()
        .take_while(|&&b| b != b' ')
        .all(|&b| is_call_byte(b))
}

/// Split the elapsed time, command name and thread id off the end of `line`,
/// whose timestamp is `ts` bytes long.
fn split_tail(line: &[u8], ts: usize) -> Option<Tail<'_>> {
    // Thread id: the digits after the last dot.
    let dot = line.iter().rposition(|&b| b == b'.')?;
    let tid_digits = &line[dot + 1..];
    if tid_digits.is_empty() || tid_digits.len() > 20 {
        return None;
    }
    let tid = parse_u64(tid_digits)?;
    // Elapsed time `S.UUUUUU`, the rightmost one left of the command name.
    let lowest = dot.saturating_sub(TAIL_WINDOW).max(ts + 1);
    let mut found = None;
    let mut end = dot;
    while end > lowest {
        end -= 1;
        // `end` is the position right after the six microsecond digits.
        if line[end] != b' ' || end < 8 || line[end - 7] != b'.' {
            continue;
        }
        if !all_digits(&line[end - 6..end]) || !line[end - 8].is_ascii_digit() {
            continue;
        }
        let mut secs_start = end - 8;
        while secs_start > ts && line[secs_start - 1].is_ascii_digit() {
            secs_start -= 1;
        }
        if secs_start <= ts || line[secs_start - 1] != b' ' {
            continue;
        }
        found = Some((secs_start, end));
        break;
    }
    let (secs_start, elapsed_end) = found?;
    let secs_digits = elapsed_end - 7 - secs_start;
    let mut tail = &line[elapsed_end..dot];
    tail = trim_start(tail);
    if let Some(rest) = tail.strip_prefix(b"W ") {
        tail = rest;
    }
    let comm = trim_start(tail);
    Some(Tail {
        secs_start,
        secs_digits,
        comm,
        tid,
    })
}

fn is_call_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'[' | b']')
}

/// Length of a leading `HH:MM:SS` or `HH:MM:SS.ffffff`, when followed by a space.
fn timestamp_len(line: &[u8]) -> Option<usize> {
    if line.len() < 9 {
        return None;
    }
    let hms = &line[..8];
    let shape = hms.iter().enumerate().all(|(i, &b)| {
        if i == 2 || i == 5 {
            b == b':'
        } else {
            b.is_ascii_digit()
        }
    });
    if !shape {
        return None;
    }
    let mut end = 8;
    if line[end] == b'.' {
        end += 1;
        let digits = line[end..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        end += digits;
    }
    (line.get(end) == Some(&b' ')).then_some(end)
}

/// fs_usage's own messages and headers: not counted as unknown.
fn is_noise(line: &[u8]) -> bool {
    let line = trim_start(line);
    line.starts_with(b"fs_usage")
        || line.starts_with(b"#")
        || line.starts_with(b"NOTE:")
        || line.starts_with(b"ERROR:")
        || line.starts_with(b"TIMESTAMP")
}

/// What the fields said.
struct Fields<'a> {
    /// Offset in `rest` where the path column starts.
    end: usize,
    errno: Option<i64>,
    fd: Option<i64>,
    flags: Option<&'a [u8]>,
}

/// Walk the fields after the call name (`F=5`, `B=0x12`, `[  2]`, `(R_____)`,
/// `<rw-r--r-->`, `/dev/disk1s1` on disk lines) up to the path column.
fn scan_fields(rest: &[u8], disk: bool) -> Fields<'_> {
    let mut fields = Fields {
        end: rest.len(),
        errno: None,
        fd: None,
        flags: None,
    };
    let mut device_seen = false;
    let mut i = 0;
    loop {
        i = skip_spaces(rest, i);
        if i >= rest.len() {
            fields.end = rest.len();
            return fields;
        }
        match rest[i] {
            b'[' => {
                let Some(close) = find_within(&rest[i..], b']', 24) else {
                    break;
                };
                // `[fd]/path` starts the path of an `*at` call.
                if rest.get(i + close + 1) == Some(&b'/') {
                    break;
                }
                let Some(errno) = parse_i64(trim(&rest[i + 1..i + close])) else {
                    break;
                };
                fields.errno = Some(errno);
                i += close + 1;
            }
            b'(' => {
                let Some(close) = find_within(&rest[i..], b')', 20) else {
                    break;
                };
                let inner = &rest[i + 1..i + close];
                let is_mode = (4..=16).contains(&inner.len())
                    && inner.iter().all(|&b| b.is_ascii_alphabetic() || b == b'_');
                if !is_mode {
                    break;
                }
                fields.flags = Some(inner);
                i += close + 1;
            }
            b'<' => {
                let Some(close) = find_within(&rest[i..], b'>', 160) else {
                    break;
                };
                i += close + 1;
            }
            _ => {
                let word_end = rest[i..]
                    .iter()
                    .position(|&b| b == b' ' || b == b'[')
                    .map_or(rest.len(), |n| i + n);
                let word = &rest[i..word_end];
                if let Some(fd) = word.strip_prefix(b"F=") {
                    fields.fd = parse_i64(fd);
                    if fields.fd.is_none() {
                        break;
                    }
                } else if is_value_field(word) {
                    // B=0x.., D=0x.., O=0x.., A=0x.., S=.., N=.., P=0x.., BC:..
                } else if disk && !device_seen && word.starts_with(b"/dev/") {
                    device_seen = true;
                } else {
                    break;
                }
                i = word_end;
            }
        }
    }
    fields.end = i;
    fields
}

fn is_value_field(word: &[u8]) -> bool {
    match word {
        [key, b'=', value @ ..] => {
            matches!(key, b'B' | b'D' | b'O' | b'A' | b'S' | b'N' | b'P')
                && !value.is_empty()
                && value.iter().all(|b| b.is_ascii_alphanumeric())
        }
        _ => word.starts_with(b"BC:") && word.len() > 3,
    }
}

/// The path inside the path column.
struct PathText {
    start: usize,
    /// End of the path, without `>` padding.
    end: usize,
    /// End of what was printed, `>` padding included.
    printed_end: usize,
}

fn path_text(column: &[u8]) -> Option<PathText> {
    let start = skip_spaces(column, 0);
    if start == column.len() {
        return None;
    }
    let printed_end = skip_spaces_back(column, column.len());
    let mut end = printed_end;
    while end > start && column[end - 1] == b'>' {
        end -= 1;
    }
    while end > start && column[end - 1] == b' ' {
        end -= 1;
    }
    (end > start).then_some(PathText {
        start,
        end,
        printed_end,
    })
}

/// Turn a printed path into the event's path: a cut tail as `…tail`, an
/// `*at` path without its `[dirfd]/`, relative paths left relative.
fn resolve(printed: &[u8], truncated: bool) -> PathBuf {
    if truncated {
        let mut tail = "…".as_bytes().to_vec();
        tail.extend_from_slice(printed);
        return path_from_bytes(tail);
    }
    let path = match at_path(printed) {
        Some((_, rel)) => rel,
        None => printed,
    };
    normalize_firmlink(path_from_bytes(path::normalize(path)))
}

/// `[dirfd]/path` of an `*at` call: the descriptor and the path.
fn at_path(printed: &[u8]) -> Option<(i64, &[u8])> {
    if printed.first() != Some(&b'[') {
        return None;
    }
    let close = find_within(printed, b']', 24)?;
    if printed.get(close + 1) != Some(&b'/') {
        return None;
    }
    let dirfd = parse_i64(&printed[1..close])?;
    Some((dirfd, &printed[close + 2..]))
}

/// How a call's line turns into an event.
#[derive(Clone, Copy)]
enum Kind {
    /// `open` and friends: the op depends on the flags.
    Open,
    /// A call on a path, or on a descriptor when fs_usage prints its path.
    Path(Op),
    /// Disk I/O for a file.
    Disk(Op),
    /// Understood, never an event (no path, or nothing done to one).
    Ignore,
}

fn classify(call: &[u8]) -> Option<Kind> {
    use Kind::{Disk, Ignore, Open, Path};
    if let Some(i) = find_byte(call, b'[') {
        return match &call[..i] {
            b"RdData" | b"RdMeta" | b"PgIn" => Some(Disk(Op::Read)),
            b"WrData" | b"WrMeta" | b"PgOut" => Some(Disk(Op::Write)),
            _ => None,
        };
    }
    let kind = match call {
        b"open" | b"openat" | b"open_extended" | b"open_dprotected" | b"openbyid_np"
        | b"guarded_open_np" | b"guarded_open_dpro" => Open,

        b"stat" | b"stat64" | b"lstat" | b"lstat64" | b"stat_extended" | b"lstat_extended"
        | b"stat_extended64" | b"lstat_extended64" | b"stat64_extended" | b"lstat64_extended"
        | b"fstatat" | b"fstatat64" | b"getattrlist" | b"getattrlistat" | b"getattrlistbulk"
        | b"access" | b"access_extended" | b"faccessat" | b"checkuseraccess" | b"readlink"
        | b"readlinkat" | b"statfs" | b"statfs64" | b"getxattr" | b"listxattr" | b"pathconf"
        | b"chdir" | b"pthread_chdir" | b"fsgetpath" | b"searchfs" | b"link" | b"linkat"
        | b"chroot" | b"revoke" | b"fsctl" | b"mount" | b"unmount" => Path(Op::Stat),

        b"mkdir" | b"mkdirat" | b"mkdir_extended" => Path(Op::Mkdir),
        b"mkfifo" | b"mkfifo_extended" | b"mknod" | b"undelete" => Path(Op::Create),
        // The one name a symlink line shows is the link's: the target is
        // text the call stores, never looked up.
        b"symlink" | b"symlinkat" => Path(Op::Link),
        b"rename" | b"renameat" | b"renamex_np" | b"renameatx_np" => Path(Op::RenameFrom),
        b"unlink" | b"unlinkat" | b"rmdir" | b"delete" | b"delete-Carbon" => Path(Op::Delete),
        b"chmod" | b"chmod_extended" | b"fchmodat" | b"chmodat" | b"chown" | b"lchown"
        | b"chownat" | b"fchownat" | b"truncate" | b"utimes" | b"setattrlist"
        | b"setattrlistat" | b"setxattr" | b"removexattr" | b"chflags" | b"lchflags"
        | b"exchangedata" => Path(Op::Write),
        b"copyfile" | b"clonefileat" | b"fclonefileat" => Path(Op::Read),
        b"exec" | b"execve" | b"posix_spawn" => Path(Op::Exec),

        b"read" | b"readv" | b"pread" | b"getdirentries" | b"getdirentries64"
        | b"getdirentriesattr" | b"mmap" => Path(Op::Read),
        b"write" | b"writev" | b"pwrite" | b"guarded_write_np" | b"guarded_pwrite_np"
        | b"guarded_writev_np" | b"ftruncate" | b"fchmod" | b"fchmod_extended" | b"fchown"
        | b"fchflags" | b"futimes" | b"fsetxattr" | b"fremovexattr" | b"fsetattrlist" => {
            Path(Op::Write)
        }
        b"fstat" | b"fstat64" | b"fstat_extended" | b"fstat64_extended" | b"fgetxattr"
        | b"flistxattr" | b"fstatfs" | b"fstatfs64" | b"fpathconf" | b"fgetattrlist" => {
            Path(Op::Stat)
        }

        b"close" | b"guarded_close_np" | b"fsync" | b"fdatasync" | b"lseek" | b"fcntl"
        | b"ioctl" | b"dup" | b"dup2" | b"flock" | b"fchdir" | b"pthread_fchdir" | b"msync"
        | b"select" | b"socket" | b"socketpair" | b"connect" | b"bind" | b"listen" | b"accept"
        | b"sendto" | b"recvfrom" | b"sendmsg" | b"recvmsg" | b"sendfile" | b"ffsctl" | b"sync"
        | b"umask" | b"umask_extended" | b"exit" | b"getfsstat" | b"getfsstat64" | b"aio_fsync"
        | b"aio_return" | b"aio_suspend" | b"aio_cancel" | b"aio_error" | b"aio_read"
        | b"aio_write" | b"lio_listio" | b"map_fd" | b"PAGE_IN" | b"PAGE_IN_FILE"
        | b"PAGE_IN_ANON" | b"PAGE_OUT_FILE" | b"PAGE_OUT_ANON" | b"CACHE_HIT" | b"THROTTLED"
        | b"HFS_update" | b"TrimExtent" | b"IOCTL" | b"SyncCacheCS" | b"RdChunkCS"
        | b"WrChunkCS" | b"RdMetaCS" | b"WrMetaCS" | b"RdBgTfCS" | b"WrBgTfCS" | b"RdBgMigrCS"
        | b"WrBgMigrCS" | b"CS" => Ignore,
        _ => return None,
    };
    Some(kind)
}

/// Read, write or create, from the open-flags string.
fn open_op(flags: Option<&[u8]>) -> Op {
    let Some(flags) = flags else {
        return Op::Read;
    };
    let at = |i: usize, letter: u8| flags.get(i) == Some(&letter);
    if at(2, b'C') {
        Op::Create
    } else if at(1, b'W') || at(3, b'A') || at(4, b'T') {
        Op::Write
    } else {
        Op::Read
    }
}

/// macOS errno numbers by name; others as the number.
fn errno_name(errno: i64) -> String {
    let name = match errno {
        1 => "EPERM",
        2 => "ENOENT",
        4 => "EINTR",
        5 => "EIO",
        9 => "EBADF",
        13 => "EACCES",
        16 => "EBUSY",
        17 => "EEXIST",
        18 => "EXDEV",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        24 => "EMFILE",
        28 => "ENOSPC",
        30 => "EROFS",
        35 => "EAGAIN",
        45 => "ENOTSUP",
        62 => "ELOOP",
        63 => "ENAMETOOLONG",
        66 => "ENOTEMPTY",
        93 => "ENOATTR",
        _ => return errno.to_string(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::path::Path;

    /// A line laid out like `format_print` does in wide mode (264 columns).
    fn wide(
        name: &str,
        fields: &str,
        path: &str,
        nopadding: bool,
        waited: bool,
        comm: &str,
    ) -> String {
        let prefix = format!("10:41:07.123456  {name:<17.17}");
        let used = prefix.len() + fields.len();
        let mut width = 264_i64 - (used as i64 + 14 + 20 + 11);
        if !nopadding {
            width -= 3;
        }
        let buf = if path.is_empty() {
            String::new()
        } else {
            format!(" {path} ")
        };
        let len = buf.len() as i64;
        let column = if width > len {
            format!("{buf}{}", " ".repeat((width - len) as usize))
        } else if width == len {
            buf
        } else if width > 0 {
            format!(" {}", &buf[(len - width + 1) as usize..])
        } else {
            String::new()
        };
        let p1 = if nopadding { "" } else { "   " };
        let p2 = if waited { " W" } else { "  " };
        format!(
            "{prefix}{fields}{p1}{column} {:3}.{:06}{p2} {comm}.4242",
            0, 39
        )
    }

    fn events(text: &str) -> (Vec<TraceEvent>, ParseStats) {
        let mut out = Vec::new();
        let stats = parse(Cursor::new(text.as_bytes()), &mut |e| out.push(e)).unwrap();
        (out, stats)
    }

    fn one(line: &str) -> TraceEvent {
        let (mut out, stats) = events(line);
        assert_eq!(out.len(), 1, "{line:?} gave {out:?} ({stats:?})");
        out.remove(0)
    }

    fn none(line: &str) {
        let (out, stats) = events(line);
        assert!(out.is_empty(), "{line:?} gave {out:?}");
        assert_eq!(stats.unknown, 0, "{line:?} counted as unknown");
    }

    #[test]
    fn open_flags_of_every_width() {
        let cases = [
            ("(R_____)", Op::Read),
            ("(_W____)", Op::Write),
            ("(RW____)", Op::Write),
            ("(_WC_T_)", Op::Create),
            ("(_W_A__)", Op::Write),
            ("(R___T_)", Op::Write),
            ("(R_____N____X)", Op::Read),
            ("(_WC_T______X)", Op::Create),
            ("(_W_A_______X)", Op::Write),
            ("(R_____N______X)", Op::Read),
            ("(RW____N_F____X)", Op::Write),
            ("(__C___________)", Op::Create),
        ];
        for (flags, op) in cases {
            let line = wide(
                "open",
                &format!(" F=5        {flags} "),
                "/Users/me/x",
                true,
                false,
                "codex",
            );
            let event = one(&line);
            assert_eq!(event.op, op, "{flags}");
            assert_eq!(event.path, Path::new("/Users/me/x"));
            assert_eq!(event.result, Ok(5));
            assert_eq!(event.syscall, "open");
            assert_eq!(event.comm.as_deref(), Some("codex"));
            assert_eq!(event.pid, 4242);
        }
    }

    #[test]
    fn reference_lines() {
        let event = one(
            "00:59:54.600429  open              F=5        (_WC__E)  src/BAD_FILE   0.000039   git.623959",
        );
        assert_eq!(event.op, Op::Create);
        assert_eq!(event.path, Path::new("src/BAD_FILE"));
        assert_eq!(event.pid, 623959);
        assert_eq!(event.comm.as_deref(), Some("git"));
        let event = one(
            "00:59:54.600387  unlink                                 src/BAD_FILE   0.000328 W git.623959",
        );
        assert_eq!(event.op, Op::Delete);
        assert_eq!(event.path, Path::new("src/BAD_FILE"));
        assert_eq!(event.result, Ok(0));
        // Whitespace squeezed, as pasted into web pages.
        let event = one(
            "14:48:08.219356  WrData[A]  D=0x001ce0c4  B=0x1000  /dev/disk2s5  /path/to/file/.BC.T_w6qwGY  0.000272 W ditto.5145",
        );
        assert_eq!((event.op, event.syscall.as_str()), (Op::Write, "WrData"));
        assert_eq!(event.path, Path::new("/path/to/file/.BC.T_w6qwGY"));
        let event =
            one("14:48:08.148395  mkdirat  [-2]//Users/test  0.000064  DirectoryTools.5135");
        assert_eq!(
            (event.op, event.path.as_path()),
            (Op::Mkdir, Path::new("/Users/test"))
        );
        let event =
            one("14:48:07.350811  stat64  [  2]  /Users/test  0.000034   opendirectoryd.80");
        assert_eq!(event.result, Err("ENOENT".into()));
    }

    #[test]
    fn paths_with_spaces_and_commands_with_spaces() {
        let path =
            "/Users/me/Library/Application Support/Google/Chrome/Default/Network/Cookies-journal";
        let line = wide(
            "open",
            " F=41       (RW____) ",
            path,
            true,
            false,
            "Google Chrome He",
        );
        let event = one(&line);
        assert_eq!(event.path, Path::new(path));
        assert_eq!(event.comm.as_deref(), Some("Google Chrome He"));
        assert_eq!(event.op, Op::Write);
        let line = wide(
            "stat64",
            &" ".repeat(18),
            "/tmp/a b  c ",
            false,
            true,
            "com.apple.WebKit",
        );
        let event = one(&line);
        assert_eq!(event.path, Path::new("/tmp/a b  c"));
        assert_eq!(event.comm.as_deref(), Some("com.apple.WebKit"));
        // A command whose name looks like the wait marker.
        let line = wide("stat64", &" ".repeat(18), "/x", false, false, "W");
        assert_eq!(one(&line).comm.as_deref(), Some("W"));
        let line = wide("stat64", &" ".repeat(18), "/x", false, true, "W x");
        assert_eq!(one(&line).comm.as_deref(), Some("W x"));
    }

    #[test]
    fn wait_marker_and_elapsed_over_a_second() {
        let line = wide(
            "mkdir",
            &" ".repeat(18),
            "/Users/me/.codex/log",
            false,
            true,
            "codex",
        );
        assert!(line.contains(" W codex.4242"));
        assert_eq!(one(&line).op, Op::Mkdir);
        let line = "10:41:07.123456  fsync             F=5                                       12.004210   codex.77";
        none(line);
        let line = "10:41:07.123456  rmdir                                  /Users/me/old    1234.000001 W codex.77";
        assert_eq!(one(line).path, Path::new("/Users/me/old"));
    }

    #[test]
    fn truncated_paths_are_kept_as_printed() {
        let long = format!("/Users/me/{}/auth.json", "d".repeat(300));
        let line = wide("open", " F=5        (_WC_T_) ", &long, true, false, "codex");
        let event = one(&line);
        let printed = event.path.to_str().unwrap().to_owned();
        let tail = printed.strip_prefix('…').expect("a cut path starts with …");
        assert!(long.ends_with(tail), "{printed}");
        assert!(printed.len() > 100);
        assert_eq!(event.op, Op::Create);
        // A relative path that is not cut stays relative: fs_usage does not
        // say relative to what.
        let line = wide(
            "open",
            " F=5        (R_____) ",
            "rel/auth.json",
            true,
            false,
            "codex",
        );
        assert_eq!(one(&line).path, Path::new("rel/auth.json"));
    }

    #[test]
    fn errors() {
        let line = wide(
            "open",
            "      [  2] (R_____) ",
            "/etc/codex/config.toml",
            true,
            false,
            "codex",
        );
        let event = one(&line);
        assert_eq!(event.result, Err("ENOENT".into()));
        assert_eq!(event.op, Op::Read);
        let cases = [
            (1, "EPERM"),
            (13, "EACCES"),
            (17, "EEXIST"),
            (20, "ENOTDIR"),
            (21, "EISDIR"),
            (66, "ENOTEMPTY"),
            (99, "99"),
        ];
        for (errno, name) in cases {
            let line = wide(
                "rmdir",
                &format!("      [{errno:3}]       "),
                "/x/y",
                false,
                false,
                "rm",
            );
            assert_eq!(one(&line).result, Err(name.into()));
        }
        // An error after a descriptor, glued when the descriptor is wide.
        let line = wide(
            "fchmod",
            " F=123[  1] <rw------->",
            "/x/y",
            false,
            false,
            "codex",
        );
        let event = one(&line);
        assert_eq!((event.op, event.result), (Op::Write, Err("EPERM".into())));
        let line = wide("chmod", " [ 13] <rw------->", "/x/y", false, false, "codex");
        assert_eq!(one(&line).result, Err("EACCES".into()));
    }

    #[test]
    fn failed_lookup_padding_is_removed() {
        let line = wide(
            "stat64",
            "      [  2]       ",
            "/Users/me/project/.codex>>>>>>>>>>>>>>>>",
            false,
            false,
            "codex",
        );
        let event = one(&line);
        assert_eq!(event.path, Path::new("/Users/me/project/.codex"));
        assert_eq!(event.result, Err("ENOENT".into()));
        // Padding up to the end of the column.
        let padded = format!("/Users/me/.codex{}", ">".repeat(400));
        let line = wide(
            "open",
            "      [  2] (R_____) ",
            &padded,
            true,
            false,
            "codex",
        );
        none(&line);
        let padded = format!("/Users/me/.codex{}", ">".repeat(140));
        let line = wide(
            "open",
            "      [  2] (R_____) ",
            &padded,
            true,
            false,
            "codex",
        );
        assert_eq!(one(&line).path, Path::new("/Users/me/.codex"));
    }

    #[test]
    fn disk_io_lines() {
        let fields = " D=0x0a3c1f20  B=0x1000   /dev/disk3s1 ";
        let line = wide(
            "  WrData[A]",
            fields,
            "/Users/me/.codex/log/codex-tui.log",
            true,
            true,
            "codex",
        );
        let event = one(&line);
        assert_eq!((event.op, event.syscall.as_str()), (Op::Write, "WrData"));
        assert_eq!(event.path, Path::new("/Users/me/.codex/log/codex-tui.log"));
        let line = wide(
            "  RdData[SN]",
            fields,
            "/Users/me/a b",
            true,
            true,
            "mds_stores",
        );
        assert_eq!(
            (one(&line).op, one(&line).path),
            (Op::Read, PathBuf::from("/Users/me/a b"))
        );
        let line = wide("  RdMeta[S]", fields, "", true, true, "kernel_task");
        none(&line);
        let line = wide(
            "  PgIn[A]",
            fields,
            "/usr/lib/libfoo.dylib",
            true,
            true,
            "codex",
        );
        assert_eq!(one(&line).op, Op::Read);
        let line = wide(
            "  WrData[A]",
            " D=0x0a3c1f20  [  5]",
            "/x",
            false,
            true,
            "codex",
        );
        assert_eq!(one(&line).result, Err("EIO".into()));
    }

    #[test]
    fn at_paths() {
        let line = wide(
            "openat",
            " F=6        (RWC__E) ",
            "[-2]//Users/me/.codex/.tmpX",
            true,
            false,
            "codex",
        );
        assert_eq!(one(&line).path, Path::new("/Users/me/.codex/.tmpX"));
        let line = wide(
            "fstatat64",
            "      [  2]       ",
            "[-2]/AGENTS.md",
            false,
            false,
            "codex",
        );
        let event = one(&line);
        assert_eq!(event.path, Path::new("AGENTS.md"));
        assert_eq!((event.op, event.result), (Op::Stat, Err("ENOENT".into())));
        let line = wide(
            "unlinkat",
            &" ".repeat(18),
            "[5]/sessions/x.jsonl",
            false,
            false,
            "codex",
        );
        let event = one(&line);
        assert_eq!(event.path, Path::new("sessions/x.jsonl"));
        assert_eq!(event.op, Op::Delete);
        let line = wide(
            "mkdirat",
            &" ".repeat(18),
            "[7]//Users/me/.codex/log",
            false,
            false,
            "codex",
        );
        assert_eq!(one(&line).path, Path::new("/Users/me/.codex/log"));
        let line = wide(
            "renameat",
            &" ".repeat(18),
            "[-2]/../other/./x",
            false,
            false,
            "codex",
        );
        let event = one(&line);
        assert_eq!(
            (event.op, event.path),
            (Op::RenameFrom, PathBuf::from("../other/x"))
        );
    }

    #[test]
    fn nocancel_suffix_is_dropped() {
        let line = wide(
            "open_nocancel",
            " F=3        (R_____) ",
            "/etc/hosts",
            true,
            false,
            "curl",
        );
        let event = one(&line);
        assert_eq!((event.syscall.as_str(), event.op), ("open", Op::Read));
        none(&wide(
            "read_nocancel",
            " F=3    B=0x5e    ",
            "",
            false,
            false,
            "curl",
        ));
    }

    #[test]
    fn call_table() {
        let cases = [
            ("stat64", Op::Stat),
            ("lstat64", Op::Stat),
            ("getattrlist", Op::Stat),
            ("access", Op::Stat),
            ("readlink", Op::Stat),
            ("statfs64", Op::Stat),
            ("getxattr", Op::Stat),
            ("listxattr", Op::Stat),
            ("pathconf", Op::Stat),
            ("mkdir", Op::Mkdir),
            ("rename", Op::RenameFrom),
            ("renamex_np", Op::RenameFrom),
            ("unlink", Op::Delete),
            ("rmdir", Op::Delete),
            ("chmod", Op::Write),
            ("chown", Op::Write),
            ("truncate", Op::Write),
            ("utimes", Op::Write),
            ("setattrlist", Op::Write),
            ("setxattr", Op::Write),
            ("removexattr", Op::Write),
            ("chflags", Op::Write),
            ("execve", Op::Exec),
            ("posix_spawn", Op::Exec),
            ("symlink", Op::Link),
            ("symlinkat", Op::Link),
        ];
        for (call, op) in cases {
            let line = wide(
                call,
                &" ".repeat(18),
                "/Users/me/.codex/x",
                false,
                false,
                "codex",
            );
            let event = one(&line);
            assert_eq!((event.syscall.as_str(), event.op), (call, op));
        }
        let line = wide(
            "access",
            "            (R___)   ",
            "/Users/me/.codex",
            true,
            false,
            "codex",
        );
        assert_eq!(one(&line).op, Op::Stat);
        let line = wide(
            "truncate",
            "        O=0x00000000        ",
            "/Users/me/x",
            true,
            false,
            "codex",
        );
        assert_eq!(one(&line).op, Op::Write);
    }

    #[test]
    fn descriptor_calls_without_a_path_are_known() {
        for (name, fields) in [
            ("read", " F=3    B=0x5e    "),
            ("write", " F=1    B=0x26    "),
            ("pread", " F=12   B=0x4000     O=0x00018000        "),
            ("pwrite", " F=12   B=0x4000     O=0x00018000        "),
            ("close", " F=3  "),
            ("fsync", " F=5  "),
            ("lseek", " F=12   O=0x00018000         <SEEK_SET>"),
            ("fcntl", " F=3    <CACHING OFF>"),
            ("fstat64", " F=3  "),
            (
                "mmap",
                " F=3    A=0x0000000104000000        O=0x00000000        B=0x4000             <READ|EXEC>",
            ),
            ("exit", "                  "),
            ("socket", " F=3        <AF_INET, SOCK_STREAM, 0x0>"),
            ("CACHE_HIT", ""),
        ] {
            none(&wide(name, fields, "", false, false, "codex"));
        }
        let (out, stats) = events(&wide(
            "read",
            " F=3    B=0x5e    ",
            "",
            false,
            false,
            "codex",
        ));
        assert!(out.is_empty());
        assert_eq!(
            stats,
            ParseStats {
                lines: 1,
                events: 0,
                unknown: 0
            }
        );
        // Descriptor calls that do print a path.
        let line = wide(
            "write",
            " F=4    B=0x7b    ",
            "/Users/me/.codex/log/codex-tui.log",
            false,
            false,
            "codex",
        );
        assert_eq!(one(&line).op, Op::Write);
        let line = wide(
            "fchmod",
            " F=5   <rw------->      ",
            "/Users/me/.codex/auth.json",
            false,
            false,
            "codex",
        );
        assert_eq!(one(&line).op, Op::Write);
    }

    #[test]
    fn unknown_and_blank_lines() {
        let text = [
            "",
            "   ",
            "fs_usage: buffer overrun, events generated too quickly",
            "10:41:07.123456  open              F=5        (R_____)  /x   truncated here",
            "10:41:07.123456  frobnicate                             /x                                 0.000012   codex.1",
            "complete garbage",
            &wide("stat64", &" ".repeat(18), "/ok", false, false, "codex"),
        ]
        .join("\n");
        let (out, stats) = events(&text);
        assert_eq!(out.len(), 1);
        assert_eq!(
            stats,
            ParseStats {
                lines: 7,
                events: 1,
                unknown: 3
            }
        );
    }

    #[test]
    fn looks_like_wide_lines_only() {
        assert!(looks_like(&wide(
            "open",
            " F=5        (R_____) ",
            "/x",
            true,
            false,
            "codex"
        )));
        assert!(looks_like(
            "00:59:54.600387  unlink                                 src/BAD_FILE   0.000328 W git.623959"
        ));
        assert!(!looks_like(r#"123 openat(AT_FDCWD, "/x", O_RDONLY) = 3"#));
        assert!(!looks_like(
            r#"12:34:56.123456 openat(AT_FDCWD, "/x", O_RDONLY) = 3"#
        ));
        assert!(!looks_like(
            r#"123 12:34:56.123456 openat(AT_FDCWD, "/x.1", O_RDONLY) = 3"#
        ));
        assert!(!looks_like(
            r#"[pid  123] 12:34:56 read(3, "0.000001   x.1", 4) = 4"#
        ));
        assert!(!looks_like(r#"{"event_type":10,"event":{"open":{}}}"#));
        assert!(!looks_like(""));
        assert!(!looks_like("10:41:07"));
    }

    fn read_all(text: &str) -> (Vec<(TraceEvent, Printed)>, Summary) {
        let mut out = Vec::new();
        let summary = read(Cursor::new(text.as_bytes()), &mut |e, p| out.push((e, p))).unwrap();
        (out, summary)
    }

    #[test]
    fn cut_paths_are_marked_and_never_absolute() {
        // The tail happens to start at a slash: it still is not absolute.
        let long = format!("/Users/me/{}/.codex/auth.json", "d/".repeat(150));
        let line = wide("open", " F=5        (_WC_T_) ", &long, true, false, "codex");
        let (out, _) = read_all(&line);
        let (event, printed) = &out[0];
        assert_eq!(*printed, Printed::Tail);
        assert!(event.path.is_relative(), "{}", event.path.display());
        assert!(event.path.to_string_lossy().starts_with("…/d/d/"));
        let (out, _) = read_all(&wide(
            "open",
            " F=5        (R_____) ",
            "/etc/hosts",
            true,
            false,
            "x",
        ));
        assert_eq!(out[0].1, Printed::Whole);
    }

    #[test]
    fn relative_paths_after_a_symbolic_link_stay_relative() {
        // Versions/Current -> A: the lookup goes on in A, relative to the link.
        let line = wide(
            "open",
            " F=3        (R_____) ",
            "A/Resources/Info.plist",
            true,
            false,
            "Electron Helper (Renderer)",
        );
        let event = one(&line);
        assert_eq!(event.path, Path::new("A/Resources/Info.plist"));
        assert_eq!(event.comm.as_deref(), Some("Electron Helper (Renderer)"));
        let line = wide(
            "stat64",
            &" ".repeat(18),
            "../lib/./node_modules/x",
            false,
            false,
            "node",
        );
        assert_eq!(one(&line).path, Path::new("../lib/node_modules/x"));
    }

    #[test]
    fn long_command_names_on_syscall_lines_short_on_disk_lines() {
        let long = "com.apple.WebKit.WebContent.Dev";
        let line = wide(
            "open",
            " F=3        (R_____) ",
            "/Users/me/x",
            true,
            false,
            long,
        );
        assert_eq!(one(&line).comm.as_deref(), Some(long));
        let line = wide(
            "  WrData[A]",
            " D=0x0a3c1f20  B=0x1000   /dev/disk3s1 ",
            "/Users/me/x",
            true,
            true,
            "com.apple.WebKit",
        );
        assert_eq!(one(&line).comm.as_deref(), Some("com.apple.WebKit"));
    }

    #[test]
    fn disk_io_with_an_errno_has_no_device() {
        let line = wide(
            "  WrData[A]",
            " D=0x0a3c1f20  B=0x1000   [ 28] ",
            "/Users/me/.codex/log/codex-tui.log",
            true,
            true,
            "codex",
        );
        let event = one(&line);
        assert_eq!(
            (event.op, event.path.as_path(), event.result),
            (
                Op::Write,
                Path::new("/Users/me/.codex/log/codex-tui.log"),
                Err("ENOSPC".into())
            )
        );
        let line = wide(
            "  RdMeta[S]",
            " D=0x00008ae0  B=0x1000   [  5] ",
            "",
            true,
            true,
            "codex",
        );
        none(&line);
    }

    #[test]
    fn firmlinked_spellings_are_normalised() {
        for (printed, path) in [
            (
                "/System/Volumes/Data/Users/me/.codex/auth.json",
                "/Users/me/.codex/auth.json",
            ),
            (
                "[-2]//System/Volumes/Data/private/var/folders/x",
                "/private/var/folders/x",
            ),
            (
                "/System/Volumes/Data/.Spotlight-V100/Store-V2",
                "/System/Volumes/Data/.Spotlight-V100/Store-V2",
            ),
            ("/System/Volumes/Data", "/System/Volumes/Data"),
        ] {
            let line = wide("stat64", &" ".repeat(18), printed, false, false, "codex");
            assert_eq!(one(&line).path, Path::new(path), "{printed}");
        }
    }

    #[test]
    fn the_narrow_layout_is_counted_not_read() {
        let narrow = "13:20:43  getattrlist       /Users/me/Documents/x              0.000011   mds\n\
                      13:20:43  open              F=5        (R_____)  /x       0.000004 W Finder\n";
        let (out, summary) = read_all(narrow);
        assert!(out.is_empty());
        assert_eq!(
            (summary.narrow, summary.wide, summary.stats.unknown),
            (2, 0, 0)
        );
        for line in narrow.lines() {
            assert!(looks_narrow(line.trim()), "{line}");
            assert!(!looks_like(line.trim()), "{line}");
        }
        assert!(!looks_narrow(&wide(
            "stat64",
            &" ".repeat(18),
            "/x",
            false,
            false,
            "codex"
        )));
        assert!(!looks_narrow("13:20:43  not a call at all 0.000011 x"));
        assert_eq!(
            crate::trace::detect_format(narrow.as_bytes()),
            Some(crate::trace::Format::FsUsage)
        );
    }

    #[test]
    fn printed_paths_are_normalised_never_joined() {
        let n = |p: &str| resolve(p.as_bytes(), false);
        assert_eq!(n("/x//y/"), PathBuf::from("/x/y"));
        assert_eq!(n("../x"), PathBuf::from("../x"));
        assert_eq!(n("rel/../../x"), PathBuf::from("../x"));
        assert_eq!(n("."), PathBuf::from("."));
        assert_eq!(n("[-2]//Users/me/x"), PathBuf::from("/Users/me/x"));
    }

    #[test]
    fn raw_bytes_in_paths() {
        let mut line = wide(
            "stat64",
            &" ".repeat(18),
            "/tmp/caf\u{e9}",
            false,
            false,
            "codex",
        )
        .into_bytes();
        let at = line.windows(2).position(|w| w == "é".as_bytes()).unwrap();
        line.splice(at..at + 2, [0xe9, b'!']);
        let mut out = Vec::new();
        parse(Cursor::new(line), &mut |e| out.push(e)).unwrap();
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(out[0].path.as_os_str().as_bytes(), b"/tmp/caf\xe9!");
    }

    #[test]
    fn overlong_lines_are_skipped() {
        let mut text = "x".repeat(MAX_LINE * 3);
        text.push('\n');
        text.push_str(&wide(
            "stat64",
            &" ".repeat(18),
            "/ok",
            false,
            false,
            "codex",
        ));
        let (out, stats) = events(&text);
        assert_eq!(out.len(), 1);
        assert_eq!(
            stats,
            ParseStats {
                lines: 2,
                events: 1,
                unknown: 1
            }
        );
    }

    use crate::trace::Rng;

    fn fixture() -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/macos/fs_usage_codex_login.log");
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn never_panics_on_noise() {
        let fixture = fixture();
        let lines: Vec<&str> = fixture.lines().collect();
        let alphabet = b" []()<>=/._-0123456789:WFBDx\t\r>";
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..3000 {
            let mut input: Vec<u8> = Vec::new();
            for _ in 0..1 + rng.below(6) {
                let mut line = lines[rng.below(lines.len())].as_bytes().to_vec();
                match round % 5 {
                    0 => line.truncate(rng.below(line.len() + 1)),
                    1 => {
                        let start = rng.below(line.len() + 1);
                        line.drain(..start);
                    }
                    2 => {
                        for _ in 0..1 + rng.below(8) {
                            let at = rng.below(line.len());
                            line[at] = alphabet[rng.below(alphabet.len())];
                        }
                    }
                    3 => line = (0..rng.below(400)).map(|_| rng.next() as u8).collect(),
                    _ => {
                        for _ in 0..rng.below(300) {
                            let at = rng.below(line.len() + 1);
                            line.insert(at, alphabet[rng.below(alphabet.len())]);
                        }
                    }
                }
                input.extend_from_slice(&line);
                input.push(b'\n');
            }
            let mut count = 0u64;
            let stats = parse(Cursor::new(&input), &mut |_| count += 1).unwrap();
            assert_eq!(stats.events, count);
            for line in input.split(|&b| b == b'\n') {
                let _ = looks_like(&String::from_utf8_lossy(line));
            }
        }
    }

    #[test]
    fn fixture_codex_login() {
        let (out, stats) = events(&fixture());
        assert_eq!(stats.unknown, 0, "{stats:?}");
        let home = "/Users/me/.swop-scratch/A/CODEX_HOME";
        let codex: Vec<(Op, String, Result<i64, crate::trace::Errno>)> = out
            .iter()
            .filter(|e| e.comm.as_deref() == Some("codex"))
            .map(|e| {
                (
                    e.op,
                    e.path.to_string_lossy().into_owned(),
                    e.result.clone(),
                )
            })
            .collect();
        let expect = |op: Op, path: &str, result: Result<i64, &str>| {
            let wanted = (
                op,
                path.to_owned(),
                result.map_err(crate::trace::Errno::from),
            );
            assert!(codex.contains(&wanted), "missing {wanted:?} in {codex:#?}");
        };
        expect(Op::Stat, home, Ok(0));
        expect(Op::Read, "/etc/codex/config.toml", Err("ENOENT"));
        expect(Op::Read, &format!("{home}/config.toml"), Ok(3));
        expect(Op::Stat, "/Users/me/project/.codex", Err("ENOENT"));
        expect(Op::Stat, "AGENTS.md", Err("ENOENT"));
        expect(Op::Mkdir, &format!("{home}/log"), Ok(0));
        expect(Op::Create, &format!("{home}/log/codex-login.log"), Ok(4));
        expect(Op::Write, &format!("{home}/log/codex-login.log"), Ok(0));
        expect(Op::Create, &format!("{home}/auth.json"), Ok(5));
        expect(Op::Create, &format!("{home}/.tmpXq3bZ1"), Ok(6));
        expect(Op::RenameFrom, &format!("{home}/.tmpXq3bZ1"), Ok(0));
        let spawn = out.iter().find(|e| e.op == Op::Exec).unwrap();
        assert_eq!(spawn.path, Path::new("/usr/local/bin/codex"));
        assert_eq!(spawn.comm.as_deref(), Some("swop"));
        let comms: std::collections::BTreeSet<_> =
            out.iter().filter_map(|e| e.comm.clone()).collect();
        let comms: Vec<_> = comms.iter().map(String::as_str).collect();
        assert_eq!(
            comms,
            [
                "Google Chrome He",
                "Terminal",
                "codex",
                "mds_stores",
                "swop"
            ]
        );
        let truncated = out
            .iter()
            .find(|e| e.path.ends_with("the-real-index"))
            .unwrap();
        assert!(truncated.path.to_string_lossy().starts_with('…'));
        let relative: Vec<_> = out
            .iter()
            .filter(|e| e.path.is_relative())
            .map(|e| e.path.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            relative,
            [
                "AGENTS.md",
                ".git",
                truncated.path.to_string_lossy().as_ref()
            ]
        );
    }

    /// `cargo test --release -- --ignored --nocapture throughput`
    #[test]
    #[ignore]
    fn throughput() {
        let fixture = fixture();
        let mut text = String::new();
        while text.len() < 50 << 20 {
            text.push_str(&fixture);
        }
        let started = std::time::Instant::now();
        let mut count = 0u64;
        let stats = parse(Cursor::new(text.as_bytes()), &mut |_| count += 1).unwrap();
        let elapsed = started.elapsed();
        let mb = text.len() as f64 / 1e6;
        println!(
            "{mb:.1} MB, {} lines, {count} events in {elapsed:?}: {:.0} MB/s",
            stats.lines,
            mb / elapsed.as_secs_f64()
        );
    }
}
