//! Running one step of a discovery, bounded and cleaned up.
//!
//! A step gets a time limit, ends when swop is told to stop (Ctrl-C, SIGTERM,
//! SIGHUP), and leaves nothing behind: once its main process has exited, what
//! it started gets a short grace period and is then stopped (TERM, then KILL).
//! A daemon escapes a process tree by forking twice and calling setsid, so the
//! step's processes are found by a marker in their environment, which every
//! descendant inherits however it detaches; on Linux swop is also a child
//! subreaper, so orphans are re-parented to it and can be reaped.

use std::path::Path;
use std::process::Child;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::model::Ended;
use crate::error::{Error, Result};
use crate::sys::process;
use crate::sys::signal::{self, Stoppable};

/// The environment variable that marks a step's processes.
pub const MARKER_VAR: &str = "SWOP_DISCOVER_STEP";

/// A fresh marker value for one step of one account.
pub fn new_marker() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Fail with [`Error::Interrupted`] if swop was told to stop (see
/// [`crate::sys::handlers::StopSignals`]).
pub fn check_stop() -> Result<()> {
    match crate::sys::handlers::stop_pending() {
        None => Ok(()),
        Some(signal) => Err(Error::Interrupted(signal)),
    }
}

/// How long a step may run and how long what it left behind may linger.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Option<Duration>,
    pub grace: Duration,
}

/// Which processes belong to one step.
#[derive(Debug, Clone)]
pub struct StepProcesses<'a> {
    /// The value of [`MARKER_VAR`] given to the step.
    pub marker: &'a str,
    /// The tracer's program (canonical), whose process outlives the step on
    /// purpose and is waited for, not stopped.
    pub tracer: Option<&'a Path>,
    /// Whether swop's own children count as the step's: true when only one
    /// step runs at a time, so orphans re-parented to swop are this step's.
    pub orphans: bool,
}

/// Wait for a step's main process, enforcing `limits`, then stop whatever of
/// the step is left.
pub fn supervise(mut child: Child, step: &StepProcesses, limits: Limits) -> Result<Ended> {
    let start = Instant::now();
    let main = child.id();
    let tracer = step.tracer;
    let mut timed_out = false;
    let mut stopped = Vec::new();
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(wait_error)? {
            break status;
        }
        if let Err(stop) = check_stop() {
            let _ = stop_with_main(
                &mut child,
                &step_processes(step, main),
                Duration::from_millis(500),
            );
            finish_tracer(tracer);
            return Err(stop);
        }
        if limits.timeout.is_some_and(|t| start.elapsed() >= t) {
            timed_out = true;
            let others = step_processes(step, main);
            stopped.extend(others.iter().map(|pid| command_line(*pid)));
            break stop_with_main(&mut child, &others, Duration::from_secs(2))
                .map_err(wait_error)?;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(25));
    };
    let duration = start.elapsed();
    stopped.extend(stop_leftovers(step, main, limits.grace)?);
    finish_tracer(tracer);
    if step.orphans {
        // Orphans that died on their own (strace -D's short-lived middle
        // process among them) are swop's to reap.
        reap(&own_children());
    }
    Ok(Ended {
        exit: status.into(),
        timed_out,
        stopped,
        duration,
    })
}

fn wait_error(source: std::io::Error) -> Error {
    Error::Io {
        action: "cannot wait for the traced command",
        path: None,
        source,
    }
}

/// Give what the step left running `grace` to end by itself, then stop it.
pub fn stop_leftovers(step: &StepProcesses, main: u32, grace: Duration) -> Result<Vec<String>> {
    let deadline = Instant::now() + grace;
    loop {
        let mut left = step_processes(step, main);
        if left.is_empty() {
            // A process in the middle of an exec shows no environment for a
            // moment: look once more before calling the step done.
            std::thread::sleep(Duration::from_millis(3));
            left = step_processes(step, main);
            if left.is_empty() {
                return Ok(Vec::new());
            }
        }
        if let Err(stop) = check_stop() {
            terminate(&left, Duration::from_millis(500));
            return Err(stop);
        }
        if Instant::now() >= deadline {
            let shown: Vec<String> = left.iter().map(|pid| command_line(*pid)).collect();
            terminate(&left, Duration::from_secs(1));
            return Ok(shown);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The tracer ends once nothing it traces is left; wait for it (its trace
/// must be complete before it is read), and stop it if it hangs.
fn finish_tracer(tracer: Option<&Path>) {
    let Some(tracer) = tracer else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let tracers: Vec<u32> = own_children()
            .into_iter()
            .filter(|pid| is_program(*pid, tracer))
            .collect();
        reap(&tracers);
        let running: Vec<u32> = tracers.into_iter().filter(|p| alive(*p)).collect();
        if running.is_empty() {
            return;
        }
        if Instant::now() >= deadline {
            terminate(&running, Duration::from_millis(500));
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The step's processes other than its main one and the tracer: those with
/// the marker, and (on Linux) orphans re-parented to swop.
fn step_processes(step: &StepProcesses, main: u32) -> Vec<u32> {
    let mut pids = processes_marked(step.marker);
    if step.orphans {
        for pid in own_children() {
            if !pids.contains(&pid) {
                pids.push(pid);
            }
        }
    }
    let me = std::process::id();
    pids.retain(|&pid| {
        pid != main && pid != me && alive(pid) && !step.tracer.is_some_and(|t| is_program(pid, t))
    });
    pids.sort_unstable();
    pids
}

/// Stop the step's main process (a child swop waits for through `child`)
/// together with `others`; how the main process ended.
fn stop_with_main(
    child: &mut Child,
    others: &[u32],
    patience: Duration,
) -> std::io::Result<std::process::ExitStatus> {
    let mut targets: Vec<Box<dyn Stoppable + '_>> = vec![Box::new(&mut *child)];
    targets.extend(
        others
            .iter()
            .filter_map(|&pid| pid_target(pid))
            .map(|target| Box::new(target) as Box<dyn Stoppable>),
    );
    signal::terminate(&mut targets, patience);
    drop(targets);
    reap(others);
    child.wait()
}

/// TERM, then KILL after `patience`; reap those that are swop's children.
fn terminate(pids: &[u32], patience: Duration) {
    let mut targets: Vec<signal::Process> =
        pids.iter().filter_map(|&pid| pid_target(pid)).collect();
    signal::terminate(&mut targets, patience);
    reap(pids);
}

/// A process of the step, by pid and start: found a moment ago, it is
/// signalled while that very process runs, never a later one the system gives
/// its pid during the grace. None once it has ended.
fn pid_target(pid: u32) -> Option<signal::Process> {
    process::info(pid)
        .filter(|i| !i.ended)
        .map(|i| signal::Process {
            pid,
            stamp: Some(i.stamp),
        })
}

fn reap(pids: &[u32]) {
    signal::reap(pids);
}

fn alive(pid: u32) -> bool {
    process::alive(pid)
}

/// A process's command line for the report, redacted.
fn command_line(pid: u32) -> String {
    process::argv(pid)
        .map(|words| crate::redact::command_line(&words))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| format!("process {pid}"))
}

fn is_program(pid: u32, program: &Path) -> bool {
    process::executable(pid).is_some_and(|exe| exe == program)
}

/// Stop every child swop still has: after steps that ran side by side, none
/// should be left.
pub fn stop_own_children() {
    let left: Vec<u32> = own_children().into_iter().filter(|p| alive(*p)).collect();
    terminate(&left, Duration::from_millis(500));
    reap(&own_children());
}

/// The pids of the user's processes whose environment holds the marker.
pub fn processes_marked(marker: &str) -> Vec<u32> {
    process::with_entry(MARKER_VAR, marker)
}

/// Children of swop (orphans land here once swop is a subreaper; Linux).
fn own_children() -> Vec<u32> {
    process::own_children()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn a_step_process_is_signalled_only_while_it_keeps_its_start() {
        let mut child = Command::new("sleep").arg("30").spawn().expect("sleep");
        let target = pid_target(child.id()).expect("running");
        assert_eq!(
            target.stamp,
            Some(process::info(child.id()).expect("info").stamp)
        );
        child.kill().expect("kill");
        child.wait().expect("wait");
        assert_eq!(pid_target(child.id()), None);
    }

    #[test]
    fn a_daemon_in_its_own_session_is_found_and_stopped() {
        let marker = new_marker();
        let child = Command::new("sh")
            .args([
                "-c",
                "setsid sh -c 'exec sleep 300' </dev/null >/dev/null 2>&1 & exit 3",
            ])
            .env(MARKER_VAR, &marker)
            .spawn()
            .expect("sh");
        let step = StepProcesses {
            marker: &marker,
            tracer: None,
            orphans: false,
        };
        let ended = supervise(
            child,
            &step,
            Limits {
                timeout: None,
                grace: Duration::from_millis(200),
            },
        )
        .expect("supervised");
        assert_eq!(ended.exit.code, Some(3));
        assert!(!ended.timed_out);
        assert_eq!(ended.stopped.len(), 1, "{:?}", ended.stopped);
        assert!(
            ended.stopped[0].contains("sleep 300"),
            "{:?}",
            ended.stopped
        );
        assert!(processes_marked(&marker).is_empty());
    }

    #[test]
    fn a_step_past_its_time_limit_is_stopped() {
        let marker = new_marker();
        let child = Command::new("sleep")
            .arg("300")
            .env(MARKER_VAR, &marker)
            .spawn()
            .expect("sleep");
        let step = StepProcesses {
            marker: &marker,
            tracer: None,
            orphans: false,
        };
        let ended = supervise(
            child,
            &step,
            Limits {
                timeout: Some(Duration::from_millis(200)),
                grace: Duration::from_millis(100),
            },
        )
        .expect("supervised");
        assert!(ended.timed_out);
        assert_eq!(ended.exit.signal, Some(libc::SIGTERM));
        assert!(ended.duration < Duration::from_secs(60));
    }
}
