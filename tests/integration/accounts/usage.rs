//! `swop status` shows how much of each account's limits is used, as the
//! tools recorded it: the real codex writing its rate limits against the
//! test provider, session files in every shape codex has written, a profile
//! with thousands of sessions read from its newest files only, and Claude
//! Code's token counts of the current 5-hour block.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::provider::{CODEX_EXEC, Limits, Provider};
use super::sessions::{self, now, write_rollout, write_session};
use crate::common::{OutputExt, Swop, codex_bin, require};

/// `swop status NAME --json`, with `path` as PATH.
fn status_json(swop: &Swop, name: &str) -> Value {
    let out = swop.args(["status", name, "--json"]).success();
    serde_json::from_slice(&out.stdout).expect("status --json")
}

/// The usage entries of `tool` in a status answer of one profile.
fn usage_of(json: &Value, tool: &str) -> Vec<Value> {
    json[0]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .find(|t| t["tool"] == tool)
        .unwrap_or_else(|| panic!("no {tool} in {json:#}"))["usage"]
        .as_array()
        .expect("usage is an array")
        .clone()
}

fn rfc3339(secs: i64) -> String {
    swop::usage::clock::rfc3339(secs)
}

#[test]
fn status_shows_the_rate_limits_the_real_codex_recorded() {
    let swop = Swop::new();
    let Some(bin) = codex_bin(swop.dir()) else {
        return;
    };
    let path = swop.path_with(&bin);
    let t = now();
    let (five, week) = (t + 3600, t + 3 * 86_400);
    let provider = Provider::start(Limits {
        primary: (42.0, 300, five),
        secondary: (77.0, 10_080, week),
    });
    swop.add("work", &["--tool", "codex"]);
    swop.add("idle", &["--tool", "codex"]);
    provider.configure(&swop.profile_dir("work").join("CODEX_HOME"));
    swop.args(["exec", "work", "--"])
        .args(CODEX_EXEC)
        .arg("say hi")
        .env("PATH", &path)
        .success();
    assert_eq!(
        provider.requests().len(),
        1,
        "codex asked the provider once"
    );

    let out = swop.args(["status", "--json"]).env("PATH", &path).success();
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let work = json
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["profile"] == "work")
        .expect("work");
    let usage = work["tools"][0]["usage"].as_array().expect("usage");
    assert_eq!(usage.len(), 2, "{json:#}");
    assert_eq!(usage[0]["window_minutes"], 300);
    assert_eq!(usage[0]["used_percent"], 42.0);
    assert_eq!(usage[0]["resets_at"], rfc3339(five).as_str());
    assert_eq!(usage[1]["window_minutes"], 10_080);
    assert_eq!(usage[1]["used_percent"], 77.0);
    assert_eq!(usage[1]["resets_at"], rfc3339(week).as_str());
    let observed =
        swop::usage::clock::parse_rfc3339(usage[0]["observed_at"].as_str().expect("a time"))
            .expect("RFC 3339");
    assert!((t - 5..=now() + 1).contains(&observed), "{observed} vs {t}");
    let idle = json
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["profile"] == "idle")
        .expect("idle");
    assert_eq!(idle["tools"][0]["usage"], Value::Array(vec![]), "{json:#}");

    let text = swop
        .args(["status"])
        .env("PATH", &path)
        .success()
        .stdout_str();
    assert!(text.contains("5h 42% (resets "), "{text}");
    assert!(text.contains("weekly 77% (resets "), "{text}");
    assert!(text.contains("(recorded by codex just now)"), "{text}");
    assert!(text.contains("no usage recorded by codex yet"), "{text}");
}

#[test]
fn every_shape_codex_has_written_and_windows_that_reset() {
    let swop = Swop::new();
    swop.add("current", &["--tool", "codex"]);
    swop.add("relative", &["--tool", "codex"]);
    swop.add("flat", &["--tool", "codex"]);
    swop.add("stale", &["--tool", "codex"]);
    let home = |name: &str| swop.profile_dir(name).join("CODEX_HOME");
    let t = now();
    write_session(
        &home("current"),
        t - 60,
        "a1",
        &[(12.5, 300, t + 600), (3.0, 10_080, t + 86_400)],
    );
    // resets_in_seconds, relative to the line's time (codex-rs protocol of 2025).
    let relative = format!(
        r#"{{"timestamp":"{}","type":"event_msg","payload":{{"type":"token_count","info":null,"rate_limits":{{"primary":{{"used_percent":55.0,"window_minutes":300,"resets_in_seconds":900}},"secondary":null}}}}}}"#,
        rfc3339(t - 100)
    );
    write_rollout(
        &home("relative"),
        t - 100,
        "b2",
        &[sessions::session_meta(t - 100, "b2"), relative],
    );
    // RateLimitSnapshotEvent, the first shape: flat fields, no reset time.
    let flat = format!(
        r#"{{"timestamp":"{}","type":"event_msg","payload":{{"type":"token_count","info":null,"rate_limits":{{"primary_used_percent":64.0,"secondary_used_percent":20.0,"primary_to_secondary_ratio_percent":3.0,"primary_window_minutes":300,"secondary_window_minutes":10080}}}}}}"#,
        rfc3339(t - 200)
    );
    write_rollout(
        &home("flat"),
        t - 200,
        "c3",
        &[sessions::session_meta(t - 200, "c3"), flat],
    );
    write_session(&home("stale"), t - 7200, "d4", &[(100.0, 300, t - 60)]);

    let current = usage_of(&status_json(&swop, "current"), "codex");
    assert_eq!(current[0]["used_percent"], 12.5);
    assert_eq!(current[1]["resets_at"], rfc3339(t + 86_400).as_str());
    assert_eq!(current[0]["observed_at"], rfc3339(t - 60).as_str());
    let relative = usage_of(&status_json(&swop, "relative"), "codex");
    assert_eq!(relative.len(), 1);
    assert_eq!(relative[0]["resets_at"], rfc3339(t - 100 + 900).as_str());
    let flat = usage_of(&status_json(&swop, "flat"), "codex");
    assert_eq!(flat.len(), 2);
    assert_eq!(flat[0]["used_percent"], 64.0);
    assert_eq!(flat[0]["resets_at"], Value::Null);
    let stale = swop.args(["status", "stale"]).success().stdout_str();
    assert!(stale.contains("5h reset at "), "{stale}");
    assert!(stale.contains("(was 100%)"), "{stale}");
    assert!(stale.contains("(recorded by codex 2 h ago)"), "{stale}");
}

#[test]
fn thousands_of_sessions_cost_the_newest_files_only() {
    if !require("strace") {
        return;
    }
    let swop = Swop::new();
    swop.add("busy", &["--tool", "codex"]);
    let home = swop.profile_dir("busy").join("CODEX_HOME");
    let t = now();
    // 3,000 sessions over the last 100 days, each at 99%, then today's at 10%.
    for i in 0..3000 {
        let at = t - 86_400 * (100 - i64::from(i) / 30) - 3600;
        write_session(&home, at, &format!("old-{i}"), &[(99.0, 300, at + 600)]);
    }
    let newest = write_rollout(
        &home,
        t - 30,
        "new",
        &[
            sessions::session_meta(t - 30, "new"),
            sessions::token_count(t - 30, &[(10.0, 300, t + 3600)]),
            // A long answer after the snapshot (2 MB, longer than any
            // record swop reads): skipped on the way back to it.
            sessions::response_item(t - 20, 2_000_000),
        ],
    );
    let log = swop.dir().join("strace.log");
    let out = swop
        .command("strace")
        .args(["-f", "-e", "trace=openat,open", "-o"])
        .arg(&log)
        .arg(crate::common::swop_exe())
        .args(["status", "busy", "--json"])
        .success();
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        usage_of(&json, "codex")[0]["used_percent"],
        10.0,
        "{json:#}"
    );
    let trace = fs::read_to_string(&log).expect("strace log");
    let opened: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("rollout-") && !l.contains("ENOENT"))
        .collect();
    assert!(
        opened.len() <= 8,
        "{} rollouts opened of 3,001: {opened:#?}",
        opened.len()
    );
    let name = newest.file_name().and_then(|n| n.to_str()).expect("a name");
    assert!(opened.iter().any(|l| l.contains(name)), "{opened:#?}");
}

/// A Claude Code project log line with an answer's tokens, in the shape of
/// the lines Claude Code writes (`type`, `timestamp`, `requestId`, and
/// `message.usage` with input, output and cache tokens; as read by
/// ryoppippi/ccusage `src/data-loader.ts`).
fn claude_answer(at: i64, id: &str, input: u64, output: u64) -> String {
    format!(
        r#"{{"parentUuid":"p","isSidechain":false,"userType":"external","cwd":"/src/app","sessionId":"s1","version":"2.0.0","type":"assistant","timestamp":"{}","requestId":"req_{id}","message":{{"id":"msg_{id}","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{{"type":"text","text":"ok"}}],"stop_reason":"end_turn","usage":{{"input_tokens":{input},"cache_creation_input_tokens":500,"cache_read_input_tokens":900,"output_tokens":{output}}}}}}}"#,
        rfc3339(at)
    )
}

#[test]
fn claude_shows_the_tokens_of_the_current_block() {
    let swop = Swop::new();
    swop.add("cl", &["--tool", "claude"]);
    let project = swop
        .profile_dir("cl")
        .join("CLAUDE_CONFIG_DIR/projects/-src-app");
    fs::create_dir_all(&project).expect("project folder");
    let t = now();
    let hour = t - t.rem_euclid(3600);
    // The block began at the hour of the first answer after a long break.
    let lines = [
        claude_answer(hour - 9 * 3600, "old", 7000, 7000),
        claude_answer(hour + 1, "a", 100, 20),
        claude_answer(hour + 1, "a", 100, 20),
        claude_answer((t - 5).max(hour + 2), "b", 30, 10),
    ];
    fs::write(project.join("s1.jsonl"), lines.join("\n") + "\n").expect("log");
    let json = status_json(&swop, "cl");
    let usage = usage_of(&json, "claude");
    assert_eq!(usage.len(), 1, "{json:#}");
    assert_eq!(usage[0]["window_minutes"], 300);
    assert_eq!(usage[0]["used_tokens"], 160);
    assert_eq!(usage[0].get("used_percent"), None, "{json:#}");
    assert_eq!(usage[0]["resets_at"], rfc3339(hour + 5 * 3600).as_str());
    let text = swop.args(["status", "cl"]).success().stdout_str();
    assert!(text.contains("5h block 160 tokens (resets "), "{text}");
}

/// Profiles whose sessions are shared cannot be told apart by their
/// records: usage is unknown rather than the other account's.
#[test]
fn shared_sessions_make_usage_unknown() {
    let swop = Swop::new();
    swop.add("a", &["--tool", "codex", "--share", "sessions"]);
    swop.add("b", &["--tool", "codex", "--share", "sessions"]);
    let t = now();
    write_session(
        &swop.profile_dir("a").join("CODEX_HOME"),
        t - 10,
        "shared",
        &[(50.0, 300, t + 600)],
    );
    assert!(usage_of(&status_json(&swop, "b"), "codex").is_empty());
    let text = swop.args(["status", "b"]).success().stdout_str();
    assert!(text.contains("usage unknown: sessions is shared"), "{text}");
    assert!(Path::new(&swop.root().join("shared/codex/sessions")).is_dir());
}
