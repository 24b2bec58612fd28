//! The store: adding, listing, showing and refusing profiles.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Child;

use serde_json::Value;

use super::*;

#[track_caller]
fn assert_private_tree(root: &Path) {
    let mode = |p: &Path| fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(root), 0o700, "{}", root.display());
    for path in walk(root) {
        let meta = fs::symlink_metadata(&path).unwrap();
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), want, "{:o} {}", mode(&path), path.display());
    }
}

#[test]
fn store_folders_are_0700_and_files_0600_whatever_the_umask() {
    for umask in ["022", "000"] {
        let swop = Swop::with_store("parent/store");
        let swop_under_umask = |args: &[&str]| {
            swop.command("sh")
                .args(["-c", &format!("umask {umask}; exec swop \"$@\""), "sh"])
                .args(args)
                .success()
        };
        swop_under_umask(&["add", "A"]);
        swop_under_umask(&["add", "B", "--bind", "CODEX_HOME"]);
        assert_private_tree(&swop.dir().join("parent"));

        // Folders and the lock file that went missing are made again, privately.
        let a = swop.profile_dir("A");
        fs::remove_dir(a.join("XDG_CACHE_HOME")).unwrap();
        fs::remove_file(a.join("lock")).unwrap();
        swop_under_umask(&["exec", "A", "--", "true"]);
        fs::remove_dir(a.join("HOME")).unwrap();
        swop_under_umask(&["env", "A", "--shell", "sh"]);
        assert!(a.join("XDG_CACHE_HOME").is_dir() && a.join("HOME").is_dir());
        assert_private_tree(&swop.dir().join("parent"));
    }
}

#[test]
fn invalid_names_are_refused_and_nothing_is_created() {
    let swop = Swop::new();
    let long = "x".repeat(65);
    for name in ["../x", "a/b", ".x", "-x", "", "a b", &long] {
        let out = swop.args(["add", "--", name]).failure(1);
        let err = out.stderr_str();
        assert!(
            err.contains("1 to 64 characters") && err.contains("A-Z a-z 0-9 . _ -"),
            "{name:?}: {err}"
        );
        assert!(!swop.store().exists(), "{name:?} created the store");
    }
    swop.add(&"x".repeat(64), &[]);
    for name in ["../x", ".x", &long] {
        for args in [
            vec!["show", name],
            vec!["rm", name],
            vec!["env", name],
            vec!["exec", name, "--", "true"],
        ] {
            let out = swop.args(&args).failure(1);
            assert!(out.stderr_str().contains("1 to 64 characters"), "{args:?}");
        }
    }
    let names: Vec<_> = fs::read_dir(swop.root().join("profiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [OsString::from("x".repeat(64))]);
    assert!(!swop.dir().join("x").exists());
}

#[test]
fn add_refuses_an_existing_name() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let out = swop
        .args(["add", "A", "--bind", "CODEX_HOME"])
        .failure(EXISTS);
    assert!(
        out.stderr_str().contains("already exists"),
        "{}",
        out.stderr_str()
    );
    let show: Value =
        serde_json::from_slice(&swop.args(["show", "A", "--json"]).success().stdout).unwrap();
    assert!(show["bindings"].get("CODEX_HOME").is_none(), "{show}");
}

#[test]
fn concurrent_adds_of_one_name_make_exactly_one_profile() {
    let swop = Swop::new();
    let children: Vec<Child> = (0..8).map(|_| swop.args(["add", "A"]).spawn()).collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let won = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "{outputs:?}");
    for out in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(out.status.code(), Some(EXISTS));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("already exists"), "{err}");
    }
    let entries: Vec<OsString> = fs::read_dir(swop.root().join("profiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, [OsString::from("A")], "leftovers of the losers");
    swop.args(["exec", "A", "--", "true"]).success();
}

#[test]
fn show_and_list_print_json_with_absolute_paths() {
    let swop = Swop::new();
    swop.add("work", &[]);
    swop.add("codex", &["--bind", "CODEX_HOME"]);
    let show: Value =
        serde_json::from_slice(&swop.args(["show", "work", "--json"]).success().stdout).unwrap();
    assert_eq!(show["name"], "work");
    assert_eq!(show["root"], swop.profile_dir("work").to_str().unwrap());
    assert_eq!(show["in_use"], false);
    let bindings = show["bindings"].as_object().unwrap();
    let vars: BTreeSet<&str> = bindings.keys().map(String::as_str).collect();
    assert_eq!(vars, BTreeSet::from(DEFAULT_BINDINGS));
    for (var, path) in bindings {
        let path = Path::new(path.as_str().unwrap());
        assert!(path.is_absolute(), "{var}: {}", path.display());
        assert_eq!(path, swop.profile_dir("work").join(var));
        assert!(path.is_dir(), "{var}: {}", path.display());
    }

    let list: Value =
        serde_json::from_slice(&swop.args(["list", "--json"]).success().stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .expect("list --json is an array")
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["codex", "work"]);
    assert_eq!(list[1], show);

    let empty = Swop::new();
    let list = empty.args(["list", "--json"]).success();
    assert_eq!(
        serde_json::from_slice::<Value>(&list.stdout).unwrap(),
        Value::Array(vec![])
    );
}

#[test]
fn a_missing_profile_suggests_the_closest_name() {
    let swop = Swop::new();
    swop.add("work", &[]);
    swop.add("personal", &[]);
    for args in [
        vec!["show", "wrk"],
        vec!["env", "wrk"],
        vec!["exec", "wrk", "--", "true"],
        vec!["rm", "wrk"],
    ] {
        let out = swop.args(&args).failure(NOT_FOUND);
        let err = out.stderr_str();
        assert!(
            err.contains("not found") && err.contains("did you mean \"work\""),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn list_into_a_closed_pipe_exits_quietly() {
    let swop = Swop::new();
    swop.add("p0000", &[]);
    let profiles = swop.root().join("profiles");
    let file = fs::read(profiles.join("p0000/profile.toml")).unwrap();
    // Enough profiles that the listing is larger than a pipe holds.
    for i in 1..1200 {
        let dir = profiles.join(format!("p{i:04}"));
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        fs::write(dir.join("profile.toml"), &file).unwrap();
    }
    for args in [["list", ""], ["list", "--json"]] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let mut child = swop.args(&args).spawn();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn bind_chooses_the_variables_and_refuses_dangerous_ones() {
    let swop = Swop::new();
    swop.add("c", &["--bind", "CODEX_HOME", "--bind", "GH_CONFIG_DIR"]);
    let show: Value =
        serde_json::from_slice(&swop.args(["show", "c", "--json"]).success().stdout).unwrap();
    let vars: Vec<&str> = show["bindings"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(vars, ["CODEX_HOME", "GH_CONFIG_DIR"]);
    let env = parse_env0(&swop.args(["exec", "c", "--", "env", "-0"]).success().stdout);
    assert_eq!(
        env.get(OsStr::new("HOME")),
        Some(&path_env(&swop.user_home())),
        "HOME is not bound"
    );
    for var in ["PATH", "LD_PRELOAD", "SWOP_HOME", "1X", "A-B"] {
        let out = swop
            .args(["add", "d", "--bind", "CODEX_HOME", "--bind", var])
            .failure(1);
        assert!(
            out.stderr_str().contains(var),
            "{var}: {}",
            out.stderr_str()
        );
        assert!(!swop.root().join("profiles/d").exists(), "{var}");
    }
}
