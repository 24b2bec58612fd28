//! Which names a piece of source reads from its environment: the lookups of
//! Python (`os.environ.get("X")`, `os.environ["X"]`, `os.getenv("X")`),
//! JavaScript (`process.env.X`, `process.env["X"]`, `"X" in process.env`),
//! Ruby (`ENV["X"]`, `ENV.fetch("X")`) and shell (`${X:-...}`, `$X`).
//!
//! A tool often keeps the name in a constant and looks the constant up
//! (`ENV_HTTPIE_CONFIG_DIR = 'HTTPIE_CONFIG_DIR'` then
//! `os.environ.get(ENV_HTTPIE_CONFIG_DIR)`; `getenv(env.DVC_GLOBAL_CONFIG_DIR)`
//! with the constant in another module; wrangler's
//! `{variableName: "WRANGLER_CACHE_DIR"}` read as `process.env[variableName]`).
//! So a text yields names looked up directly, identifiers looked up, and
//! identifiers given a name: the caller joins the last two over every file
//! of the tool.
//!
//! Nothing is parsed: a lookup is recognised by the few bytes around it,
//! which is enough for names that must also be shaped like a place.

use std::collections::{BTreeMap, BTreeSet};

/// The language a source file is written in decides its lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Language {
    Python,
    Ruby,
    Shell,
    JavaScript,
}

/// What one text says about environment names.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Lookups {
    /// Names looked up as written (`os.getenv("POETRY_CONFIG_DIR")`).
    pub names: BTreeSet<String>,
    /// Identifiers whose value is looked up (`os.environ.get(CONFIG_FILE_ENV_VAR)`).
    pub through: BTreeSet<String>,
    /// Identifiers given a name (`CONFIG_FILE_ENV_VAR = "DATABRICKS_CONFIG_FILE"`).
    pub constants: BTreeMap<String, BTreeSet<String>>,
}

impl Lookups {
    /// The names looked up directly, and those looked up through an
    /// identifier that `constants` gives a value.
    pub fn resolve<'a>(
        &'a self,
        constants: &'a BTreeMap<String, BTreeSet<String>>,
    ) -> impl Iterator<Item = &'a str> {
        let through = self
            .through
            .iter()
            .filter_map(|ident| constants.get(ident))
            .flatten();
        self.names.iter().chain(through).map(String::as_str)
    }
}

/// Calls whose first argument is the name looked up; the call's name must
/// start a word (`os.getenv(`, not `mygetenv(`).
const LOOKUP_CALLS: &[&[u8]] = &[
    b"getenv",
    b"environ.get",
    b"environ.setdefault",
    b"environb.get",
    b"ENV.fetch",
    b"ENV.key?",
    b"ENV.include?",
    b"Deno.env.get",
];

/// Maps indexed by the name: `os.environ[`, `process.env[`, `ENV[`.
const ENV_MAPS: &[&[u8]] = &[b"environ", b"environb", b"process.env", b"ENV"];

/// A name that shapes like one worth binding; the rest of a text's names are
/// of no interest, and keeping them would make the constants table big.
fn wanted(name: &str) -> bool {
    crate::names::names_a_place(name) && crate::names::check_binding_name(name).is_ok()
}

/// Names held in constants are taken only in the environment's own style
/// (`FOO_CONFIG_DIR`): a lower-case value (`config`, `cache`) is a key of
/// something else that happens to share an identifier with a lookup's.
fn upper_case(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The index of the last byte before `at` that is not white space.
fn back_over_space(text: &[u8], at: usize) -> Option<usize> {
    text[..at].iter().rposition(|b| !b.is_ascii_whitespace())
}

/// The index of the first byte from `at` that is not white space.
fn over_space(text: &[u8], at: usize) -> usize {
    at + text[at.min(text.len())..]
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len().saturating_sub(at))
}

/// Whether `text[..end]` ends with `word` standing as a word of its own (an
/// attribute like `os.environ` counts; `myenviron` does not).
fn ends_with_word(text: &[u8], end: usize, word: &[u8]) -> bool {
    text[..end].ends_with(word) && (end == word.len() || !is_ident_byte(text[end - word.len() - 1]))
}

/// The identifier that ends at `end` (exclusive), if one does.
fn ident_before(text: &[u8], end: usize) -> Option<&str> {
    let start = text[..end]
        .iter()
        .rposition(|b| !is_ident_byte(*b))
        .map_or(0, |i| i + 1);
    let ident = std::str::from_utf8(&text[start..end]).ok()?;
    ident
        .chars()
        .next()
        .is_some_and(|c| !c.is_ascii_digit())
        .then_some(ident)
}

/// Whether what follows `at` (after white space) assigns rather than reads:
/// `os.environ["X"] = v`, not `== v` nor `||= v`.
fn assigned_after(text: &[u8], at: usize) -> bool {
    let i = over_space(text, at);
    text.get(i) == Some(&b'=') && !matches!(text.get(i + 1), Some(b'=' | b'>'))
}

/// Read the environment lookups and name constants of one text.
pub fn read(text: &[u8], language: Language) -> Lookups {
    let mut found = Lookups::default();
    name_literals(text, &mut found);
    identifier_lookups(text, &mut found);
    if language == Language::JavaScript {
        dotted_lookups(text, &mut found);
    }
    if language == Language::Shell {
        shell_expansions(text, &mut found);
    }
    found
}

/// Every quoted name (`"X"`, `'X'`, `` `X` ``) worth binding, read by what
/// stands around it: an argument of a lookup, an index of the environment,
/// the left of `in os.environ`, or the value of a constant.
fn name_literals(text: &[u8], found: &mut Lookups) {
    let mut at = 0;
    while let Some(offset) = memchr::memchr3(b'"', b'\'', b'`', &text[at..]) {
        let open = at + offset;
        let quote = text[open];
        let len = text[open + 1..]
            .iter()
            .position(|b| !is_name_byte(*b))
            .unwrap_or(text.len() - open - 1);
        let close = open + 1 + len;
        at = open + 1;
        if len == 0 || text.get(close) != Some(&quote) {
            continue;
        }
        at = close + 1;
        let Ok(name) = std::str::from_utf8(&text[open + 1..close]) else {
            continue;
        };
        if !wanted(name) {
            continue;
        }
        if looked_up_literal(text, open, close) {
            found.names.insert(name.to_string());
        } else if upper_case(name)
            && let Some(ident) = constant_for(text, open)
        {
            found
                .constants
                .entry(ident.to_string())
                .or_default()
                .insert(name.to_string());
        }
    }
}

/// Whether the literal between `open` and `close` (its quotes) is looked up.
fn looked_up_literal(text: &[u8], open: usize, close: usize) -> bool {
    let Some(before) = back_over_space(text, open) else {
        return tested_in_environment(text, close + 1);
    };
    let argument = text[before] == b'(' && {
        let callee = back_over_space(text, before).map_or(0, |i| i + 1);
        LOOKUP_CALLS
            .iter()
            .any(|call| ends_with_word(text, callee, call))
    };
    let index = text[before] == b'[' && {
        let map = back_over_space(text, before).map_or(0, |i| i + 1);
        let after = over_space(text, close + 1);
        ENV_MAPS.iter().any(|m| ends_with_word(text, map, m))
            && text.get(after) == Some(&b']')
            && !assigned_after(text, after + 1)
    };
    argument || index || tested_in_environment(text, close + 1)
}

/// Whether `in os.environ`, `in environ` or `in process.env` follows `at`:
/// the name (or identifier) before it is tested for.
fn tested_in_environment(text: &[u8], at: usize) -> bool {
    let i = over_space(text, at);
    if !text[i..].starts_with(b"in") || text.get(i + 2).is_none_or(|b| !b.is_ascii_whitespace()) {
        return false;
    }
    let map = over_space(text, i + 2);
    [&b"os.environ"[..], b"environ", b"process.env"]
        .iter()
        .any(|m| {
            text[map..].starts_with(m) && text.get(map + m.len()).is_none_or(|b| !is_ident_byte(*b))
        })
}

/// The identifier a literal at `open` is the value of: `IDENT = "X"`,
/// `IDENT: str = "X"`, `const IDENT = "X"`, `IDENT: "X"` (a property),
/// `"IDENT": "X"` (a quoted key).
fn constant_for(text: &[u8], open: usize) -> Option<&str> {
    let sep = back_over_space(text, open)?;
    match text[sep] {
        b'=' => {
            if sep > 0 && matches!(text[sep - 1], b'=' | b'!' | b'<' | b'>') {
                return None;
            }
            let line_start = text[..sep]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let lhs = &text[line_start..sep];
            // `NAME: Final[str] = "X"`: the annotated name is before the colon.
            let end = match memchr::memchr(b':', lhs) {
                Some(colon) => line_start + colon,
                None => sep,
            };
            let end = back_over_space(text, end)
                .map_or(0, |i| i + 1)
                .max(line_start);
            ident_before(text, end)
        }
        b':' => {
            if sep > 0 && text[sep - 1] == b':' {
                return None;
            }
            let end = back_over_space(text, sep)?;
            if matches!(text[end], b'"' | b'\'') {
                let quote = text[end];
                let start = text[..end].iter().rposition(|b| *b == quote)?;
                let key = std::str::from_utf8(&text[start + 1..end]).ok()?;
                return key.bytes().all(is_ident_byte).then_some(key);
            }
            ident_before(text, end + 1)
        }
        _ => None,
    }
}

/// Lookups whose argument is an identifier (`getenv(env.DVC_GLOBAL_CONFIG_DIR)`,
/// `process.env[variableName]`, `variableName in process.env`): the last
/// part of the identifier, for the caller to resolve. An identifier that is
/// called (`getenv(name())`) is not a constant.
fn identifier_lookups(text: &[u8], found: &mut Lookups) {
    for call in LOOKUP_CALLS {
        for at in memchr::memmem::find_iter(text, call) {
            if !ends_with_word(text, at + call.len(), call) {
                continue;
            }
            let open = over_space(text, at + call.len());
            if text.get(open) == Some(&b'(') {
                argument_identifier(text, open + 1, found);
            }
        }
    }
    for map in ENV_MAPS {
        for at in memchr::memmem::find_iter(text, map) {
            if !ends_with_word(text, at + map.len(), map) {
                continue;
            }
            let open = over_space(text, at + map.len());
            if text.get(open) == Some(&b'[') {
                argument_identifier(text, open + 1, found);
            }
        }
    }
    for at in memchr::memmem::find_iter(text, b" in ") {
        if tested_in_environment(text, at + 1)
            && let Some(end) = back_over_space(text, at + 1)
            && let Some(ident) = ident_before(text, end + 1)
        {
            found.through.insert(ident.to_string());
        }
    }
}

/// The identifier (a dotted path's last part) that starts an argument at `at`.
fn argument_identifier(text: &[u8], at: usize, found: &mut Lookups) {
    let start = over_space(text, at);
    let len = text[start..]
        .iter()
        .position(|b| !(is_ident_byte(*b) || *b == b'.'))
        .unwrap_or(text.len() - start);
    let path = &text[start..start + len];
    let after = over_space(text, start + len);
    if len == 0 || text.get(after) == Some(&b'(') || path.first().is_some_and(u8::is_ascii_digit) {
        return;
    }
    let last = path.rsplit(|b| *b == b'.').next().unwrap_or(path);
    // One letter is a minified name: it says nothing of what it holds.
    if let Ok(ident) = std::str::from_utf8(last)
        && ident.len() >= 2
    {
        found.through.insert(ident.to_string());
    }
}

/// `process.env.NAME` and `process.env?.NAME` read `NAME` itself.
fn dotted_lookups(text: &[u8], found: &mut Lookups) {
    for at in memchr::memmem::find_iter(text, b"process.env") {
        let mut i = at + b"process.env".len();
        if text[i..].starts_with(b"?.") {
            i += 2;
        } else if text.get(i) == Some(&b'.') {
            i += 1;
        } else {
            continue;
        }
        let len = text[i..]
            .iter()
            .position(|b| !is_name_byte(*b))
            .unwrap_or(text.len() - i);
        if let Ok(name) = std::str::from_utf8(&text[i..i + len])
            && wanted(name)
            && !assigned_after(text, i + len)
        {
            found.names.insert(name.to_string());
        }
    }
}

/// A shell script's expansions: `${NAME:-default}` and its kin (`-`, `=`,
/// `?`, `+`, with or without `:`) read the environment whatever the script
/// does; a plain `$NAME` or `${NAME}` does when the script never assigns
/// `NAME` itself (else it is the script's own variable).
fn shell_expansions(text: &[u8], found: &mut Lookups) {
    let mut plain = BTreeSet::new();
    for at in memchr::memchr_iter(b'$', text) {
        let braced = text.get(at + 1) == Some(&b'{');
        let start = at + 1 + usize::from(braced);
        let len = text[start.min(text.len())..]
            .iter()
            .position(|b| !is_name_byte(*b))
            .unwrap_or(text.len().saturating_sub(start));
        let Ok(name) = std::str::from_utf8(&text[start..start + len]) else {
            continue;
        };
        if len == 0 || !wanted(name) {
            continue;
        }
        let next = text.get(start + len).copied();
        let with_default = braced && matches!(next, Some(b':' | b'-' | b'=' | b'?' | b'+'));
        if with_default {
            found.names.insert(name.to_string());
        } else if !braced || next == Some(b'}') {
            plain.insert(name);
        }
    }
    for name in plain {
        if !shell_assigns(text, name) {
            found.names.insert(name.to_string());
        }
    }
}

/// Whether a script assigns `name` (`NAME=...` as a statement's first word,
/// or after `export`, `local`, `readonly`, `declare`).
fn shell_assigns(text: &[u8], name: &str) -> bool {
    let mut pattern = name.as_bytes().to_vec();
    pattern.push(b'=');
    memchr::memmem::find_iter(text, &pattern).any(|at| {
        at == 0
            || matches!(
                text[at - 1],
                b'\n' | b' ' | b'\t' | b';' | b'(' | b'&' | b'|'
            )
    })
}

#[cfg(test)]
mod tests;
