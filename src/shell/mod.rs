//! Printing environment changes in each shell's own syntax.
//!
//! Each shell has its own file with its own quoting; every one of them must
//! survive any byte a path can hold (NUL aside, which no environment can hold).

mod fish;
mod json;
mod posix;

use std::ffi::OsStr;

use crate::cli::ShellKind;
use crate::switch::Change;

/// One shell's way of setting and unsetting variables.
pub trait ShellSyntax {
    fn set(&self, out: &mut Vec<u8>, name: &str, value: &OsStr);
    fn unset(&self, out: &mut Vec<u8>, name: &str);
    fn begin(&self, _out: &mut Vec<u8>) {}
    fn end(&self, _out: &mut Vec<u8>) {}
}

fn syntax(kind: ShellKind) -> &'static dyn ShellSyntax {
    match kind {
        ShellKind::Bash | ShellKind::Zsh | ShellKind::Sh => &posix::Posix,
        ShellKind::Fish => &fish::Fish,
        ShellKind::Json => &json::Json,
    }
}

/// Render a list of changes for a shell.
pub fn render(kind: ShellKind, changes: &[Change]) -> Vec<u8> {
    let shell = syntax(kind);
    let mut out = Vec::with_capacity(256 * changes.len().max(1));
    shell.begin(&mut out);
    for (name, value) in changes {
        match value {
            Some(value) => shell.set(&mut out, name, value),
            None => shell.unset(&mut out, name),
        }
    }
    shell.end(&mut out);
    out
}

/// The shell to print for when none is named: `$SHELL`'s, else POSIX sh.
pub fn detect(shell_var: Option<&OsStr>) -> ShellKind {
    let name = shell_var
        .map(std::path::Path::new)
        .and_then(|p| p.file_name())
        .and_then(OsStr::to_str)
        .unwrap_or("");
    // Login shells are sometimes named "-zsh".
    match name.trim_start_matches('-') {
        "bash" => ShellKind::Bash,
        "zsh" => ShellKind::Zsh,
        "fish" => ShellKind::Fish,
        _ => ShellKind::Sh,
    }
}

/// POSIX single quoting: safe for every byte but NUL.
pub fn posix_quote(value: &[u8]) -> Vec<u8> {
    posix::quote(value)
}

/// fish quoting: `\\` and `\'` escaped inside single quotes, raw bytes as `\xHH`.
pub fn fish_quote(value: &[u8]) -> Vec<u8> {
    fish::quote(value)
}

/// Quote a whole command line for display in a POSIX shell.
pub fn posix_join<'a>(words: impl IntoIterator<Item = &'a OsStr>) -> String {
    let mut out = Vec::new();
    for (i, word) in words.into_iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        let bytes = std::os::unix::ffi::OsStrExt::as_bytes(word);
        if !bytes.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(b))
        {
            out.extend_from_slice(bytes);
        } else {
            out.extend_from_slice(&posix::quote(bytes));
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
