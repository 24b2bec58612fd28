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

#[test]
fn the_codex_daemon_is_a_resident_until_stopped() {
    if !require("node") {
        return;
    }
    let town = Town::new();
    let Some(bin) = codex_bin(town.swop.dir()) else {
        return;
    };
    let swop = &town.swop;
    let path = format!(
        "{}:{}",
        bin.display(),
        swop.base_env()[std::ffi::OsStr::new("PATH")].to_string_lossy()
    );
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
