//! `swop rm NAME`: delete a profile, refused while anything runs in it.

use super::Run;
use crate::cli::RmArgs;
use crate::error::{Error, Result};
use crate::lock::ProfileLock;
use crate::residents::{Census, Resident, Unreadable};
use crate::store::{Profile, Store};

impl Run for RmArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        // Not `load`: a profile whose file is damaged must still be removable.
        let profile = store.load_for_removal(&self.name)?;
        refuse_the_callers_own(&store, &profile)?;
        let _lock = ProfileLock::acquire_exclusive_now(
            &profile,
            "swop rm",
            &format!(
                "end it with swop stop {name} (or let it finish), then run swop rm {name} again",
                name = profile.name
            ),
        )?;
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
    Err(Error::in_use(format!(
        "this shell runs in profile {name:?} (SWOP_PROFILE={name}); switch away first \
         (swop off, or exit the swop shell), then run swop rm {name} again",
        name = profile.name
    )))
}

fn in_use_by_residents(profile: &Profile, residents: &[&Resident]) -> Error {
    let who: Vec<String> = residents.iter().map(|r| r.to_string()).collect();
    Error::in_use(format!(
        "profile {name:?} is in use by {}, which run{} with its environment; \
         end {} with swop stop {name}, then run swop rm {name} again",
        who.join(", "),
        if residents.len() == 1 { "s" } else { "" },
        if residents.len() == 1 { "it" } else { "them" },
        name = profile.name
    ))
}

/// A process that hides its environment may be the profile's: its files
/// must not vanish under it.
fn maybe_in_use(profile: &Profile, hidden: &[&Unreadable]) -> Error {
    let scope = format!("profile {:?}", profile.name);
    let said: Vec<String> = hidden.iter().map(|u| u.describe(&scope)).collect();
    let pids: Vec<String> = hidden.iter().map(|u| u.pid.to_string()).collect();
    Error::in_use(format!(
        "{}; if it runs there, end it (kill {}), then run swop rm {name} again",
        said.join("; "),
        pids.join(" "),
        name = profile.name
    ))
}
