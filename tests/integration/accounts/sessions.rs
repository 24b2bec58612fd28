//! Session files in the shapes codex writes, for the tests that read usage.
//!
//! A rollout is `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl`,
//! one `RolloutLine` a line: `{"timestamp", "type", "payload"}` (openai/codex
//! `codex-rs/protocol/src/protocol.rs`, `RolloutLine` and `RolloutItem`,
//! tagged `type`/`payload`). Rate limits arrive in `event_msg` lines whose
//! payload is `{"type":"token_count","info":...,"rate_limits":...}`
//! (`EventMsg::TokenCount(TokenCountEvent)`); `RateLimitSnapshot` has
//! `limit_id`, `primary` and `secondary`, and `RateLimitWindow` has
//! `used_percent`, `window_minutes` and `resets_at` in unix seconds (older
//! releases: `resets_in_seconds`; the first: flat `primary_used_percent`
//! fields). The lines below copy what codex-cli 0.171.0 wrote against the
//! test provider (see `provider.rs`), trimmed of `info`.

use std::fs;
use std::path::{Path, PathBuf};

use swop::usage::clock;

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    clock::now()
}

/// A `session_meta` line, the first of every rollout.
pub fn session_meta(at: i64, id: &str) -> String {
    format!(
        r#"{{"timestamp":"{t}","ordinal":0,"type":"session_meta","payload":{{"session_id":"{id}","id":"{id}","timestamp":"{t}","cwd":"/tmp","originator":"codex_exec","cli_version":"0.171.0","source":"exec","model_provider":"openai"}}}}"#,
        t = clock::rfc3339(at)
    )
}

/// A `token_count` line with the account's windows: (used percent, window
/// minutes, reset at).
pub fn token_count(at: i64, windows: &[(f64, i64, i64)]) -> String {
    let window = |w: Option<&(f64, i64, i64)>| match w {
        Some((used, minutes, reset)) => format!(
            r#"{{"used_percent":{used:.1},"window_minutes":{minutes},"resets_at":{reset}}}"#
        ),
        None => "null".into(),
    };
    format!(
        r#"{{"timestamp":"{}","ordinal":12,"type":"event_msg","payload":{{"type":"token_count","info":null,"rate_limits":{{"limit_id":"codex","limit_name":null,"primary":{},"secondary":{},"credits":null,"individual_limit":null,"spend_control_reached":null,"plan_type":null,"rate_limit_reached_type":null}}}}}}"#,
        clock::rfc3339(at),
        window(windows.first()),
        window(windows.get(1)),
    )
}

/// A line of a long assistant answer, which usage never needs to read.
pub fn response_item(at: i64, bytes: usize) -> String {
    format!(
        r#"{{"timestamp":"{}","type":"response_item","payload":{{"type":"message","role":"assistant","content":[{{"type":"output_text","text":"{}"}}]}}}}"#,
        clock::rfc3339(at),
        "x".repeat(bytes)
    )
}

/// Write a rollout that began at `at`, in its day's folder, named as codex
/// names it.
pub fn write_rollout(codex_home: &Path, at: i64, id: &str, lines: &[String]) -> PathBuf {
    let stamp = clock::rfc3339(at);
    let (date, time) = (&stamp[..10], stamp[11..19].replace(':', "-"));
    let dir = codex_home
        .join("sessions")
        .join(&date[..4])
        .join(&date[5..7])
        .join(&date[8..10]);
    fs::create_dir_all(&dir).expect("create the day's folder");
    let path = dir.join(format!("rollout-{date}T{time}-{id}.jsonl"));
    let mut text = lines.join("\n");
    text.push('\n');
    fs::write(&path, text).expect("write the rollout");
    path
}

/// A session with one snapshot of the windows, recorded at `at`.
pub fn write_session(codex_home: &Path, at: i64, id: &str, windows: &[(f64, i64, i64)]) -> PathBuf {
    write_rollout(
        codex_home,
        at,
        id,
        &[
            session_meta(at, id),
            response_item(at, 200),
            token_count(at, windows),
        ],
    )
}
