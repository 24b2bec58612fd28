//! Notices said once: that a switch removed an inherited credential, or
//! that a variable still points a profile back into the real home, is worth
//! one line per shell, not one per `swop exec`, wrapped tool, nested exec
//! or `.swop` folder entered. The shell is the one that runs swop: the
//! first shell among swop's ancestors, and above it the shell it was
//! forked from (bash runs `$(...)` in a fork); without one, the terminal's
//! session. A `swop exec` typed by hand hears its notices each time; one run
//! by a wrapped tool, or inside another command's profile, once. What was said is kept per shell (its pid and start)
//! in a small private file of names; a file whose shell has ended is
//! removed by the next one written.
//!
//! `quiet = true` in `config.toml`, or `SWOP_QUIET=1`, silences notices
//! (never errors).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

/// The variable that silences notices, as `quiet = true` does.
pub const QUIET_VAR: &str = "SWOP_QUIET";

/// A file of names is a few lines; no more than this is read.
const TOLD_LIMIT: u64 = 64 * 1024;
const PREFIX: &str = "told-";

/// How often a notice is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Say {
    /// Each time: a command typed by hand.
    Always,
    /// Once in this shell: a switch, a wrapped tool, a nested command.
    Once,
}

/// Of `notices` (a key, the line), those to say now: all of them when
/// `say` is [`Say::Always`], else those not yet said in this shell; either
/// way they are recorded as said. Nothing when notices are silenced.
pub fn filter(
    var: &dyn Fn(&str) -> Option<OsString>,
    store_root: &Path,
    notices: Vec<(String, String)>,
    say: Say,
) -> Vec<(String, String)> {
    if notices.is_empty() {
        return Vec::new();
    }
    // What was said comes first: the common case, all of it, needs no
    // look at the configuration.
    let Some(path) = file(var, store_root) else {
        return if quiet(var, Some(store_root)) {
            Vec::new()
        } else {
            notices
        };
    };
    let mut told = read(&path);
    let fresh = notices.iter().any(|(key, _)| !told.contains(key));
    if !fresh && say == Say::Once || quiet(var, Some(store_root)) {
        return Vec::new();
    }
    let said: Vec<(String, String)> = notices
        .into_iter()
        .filter(|(key, _)| say == Say::Always || !told.contains(key))
        .collect();
    if fresh {
        told.extend(said.iter().map(|(key, _)| key.clone()));
        write(&path, &told);
    }
    said
}

/// Whether notices are silenced: by `SWOP_QUIET`, or by `quiet = true` in
/// the `config.toml` of the store at `store_root`. A configuration that
/// cannot be read says nothing against speaking.
pub fn quiet(var: &dyn Fn(&str) -> Option<OsString>, store_root: Option<&Path>) -> bool {
    var(QUIET_VAR).is_some_and(|v| !v.is_empty() && v != "0")
        || store_root.is_some_and(|root| {
            crate::config::Config::load_from(&root.join(crate::config::CONFIG_FILE))
                .is_ok_and(|c| c.quiet)
        })
}

/// The file of this session: in `$XDG_RUNTIME_DIR/swop` when that is
/// private and the user's, else in the store's `told/`.
fn file(var: &dyn Fn(&str) -> Option<OsString>, store_root: &Path) -> Option<PathBuf> {
    let (sid, stamp) = shell().or_else(crate::sys::process::session)?;
    let runtime = var("XDG_RUNTIME_DIR").map(PathBuf::from);
    let dir = crate::files::private_runtime_dir(runtime.as_deref())
        .unwrap_or_else(|| store_root.join("told"));
    // Made the first time only: one look at it on every later run.
    let meta = match fs::symlink_metadata(&dir) {
        Ok(meta) => meta,
        Err(_) => {
            crate::files::create_private_dir_all(&dir).ok()?;
            fs::symlink_metadata(&dir).ok()?
        }
    };
    crate::files::is_private_dir(&meta).then(|| dir.join(format!("{PREFIX}{sid}-{stamp}")))
}

/// The shell that runs swop, as its pid and start: the first ancestor that
/// is a shell, and above it those it was forked from: the same program
/// with the same arguments in the same process group (the shell a `$(...)`
/// subshell came from, not a shell that started another one).
fn shell() -> Option<(u32, u64)> {
    use crate::sys::process;
    // Walked one parent at a time: most runs stop at the first.
    let mut first = std::os::unix::process::parent_id();
    let mut depth = 0;
    loop {
        if first <= 1 || depth == 64 {
            return None;
        }
        let name = process::name(first);
        if name
            .is_some_and(|name| matches!(crate::shell::guess(&name), crate::shell::Guess::Known(_)))
        {
            break;
        }
        first = process::parent(first)?;
        depth += 1;
    }
    let program = Some(process::executable(first)?);
    let group = process::group(first);
    let argv = process::argv(first);
    let mut outer = process::info(first)?;
    let mut outer_pid = first;
    for _ in 0..64 {
        let pid = outer.ppid;
        let forked = pid > 1
            && process::executable(pid) == program
            && process::group(pid) == group
            && process::argv(pid) == argv;
        if !forked {
            break;
        }
        let Some(info) = process::info(pid) else {
            break;
        };
        outer = info;
        outer_pid = pid;
    }
    Some((outer_pid, outer.stamp))
}

fn read(path: &Path) -> BTreeSet<String> {
    crate::files::read_store_text(path, TOLD_LIMIT)
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Write the names, and remove the files of sessions that have ended.
fn write(path: &Path, told: &BTreeSet<String>) {
    let text: String = told.iter().map(|name| format!("{name}\n")).collect();
    let _ = crate::files::replace_private_file(path, text.as_bytes());
    let Some(dir) = path.parent() else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    // The folder holds kept values too: only files of names count toward
    // the bound.
    let sessions = entries.filter_map(|e| e.ok()).filter_map(|entry| {
        let name = entry.file_name();
        let (pid, stamp) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, stamp)| Some((pid.parse().ok()?, stamp.parse().ok()?)))?;
        Some((entry, pid, stamp))
    });
    for (entry, pid, stamp) in sessions.take(256) {
        if !crate::sys::process::still_running(pid, stamp) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_shells_file_is_removed_among_many_other_files() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let ended = tmp.path().join(format!("{PREFIX}{}-1", u32::MAX - 1));
        fs::write(&ended, "x\n").expect("write");
        for n in 0..5000 {
            fs::write(tmp.path().join(format!("kept{n}")), "").expect("write");
        }
        write(&tmp.path().join(format!("{PREFIX}this")), &BTreeSet::new());
        assert!(!ended.exists());
    }
}
