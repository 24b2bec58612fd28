//! Signal handlers installed for a while: the traced tool's terminal
//! hand-over needs SIGTTOU ignored. Stop signals are noted for the whole
//! discovery (see `supervise::StopSignals`), so that a root tracer is stopped
//! in order before swop dies of them.

/// Signal handlers installed for a while, the old ones restored on drop.
pub(super) struct SignalHandlers(Vec<(libc::c_int, libc::sighandler_t)>);

impl SignalHandlers {
    pub(super) fn ignore(signals: &[libc::c_int]) -> Self {
        Self::install(signals.iter().map(|&s| (s, libc::SIG_IGN)))
    }

    fn install(handlers: impl Iterator<Item = (libc::c_int, libc::sighandler_t)>) -> Self {
        SignalHandlers(
            handlers
                // SAFETY: installing SIG_IGN has no preconditions.
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
