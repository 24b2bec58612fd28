//! `swop stop NAME [--timeout SECS]` and `swop stop --all`: end the processes
//! running in a profile (SIGTERM, then SIGKILL after the timeout) and say what
//! was ended. swop never ends its own ancestors, such as the shell it was
//! typed in when that shell runs in the profile: they are named and left.

use std::collections::HashSet;
use std::time::Duration;

use super::Run;
use super::ps::known_or_running;
use crate::cli::StopArgs;
use crate::error::{Command, Result, Stop, Usage};
use crate::residents::{self, Census, Resident, Stopped, Unreadable};
use crate::store::Store;
use crate::sys::signal::{Ending, Unstopped};

/// Censuses after the first catch processes started while swop was stopping
/// (a child forked on SIGTERM, a supervisor's restart); this many at most.
const ROUNDS: usize = 3;

impl Run for StopArgs {
    fn run(&self) -> Result<()> {
        if self.name.is_none() && !self.all {
            return Err(Usage::StopWhat.into());
        }
        let store = Store::open()?;
        let ancestors = crate::sys::process::ancestors();
        let grace = self.timeout;
        let mut census = Census::take(&store);
        if let Some(name) = &self.name {
            known_or_running(&store, name, census.of(name).next().is_some())?;
        }
        let spared: Vec<Resident> = self
            .found(&census)
            .into_iter()
            .filter(|r| ancestors.contains(&r.pid))
            .collect();
        let mut outcomes: Vec<Stopped> = Vec::new();
        let mut left = Vec::new();
        for round in 0..=ROUNDS {
            let failed: HashSet<u32> = outcomes
                .iter()
                .filter(|o| o.ending.is_err())
                .map(|o| o.resident.pid)
                .collect();
            let targets: Vec<Resident> = self
                .found(&census)
                .into_iter()
                .filter(|r| !ancestors.contains(&r.pid) && !failed.contains(&r.pid))
                .collect();
            if targets.is_empty() || round == ROUNDS {
                left = targets;
                break;
            }
            outcomes.extend(residents::stop(&targets, grace));
            census = Census::take(&store);
        }
        let unreached: Vec<&Unreadable> = census.unreadable_in(&store, self.name.as_deref());
        let reported = report(self, outcomes, &spared, &left, grace);
        say_unreached(self, &unreached);
        reported
    }
}

impl StopArgs {
    /// The residents this command is about: the named profile's, or all.
    fn found(&self, census: &Census) -> Vec<Resident> {
        match &self.name {
            Some(name) => census.of(name).cloned().collect(),
            None => census.all().to_vec(),
        }
    }
}

/// Say which processes swop could not reach: they hide their environment,
/// so they may or may not run in the profile, and are left running.
fn say_unreached(args: &StopArgs, unreached: &[&Unreadable]) {
    let scope = match &args.name {
        Some(name) => format!("profile {name:?}"),
        None => "a profile".to_string(),
    };
    for u in unreached {
        eprintln!(
            "swop: could not reach {}; if it does, end it yourself: kill {}",
            crate::output::printable_line(&u.describe(&scope)),
            u.pid
        );
    }
}

/// Say what was ended and what was left; an error if anything could not be ended.
fn report(
    args: &StopArgs,
    outcomes: Vec<Stopped>,
    spared: &[Resident],
    left: &[Resident],
    grace: Duration,
) -> Result<()> {
    let scope = match &args.name {
        Some(name) => format!("profile {name:?}"),
        None => "any profile".to_string(),
    };
    if outcomes.is_empty() && spared.is_empty() && left.is_empty() {
        eprintln!("swop: nothing runs in {scope}");
        return Ok(());
    }
    let mut failures = Vec::new();
    for outcome in outcomes {
        let r = &outcome.resident;
        match outcome.ending {
            Ok(Ending::Gone) => eprintln!("swop: {r} of profile {:?} had ended", r.profile),
            Ok(Ending::Terminated) => eprintln!("swop: stopped {r} of profile {:?}", r.profile),
            Ok(Ending::Killed) => eprintln!(
                "swop: killed {r} of profile {:?}: still running {} s after SIGTERM",
                r.profile,
                grace.as_secs_f64()
            ),
            Err(Unstopped::Refused(err)) => failures.push((r.holder(), Stop::Refused(err))),
            Err(Unstopped::Stuck) => failures.push((r.holder(), Stop::Stuck)),
        }
    }
    for r in spared {
        eprintln!(
            "swop: left {r} of profile {:?} running: this swop runs inside it; exit it to leave the profile",
            r.profile
        );
    }
    for r in left {
        failures.push((r.holder(), Stop::Restarted));
    }
    if failures.is_empty() {
        return Ok(());
    }
    Err(Command::NotStopped {
        profile: args.name.clone(),
        failures,
    }
    .into())
}
