//! Running the traced tool: a process group of its own, and the terminal's
//! foreground while it runs.

use std::fs;
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus};
use std::time::Duration;

use super::super::tracer::{Exit, Output};
use super::signals::SignalHandlers;
use crate::error::{Error, Result};

/// Run the tool in a process group of its own (eslogger mutes the group it
/// runs in, which is swop's) and wait for it; its exit and pid. When swop owns
/// the terminal, the tool's group gets the foreground while it runs: Ctrl-C and
/// /dev/tty reach the tool, not the tracer.
pub(super) fn run_tool(mut cmd: Command, output: Output) -> Result<(Exit, u32)> {
    output.connect(&mut cmd)?;
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
    let _ignored = SignalHandlers::ignore(&[libc::SIGINT, libc::SIGQUIT, libc::SIGTTOU]);
    let take_back = || {
        if let Some(fd) = tty_fd {
            // SAFETY: fd is open (tty lives until the end of this function).
            unsafe { libc::tcsetpgrp(fd, libc::getpgrp()) };
        }
    };
    let program = cmd.get_program().to_string_lossy().into_owned();
    let child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            take_back();
            return Err(Error::user(format!("cannot run {program}: {e}")));
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
    let status = wait_keeping_running(pid, tty_fd);
    take_back();
    drop(child);
    drop(tty);
    Ok((Exit::from(status?), pid as u32))
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

/// Wait for the tool to end. A tool stopped by Ctrl-Z or by touching the
/// terminal from the background is continued: swop cannot be suspended with it.
fn wait_keeping_running(pid: libc::pid_t, tty_fd: Option<i32>) -> Result<ExitStatus> {
    loop {
        let mut status = 0;
        // SAFETY: status is a valid out pointer; pid is our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WUNTRACED) };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Error::Io {
                context: "cannot wait for the traced tool".into(),
                source: e,
            });
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
            // SAFETY: signalling our own child's process group.
            unsafe { libc::kill(-pid, libc::SIGCONT) };
            continue;
        }
        return Ok(ExitStatus::from_raw(status));
    }
}
