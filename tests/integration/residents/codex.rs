//! The real codex from npm: its managed app-server daemon, which outlives the
//! command that started it and closes the lock descriptor, is a resident.

use super::*;

/// The JSON object codex prints last on stdout.
#[track_caller]
fn last_json(out: &std::process::Output) -> Value {
    let text = out.stdout_str();
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON from codex: {text}\n{}", out.stderr_str()));
    serde_json::from_str(line).expect("codex's JSON")
}

/// A town, and a PATH that finds the real codex first; `None` (skipped,
/// or failed under CI) without node or codex.
fn town_with_codex() -> Option<(Town, String)> {
    if !require("node") {
        return None;
    }
    let town = Town::new();
    let bin = codex_bin(town.swop.dir())?;
    let path = format!(
        "{}:{}",
        bin.display(),
        town.swop.base_env()[std::ffi::OsStr::new("PATH")].to_string_lossy()
    );
    Some((town, path))
}

#[test]
fn the_codex_daemon_is_a_resident_until_stopped() {
    let Some((town, path)) = town_with_codex() else {
        return;
    };
    let swop = &town.swop;
    let codex = |args: &[&str]| {
        swop.args(["exec", "A", "--", "codex"])
            .args(args)
            .env("PATH", &path)
    };
    swop.add("A", &["--tool", "codex"]);
    codex(&["login", "--with-api-key"])
        .stdin("sk-test-residents-0000000000\n")
        .success();

    let started = last_json(&codex(&["app-server", "daemon", "start"]).success());
    let daemon = started["pid"].as_u64().expect("the daemon's pid") as u32;
    assert!(running(daemon), "{started}");

    let show = town.show("A");
    assert_eq!(show["in_use"], true, "{show}");
    assert!(pids(&show["residents"]).contains(&daemon), "{show}");

    // An exclusive exec goes ahead beside the daemon, and the codex it runs
    // reaches that daemon: a later codex attaches to it, it does not compete.
    let version = last_json(&codex(&["app-server", "daemon", "version"]).success());
    assert_eq!(version["status"], "running", "{version}");
    assert!(running(daemon));

    let out = swop.args(["rm", "A"]).failure(IN_USE);
    let err = out.stderr_str();
    assert!(err.contains(&format!("pid {daemon}")), "{err}");
    assert!(err.contains("swop stop A"), "{err}");

    let ps = town.ps(Some("A"));
    let entry = ps
        .iter()
        .find(|p| p["pid"] == daemon)
        .unwrap_or_else(|| panic!("the daemon is not in {ps:?}"));
    assert_eq!(entry["kind"], "resident");
    assert!(
        entry["command"].as_str().unwrap().contains("app-server"),
        "{entry}"
    );

    let out = swop.args(["stop", "A"]).success();
    assert!(
        out.stderr_str().contains(&format!("pid {daemon}")),
        "{}",
        out.stderr_str()
    );
    assert!(!running(daemon), "the daemon still runs");
    assert!(town.ps(Some("A")).is_empty());
    swop.args(["rm", "A"]).success();
    assert!(
        !swop.user_home().join(".codex").exists(),
        "codex wrote the real home"
    );
}

/// `codex` is `node` running the JavaScript launcher, which starts codex's
/// native program as its child; node holds the lock `swop exec` handed it,
/// the child does not inherit the descriptor. The child is part of the
/// command holding the lock, not a resident left behind.
#[test]
fn codex_native_program_under_node_runs_under_the_lock() {
    let Some((town, path)) = town_with_codex() else {
        return;
    };
    let swop = &town.swop;
    swop.add("A", &["--tool", "codex"]);
    // An app server on stdio runs until its input ends.
    let mut node = swop
        .args(["exec", "A", "--", "codex", "app-server"])
        .env("PATH", &path)
        .into_command()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start codex app-server");
    let holder = node.id();
    let mut ps = Vec::new();
    let native = wait_until(Duration::from_secs(20), || {
        ps = town.ps(Some("A"));
        ps.iter().any(|p| p["pid"] != holder)
    });
    assert!(native, "codex's native program did not start: {ps:?}");
    let kind = |pid: u32| {
        ps.iter()
            .find(|p| p["pid"] == pid)
            .map(|p| p["kind"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("pid {pid} not in {ps:?}"))
    };
    assert_eq!(kind(holder), "lock", "{ps:?}");
    for p in ps.iter().filter(|p| p["pid"] != holder) {
        assert_eq!(p["kind"], "under_lock", "{ps:?}");
    }
    let text = swop.args(["ps", "A"]).success().stdout_str();
    assert!(text.contains("under the lock"), "{text}");
    assert!(!text.contains("resident only"), "{text}");
    drop(node.stdin.take());
    let _ = node.kill();
    let _ = node.wait();
}
