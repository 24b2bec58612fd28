use super::Run;
use crate::cli::DiscoverArgs;
use crate::error::{Error, Result};

impl Run for Box<DiscoverArgs> {
    fn run(&self) -> Result<()> {
        Err(Error::user("discover is not available yet"))
    }
}
