use super::Run;
use crate::cli::RmArgs;
use crate::error::Result;
use crate::lock::ProfileLock;
use crate::store::Store;

impl Run for RmArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        // Not `load`: a profile whose file is damaged must still be removable.
        let profile = store.load_for_removal(&self.name)?;
        let _lock = ProfileLock::acquire_exclusive_now(
            &profile,
            "swop rm",
            &format!(
                "stop it (or let it finish), then run swop rm {} again",
                profile.name
            ),
        )?;
        store.remove(&profile)?;
        eprintln!("swop: removed profile {:?}", profile.name);
        Ok(())
    }
}
