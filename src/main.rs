//! The entry point. swop runs on every shell switch (`swop env`) and every
//! wrapped tool (`swop exec`), so it starts without std's runtime set-up: that
//! set-up (a stack guard read from /proc/self/maps, a poll of the standard
//! descriptors) costs more than the work. The one part swop needs, ignoring
//! SIGPIPE so a closed pipe is an error and not a death, is done here.
#![cfg_attr(not(test), no_main)]

#[cfg(not(test))]
#[unsafe(no_mangle)]
pub extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    // SAFETY: setting a signal to be ignored has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    swop::main()
}
