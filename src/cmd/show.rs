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
        let view = ProfileView::new(
            &profile,
            &KernelLocks::read(),
            &Census::take(&store),
            self.show_values,
        );
        let text = if self.json {
            serde_json::to_string_pretty(&view).unwrap_or_default() + "\n"
        } else {
            view.to_text()
        };
        print_bytes(text.as_bytes())
    }
}
