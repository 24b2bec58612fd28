//! tcsh and csh: `setenv NAME 'value';` and `unsetenv NAME;`, on one line so
//! that ``eval "`swop env NAME --shell tcsh`"`` runs them all.
//!
//! Inside csh's single quotes a quote is closed, escaped and reopened
//! (`'\''`), and `!` must be escaped (`\!`): history substitution applies
//! even there, to typed lines and to what `eval` runs. A newline cannot be
//! held by a csh variable at all: such a value is refused.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::ShellSyntax;

pub struct Tcsh;

impl ShellSyntax for Tcsh {
    fn set(&self, out: &mut Vec<u8>, name: &str, value: &OsStr) {
        out.extend_from_slice(b"setenv ");
        out.extend_from_slice(name.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&quote(value.as_bytes()));
        out.extend_from_slice(b"; ");
    }

    fn unset(&self, out: &mut Vec<u8>, name: &str) {
        out.extend_from_slice(b"unsetenv ");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"; ");
    }

    fn end(&self, out: &mut Vec<u8>) {
        out.push(b'\n');
    }

    fn refuse(&self, value: &OsStr) -> Option<&'static str> {
        value
            .as_bytes()
            .iter()
            .any(|&b| b == b'\n' || b == b'\r')
            .then_some("csh and tcsh cannot hold a newline in a variable's value")
    }
}

pub fn quote(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    out.push(b'\'');
    for &b in value {
        match b {
            b'\'' => out.extend_from_slice(b"'\\''"),
            b'!' => out.extend_from_slice(b"\\!"),
            b => out.push(b),
        }
    }
    out.push(b'\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(quote(b""), b"''");
        assert_eq!(quote(b"it's !x $y `z`"), b"'it'\\''s \\!x $y `z`'");
        assert!(Tcsh.refuse(OsStr::new("a\nb")).is_some());
        assert!(Tcsh.refuse(OsStr::new("a b")).is_none());
    }
}
