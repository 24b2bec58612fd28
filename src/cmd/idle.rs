//! A profile nothing runs in, held so for a change that must not happen
//! under a running tool: deleting, renaming, or moving its folders. The
//! lock keeps `swop exec` out; residents that left the lock (daemons) or
//! never took it (switched shells) are looked for once it is held.

use crate::error::{Error, Result};
use crate::lock::ProfileLock;
use crate::residents::{Census, Resident, Unreadable};
use crate::store::{Profile, Store};

/// Take `profile`'s lock exclusively, at once, and make sure no process
/// runs in it; `what` names the command (`swop rm`), `again` the command
/// to run once the profile is free.
pub fn claim(store: &Store, profile: &Profile, what: &str, again: &str) -> Result<ProfileLock> {
    refuse_the_callers_own(store, profile, again)?;
    let name = &profile.name;
    let lock = ProfileLock::acquire_exclusive_now(
        profile,
        what,
        &format!("end it with swop stop {name} (or let it finish), then run {again} again"),
    )?;
    let census = Census::take(store);
    let residents: Vec<&Resident> = census.of(name).collect();
    if !residents.is_empty() {
        return Err(in_use_by_residents(profile, &residents, again));
    }
    let hidden = census.unreadable(crate::residents::created(store, name));
    if !hidden.is_empty() {
        return Err(maybe_in_use(profile, &hidden, again));
    }
    Ok(lock)
}

/// A shell switched to the profile (or a command run in it) must not change
/// the folders it stands in: its HOME or CODEX_HOME would vanish under it.
fn refuse_the_callers_own(store: &Store, profile: &Profile, again: &str) -> Result<()> {
    let ours = std::env::var_os(crate::switch::PROFILE_VAR).is_some_and(|p| p == *profile.name)
        && std::env::var_os(crate::switch::HOME_VAR)
            .and_then(|home| std::fs::canonicalize(home).ok())
            .is_some_and(|home| home == store.root());
    if !ours {
        return Ok(());
    }
    Err(Error::in_use(format!(
        "this shell runs in profile {name:?} (SWOP_PROFILE={name}); switch away first \
         (swop off, or exit the swop shell), then run {again} again",
        name = profile.name
    )))
}

fn in_use_by_residents(profile: &Profile, residents: &[&Resident], again: &str) -> Error {
    let who: Vec<String> = residents.iter().map(|r| r.to_string()).collect();
    Error::in_use(format!(
        "profile {name:?} is in use by {}, which run{} with its environment; \
         end {} with swop stop {name}, then run {again} again",
        who.join(", "),
        if residents.len() == 1 { "s" } else { "" },
        if residents.len() == 1 { "it" } else { "them" },
        name = profile.name
    ))
}

/// A process that hides its environment may be the profile's: its files
/// must not change under it.
fn maybe_in_use(profile: &Profile, hidden: &[&Unreadable], again: &str) -> Error {
    let scope = format!("profile {:?}", profile.name);
    let said: Vec<String> = hidden.iter().map(|u| u.describe(&scope)).collect();
    let pids: Vec<String> = hidden.iter().map(|u| u.pid.to_string()).collect();
    Error::in_use(format!(
        "{}; if it runs there, end it (kill {}), then run {again} again",
        said.join("; "),
        pids.join(" "),
    ))
}
