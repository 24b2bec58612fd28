//! `swop rm NAME`: delete a profile, refused while anything runs in it.

use super::Run;
use crate::cli::RmArgs;
use crate::error::{BusyAdvice, Error, Profile as ProfileError, Result};
use crate::lock::ProfileLock;
use crate::residents::{Census, Resident, Unreadable};
use crate::store::{Profile, Store};

impl Run for RmArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        // Not `load`: a profile whose file is damaged must still be removable.
        let profile = store.load_for_removal(&self.name)?;
        refuse_the_callers_own(&store, &profile)?;
        let _lock =
            ProfileLock::acquire_exclusive_now(&profile, "swop rm", BusyAdvice::StopThenRemove)?;
        // Under the lock no `swop exec` can start; residents that left the
        // lock (daemons) or never took it (switched shells) are found here.
        let census = Census::take(&store);
        let residents: Vec<&Resident> = census.of(&profile.name).collect();
        if !residents.is_empty() {
            return Err(in_use_by_residents(&profile, &residents));
        }
        let hidden = census.unreadable(crate::residents::created(&store, &profile.name));
        if !hidden.is_empty() {
            return Err(maybe_in_use(&profile, &hidden));
        }
        store.remove(&profile)?;
        eprintln!("swop: removed profile {:?}", profile.name);
        Ok(())
    }
}

/// A shell switched to the profile (or a command run in it) must not delete
/// the folders it stands in: its HOME or CODEX_HOME would vanish under it.
fn refuse_the_callers_own(store: &Store, profile: &Profile) -> Result<()> {
    let ours = std::env::var_os(crate::switch::PROFILE_VAR).is_some_and(|p| p == *profile.name)
        && std::env::var_os(crate::switch::HOME_VAR)
            .and_then(|home| std::fs::canonicalize(home).ok())
            .is_some_and(|home| home == store.root());
    if !ours {
        return Ok(());
    }
    Err(Error::profile(&profile.name, ProfileError::ThisShellIsIn))
}

fn in_use_by_residents(profile: &Profile, residents: &[&Resident]) -> Error {
    let who = residents.iter().map(|r| r.holder()).collect();
    Error::profile(&profile.name, ProfileError::RunsIn(who))
}

/// A process that hides its environment may be the profile's: its files
/// must not vanish under it.
fn maybe_in_use(profile: &Profile, hidden: &[&Unreadable]) -> Error {
    let hidden = hidden.iter().map(|u| u.holder()).collect();
    Error::profile(&profile.name, ProfileError::MayRunIn(hidden))
}
