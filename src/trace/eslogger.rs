//! `eslogger` output (macOS 13+): one JSON object per line, modelled on
//! Endpoint Security's `es_message_t`.
//!
//! ```text
//! {"event_type":10,"process":{"audit_token":{"pid":4243,...},"ppid":4242,
//!  "executable":{"path":"/usr/local/bin/codex",...},...},
//!  "event":{"open":{"fflag":1,"file":{"path":"/x","path_truncated":false,...}}},...}
//! ```
//!
//! The kind of event is read from the single key of `event` (`open`,
//! `create`, ...), not from the numeric `event_type`, whose values depend on
//! the SDK's enum order (`ES_EVENT_TYPE_NOTIFY_EXEC` 9, `OPEN` 10, `FORK` 11,
//! `CLOSE` 12, `CREATE` 13, `EXIT` 15, `RENAME` 25, `UNLINK` 32, `WRITE` 33).
//!
//! Mapping (every event is a notification of something that happened, so the
//! result is always `Ok(0)`; failed calls are not reported by eslogger):
//!
//! - `open`: `fflag` (kernel `FFLAGS`): `O_CREAT` (0x200) is a create; `FWRITE`
//!   (2), `O_TRUNC` (0x400) or `O_APPEND` (8) a write; else a read.
//! - `create`: `destination_type` 0 is `destination.existing_file.path`, 1 is
//!   `destination.new_path.dir.path` + `/` + `filename`. A directory (mode
//!   with `S_IFDIR`) is a mkdir, a symbolic link (`S_IFLNK`) a link, anything
//!   else a create.
//! - `rename`: `source.path` is the rename-from, the destination (same two
//!   shapes) the rename-to.
//! - `unlink`, `write`: their `target.path`; `close` with `modified: true` is a
//!   write of `target.path`, other closes are dropped.
//! - `exec`: `target.executable.path`; the event's process name is the new
//!   image.
//! - `fork`, `exit`: no event, they maintain the process tree.
//! - Also understood when asked for: `truncate`, `setmode`, `setowner`,
//!   `setflags`, `setextattr`, `deleteextattr`, `setattrlist`, `setacl`,
//!   `utimes` (writes), `link` (a link of the new name), `clone`, `copyfile`
//!   (creates of the new name), `exchangedata` (writes of both), `stat`,
//!   `access`, `getattrlist`, `getextattr`, `listextattr`, `readlink`,
//!   `lookup`, `fsgetpath`, `chdir` (stats), `readdir` (read). Other kinds
//!   are skipped.
//!
//! `path_truncated: true` paths are kept as given; bytes that are not UTF-8
//! become U+FFFD. `comm` is the process's executable path.
//!
//! Process tree: with a root pid, a process belongs to the traced tree when
//! it is the root, was forked by a member (the `fork` event's
//! `child.audit_token.pid`), or has a member as `ppid` (a fork that was not
//! seen). A member leaves at its `exit` event, so a reused pid is not taken
//! for it. Memory is the set of live members.

use super::{Op, ParseStats, Printed, TraceEvent, lines, normalize_firmlink};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::HashSet;
use std::io::{self, BufRead};
use std::path::PathBuf;

/// Longest line kept: exec events carry argv (and sometimes the environment),
/// up to `ARG_MAX` (1 MiB) each, JSON-escaped.
const MAX_LINE: usize = 32 * 1024 * 1024;

const FWRITE: u64 = 0x2;
const O_APPEND: u64 = 0x8;
const O_CREAT: u64 = 0x200;
const O_TRUNC: u64 = 0x400;
const S_IFMT: u64 = 0o170_000;
const S_IFDIR: u64 = 0o040_000;
const S_IFLNK: u64 = 0o120_000;

/// What making an object of `mode` did to its path: a folder is a mkdir, a
/// symbolic link a link (its target is not touched), anything else a create.
fn made(mode: Option<u64>) -> Op {
    match mode.map(|mode| mode & S_IFMT) {
        Some(S_IFDIR) => Op::Mkdir,
        Some(S_IFLNK) => Op::Link,
        _ => Op::Create,
    }
}

/// Whether `line` is an eslogger JSON event.
pub fn looks_like(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with('{')
        && (line.contains("\"event_type\"")
            || (line.contains("\"event\"") && line.contains("\"process\"")))
}

/// Read eslogger output, calling `sink` for every path event.
///
/// root: when Some(pid), only events of that process and its descendants
/// (followed through fork events and ppid) are emitted.
pub fn parse<R: BufRead>(
    reader: R,
    root: Option<u32>,
    sink: &mut dyn FnMut(TraceEvent),
) -> io::Result<ParseStats> {
    read(reader, root, &mut |event, _| sink(event))
}

/// Like [`parse`], with how much of each path eslogger printed: a path cut by
/// Endpoint Security ends in `…` and comes as [`Printed::Head`].
pub fn read<R: BufRead>(
    reader: R,
    root: Option<u32>,
    sink: &mut dyn FnMut(TraceEvent, Printed),
) -> io::Result<ParseStats> {
    let mut stats = ParseStats::default();
    let mut tree = root.map(Tree::new);
    lines::for_each_line(reader, MAX_LINE, |line, overlong| {
        stats.lines += 1;
        if overlong {
            stats.unknown += 1;
            return;
        }
        one_line(line.trim_ascii(), tree.as_mut(), &mut stats, sink);
    })?;
    Ok(stats)
}

/// One line of eslogger's output: a JSON message.
fn one_line(
    line: &[u8],
    tree: Option<&mut Tree>,
    stats: &mut ParseStats,
    sink: &mut dyn FnMut(TraceEvent, Printed),
) {
    if line.is_empty() {
        return;
    }
    let Some(message) = decode(line) else {
        stats.unknown += 1;
        return;
    };
    let (Some(process), Some(event)) = (message.process, message.event) else {
        stats.unknown += 1;
        return;
    };
    let Some(pid) = process.pid() else {
        stats.unknown += 1;
        return;
    };
    if let Some(tree) = tree {
        if !tree.admit(pid, &process) {
            return;
        }
        if let Some(fork) = &event.fork
            && let Some(child) = fork.child.as_ref().and_then(Process::pid)
        {
            tree.members.insert(child);
        }
        if event.exit.is_some() {
            tree.members.remove(&pid);
        }
    }
    let comm = match &event.exec {
        Some(exec) => exec
            .target
            .as_ref()
            .and_then(|target| target.executable.as_ref())
            .and_then(|file| file.path.clone()),
        None => None,
    }
    .or_else(|| process.executable.and_then(|file| file.path));
    let mut emit = |syscall: &str, op: Op, named: Named| {
        stats.events += 1;
        let (path, printed) = if named.cut {
            (format!("{}…", named.path), Printed::Head)
        } else {
            (named.path, Printed::Whole)
        };
        sink(
            TraceEvent {
                pid,
                syscall: syscall.to_owned(),
                op,
                path: normalize_firmlink(PathBuf::from(path)),
                result: Ok(0),
                comm: comm.clone(),
            },
            printed,
        );
    };
    event.for_each_path(&mut emit);
}

fn decode(line: &[u8]) -> Option<Message> {
    match serde_json::from_slice(line) {
        Ok(message) => Some(message),
        // Raw bytes that are not UTF-8: read them as replacement characters.
        Err(_) if std::str::from_utf8(line).is_err() => {
            serde_json::from_str(&String::from_utf8_lossy(line)).ok()
        }
        Err(_) => None,
    }
}

/// The traced process and its descendants.
struct Tree {
    members: HashSet<u32>,
}

impl Tree {
    fn new(root: u32) -> Self {
        Tree {
            members: HashSet::from([root]),
        }
    }

    /// Whether `pid` belongs to the tree, joining it when its parent does.
    fn admit(&mut self, pid: u32, process: &Process) -> bool {
        if self.members.contains(&pid) {
            return true;
        }
        let parent_in = process
            .ppid
            .and_then(|ppid| u32::try_from(ppid).ok())
            .is_some_and(|ppid| ppid != 0 && self.members.contains(&ppid));
        if parent_in {
            self.members.insert(pid);
        }
        parent_in
    }
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    process: Option<Process>,
    #[serde(default)]
    event: Option<Event>,
}

#[derive(Deserialize)]
struct Process {
    #[serde(default)]
    audit_token: Option<AuditToken>,
    #[serde(default)]
    ppid: Option<i64>,
    #[serde(default)]
    executable: Option<File>,
}

impl Process {
    fn pid(&self) -> Option<u32> {
        u32::try_from(self.audit_token.as_ref()?.pid?).ok()
    }
}

/// `audit_token` (and `child.audit_token`, `target.audit_token`): up to
/// message version 9 an object with a `pid` key; from version 10 an array of
/// the token's eight numbers, the pid at [`TOKEN_PID`]; version 11 went back
/// to objects. Both shapes are read whatever the version says.
struct AuditToken {
    pid: Option<i64>,
}

/// Where the pid is in an audit token written as an array.
const TOKEN_PID: usize = 5;

impl<'de> Deserialize<'de> for AuditToken {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AuditTokenVisitor)
    }
}

struct AuditTokenVisitor;

/// The keys of an audit token written as an object: only `pid` is read.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum TokenKey {
    Pid,
    #[serde(other)]
    Other,
}

impl<'de> serde::de::Visitor<'de> for AuditTokenVisitor {
    type Value = AuditToken;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an audit token, as an object or an array")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<AuditToken, A::Error> {
        let mut pid = None;
        while let Some(key) = map.next_key::<TokenKey>()? {
            match key {
                TokenKey::Pid => pid = map.next_value::<Option<i64>>()?,
                TokenKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(AuditToken { pid })
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<AuditToken, A::Error> {
        let mut pid = None;
        let mut index = 0;
        while let Some(value) = seq.next_element::<Option<i64>>()? {
            if index == TOKEN_PID {
                pid = value;
            }
            index += 1;
        }
        Ok(AuditToken { pid })
    }
}

/// `es_file_t`.
#[derive(Deserialize)]
struct File {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    path_truncated: Option<bool>,
    #[serde(default)]
    stat: Option<Stat>,
}

#[derive(Deserialize)]
struct Stat {
    #[serde(default)]
    st_mode: Option<u64>,
}

/// `event`: one key, named by the kind of event.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Event {
    open: Option<Open>,
    create: Option<Create>,
    rename: Option<Rename>,
    unlink: Option<Target>,
    write: Option<Target>,
    close: Option<Close>,
    exec: Option<Exec>,
    fork: Option<Fork>,
    exit: Option<IgnoredAny>,
    truncate: Option<Target>,
    setmode: Option<Target>,
    setowner: Option<Target>,
    setflags: Option<Target>,
    setextattr: Option<Target>,
    deleteextattr: Option<Target>,
    setattrlist: Option<Target>,
    setacl: Option<Target>,
    utimes: Option<Target>,
    link: Option<Link>,
    clone: Option<Link>,
    copyfile: Option<Link>,
    exchangedata: Option<Exchange>,
    stat: Option<Target>,
    access: Option<Target>,
    getattrlist: Option<Target>,
    getextattr: Option<Target>,
    listextattr: Option<Target>,
    readlink: Option<Source>,
    lookup: Option<Lookup>,
    fsgetpath: Option<Target>,
    chdir: Option<Target>,
    readdir: Option<Target>,
}

#[derive(Deserialize)]
struct Open {
    #[serde(default)]
    fflag: Option<u64>,
    #[serde(default)]
    file: Option<File>,
}

#[derive(Deserialize)]
struct Create {
    #[serde(default)]
    destination_type: Option<i64>,
    #[serde(default)]
    destination: Option<Destination>,
}

#[derive(Deserialize)]
struct Rename {
    #[serde(default)]
    source: Option<File>,
    #[serde(default)]
    destination_type: Option<i64>,
    #[serde(default)]
    destination: Option<Destination>,
}

/// The destination union of `create` and `rename`.
#[derive(Deserialize)]
struct Destination {
    #[serde(default)]
    existing_file: Option<File>,
    #[serde(default)]
    new_path: Option<NewPath>,
}

#[derive(Deserialize)]
struct NewPath {
    #[serde(default)]
    dir: Option<File>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    mode: Option<u64>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(default)]
    target: Option<File>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(default)]
    source: Option<File>,
}

#[derive(Deserialize)]
struct Close {
    #[serde(default)]
    modified: Option<bool>,
    #[serde(default)]
    target: Option<File>,
}

#[derive(Deserialize)]
struct Exec {
    #[serde(default)]
    target: Option<Process>,
}

#[derive(Deserialize)]
struct Fork {
    #[serde(default)]
    child: Option<Process>,
}

/// `link`, `clone` and `copyfile`: a new name made in `target_dir`.
#[derive(Deserialize)]
struct Link {
    #[serde(default)]
    target_dir: Option<File>,
    #[serde(default)]
    target_filename: Option<String>,
    #[serde(default)]
    target_name: Option<String>,
    #[serde(default)]
    target_file: Option<File>,
}

#[derive(Deserialize)]
struct Exchange {
    #[serde(default)]
    file1: Option<File>,
    #[serde(default)]
    file2: Option<File>,
}

#[derive(Deserialize)]
struct Lookup {
    #[serde(default)]
    source_dir: Option<File>,
    #[serde(default)]
    relative_target: Option<String>,
}

/// A path as eslogger gave it, and whether it was cut (`path_truncated`:
/// Endpoint Security keeps the start of a path too long for its buffer).
struct Named {
    path: String,
    cut: bool,
}

fn path_of(file: Option<File>) -> Option<Named> {
    let file = file?;
    let path = file.path.filter(|path| !path.is_empty())?;
    Some(Named {
        path,
        cut: file.path_truncated == Some(true),
    })
}

fn join(dir: &Named, name: &str) -> Named {
    let mut path = String::with_capacity(dir.path.len() + name.len() + 1);
    path.push_str(&dir.path);
    if !path.ends_with('/') && !name.is_empty() {
        path.push('/');
    }
    path.push_str(name);
    Named { path, cut: dir.cut }
}

impl Destination {
    /// The destination path and the mode of what is (or is made) there.
    fn resolve(self, destination_type: Option<i64>) -> Option<(Named, Option<u64>)> {
        let existing = |file: File| {
            let mode = file.stat.as_ref().and_then(|stat| stat.st_mode);
            Some((path_of(Some(file))?, mode))
        };
        let new_path = |new: NewPath| {
            let dir = path_of(new.dir)?;
            Some((join(&dir, new.filename.as_deref().unwrap_or("")), new.mode))
        };
        match destination_type {
            Some(0) => existing(self.existing_file?),
            Some(1) => new_path(self.new_path?),
            _ => match (self.existing_file, self.new_path) {
                (Some(file), _) => existing(file),
                (None, Some(new)) => new_path(new),
                (None, None) => None,
            },
        }
    }
}

impl Link {
    fn destination(self) -> Option<Named> {
        if let Some(path) = path_of(self.target_file) {
            return Some(path);
        }
        let name = self.target_filename.or(self.target_name)?;
        Some(join(&path_of(self.target_dir)?, &name))
    }
}

impl Event {
    /// Call `emit(kind, op, path)` for each path the event touched.
    fn for_each_path(self, emit: &mut dyn FnMut(&str, Op, Named)) {
        let mut one = |kind: &str, op: Op, path: Option<Named>| {
            if let Some(path) = path {
                emit(kind, op, path);
            }
        };
        if let Some(open) = self.open {
            let fflag = open.fflag.unwrap_or(0);
            let op = if fflag & O_CREAT != 0 {
                Op::Create
            } else if fflag & (FWRITE | O_TRUNC | O_APPEND) != 0 {
                Op::Write
            } else {
                Op::Read
            };
            one("open", op, path_of(open.file));
        }
        if let Some(create) = self.create
            && let Some((path, mode)) = create
                .destination
                .and_then(|d| d.resolve(create.destination_type))
        {
            one("create", made(mode), Some(path));
        }
        if let Some(rename) = self.rename {
            one("rename", Op::RenameFrom, path_of(rename.source));
            let to = rename
                .destination
                .and_then(|d| d.resolve(rename.destination_type));
            one("rename", Op::RenameTo, to.map(|(path, _)| path));
        }
        if let Some(unlink) = self.unlink {
            one("unlink", Op::Delete, path_of(unlink.target));
        }
        if let Some(write) = self.write {
            one("write", Op::Write, path_of(write.target));
        }
        if let Some(close) = self.close
            && close.modified == Some(true)
        {
            one("close", Op::Write, path_of(close.target));
        }
        if let Some(exec) = self.exec {
            let path = exec.target.and_then(|target| path_of(target.executable));
            one("exec", Op::Exec, path);
        }
        let writes = [
            ("truncate", self.truncate),
            ("setmode", self.setmode),
            ("setowner", self.setowner),
            ("setflags", self.setflags),
            ("setextattr", self.setextattr),
            ("deleteextattr", self.deleteextattr),
            ("setattrlist", self.setattrlist),
            ("setacl", self.setacl),
            ("utimes", self.utimes),
        ];
        for (kind, event) in writes {
            if let Some(event) = event {
                one(kind, Op::Write, path_of(event.target));
            }
        }
        if let Some(link) = self.link {
            one("link", Op::Link, link.destination());
        }
        // Copies: new content at the new name.
        for (kind, event) in [("clone", self.clone), ("copyfile", self.copyfile)] {
            if let Some(event) = event {
                one(kind, Op::Create, event.destination());
            }
        }
        if let Some(exchange) = self.exchangedata {
            one("exchangedata", Op::Write, path_of(exchange.file1));
            one("exchangedata", Op::Write, path_of(exchange.file2));
        }
        let stats = [
            ("stat", self.stat),
            ("access", self.access),
            ("getattrlist", self.getattrlist),
            ("getextattr", self.getextattr),
            ("listextattr", self.listextattr),
            ("fsgetpath", self.fsgetpath),
            ("chdir", self.chdir),
        ];
        for (kind, event) in stats {
            if let Some(event) = event {
                one(kind, Op::Stat, path_of(event.target));
            }
        }
        if let Some(readlink) = self.readlink {
            one("readlink", Op::Stat, path_of(readlink.source));
        }
        if let Some(lookup) = self.lookup
            && let Some(dir) = path_of(lookup.source_dir)
        {
            let target = lookup.relative_target.unwrap_or_default();
            let path = if target.starts_with('/') {
                Named {
                    path: target,
                    cut: false,
                }
            } else {
                join(&dir, &target)
            };
            one("lookup", Op::Stat, Some(path));
        }
        if let Some(readdir) = self.readdir {
            one("readdir", Op::Read, path_of(readdir.target));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::path::Path;

    fn msg(pid: u32, ppid: u32, exe: &str, kind: &str, body: &str) -> String {
        format!(
            r#"{{"schema_version":1,"event_type":0,"time":"2025-10-09T08:13:20.1Z","event":{{"{kind}":{body}}},"process":{{"audit_token":{{"asid":1,"pid":{pid},"pidversion":7}},"ppid":{ppid},"original_ppid":{ppid},"executable":{{"path":"{exe}","path_truncated":false}}}},"action_type":1}}"#
        )
    }

    fn file(path: &str) -> String {
        format!(r#"{{"path":"{path}","path_truncated":false,"stat":{{"st_mode":33188}}}}"#)
    }

    fn run(text: &str, root: Option<u32>) -> (Vec<TraceEvent>, ParseStats) {
        let mut out = Vec::new();
        let stats = parse(Cursor::new(text.as_bytes()), root, &mut |e| out.push(e)).unwrap();
        (out, stats)
    }

    fn ops(text: &str) -> Vec<(String, Op, String)> {
        let (out, stats) = run(text, None);
        assert_eq!(stats.unknown, 0, "{text}");
        out.into_iter()
            .map(|e| (e.syscall, e.op, e.path.to_string_lossy().into_owned()))
            .collect()
    }

    fn triple(syscall: &str, op: Op, path: &str) -> (String, Op, String) {
        (syscall.to_owned(), op, path.to_owned())
    }

    #[test]
    fn open_flags() {
        for (fflag, op) in [
            (1, Op::Read),
            (3, Op::Write),
            (2, Op::Write),
            (1 | 0x8, Op::Write),
            (1 | 0x400, Op::Write),
            (2 | 0x200 | 0x400, Op::Create),
            (0x1000_0001_u64, Op::Read),
        ] {
            let line = msg(
                9,
                1,
                "/bin/x",
                "open",
                &format!(r#"{{"fflag":{fflag},"file":{}}}"#, file("/a/b")),
            );
            assert_eq!(ops(&line), [triple("open", op, "/a/b")], "fflag {fflag:#x}");
        }
        let (out, _) = run(
            &msg(
                9,
                1,
                "/bin/cat",
                "open",
                &format!(r#"{{"fflag":1,"file":{}}}"#, file("/a")),
            ),
            None,
        );
        assert_eq!(out[0].pid, 9);
        assert_eq!(out[0].result, Ok(0));
        assert_eq!(out[0].comm.as_deref(), Some("/bin/cat"));
    }

    #[test]
    fn create_both_destination_shapes() {
        let existing = format!(
            r#"{{"destination_type":0,"destination":{{"existing_file":{}}}}}"#,
            file("/d/f1")
        );
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "create", &existing)),
            [triple("create", Op::Create, "/d/f1")]
        );
        let new_path = format!(
            r#"{{"destination_type":1,"destination":{{"new_path":{{"dir":{},"filename":"f2","mode":420}}}}}}"#,
            file("/d")
        );
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "create", &new_path)),
            [triple("create", Op::Create, "/d/f2")]
        );
        let slash = r#"{"destination_type":1,"destination":{"new_path":{"dir":{"path":"/d/"},"filename":"f3","mode":420}}}"#;
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "create", slash)),
            [triple("create", Op::Create, "/d/f3")]
        );
        let dir = r#"{"destination_type":1,"destination":{"new_path":{"dir":{"path":"/d"},"filename":"log","mode":16877}}}"#;
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "create", dir)),
            [triple("create", Op::Mkdir, "/d/log")]
        );
        let existing_dir = r#"{"destination_type":0,"destination":{"existing_file":{"path":"/d/log","stat":{"st_mode":16877}}}}"#;
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "create", existing_dir)),
            [triple("create", Op::Mkdir, "/d/log")]
        );
        // `ln -s`: a create whose mode carries S_IFLNK (0o120755), as a
        // folder's carries S_IFDIR; the link is made, its target untouched.
        let symlink = r#"{"destination_type":1,"destination":{"new_path":{"dir":{"path":"/d"},"filename":"apply_patch","mode":41453}}}"#;
        assert_eq!(
            ops(&msg(9, 1, "/bin/ln", "create", symlink)),
            [triple("create", Op::Link, "/d/apply_patch")]
        );
        let existing_link = r#"{"destination_type":0,"destination":{"existing_file":{"path":"/d/l","stat":{"st_mode":41453}}}}"#;
        assert_eq!(
            ops(&msg(9, 1, "/bin/ln", "create", existing_link)),
            [triple("create", Op::Link, "/d/l")]
        );
        // Without destination_type, the shape present decides.
        let untyped = r#"{"destination":{"new_path":{"dir":{"path":"/d"},"filename":"f4"}}}"#;
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "create", untyped)),
            [triple("create", Op::Create, "/d/f4")]
        );
    }

    #[test]
    fn rename_both_destination_shapes() {
        let to_existing = format!(
            r#"{{"source":{},"destination_type":0,"destination":{{"existing_file":{}}}}}"#,
            file("/d/.tmp1"),
            file("/d/auth.json")
        );
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "rename", &to_existing)),
            [
                triple("rename", Op::RenameFrom, "/d/.tmp1"),
                triple("rename", Op::RenameTo, "/d/auth.json")
            ]
        );
        let to_new = format!(
            r#"{{"source":{},"destination_type":1,"destination":{{"new_path":{{"dir":{},"filename":"version.json"}}}}}}"#,
            file("/d/.tmp2"),
            file("/d")
        );
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "rename", &to_new)),
            [
                triple("rename", Op::RenameFrom, "/d/.tmp2"),
                triple("rename", Op::RenameTo, "/d/version.json")
            ]
        );
    }

    #[test]
    fn unlink_write_close_exec() {
        let unlink = format!(
            r#"{{"target":{},"parent_dir":{}}}"#,
            file("/d/x"),
            file("/d")
        );
        assert_eq!(
            ops(&msg(9, 1, "/bin/rm", "unlink", &unlink)),
            [triple("unlink", Op::Delete, "/d/x")]
        );
        let write = format!(r#"{{"target":{}}}"#, file("/d/log"));
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "write", &write)),
            [triple("write", Op::Write, "/d/log")]
        );
        let modified = format!(
            r#"{{"modified":true,"was_mapped_writable":false,"target":{}}}"#,
            file("/d/a")
        );
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "close", &modified)),
            [triple("close", Op::Write, "/d/a")]
        );
        let unmodified = format!(r#"{{"modified":false,"target":{}}}"#, file("/d/a"));
        assert!(ops(&msg(9, 1, "/bin/x", "close", &unmodified)).is_empty());
        let exec = r#"{"target":{"audit_token":{"pid":9},"ppid":1,"executable":{"path":"/usr/local/bin/codex","path_truncated":false}},"args":["codex","login"],"cwd":{"path":"/Users/me"}}"#;
        let (out, _) = run(&msg(9, 1, "/bin/zsh", "exec", exec), None);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].op, out[0].path.as_path()),
            (Op::Exec, Path::new("/usr/local/bin/codex"))
        );
        assert_eq!(out[0].comm.as_deref(), Some("/usr/local/bin/codex"));
    }

    #[test]
    fn other_file_events() {
        let target = format!(r#"{{"target":{}}}"#, file("/d/t"));
        for kind in [
            "truncate",
            "setmode",
            "setowner",
            "setflags",
            "setextattr",
            "deleteextattr",
            "setattrlist",
            "setacl",
            "utimes",
        ] {
            assert_eq!(
                ops(&msg(9, 1, "/bin/x", kind, &target)),
                [triple(kind, Op::Write, "/d/t")]
            );
        }
        for kind in [
            "stat",
            "access",
            "getattrlist",
            "getextattr",
            "listextattr",
            "fsgetpath",
            "chdir",
        ] {
            assert_eq!(
                ops(&msg(9, 1, "/bin/x", kind, &target)),
                [triple(kind, Op::Stat, "/d/t")]
            );
        }
        assert_eq!(
            ops(&msg(9, 1, "/bin/ls", "readdir", &target)),
            [triple("readdir", Op::Read, "/d/t")]
        );
        let link = format!(
            r#"{{"source":{},"target_dir":{},"target_filename":"n"}}"#,
            file("/d/s"),
            file("/e")
        );
        assert_eq!(
            ops(&msg(9, 1, "/bin/ln", "link", &link)),
            [triple("link", Op::Link, "/e/n")]
        );
        let clone = format!(
            r#"{{"source":{},"target_dir":{},"target_name":"c"}}"#,
            file("/d/s"),
            file("/e")
        );
        assert_eq!(
            ops(&msg(9, 1, "/bin/cp", "clone", &clone)),
            [triple("clone", Op::Create, "/e/c")]
        );
        let exchange = format!(r#"{{"file1":{},"file2":{}}}"#, file("/a"), file("/b"));
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "exchangedata", &exchange)),
            [
                triple("exchangedata", Op::Write, "/a"),
                triple("exchangedata", Op::Write, "/b")
            ]
        );
        let lookup = format!(r#"{{"source_dir":{},"relative_target":"x/y"}}"#, file("/d"));
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "lookup", &lookup)),
            [triple("lookup", Op::Stat, "/d/x/y")]
        );
        // Kinds with no path to report are skipped without complaint.
        assert!(ops(&msg(9, 1, "/bin/x", "signal", r#"{"sig":15,"target":{}}"#)).is_empty());
        assert!(ops(&msg(9, 1, "/bin/x", "mprotect", r#"{"protection":1}"#)).is_empty());
    }

    #[test]
    fn truncated_and_escaped_paths() {
        let truncated =
            r#"{"fflag":1,"file":{"path":"/very/long/prefix/only","path_truncated":true}}"#;
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "open", truncated)),
            [triple("open", Op::Read, "/very/long/prefix/only…")]
        );
        let mut marks = Vec::new();
        let text = format!(
            "{}\n{}",
            msg(9, 1, "/bin/x", "open", truncated),
            msg(
                9,
                1,
                "/bin/x",
                "open",
                r#"{"fflag":1,"file":{"path":"/whole","path_truncated":false}}"#
            )
        );
        read(Cursor::new(text), None, &mut |e, printed| {
            marks.push((e.path, printed))
        })
        .unwrap();
        assert_eq!(
            marks,
            [
                (PathBuf::from("/very/long/prefix/only…"), Printed::Head),
                (PathBuf::from("/whole"), Printed::Whole)
            ]
        );
        let escaped = r#"{"fflag":1,"file":{"path":"\/Users\/me\/caf\u00e9 \"q\".txt"}}"#;
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "open", escaped)),
            [triple("open", Op::Read, "/Users/me/café \"q\".txt")]
        );
        let mut raw = msg(
            9,
            1,
            "/bin/x",
            "open",
            r#"{"fflag":1,"file":{"path":"/tmp/caf?"}}"#,
        )
        .into_bytes();
        let at = raw.iter().position(|&b| b == b'?').unwrap();
        raw[at] = 0xe9;
        let mut out = Vec::new();
        let stats = parse(Cursor::new(raw), None, &mut |e| out.push(e)).unwrap();
        assert_eq!(stats.unknown, 0);
        assert_eq!(out[0].path, Path::new("/tmp/caf\u{fffd}"));
    }

    #[test]
    fn process_tree_through_fork_exec_and_ppid() {
        let open = |pid: u32, ppid: u32, path: &str| {
            msg(
                pid,
                ppid,
                "/bin/x",
                "open",
                &format!(r#"{{"fflag":1,"file":{}}}"#, file(path)),
            )
        };
        let fork = |pid: u32, ppid: u32, child: u32| {
            msg(
                pid,
                ppid,
                "/bin/x",
                "fork",
                &format!(r#"{{"child":{{"audit_token":{{"pid":{child}}},"ppid":{pid}}}}}"#),
            )
        };
        let exec = |pid: u32, ppid: u32, image: &str| {
            msg(
                pid,
                ppid,
                "/bin/sh",
                "exec",
                &format!(
                    r#"{{"target":{{"audit_token":{{"pid":{pid}}},"executable":{{"path":"{image}"}}}}}}"#
                ),
            )
        };
        let exit = |pid: u32, ppid: u32| msg(pid, ppid, "/bin/x", "exit", r#"{"stat":0}"#);
        let text = [
            open(100, 1, "/before/root"),
            fork(99, 1, 100),
            open(100, 99, "/root/own"),
            fork(100, 99, 101),
            exec(101, 100, "/usr/local/bin/codex"),
            open(101, 100, "/child/after-exec"),
            // Never seen forking, but its parent is in the tree.
            open(102, 101, "/grandchild/by-ppid"),
            open(555, 1, "/noise/mds"),
            fork(1, 0, 556),
            open(556, 1, "/noise/launchd-child"),
            exit(101, 100),
            // The pid is reused by an unrelated process.
            open(101, 1, "/noise/reused-pid"),
            open(102, 101, "/grandchild/still-in"),
            "{not json".to_owned(),
            r#"{"event_type":10,"event":{"open":{"fflag":1,"file":{"path":"/no/process"}}}}"#
                .to_owned(),
        ]
        .join("\n");
        let (out, stats) = run(&text, Some(100));
        let paths: Vec<_> = out
            .iter()
            .map(|e| e.path.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            paths,
            [
                "/before/root",
                "/root/own",
                "/usr/local/bin/codex",
                "/child/after-exec",
                "/grandchild/by-ppid",
                "/grandchild/still-in"
            ]
        );
        assert_eq!(stats.unknown, 2);
        assert_eq!(stats.lines, 15);
        let exec_event = out.iter().find(|e| e.op == Op::Exec).unwrap();
        assert_eq!(
            (exec_event.pid, exec_event.comm.as_deref()),
            (101, Some("/usr/local/bin/codex"))
        );
        // Without a root, everything is reported.
        let (all, _) = run(&text, None);
        assert_eq!(all.len(), 9);
    }

    /// A message as macOS 26 writes it (version 10): every audit token an
    /// array of eight numbers, the pid sixth; keys in another order.
    fn msg_v10(pid: u32, ppid: u32, exe: &str, kind: &str, body: &str) -> String {
        format!(
            r#"{{"version":10,"event":{{"{kind}":{body}}},"process":{{"parent_audit_token":[501,501,20,501,20,{ppid},100013,35165],"ppid":{ppid},"audit_token":[501,501,20,501,20,{pid},100013,38282],"responsible_audit_token":[501,501,20,501,20,{ppid},100013,35165],"cs_validation_category":6,"executable":{{"path":"{exe}","path_truncated":false}}}},"event_type":0,"schema_version":1}}"#
        )
    }

    #[test]
    fn audit_tokens_as_arrays_and_as_objects() {
        let open = format!(r#"{{"fflag":1,"file":{}}}"#, file("/a"));
        let (out, stats) = run(&msg_v10(4243, 4242, "/bin/cat", "open", &open), None);
        assert_eq!(stats.unknown, 0);
        assert_eq!((out[0].pid, out[0].path.as_path()), (4243, Path::new("/a")));
        // Any version, unknown keys, escaped slashes, keys in any order.
        for version in [4, 7, 9, 10, 11, 12, 99] {
            for token in [
                r#"{"pid":77,"pidversion":3,"new_key":[1,2]}"#,
                r#"{"ruid":0,"pid":77}"#,
                r#"[501,501,20,501,20,77,100013,38282]"#,
            ] {
                let line = format!(
                    r#"{{"future":{{"x":[1,{{"y":null}}]}},"event":{{"unlink":{{"target":{{"path":"\/Users\/me\/x"}}}}}},"version":{version},"process":{{"ppid":1,"audit_token":{token},"executable":{{"path":"\/bin\/rm"}}}}}}"#
                );
                let (out, stats) = run(&line, None);
                assert_eq!(stats.unknown, 0, "{line}");
                assert_eq!(
                    (
                        out[0].pid,
                        out[0].op,
                        out[0].path.as_path(),
                        out[0].comm.as_deref()
                    ),
                    (77, Op::Delete, Path::new("/Users/me/x"), Some("/bin/rm")),
                    "{line}"
                );
            }
        }
        // A token that is neither: the line is not understood.
        for token in [r#""77""#, r#"[1,2,3,4,5,"x",7,8]"#, "77"] {
            let line = format!(
                r#"{{"event":{{"unlink":{{"target":{{"path":"/x"}}}}}},"process":{{"audit_token":{token}}}}}"#
            );
            assert_eq!(run(&line, None).1.unknown, 1, "{line}");
        }
        // Too short to hold a pid.
        let short =
            r#"{"event":{"unlink":{"target":{"path":"/x"}}},"process":{"audit_token":[1,2,3]}}"#;
        assert_eq!(run(short, None).1.unknown, 1);
    }

    #[test]
    fn process_tree_through_fork_exec_and_exit_in_both_shapes() {
        for v10 in [false, true] {
            let m = |pid: u32, ppid: u32, exe: &str, kind: &str, body: &str| {
                if v10 {
                    msg_v10(pid, ppid, exe, kind, body)
                } else {
                    msg(pid, ppid, exe, kind, body)
                }
            };
            let token = |pid: u32| {
                if v10 {
                    format!("[501,501,20,501,20,{pid},100013,1]")
                } else {
                    format!(r#"{{"pid":{pid},"pidversion":1}}"#)
                }
            };
            let open = |pid: u32, ppid: u32, path: &str| {
                m(
                    pid,
                    ppid,
                    "/bin/x",
                    "open",
                    &format!(r#"{{"fflag":1,"file":{}}}"#, file(path)),
                )
            };
            let text = [
                m(50, 1, "/bin/zsh", "fork", &format!(r#"{{"child":{{"audit_token":{},"ppid":50}}}}"#, token(100))),
                open(100, 50, "/root/own"),
                // Forked child whose ppid field was never seen: known by the fork.
                m(100, 50, "/bin/x", "fork", &format!(r#"{{"child":{{"audit_token":{},"ppid":100}}}}"#, token(101))),
                m(101, 7, "/bin/sh", "exec", &format!(r#"{{"target":{{"audit_token":{},"executable":{{"path":"/usr/local/bin/codex"}}}}}}"#, token(101))),
                open(101, 7, "/child/after-exec"),
                open(555, 1, "/noise/other"),
                m(101, 7, "/usr/local/bin/codex", "exit", r#"{"stat":0}"#),
                open(101, 1, "/noise/reused-pid"),
            ]
            .join("\n");
            let (out, stats) = run(&text, Some(100));
            assert_eq!(stats.unknown, 0, "v10 {v10}");
            let paths: Vec<_> = out
                .iter()
                .map(|e| e.path.to_string_lossy().into_owned())
                .collect();
            assert_eq!(
                paths,
                ["/root/own", "/usr/local/bin/codex", "/child/after-exec"],
                "v10 {v10}"
            );
            assert_eq!(stats.events, 3);
        }
    }

    #[test]
    fn firmlinked_paths_are_spelled_short() {
        let open = format!(
            r#"{{"fflag":2,"file":{}}}"#,
            file("/System/Volumes/Data/Users/me/.codex/auth.json")
        );
        assert_eq!(
            ops(&msg(9, 1, "/bin/x", "open", &open)),
            [triple("open", Op::Write, "/Users/me/.codex/auth.json")]
        );
    }

    #[test]
    fn garbage_lines() {
        let good = msg(
            9,
            1,
            "/bin/x",
            "write",
            &format!(r#"{{"target":{}}}"#, file("/ok")),
        );
        let text = [
            "".to_owned(),
            "   ".to_owned(),
            "not json at all".to_owned(),
            good[..good.len() / 2].to_owned(),
            "{}".to_owned(),
            "[1,2,3]".to_owned(),
            r#"{"process":"nope","event":{}}"#.to_owned(),
            r#"{"process":{"audit_token":{"pid":-4}},"event":{}}"#.to_owned(),
            r#"{"process":{"audit_token":{"pid":5}},"event":{"open":{"fflag":"x"}}}"#.to_owned(),
            good.clone(),
        ]
        .join("\n");
        let (out, stats) = run(&text, None);
        assert_eq!(out.len(), 1);
        assert_eq!(
            stats,
            ParseStats {
                lines: 10,
                events: 1,
                unknown: 7
            }
        );
    }

    #[test]
    fn looks_like_eslogger_only() {
        assert!(looks_like(&msg(9, 1, "/bin/x", "exit", r#"{"stat":0}"#)));
        assert!(looks_like(r#"{"process":{},"event":{"open":{}}}"#));
        assert!(!looks_like(r#"123 openat(AT_FDCWD, "/x", O_RDONLY) = 3"#));
        assert!(!looks_like(
            "00:59:54.600387  unlink                                 src/BAD_FILE   0.000328 W git.623959"
        ));
        assert!(!looks_like(r#"{"other":"json"}"#));
        assert!(!looks_like(""));
    }

    use crate::trace::Rng;

    fn fixture() -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/macos/eslogger_codex_login.jsonl");
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn never_panics_on_noise() {
        let fixture = fixture();
        let lines: Vec<&str> = fixture.lines().collect();
        let alphabet = br#"{}[]":,0123456789-.eE truefalsnul\/"#;
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for round in 0..1500 {
            let mut input: Vec<u8> = Vec::new();
            for _ in 0..1 + rng.below(4) {
                let mut line = lines[rng.below(lines.len())].as_bytes().to_vec();
                match round % 4 {
                    0 => line.truncate(rng.below(line.len() + 1)),
                    1 => {
                        for _ in 0..1 + rng.below(6) {
                            let at = rng.below(line.len());
                            line[at] = alphabet[rng.below(alphabet.len())];
                        }
                    }
                    2 => line = (0..rng.below(600)).map(|_| rng.next() as u8).collect(),
                    _ => {
                        let start = rng.below(line.len() + 1);
                        line.drain(..start);
                    }
                }
                input.extend_from_slice(&line);
                input.push(b'\n');
            }
            let root = [None, Some(4242), Some(0)][round % 3];
            let mut count = 0u64;
            let stats = parse(Cursor::new(&input), root, &mut |_| count += 1).unwrap();
            assert_eq!(stats.events, count);
            for line in input.split(|&b| b == b'\n') {
                let _ = looks_like(&String::from_utf8_lossy(line));
            }
        }
    }

    #[test]
    fn deeply_nested_lines() {
        let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        // Under a key that is not read: skipped like any other unknown kind.
        let ignored =
            format!(r#"{{"process":{{"audit_token":{{"pid":1}}}},"event":{{"x":{nested}}}}}"#);
        // Where a value is read: not understood.
        let read = format!(
            r#"{{"process":{{"audit_token":{{"pid":1}}}},"event":{{"open":{{"file":{{"path":{nested}}}}}}}}}"#
        );
        let good = msg(
            9,
            1,
            "/bin/x",
            "write",
            &format!(r#"{{"target":{}}}"#, file("/ok")),
        );
        let (out, stats) = run(&format!("{ignored}\n{read}\n{good}\n"), None);
        assert_eq!(out.len(), 1);
        assert_eq!(
            stats,
            ParseStats {
                lines: 3,
                events: 1,
                unknown: 1
            }
        );
    }

    #[test]
    fn fixture_codex_login() {
        let (all, stats) = run(&fixture(), None);
        assert_eq!(stats.unknown, 0);
        assert!(all.iter().any(|e| {
            e.comm
                .as_deref()
                .is_some_and(|c| c.ends_with("/mds_stores"))
        }));
        for root in [4242, 4243] {
            let (out, stats) = run(&fixture(), Some(root));
            assert_eq!(stats.unknown, 0);
            assert!(out.iter().all(|e| e.pid == 4243), "{out:#?}");
            let home = "/Users/me/.swop-scratch/A/CODEX_HOME";
            let got: Vec<(Op, String)> = out
                .iter()
                .map(|e| (e.op, e.path.to_string_lossy().into_owned()))
                .collect();
            for (op, path) in [
                (Op::Exec, "/usr/local/bin/codex".to_owned()),
                (Op::Read, format!("{home}/config.toml")),
                (Op::Create, format!("{home}/log")),
                (Op::Create, format!("{home}/log/codex-login.log")),
                (Op::Write, format!("{home}/log/codex-login.log")),
                (Op::Create, format!("{home}/auth.json")),
                (Op::Write, format!("{home}/auth.json")),
                (Op::RenameFrom, format!("{home}/.tmpXq3bZ1")),
                (Op::RenameTo, format!("{home}/version.json")),
            ] {
                assert!(
                    got.contains(&(op, path.clone())),
                    "missing {op:?} {path} in {got:#?}"
                );
            }
            assert!(
                got.iter()
                    .all(|(_, path)| path.starts_with(home) || path == "/usr/local/bin/codex")
            );
        }
    }
}
