//! `swop ps [NAME] [--json]`: the processes running in a profile (or in every
//! profile), whether they hold its lock or not, and since when.

use super::Run;
use crate::cli::PsArgs;
use crate::error::Result;
use serde::Serialize;

use super::print_bytes;
use crate::output::printable_line;
use crate::residents::{Census, Kind, Resident, Unreadable};
use crate::store::Store;

impl Run for PsArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        let census = Census::take(&store);
        let (residents, scope): (Vec<&Resident>, String) = match &self.name {
            Some(name) => {
                let residents: Vec<&Resident> = census.of(name).collect();
                known_or_running(&store, name, !residents.is_empty())?;
                (residents, format!("profile {name:?}"))
            }
            None => (census.all().iter().collect(), "a profile".to_string()),
        };
        let unreadable = census.unreadable_in(&store, self.name.as_deref());
        let rows: Vec<Row> = residents
            .iter()
            .map(|r| Row::resident(r))
            .chain(unreadable.iter().map(|u| Row::unreadable(u)))
            .collect();
        for u in &unreadable {
            eprintln!("swop: {}", printable_line(&u.describe(&scope)));
        }
        if self.json {
            let text = serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n";
            return print_bytes(text.as_bytes());
        }
        if rows.is_empty() {
            match &self.name {
                Some(name) => eprintln!("swop: nothing runs in profile {name:?}"),
                None => eprintln!("swop: nothing runs in any profile"),
            }
            return Ok(());
        }
        print_bytes(table(&rows).as_bytes())
    }
}

/// One process as `ps` shows it: a resident, or one that cannot be read
/// (no profile: it may run in any).
#[derive(Serialize)]
struct Row<'a> {
    profile: Option<&'a str>,
    pid: u32,
    kind: Kind,
    sealed: bool,
    started: Option<u64>,
    command: &'a str,
    /// The command for people (see [`Resident::shown`]).
    #[serde(skip)]
    shown: &'a str,
}

impl<'a> Row<'a> {
    fn resident(r: &'a Resident) -> Self {
        Row {
            profile: Some(&r.profile),
            pid: r.pid,
            kind: r.kind,
            sealed: r.sealed,
            started: r.started,
            command: &r.command,
            shown: &r.shown,
        }
    }

    fn unreadable(u: &'a Unreadable) -> Self {
        Row {
            profile: None,
            pid: u.pid,
            kind: Kind::Unreadable,
            sealed: false,
            started: u.started,
            command: &u.command,
            shown: &u.shown,
        }
    }
}

/// Refuse a profile that neither exists nor has processes: a name of a
/// profile removed while its processes ran is still worth showing.
pub(super) fn known_or_running(store: &Store, name: &str, running: bool) -> Result<()> {
    if running {
        crate::names::check_profile_name(name)?;
        if !store.profile_dir(name).exists() {
            eprintln!(
                "swop: profile {name:?} no longer exists; these processes still run with its environment"
            );
        }
        return Ok(());
    }
    store.load_for_removal(name).map(|_| ())
}

/// How wide a row of the table may be.
const ROW_WIDTH: usize = 100;

/// The room a command keeps however wide the other columns are.
const MIN_COMMAND_WIDTH: usize = 30;

/// One line per process, columns aligned, the command last, fitted to the
/// row (the JSON has it whole).
fn table(rows: &[Row]) -> String {
    let now = now_secs();
    let rows: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                // A process's environment and arguments are anyone's to set.
                r.profile
                    .map_or_else(|| "?".into(), |p| printable_line(p).into_owned()),
                r.pid.to_string(),
                r.started
                    .map_or_else(|| "?".into(), |s| started_label(s, now)),
                if r.sealed {
                    format!("{}, sealed", r.kind.describe())
                } else {
                    r.kind.describe().to_string()
                },
                r.shown.to_string(),
            ]
        })
        .collect();
    let header = ["PROFILE", "PID", "STARTED", "HOW", "COMMAND"].map(String::from);
    let mut widths = [0; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    // A long profile name makes the row longer rather than leave the
    // command no room at all.
    let left = ROW_WIDTH
        .saturating_sub(widths.iter().map(|w| w + 2).sum())
        .max(MIN_COMMAND_WIDTH);
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter().zip(row) {
            out.push_str(&format!("{cell:<width$}  "));
        }
        out.push_str(&crate::output::fit(&row[4], left));
        out.push('\n');
    }
    out
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A start time as `ps` shows one: the local time of day for today, the date
/// before that.
fn started_label(started: u64, now: u64) -> String {
    let (Some(then), Some(today)) = (local_time(started), local_time(now)) else {
        return started.to_string();
    };
    if (then.tm_year, then.tm_yday) == (today.tm_year, today.tm_yday) {
        format!("{:02}:{:02}:{:02}", then.tm_hour, then.tm_min, then.tm_sec)
    } else {
        format!(
            "{}-{:02}-{:02}",
            then.tm_year + 1900,
            then.tm_mon + 1,
            then.tm_mday
        )
    }
}

fn local_time(secs: u64) -> Option<libc::tm> {
    let time = libc::time_t::try_from(secs).ok()?;
    // SAFETY: all-zero is a valid tm, which localtime_r overwrites.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to values we own, alive for the call.
    let ok = unsafe { !libc::localtime_r(&time, &mut tm).is_null() };
    ok.then_some(tm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_today_shows_the_time_an_older_one_the_date() {
        let now = now_secs();
        let label = started_label(now, now);
        assert_eq!(label.len(), 8, "{label}");
        assert_eq!(label.matches(':').count(), 2, "{label}");
        let old = started_label(now - 400 * 24 * 3600, now);
        assert_eq!(old.len(), 10, "{old}");
        assert_eq!(old.matches('-').count(), 2, "{old}");
    }
}
