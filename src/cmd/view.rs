//! A profile as `list` and `show` print it: JSON, or text for a terminal.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::lock::KernelLocks;
use crate::output::printable_line;
use crate::residents::Census;
use crate::store::Profile;

/// A profile as `show --json` and `list --json` print it.
#[derive(Debug, Serialize)]
pub struct ProfileView {
    pub name: String,
    pub root: String,
    pub bindings: BTreeMap<String, String>,
    /// Plain values the profile sets; those that look like secrets are
    /// `<redacted>` unless asked for (`--show-values`).
    pub values: BTreeMap<String, String>,
    /// The variables whose values are hidden so.
    pub hidden_values: Vec<String>,
    pub unset: Vec<String>,
    pub tools: Vec<String>,
    /// Entries that are links to a shared copy, as `tool/entry`.
    pub shared: Vec<String>,
    /// Its lock is held, or a process runs in it (see `residents`).
    pub in_use: bool,
    /// The pids of the processes running in the profile, lock or no lock.
    pub residents: Vec<u32>,
}

impl ProfileView {
    /// The view of `profile` against a lock table and a census taken once
    /// for many profiles; values that look like secrets are hidden unless
    /// `show_values`.
    pub fn new(profile: &Profile, locks: &KernelLocks, census: &Census, show_values: bool) -> Self {
        let residents = census.pids(&profile.name);
        let hidden_values: Vec<String> = profile
            .values
            .iter()
            .filter(|(var, value)| !show_values && crate::redact::secret_value(var, value))
            .map(|(var, _)| var.clone())
            .collect();
        let values = profile
            .values
            .iter()
            .map(|(var, value)| match hidden_values.contains(var) {
                true => (var.clone(), crate::redact::REDACTED.to_string()),
                false => (var.clone(), value.clone()),
            })
            .collect();
        ProfileView {
            name: profile.name.clone(),
            root: profile.dir.to_string_lossy().into_owned(),
            bindings: profile
                .bindings
                .iter()
                .map(|b| (b.var.clone(), b.value().to_string_lossy().into_owned()))
                .collect(),
            values,
            hidden_values,
            unset: profile.unset.clone(),
            tools: profile.tools.clone(),
            shared: profile.shared.clone(),
            in_use: !residents.is_empty() || crate::lock::in_use_with(locks, profile),
            residents,
        }
    }

    /// The view for a terminal: every value that comes from the store or the
    /// environment is shown with its control characters escaped, so that no
    /// file can send the terminal an escape sequence.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{}{}\n  root  {}\n",
            printable_line(&self.name),
            if self.in_use { " (in use)" } else { "" },
            printable_line(&self.root)
        );
        for (var, path) in &self.bindings {
            out.push_str(&format!(
                "  {}={}\n",
                printable_line(var),
                printable_line(path)
            ));
        }
        for (var, value) in &self.values {
            out.push_str(&format!(
                "  set {}={}\n",
                printable_line(var),
                printable_line(value)
            ));
        }
        if !self.hidden_values.is_empty() {
            out.push_str(&format!(
                "  (values shown <redacted> look like secrets: swop show {} --show-values)\n",
                self.name
            ));
        }
        if !self.unset.is_empty() {
            out.push_str(&format!(
                "  unset {}\n",
                printable_line(&self.unset.join(" "))
            ));
        }
        if !self.tools.is_empty() {
            out.push_str(&format!(
                "  tools {}\n",
                printable_line(&self.tools.join(" "))
            ));
        }
        if !self.shared.is_empty() {
            out.push_str(&format!(
                "  shared {}\n",
                printable_line(&self.shared.join(" "))
            ));
        }
        if !self.residents.is_empty() {
            let pids: Vec<String> = self.residents.iter().map(u32::to_string).collect();
            out.push_str(&format!(
                "  processes {} (swop ps {})\n",
                pids.join(" "),
                self.name
            ));
        }
        out
    }
}
