//! One file per subcommand; `run` dispatches.

mod add;
mod completions;
mod discover;
mod doctor;
mod env;
mod exec;
mod init;
mod list;
mod ps;
mod recipes;
mod rm;
mod set;
mod shell;
mod show;
mod status;
mod stop;

pub use env::fast_path as env_fast_path;
pub use exec::fast_path as exec_fast_path;

use crate::cli::Command;
use crate::error::Result;

/// A subcommand.
pub trait Run {
    fn run(&self) -> Result<()>;
}

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Add(args) => args.run(),
        Command::List(args) => args.run(),
        Command::Show(args) => args.run(),
        Command::Set(args) => args.run(),
        Command::Rm(args) => args.run(),
        Command::Env(args) => args.run(),
        Command::Exec(args) => args.run(),
        Command::Shell(args) => args.run(),
        Command::Ps(args) => args.run(),
        Command::Stop(args) => args.run(),
        Command::Init(args) => args.run(),
        Command::Completions(args) => args.run(),
        Command::Recipes(args) => args.run(),
        Command::Status(args) => args.run(),
        Command::Use(args) => Err(crate::needs_shell_integration("use", Some(&args.name))),
        Command::Off => Err(crate::needs_shell_integration("off", None)),
        Command::Discover(args) => args.run(),
        Command::Doctor => doctor::Doctor.run(),
    }
}
