//! `swop list [--json] [--names]`: every profile, its bindings, and whether
//! it is in use.

use super::Run;
use super::print_bytes;
use super::view::ProfileView;
use crate::cli::ListArgs;
use crate::error::Result;
use crate::output::{printable_line, printable_text};
use crate::store::Store;

impl Run for ListArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        if self.names {
            // No profile is loaded: completion scripts call this on every key press.
            let names: String = store.names()?.iter().map(|n| format!("{n}\n")).collect();
            return print_bytes(names.as_bytes());
        }
        let mut views = Vec::new();
        let mut skipped = 0;
        let locks = crate::lock::KernelLocks::read();
        let census = crate::residents::Census::take(&store);
        for name in store.names()? {
            match store.load(&name) {
                Ok(profile) => views.push(ProfileView::new(&profile, &locks, &census)),
                // One broken profile must not hide the others.
                Err(err) => {
                    skipped += 1;
                    eprintln!(
                        "swop: skipping {name:?}: {}",
                        printable_text(&err.to_string())
                    );
                }
            }
        }
        let text = if self.json {
            serde_json::to_string_pretty(&views).unwrap_or_default() + "\n"
        } else if views.is_empty() && skipped == 0 {
            eprintln!("swop: no profiles yet; create one with: swop add NAME");
            String::new()
        } else {
            let active = std::env::var_os(crate::switch::PROFILE_VAR);
            views
                .iter()
                .map(|v| {
                    let mark = if active.as_deref() == Some(v.name.as_ref()) {
                        "*"
                    } else {
                        " "
                    };
                    let vars: Vec<&str> = v.bindings.keys().map(String::as_str).collect();
                    format!(
                        "{mark} {:<16} {}{}\n",
                        printable_line(&v.name),
                        printable_line(&vars.join(" ")),
                        if v.in_use { "  (in use)" } else { "" }
                    )
                })
                .collect()
        };
        print_bytes(text.as_bytes())
    }
}
