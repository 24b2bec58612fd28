use super::Run;
use crate::cli::RmArgs;
use crate::error::Result;
use crate::lock::ProfileLock;
use crate::store::Store;

impl Run for RmArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        let profile = store.load(&self.name)?;
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
