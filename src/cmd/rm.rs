use super::Run;
use crate::cli::{LockMode, RmArgs};
use crate::error::Result;
use crate::lock::ProfileLock;
use crate::store::Store;

impl Run for RmArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        let profile = store.load(&self.name)?;
        let _lock = ProfileLock::acquire(&profile, LockMode::Exclusive, None, "swop rm")?;
        store.remove(&profile)?;
        eprintln!("swop: removed profile {:?}", profile.name);
        Ok(())
    }
}
