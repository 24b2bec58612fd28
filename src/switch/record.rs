//! The restore record, `SWOP_SAVED`: what each variable was before swop
//! touched it, as text an environment can carry.
//!
//! `NAME=value` for a variable that was set, `NAME` alone for one that was
//! unset, and `NAME@TOKEN` for one whose value is kept out of the
//! environment, in the private file `TOKEN` names (see [`super::kept`]);
//! entries are joined by `:`. A value is kept as it is, except `%`, `:`,
//! control characters and bytes that are not UTF-8, which are written
//! `%XX`: a record is about as long as the values it holds, never three
//! times as long.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use super::{PROFILE_VAR, SAVED_VAR};

/// What a record says about one variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Its value before swop touched it: set, or unset (`None`).
    Clear(Option<OsString>),
    /// It was set, and its value is in the private file this token names.
    Kept(Token),
}

/// The name of a private file of kept values: 32 lower-case hex digits, so
/// that no record can name a path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Token(String);

impl Token {
    pub const LEN: usize = 32;

    /// The token of `text`, if it is one.
    pub fn parse(text: &str) -> Option<Token> {
        let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        (text.len() == Self::LEN && text.bytes().all(hex)).then(|| Token(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Encode a record; see the module docs.
pub fn encode_record(entries: &[(&str, Saved)]) -> OsString {
    let mut out = Vec::new();
    for (i, (name, saved)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b':');
        }
        out.extend_from_slice(name.as_bytes());
        match saved {
            Saved::Clear(Some(value)) => {
                out.push(b'=');
                encode_value(value.as_bytes(), &mut out);
            }
            Saved::Clear(None) => {}
            Saved::Kept(token) => {
                out.push(b'@');
                out.extend_from_slice(token.as_str().as_bytes());
            }
        }
    }
    OsString::from_vec(out)
}

/// Encode a record of values only.
pub fn encode_saved(entries: &[(&str, Option<OsString>)]) -> OsString {
    let entries: Vec<(&str, Saved)> = entries
        .iter()
        .map(|(name, value)| (*name, Saved::Clear(value.clone())))
        .collect();
    encode_record(&entries)
}

/// Printable UTF-8 as it is; `%`, `:`, control characters and stray bytes as `%XX`.
fn encode_value(value: &[u8], out: &mut Vec<u8>) {
    let escape = |b: u8, out: &mut Vec<u8>| out.extend_from_slice(format!("%{b:02X}").as_bytes());
    for chunk in value.utf8_chunks() {
        for c in chunk.valid().chars() {
            let mut buf = [0u8; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            if c == '%' || c == ':' || c.is_control() {
                bytes.iter().for_each(|&b| escape(b, out));
            } else {
                out.extend_from_slice(bytes);
            }
        }
        for &b in chunk.invalid() {
            escape(b, out);
        }
    }
}

/// Decode a record. Entries that do not parse, or whose value holds a NUL
/// (which no environment can carry), are skipped: a damaged record must not
/// stop a user from switching away.
pub fn decode_record(bytes: &[u8]) -> BTreeMap<String, Saved> {
    let mut saved = BTreeMap::new();
    for entry in bytes.split(|&b| b == b':').filter(|e| !e.is_empty()) {
        let Some((name, value)) = decode_entry(entry) else {
            continue;
        };
        if name == SAVED_VAR || name == PROFILE_VAR {
            continue;
        }
        saved.insert(name, value);
    }
    saved
}

fn decode_entry(entry: &[u8]) -> Option<(String, Saved)> {
    let eq = entry.iter().position(|&b| b == b'=');
    let at = entry.iter().position(|&b| b == b'@');
    let (name, saved) = match (eq, at) {
        (Some(eq), _) => {
            let value = percent_decode(&entry[eq + 1..])?;
            if value.contains(&0) {
                return None;
            }
            (&entry[..eq], Saved::Clear(Some(OsString::from_vec(value))))
        }
        (None, Some(at)) => {
            let token = Token::parse(std::str::from_utf8(&entry[at + 1..]).ok()?)?;
            (&entry[..at], Saved::Kept(token))
        }
        (None, None) => (entry, Saved::Clear(None)),
    };
    let name = std::str::from_utf8(name).ok()?;
    crate::names::is_var_name(name).then(|| (name.to_string(), saved))
}

/// Decode the values of a record, leaving out what it keeps elsewhere.
pub fn decode_saved(bytes: &[u8]) -> BTreeMap<String, Option<OsString>> {
    decode_record(bytes)
        .into_iter()
        .filter_map(|(name, saved)| match saved {
            Saved::Clear(value) => Some((name, value)),
            Saved::Kept(_) => None,
        })
        .collect()
}

fn percent_decode(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_record_round_trips_any_bytes() {
        let values: Vec<(&str, Option<OsString>)> = vec![
            (
                "A",
                Some(OsString::from_vec(b"x:y%z =\n\xff\xc3\xa9@".to_vec())),
            ),
            ("B", None),
            ("C", Some(OsString::new())),
        ];
        let decoded = decode_saved(encode_saved(&values).as_bytes());
        assert_eq!(decoded.len(), 3);
        for (k, v) in values {
            assert_eq!(decoded[k], v, "{k}");
        }
    }

    #[test]
    fn a_kept_entry_names_its_file_and_holds_no_value() {
        let token = Token::parse("0123456789abcdef0123456789abcdef").expect("a token");
        let record = encode_record(&[
            ("AWS_SECRET_ACCESS_KEY", Saved::Kept(token.clone())),
            ("HOME", Saved::Clear(Some("/home/me".into()))),
        ]);
        assert_eq!(
            record,
            "AWS_SECRET_ACCESS_KEY@0123456789abcdef0123456789abcdef:HOME=/home/me"
        );
        let decoded = decode_record(record.as_bytes());
        assert_eq!(decoded["AWS_SECRET_ACCESS_KEY"], Saved::Kept(token));
        // A token that could name a path is no token.
        for bad in [
            "X@../../etc/passwd",
            "X@0123",
            "X@0123456789ABCDEF0123456789ABCDEF",
        ] {
            assert!(decode_record(bad.as_bytes()).is_empty(), "{bad}");
        }
    }

    #[test]
    fn the_record_is_about_as_long_as_its_values() {
        let value = OsString::from("/home/me/é/".repeat(1000));
        let encoded = encode_saved(&[("HOME", Some(value.clone()))]);
        assert_eq!(encoded.len(), "HOME=".len() + value.len());
    }

    #[test]
    fn damaged_record_is_skipped_not_fatal() {
        let d = decode_saved(b"A=%zz:1BAD:B=ok:SWOP_SAVED=x::C:D=a%00b");
        assert_eq!(d.len(), 2);
        assert_eq!(d["B"], Some("ok".into()));
        assert_eq!(d["C"], None);
    }
}
