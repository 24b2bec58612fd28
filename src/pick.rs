//! `swop exec --pick A,B,...`: run in whichever account can take the work.
//!
//! A candidate is out while one of its windows is at 100% and has not
//! reset; the others are tried by headroom (what is left of the fullest
//! window, with no record counting as all of it), ties in the order given.
//! Trying is taking the profile's lock without waiting: the kernel grants an
//! exclusive lock to one process only, so two picks never land in one
//! exclusive profile. Under the lock the candidate's records are read again,
//! in case it filled up while waiting.

use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::{Error, Full, Note, Passed, Pick, Profile as ProfileError, Result, Usage};
use crate::lock::{CommandLock, LockMode, ProfileLock, Wait};
use crate::store::{Profile, Store};
use crate::usage::{self, Reading, Window};

/// The profiles a `--pick` value names: a group of `config.toml`, or names
/// separated by commas, each once, in order.
pub fn candidates(store: &Store, value: &str, config: &Config) -> Result<Vec<Profile>> {
    let names: Vec<&str> = match config.groups.get(value) {
        Some(members) if !value.contains(',') => members.iter().map(String::as_str).collect(),
        _ => value.split(',').map(str::trim).collect(),
    };
    if names.iter().any(|n| n.is_empty()) {
        return Err(Usage::PickEmptyName(value.to_string()).into());
    }
    let grouped = config.groups.contains_key(value) && !value.contains(',');
    let mut profiles: Vec<Profile> = Vec::new();
    for name in names {
        if profiles.iter().any(|p| p.name == name) {
            continue;
        }
        let profile = store.load(name).map_err(|err| {
            let missing = matches!(
                err,
                Error::Profile {
                    problem: ProfileError::NotFound(_),
                    ..
                }
            );
            if !missing || value.contains(',') {
                err
            } else if grouped {
                err.noted(Note::GroupLists(value.to_string()))
            } else if config.groups.is_empty() {
                err.noted(Note::PickTakes)
            } else {
                err.noted(Note::Groups(config.groups.keys().cloned().collect()))
            }
        })?;
        profiles.push(profile);
    }
    Ok(profiles)
}

/// What is known of one candidate's limits.
struct Standing {
    windows: Vec<Window>,
    /// Records that mix accounts (a shared sessions folder).
    mixed: bool,
}

impl Standing {
    fn of(profile: &Profile, now: i64) -> Standing {
        let mut windows = Vec::new();
        let mut mixed = false;
        for tool in &profile.tools {
            match usage::read(profile, tool, now) {
                Reading::Windows(found) => windows.extend(found),
                Reading::Mixed(_) => mixed = true,
                Reading::NoRecord | Reading::NotRead => {}
            }
        }
        Standing { windows, mixed }
    }

    /// A window at 100% that has not reset.
    fn full(&self, now: i64) -> Option<&Window> {
        self.windows
            .iter()
            .find(|w| w.percent_now(now).is_some_and(|p| p >= 100.0))
    }

    /// What is left of the fullest window, in percent.
    fn headroom(&self, now: i64) -> f64 {
        let used = self
            .windows
            .iter()
            .filter_map(|w| w.percent_now(now))
            .fold(0.0, f64::max);
        100.0 - used
    }

    /// `5h 12%, weekly 40%`, for the line that says why.
    fn summary(&self, now: i64) -> String {
        if self.windows.is_empty() {
            return if self.mixed {
                "usage unknown (its records are shared)".into()
            } else {
                "no usage recorded".into()
            };
        }
        let parts: Vec<String> = self.windows.iter().map(|w| w.brief(now)).collect();
        parts.join(", ")
    }
}

/// The candidate chosen, its lock held, and the line that says why.
pub struct Picked {
    /// Its place among the candidates.
    pub index: usize,
    pub lock: CommandLock,
    pub reason: String,
}

/// Choose among `profiles` and take the chosen one's lock, in the mode
/// `mode_of` gives each; with `wait`, wait for the first to be free.
pub fn choose(
    profiles: &[Profile],
    mode_of: impl Fn(&Profile) -> LockMode,
    wait: Option<Wait>,
    what: &str,
) -> Result<Picked> {
    let now = usage::clock::now();
    let standings: Vec<Standing> = profiles.iter().map(|p| Standing::of(p, now)).collect();
    let mut passed: Vec<Option<Passed>> = standings
        .iter()
        .map(|s| s.full(now).map(|w| Passed::Full(full(w, now))))
        .collect();
    let mut order: Vec<usize> = (0..profiles.len())
        .filter(|i| passed[*i].is_none())
        .collect();
    order.sort_by(|a, b| {
        standings[*b]
            .headroom(now)
            .total_cmp(&standings[*a].headroom(now))
    });
    let deadline = match wait {
        Some(Wait::Seconds(secs)) => crate::lock::deadline_after(secs),
        _ => None,
    };
    let mut pause = Duration::from_millis(5);
    let mut said_waiting = false;
    loop {
        for &i in &order {
            if matches!(passed[i], Some(Passed::Full(_))) {
                continue;
            }
            let profile = &profiles[i];
            let Some(lock) = ProfileLock::try_for_command(profile, mode_of(profile), what)? else {
                passed[i] = Some(Passed::Busy(crate::lock::holders_of(profile)));
                continue;
            };
            // Under the lock: it may have filled up meanwhile.
            let now = usage::clock::now();
            let standing = Standing::of(profile, now);
            if let Some(window) = standing.full(now) {
                passed[i] = Some(Passed::Full(full(window, now)));
                continue;
            }
            let reason = explain(profiles, &standings, &passed, i, &standing, now);
            return Ok(Picked {
                index: i,
                lock,
                reason,
            });
        }
        let busy = passed.iter().any(|p| matches!(p, Some(Passed::Busy(_))));
        let timed_out = deadline.is_some_and(|d| Instant::now() >= d);
        if wait.is_none() || !busy || timed_out {
            return Err(Pick::NoneUsable {
                candidates: profiles
                    .iter()
                    .map(|p| p.name.clone())
                    .zip(passed)
                    .collect(),
                waited: wait.is_some(),
            }
            .into());
        }
        if !said_waiting {
            said_waiting = true;
            let names: Vec<&str> = order.iter().map(|&i| profiles[i].name.as_str()).collect();
            eprintln!(
                "swop: waiting for the first of {} to be free{}",
                names.join(", "),
                match wait {
                    Some(Wait::Seconds(s)) => format!(", up to {s} s"),
                    _ => String::new(),
                }
            );
        }
        let sleep = match deadline {
            Some(d) => pause.min(d.saturating_duration_since(Instant::now())),
            None => pause,
        };
        std::thread::sleep(sleep);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// A full window, and when it resets as a person at `now` reads it.
fn full(window: &Window, now: i64) -> Full {
    Full {
        window: window.label(),
        until: window.resets_at.map(|at| usage::clock::when(at, now)),
    }
}

/// `work is in use; personal 5h 12%`: each candidate in the order given.
fn explain(
    profiles: &[Profile],
    standings: &[Standing],
    passed: &[Option<Passed>],
    picked: usize,
    fresh: &Standing,
    now: i64,
) -> String {
    let parts: Vec<String> = profiles
        .iter()
        .enumerate()
        .map(|(i, p)| match (&passed[i], i == picked) {
            (_, true) => format!("{} {}", p.name, fresh.summary(now)),
            (Some(Passed::Busy(_)), false) => format!("{} is in use", p.name),
            (Some(Passed::Full(full)), false) => format!("{} {full}", p.name),
            (None, false) => format!("{} {}", p.name, standings[i].summary(now)),
        })
        .collect();
    format!("picked {} ({})", profiles[picked].name, parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Used;

    #[test]
    fn a_summary_reads_as_status_does() {
        let window = |minutes, used, resets_at| Window {
            window_minutes: Some(minutes),
            used,
            resets_at,
            observed_at: 0,
        };
        let standing = Standing {
            windows: vec![
                window(300, Used::Percent(42.4), None),
                window(10_080, Used::Percent(7.5), Some(50)),
                window(300, Used::Tokens(1_234_567), None),
            ],
            mixed: false,
        };
        assert_eq!(
            standing.summary(0),
            "5h 42%, weekly 7.5%, 5h block 1,234,567 tokens"
        );
        assert_eq!(
            standing.summary(100),
            "5h 42%, weekly 0%, 5h block 1,234,567 tokens"
        );
    }
}
