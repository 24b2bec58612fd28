//! Printing environment changes in each shell's own syntax.
//!
//! Each shell has its own file with its own quoting; every one of them must
//! survive any byte a path can hold (NUL aside, which no environment can hold).

mod detect;
mod elvish;
mod fish;
mod json;
mod nu;
mod posix;
mod tcsh;
mod xonsh;

pub use detect::{Guess, Undetected, detect, guess, login_shell};

use std::ffi::{OsStr, OsString};

/// One change of a switch: set to a value, or unset.
pub type Change = (String, Option<OsString>);

/// The syntaxes swop prints a switch in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellKind {
    Bash,
    Zsh,
    Fish,
    Sh,
    Json,
    Elvish,
    Xonsh,
    Nu,
    Tcsh,
}

impl ShellKind {
    pub const ALL: [ShellKind; 9] = [
        ShellKind::Bash,
        ShellKind::Zsh,
        ShellKind::Fish,
        ShellKind::Sh,
        ShellKind::Json,
        ShellKind::Elvish,
        ShellKind::Xonsh,
        ShellKind::Nu,
        ShellKind::Tcsh,
    ];

    /// The name on the command line (`--shell NAME`) and in messages.
    pub fn name(self) -> &'static str {
        match self {
            ShellKind::Bash => "bash",
            ShellKind::Zsh => "zsh",
            ShellKind::Fish => "fish",
            ShellKind::Sh => "sh",
            ShellKind::Json => "json",
            ShellKind::Elvish => "elvish",
            ShellKind::Xonsh => "xonsh",
            ShellKind::Nu => "nu",
            ShellKind::Tcsh => "tcsh",
        }
    }

    /// The kind a name stands for.
    pub fn parse(name: &str) -> Option<ShellKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One shell's way of setting and unsetting variables.
pub trait ShellSyntax {
    fn set(&self, out: &mut Vec<u8>, name: &str, value: &OsStr);
    fn unset(&self, out: &mut Vec<u8>, name: &str);
    fn begin(&self, _out: &mut Vec<u8>) {}
    fn end(&self, _out: &mut Vec<u8>) {}
    /// Why the shell cannot be given `value` exactly, if it cannot: swop
    /// refuses rather than print something else.
    fn refuse(&self, _value: &OsStr) -> Option<&'static str> {
        None
    }
}

fn syntax(kind: ShellKind) -> &'static dyn ShellSyntax {
    match kind {
        ShellKind::Bash | ShellKind::Zsh | ShellKind::Sh => &posix::Posix,
        ShellKind::Fish => &fish::Fish,
        ShellKind::Json => &json::Json,
        ShellKind::Elvish => &elvish::Elvish,
        ShellKind::Xonsh => &xonsh::Xonsh,
        ShellKind::Nu => &nu::Nu,
        ShellKind::Tcsh => &tcsh::Tcsh,
    }
}

/// Refuse a switch that `kind` cannot be given byte for byte.
pub fn check(kind: ShellKind, changes: &[Change]) -> Result<(), Refusal> {
    let shell = syntax(kind);
    for (name, value) in changes {
        if let Some(why) = value.as_deref().and_then(|v| shell.refuse(v)) {
            return Err(Refusal {
                shell: kind,
                why,
                var: name.clone(),
            });
        }
    }
    Ok(())
}

/// A value a shell cannot be given byte for byte (its words are in
/// `crate::error`: use another shell, or swop exec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub shell: ShellKind,
    pub why: &'static str,
    /// The variable whose value it is.
    pub var: String,
}

/// Render a list of changes for a shell. JSON is one object: a variable
/// changed twice (the restore record, first and last) appears once, with its
/// final value.
pub fn render(kind: ShellKind, changes: &[Change]) -> Vec<u8> {
    let shell = syntax(kind);
    let mut out = Vec::with_capacity(256 * changes.len().max(1));
    shell.begin(&mut out);
    let last = |i: usize, name: &str| !changes[i + 1..].iter().any(|(n, _)| n == name);
    for (i, (name, value)) in changes.iter().enumerate() {
        if kind == ShellKind::Json && !last(i, name) {
            continue;
        }
        match value {
            Some(value) => shell.set(&mut out, name, value),
            None => shell.unset(&mut out, name),
        }
    }
    shell.end(&mut out);
    out
}

/// `value` as one word of `kind`'s syntax, byte for byte, or why the shell
/// cannot hold it. JSON gives a string.
pub fn quote(kind: ShellKind, value: &OsStr) -> Result<Vec<u8>, &'static str> {
    use std::os::unix::ffi::OsStrExt;
    if let Some(why) = syntax(kind).refuse(value) {
        return Err(why);
    }
    let bytes = value.as_bytes();
    Ok(match kind {
        ShellKind::Bash | ShellKind::Zsh | ShellKind::Sh => posix::quote(bytes),
        ShellKind::Fish => fish::quote(bytes),
        ShellKind::Elvish => elvish::quote(bytes),
        ShellKind::Xonsh => xonsh::quote(bytes),
        ShellKind::Tcsh => tcsh::quote(bytes),
        ShellKind::Nu => nu::quote(&value.to_string_lossy()).into_bytes(),
        ShellKind::Json => {
            let mut out = Vec::new();
            json::push_string(&mut out, &value.to_string_lossy());
            out
        }
    })
}

/// Single quotes around each run of UTF-8 text, with `escape` for the bytes
/// that need one inside them, and `raw` writing each byte that is not UTF-8
/// outside the quotes; `''` for the empty value. fish and elvish quote so.
fn quote_text_runs(
    value: &[u8],
    escape: impl Fn(u8) -> Option<&'static [u8]>,
    raw: impl Fn(u8, &mut Vec<u8>),
) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    if value.is_empty() {
        out.extend_from_slice(b"''");
        return out;
    }
    for chunk in value.utf8_chunks() {
        let valid = chunk.valid();
        if !valid.is_empty() {
            out.push(b'\'');
            for &b in valid.as_bytes() {
                match escape(b) {
                    Some(escaped) => out.extend_from_slice(escaped),
                    None => out.push(b),
                }
            }
            out.push(b'\'');
        }
        for &b in chunk.invalid() {
            raw(b, &mut out);
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_each_variable_once_with_its_last_value() {
        let changes: Vec<Change> = vec![
            ("SWOP_SAVED".into(), Some("HOME=/h:X".into())),
            ("HOME".into(), Some("/p/HOME".into())),
            ("X".into(), None),
            ("SWOP_SAVED".into(), Some("HOME=/h".into())),
        ];
        let json = String::from_utf8(render(ShellKind::Json, &changes)).unwrap();
        assert_eq!(
            json,
            "{\"HOME\":\"/p/HOME\",\"X\":null,\"SWOP_SAVED\":\"HOME=/h\"}\n"
        );
        let posix = String::from_utf8(render(ShellKind::Sh, &changes)).unwrap();
        assert_eq!(posix.matches("SWOP_SAVED").count(), 2, "{posix}");
    }
}
