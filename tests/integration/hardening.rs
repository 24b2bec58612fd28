//! Hardening: many processes at once, `kill -9` at any point, a full or
//! read-only disk, hostile files in the store, hostile input, secrets, and the
//! modes of everything swop writes.

mod faults;
mod hostile;
mod input;
mod limits;
mod load;
mod redaction;
mod report;
mod saved;
mod secrets;
mod store_files;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) use crate::common::Lab;
use crate::common::walk;

/// Permission bits of a path, links not followed.
#[track_caller]
fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Every folder below and including `root` is 0700 and every file 0600.
#[track_caller]
fn assert_private_tree(root: &Path) {
    assert_eq!(mode(root), 0o700, "{}", root.display());
    for path in walk(root) {
        let meta = fs::symlink_metadata(&path).expect("stat");
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), want, "{:o} {}", mode(&path), path.display());
    }
}

/// The store's invariant after anything, crashes included: every entry of
/// `profiles/` is a whole profile (its file parses and every bound folder is
/// there) or a hidden leftover of an interrupted add or rm. Returns the names
/// of the whole profiles and the number of leftovers.
#[track_caller]
fn whole_profiles(store: &Path) -> (Vec<String>, usize) {
    let profiles = store.join("profiles");
    let Ok(entries) = fs::read_dir(&profiles) else {
        return (Vec::new(), 0);
    };
    let mut names = Vec::new();
    let mut leftovers = 0;
    for entry in entries {
        let entry = entry.expect("read profiles/");
        let name = entry.file_name().into_string().expect("a UTF-8 entry");
        if name.starts_with(".new-") || name.starts_with(".trash-") {
            leftovers += 1;
            continue;
        }
        assert!(
            swop::names::is_profile_name(&name),
            "stray entry {name:?} in {}",
            profiles.display()
        );
        let dir = entry.path();
        let text = fs::read_to_string(dir.join("profile.toml"))
            .unwrap_or_else(|e| panic!("half profile {name:?}: profile.toml: {e}"));
        let file: swop::store::ProfileFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("half profile {name:?}: {e}\n{text}"));
        assert_eq!(file.version, 1, "{name}");
        assert!(!file.bindings.is_empty(), "{name} binds nothing");
        for folder in file.bindings.values() {
            assert!(
                dir.join(folder).is_dir(),
                "half profile {name:?}: no {folder} folder"
            );
        }
        names.push(name);
    }
    names.sort();
    (names, leftovers)
}

/// A pid that belongs to no process: one that has just exited.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("run true");
    let pid = child.id();
    child.wait().expect("wait for true");
    pid
}

/// A small pseudo-random generator; the seed is printed so a failure can be replayed
/// with `SWOP_TEST_SEED`.
struct Rng(u64);

impl Rng {
    fn new(what: &str) -> Rng {
        let seed = std::env::var_os("SWOP_TEST_SEED")
            .and_then(|s| s.to_str()?.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("{what}: SWOP_TEST_SEED={seed}");
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mount a tmpfs of `size` (as mount(8) reads it) on `dir`, or say why not.
    /// Without the capability to mount, the test is skipped even under CI;
    /// with it, a failure to mount fails the test.
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        fs::create_dir_all(dir).expect("create the mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700")])
            .arg("tmpfs")
            .arg(dir)
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Tmpfs {
                dir: dir.to_path_buf(),
            }),
            other => {
                let why = match other {
                    Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_string(),
                    Err(e) => e.to_string(),
                };
                if std::env::var_os("CI").is_some() && can_mount() {
                    panic!("cannot mount a tmpfs although this process may: {why}");
                }
                crate::common::skip(&format!("cannot mount a tmpfs here ({why})"));
                None
            }
        }
    }

    fn remount(&self, option: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{option}")])
            .arg(&self.dir)
            .output()
            .expect("run mount");
        assert!(out.status.success(), "remount {option}: {out:?}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// Whether this process holds CAP_SYS_ADMIN, which mount(2) needs.
fn can_mount() -> bool {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << 21) != 0)
}

impl Lab {
    /// The tool that `record` tests use: it keeps its state in `$RT_HOME`.
    fn record_tool(&self) {
        self.tool(
            "rtool",
            r#"d="${RT_HOME:-$HOME/.rt}"; mkdir -p "$d"; echo t > "$d/token""#,
        );
    }

    /// The folder given to swop as TMPDIR, for its scratch folders.
    fn tmpdir(&self) -> PathBuf {
        let dir = self.swop.dir().join("tmp");
        fs::create_dir_all(&dir).expect("create tmp");
        dir
    }

    /// `swop ARGS` with the tools on PATH and TMPDIR in the test folder.
    fn swop(&self, args: &[&str]) -> crate::common::Run {
        self.swop
            .args(args)
            .env("PATH", self.path_var())
            .env("TMPDIR", self.tmpdir())
    }
}

/// A recorded recipe, parsed: it must be whole.
#[track_caller]
fn read_recipe(path: &Path) -> swop::recipe::Recipe {
    let text = fs::read_to_string(path).expect("read the recipe");
    toml::from_str(&text).unwrap_or_else(|e| panic!("half-written recipe: {e}\n{text}"))
}

/// Scratch folders `swop discover` left in `tmpdir`.
fn scratch_folders(tmpdir: &Path) -> Vec<PathBuf> {
    fs::read_dir(tmpdir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("swop-"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Byte-for-byte copies of every file below `dir`, to prove later that none changed.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walk(dir)
        .into_iter()
        .filter(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
        .map(|p| {
            let bytes = fs::read(&p).expect("read");
            (p, bytes)
        })
        .collect()
}
