//! Ending residents, the way swop ends anything ([`crate::sys::signal::terminate`]).
//! A signal only goes to the very process the census found: its start time
//! is checked right before, so a pid the system has meanwhile given to
//! another process is left alone.

use std::time::Duration;

use super::Resident;
use crate::sys::signal::{self, Ending, Unstopped};

/// What became of one resident.
#[derive(Debug)]
pub struct Stopped {
    pub resident: Resident,
    /// How it ended, or why it could not be ended.
    pub ending: Result<Ending, Unstopped>,
}

/// End `targets`: SIGTERM, up to `grace` to exit, then SIGKILL.
pub fn stop(targets: &[Resident], grace: Duration) -> Vec<Stopped> {
    let mut processes: Vec<signal::Process> = targets.iter().map(Resident::process).collect();
    let endings = signal::terminate(&mut processes, grace);
    let mut done: Vec<Stopped> = targets
        .iter()
        .zip(endings)
        .map(|(resident, ending)| Stopped {
            resident: resident.clone(),
            ending,
        })
        .collect();
    done.sort_by_key(|s| (s.resident.profile.clone(), s.resident.pid));
    done
}
