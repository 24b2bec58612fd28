//! swop's integration tests: one binary, one module per feature.

mod accounts;
mod common;
mod core;
mod direnv;
mod discover;
mod first_steps;
mod folders;
mod hardening;
mod imports;
mod init;
mod install;
mod macos;
mod readme;
mod residents;
mod seal;
mod skips;
mod suite;
mod trust;
mod why;
