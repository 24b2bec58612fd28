//! The switches the shell integration makes for `.swop` folders (`swop env
//! --folder FILE`): a `.swop` is followed only when it is allowed and
//! safe (see [`crate::trust`]), the refusal is said once per file and shell
//! (the shell remembers, and passes `--told`), and every switch and switch
//! back is said in one short line unless `config.toml` says `quiet = true`
//! or `SWOP_QUIET=1` is set.

use std::ffi::OsString;
use std::path::Path;

use super::print_bytes;
use crate::entry::switch_text;
use crate::error::{Command, Dotfile, Error, Note, Result};
use crate::output::printable_line;
use crate::shell::ShellKind;
use crate::store::Store;
use crate::switch::told;
use crate::trust::{self, Decision};

/// Switch to `name` as the `.swop` at `file` asks, or back (`None`) on
/// leaving its folders.
pub fn switch(name: Option<&str>, file: &Path, told: bool, shell: Option<ShellKind>) -> Result<()> {
    let shown = printable_line(&file.display().to_string()).into_owned();
    let Some(name) = name else {
        let left = std::env::var_os(crate::switch::PROFILE_VAR);
        print_bytes(&switch_text(None, shell, None)?)?;
        if let Some(left) = left.filter(|_| !quiet()) {
            let folder = file.parent().unwrap_or(file);
            eprintln!(
                "swop: switched back from profile {:?} (left {})",
                lossy(&left),
                printable_line(&folder.display().to_string())
            );
        }
        return Ok(());
    };
    let nothing = || Note::SwitchedNothing(shown.clone());
    crate::names::check_profile_name(name).map_err(|e| Error::from(e).noted(nothing()))?;
    let store = Store::open()?;
    let dotfile = match trust::decide(&store, file).map_err(|e| e.noted(nothing()))? {
        Decision::Allowed(dotfile) => dotfile,
        Decision::Unsafe(_) | Decision::NotAllowed(_) if told => return Err(Error::Said),
        Decision::Unsafe(why) => return Err(Command::Dotfile(why).into()),
        Decision::NotAllowed(dotfile) => {
            return Err(Command::Dotfile(Dotfile::NotAllowed {
                file: shown,
                name: dotfile.name,
                allow: allow_command(shell, file),
            })
            .into());
        }
    };
    if dotfile.name != name {
        return Err(Command::Dotfile(Dotfile::Changed(shown)).into());
    }
    print_bytes(&switch_text(Some(name), shell, None).map_err(|e| e.noted(nothing()))?)?;
    if !quiet() {
        eprintln!("swop: switched to profile {name:?} ({shown})");
    }
    Ok(())
}

/// Whether switches go unsaid, as notices do (see [`told::quiet`]).
fn quiet() -> bool {
    let root = Store::default_root().ok();
    told::quiet(&crate::switch::process_env, root.as_deref())
}

/// `swop allow FILE`, the path quoted for the shell that will be told
/// where it needs quotes.
fn allow_command(shell: Option<ShellKind>, file: &Path) -> String {
    let plain = crate::shell::posix_join([file.as_os_str()]);
    let quoted = match shell {
        Some(kind) if plain.starts_with('\'') => crate::shell::quote(kind, file.as_os_str())
            .map(|q| String::from_utf8_lossy(&q).into_owned())
            .unwrap_or(plain),
        _ => plain,
    };
    format!("swop allow {}", printable_line(&quoted))
}

fn lossy(value: &OsString) -> String {
    printable_line(&value.to_string_lossy()).into_owned()
}
