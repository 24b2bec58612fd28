//! `swop set NAME VAR=VALUE... [--unset-value VAR]...`: change the plain
//! values a profile sets, after `swop add --set` or instead of it.

use super::Run;
use crate::cli::SetArgs;
use crate::error::Result;
use crate::store::{Store, parse_assignment};

impl Run for SetArgs {
    fn run(&self) -> Result<()> {
        crate::names::check_profile_name(&self.name)?;
        let set = self
            .values
            .iter()
            .map(|arg| parse_assignment(arg))
            .collect::<Result<Vec<_>>>()?;
        let store = Store::open()?;
        let seal = match (self.seal, self.no_seal) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        store.update_values(&self.name, &set, &self.unset_values, seal)?;
        let mut done = Vec::new();
        match seal {
            Some(true) => done.push("seals every command".to_string()),
            Some(false) => done.push("no longer seals its commands".to_string()),
            None => {}
        }
        if !set.is_empty() {
            let names: Vec<&str> = set.iter().map(|(var, _)| var.as_str()).collect();
            done.push(format!("set {}", names.join(", ")));
        }
        let file = store
            .profile_dir(&self.name)
            .join(crate::store::PROFILE_FILE);
        if !self.unset_values.is_empty() {
            done.push(format!("no longer sets {}", self.unset_values.join(", ")));
        }
        eprintln!("swop: profile {:?} {}", self.name, done.join("; "));
        say_stored_in_clear(&file, set.len());
        let active = std::env::var_os(crate::switch::PROFILE_VAR);
        if active.as_deref() == Some(self.name.as_ref()) {
            eprintln!(
                "swop: this shell is on {0:?}: run swop use {0} again to pick the change up",
                self.name
            );
        }
        Ok(())
    }
}

/// Once, after `count` values were set: where they are kept, and how.
pub(super) fn say_stored_in_clear(file: &std::path::Path, count: usize) {
    if count > 0 {
        eprintln!(
            "swop: note: {} stored in clear in {} (mode 0600, readable by you alone): \
             not the place for a secret, which belongs in the tool's own login",
            if count == 1 {
                "the value is"
            } else {
                "the values are"
            },
            file.display()
        );
    }
}
