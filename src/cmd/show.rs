//! `swop show NAME [--json]`.

use super::Run;
use super::print_bytes;
use super::view::ProfileView;
use crate::cli::ShowArgs;
use crate::error::Result;
use crate::lock::KernelLocks;
use crate::residents::Census;
use crate::store::Store;

impl Run for ShowArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        let profile = store.load(&self.name)?;
        let view = ProfileView::new(&profile, &KernelLocks::read(), &Census::take(&store));
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
