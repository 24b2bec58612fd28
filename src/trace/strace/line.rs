//! The shape of one line of strace output: its pid prefix, and whether it is
//! a call, a resumed half, an exit or noise.

use super::*;

/// What a line is, once its pid and timestamps are stripped.
pub(super) enum Line<'a> {
    Empty,
    /// `+++ exited with N +++` or `+++ killed by SIG +++`.
    Exit,
    /// `+++ superseded by execve in pid N +++`.
    Superseded(u32),
    /// Signals, strace's own messages, stack traces, a lone `<unfinished ...>`.
    Quiet,
    /// `NAME(` and `body`, everything after the parenthesis.
    Call {
        name: &'a [u8],
        body: &'a [u8],
    },
    /// `<... NAME resumed>` and `body`, everything after it.
    Resumed {
        name: &'a [u8],
        body: &'a [u8],
    },
    Garbage,
}

pub(super) fn classify(rest: &[u8]) -> Line<'_> {
    let Some(&first) = rest.first() else {
        return Line::Empty;
    };
    match first {
        b'+' => {
            if rest.starts_with(b"+++ exited with ") || rest.starts_with(b"+++ killed by ") {
                Line::Exit
            } else if let Some(tail) = rest.strip_prefix(b"+++ superseded by execve in pid ") {
                let digits = leading_digits(tail);
                match parse_u32(&tail[..digits]) {
                    Some(pid) => Line::Superseded(pid),
                    None => Line::Quiet,
                }
            } else if rest.starts_with(b"+++ ") {
                Line::Quiet
            } else {
                Line::Garbage
            }
        }
        b'-' if rest.starts_with(b"--- ") => Line::Quiet,
        b'<' => {
            if let Some(tail) = rest.strip_prefix(b"<... ") {
                let n = name_len(tail);
                match tail[n..].strip_prefix(b" resumed>") {
                    Some(body) if n > 0 => Line::Resumed {
                        name: &tail[..n],
                        body,
                    },
                    _ => Line::Garbage,
                }
            } else if rest.starts_with(UNFINISHED) || rest.starts_with(DETACHED) {
                Line::Quiet
            } else {
                Line::Garbage
            }
        }
        b'>' => Line::Quiet,
        b's' if rest.starts_with(b"strace: ") => Line::Quiet,
        b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
            let n = name_len(rest);
            match rest.get(n) {
                Some(b'(') => Line::Call {
                    name: &rest[..n],
                    body: &rest[n + 1..],
                },
                _ => Line::Garbage,
            }
        }
        _ => Line::Garbage,
    }
}

/// Split off the pid prefix (`123 ` or `[pid  123] `) and any timestamps or
/// bracketed fields (`-t`, `-tt`, `-ttt`, `-r`, `-n`, `-i`).
///
/// With `pid_given`, a leading number is a timestamp, never a pid.
pub(super) fn split_prefix(line: &[u8], pid_given: bool) -> (Option<u32>, &[u8]) {
    let mut s = trim_start(line);
    let mut pid = None;
    if let Some(tail) = s.strip_prefix(b"[pid") {
        let tail = trim_start(tail);
        let (n, end, value) = pid_len(tail);
        if n > 0 && tail.get(end) == Some(&b']') {
            pid = value;
            s = &tail[end + 1..];
        }
    } else if !pid_given {
        let (n, end, value) = pid_len(s);
        if n > 0
            && matches!(s.get(end), Some(b' ' | b'\t'))
            && let Some(p) = value
        {
            pid = Some(p);
            s = &s[end..];
        }
    }
    for _ in 0..6 {
        s = trim_start(s);
        match s.first() {
            Some(b'0'..=b'9') => {
                let end = s
                    .iter()
                    .position(|&c| c == b' ' || c == b'\t')
                    .unwrap_or(s.len());
                s = &s[end..];
            }
            Some(b'[') => match memchr(b']', s) {
                Some(end) => s = &s[end + 1..],
                None => break,
            },
            _ => break,
        }
    }
    (pid, s)
}

/// Digits of a pid, the end of the pid field, which `-Y` extends with the
/// command name (`123<sh>`), and the pid (`None` when too big).
pub(super) fn pid_len(s: &[u8]) -> (usize, usize, Option<u32>) {
    // Held at 2^32 once past `u32::MAX`.
    const TOO_BIG: u64 = 1 << 32;
    let mut value = 0u64;
    let mut n = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            break;
        }
        value = (value * 10 + u64::from(c - b'0')).min(TOO_BIG);
        n += 1;
    }
    let value = u32::try_from(value).ok();
    if n > 0
        && s.get(n) == Some(&b'<')
        && let Some(close) = memchr(b'>', &s[n..])
    {
        return (n, n + close + 1, value);
    }
    (n, n, value)
}
