use std::ffi::{OsStr, OsString};
use std::os::unix::process::CommandExt;
use std::process::Command;

use super::Run;
use crate::cli::{ExecArgs, LockArgs};
use crate::error::{Error, Result};
use crate::lock::ProfileLock;
use crate::store::Store;
use crate::switch;

impl Run for ExecArgs {
    fn run(&self) -> Result<()> {
        exec_in_profile(&self.name, &self.lock, &self.command)
    }
}

/// Replace swop with `argv` inside the profile, holding its lock.
///
/// swop execs rather than spawning: the command keeps swop's pid, its terminal,
/// its exit status and its signals, and the lock's descriptor goes with it.
pub fn exec_in_profile(name: &str, lock: &LockArgs, argv: &[OsString]) -> Result<()> {
    let Some((program, args)) = argv.split_first() else {
        return Err(Error::usage(
            "no command given; usage: swop exec NAME -- CMD [ARGS]...",
        ));
    };
    let store = Store::open()?;
    let profile = store.load(name)?;
    let what = redacted_command_line(argv);
    let held = ProfileLock::acquire(&profile, lock.lock, lock.wait, &what)?;
    store.ensure_binding_dirs(&profile)?;
    let changes = switch::plan(&switch::process_env, Some(&profile), store.root());
    let mut command = Command::new(program);
    command.args(args);
    for (var, value) in &changes {
        match value {
            Some(value) => command.env(var, value),
            None => command.env_remove(var),
        };
    }
    if let Some(held) = &held {
        held.inherit_across_exec()?;
    }
    let err = command.exec();
    let shown = program.to_string_lossy();
    Err(match err.kind() {
        std::io::ErrorKind::NotFound => Error::Exec {
            code: 127,
            message: format!("{shown}: command not found"),
        },
        _ => Error::Exec {
            code: 126,
            message: format!("{shown}: cannot run: {err}"),
        },
    })
}

fn redacted_command_line(argv: &[OsString]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|w| OsStr::to_string_lossy(w).into_owned())
        .collect();
    crate::discover::redact::redact_command(&words).join(" ")
}
