//! Signals swop sends: the one way swop stops a process (TERM to all at once,
//! a grace period, then KILL for whoever still runs), and the collecting of
//! its children. What swop does with the signals it receives is in
//! [`super::handlers`].
//!
//! What is stopped is anything [`Stoppable`]: a process told from a later
//! one with its pid by its start ([`Process`]), a process group ([`Group`]),
//! a child swop started ([`std::process::Child`]), or a target with its own
//! way of being signalled (a root tracer reached through sudo).

use std::io;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use super::process;

pub use libc::{SIGKILL, SIGTERM};

/// A signal number.
pub type Signal = libc::c_int;

/// How long a process may take to disappear after SIGKILL.
const AFTER_KILL: Duration = Duration::from_secs(5);

/// Something [`terminate`] can stop.
pub trait Stoppable {
    /// Send `signal`, unless it has ended: whether it was sent.
    fn signal(&mut self, signal: Signal) -> io::Result<bool>;
    /// Whether it has ended.
    fn ended(&mut self) -> bool;
}

impl<S: Stoppable + ?Sized> Stoppable for &mut S {
    fn signal(&mut self, signal: Signal) -> io::Result<bool> {
        (**self).signal(signal)
    }
    fn ended(&mut self) -> bool {
        (**self).ended()
    }
}

impl<S: Stoppable + ?Sized> Stoppable for Box<S> {
    fn signal(&mut self, signal: Signal) -> io::Result<bool> {
        (**self).signal(signal)
    }
    fn ended(&mut self) -> bool {
        (**self).ended()
    }
}

/// How a target ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It had ended by itself before anything was sent.
    Gone,
    /// It ended after SIGTERM.
    Terminated,
    /// It needed SIGKILL.
    Killed,
}

/// Why a target could not be stopped.
#[derive(Debug)]
pub enum Unstopped {
    /// The system refused to signal it.
    Refused(io::Error),
    /// It still runs after SIGKILL (stuck in the kernel).
    Stuck,
}

/// Stop `targets`: SIGTERM to all at once, up to `grace` for them to end,
/// then SIGKILL to those still there. What became of each, in order.
pub fn terminate<T: Stoppable>(
    targets: &mut [T],
    grace: Duration,
) -> Vec<Result<Ending, Unstopped>> {
    let mut outcome: Vec<Option<Result<Ending, Unstopped>>> = Vec::new();
    for target in targets.iter_mut() {
        outcome.push(match target.signal(SIGTERM) {
            Ok(true) => None,
            Ok(false) => Some(Ok(Ending::Gone)),
            Err(e) => Some(Err(Unstopped::Refused(e))),
        });
    }
    wait_for(targets, &outcome, grace);
    for (target, outcome) in targets.iter_mut().zip(outcome.iter_mut()) {
        if outcome.is_some() {
            continue;
        }
        *outcome = match target.signal(SIGKILL) {
            Ok(true) => None,
            Ok(false) => Some(Ok(Ending::Terminated)),
            Err(e) => Some(Err(Unstopped::Refused(e))),
        };
    }
    wait_for(targets, &outcome, AFTER_KILL);
    targets
        .iter_mut()
        .zip(outcome)
        .map(|(target, outcome)| match outcome {
            Some(done) => done,
            None if target.ended() => Ok(Ending::Killed),
            None => Err(Unstopped::Stuck),
        })
        .collect()
}

/// Poll until every target still to be stopped (`None` in `outcome`) has
/// ended, or `limit` passes.
fn wait_for<T: Stoppable>(
    targets: &mut [T],
    outcome: &[Option<Result<Ending, Unstopped>>],
    limit: Duration,
) {
    let deadline = Instant::now() + limit;
    let mut pause = Duration::from_millis(2);
    loop {
        let running = targets
            .iter_mut()
            .zip(outcome)
            .filter(|(_, o)| o.is_none())
            .any(|(t, _)| !t.ended());
        let now = Instant::now();
        if !running || now >= deadline {
            return;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(25));
    }
}

/// Poll until `target` has ended or `limit` passes: whether it ended.
pub fn wait_until_ended(target: &mut dyn Stoppable, limit: Duration) -> bool {
    let mut target = [target];
    wait_for(&mut target, &[None], limit);
    target[0].ended()
}

/// `kill(2)`: whether the signal was sent; a target that is gone is not an error.
fn kill(target: libc::pid_t, signal: Signal) -> io::Result<bool> {
    // SAFETY: kill has no memory effects.
    if unsafe { libc::kill(target, signal) } == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::ESRCH) => Ok(false),
        _ => Err(err),
    }
}

fn pid_t(pid: u32) -> io::Result<libc::pid_t> {
    libc::pid_t::try_from(pid).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))
}

/// One process, and when known its start: a signal goes only to the very
/// process that had it, never to a later one the system gave its pid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    pub stamp: Option<u64>,
}

impl Process {
    fn runs(&self) -> bool {
        match self.stamp {
            Some(stamp) => process::still_running(self.pid, stamp),
            None => process::alive(self.pid),
        }
    }
}

impl Stoppable for Process {
    fn signal(&mut self, signal: Signal) -> io::Result<bool> {
        if !self.runs() {
            return Ok(false);
        }
        kill(pid_t(self.pid)?, signal)
    }

    fn ended(&mut self) -> bool {
        !self.runs()
    }
}

/// A process group, and the exit of its leader when swop collects it (the
/// leader is swop's child and no one else waits for it).
#[derive(Debug)]
pub struct Group {
    pgid: u32,
    leader: Option<ExitStatus>,
}

impl Group {
    pub fn new(pgid: u32) -> Group {
        Group { pgid, leader: None }
    }

    /// How the leader ended, once collected.
    pub fn leader_status(&self) -> Option<ExitStatus> {
        self.leader
    }

    /// Signal every process of the group.
    pub fn send(&self, signal: Signal) -> io::Result<bool> {
        kill(-pid_t(self.pgid)?, signal)
    }
}

impl Stoppable for Group {
    fn signal(&mut self, signal: Signal) -> io::Result<bool> {
        self.send(signal)
    }

    /// The group is gone once its leader is collected and no member is left.
    fn ended(&mut self) -> bool {
        if self.leader.is_none() {
            self.leader = collect(self.pgid);
        }
        matches!(self.send(0), Ok(false))
    }
}

impl Stoppable for Child {
    fn signal(&mut self, signal: Signal) -> io::Result<bool> {
        if self.try_wait()?.is_some() {
            return Ok(false);
        }
        kill(pid_t(self.id())?, signal)
    }

    fn ended(&mut self) -> bool {
        !matches!(self.try_wait(), Ok(None))
    }
}

/// Collect the exit of `pid` if it is a child of swop's that has ended.
fn collect(pid: u32) -> Option<ExitStatus> {
    use std::os::unix::process::ExitStatusExt;
    let pid = pid_t(pid).ok()?;
    let mut status = 0;
    // SAFETY: waitpid on one pid, WNOHANG; ECHILD for non-children is fine.
    let got = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    (got == pid).then(|| ExitStatus::from_raw(status))
}

/// Collect the exit of those of `pids` that are swop's children, so that they
/// do not linger as zombies.
pub fn reap(pids: &[u32]) {
    for &pid in pids {
        collect(pid);
    }
}

/// Make orphaned descendants (double-forked daemons) children of swop, so that
/// they can be found and reaped. Linux only; elsewhere they stay invisible.
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with integer arguments only.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::Command;

    #[test]
    fn term_then_kill_for_those_that_ignore_term() {
        let polite = Command::new("sleep").arg("30").spawn().expect("sleep");
        let stubborn = Command::new("sh")
            .args(["-c", "trap '' TERM; while :; do sleep 0.05; done"])
            .spawn()
            .expect("sh");
        // Let the trap be set before TERM comes.
        std::thread::sleep(Duration::from_millis(200));
        let mut targets = [polite, stubborn];
        let begun = Instant::now();
        let ended = terminate(&mut targets, Duration::from_millis(300));
        assert!(matches!(ended[0], Ok(Ending::Terminated)), "{ended:?}");
        assert!(matches!(ended[1], Ok(Ending::Killed)), "{ended:?}");
        assert!(begun.elapsed() < Duration::from_secs(4));
        let gone = terminate(&mut targets[..1], Duration::from_millis(100));
        assert!(matches!(gone[0], Ok(Ending::Gone)), "{gone:?}");
    }

    #[test]
    fn a_group_is_stopped_whole_and_its_leader_collected() {
        let mut child = Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30"])
            .process_group(0)
            .spawn()
            .expect("sh");
        let mut group = Group::new(child.id());
        let ended = terminate(std::slice::from_mut(&mut group), Duration::from_secs(2));
        assert!(matches!(ended[0], Ok(Ending::Terminated)), "{ended:?}");
        assert_eq!(
            group.leader_status().and_then(|s| s.signal()),
            Some(SIGTERM)
        );
        // Collected by the group already.
        assert!(child.wait().is_err());
    }

    #[test]
    fn a_later_process_with_the_pid_is_left_alone() {
        let mut child = Command::new("sleep").arg("30").spawn().expect("sleep");
        let stamp = process::info(child.id()).expect("info").stamp;
        let mut other = Process {
            pid: child.id(),
            stamp: Some(stamp + 1),
        };
        assert!(matches!(other.signal(SIGTERM), Ok(false)));
        assert!(child.try_wait().expect("wait").is_none());
        let mut same = Process {
            pid: child.id(),
            stamp: Some(stamp),
        };
        assert!(matches!(same.signal(SIGKILL), Ok(true)));
        assert_eq!(child.wait().expect("wait").signal(), Some(SIGKILL));
    }
}
