//! The files of the store are read with the same safeguards everywhere
//! (`config.toml`, `profile.toml`, `lock`, recipes): never through a link,
//! never blocking on a FIFO, only regular files of the user's, not writable
//! by others, with one name and a bounded size. The store root itself must
//! not hang on another user's link or sit in a shared folder such as /tmp,
//! and nothing read from the store reaches the terminal as an escape sequence.

use std::fs;
use std::os::unix::fs::{PermissionsExt, chown, lchown, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::{OutputExt, Run, Swop, wait_until};

/// A uid that is not ours (the tests run as any user; root may hand files to it).
const OTHER_UID: u32 = 4321;

/// Whether this test may give files away to another user.
fn can_chown() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        crate::common::skip("giving files to another user needs root");
    }
    root
}

/// Run to the end within 10 s, else kill it and fail: the bug is a hang.
#[track_caller]
fn finishes(run: Run, what: &str) -> Output {
    let mut child = run.spawn();
    let ended = wait_until(Duration::from_secs(10), || {
        child.try_wait().is_ok_and(|s| s.is_some())
    });
    if !ended {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{what}: still running after 10 s");
    }
    child.wait_with_output().expect("wait")
}

/// A store with profile `A` and a recipe `foo`.
fn store() -> Swop {
    let swop = Swop::new();
    swop.add("A", &[]);
    let recipes = swop.root().join("recipes");
    fs::create_dir(&recipes).expect("mkdir recipes");
    write_private(
        &recipes.join("foo.toml"),
        "tool = \"foo\"\nbindings = [\"FOO_HOME\"]\n",
    );
    write_private(&swop.root().join("config.toml"), "wrap = []\n");
    swop
}

fn write_private(path: &Path, text: &str) {
    fs::write(path, text).expect("write");
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).expect("chmod");
}

/// The status a reader of a hostile `file` ends with: the integration is
/// printed whatever its configuration, with a warning, so that a shell
/// keeps `use` and `off`; every other reader refuses.
fn refused_status(file: &Path) -> i32 {
    if file.ends_with("config.toml") { 0 } else { 1 }
}

/// Each store file with the command that reads it.
fn files_and_readers(swop: &Swop) -> Vec<(PathBuf, Vec<&'static str>)> {
    let root = swop.root();
    vec![
        (root.join("config.toml"), vec!["init", "bash"]),
        (
            root.join("profiles/A/profile.toml"),
            vec!["env", "A", "--shell", "sh"],
        ),
        (
            root.join("recipes/foo.toml"),
            vec!["add", "x", "--tool", "foo"],
        ),
        (
            root.join("profiles/A/lock"),
            vec!["exec", "A", "--", "true"],
        ),
    ]
}

#[test]
fn a_fifo_or_a_link_to_an_endless_device_in_the_store_fails_at_once() {
    let swop = store();
    for (file, reader) in files_and_readers(&swop) {
        let kept = fs::read(&file).expect("read");
        fs::remove_file(&file).expect("remove");
        let status = Command::new("mkfifo").arg(&file).status().expect("mkfifo");
        assert!(status.success());
        let out = finishes(swop.args(&reader), &format!("{reader:?} on a FIFO"));
        assert_eq!(
            out.status.code(),
            Some(refused_status(&file)),
            "{reader:?}: {out:?}"
        );
        let err = out.stderr_str();
        assert!(
            err.contains("FIFO") && err.contains(file.to_str().expect("utf-8")),
            "{err}"
        );

        fs::remove_file(&file).expect("remove fifo");
        symlink("/dev/zero", &file).expect("link");
        let out = finishes(swop.args(&reader), &format!("{reader:?} on /dev/zero"));
        assert_eq!(
            out.status.code(),
            Some(refused_status(&file)),
            "{reader:?}: {out:?}"
        );
        assert!(
            out.stderr_str().contains("symbolic link"),
            "{}",
            out.stderr_str()
        );

        fs::remove_file(&file).expect("remove link");
        fs::write(&file, kept).expect("restore");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).expect("chmod");
        swop.args(&reader).success();
        let _ = fs::remove_dir_all(swop.root().join("profiles/x"));
    }
}

#[test]
fn store_files_of_others_open_to_others_or_hard_linked_are_refused() {
    let swop = store();
    let elsewhere = swop.dir().join("elsewhere");
    fs::create_dir(&elsewhere).expect("mkdir");
    for (file, reader) in files_and_readers(&swop) {
        let shown = file.to_str().expect("utf-8").to_string();
        let refused = |needle: &str| {
            let out = swop.args(&reader).output();
            assert_eq!(
                out.status.code(),
                Some(refused_status(&file)),
                "{reader:?}: {out:?}"
            );
            let err = out.stderr_str();
            assert!(
                err.contains(&shown) && err.contains(needle),
                "{reader:?}: {err}"
            );
        };

        fs::set_permissions(&file, fs::Permissions::from_mode(0o666)).expect("chmod");
        refused("writable by other users");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).expect("chmod");

        // A second name for the file: writing the lock record through it
        // would overwrite whatever the other name stands for.
        let precious = elsewhere.join("precious");
        fs::rename(&file, &precious).expect("move");
        let before = fs::read(&precious).expect("read");
        fs::hard_link(&precious, &file).expect("link");
        refused("hard links");
        assert_eq!(
            fs::read(&precious).expect("read"),
            before,
            "{shown} was written"
        );
        fs::remove_file(&precious).expect("unlink the other name");

        if can_chown() {
            chown(&file, Some(OTHER_UID), None).expect("chown");
            refused(&format!("owned by uid {OTHER_UID}"));
            chown(&file, Some(0), None).expect("chown back");
        }
        swop.args(&reader).success();
        let _ = fs::remove_dir_all(swop.root().join("profiles/x"));
    }
}

#[test]
fn a_store_reached_through_another_users_link_is_refused() {
    if !can_chown() {
        return;
    }
    let swop = Swop::new();
    swop.add("A", &[]);
    let real = swop.root();
    for (link, store) in [
        (swop.dir().join("link"), swop.dir().join("link")),
        (swop.dir().join("mid"), swop.dir().join("mid/store")),
    ] {
        let target = if link == store {
            real.clone()
        } else {
            swop.dir().to_path_buf()
        };
        symlink(&target, &link).expect("link");
        swop.args(["list"]).env("SWOP_HOME", &store).success();
        lchown(&link, Some(OTHER_UID), None).expect("lchown");
        for args in [&["list"][..], &["add", "B"], &["env", "A", "--shell", "sh"]] {
            let out = swop.args(args).env("SWOP_HOME", &store).failure(1);
            let err = out.stderr_str();
            assert!(
                err.contains("symbolic link owned by uid 4321")
                    && err.contains(link.to_str().expect("utf-8")),
                "{args:?}: {err}"
            );
        }
        assert!(!real.join("profiles/B").exists());
        fs::remove_file(&link).expect("unlink");
    }
}

#[test]
fn a_shared_folder_such_as_tmp_is_refused_as_a_store_and_left_untouched() {
    let swop = Swop::new();
    let shared = swop.dir().join("shared");
    fs::create_dir(&shared).expect("mkdir");
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).expect("chmod");
    let mut roots = vec![shared.clone()];
    // The real /tmp too, when nothing of the kind is there to confuse.
    if !Path::new("/tmp/profiles").exists() && Path::new("/tmp").is_dir() {
        roots.push(PathBuf::from("/tmp"));
    }
    for root in roots {
        for args in [
            &["add", "A"][..],
            &["list"],
            &["env", "--off", "--shell", "sh"],
        ] {
            let out = swop.args(args).env("SWOP_HOME", &root).output();
            if args[0] == "add" || args[0] == "list" {
                assert_eq!(out.status.code(), Some(1), "{args:?} {out:?}");
            }
            let err = out.stderr_str();
            if args[0] == "add" {
                assert!(err.contains("other users may write"), "{err}");
                assert!(err.contains("swop-") && !err.contains("chmod"), "{err}");
            }
            assert!(
                !root.join("profiles").exists(),
                "{args:?} left {root:?}/profiles"
            );
            assert!(!root.join("config.toml").exists());
        }
    }
}

/// Every byte of a command's output, checked for the escape character.
#[track_caller]
fn assert_no_escape(what: &str, out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !bytes.contains(&0x1b) && !bytes.contains(&0x07),
            "{what} {stream} holds a raw escape: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn escape_sequences_in_store_files_never_reach_the_terminal() {
    let swop = Swop::with_store("st\u{1b}]0;owned\u{7}ore");
    swop.add("A", &[]);
    swop.add("B", &["--tool", "codex"]);
    let file = swop.profile_dir("B").join("profile.toml");
    let text = fs::read_to_string(&file).expect("read");
    let evil = text.replace("\"codex\"", "\"\\u001b[2J\\u001b]0;owned\\u0007codex\"");
    assert_ne!(text, evil, "{text}");
    write_private(&file, &evil);
    let recipes = swop.root().join("recipes");
    fs::create_dir(&recipes).expect("mkdir");
    write_private(
        &recipes.join("foo.toml"),
        "tool = \"\\u001b[31mfoo\"\nbindings = [\"FOO_HOME\"]\n",
    );
    for args in [
        &["show", "A"][..],
        &["show", "B"],
        &["list"],
        &["list", "--json"],
        &["show", "A", "--json"],
        &["env", "B", "--shell", "sh"],
        &["add", "x", "--tool", "foo"],
        &["ps"],
        &["recipes"],
    ] {
        let out = swop.args(args).output();
        assert_no_escape(&format!("{args:?}"), &out);
    }
    let shown = swop.args(["show", "A"]).success().stdout_str();
    assert!(shown.contains("st\\u{1b}]0;owned\\u{7}ore"), "{shown}");
}
