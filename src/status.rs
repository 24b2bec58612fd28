//! Who is logged in: a tool's status command run inside a profile, the way
//! `swop exec` would run it, with a time limit and its output redacted.
//!
//! A command the recipe marks read-only (`codex login status`) runs without
//! the lock, beside a session; any other takes the profile's lock shared, so
//! it never runs while an exclusive holder (a session, `rm`) has it, and says
//! so instead of waiting.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::entry::{Entry, Holder, Options};
use crate::lock::LockMode;
use crate::recipe::StatusCommand;
use crate::store::{Profile, Store};

/// How long a status command may take: some ask a server.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Output kept of a status command; the rest is read and dropped.
const OUTPUT_LIMIT: usize = 64 * 1024;
/// The longest detail shown.
const DETAIL_LIMIT: usize = 160;
/// How long a status command past its time gets to end after SIGTERM.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// One profile's answer, as `swop status --json` prints it.
#[derive(Debug, Serialize)]
pub struct ProfileStatus {
    pub profile: String,
    pub tools: Vec<ToolStatus>,
}

/// One tool's answer: logged in or not, `null` when it could not be told.
#[derive(Debug, Serialize)]
pub struct ToolStatus {
    pub tool: String,
    pub logged_in: Option<bool>,
    /// One line: the identity or state the tool printed (redacted), or why
    /// there is no answer.
    pub detail: String,
    /// What the tool last recorded of its limits in the profile; the JSON
    /// shows its windows (none when unknown), see [`crate::usage`].
    #[serde(serialize_with = "crate::usage::serialize_windows")]
    pub usage: crate::usage::Reading,
}

/// What a finished (or stopped) command left.
struct Captured {
    /// `None` when it was stopped for taking too long.
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Ask `tool` in `profile` who is logged in.
pub fn probe(store: &Store, profile: &Profile, tool: &str, command: &StatusCommand) -> ToolStatus {
    let answer = |logged_in, detail: String| ToolStatus {
        tool: tool.to_string(),
        logged_in,
        detail,
        usage: crate::usage::Reading::NotRead,
    };
    let argv: Vec<std::ffi::OsString> = command.argv.iter().map(Into::into).collect();
    let read_only = crate::recipe::read_only_tool(store, &profile.tools, &argv).is_some();
    let mode = if read_only {
        LockMode::None
    } else {
        LockMode::Shared
    };
    // Held until the command is done; the command itself does not inherit
    // it. Inside `swop shell` the shell's own lock counts.
    let options = Options {
        mode,
        wait: None,
        what: "swop status",
        holder: Holder::Swop,
    };
    let entered = Entry::command(store, profile, &options)
        .and_then(|entry| command_in(&entry, command.argv).map(|cmd| (entry, cmd)));
    let (_entry, mut cmd) = match entered {
        Ok(entered) => entered,
        Err(err) => return answer(None, one_line(&err.to_string())),
    };
    let child = match cmd.spawn() {
        Ok(child) => child,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return answer(
                None,
                format!("{} is not installed (not found on PATH)", command.argv[0]),
            );
        }
        Err(err) => return answer(None, format!("cannot run {}: {err}", command.argv[0])),
    };
    let captured = capture(child, TIMEOUT);
    let Some(status) = captured.status else {
        return answer(
            None,
            format!("no answer within {} s: stopped", TIMEOUT.as_secs()),
        );
    };
    let detail = one_line(&pick_line(
        &captured.stdout,
        &captured.stderr,
        command.shows,
    ));
    if let Some(signal) = status.signal() {
        return answer(None, format!("ended by signal {signal}: {detail}"));
    }
    let printed = captured.stdout.iter().any(|b| !b.is_ascii_whitespace());
    let logged_in = status.success() && (printed || !command.needs_output);
    answer(Some(logged_in), detail)
}

/// The command, with the profile's environment (as `swop exec` gives it),
/// stdin from /dev/null and its own process group, so that a stop reaches
/// everything it started.
fn command_in(entry: &Entry, argv: &[&str]) -> crate::Result<Command> {
    let mut cmd = Command::new(argv[0]);
    cmd.args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    entry.apply(&mut cmd)?;
    Ok(cmd)
}

/// Wait for `child` up to `timeout` while reading its output; past it, stop
/// its process group (TERM, then KILL). Output still open a moment after the child is gone
/// (a daemon it started holds the pipe) is taken as far as it was read.
fn capture(mut child: Child, timeout: Duration) -> Captured {
    let (done, finished) = mpsc::channel();
    let pipes: [Option<Box<dyn Read + Send>>; 2] = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    let kept: [Arc<Mutex<Vec<u8>>>; 2] = Default::default();
    for (pipe, kept) in pipes.into_iter().zip(kept.iter().cloned()) {
        let done = done.clone();
        std::thread::spawn(move || {
            if let Some(mut pipe) = pipe {
                let mut buf = [0u8; 8192];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut kept) = kept.lock() {
                        let room = OUTPUT_LIMIT.saturating_sub(kept.len());
                        kept.extend_from_slice(&buf[..n.min(room)]);
                    }
                }
            }
            let _ = done.send(());
        });
    }
    drop(done);
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let mut group = crate::sys::signal::Group::new(child.id());
                crate::sys::signal::terminate(std::slice::from_mut(&mut group), STOP_GRACE);
                if group.leader_status().is_none() {
                    let _ = child.wait();
                }
                break None;
            }
        }
    };
    let until = Instant::now() + Duration::from_secs(1);
    for _ in 0..2 {
        if finished
            .recv_timeout(until.saturating_duration_since(Instant::now()))
            .is_err()
        {
            break;
        }
    }
    let take = |kept: &Arc<Mutex<Vec<u8>>>| kept.lock().map(|k| k.clone()).unwrap_or_default();
    Captured {
        status,
        stdout: take(&kept[0]),
        stderr: take(&kept[1]),
    }
}

/// The line worth showing: the first (stdout before stderr) holding one of
/// `shows`, else the first line of stdout, else of stderr.
fn pick_line(stdout: &[u8], stderr: &[u8], shows: &[&str]) -> String {
    let lines = |bytes: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let (out, err) = (lines(stdout), lines(stderr));
    out.iter()
        .chain(&err)
        .find(|l| shows.iter().any(|w| l.contains(w)))
        .or(out.first())
        .or(err.first())
        .cloned()
        .unwrap_or_default()
}

/// Text fit for one line on a terminal or in JSON: secrets redacted,
/// control characters escaped, cut to a readable length.
fn one_line(text: &str) -> String {
    let redacted = crate::redact::redact_text(text.lines().next().unwrap_or(""));
    let line = crate::output::printable_line(&redacted).into_owned();
    match line.char_indices().nth(DETAIL_LIMIT) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marked_line_is_shown_else_the_first() {
        let err = b"WARNING: no helper links\nAPI key configured - sk-t***\nmore\n";
        assert_eq!(
            pick_line(b"", err, &["API key"]),
            "API key configured - sk-t***"
        );
        assert_eq!(
            pick_line(b"\n  me@example.org \n", err, &[]),
            "me@example.org"
        );
        assert_eq!(pick_line(b"", b"", &["x"]), "");
    }

    #[test]
    fn details_are_one_short_redacted_line() {
        let long = "x".repeat(DETAIL_LIMIT + 10);
        assert_eq!(one_line(&long).chars().count(), DETAIL_LIMIT + 1);
        assert_eq!(one_line("a\u{1b}[31mb\nsecond"), "a\\u{1b}[31mb");
        let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        assert!(!one_line(&format!("token {token}")).contains(token));
    }

    #[test]
    fn output_held_open_by_a_daemon_is_taken_as_far_as_it_was_read() {
        let child = Command::new("sh")
            .args(["-c", "echo hi; sleep 30 &"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("sh");
        let pgid = child.id();
        let begun = Instant::now();
        let captured = capture(child, Duration::from_secs(5));
        assert!(captured.status.is_some_and(|s| s.success()));
        assert_eq!(captured.stdout, b"hi\n");
        assert!(begun.elapsed() < Duration::from_secs(4));
        let _ = crate::sys::signal::Group::new(pgid).send(crate::sys::signal::SIGKILL);
    }

    #[test]
    fn a_command_past_its_time_is_stopped_with_what_it_started() {
        let child = Command::new("sh")
            .args(["-c", "echo started; sleep 30 & sleep 30"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("sh");
        let begun = Instant::now();
        let captured = capture(child, Duration::from_millis(300));
        assert!(captured.status.is_none());
        assert!(begun.elapsed() < Duration::from_secs(5));
        assert_eq!(captured.stdout, b"started\n");
    }
}
