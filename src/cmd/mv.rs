//! `swop mv OLD NEW`: rename a profile, refused while anything runs in it.
//! Its folders move with it; the links of its shared entries point into the
//! store, so they stay valid.

use super::Run;
use crate::cli::MvArgs;
use crate::error::{Change, Result, Usage};
use crate::store::Store;

impl Run for MvArgs {
    fn run(&self) -> Result<()> {
        crate::names::check_profile_name(&self.new)?;
        let store = Store::open()?;
        let profile = store.load(&self.old)?;
        if self.old == self.new {
            return Err(Usage::SameName(self.new.clone()).into());
        }
        let _lock = super::idle::claim(
            &store,
            &profile,
            "swop mv",
            Change::Rename {
                to: self.new.clone(),
            },
        )?;
        let dir = store.rename(&profile, &self.new)?;
        eprintln!(
            "swop: renamed profile {:?} to {:?} ({})",
            self.old,
            self.new,
            dir.display()
        );
        if !profile.tools.is_empty() {
            eprintln!(
                "swop: note: its folders have a new path: a tool that keys its keychain entry on \
                 that path (codex in keyring mode, Claude Code on macOS) asks to log in again"
            );
        }
        let grouped: Vec<String> = crate::config::Config::load()
            .map(|c| {
                c.groups
                    .into_iter()
                    .filter(|(_, members)| members.contains(&self.old))
                    .map(|(group, _)| group)
                    .collect()
            })
            .unwrap_or_default();
        if !grouped.is_empty() {
            eprintln!(
                "swop: note: [groups] {} in config.toml still name {:?}: write {:?} there",
                grouped.join(", "),
                self.old,
                self.new
            );
        }
        let any_allowed = std::fs::read_dir(store.root().join("allowed"))
            .is_ok_and(|mut entries| entries.next().is_some());
        if any_allowed {
            eprintln!(
                "swop: note: a .swop file that names {:?} switches nothing now: write {:?} in it \
                 and run swop allow there",
                self.old, self.new
            );
        }
        Ok(())
    }
}
