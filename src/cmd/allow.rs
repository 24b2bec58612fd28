//! `swop allow [PATH]` and `swop deny [PATH]`: let a `.swop` file pick the
//! profile of its folder, or stop it (see [`crate::trust`]).

use std::path::{Path, PathBuf};

use super::Run;
use crate::cli::{AllowArgs, DenyArgs};
use crate::error::{Command, Dotfile, Error, Result};
use crate::output::printable_line;
use crate::store::Store;
use crate::trust::{self, DOTFILE};

impl Run for AllowArgs {
    fn run(&self) -> Result<()> {
        let path = target(self.path.as_deref(), "allow")?;
        let store = Store::open_or_create()?;
        let dotfile = trust::allow(&store, &path)?;
        let missing = if store.profile_dir(&dotfile.name).exists() {
            String::new()
        } else {
            format!(" (there is no such profile yet: swop add {})", dotfile.name)
        };
        eprintln!(
            "swop: allowed {}: {} and the folders below it switch to profile {:?}{missing}",
            shown(&dotfile.path),
            shown(dotfile.folder()),
            dotfile.name
        );
        Ok(())
    }
}

impl Run for DenyArgs {
    fn run(&self) -> Result<()> {
        let path = target(self.path.as_deref(), "deny")?;
        let store = Store::open()?;
        let (was_allowed, _) = trust::deny(&store, &path)?;
        if was_allowed {
            eprintln!("swop: denied {}: it switches nothing now", shown(&path));
        } else {
            eprintln!(
                "swop: {} was not allowed: it switches nothing",
                shown(&path)
            );
        }
        Ok(())
    }
}

/// The `.swop` a command is about: PATH itself, the `.swop` of a folder, or
/// the one that applies to the working folder.
fn target(path: Option<&Path>, command: &'static str) -> Result<PathBuf> {
    if let Some(path) = path {
        let names_dotfile = path.file_name().is_some_and(|n| n == DOTFILE);
        return Ok(match !names_dotfile && path.is_dir() {
            true => path.join(DOTFILE),
            false => path.to_path_buf(),
        });
    }
    let here = working_folder()?;
    trust::applying_to(&here).ok_or_else(|| {
        Command::Dotfile(Dotfile::Missing {
            here: shown(&here),
            command,
        })
        .into()
    })
}

/// The working folder as the shell names it (`$PWD`, which keeps the links
/// it was reached through, as the shell integration sees it), else as the
/// system does.
fn working_folder() -> Result<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let here = std::env::current_dir().map_err(|e| Error::Io {
        action: "cannot find the working folder",
        path: None,
        source: e,
    })?;
    let same = |a: &Path, b: &Path| match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    };
    Ok(std::env::var_os("PWD")
        .map(PathBuf::from)
        .filter(|pwd| pwd.is_absolute() && same(pwd, &here))
        .unwrap_or(here))
}

fn shown(path: &Path) -> String {
    printable_line(&path.display().to_string()).into_owned()
}
