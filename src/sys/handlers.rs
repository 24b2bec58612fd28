//! Signals swop receives: the stop signals it notes instead of dying of
//! them (so that it can stop what it started first), signals ignored for a
//! while, and swop's own death by a signal, re-raised so that its caller
//! sees one.

use std::sync::atomic::{AtomicI32, Ordering};

use super::signal::{SIGTERM, Signal};

/// The signal that told swop to stop, 0 for none.
static PENDING: AtomicI32 = AtomicI32::new(0);

extern "C" fn note_signal(signal: libc::c_int) {
    PENDING.store(signal, Ordering::SeqCst);
}

const STOP_SIGNALS: [libc::c_int; 4] = [libc::SIGINT, SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// While alive, Ctrl-C, SIGTERM, SIGHUP and SIGQUIT are noted (see
/// [`stop_pending`]) instead of killing swop, so that it can stop what it
/// started and delete what it made first. A program swop starts gets the
/// default handlers back at exec.
pub struct StopSignals {
    old: Vec<(libc::c_int, libc::sigaction)>,
}

impl StopSignals {
    pub fn catch() -> StopSignals {
        let mut old = Vec::new();
        for signal in STOP_SIGNALS {
            // SAFETY: a zeroed sigaction is a valid value; the handler only
            // stores into an atomic, which is async-signal-safe. No SA_RESTART:
            // a blocking call returns early and the flag is seen.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = note_signal as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut action.sa_mask);
                let mut previous: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut previous) == 0 {
                    old.push((signal, previous));
                }
            }
        }
        StopSignals { old }
    }
}

impl Drop for StopSignals {
    fn drop(&mut self) {
        for (signal, previous) in &self.old {
            // SAFETY: restoring the action saved in catch().
            unsafe {
                libc::sigaction(*signal, previous, std::ptr::null_mut());
            }
        }
    }
}

/// The stop signal noted while [`StopSignals`] were caught, if any came.
pub fn stop_pending() -> Option<Signal> {
    match PENDING.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Signals ignored for a while, the old handlers restored on drop.
pub struct Ignored(Vec<(libc::c_int, libc::sighandler_t)>);

impl Ignored {
    pub fn signals(signals: &[Signal]) -> Ignored {
        Ignored(
            signals
                .iter()
                // SAFETY: installing SIG_IGN has no preconditions.
                .map(|&s| (s, unsafe { libc::signal(s, libc::SIG_IGN) }))
                .collect(),
        )
    }
}

impl Drop for Ignored {
    fn drop(&mut self) {
        for &(signal, old) in self.0.iter().rev() {
            // SAFETY: restoring the handler saved when installing.
            unsafe { libc::signal(signal, old) };
        }
    }
}

/// End swop by `signal`, so that its caller sees a death by signal (as a
/// shell does after Ctrl-C); the exit code is the fallback.
pub fn die_of(signal: Signal) -> i32 {
    // SAFETY: restoring the default action and raising a signal at ourselves.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
    128 + signal
}
