//! nushell: `$env.NAME = "value"` and `hide-env -i NAME`.
//!
//! nushell's strings are Unicode: a value with bytes that are not UTF-8
//! cannot be given to it, and is refused rather than changed. Values are
//! written in double quotes with nushell's escapes.

use std::ffi::OsStr;

use super::ShellSyntax;

pub struct Nu;

impl ShellSyntax for Nu {
    fn set(&self, out: &mut Vec<u8>, name: &str, value: &OsStr) {
        out.extend_from_slice(b"$env.");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b" = ");
        out.extend_from_slice(quote(&value.to_string_lossy()).as_bytes());
        out.push(b'\n');
    }

    fn unset(&self, out: &mut Vec<u8>, name: &str) {
        out.extend_from_slice(b"hide-env -i ");
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
    }

    fn refuse(&self, value: &OsStr) -> Option<&'static str> {
        value
            .to_str()
            .is_none()
            .then_some("nushell holds text only, and the value has bytes that are not UTF-8")
    }
}

pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a \"b\" \\ $(x)\n"), "\"a \\\"b\\\" \\\\ $(x)\\n\"");
        assert_eq!(quote("\u{1}"), "\"\\u{1}\"");
    }
}
