//! codex's own record of its rate limits. Every response from the server
//! carries the account's windows in headers, and codex writes them into the
//! session's rollout, `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`,
//! as an `event_msg` line whose payload is a `token_count` event:
//!
//! ```json
//! {"timestamp":"2026-12-06T14:26:17.131Z","type":"event_msg","payload":{"type":"token_count",
//!  "info":{...},"rate_limits":{"limit_id":"codex","primary":{"used_percent":42.0,
//!  "window_minutes":300,"resets_at":1796570777},"secondary":{...}}}}
//! ```
//!
//! The shapes, from openai/codex `codex-rs/protocol/src/protocol.rs`
//! (`RolloutLine`, `TokenCountEvent`, `RateLimitSnapshot`,
//! `RateLimitWindow`): `resets_at` is unix seconds (current releases);
//! releases of late 2025 wrote `resets_in_seconds`, relative to the line;
//! the first ones wrote flat `primary_used_percent`, `primary_window_minutes`,
//! `primary_reset_after_seconds` and their `secondary_` twins. A snapshot
//! with another `limit_id` than `codex` is a per-model bucket, and one
//! without windows marks the end of a session: neither says how much of
//! the account is used.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use serde::Deserialize;

use super::{Reading, Used, Window, clock, tail};

/// Rollouts opened at most, the most recently written first.
const FILES: usize = 8;
/// Bytes read from the end of each.
const TAIL: u64 = 4 * 1024 * 1024;

/// The newest rate-limit snapshot under `sessions`.
pub fn newest(sessions: &Path) -> Reading {
    let mut files = newest_rollouts(sessions);
    if files.is_empty() {
        return Reading::NoRecord;
    }
    // Of rollouts written in one instant, the one begun last (its name
    // holds the day and time) first.
    files.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    let mut best: Option<Vec<Window>> = None;
    for (path, modified) in files.into_iter().take(FILES) {
        let modified = i64::try_from(modified.as_secs()).unwrap_or(i64::MAX);
        // Every line of a file is older than its last change.
        if best
            .as_ref()
            .and_then(|w| w.first())
            .is_some_and(|w| w.observed_at >= modified)
        {
            break;
        }
        if let Some(windows) = last_snapshot(&path)
            && best
                .as_ref()
                .and_then(|b| b.first())
                .is_none_or(|b| b.observed_at < windows[0].observed_at)
        {
            best = Some(windows);
        }
    }
    best.map_or(Reading::NoRecord, Reading::Windows)
}

/// The rollouts of every day folder, with their modification times (since
/// the epoch).
/// `codex resume` appends to the rollout of the day the session began, so
/// the newest record may sit in any day's folder; a stat of each file is
/// cheap, and only the newest few are opened.
fn newest_rollouts(sessions: &Path) -> Vec<(PathBuf, Duration)> {
    let days = numbered(sessions)
        .into_iter()
        .flat_map(|year| numbered(&year))
        .flat_map(|month| numbered(&month));
    let mut files = Vec::new();
    for day in days {
        let Ok(entries) = fs::read_dir(&day) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !(name.starts_with("rollout-") && name.ends_with(".jsonl")) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .unwrap_or_default();
            files.push((entry.path(), modified));
        }
    }
    files
}

/// The sub-folders of `dir` named by digits alone (years, months, days).
fn numbered(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .map(|e| e.path())
        .collect()
}

/// The last usable snapshot of one rollout.
pub fn last_snapshot(path: &Path) -> Option<Vec<Window>> {
    let file = File::open(path).ok()?;
    let mut found = None;
    let _ = tail::lines_backwards(&file, TAIL, |line| {
        found = snapshot(line);
        found.is_some()
    });
    found
}

#[derive(Deserialize)]
struct Line {
    timestamp: String,
    #[serde(rename = "type")]
    kind: String,
    payload: Payload,
}

#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    rate_limits: Option<RateLimits>,
}

#[derive(Deserialize)]
struct RateLimits {
    #[serde(default)]
    limit_id: Option<String>,
    #[serde(default)]
    primary: Option<RawWindow>,
    #[serde(default)]
    secondary: Option<RawWindow>,
    // The first releases' flat shape.
    #[serde(default)]
    primary_used_percent: Option<f64>,
    #[serde(default)]
    secondary_used_percent: Option<f64>,
    #[serde(default)]
    primary_window_minutes: Option<i64>,
    #[serde(default)]
    secondary_window_minutes: Option<i64>,
    #[serde(default)]
    primary_reset_after_seconds: Option<i64>,
    #[serde(default)]
    secondary_reset_after_seconds: Option<i64>,
}

#[derive(Deserialize)]
struct RawWindow {
    used_percent: f64,
    #[serde(default)]
    window_minutes: Option<i64>,
    #[serde(default)]
    resets_at: Option<i64>,
    #[serde(default)]
    resets_in_seconds: Option<i64>,
}

/// The windows of one rollout line, if it is a `token_count` event with
/// the account's rate limits.
pub fn snapshot(line: &[u8]) -> Option<Vec<Window>> {
    // Most lines are not: skip them before parsing.
    memchr::memmem::find(line, b"\"token_count\"")?;
    memchr::memmem::find(line, b"\"rate_limits\"")?;
    let line: Line = serde_json::from_slice(line).ok()?;
    if line.kind != "event_msg" || line.payload.kind != "token_count" {
        return None;
    }
    let observed_at = clock::parse_rfc3339(&line.timestamp)?;
    let limits = line.payload.rate_limits?;
    if limits.limit_id.as_deref().is_some_and(|id| id != "codex") {
        return None;
    }
    let window = |raw: RawWindow| Window {
        window_minutes: raw.window_minutes,
        used: Used::Percent(raw.used_percent),
        resets_at: raw
            .resets_at
            .or_else(|| raw.resets_in_seconds.map(|s| observed_at + s)),
        observed_at,
    };
    let flat = |used: Option<f64>, minutes: Option<i64>, after: Option<i64>| {
        used.map(|p| Window {
            window_minutes: minutes,
            used: Used::Percent(p),
            resets_at: after.map(|s| observed_at + s),
            observed_at,
        })
    };
    let windows: Vec<Window> = [
        limits.primary.map(window).or_else(|| {
            flat(
                limits.primary_used_percent,
                limits.primary_window_minutes,
                limits.primary_reset_after_seconds,
            )
        }),
        limits.secondary.map(window).or_else(|| {
            flat(
                limits.secondary_used_percent,
                limits.secondary_window_minutes,
                limits.secondary_reset_after_seconds,
            )
        }),
    ]
    .into_iter()
    .flatten()
    .filter(|w| w.used.is_valid())
    .collect();
    (!windows.is_empty()).then_some(windows)
}

impl Used {
    /// A share within 0 to 100 (a bad record is no record).
    fn is_valid(&self) -> bool {
        match self {
            Used::Percent(p) => p.is_finite() && (0.0..=100.0).contains(p),
            Used::Tokens(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token_count line as codex-cli 0.171.0 wrote it against a server
    /// answering with rate-limit headers (trimmed of `info`).
    const CURRENT: &str = r#"{"timestamp":"2026-12-06T14:26:17.131Z","ordinal":12,"type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"limit_id":"codex","limit_name":null,"primary":{"used_percent":42.0,"window_minutes":300,"resets_at":1796570777},"secondary":{"used_percent":77.0,"window_minutes":10080,"resets_at":1796826377},"credits":null,"individual_limit":null,"spend_control_reached":null,"plan_type":null,"rate_limit_reached_type":null}}}"#;

    #[test]
    fn the_current_shape() {
        let windows = snapshot(CURRENT.as_bytes()).expect("a snapshot");
        assert_eq!(windows.len(), 2);
        assert_eq!(windows[0].window_minutes, Some(300));
        assert_eq!(windows[0].used, Used::Percent(42.0));
        assert_eq!(windows[0].resets_at, Some(1_796_570_777));
        assert_eq!(windows[0].observed_at, 1_796_567_177);
        assert_eq!(windows[1].label(), "weekly");
    }

    #[test]
    fn the_relative_and_the_flat_shapes_of_older_releases() {
        // RateLimitWindow with `resets_in_seconds` (codex-rs protocol, 2025).
        let relative = r#"{"timestamp":"2025-10-01T10:00:00Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"primary":{"used_percent":12.5,"window_minutes":300,"resets_in_seconds":600},"secondary":null}}}"#;
        let windows = snapshot(relative.as_bytes()).expect("a snapshot");
        let at = clock::parse_rfc3339("2025-10-01T10:00:00Z").expect("time");
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].resets_at, Some(at + 600));
        // RateLimitSnapshotEvent, the first shape.
        let flat = r#"{"timestamp":"2025-09-01T10:00:00Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"primary_used_percent":90.0,"secondary_used_percent":30.0,"primary_to_secondary_ratio_percent":3.0,"primary_window_minutes":299,"secondary_window_minutes":10079,"primary_reset_after_seconds":60}}}"#;
        let windows = snapshot(flat.as_bytes()).expect("a snapshot");
        assert_eq!(windows.len(), 2);
        assert_eq!(windows[0].used, Used::Percent(90.0));
        assert_eq!(windows[1].resets_at, None);
    }

    #[test]
    fn lines_that_say_nothing_of_the_account() {
        let premium = CURRENT.replace(r#""limit_id":"codex""#, r#""limit_id":"premium""#);
        let ended = r#"{"timestamp":"2026-12-06T14:26:17.131Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":{"limit_id":"codex","primary":null,"secondary":null}}}"#;
        let no_limits = r#"{"timestamp":"2026-12-06T14:26:17.131Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":null}}"#;
        let other = CURRENT.replace(r#""type":"event_msg""#, r#""type":"response_item""#);
        let broken = CURRENT.replace("42.0", "142.0").replace("77.0", "-1");
        for line in [
            &premium,
            ended,
            no_limits,
            &other,
            &broken,
            "{",
            "",
            "token_count",
        ] {
            assert_eq!(snapshot(line.as_bytes()), None, "{line}");
        }
    }

    #[test]
    fn the_newest_snapshot_of_the_newest_sessions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sessions = dir.path();
        let day = |d: &str| {
            let path = sessions.join("2026/12").join(d);
            fs::create_dir_all(&path).expect("mkdir");
            path
        };
        let older = CURRENT
            .replace("42.0", "10.0")
            .replace("14:26:17", "09:00:00");
        fs::write(day("05").join("rollout-a.jsonl"), format!("{older}\n")).expect("write");
        let newer = format!(
            "{CURRENT}\n{{\"type\":\"event_msg\",\"payload\":{{\"type\":\"task_complete\"}}}}\n"
        );
        fs::write(day("06").join("rollout-b.jsonl"), newer).expect("write");
        fs::write(day("06").join("notes.txt"), CURRENT).expect("write");
        let Reading::Windows(windows) = newest(sessions) else {
            panic!("no snapshot");
        };
        assert_eq!(windows[0].used, Used::Percent(42.0));
        assert_eq!(newest(&sessions.join("missing")), Reading::NoRecord);
    }

    #[test]
    fn a_resumed_session_of_an_older_day_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sessions = dir.path();
        let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
        // A week and more of newer day folders, each written long ago.
        for day in 1..=10 {
            let folder = sessions.join(format!("2026/12/{day:02}"));
            fs::create_dir_all(&folder).expect("mkdir");
            let path = folder.join("rollout-new.jsonl");
            let line = CURRENT
                .replace("42.0", "10.0")
                .replace("2026-12-06", &format!("2026-12-{day:02}"));
            fs::write(&path, format!("{line}\n")).expect("write");
            File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(long_ago))
                .expect("set mtime");
        }
        // A session begun in November and resumed last: its rollout was
        // written to most recently.
        let folder = sessions.join("2026/11/20");
        fs::create_dir_all(&folder).expect("mkdir");
        let resumed = CURRENT
            .replace("42.0", "100.0")
            .replace("2026-12-06", "2026-12-11");
        fs::write(folder.join("rollout-old.jsonl"), format!("{resumed}\n")).expect("write");
        let Reading::Windows(windows) = newest(sessions) else {
            panic!("no snapshot");
        };
        assert_eq!(windows[0].used, Used::Percent(100.0));
    }
}
