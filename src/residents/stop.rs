//! Ending residents: SIGTERM to all at once, a grace period, then SIGKILL for
//! whoever still runs. A signal only goes to the very process the census
//! found: its start time is checked right before, so a pid the system has
//! meanwhile given to another process is left alone.

use std::io;
use std::time::{Duration, Instant};

use super::{Resident, still_running};

/// How long a process may take to disappear after SIGKILL.
const AFTER_KILL: Duration = Duration::from_secs(5);

/// How a resident ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It had ended by itself before swop sent anything.
    Gone,
    /// It ended after SIGTERM.
    Terminated,
    /// It needed SIGKILL.
    Killed,
}

/// What became of one resident.
#[derive(Debug)]
pub struct Stopped {
    pub resident: Resident,
    /// How it ended, or why it could not be ended.
    pub ending: Result<Ending, String>,
}

/// End `targets`: SIGTERM, up to `grace` to exit, then SIGKILL.
pub fn stop(targets: &[Resident], grace: Duration) -> Vec<Stopped> {
    let mut done = Vec::new();
    let mut termed = Vec::new();
    for target in targets {
        match signal(target, libc::SIGTERM) {
            Ok(true) => termed.push(target.clone()),
            Ok(false) => done.push(outcome(target, Ok(Ending::Gone))),
            Err(why) => done.push(outcome(target, Err(why))),
        }
    }
    wait_for_all(&termed, grace);
    let mut killed = Vec::new();
    for target in termed {
        match signal(&target, libc::SIGKILL) {
            Ok(true) => killed.push(target),
            Ok(false) => done.push(outcome(&target, Ok(Ending::Terminated))),
            Err(why) => done.push(outcome(&target, Err(why))),
        }
    }
    wait_for_all(&killed, AFTER_KILL);
    for target in killed {
        let ending = if still_running(&target) {
            Err("it still runs after SIGKILL (stuck in the kernel?)".to_string())
        } else {
            Ok(Ending::Killed)
        };
        done.push(outcome(&target, ending));
    }
    done.sort_by_key(|s| (s.resident.profile.clone(), s.resident.pid));
    done
}

fn outcome(resident: &Resident, ending: Result<Ending, String>) -> Stopped {
    Stopped {
        resident: resident.clone(),
        ending,
    }
}

/// Send `sig` if the process still runs: whether it was sent.
fn signal(target: &Resident, sig: libc::c_int) -> Result<bool, String> {
    if !still_running(target) {
        return Ok(false);
    }
    let pid = libc::pid_t::try_from(target.pid).map_err(|e| e.to_string())?;
    // SAFETY: kill has no memory effects; the pid was checked just above.
    if unsafe { libc::kill(pid, sig) } == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::ESRCH) => Ok(false),
        _ => Err(format!("cannot signal it: {err}")),
    }
}

/// Poll until none of `targets` runs any more, or `limit` passes.
fn wait_for_all(targets: &[Resident], limit: Duration) {
    let deadline = Instant::now() + limit;
    let mut pause = Duration::from_millis(5);
    while targets.iter().any(still_running) {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}
