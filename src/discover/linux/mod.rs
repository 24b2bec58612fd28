//! Tracing on Linux (and WSL2): strace, each step in a copy-on-write view of
//! the real file system where the kernel allows one.

mod strace;

pub use strace::{Strace, ptrace_problem};
