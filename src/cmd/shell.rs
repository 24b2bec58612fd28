//! `swop shell NAME`: an interactive `$SHELL` inside a profile, holding the
//! profile's lock (exclusive unless `--lock` says otherwise) until it exits.

use std::ffi::OsString;

use super::Run;
use super::exec::exec_in_profile;
use crate::cli::{LockArgs, ShellArgs};
use crate::error::Result;
use crate::lock::LockMode;

impl Run for ShellArgs {
    fn run(&self) -> Result<()> {
        let shell = std::env::var_os("SHELL")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| OsString::from("/bin/sh"));
        let mode = self.lock.lock.unwrap_or_default();
        let announce = format!(
            "starting {} as profile {:?}, {}",
            shell.to_string_lossy(),
            self.name,
            match mode {
                LockMode::Exclusive => "holding its lock exclusively until you exit",
                LockMode::Shared => "holding its lock shared until you exit",
                LockMode::None => "without its lock; exit to leave",
            }
        );
        let lock = LockArgs {
            lock: Some(mode),
            wait: self.lock.wait,
        };
        exec_in_profile(&self.name, &lock, &self.seal, &[shell], Some(&announce))
    }
}
