//! The operating system, where swop needs more of it than std offers, behind
//! one interface for Linux and macOS: processes and their environments,
//! signals, the kernel's file locks, the machine's facts; and namespaces,
//! mounts, Landlock and the copy-on-write view of the file system built from
//! them. Every /proc read and every signal swop sends is here.
//!
//! Nothing here knows profiles, stores or tools: it answers in the system's
//! terms (pids, descriptors, paths, errno) and the layers above decide.

// Namespaces, overlays and Landlock are Linux's; elsewhere these stand
// unused behind the checks that say so.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub mod cow;
pub mod flock;
pub mod handlers;
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub mod landlock;
pub mod machine;
pub mod mountinfo;
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub mod namespace;
pub mod process;
pub mod read_only;
pub mod signal;
