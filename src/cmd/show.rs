//! `swop show [NAME] [--json]`: one profile; without a name, the profile
//! this shell is on and how it was chosen.

use serde::Serialize;

use super::Run;
use super::current::{Chosen, current};
use super::print_bytes;
use super::view::ProfileView;
use crate::cli::ShowArgs;
use crate::error::Result;
use crate::lock::KernelLocks;
use crate::residents::Census;
use crate::store::Store;

/// `swop show --json` without a name.
#[derive(Serialize)]
struct CurrentView {
    /// The profile this shell is on, `null` for none.
    profile: Option<String>,
    /// How it was chosen.
    chosen_by: Option<Chosen>,
    /// The profile as `swop show NAME --json` prints it.
    details: Option<ProfileView>,
}

impl Run for ShowArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        let Some(name) = &self.name else {
            return show_current(&store, self.json, self.show_values);
        };
        let profile = store.load(name)?;
        let view = ProfileView::new(
            &profile,
            &KernelLocks::read(),
            &Census::take(&store),
            self.show_values,
        );
        let text = if self.json {
            serde_json::to_string_pretty(&view).unwrap_or_default() + "\n"
        } else {
            let mut text = view.to_text();
            for named in &profile.shared {
                let users = crate::share::users(&store, named, &profile.name);
                let with = match users.profiles.is_empty() {
                    true => "no other profile shares it yet".to_string(),
                    false => format!("with {}", users.profiles.join(", ")),
                };
                text.push_str(&format!(
                    "    {}: {with}\n",
                    crate::output::printable_line(named)
                ));
            }
            text
        };
        print_bytes(text.as_bytes())
    }
}

fn show_current(store: &Store, json: bool, show_values: bool) -> Result<()> {
    let found = current(|name| store.load(name).ok());
    let details = found
        .as_ref()
        .and_then(|(name, _)| store.load(name).ok())
        .map(|p| ProfileView::new(&p, &KernelLocks::read(), &Census::take(store), show_values));
    let text = if json {
        let view = CurrentView {
            profile: found.as_ref().map(|(name, _)| name.clone()),
            chosen_by: found.as_ref().map(|(_, chosen)| chosen.clone()),
            details,
        };
        serde_json::to_string_pretty(&view).unwrap_or_default() + "\n"
    } else {
        match &found {
            None => "this shell is on no profile: swop use NAME switches it, and so does an allowed .swop\n"
                .to_string(),
            Some((name, chosen)) => {
                let mut text = format!(
                    "on profile {}, chosen by {}\n",
                    crate::output::printable_line(name),
                    chosen.describe(name)
                );
                match details {
                    Some(view) => text.push_str(&view.to_text()),
                    None => text.push_str("  (no such profile in the store now: swop list)\n"),
                }
                text
            }
        }
    };
    print_bytes(text.as_bytes())
}
