//! The profile lock: exclusive and shared holders, waiting, and a lock that
//! lives exactly as long as its holders.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::*;

fn in_use(swop: &Swop, name: &str) -> bool {
    let out = swop.args(["show", name, "--json"]).success();
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    value["in_use"].as_bool().expect("in_use is a bool")
}

#[test]
fn lock_serialises_concurrent_exclusive_commands() {
    let swop = Swop::new();
    swop.add("A", &[]);
    fs::write(swop.work().join("counter"), "0\n").unwrap();
    let script = "n=$(cat counter); sleep 0.05; echo $((n+1)) > counter";
    let children: Vec<Child> = (0..20)
        .map(|_| {
            swop.args(["exec", "A", "--wait", "--", "sh", "-c", script])
                .spawn()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let counter = fs::read_to_string(swop.work().join("counter")).unwrap();
    assert_eq!(counter.trim(), "20", "updates were lost");
}

#[test]
fn lock_busy_profile_fails_fast_naming_the_holder_and_waits_on_request() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let holder = Holder::start(&swop, "A", &[]);

    let started = Instant::now();
    let out = swop.args(["exec", "A", "--", "true"]).failure(IN_USE);
    assert!(started.elapsed() < Duration::from_secs(3), "not fast");
    let err = out.stderr_str();
    assert!(err.contains(&format!("pid {}", holder.pid())), "{err}");
    // An exclusive holder excludes shared locks too: only what would work is offered.
    assert!(err.contains("--wait"), "{err}");
    assert!(!err.contains("--lock shared"), "{err}");

    let waiter = swop
        .args(["exec", "A", "--wait", "--", "sh", "-c", "touch waited"])
        .spawn();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !swop.work().join("waited").exists(),
        "ran beside the holder"
    );
    holder.release();
    let out = waiter.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(swop.work().join("waited").exists());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("waiting for profile"),
        "{out:?}"
    );
}

#[test]
fn lock_wait_with_a_limit_gives_up() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let holder = Holder::start(&swop, "A", &[]);
    let started = Instant::now();
    let out = swop
        .args(["exec", "A", "--wait", "0.3", "--", "true"])
        .failure(IN_USE);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300),
        "gave up after {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "gave up after {waited:?}");
    assert!(
        out.stderr_str().contains("still in use"),
        "{}",
        out.stderr_str()
    );
    holder.release();
}

#[test]
fn lock_shared_commands_run_together() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let meet = |me: &str, other: &str| {
        format!(
            "touch {me}; i=0; while [ ! -e {other} ]; do [ $i -ge 500 ] && exit 3; sleep 0.01; i=$((i+1)); done"
        )
    };
    let first = swop
        .args(["exec", "A", "--lock", "shared", "--", "sh", "-c"])
        .arg(meet("one", "two"))
        .spawn();
    let second = swop
        .args(["exec", "A", "--lock", "shared", "--", "sh", "-c"])
        .arg(meet("two", "one"))
        .spawn();
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "the shared commands did not overlap: {out:?}"
        );
    }
}

#[test]
fn lock_shared_and_exclusive_exclude_each_other() {
    let swop = Swop::new();
    swop.add("A", &[]);

    let holder = Holder::start(&swop, "A", &[]);
    let out = swop
        .args(["exec", "A", "--lock", "shared", "--", "true"])
        .failure(IN_USE);
    assert!(out.stderr_str().contains("--wait"), "{}", out.stderr_str());
    let waiter = swop
        .args([
            "exec",
            "A",
            "--lock",
            "shared",
            "--wait",
            "--",
            "sh",
            "-c",
            "touch shared-ran",
        ])
        .spawn();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !swop.work().join("shared-ran").exists(),
        "shared ran beside exclusive"
    );
    holder.release();
    let out = waiter.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(swop.work().join("shared-ran").exists());

    let shared = Holder::start(&swop, "A", &["--lock", "shared"]);
    let out = swop.args(["exec", "A", "--", "true"]).failure(IN_USE);
    // Beside shared holders, a shared lock would be granted: say so.
    assert!(
        out.stderr_str().contains("--lock shared"),
        "{}",
        out.stderr_str()
    );
    swop.args(["exec", "A", "--lock", "shared", "--", "true"])
        .success();
    swop.args(["exec", "A", "--lock", "none", "--", "true"])
        .success();
    shared.release();
}

#[cfg(target_os = "linux")]
#[test]
fn lock_is_free_at_once_after_kill_9() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let mut child = swop.args(["exec", "A", "--", "sleep", "30"]).spawn();
    let cmdline = format!("/proc/{}/cmdline", child.id());
    // swop execs: the pid it was started with becomes the command's.
    assert!(
        wait_until(Duration::from_secs(10), || {
            fs::read(&cmdline).is_ok_and(|c| c == b"sleep\x0030\x00")
        }),
        "swop did not exec the command"
    );
    swop.args(["exec", "A", "--", "true"]).failure(IN_USE);
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    swop.args(["exec", "A", "--", "true"]).success();
}

#[test]
fn lock_is_held_by_children_that_outlive_the_command() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let script = "(i=0; while [ ! -e release-bg ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done) \
                  </dev/null >/dev/null 2>&1 & exit 0";
    swop.args(["exec", "A", "--", "sh", "-c", script]).success();
    swop.args(["exec", "A", "--", "true"]).failure(IN_USE);
    assert!(in_use(&swop, "A"));
    fs::write(swop.work().join("release-bg"), "").unwrap();
    swop.args(["exec", "A", "--wait", "10", "--", "true"])
        .success();
    assert!(!in_use(&swop, "A"));
}

#[test]
fn a_command_under_the_lock_can_run_swop_exec_on_its_own_profile() {
    let swop = Swop::new();
    swop.add("A", &[]);
    // A wrapped tool typed in `swop shell A` runs `swop exec A -- tool`: it is
    // part of the holder and must not wait for itself, while others still wait.
    let script = "swop exec A -- sh -c 'swop exec A --lock shared -- true && echo inner' \
                  && (swop exec A -- true 2>/dev/null; echo sibling-before=$?)";
    let out = swop.args(["exec", "A", "--", "sh", "-c", script]).success();
    assert_eq!(out.stdout_str(), "inner\nsibling-before=0\n");
    let holder = Holder::start(&swop, "A", &[]);
    let out = swop
        .args(["exec", "A", "--", "true"])
        .env("SWOP_LOCK_FD", "7")
        .failure(IN_USE);
    assert!(out.stderr_str().contains("in use"), "{}", out.stderr_str());
    holder.release();
}

/// Inside a command that holds the profile shared (`swop shell A --lock
/// shared`), `--pick A` makes that lock exclusive as a named exec would,
/// when nothing else holds it: the caller's own lock never makes A busy.
#[test]
fn a_pick_under_the_callers_shared_lock_takes_it_over() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let out = swop
        .args([
            "exec",
            "A",
            "--lock",
            "shared",
            "--",
            "swop",
            "exec",
            "--pick",
            "A",
            "--",
            "sh",
            "-c",
            "echo picked $SWOP_PROFILE",
        ])
        .success();
    assert_eq!(out.stdout_str(), "picked A\n", "{}", out.stderr_str());
    // With another holder beside it, A is in use for the pick.
    let other = Holder::start(&swop, "A", &["--lock", "shared"]);
    let out = swop
        .args([
            "exec", "A", "--lock", "shared", "--", "swop", "exec", "--pick", "A", "--", "true",
        ])
        .failure(IN_USE);
    assert!(out.stderr_str().contains("in use"), "{}", out.stderr_str());
    other.release();
}

#[test]
fn rm_is_refused_while_the_profile_is_in_use() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let holder = Holder::start(&swop, "A", &[]);
    let out = swop.args(["rm", "A"]).failure(IN_USE);
    let err = out.stderr_str();
    assert!(
        err.contains(&format!("in use by pid {}", holder.pid())),
        "{err}"
    );
    // rm has neither --wait nor --lock: it must not suggest them.
    assert!(!err.contains("--wait") && !err.contains("--lock"), "{err}");
    assert!(err.contains("swop rm A"), "{err}");
    assert!(swop.profile_dir("A").join("profile.toml").exists());
    swop.args(["show", "A"]).success();
    holder.release();
    swop.args(["rm", "A"]).success();
    assert!(!swop.root().join("profiles/A").exists());
    swop.args(["show", "A"]).failure(NOT_FOUND);
}

#[test]
fn list_and_show_say_which_profiles_are_in_use() {
    let swop = Swop::new();
    swop.add("A", &[]);
    swop.add("B", &[]);
    let holder = Holder::start(&swop, "A", &[]);
    let list: Value =
        serde_json::from_slice(&swop.args(["list", "--json"]).success().stdout).unwrap();
    assert_eq!(list[0]["name"], "A");
    assert_eq!(list[0]["in_use"], true, "{list}");
    assert_eq!(list[1]["name"], "B");
    assert_eq!(list[1]["in_use"], false, "{list}");
    assert!(in_use(&swop, "A"));
    holder.release();
    assert!(!in_use(&swop, "A"));
}

// ---------------------------------------------------------------- store

/// A wrapped tool typed in a switched shell is told the command to type to
/// wait, not a flag to add to a command line nobody typed; so is `swop shell`.
#[test]
fn a_busy_profile_says_the_command_that_waits_for_it() {
    if !require("bash") {
        return;
    }
    let swop = Swop::new();
    swop.add("A", &[]);
    fs::write(swop.store().join("config.toml"), "wrap = [\"faketool\"]\n").unwrap();
    let tool = swop.dir().join("bin/faketool");
    fs::write(&tool, "#!/bin/sh\nexit 0\n").unwrap();
    fs::set_permissions(&tool, fs::Permissions::from_mode(0o755)).unwrap();
    let holder = Holder::start(&swop, "A", &[]);

    let out = swop
        .shell(
            Shell::Bash,
            "eval \"$(swop init bash)\"; swop use A; faketool --model 'a b'",
        )
        .failure(IN_USE);
    let err = out.stderr_str();
    assert!(
        err.contains("to wait for it: swop exec A --wait -- faketool --model 'a b';"),
        "{err}"
    );
    assert!(!err.contains("add --wait"), "{err}");

    let err = swop.args(["shell", "A"]).failure(IN_USE).stderr_str();
    assert!(
        err.contains("to wait for it: swop shell A --wait;"),
        "{err}"
    );
    let err = swop
        .args(["exec", "--lock", "shared", "A", "--", "true"])
        .failure(IN_USE)
        .stderr_str();
    assert!(
        err.contains("to wait for it: swop exec A --lock shared --wait -- true;"),
        "{err}"
    );
    holder.release();
}
