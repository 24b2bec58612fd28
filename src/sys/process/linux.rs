//! Processes on Linux, from /proc: each one's state, parent and start
//! (`stat`), command line, names and executable, environment, and swop's
//! own children.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::Read;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::sync::OnceLock;

use super::{Environ, Info};

pub fn each_environ(needle: &[u8], found: &mut dyn FnMut(u32, Environ<'_>)) {
    use std::os::unix::fs::MetadataExt;
    let Ok(dir) = fs::read_dir("/proc") else {
        return;
    };
    let me = std::process::id();
    let uid = crate::files::euid();
    let finder = memchr::memmem::Finder::new(needle);
    let mut block = Vec::with_capacity(16 * 1024);
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        // /proc/PID belongs to the process's effective uid, or to root for
        // one that made itself non-dumpable on some kernels: only the status
        // file tells whose that is, and it is read only when it matters.
        let Ok(owner) = entry.metadata().map(|m| m.uid()) else {
            continue;
        };
        if pid == me || (owner != uid && owner != 0) {
            continue;
        }
        let ours = || (owner == uid && uid != 0) || effective_uid(pid) == Some(uid);
        match read_environ(pid, &mut block) {
            // A block without the needle is nobody's business here.
            Ok(true) if finder.find(&block).is_some() && ours() => {
                found(pid, Environ::Block(&block));
            }
            Ok(_) => {}
            Err(_) if ours() => found(pid, Environ::Unreadable),
            Err(_) => {}
        }
    }
}

/// The effective uid in /proc/PID/status (`Uid:` real, effective, saved, fs).
fn effective_uid(pid: u32) -> Option<u32> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Read /proc/PID/environ into `block`: true when it holds something, false
/// for a kernel thread, a zombie or a process that is gone, an error when
/// the process does not let its environment be read.
fn read_environ(pid: u32, block: &mut Vec<u8>) -> std::io::Result<bool> {
    block.clear();
    let read = File::open(format!("/proc/{pid}/environ")).and_then(|mut f| f.read_to_end(block));
    match read {
        Ok(_) => Ok(!block.is_empty()),
        Err(e) if matches!(e.raw_os_error(), Some(libc::EACCES) | Some(libc::EPERM)) => Err(e),
        Err(_) => Ok(false),
    }
}

/// A small file of /proc, in one read and the one that finds its end:
/// /proc gives its files no size, so `fs::read` would ask for one and then
/// grow its buffer read by read.
fn read_proc(path: &str) -> std::io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let mut bytes = vec![0; 2048];
    let mut len = 0;
    loop {
        if len == bytes.len() {
            bytes.resize(len * 2, 0);
        }
        match file.read(&mut bytes[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    bytes.truncate(len);
    Ok(bytes)
}

/// Parent, start and state of a process, from /proc/PID/stat.
pub fn info(pid: u32) -> Option<Info> {
    let stat = read_proc(&format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&stat)
}

/// `pid (comm) S ppid ...`: the command name may hold anything, so the fields
/// are counted from its last `)`. starttime is field 22, in clock ticks after boot.
fn parse_stat(stat: &[u8]) -> Option<Info> {
    let after = stat.iter().rposition(|&b| b == b')')?;
    let text = std::str::from_utf8(&stat[after + 1..]).ok()?;
    let fields: Vec<&str> = text.split_whitespace().collect();
    let state = *fields.first()?;
    let ppid = fields.get(1)?.parse().ok()?;
    let stamp: u64 = fields.get(19)?.parse().ok()?;
    Some(Info {
        ppid,
        stamp,
        ended: matches!(state, "Z" | "X" | "x"),
    })
}

/// The start of a process of start `stamp` (ticks after boot), in seconds
/// since the epoch.
pub fn started(stamp: u64) -> Option<u64> {
    boot_time().map(|boot| boot + stamp / clock_ticks())
}

/// The boot time, in seconds since the epoch (`btime` in /proc/stat).
fn boot_time() -> Option<u64> {
    static BOOT: OnceLock<Option<u64>> = OnceLock::new();
    *BOOT.get_or_init(|| {
        let stat = read_proc("/proc/stat").ok()?;
        String::from_utf8_lossy(&stat)
            .lines()
            .find_map(|l| l.strip_prefix("btime "))?
            .trim()
            .parse()
            .ok()
    })
}

fn clock_ticks() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|t| *t > 0).unwrap_or(100)
}

pub fn argv(pid: u32) -> Option<Vec<String>> {
    let raw = read_proc(&format!("/proc/{pid}/cmdline")).ok()?;
    let words: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    (!words.is_empty()).then_some(words)
}

/// The command name (`comm`), then the executable's path.
pub fn names(pid: u32) -> Vec<OsString> {
    name(pid)
        .into_iter()
        .chain(executable(pid).map(PathBuf::into_os_string))
        .collect()
}

/// The command name (`comm`).
pub fn name(pid: u32) -> Option<OsString> {
    let mut comm = read_proc(&format!("/proc/{pid}/comm")).ok()?;
    if comm.last() == Some(&b'\n') {
        comm.pop();
    }
    Some(OsString::from_vec(comm))
}

pub fn executable(pid: u32) -> Option<PathBuf> {
    fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// The children of every thread of swop (/proc/self/task/TID/children).
pub fn own_children() -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let text = fs::read_to_string(task.path().join("children")).unwrap_or_default();
        out.extend(
            text.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let line = b"4242 (a) b) S) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 \
                     20 0 1 0 123456 1000 10 18446744073709551615";
        let info = parse_stat(line).expect("parses");
        assert_eq!(info.ppid, 17);
        assert_eq!(info.stamp, 123456);
        assert!(!info.ended);
        let zombie = b"7 (z) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0";
        assert!(parse_stat(zombie).expect("parses").ended);
        assert!(parse_stat(b"7 (cut").is_none());
    }
}
