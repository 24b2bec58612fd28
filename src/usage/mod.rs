//! How much of each account's limits is used, from what the tools
//! themselves recorded in the profile's folders: codex's rate-limit
//! snapshots in its session files, Claude Code's per-message token counts in
//! its project logs. No network, no credential read, and bounded work: only
//! the newest files are opened, and those from the end.

pub mod claude;
pub mod clock;
pub mod codex;
mod tail;

use std::path::{Path, PathBuf};

use serde::{Serialize, Serializer};

use crate::store::Profile;

/// How much of a window is used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Used {
    /// A share of the limit, 0 to 100 (codex: the server says so).
    Percent(f64),
    /// Tokens counted from the tool's own logs (claude: the limit itself is
    /// not written anywhere).
    Tokens(u64),
}

/// One limit window as last recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub window_minutes: Option<i64>,
    pub used: Used,
    /// When the window starts over, in seconds since the epoch.
    pub resets_at: Option<i64>,
    /// When the tool recorded it, in seconds since the epoch.
    pub observed_at: i64,
}

impl Window {
    /// Whether the window has started over since it was recorded.
    pub fn is_reset(&self, now: i64) -> bool {
        self.resets_at.is_some_and(|at| at <= now)
    }

    /// The share used now, when known: nothing of a window that reset.
    pub fn percent_now(&self, now: i64) -> Option<f64> {
        match self.used {
            Used::Percent(_) if self.is_reset(now) => Some(0.0),
            Used::Percent(p) => Some(p),
            Used::Tokens(_) => None,
        }
    }

    /// `5h`, `weekly`, `2d`, `90min`.
    pub fn label(&self) -> String {
        match self.window_minutes {
            Some(10_080) => "weekly".into(),
            Some(m) if m > 0 && m % 1440 == 0 => format!("{}d", m / 1440),
            Some(m) if m > 0 && m % 60 == 0 => format!("{}h", m / 60),
            Some(m) if m > 0 => format!("{m}min"),
            _ => "window".into(),
        }
    }

    /// One line for people: `5h 42% (resets 14:10)`, `weekly reset at Mon
    /// 09:00 (was 77%)`, `5h block 12,345 tokens (resets 14:10)`.
    pub fn describe(&self, now: i64) -> String {
        let label = self.label();
        let used = self.used.describe();
        match self.resets_at {
            Some(at) if at <= now => {
                format!("{label} reset at {} (was {used})", clock::when(at, now))
            }
            Some(at) => format!("{label} {used} (resets {})", clock::when(at, now)),
            None => format!("{label} {used}"),
        }
    }

    /// What is used now, shortly: `5h 42%`, `5h 0%` once the window reset,
    /// `5h block 12,345 tokens`.
    pub fn brief(&self, now: i64) -> String {
        let used = self.percent_now(now).map_or(self.used, Used::Percent);
        format!("{} {}", self.label(), used.describe())
    }
}

impl Used {
    /// `42%`, `7.5%`, `block 12,345 tokens`.
    pub fn describe(&self) -> String {
        match *self {
            Used::Percent(p) => format!("{}%", round_percent(p)),
            Used::Tokens(t) => format!("block {} tokens", thousands(t)),
        }
    }
}

/// A percentage as people read it: whole unless it is small and not whole.
fn round_percent(p: f64) -> String {
    if p.fract() == 0.0 || p >= 10.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

/// `12345` as `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A window as `swop status --json` prints it.
#[derive(Debug, Serialize)]
pub struct WindowView {
    pub window_minutes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_percent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_tokens: Option<u64>,
    /// RFC 3339, UTC.
    pub resets_at: Option<String>,
    /// RFC 3339, UTC.
    pub observed_at: String,
}

impl From<&Window> for WindowView {
    fn from(w: &Window) -> Self {
        let (used_percent, used_tokens) = match w.used {
            Used::Percent(p) => (Some(p), None),
            Used::Tokens(t) => (None, Some(t)),
        };
        WindowView {
            window_minutes: w.window_minutes,
            used_percent,
            used_tokens,
            resets_at: w.resets_at.map(clock::rfc3339),
            observed_at: clock::rfc3339(w.observed_at),
        }
    }
}

/// A reading as `swop status --json` prints it: its windows, if any.
pub fn serialize_windows<S: Serializer>(reading: &Reading, to: S) -> Result<S::Ok, S::Error> {
    to.collect_seq(reading.windows().iter().map(WindowView::from))
}

/// What could be learnt of one tool's usage in one profile.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// The windows of the newest record.
    Windows(Vec<Window>),
    /// The tool keeps usage records, but none was found.
    NoRecord,
    /// The records are there but cannot be told apart by account.
    Mixed(Unattributable),
    /// swop does not read this tool's usage.
    NotRead,
}

/// Why a profile's records cannot be told apart by account.
#[derive(Debug, Clone, PartialEq)]
pub struct Unattributable {
    /// The shared entry that holds the records (`sessions`).
    pub entry: String,
}

impl Reading {
    pub fn windows(&self) -> &[Window] {
        match self {
            Reading::Windows(windows) => windows,
            _ => &[],
        }
    }
}

/// The tools whose usage swop reads.
pub const TOOLS_WITH_USAGE: [&str; 2] = ["codex", "claude"];

/// The usage of `tool` in `profile`, as of `now`.
pub fn read(profile: &Profile, tool: &str, now: i64) -> Reading {
    let folder = |var: &str| -> Option<PathBuf> {
        profile
            .bindings
            .iter()
            .find(|b| b.var == var && b.file.is_none())
            .map(|b| b.path.clone())
    };
    match tool {
        "codex" => match folder("CODEX_HOME") {
            Some(home) => match shared_entry(&home, "sessions") {
                true => Reading::Mixed(Unattributable {
                    entry: "sessions".into(),
                }),
                false => codex::newest(&home.join("sessions")),
            },
            None => Reading::NotRead,
        },
        "claude" => match folder("CLAUDE_CONFIG_DIR") {
            Some(dir) => match shared_entry(&dir, "projects") {
                true => Reading::Mixed(Unattributable {
                    entry: "projects".into(),
                }),
                false => claude::current_block(&dir.join("projects"), now),
            },
            None => Reading::NotRead,
        },
        _ => Reading::NotRead,
    }
}

/// Whether `entry` of a bound folder is a link (to a shared copy): then
/// every profile sharing it writes its records there.
fn shared_entry(folder: &Path, entry: &str) -> bool {
    std::fs::symlink_metadata(folder.join(entry)).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(minutes: i64, used: Used, resets_at: Option<i64>) -> Window {
        Window {
            window_minutes: Some(minutes),
            used,
            resets_at,
            observed_at: 0,
        }
    }

    #[test]
    fn windows_read_as_the_issue_shows_them() {
        let five = window(300, Used::Percent(42.0), Some(7200));
        assert_eq!(five.label(), "5h");
        assert!(
            five.describe(0).starts_with("5h 42% (resets "),
            "{}",
            five.describe(0)
        );
        assert!(five.describe(8000).starts_with("5h reset at "));
        assert!(five.describe(8000).ends_with("(was 42%)"));
        assert_eq!(five.percent_now(8000), Some(0.0));
        assert_eq!(five.percent_now(100), Some(42.0));
        assert_eq!(
            window(10_080, Used::Percent(7.5), None).describe(0),
            "weekly 7.5%"
        );
        assert_eq!(window(1440, Used::Percent(1.0), None).label(), "1d");
        assert_eq!(window(90, Used::Percent(1.0), None).label(), "90min");
        let block = window(300, Used::Tokens(1_234_567), None);
        assert_eq!(block.describe(0), "5h block 1,234,567 tokens");
        assert_eq!(block.percent_now(0), None);
    }
}
