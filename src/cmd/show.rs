use serde::Serialize;
use std::collections::BTreeMap;

use super::Run;
use crate::cli::ShowArgs;
use crate::error::Result;
use crate::store::{Profile, Store};
use crate::util::print_bytes;

/// A profile as `show --json` and `list --json` print it.
#[derive(Debug, Serialize)]
pub struct ProfileView {
    pub name: String,
    pub root: String,
    pub bindings: BTreeMap<String, String>,
    pub unset: Vec<String>,
    pub tools: Vec<String>,
    pub in_use: bool,
}

impl ProfileView {
    pub fn of(profile: &Profile) -> Self {
        Self::with_locks(profile, &crate::lock::KernelLocks::read())
    }

    /// [`ProfileView::of`] against a lock table read once for many profiles.
    pub fn with_locks(profile: &Profile, locks: &crate::lock::KernelLocks) -> Self {
        ProfileView {
            name: profile.name.clone(),
            root: profile.dir.to_string_lossy().into_owned(),
            bindings: profile
                .bindings
                .iter()
                .map(|b| (b.var.clone(), b.value().to_string_lossy().into_owned()))
                .collect(),
            unset: profile.unset.clone(),
            tools: profile.tools.clone(),
            in_use: crate::lock::in_use_with(locks, profile),
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{}{}\n  root  {}\n",
            self.name,
            if self.in_use { " (in use)" } else { "" },
            self.root
        );
        for (var, path) in &self.bindings {
            out.push_str(&format!("  {var}={path}\n"));
        }
        if !self.unset.is_empty() {
            out.push_str(&format!("  unset {}\n", self.unset.join(" ")));
        }
        if !self.tools.is_empty() {
            out.push_str(&format!("  tools {}\n", self.tools.join(" ")));
        }
        out
    }
}

impl Run for ShowArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        let view = ProfileView::of(&store.load(&self.name)?);
        let text = if self.json {
            serde_json::to_string_pretty(&view).unwrap_or_default() + "\n"
        } else {
            view.to_text()
        };
        print_bytes(text.as_bytes())
    }
}
