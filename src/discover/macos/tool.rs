//! Running the traced tool: a process group of its own, and the terminal's
//! foreground while it runs.

use std::fs;
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use super::super::model::Ended;
use super::super::model::Exit;
use super::super::step::StepRun;
use super::super::supervise::{self, StepProcesses};
use crate::error::{Discover, Error, Result};
use crate::sys::signal::{self, Group};

/// Run the tool in a process group of its own (eslogger mutes the group it
/// runs in, which is swop's) and wait for it under the step's limits; how it
/// ended and its pid. When swop owns the terminal, the tool's group gets the
/// foreground while it runs: Ctrl-C and /dev/tty reach the tool, not the tracer.
/// What the tool leaves running is stopped after the grace period.
pub(super) fn run_tool(mut cmd: Command, step: &StepRun) -> Result<(Ended, u32)> {
    step.output.connect(&mut cmd)?;
    let tty = foreground_terminal();
    let tty_fd = tty.as_ref().map(AsRawFd::as_raw_fd);
    // SAFETY: only async-signal-safe calls (setpgid, signal, tcsetpgrp, getpid)
    // between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::setpgid(0, 0);
            if let Some(fd) = tty_fd {
                libc::signal(libc::SIGTTOU, libc::SIG_IGN);
                libc::tcsetpgrp(fd, libc::getpid());
            }
            for signal in [libc::SIGINT, libc::SIGQUIT, libc::SIGTTOU, libc::SIGTSTP] {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    let _ignored = crate::sys::handlers::Ignored::signals(&[libc::SIGTTOU]);
    let take_back = || {
        if let Some(fd) = tty_fd {
            // SAFETY: fd is open (tty lives until the end of this function).
            unsafe { libc::tcsetpgrp(fd, libc::getpgrp()) };
        }
    };
    let program = cmd.get_program().to_string_lossy().into_owned();
    let started = Instant::now();
    let child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            take_back();
            return Err(Discover::CannotRun { program, source: e }.into());
        }
    };
    let pid = child.id() as libc::pid_t;
    // Both sides set the group and the foreground, so neither races the other.
    // SAFETY: plain system calls on our own child.
    unsafe {
        libc::setpgid(pid, pid);
        if let Some(fd) = tty_fd {
            libc::tcsetpgrp(fd, pid);
        }
    }
    let waited = wait_keeping_running(pid, tty_fd, step.limits.timeout, started);
    take_back();
    drop(child);
    drop(tty);
    let (status, timed_out) = waited?;
    let processes = StepProcesses {
        marker: step.marker,
        tracer: None,
        orphans: false,
    };
    let stopped = supervise::stop_leftovers(&processes, pid as u32, step.limits.grace)?;
    let ended = Ended {
        exit: Exit::from(status),
        timed_out,
        stopped,
        duration: started.elapsed(),
    };
    Ok((ended, pid as u32))
}

/// The controlling terminal, when swop's process group is in its foreground.
fn foreground_terminal() -> Option<fs::File> {
    let tty = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    // SAFETY: plain system calls on an open descriptor.
    let ours = unsafe { libc::tcgetpgrp(tty.as_raw_fd()) == libc::getpgrp() };
    ours.then_some(tty)
}

/// Wait for the tool to end: whether it was stopped at `timeout`. A tool
/// stopped by Ctrl-Z or by touching the terminal from the background is
/// continued: swop cannot be suspended with it. When swop is told to stop,
/// the tool's group is stopped first.
fn wait_keeping_running(
    pid: libc::pid_t,
    tty_fd: Option<i32>,
    timeout: Option<Duration>,
    started: Instant,
) -> Result<(ExitStatus, bool)> {
    let mut timed_out = false;
    let mut pause = Duration::from_millis(1);
    loop {
        let mut status = 0;
        // SAFETY: status is a valid out pointer; pid is our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WUNTRACED | libc::WNOHANG) };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Error::Io {
                action: "cannot wait for the traced tool",
                path: None,
                source: e,
            });
        }
        if r == 0 {
            if let Err(stop) = supervise::check_stop() {
                stop_group(pid);
                return Err(stop);
            }
            if !timed_out && timeout.is_some_and(|t| started.elapsed() >= t) {
                timed_out = true;
                if let Some(status) = stop_group(pid) {
                    return Ok((status, timed_out));
                }
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(25));
            continue;
        }
        if libc::WIFSTOPPED(status) {
            let signal = libc::WSTOPSIG(status);
            if signal == libc::SIGTTIN || signal == libc::SIGTTOU {
                match tty_fd {
                    // SAFETY: plain system call on an open descriptor.
                    Some(fd) => unsafe {
                        libc::tcsetpgrp(fd, pid);
                    },
                    None => std::thread::sleep(Duration::from_millis(200)),
                }
            }
            let _ = Group::new(pid as u32).send(libc::SIGCONT);
            continue;
        }
        return Ok((ExitStatus::from_raw(status), timed_out));
    }
}

/// Stop the tool's process group; the tool's exit, when it was collected
/// on the way (else the caller collects it).
fn stop_group(pid: libc::pid_t) -> Option<ExitStatus> {
    let mut group = Group::new(pid as u32);
    signal::terminate(std::slice::from_mut(&mut group), Duration::from_secs(2));
    group.leader_status()
}
