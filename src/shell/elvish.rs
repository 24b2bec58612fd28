//! elvish: `set-env NAME 'value'` and `unset-env NAME`.
//!
//! Inside elvish's single quotes only `'` is special, written twice. Bytes
//! that are not UTF-8 go outside them as `"\xHH"`, and the pieces join into
//! one string (elvish concatenates adjacent quoted words).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::ShellSyntax;

pub struct Elvish;

impl ShellSyntax for Elvish {
    fn set(&self, out: &mut Vec<u8>, name: &str, value: &OsStr) {
        out.extend_from_slice(b"set-env ");
        out.extend_from_slice(name.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&quote(value.as_bytes()));
        out.push(b'\n');
    }

    fn unset(&self, out: &mut Vec<u8>, name: &str) {
        out.extend_from_slice(b"unset-env ");
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
    }
}

pub fn quote(value: &[u8]) -> Vec<u8> {
    // A quote is doubled; a raw byte is a double-quoted `\xHH`.
    super::quote_text_runs(
        value,
        |b| (b == b'\'').then_some(&b"''"[..]),
        |b, out| out.extend_from_slice(format!("\"\\x{b:02x}\"").as_bytes()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(quote(b""), b"''");
        assert_eq!(quote(b"it's $x \\"), b"'it''s $x \\'");
        assert_eq!(quote(b"a\xffb"), b"'a'\"\\xff\"'b'");
    }
}
