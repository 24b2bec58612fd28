//! swop's integration tests: one binary, one module per feature.

mod accounts;
mod common;
mod core;
mod discover;
mod first_steps;
mod hardening;
mod init;
mod macos;
mod readme;
mod residents;
mod skips;
mod suite;
