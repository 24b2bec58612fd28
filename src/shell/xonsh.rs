//! xonsh: `$NAME = 'value'` and `${...}.pop('NAME', None)` (a `del` would
//! fail for a variable that is not set).
//!
//! Values are Python string literals. A byte that is not UTF-8 is written as
//! the lone surrogate Python's `surrogateescape` maps it to (`\udcHH`), which
//! xonsh passes on to programs as that very byte.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::ShellSyntax;

pub struct Xonsh;

impl ShellSyntax for Xonsh {
    fn set(&self, out: &mut Vec<u8>, name: &str, value: &OsStr) {
        out.push(b'$');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b" = ");
        out.extend_from_slice(&quote(value.as_bytes()));
        out.push(b'\n');
    }

    fn unset(&self, out: &mut Vec<u8>, name: &str) {
        out.extend_from_slice(b"${...}.pop('");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"', None)\n");
    }
}

pub fn quote(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    out.push(b'\'');
    for chunk in value.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.extend_from_slice(b"\\\\"),
                '\'' => out.extend_from_slice(b"\\'"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\r' => out.extend_from_slice(b"\\r"),
                c if c.is_control() => {
                    out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes())
                }
                c => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        for &b in chunk.invalid() {
            out.extend_from_slice(format!("\\udc{b:02x}").as_bytes());
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
        assert_eq!(quote(b"it's \\ $x"), b"'it\\'s \\\\ $x'");
        assert_eq!(quote(b"a\nb\xff"), b"'a\\nb\\udcff'");
    }
}
