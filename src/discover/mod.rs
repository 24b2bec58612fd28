//! `swop discover`: trace a tool, classify what it touches, find and prove the
//! smallest set of variables that keeps two accounts apart, and report.

pub mod candidates;
pub mod classify;
pub mod cleanroom;
pub mod findings;
pub mod inputs;
pub mod keyring;
pub mod macos;
pub mod markdown;
pub mod method;
pub mod offline;
pub mod privacy;
pub mod private_json;
pub mod redact;
pub mod report;
pub mod runner;
pub mod sandbox;
pub mod scratch;
pub mod snapshot;
pub mod supervise;
pub mod system;
pub mod tracer;
pub mod verdict;
