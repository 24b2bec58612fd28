//! Signal handling while a root tracer runs: handlers installed for a while,
//! and a tracer stopped before swop dies of a signal.

use std::sync::atomic::{AtomicI32, Ordering};

/// Signal handlers installed for a while, the old ones restored on drop.
pub(super) struct SignalHandlers(Vec<(libc::c_int, libc::sighandler_t)>);

impl SignalHandlers {
    pub(super) fn ignore(signals: &[libc::c_int]) -> Self {
        Self::install(signals.iter().map(|&s| (s, libc::SIG_IGN)))
    }

    fn install(handlers: impl Iterator<Item = (libc::c_int, libc::sighandler_t)>) -> Self {
        SignalHandlers(
            handlers
                // SAFETY: the handlers are SIG_IGN or stop_tracer_and_die, which
                // makes only async-signal-safe calls.
                .map(|(s, h)| (s, unsafe { libc::signal(s, h) }))
                .collect(),
        )
    }
}

impl Drop for SignalHandlers {
    fn drop(&mut self) {
        for &(signal, old) in self.0.iter().rev() {
            // SAFETY: restoring the handler saved when installing.
            unsafe { libc::signal(signal, old) };
        }
    }
}

/// The running tracer's sudo process, for [`stop_tracer_and_die`].
static TRACER_PID: AtomicI32 = AtomicI32::new(0);

/// Stop the tracer, then die of the signal as if swop had no handler.
extern "C" fn stop_tracer_and_die(signal: libc::c_int) {
    let pid = TRACER_PID.load(Ordering::SeqCst);
    // SAFETY: kill, signal and raise are async-signal-safe.
    unsafe {
        if pid > 0 {
            libc::kill(pid, libc::SIGINT);
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// While a tracer runs: Ctrl-C and Ctrl-\ are ignored (the tracer is stopped
/// in order, and the tool gets them while it runs), SIGTERM and SIGHUP stop
/// the tracer before swop dies of them.
pub(super) struct TracerSignals {
    _handlers: SignalHandlers,
}

impl TracerSignals {
    pub(super) fn new(pid: u32) -> Self {
        TRACER_PID.store(i32::try_from(pid).unwrap_or(0), Ordering::SeqCst);
        let die = stop_tracer_and_die as extern "C" fn(libc::c_int) as libc::sighandler_t;
        let handlers = SignalHandlers::install(
            [
                (libc::SIGINT, libc::SIG_IGN),
                (libc::SIGQUIT, libc::SIG_IGN),
                (libc::SIGTERM, die),
                (libc::SIGHUP, die),
            ]
            .into_iter(),
        );
        TracerSignals {
            _handlers: handlers,
        }
    }
}

impl Drop for TracerSignals {
    fn drop(&mut self) {
        TRACER_PID.store(0, Ordering::SeqCst);
    }
}
