//! Which `.swop` files may pick a shell's profile.
//!
//! A `.swop` names a profile for its folder and every folder below it, and
//! the shell integration switches to it on `cd`. A file someone else wrote
//! (a cloned repository, another user's `/tmp/.swop`) must not switch the
//! account that the next `make` runs as, so, as direnv does with `.envrc`,
//! a `.swop` switches nothing until the user allows it: `swop allow` keeps
//! its real path and a hash of its contents in the store ([`allowed`]), and
//! an edited file must be allowed again. A file that belongs to another
//! user (neither the caller nor root), or that lies in a folder others may
//! write without the sticky bit's protection, is never followed, allowed or
//! not ([`safety`]).

mod allowed;
mod dotfile;
mod safety;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::store::Store;

pub use allowed::Allowed;
pub use dotfile::{DOTFILE, Dotfile};

/// What may happen with one `.swop`.
#[derive(Debug)]
pub enum Decision {
    /// Allowed as it is now: switch to this profile.
    Allowed(Dotfile),
    /// Not allowed (never, or not since it was edited).
    NotAllowed(Dotfile),
    /// Never followed: why.
    Unsafe(crate::error::Dotfile),
}

/// Read `path` (a `.swop`), and decide.
pub fn decide(store: &Store, path: &Path) -> Result<Decision> {
    let dotfile = Dotfile::read(path)?;
    if let Err(why) = safety::check(&dotfile) {
        return Ok(Decision::Unsafe(why));
    }
    Ok(match Allowed::new(store).contains(&dotfile)? {
        true => Decision::Allowed(dotfile),
        false => Decision::NotAllowed(dotfile),
    })
}

/// Allow `path` as it is now; the `.swop` read.
pub fn allow(store: &Store, path: &Path) -> Result<Dotfile> {
    let dotfile = Dotfile::read(path)?;
    safety::check(&dotfile).map_err(crate::error::Command::Dotfile)?;
    Allowed::new(store).insert(&dotfile)?;
    Ok(dotfile)
}

/// Stop allowing `path`, whatever it holds now: whether it was allowed, and
/// the real path it was allowed under.
pub fn deny(store: &Store, path: &Path) -> Result<(bool, PathBuf)> {
    let real = dotfile::real_path(path)?;
    Ok((Allowed::new(store).remove(&real)?, real))
}

/// The `.swop` that applies to `folder`: in it, or in the nearest folder
/// above it that has one.
pub fn applying_to(folder: &Path) -> Option<PathBuf> {
    folder
        .ancestors()
        .map(|dir| dir.join(DOTFILE))
        .find(|file| std::fs::symlink_metadata(file).is_ok())
}
