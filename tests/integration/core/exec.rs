//! `swop exec` and `swop shell`: the command runs as the profile, keeps its
//! exit status and signals.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;

use serde_json::Value;

use super::*;

#[test]
fn exec_passes_the_exit_status_through() {
    let swop = Swop::new();
    swop.add("A", &[]);
    swop.args(["exec", "A", "--", "sh", "-c", "exit 0"])
        .success();
    swop.args(["exec", "A", "--", "sh", "-c", "exit 42"])
        .failure(42);

    let script = swop.work().join("not-executable");
    fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
    let out = swop.args(["exec", "A", "--"]).arg(&script).failure(126);
    assert!(
        out.stderr_str().contains("not-executable"),
        "{}",
        out.stderr_str()
    );

    let out = swop
        .args(["exec", "A", "--", "no-such-command-for-swop"])
        .failure(127);
    assert!(
        out.stderr_str().contains("not found"),
        "{}",
        out.stderr_str()
    );

    let out = swop
        .args(["exec", "A", "--", "sh", "-c", "kill -TERM $$"])
        .output();
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{:?}", out.status);
}

/// A program named after a secret word keeps every word of the message
/// about it: redaction once ate the "cannot" of "/etc/passwd: cannot run".
#[test]
fn a_program_that_cannot_run_is_said_so_in_whole_words() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let passwd = swop.work().join("passwd");
    fs::write(&passwd, "root:x:0:0::/root:/bin/sh\n").unwrap();
    fs::set_permissions(&passwd, fs::Permissions::from_mode(0o644)).unwrap();
    let out = swop.args(["exec", "A", "--"]).arg(&passwd).failure(126);
    assert_eq!(
        out.stderr_str(),
        format!(
            "swop: {}: cannot run: Permission denied (os error 13)\n",
            passwd.display()
        )
    );
}

#[cfg(target_os = "linux")]
#[test]
fn exec_leaves_signal_dispositions_at_their_defaults() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let status = swop
        .args(["exec", "A", "--", "cat", "/proc/self/status"])
        .success()
        .stdout_str();
    let mask = |field: &str| {
        let line = status
            .lines()
            .find(|l| l.starts_with(field))
            .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
        u64::from_str_radix(line[field.len()..].trim(), 16).unwrap()
    };
    // SIGPIPE is 13: a command that inherits it ignored never dies of a closed pipe.
    assert_eq!(
        mask("SigIgn:") & (1 << 12),
        0,
        "SIGPIPE is ignored:\n{status}"
    );
    assert_eq!(mask("SigBlk:"), 0, "signals are blocked:\n{status}");
}

#[test]
fn exec_gets_the_profile_and_nothing_of_the_previous_one() {
    let swop = Swop::new();
    swop.add("A", &[]);
    swop.add("B", &["--bind", "CODEX_HOME"]);
    let a = swop.profile_dir("A");
    let b = swop.profile_dir("B");
    let start = swop.base_env();
    let on_a = apply_json(
        start.clone(),
        &swop.args(["env", "A", "--shell", "json"]).success().stdout,
    );
    let got = parse_env0(
        &swop
            .args(["exec", "B", "--", "env", "-0"])
            .envs(&on_a)
            .success()
            .stdout,
    );
    let mut expected = start.clone();
    expected.insert("CODEX_HOME".into(), path_env(&b.join("CODEX_HOME")));
    expected.insert("SWOP_HOME".into(), path_env(&swop.root()));
    expected.insert("SWOP_PROFILE".into(), "B".into());
    let saved = got
        .get(OsStr::new("SWOP_SAVED"))
        .expect("SWOP_SAVED")
        .clone();
    expected.insert("SWOP_SAVED".into(), saved);
    // The descriptor of the profile lock the command holds, for nested execs.
    let fd = got
        .get(OsStr::new("SWOP_LOCK_FD"))
        .expect("SWOP_LOCK_FD")
        .clone();
    assert!(
        fd.to_str()
            .is_some_and(|fd| fd.parse::<u32>().is_ok_and(|n| n > 2))
    );
    expected.insert("SWOP_LOCK_FD".into(), fd);
    assert_same_env(&got, &expected, "swop exec B from a shell on A");
    for (name, value) in &got {
        assert!(
            !value.as_bytes().starts_with(a.as_os_str().as_bytes()),
            "{} still points into A: {}",
            name.to_string_lossy(),
            value.to_string_lossy()
        );
    }
}

#[test]
fn shell_runs_shell_inside_the_profile_under_its_lock() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let fake_shell = swop.work().join("fake-shell");
    fs::write(
        &fake_shell,
        "#!/bin/sh\nenv -0 > shell.env\nswop list --json > list.json\nexit 7\n",
    )
    .unwrap();
    fs::set_permissions(&fake_shell, fs::Permissions::from_mode(0o755)).unwrap();
    swop.args(["shell", "A"])
        .env("SHELL", &fake_shell)
        .failure(7);
    let env = read_env0(swop.work().join("shell.env"));
    let profile = swop.profile_dir("A");
    assert_eq!(env.get(OsStr::new("SWOP_PROFILE")), Some(&"A".into()));
    assert_eq!(
        env.get(OsStr::new("HOME")),
        Some(&path_env(&profile.join("HOME")))
    );
    let list: Value = serde_json::from_slice(&fs::read(swop.work().join("list.json")).unwrap())
        .expect("swop list --json inside the shell");
    assert_eq!(list[0]["name"], "A");
    assert_eq!(list[0]["in_use"], true, "{list}");
}

/// `swop off` in a `swop shell` gives the shell its variables back, but the
/// shell keeps the profile's lock: it is told that only its end lets go.
#[test]
fn off_inside_a_swop_shell_says_to_exit_to_leave() {
    if !require("bash") {
        return;
    }
    let swop = Swop::new();
    swop.add("A", &[]);
    let out = swop
        .args(["shell", "A"])
        .env("SHELL", which_program("bash"))
        .stdin("eval \"$(swop init bash)\"\nswop off\necho \"profile=${SWOP_PROFILE-}\"\n")
        .success();
    assert_eq!(out.stdout_str(), "profile=\n");
    let err = out.stderr_str();
    assert!(
        err.contains("holds the lock of profile \"A\" until it ends")
            && err.contains("exit to leave"),
        "{err}"
    );
    // A shell switched with swop use holds no lock: nothing to say.
    let err = swop
        .shell(
            Shell::Bash,
            "eval \"$(swop init bash)\"; swop use A; swop off",
        )
        .success()
        .stderr_str();
    assert!(!err.contains("exit to leave"), "{err}");
}

// ---------------------------------------------------------------- locks
