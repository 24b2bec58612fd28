//! `swop rm NAME [--yes]`: delete a profile, refused while anything runs in
//! it, after a question when a person is at the terminal. Shared copies the
//! profile used stay while another profile uses them.

use std::io::{BufRead, IsTerminal};

use super::Run;
use crate::cli::RmArgs;
use crate::error::{Change, Error, Result};
use crate::store::{Profile, Store};

impl Run for RmArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        // Not `load`: a profile whose file is damaged must still be removable.
        let profile = store.load_for_removal(&self.name)?;
        let _lock = super::idle::claim(&store, &profile, "swop rm", Change::Remove)?;
        let shared = store
            .profile_file(&profile.name)
            .map(|f| f.shared)
            .unwrap_or_default();
        if !self.yes && std::io::stdin().is_terminal() && !confirmed(&store, &profile, &shared)? {
            eprintln!("swop: kept profile {:?}", profile.name);
            return Err(Error::Said);
        }
        store.remove(&profile)?;
        let deleted = crate::share::sweep(&store, &shared, &profile.name);
        let kept: Vec<&String> = shared.iter().filter(|s| !deleted.contains(s)).collect();
        let kept = match kept.is_empty() {
            true => String::new(),
            false => format!(
                "; the shared {} stay{} for the profiles that share {}",
                kept.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if kept.len() == 1 { "s" } else { "" },
                if kept.len() == 1 { "it" } else { "them" },
            ),
        };
        eprintln!("swop: removed profile {:?}{kept}", profile.name);
        Ok(())
    }
}

/// Ask on the terminal; only `y` or `yes` deletes.
fn confirmed(store: &Store, profile: &Profile, shared: &[String]) -> Result<bool> {
    let sole: Vec<&String> = shared
        .iter()
        .filter(|named| {
            let users = crate::share::users(store, named, &profile.name);
            users.profiles.is_empty() && users.unreadable.is_empty()
        })
        .collect();
    let also = match sole.is_empty() {
        true => String::new(),
        false => format!(
            " and the shared {} no other profile uses",
            sole.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    eprint!(
        "swop: delete profile {:?}: its logins and everything in {}{also}? This cannot be undone [y/N] ",
        profile.name,
        profile.dir.display()
    );
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(crate::error::doing("cannot read the answer"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
