//! bash, zsh and POSIX sh (dash): `export NAME='value'` and `unset NAME`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::ShellSyntax;

pub struct Posix;

impl ShellSyntax for Posix {
    fn set(&self, out: &mut Vec<u8>, name: &str, value: &OsStr) {
        out.extend_from_slice(b"export ");
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        out.extend_from_slice(&quote(value.as_bytes()));
        out.extend_from_slice(b";\n");
    }

    fn unset(&self, out: &mut Vec<u8>, name: &str) {
        out.extend_from_slice(b"unset ");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b";\n");
    }
}

/// Single quotes take every byte literally; a quote itself is closed, escaped
/// and reopened: `'\''`.
pub fn quote(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    out.push(b'\'');
    for &b in value {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
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
        assert_eq!(quote(b"a b"), b"'a b'");
        assert_eq!(quote(b"it's"), b"'it'\\''s'");
        assert_eq!(quote(b"$(x)`y`\\"), b"'$(x)`y`\\'");
    }
}
