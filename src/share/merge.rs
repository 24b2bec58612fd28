//! Moving a profile's own entry into a shared copy that exists already, and
//! copying a shared copy back out.
//!
//! A merge moves nothing until it is sure to move everything: files of one
//! name must be the same file (then the profile's is dropped), else the
//! merge is refused with the names, and both sides stay as they were.
//! Session files carry the time and a unique id in their names, so two
//! accounts' sessions never collide. A shared line log (`history.jsonl`)
//! is the exception: every used profile has its own, so the copy takes the
//! lines it lacks, in time order when every line has a `ts`.

use std::collections::HashSet;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Result, Share, at_path};
use crate::files;

/// Move everything of `src` into `dst` (folders merged, files of one name
/// equal, a line log given the lines it lacks), then remove `src`.
pub fn into(src: &Path, dst: &Path) -> Result<()> {
    let src_meta = fs::symlink_metadata(src).map_err(at_path("cannot read", src))?;
    if !src_meta.is_dir() {
        if same_file_contents(src, dst) || src_meta.len() == 0 {
            return fs::remove_file(src).map_err(at_path("cannot remove", src));
        }
        if is_line_log(src) && fs::symlink_metadata(dst).is_ok_and(|m| m.is_file()) {
            add_lines(src, dst)?;
            return fs::remove_file(src).map_err(at_path("cannot remove", src));
        }
        return Err(Share::FilesDiffer {
            own: src.to_path_buf(),
            copy: dst.to_path_buf(),
        }
        .into());
    }
    let mut clashes = Vec::new();
    find_clashes(src, dst, &mut clashes);
    if !clashes.is_empty() {
        return Err(Share::Clashes {
            own: src.to_path_buf(),
            copy: dst.to_path_buf(),
            count: clashes.len(),
            first: clashes.into_iter().take(3).collect(),
        }
        .into());
    }
    move_into(src, dst)?;
    fs::remove_dir_all(src).map_err(at_path("cannot remove", src))
}

/// Whether `path` is an append-only log of JSON lines.
fn is_line_log(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsonl")
}

/// Give the log `dst` the lines of `src` it lacks: in order of their `ts`
/// when every line of both has one, else after its own.
fn add_lines(src: &Path, dst: &Path) -> Result<()> {
    let own = fs::read(src).map_err(at_path("cannot read", src))?;
    let copy = fs::read(dst).map_err(at_path("cannot read", dst))?;
    let kept: Vec<&[u8]> = lines(&copy).collect();
    let mut seen: HashSet<&[u8]> = kept.iter().copied().collect();
    let mut missing: Vec<&[u8]> = lines(&own).filter(|l| seen.insert(l)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let stamped = |all: &[&[u8]]| all.iter().all(|l| stamp(l).is_some());
    let by_stamp = |a: &&[u8], b: &&[u8]| {
        let (a, b) = (stamp(a).unwrap_or(0.0), stamp(b).unwrap_or(0.0));
        a.total_cmp(&b)
    };
    let timed = stamped(&kept) && stamped(&missing);
    if timed {
        missing.sort_by(by_stamp);
    }
    let last = kept
        .iter()
        .filter_map(|l| stamp(l))
        .fold(f64::NEG_INFINITY, f64::max);
    if !timed || missing.iter().all(|l| stamp(l).is_some_and(|t| t >= last)) {
        // Appending keeps what a writer adds meanwhile.
        let mut text = Vec::new();
        if copy.last().is_some_and(|b| *b != b'\n') {
            text.push(b'\n');
        }
        append_lines(&mut text, &missing);
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(dst)
            .map_err(at_path("cannot write", dst))?;
        return file.write_all(&text).map_err(at_path("cannot write", dst));
    }
    let mut all: Vec<&[u8]> = kept.into_iter().chain(missing).collect();
    all.sort_by(by_stamp);
    let mut text = Vec::new();
    append_lines(&mut text, &all);
    files::replace_private_file(dst, &text).map_err(at_path("cannot write", dst))
}

/// `lines`, each ended, after `text`.
fn append_lines(text: &mut Vec<u8>, lines: &[&[u8]]) {
    for line in lines {
        text.extend_from_slice(line);
        text.push(b'\n');
    }
}

/// The non-empty lines of a log.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|b| *b == b'\n').filter(|l| !l.is_empty())
}

/// The `ts` of a log line, when it has one.
fn stamp(line: &[u8]) -> Option<f64> {
    #[derive(serde::Deserialize)]
    struct Stamped {
        ts: f64,
    }
    serde_json::from_slice::<Stamped>(line).ok().map(|s| s.ts)
}

/// The files under `src` whose counterpart under `dst` is something else.
fn find_clashes(src: &Path, dst: &Path, clashes: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(src) else {
        return;
    };
    for entry in entries.flatten() {
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        let (Ok(a), Ok(b)) = (fs::symlink_metadata(&from), fs::symlink_metadata(&to)) else {
            continue;
        };
        if a.is_dir() && b.is_dir() {
            find_clashes(&from, &to, clashes);
        } else if a.is_dir() || b.is_dir() || !same_file_contents(&from, &to) {
            clashes.push(from);
        }
    }
}

/// Move what `dst` lacks; a file `dst` has already (the same, see
/// [`find_clashes`]) stays behind, to be removed with `src`.
fn move_into(src: &Path, dst: &Path) -> Result<()> {
    for entry in fs::read_dir(src)
        .map_err(at_path("cannot read", src))?
        .flatten()
    {
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        match fs::symlink_metadata(&to) {
            Err(_) => fs::rename(&from, &to).map_err(at_path("cannot move", &from))?,
            Ok(meta) if meta.is_dir() => move_into(&from, &to)?,
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Whether two regular files hold the same bytes.
fn same_file_contents(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (fs::symlink_metadata(a), fs::symlink_metadata(b)) else {
        return false;
    };
    if !ma.is_file() || !mb.is_file() || ma.len() != mb.len() {
        return false;
    }
    let (Ok(fa), Ok(fb)) = (fs::File::open(a), fs::File::open(b)) else {
        return false;
    };
    let (mut ra, mut rb) = (std::io::BufReader::new(fa), std::io::BufReader::new(fb));
    let (mut ba, mut bb) = ([0u8; 8192], [0u8; 8192]);
    loop {
        let (Ok(na), Ok(nb)) = (ra.read(&mut ba), rb.read(&mut bb)) else {
            return false;
        };
        if na != nb || ba[..na] != bb[..nb] {
            return false;
        }
        if na == 0 {
            return true;
        }
    }
}

/// Copy `src` (a file, or a folder of folders and files) to `dst`, which
/// does not exist: private, links and special files left out.
pub fn copy(src: &Path, dst: &Path) -> Result<()> {
    let meta = fs::symlink_metadata(src).map_err(at_path("cannot read", src))?;
    if meta.is_file() {
        fs::copy(src, dst).map_err(at_path("cannot copy to", dst))?;
        return fs::set_permissions(dst, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .map_err(at_path("cannot write", dst));
    }
    if !meta.is_dir() {
        return Ok(());
    }
    files::create_private_dir(dst).map_err(at_path("cannot create", dst))?;
    for entry in fs::read_dir(src)
        .map_err(at_path("cannot read", src))?
        .flatten()
    {
        copy(&entry.path(), &dst.join(entry.file_name()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_moves_nothing_when_one_file_clashes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (src, dst) = (dir.path().join("own"), dir.path().join("shared"));
        for (root, day, name, text) in [
            (&src, "06", "rollout-a.jsonl", "a"),
            (&src, "06", "same.jsonl", "same"),
            (&dst, "06", "same.jsonl", "same"),
            (&dst, "05", "rollout-b.jsonl", "b"),
        ] {
            fs::create_dir_all(root.join(day)).expect("mkdir");
            fs::write(root.join(day).join(name), text).expect("write");
        }
        fs::write(src.join("06/clash.jsonl"), "mine").expect("write");
        fs::write(dst.join("06/clash.jsonl"), "theirs").expect("write");
        assert!(into(&src, &dst).is_err());
        assert!(
            src.join("06/rollout-a.jsonl").exists(),
            "moved before refusing"
        );
        fs::remove_file(src.join("06/clash.jsonl")).expect("rm");
        into(&src, &dst).expect("merge");
        assert!(!src.exists());
        for kept in [
            "06/rollout-a.jsonl",
            "06/same.jsonl",
            "05/rollout-b.jsonl",
            "06/clash.jsonl",
        ] {
            assert!(dst.join(kept).exists(), "{kept}");
        }
        assert_eq!(
            fs::read_to_string(dst.join("06/clash.jsonl")).expect("read"),
            "theirs"
        );
    }

    #[test]
    fn a_line_log_takes_the_lines_it_lacks_in_time_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (own, shared) = (
            dir.path().join("own.jsonl"),
            dir.path().join("history.jsonl"),
        );
        let line = |ts: u32, text: &str| {
            format!("{{\"session_id\":\"s\",\"ts\":{ts},\"text\":\"{text}\"}}\n")
        };
        fs::write(&shared, line(1, "a") + &line(3, "c")).expect("write");
        fs::write(&own, line(2, "b") + &line(3, "c") + &line(4, "d")).expect("write");
        into(&own, &shared).expect("merge");
        assert!(!own.exists());
        assert_eq!(
            fs::read_to_string(&shared).expect("read"),
            line(1, "a") + &line(2, "b") + &line(3, "c") + &line(4, "d")
        );
        // Lines without a `ts` follow the copy's own.
        fs::write(&own, "{\"x\":1}\n").expect("write");
        into(&own, &shared).expect("merge");
        let text = fs::read_to_string(&shared).expect("read");
        assert_eq!(
            text,
            line(1, "a") + &line(2, "b") + &line(3, "c") + &line(4, "d") + "{\"x\":1}\n"
        );
    }

    #[test]
    fn files_merge_only_when_equal_or_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (own, shared) = (dir.path().join("h1"), dir.path().join("h2"));
        fs::write(&shared, "one\n").expect("write");
        fs::write(&own, "two\n").expect("write");
        assert!(into(&own, &shared).is_err());
        fs::write(&own, "").expect("write");
        into(&own, &shared).expect("an empty file merges");
        assert!(!own.exists());
    }
}
