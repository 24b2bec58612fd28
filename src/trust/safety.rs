//! Whose a `.swop` is: a file another user could have written, or could
//! swap for one of theirs, is never followed.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::Dotfile;
use crate::error::Dotfile as Refused;
use crate::output::printable_line;

/// Why `dotfile` is never followed, if it is not: it belongs to another user
/// (not the caller, not root), or it lies (as found, or where its links
/// lead) in a folder that another user owns or that others may write to
/// without the sticky bit (which keeps them from replacing a file that is
/// not theirs).
pub fn check(dotfile: &Dotfile) -> Result<(), Refused> {
    let uid = crate::files::euid();
    let trusted = |owner: u32| owner == uid || owner == 0;
    let shown = |path: &Path| printable_line(&path.display().to_string()).into_owned();
    let unreadable = |path: &Path| {
        let path = shown(path);
        move |source| Refused::Unreadable { path, source }
    };
    let meta = fs::metadata(&dotfile.real).map_err(unreadable(&dotfile.real))?;
    if !trusted(meta.uid()) {
        return Err(Refused::Foreign {
            file: shown(&dotfile.path),
            owner: meta.uid(),
        });
    }
    let folders = [
        dotfile.folder(),
        dotfile.real.parent().unwrap_or(Path::new("/")),
    ];
    for folder in folders {
        let meta = fs::metadata(folder).map_err(unreadable(folder))?;
        let mode = meta.mode();
        let sticky = mode & 0o1000 != 0;
        if !trusted(meta.uid()) {
            return Err(Refused::ForeignFolder {
                file: shown(&dotfile.path),
                folder: shown(folder),
                owner: meta.uid(),
            });
        }
        if mode & 0o022 != 0 && !sticky {
            return Err(Refused::OpenFolder {
                file: shown(&dotfile.path),
                folder: shown(folder),
                mode,
            });
        }
    }
    Ok(())
}
