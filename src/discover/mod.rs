//! `swop discover`: trace a tool, classify what it touches, find and prove the
//! smallest set of variables that keeps two accounts apart, and report.

pub(crate) mod bisect;
pub(crate) mod candidates;
pub(crate) mod classify;
pub(crate) mod cleanroom;
pub(crate) mod findings;
pub(crate) mod inputs;
pub(crate) mod keyring;
pub(crate) mod macos;
pub(crate) mod markdown;
pub(crate) mod method;
pub(crate) mod offline;
pub mod privacy;
pub(crate) mod private_json;

pub(crate) mod report;
pub(crate) mod runner;
pub(crate) mod scratch;
pub(crate) mod snapshot;
pub(crate) mod supervise;
pub(crate) mod system;
pub(crate) mod tracer;
pub(crate) mod verdict;
pub(crate) mod world;

/// The OS a trace comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Macos,
}

/// A tracer swop can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracer {
    Strace,
    FsUsage,
    Eslogger,
}
