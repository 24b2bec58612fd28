//! Whose a `.swop` is: a file another user could have written, or could
//! swap for one of theirs, is never followed.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::Dotfile;
use crate::output::printable_line;

/// Why `dotfile` is never followed, if it is not: it belongs to another user
/// (not the caller, not root), or it lies (as found, or where its links
/// lead) in a folder that another user owns or that others may write to
/// without the sticky bit (which keeps them from replacing a file that is
/// not theirs).
pub fn check(dotfile: &Dotfile) -> Result<(), String> {
    let uid = crate::files::euid();
    let trusted = |owner: u32| owner == uid || owner == 0;
    let shown = |path: &Path| printable_line(&path.display().to_string()).into_owned();
    let meta = fs::metadata(&dotfile.real).map_err(|e| format!("{}: {e}", shown(&dotfile.real)))?;
    if !trusted(meta.uid()) {
        return Err(format!(
            "{} belongs to uid {}, not to you: swop never switches for another user's .swop",
            shown(&dotfile.path),
            meta.uid()
        ));
    }
    let folders = [
        dotfile.folder(),
        dotfile.real.parent().unwrap_or(Path::new("/")),
    ];
    for folder in folders {
        let meta = fs::metadata(folder).map_err(|e| format!("{}: {e}", shown(folder)))?;
        let mode = meta.mode();
        let sticky = mode & 0o1000 != 0;
        if !trusted(meta.uid()) {
            return Err(format!(
                "{} lies in {}, which belongs to uid {}: they could replace it at any time, \
                 so swop never switches for it",
                shown(&dotfile.path),
                shown(folder),
                meta.uid()
            ));
        }
        if mode & 0o022 != 0 && !sticky {
            return Err(format!(
                "{} lies in {}, which other users may write to (mode {:o}, no sticky bit): \
                 anyone could replace it, so swop never switches for it; if the folder is \
                 yours, chmod go-w it",
                shown(&dotfile.path),
                shown(folder),
                mode & 0o7777
            ));
        }
    }
    Ok(())
}
