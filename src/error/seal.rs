//! Why a command cannot be sealed (`swop exec --seal`), and why this
//! machine cannot seal at all: a seal that cannot be made fails closed.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Seal {
    /// This machine cannot make the seal: nothing ran.
    Unavailable(Weakness),
    /// A place to allow writing that is not an absolute path.
    RelativePlace(PathBuf),
    /// The kernel refused the rules.
    Refused(std::io::Error),
}

/// What this machine lacks to seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weakness {
    /// No Landlock in this kernel, or not enabled.
    NoLandlock,
    /// Landlock, at an ABI that cannot refuse every write.
    OldLandlock(u32),
    /// macOS without /usr/bin/sandbox-exec.
    NoSandboxExec,
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Weakness::NoLandlock => f.write_str(
                "this kernel has no Landlock (Linux 5.13 or later, with landlock in the lsm= boot list)",
            ),
            Weakness::OldLandlock(abi) => write!(
                f,
                "this kernel's Landlock (ABI {abi}) cannot refuse every write: moving files between folders needs ABI 2 and refusing truncation ABI 3 (Linux 6.2)"
            ),
            Weakness::NoSandboxExec => f.write_str("/usr/bin/sandbox-exec is missing"),
        }
    }
}

impl fmt::Display for Seal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seal::Unavailable(why) => write!(
                f,
                "cannot seal the command: {why}. Nothing was run; to run it unsealed, say so with --no-seal"
            ),
            Seal::RelativePlace(place) => write!(
                f,
                "--allow-write {}: give an absolute path",
                place.display()
            ),
            Seal::Refused(e) => write!(
                f,
                "cannot seal the command (Landlock): {}",
                super::io_text(e)
            ),
        }
    }
}
