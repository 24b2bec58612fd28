//! Claude Code's own record of what it used. It logs every message of a
//! session to `$CLAUDE_CONFIG_DIR/projects/<project>/<session>.jsonl` (and a
//! subagent's to `<session>/subagents/<agent>.jsonl`); an answer's line
//! carries the tokens it took:
//!
//! ```json
//! {"type":"assistant","timestamp":"2026-12-06T14:26:17.131Z","requestId":"req_1",
//!  "message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":10,
//!  "output_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}
//! ```
//!
//! The limit itself is not written anywhere, so swop counts the tokens of
//! the current 5-hour block the way ccusage does (ryoppippi/ccusage
//! `src/_session-blocks.ts`, `src/data-loader.ts`): a block starts at the
//! hour of the first message after five hours without one, or after the end
//! of the previous block, and lasts five hours; a message logged twice (the
//! same message id and request id) counts once. Input and output tokens
//! count; cache reads and writes do not.

use std::collections::HashSet;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::Deserialize;

use super::{Reading, Used, Window, clock, tail};

/// A block lasts five hours.
const BLOCK: i64 = 5 * 3600;
/// How far back messages are read: two blocks, enough to place the
/// current one unless the account was busy without a break for longer.
const LOOKBACK: i64 = 2 * BLOCK;
/// Bytes read from the end of each log.
const TAIL: u64 = 16 * 1024 * 1024;

/// One answer's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Message {
    at: i64,
    tokens: u64,
}

/// The tokens of the current 5-hour block under `projects`.
pub fn current_block(projects: &Path, now: i64) -> Reading {
    let logs = recent_logs(projects, now - LOOKBACK);
    if logs.is_empty() {
        return match projects.is_dir() {
            true => Reading::Windows(Vec::new()),
            false => Reading::NoRecord,
        };
    }
    let mut seen = HashSet::new();
    let mut messages = Vec::new();
    for log in logs {
        read_log(&log, now - LOOKBACK, &mut seen, &mut messages);
    }
    Reading::Windows(active_block(messages, now).into_iter().collect())
}

/// The logs changed since `since`: only they can hold messages of the
/// current block. Older logs are not opened.
fn recent_logs(projects: &Path, since: i64) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![(projects.to_path_buf(), 0)];
    while let Some((dir, depth)) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() && depth < 3 {
                pending.push((path, depth + 1));
            } else if kind.is_file()
                && path.extension().is_some_and(|e| e == "jsonl")
                && modified(&entry).is_some_and(|m| m >= since)
            {
                found.push(path);
            }
        }
    }
    found
}

fn modified(entry: &fs::DirEntry) -> Option<i64> {
    let at = entry.metadata().ok()?.modified().ok()?;
    i64::try_from(at.duration_since(UNIX_EPOCH).ok()?.as_secs()).ok()
}

#[derive(Deserialize)]
struct Line {
    timestamp: String,
    #[serde(default, rename = "requestId")]
    request_id: Option<String>,
    message: LoggedMessage,
}

#[derive(Deserialize)]
struct LoggedMessage {
    #[serde(default)]
    id: Option<String>,
    usage: Tokens,
}

#[derive(Deserialize)]
struct Tokens {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
}

/// The answers of one log since `since`, newest first until an older one.
fn read_log(
    path: &Path,
    since: i64,
    seen: &mut HashSet<(String, String)>,
    messages: &mut Vec<Message>,
) {
    let Ok(file) = File::open(path) else { return };
    let _ = tail::lines_backwards(&file, TAIL, |line| {
        let Some(line) = parse(line) else {
            return false;
        };
        let Some(at) = clock::parse_rfc3339(&line.timestamp) else {
            return false;
        };
        if at < since {
            return true;
        }
        if let (Some(id), Some(request)) = (&line.message.id, &line.request_id)
            && !seen.insert((id.clone(), request.clone()))
        {
            return false;
        }
        let usage = &line.message.usage;
        messages.push(Message {
            at,
            tokens: usage.input_tokens.saturating_add(usage.output_tokens),
        });
        false
    });
}

fn parse(line: &[u8]) -> Option<Line> {
    memchr::memmem::find(line, b"\"usage\"")?;
    serde_json::from_slice(line).ok()
}

/// The block that is still running at `now`, as a window.
fn active_block(mut messages: Vec<Message>, now: i64) -> Option<Window> {
    messages.sort();
    let mut start: Option<i64> = None;
    let mut last = i64::MIN;
    let mut tokens = 0u64;
    for message in messages {
        let begins = match start {
            None => true,
            Some(s) => message.at - s > BLOCK || message.at - last > BLOCK,
        };
        if begins {
            start = Some(message.at - message.at.rem_euclid(3600));
            tokens = 0;
        }
        tokens = tokens.saturating_add(message.tokens);
        last = message.at;
    }
    let start = start?;
    let running = now - last < BLOCK && now < start + BLOCK;
    running.then_some(Window {
        window_minutes: Some(BLOCK / 60),
        used: Used::Tokens(tokens),
        resets_at: Some(start + BLOCK),
        observed_at: last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(at: &str, id: &str, input: u64, output: u64) -> String {
        format!(
            r#"{{"parentUuid":null,"isSidechain":false,"type":"assistant","timestamp":"{at}","requestId":"req_{id}","sessionId":"s","message":{{"id":"msg_{id}","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{{"type":"text","text":"hi"}}],"usage":{{"input_tokens":{input},"cache_creation_input_tokens":100,"cache_read_input_tokens":200,"output_tokens":{output}}}}}}}"#
        )
    }

    #[test]
    fn the_current_block_counts_each_answer_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let project = dir.path().join("-home-me-src-app");
        fs::create_dir_all(project.join("s1/subagents")).expect("mkdir");
        let user = r#"{"type":"user","timestamp":"2026-12-06T12:59:00Z","message":{"role":"user","content":"hi"}}"#;
        let log = [
            // An earlier block, more than five hours before the next message.
            line("2026-12-06T05:10:00Z", "a", 1000, 1000),
            user.to_string(),
            line("2026-12-06T12:59:30Z", "b", 10, 5),
            line("2026-12-06T12:59:30Z", "b", 10, 5),
            line("2026-12-06T14:20:00Z", "c", 20, 7),
        ]
        .join("\n");
        fs::write(project.join("s1.jsonl"), log + "\n").expect("write");
        fs::write(
            project.join("s1/subagents/agent.jsonl"),
            line("2026-12-06T14:21:00Z", "d", 3, 2) + "\n",
        )
        .expect("write");
        let now = clock::parse_rfc3339("2026-12-06T15:00:00Z").expect("now");
        let Reading::Windows(windows) = current_block(dir.path(), now) else {
            panic!("no reading");
        };
        let block = windows.first().expect("a block");
        assert_eq!(block.used, Used::Tokens(15 + 27 + 5));
        assert_eq!(
            block.resets_at,
            clock::parse_rfc3339("2026-12-06T17:00:00Z")
        );
        assert_eq!(
            block.observed_at,
            clock::parse_rfc3339("2026-12-06T14:21:00Z").expect("t")
        );
        // Five hours after the block began, it is over.
        let later = clock::parse_rfc3339("2026-12-06T17:30:00Z").expect("later");
        assert_eq!(
            current_block(dir.path(), later),
            Reading::Windows(Vec::new())
        );
        assert_eq!(
            current_block(&dir.path().join("none"), now),
            Reading::NoRecord
        );
    }
}
