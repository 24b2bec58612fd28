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
                if b == b'\'' {
                    out.push(b'\'');
                }
                out.push(b);
            }
            out.push(b'\'');
        }
        for &b in chunk.invalid() {
            out.extend_from_slice(format!("\"\\x{b:02x}\"").as_bytes());
        }
    }
    out
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
