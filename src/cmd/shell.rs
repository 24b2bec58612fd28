use std::ffi::OsString;

use super::Run;
use super::exec::exec_in_profile;
use crate::cli::ShellArgs;
use crate::error::Result;

impl Run for ShellArgs {
    fn run(&self) -> Result<()> {
        let shell = std::env::var_os("SHELL")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| OsString::from("/bin/sh"));
        let announce = format!(
            "starting {} as profile {:?}; exit to leave",
            shell.to_string_lossy(),
            self.name
        );
        exec_in_profile(&self.name, &self.lock, &[shell], Some(&announce))
    }
}
