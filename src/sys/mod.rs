//! The operating system, where swop needs more of it than std offers:
//! namespaces and mounts, Landlock, the mount table, and a copy-on-write
//! view of the file system built from them.

pub mod cow;
pub mod landlock;
pub mod mountinfo;
pub mod namespace;
pub mod user;
