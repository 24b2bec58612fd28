//! The entry point. swop runs on every shell switch (`swop env`) and every
//! wrapped tool (`swop exec`), so it starts without std's runtime set-up: that
//! set-up (a stack guard read from /proc/self/maps, a poll of the standard
//! descriptors) costs more than the work. The two parts swop needs are done
//! here: closed standard descriptors are reopened on /dev/null, and SIGPIPE is
//! ignored so a closed pipe is an error and not a death.
#![cfg_attr(not(test), no_main)]

#[cfg(not(test))]
#[unsafe(no_mangle)]
pub extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    reopen_closed_standard_fds();
    // SAFETY: setting a signal to be ignored has no preconditions.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    swop::main()
}

/// Put /dev/null where descriptor 0, 1 or 2 is closed, before anything else
/// is opened: otherwise the next file swop opens (the profile's lock) would
/// become the missing stdin, stdout or stderr, and a command's output would
/// land in it. Without /dev/null swop cannot run safely, and stops, as std does.
#[cfg(not(test))]
fn reopen_closed_standard_fds() {
    let reopen = || {
        // SAFETY: a constant NUL-terminated path; open returns the lowest free
        // descriptor, which is the closed one being filled.
        if unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) } == -1 {
            // SAFETY: abort has no preconditions.
            unsafe { libc::abort() };
        }
    };
    let errno = || std::io::Error::last_os_error().raw_os_error();
    // One poll tells about all three on Linux; macOS's poll mishandles some
    // devices, so there (and if poll fails) each is asked on its own.
    #[cfg(target_os = "linux")]
    {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        loop {
            // SAFETY: three valid pollfd entries, no waiting.
            if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } != -1 {
                let closed = fds.iter().filter(|p| p.revents & libc::POLLNVAL != 0);
                closed.for_each(|_| reopen());
                return;
            }
            if errno() != Some(libc::EINTR) {
                break;
            }
        }
    }
    for fd in 0..3 {
        // SAFETY: F_GETFD only reads the descriptor's flags.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 && errno() == Some(libc::EBADF) {
            reopen();
        }
    }
}
