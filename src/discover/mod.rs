//! `swop discover`: trace a tool, classify what it touches, find and prove the
//! smallest set of variables that keeps two accounts apart, and report.

pub mod redact;
pub mod system;
pub mod tracer;
