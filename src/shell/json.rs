//! JSON: one object of NAME -> value, `null` meaning unset.
//!
//! JSON strings hold Unicode only: bytes that are not UTF-8 are replaced by
//! U+FFFD, so a consumer that needs them exactly should ask for a shell syntax.

use std::ffi::OsStr;

use super::ShellSyntax;

pub struct Json;

impl ShellSyntax for Json {
    fn begin(&self, out: &mut Vec<u8>) {
        out.push(b'{');
    }

    fn set(&self, out: &mut Vec<u8>, name: &str, value: &OsStr) {
        separator(out);
        push_string(out, name);
        out.push(b':');
        push_string(out, &value.to_string_lossy());
    }

    fn unset(&self, out: &mut Vec<u8>, name: &str) {
        separator(out);
        push_string(out, name);
        out.extend_from_slice(b":null");
    }

    fn end(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"}\n");
    }
}

fn separator(out: &mut Vec<u8>) {
    if out.last() != Some(&b'{') {
        out.push(b',');
    }
}

pub fn push_string(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaping of a plain string never fails.
    let quoted = serde_json::to_string(s).unwrap_or_default();
    out.extend_from_slice(quoted.as_bytes());
}
