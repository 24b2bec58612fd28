//! Hostile files in the store: links where folders belong, folders of another
//! user or open to others, damaged or malicious profile files. swop refuses
//! them, says how to repair, and never follows a link out of the store.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::{dead_pid, mode, whole_profiles};
use crate::common::{OutputExt, Swop, wait_until};

/// The commands that use a profile; each must refuse a hostile one.
fn users(name: &str) -> [Vec<&str>; 3] {
    [
        vec!["env", name],
        vec!["exec", name, "--", "true"],
        vec!["show", name],
    ]
}

/// Run `swop ARGS`, which must fail with exit 1 and a message holding every needle.
#[track_caller]
fn refused(swop: &Swop, args: &[&str], needles: &[&str]) -> String {
    let out = swop.args(args).failure(1);
    let err = out.stderr_str();
    assert!(err.starts_with("swop: "), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line please: {err}");
    for needle in needles {
        assert!(err.contains(needle), "{args:?}: no {needle:?} in: {err}");
    }
    err
}

/// An outside folder with something in it that must survive.
fn outside(swop: &Swop, name: &str) -> std::path::PathBuf {
    let dir = swop.dir().join(name);
    fs::create_dir(&dir).expect("create outside folder");
    fs::write(dir.join("precious"), "keep me").expect("write precious");
    dir
}

#[track_caller]
fn assert_untouched(dir: &Path) {
    assert_eq!(
        fs::read_to_string(dir.join("precious")).expect("precious is gone"),
        "keep me"
    );
}

#[test]
fn a_binding_folder_replaced_by_a_link_is_refused_and_rm_keeps_the_target() {
    let swop = Swop::new();
    swop.add("A", &[]);
    swop.add("B", &[]);
    let target = outside(&swop, "elsewhere");
    let home = swop.profile_dir("A").join("HOME");
    fs::remove_dir(&home).expect("remove HOME");
    symlink(&target, &home).expect("plant link");
    let shown = home.to_str().expect("utf-8");
    for args in users("A") {
        refused(
            &swop,
            &args,
            &[shown, "symbolic link", &format!("rm {shown}")],
        );
    }
    // One broken profile does not hide the others.
    let out = swop.args(["list"]).success();
    assert!(out.stdout_str().contains('B'), "{}", out.stdout_str());
    assert!(
        out.stderr_str().contains("skipping \"A\""),
        "{}",
        out.stderr_str()
    );
    swop.args(["rm", "A"]).success();
    assert_untouched(&target);
    assert!(!swop.profile_dir("A").exists());

    // A binding that is a file instead of a folder.
    swop.add("C", &[]);
    let cache = swop.profile_dir("C").join("XDG_CACHE_HOME");
    fs::remove_dir(&cache).expect("remove");
    fs::write(&cache, "x").expect("plant file");
    for args in users("C") {
        refused(
            &swop,
            &args,
            &["XDG_CACHE_HOME", "not a folder", "move it away"],
        );
    }
}

#[test]
fn a_profile_or_store_of_another_user_is_refused() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        crate::common::skip("only root can give a folder to another user");
        return;
    }
    let nobody = 65534;
    let swop = Swop::new();
    swop.add("A", &[]);
    let dir = swop.profile_dir("A");
    std::os::unix::fs::chown(&dir, Some(nobody), Some(nobody)).expect("chown");
    let shown = dir.to_str().expect("utf-8");
    for args in users("A").into_iter().chain([vec!["rm", "A"]]) {
        refused(&swop, &args, &[shown, "uid 65534", "chown"]);
    }
    assert!(
        dir.join("profile.toml").exists(),
        "rm deleted someone else's profile"
    );
    std::os::unix::fs::chown(&dir, Some(0), Some(0)).expect("chown back");
    swop.args(["show", "A"]).success();

    let root = swop.root();
    std::os::unix::fs::chown(&root, Some(nobody), Some(nobody)).expect("chown");
    let shown = root.to_str().expect("utf-8");
    for args in [
        vec!["list"],
        vec!["add", "B"],
        vec!["env", "A"],
        vec!["rm", "A"],
    ] {
        refused(&swop, &args, &[shown, "uid 65534"]);
    }
    assert!(!root.join("profiles/B").exists());
}

#[test]
fn folders_open_to_others_are_refused() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let dir = swop.profile_dir("A");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o770)).expect("chmod");
    let shown = dir.to_str().expect("utf-8");
    for args in users("A") {
        refused(
            &swop,
            &args,
            &[shown, "mode 770", &format!("chmod go-w {shown}")],
        );
    }
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod");
    let home = dir.join("HOME");
    fs::set_permissions(&home, fs::Permissions::from_mode(0o777)).expect("chmod");
    for args in users("A") {
        refused(&swop, &args, &[home.to_str().expect("utf-8"), "chmod go-w"]);
    }
    // Deleting is safe whatever the mode: rm repairs it.
    swop.args(["rm", "A"]).success();

    for folder in [swop.root(), swop.root().join("profiles")] {
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o777)).expect("chmod");
        for args in [vec!["list"], vec!["add", "B"]] {
            refused(
                &swop,
                &args,
                &[folder.to_str().expect("utf-8"), "chmod go-w"],
            );
        }
        fs::set_permissions(&folder, fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    swop.add("B", &[]);
}

#[test]
fn damaged_or_malicious_profile_files_are_refused_and_rm_repairs_them() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "bad-toml",
            "version = 1\n[bindings\nHOME = \"HOME\"\n",
            &["not a valid profile file"],
        ),
        (
            "unknown-key",
            "version = 1\nshell = \"/bin/evil\"\n[bindings]\nHOME = \"HOME\"\n",
            &["unknown field", "shell"],
        ),
        (
            "dotdot",
            "version = 1\n[bindings]\nHOME = \"../other\"\n",
            &["\"../other\"", "not a folder name inside the profile"],
        ),
        (
            "absolute",
            "version = 1\n[bindings]\nHOME = \"/etc\"\n",
            &["\"/etc\"", "not a folder name inside the profile"],
        ),
        (
            "own-file",
            "version = 1\n[bindings]\nHOME = \"profile.toml\"\n",
            &["the profile's own file"],
        ),
        (
            "preload",
            "version = 1\n[bindings]\nLD_PRELOAD = \"LD_PRELOAD\"\n",
            &["LD_PRELOAD cannot be bound"],
        ),
        (
            "path",
            "version = 1\n[bindings]\nPATH = \"PATH\"\n",
            &["PATH cannot be bound"],
        ),
        (
            "zsh-path",
            "version = 1\n[bindings]\npath = \"path\"\n",
            &["path cannot be bound"],
        ),
        (
            "unset-path",
            "version = 1\nunset = [\"PATH\"]\n[bindings]\nHOME = \"HOME\"\n",
            &["PATH cannot be"],
        ),
        (
            "future",
            "version = 2\n[bindings]\nHOME = \"HOME\"\n",
            &["version 2"],
        ),
        (
            "binary",
            "\u{0}\u{1}\u{ff}garbage",
            &["not a valid profile file"],
        ),
    ];
    let swop = Swop::new();
    for (name, text, needles) in cases {
        swop.add(name, &[]);
        let file = swop.profile_dir(name).join("profile.toml");
        fs::write(&file, text).expect("write profile.toml");
        let mut needles = needles.to_vec();
        needles.push(file.to_str().expect("utf-8"));
        for args in users(name) {
            let err = refused(&swop, &args, &needles);
            assert!(
                err.contains("edit the file") || err.contains(&format!("swop rm {name}")),
                "{name}: no repair in: {err}"
            );
        }
    }
    // Links, a FIFO (which must not hang anyone), a huge and a missing file.
    let passwd = Path::new("/etc/passwd");
    let special: [(&str, &[&str]); 4] = [
        ("linked", &["symbolic link", "swop rm linked"]),
        ("fifo", &["not a regular file", "swop rm fifo"]),
        ("huge", &["more than", "swop rm huge"]),
        ("missing", &["has no profile.toml", "swop rm missing"]),
    ];
    for (name, needles) in special {
        swop.add(name, &[]);
        let file = swop.profile_dir(name).join("profile.toml");
        fs::remove_file(&file).expect("remove profile.toml");
        match name {
            "linked" => symlink(passwd, &file).expect("link"),
            "fifo" => {
                let status = Command::new("mkfifo").arg(&file).status().expect("mkfifo");
                assert!(status.success());
            }
            "huge" => fs::write(&file, "#".repeat(1 << 20)).expect("write"),
            _ => {}
        }
        for args in users(name) {
            refused(&swop, &args, needles);
        }
    }
    let mut child = swop.args(["list"]).spawn();
    assert!(
        wait_until(Duration::from_secs(10), || child
            .try_wait()
            .is_ok_and(|s| s.is_some())),
        "list hangs on a hostile profile"
    );
    let out = child.wait_with_output().expect("list");
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "only broken profiles here");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("skipping \"bad-toml\""), "{err}");
    assert!(!err.contains("no profiles yet"), "{err}");

    let names: Vec<&str> = cases
        .iter()
        .map(|c| c.0)
        .chain(special.iter().map(|c| c.0))
        .collect();
    for name in &names {
        swop.args(["rm", name]).success();
        swop.add(name, &[]);
        swop.args(["exec", name, "--", "true"]).success();
    }
    assert!(passwd.exists());
    let (whole, leftovers) = whole_profiles(&swop.root());
    assert_eq!((whole.len(), leftovers), (names.len(), 0));
}

#[test]
fn dangerous_variables_are_refused_by_add_with_the_repair() {
    let swop = Swop::new();
    for var in [
        "LD_PRELOAD",
        "PATH",
        "path",
        "GCONV_PATH",
        "DYLD_INSERT_LIBRARIES",
        "BASH_ENV",
    ] {
        refused(
            &swop,
            &["add", "x", "--bind", var],
            &[var, "cannot be bound", &format!("leave out --bind {var}")],
        );
    }
    assert!(!swop.store().join("profiles/x").exists());
}

#[test]
fn add_refuses_a_profiles_folder_that_is_a_link() {
    let swop = Swop::new();
    let target = outside(&swop, "elsewhere");
    fs::create_dir(swop.store()).expect("create store");
    fs::set_permissions(swop.store(), fs::Permissions::from_mode(0o700)).expect("chmod");
    symlink(&target, swop.store().join("profiles")).expect("plant link");
    let shown = swop.root().join("profiles");
    let shown = shown.to_str().expect("utf-8");
    for args in [
        vec!["add", "A"],
        vec!["list"],
        vec!["show", "A"],
        vec!["rm", "A"],
    ] {
        refused(&swop, &args, &[shown, "symbolic link"]);
    }
    let entries: Vec<_> = fs::read_dir(&target).expect("read").flatten().collect();
    assert_eq!(entries.len(), 1, "swop wrote through the link: {entries:?}");
    assert_untouched(&target);
}

#[test]
fn leftovers_that_are_links_are_swept_without_following_them() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let target = outside(&swop, "elsewhere");
    let profiles = swop.root().join("profiles");
    let pid = dead_pid();
    symlink(&target, profiles.join(format!(".new-X-{pid}-0"))).expect("link");
    symlink(&target, profiles.join(format!(".trash-A-{pid}-0"))).expect("link");
    let half = profiles.join(format!(".new-Y-{pid}-1"));
    fs::create_dir_all(half.join("HOME")).expect("half profile");
    fs::write(half.join("HOME/f"), "x").expect("write");
    // A profile whose own folder is a link is refused, not followed.
    symlink(&target, profiles.join("L")).expect("link");
    refused(&swop, &["show", "L"], &["symbolic link"]);
    refused(&swop, &["rm", "L"], &["symbolic link", "rm "]);
    fs::remove_file(profiles.join("L")).expect("unlink");

    assert_eq!(swop.args(["list", "--names"]).success().stdout_str(), "A\n");
    swop.add("B", &[]);
    let mut left: Vec<String> = fs::read_dir(&profiles)
        .expect("read")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["A", "B"]);
    assert_untouched(&target);
}

#[test]
fn a_lock_file_replaced_by_a_link_or_a_fifo_is_refused_and_its_target_untouched() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let target = outside(&swop, "elsewhere");
    let precious = target.join("precious");
    fs::set_permissions(&precious, fs::Permissions::from_mode(0o644)).expect("chmod");
    let lock = swop.profile_dir("A").join("lock");
    fs::remove_file(&lock).expect("remove lock");
    symlink(&precious, &lock).expect("plant link");
    let shown = lock.to_str().expect("utf-8");
    for args in [
        vec!["exec", "A", "--", "true"],
        vec!["exec", "A", "--lock", "shared", "--", "true"],
        vec!["shell", "A"],
        vec!["rm", "A"],
    ] {
        refused(
            &swop,
            &args,
            &[shown, "symbolic link", &format!("rm {shown}")],
        );
    }
    swop.args(["show", "A"]).success();
    assert_untouched(&target);
    assert_eq!(mode(&precious), 0o644);

    fs::remove_file(&lock).expect("remove link");
    let status = Command::new("mkfifo").arg(&lock).status().expect("mkfifo");
    assert!(status.success());
    let mut child = swop.args(["exec", "A", "--", "true"]).spawn();
    assert!(
        wait_until(Duration::from_secs(10), || child
            .try_wait()
            .is_ok_and(|s| s.is_some())),
        "exec hangs on a FIFO lock"
    );
    let out = child.wait_with_output().expect("exec");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("rm {shown}")));
    swop.args(["show", "A"]).success();
    fs::remove_file(&lock).expect("remove fifo");
    swop.args(["exec", "A", "--", "true"]).success();
    swop.args(["rm", "A"]).success();
}
