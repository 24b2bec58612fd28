//! "Why am I on this profile?": the profile this shell or command is on,
//! and how it got there, for `swop show` with no name and `swop doctor`.
//!
//! What tells: `SWOP_PROFILE` (the profile); `SWOP_CHOICE`, which the shell
//! functions of bash, zsh and fish pass on (`use`, or `folder:` and the
//! `.swop` they followed); and the profile's lock, held by an ancestor
//! through the descriptor `SWOP_LOCK_FD` names (`swop shell`, `swop exec`).
//! Anything else was switched by hand (`eval "$(swop env NAME)"`) or
//! inherited from the shell that started this one.

use std::path::PathBuf;

use serde::Serialize;

use crate::lock::LOCK_FD_VAR;
use crate::store::Profile;
use crate::switch::PROFILE_VAR;

pub use crate::switch::{CHOICE_VAR, INTEGRATION_VAR};

/// How the current profile was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "how", rename_all = "kebab-case")]
pub enum Chosen {
    /// `swop use NAME` in this shell.
    Use,
    /// The `.swop` file this shell followed.
    Folder { file: PathBuf },
    /// `swop shell NAME`: the shell holding the profile's lock.
    Shell { pid: u32 },
    /// `swop exec NAME -- CMD`: a command holding the profile's lock.
    Exec { pid: u32, command: String },
    /// `eval "$(swop env NAME)"` typed in this shell, or a parent shell's
    /// profile, inherited.
    ByHandOrInherited,
}

impl Chosen {
    /// For people, after "chosen by" or "on profile NAME".
    pub fn describe(&self, profile: &str) -> String {
        match self {
            Chosen::Use => format!("swop use {profile}, in this shell"),
            Chosen::Folder { file } => format!(
                "the .swop at {}, which this shell followed",
                crate::output::printable_line(&file.display().to_string())
            ),
            Chosen::Shell { pid } => {
                format!("swop shell {profile} (pid {pid} holds the profile's lock; exit to leave)")
            }
            Chosen::Exec { pid, command } => format!(
                "swop exec {profile} -- {} (pid {pid} holds the profile's lock)",
                crate::output::printable_line(command)
            ),
            Chosen::ByHandOrInherited => format!(
                "eval \"$(swop env {profile})\" typed by hand, or inherited from the shell that started this one"
            ),
        }
    }
}

/// The profile this process runs in, if any, and how it was chosen. The
/// profile is as `SWOP_PROFILE` names it; `load` turns it into one of the
/// store's, to find its lock.
pub fn current(load: impl Fn(&str) -> Option<Profile>) -> Option<(String, Chosen)> {
    let name = std::env::var_os(PROFILE_VAR)?
        .into_string()
        .ok()
        .filter(|n| !n.is_empty())?;
    let choice = std::env::var_os(CHOICE_VAR).unwrap_or_default();
    let choice = choice.as_encoded_bytes();
    if choice == b"use" {
        return Some((name, Chosen::Use));
    }
    if let Some(file) = choice.strip_prefix(b"folder:") {
        use std::os::unix::ffi::OsStrExt;
        let file = PathBuf::from(std::ffi::OsStr::from_bytes(file));
        return Some((name, Chosen::Folder { file }));
    }
    let locked = load(&name).and_then(|profile| lock_holder(&profile));
    Some((name, locked.unwrap_or(Chosen::ByHandOrInherited)))
}

/// The outermost of this process and its ancestors that holds `profile`'s
/// lock through the descriptor `SWOP_LOCK_FD` names: the process `swop
/// exec` or `swop shell` became.
fn lock_holder(profile: &Profile) -> Option<Chosen> {
    let fd: i32 = std::env::var_os(LOCK_FD_VAR)?.to_str()?.parse().ok()?;
    let lock = std::fs::metadata(profile.lock_path()).ok()?;
    let pid = std::iter::once(std::process::id())
        .chain(crate::sys::process::ancestors())
        .rfind(|pid| crate::sys::flock::holds_lock(*pid, fd, &lock))?;
    let argv = crate::sys::process::argv(pid).unwrap_or_default();
    let shell = argv.first().is_some_and(|program| {
        matches!(
            crate::shell::guess(std::ffi::OsStr::new(program)),
            crate::shell::Guess::Known(_) | crate::shell::Guess::Unsupported(_)
        )
    });
    Some(if shell && argv.len() == 1 {
        Chosen::Shell { pid }
    } else {
        Chosen::Exec {
            pid,
            command: crate::redact::redact_command(&argv).join(" "),
        }
    })
}
