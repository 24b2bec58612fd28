//! A profile nothing runs in, held so for a change that must not happen
//! under a running tool: deleting, renaming, or moving its folders. The
//! lock keeps `swop exec` out; residents that left the lock (daemons) or
//! never took it (switched shells) are looked for once it is held.

use crate::error::{BusyAdvice, Change, Error, Profile as ProfileError, Result};
use crate::lock::ProfileLock;
use crate::residents::{Census, Resident, Unreadable};
use crate::store::{Profile, Store};

/// Take `profile`'s lock exclusively, at once, and make sure no process
/// runs in it; `what` names the command (`swop rm`), `change` the change
/// to make again once the profile is free.
pub fn claim(store: &Store, profile: &Profile, what: &str, change: Change) -> Result<ProfileLock> {
    refuse_the_callers_own(store, profile, &change)?;
    let lock =
        ProfileLock::acquire_exclusive_now(profile, what, BusyAdvice::StopThen(change.clone()))?;
    // Under the lock no `swop exec` can start; residents that left the
    // lock (daemons) or never took it (switched shells) are found here.
    let census = Census::take(store);
    let residents: Vec<&Resident> = census.of(&profile.name).collect();
    if !residents.is_empty() {
        return Err(in_use_by_residents(profile, &residents, change));
    }
    let hidden = census.unreadable_in(store, Some(&profile.name));
    if !hidden.is_empty() {
        return Err(maybe_in_use(profile, &hidden, change));
    }
    Ok(lock)
}

/// A shell switched to the profile (or a command run in it) must not change
/// the folders it stands in: its HOME or CODEX_HOME would vanish under it.
fn refuse_the_callers_own(store: &Store, profile: &Profile, change: &Change) -> Result<()> {
    let ours = std::env::var_os(crate::switch::PROFILE_VAR).is_some_and(|p| p == *profile.name)
        && std::env::var_os(crate::switch::HOME_VAR)
            .and_then(|home| std::fs::canonicalize(home).ok())
            .is_some_and(|home| home == store.root());
    if !ours {
        return Ok(());
    }
    Err(Error::profile(
        &profile.name,
        ProfileError::ThisShellIsIn(change.clone()),
    ))
}

fn in_use_by_residents(profile: &Profile, residents: &[&Resident], change: Change) -> Error {
    let residents = residents.iter().map(|r| r.holder()).collect();
    Error::profile(&profile.name, ProfileError::RunsIn { residents, change })
}

/// A process that hides its environment may be the profile's: its files
/// must not change under it.
fn maybe_in_use(profile: &Profile, hidden: &[&Unreadable], change: Change) -> Error {
    let hidden = hidden.iter().map(|u| u.holder()).collect();
    Error::profile(&profile.name, ProfileError::MayRunIn { hidden, change })
}
