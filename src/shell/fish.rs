//! fish: `set -gx NAME 'value'` and `set -e NAME; or builtin true`.
//!
//! `set -e` of a variable that is not set fails with status 4, and fish's
//! `set` keeps the status it found, so without the `or` a switch would end
//! with status 4 and `swop use work; and codex` would never run codex.
//!
//! Inside fish's single quotes `\\` and `\'` are escapes, so a POSIX-quoted value
//! ending in `\` would swallow its closing quote. Bytes that are not valid UTF-8
//! are written outside the quotes as `\xHH`, which fish reads as that raw byte.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::ShellSyntax;

pub struct Fish;

impl ShellSyntax for Fish {
    fn set(&self, out: &mut Vec<u8>, name: &str, value: &OsStr) {
        out.extend_from_slice(b"set -gx ");
        out.extend_from_slice(name.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&quote(value.as_bytes()));
        out.extend_from_slice(b";\n");
    }

    fn unset(&self, out: &mut Vec<u8>, name: &str) {
        out.extend_from_slice(b"set -e ");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"; or builtin true;\n");
    }

    /// `set` keeps the status it found: after `false`, a switch that
    /// worked would still end with status 1.
    fn end(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"builtin true;\n");
    }
}

pub fn quote(value: &[u8]) -> Vec<u8> {
    // `\` and `'` are escaped with a backslash; a raw byte is `\xHH`.
    super::quote_text_runs(
        value,
        |b| match b {
            b'\\' => Some(&b"\\\\"[..]),
            b'\'' => Some(&b"\\'"[..]),
            _ => None,
        },
        |b, out| out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(quote(b""), b"''");
        assert_eq!(quote(b"a b"), b"'a b'");
        assert_eq!(quote(b"it's"), b"'it\\'s'");
        assert_eq!(quote(b"end\\"), b"'end\\\\'");
        assert_eq!(quote(b"a\xffb"), b"'a'\\xff'b'");
    }
}
