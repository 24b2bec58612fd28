use super::Run;
use crate::cli::{Cli, CompletionsArgs};
use crate::error::Result;
use crate::util::print_bytes;

impl Run for CompletionsArgs {
    fn run(&self) -> Result<()> {
        let mut out = Vec::new();
        let mut command = <Cli as clap::CommandFactory>::command();
        clap_complete::generate(self.shell, &mut command, "swop", &mut out);
        print_bytes(&out)
    }
}
