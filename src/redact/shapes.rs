//! The shapes of secrets: the public token formats (found anywhere in a
//! text, inside a file name too), PEM bodies, the passwords of URLs, Slack
//! webhook paths, and words or file names random enough to be keys.

use super::{REDACTED, is_separator};

/// A token format: a prefix, then at least `min` characters of `body`.
struct Shape {
    prefix: &'static str,
    min: usize,
    body: fn(u8) -> bool,
}

const fn shape(prefix: &'static str, min: usize, body: fn(u8) -> bool) -> Shape {
    Shape { prefix, min, body }
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn alnum_underscore(b: u8) -> bool {
    alnum(b) || b == b'_'
}

fn alnum_dash(b: u8) -> bool {
    alnum(b) || b == b'-'
}

pub(super) fn base64url(b: u8) -> bool {
    alnum(b) || b == b'_' || b == b'-'
}

fn base64url_dot(b: u8) -> bool {
    base64url(b) || b == b'.'
}

fn base64(b: u8) -> bool {
    alnum(b) || matches!(b, b'+' | b'/' | b'=')
}

/// The token formats the providers publish (and secret scanners match).
const SHAPES: &[Shape] = &[
    // OpenAI (`sk-`, `sk-proj-`, `sk-svcacct-`, `sk-admin-`) and Anthropic
    // (`sk-ant-api03-`, `sk-ant-admin01-`, `sk-ant-oat01-`).
    shape("sk-", 12, base64url),
    // Stripe.
    shape("sk_live_", 10, alnum),
    shape("sk_test_", 10, alnum),
    shape("rk_live_", 10, alnum),
    shape("rk_test_", 10, alnum),
    shape("whsec_", 16, base64),
    // GitHub.
    shape("ghp_", 16, alnum),
    shape("gho_", 16, alnum),
    shape("ghu_", 16, alnum),
    shape("ghs_", 16, alnum),
    shape("ghr_", 16, alnum),
    shape("github_pat_", 16, alnum_underscore),
    // GitLab: personal, deploy, runner, trigger, CI build, incoming mail,
    // agent, OAuth, service account and feature flag tokens, and runner
    // registration tokens.
    shape("glpat-", 16, base64url_dot),
    shape("gldt-", 16, base64url_dot),
    shape("glrt-", 16, base64url_dot),
    shape("glptt-", 16, base64url_dot),
    shape("glcbt-", 16, base64url_dot),
    shape("glimt-", 16, base64url_dot),
    shape("glagent-", 16, base64url_dot),
    shape("gloas-", 16, base64url_dot),
    shape("glsoat-", 16, base64url_dot),
    shape("glffct-", 16, base64url_dot),
    shape("GR1348941", 16, base64url),
    // AWS access key ids (long-term, temporary, and the other principals).
    shape("AKIA", 16, alnum),
    shape("ASIA", 16, alnum),
    shape("ABIA", 16, alnum),
    shape("ACCA", 16, alnum),
    shape("AGPA", 16, alnum),
    shape("AIDA", 16, alnum),
    shape("AIPA", 16, alnum),
    shape("ANPA", 16, alnum),
    shape("ANVA", 16, alnum),
    shape("APKA", 16, alnum),
    shape("AROA", 16, alnum),
    shape("ASCA", 16, alnum),
    // Google: API keys, OAuth access and refresh tokens, client secrets.
    shape("AIza", 30, base64url),
    shape("ya29.", 16, base64url_dot),
    shape("1//0", 30, base64url),
    shape("GOCSPX-", 16, base64url),
    // Slack: bot, user, app, refresh, config and app-level tokens.
    shape("xoxb-", 10, alnum_dash),
    shape("xoxp-", 10, alnum_dash),
    shape("xoxa-", 10, alnum_dash),
    shape("xoxr-", 10, alnum_dash),
    shape("xoxs-", 10, alnum_dash),
    shape("xoxe.xoxp-", 10, alnum_dash),
    shape("xoxe-", 10, alnum_dash),
    shape("xapp-", 10, alnum_dash),
    // npm, PyPI (a macaroon: `pypi-AgEIcHlwaS5vcmc...`), Hugging Face.
    shape("npm_", 16, alnum),
    shape("pypi-AgE", 30, base64url),
    shape("hf_", 16, alnum),
    // JSON Web Tokens and other base64 JSON: `eyJ` is `{"`.
    shape("eyJ", 16, base64url_dot),
    // AWS STS session tokens: base64 of a binary blob whose first bytes do
    // not change (`IQoJb3JpZ2luX2Vj` holds "origin_ec", the older
    // `FwoGZXIvYXdzE` and `AQoDYXdzE` hold "aws"); `/` and `+` included.
    shape("IQoJb3JpZ2luX2Vj", 32, base64),
    shape("FwoGZXIvYXdzE", 32, base64),
    shape("AQoDYXdzE", 32, base64),
];

/// The length of a token of a known shape at the start of `text`, if one is there.
pub(super) fn token_at(text: &[u8]) -> Option<usize> {
    SHAPES.iter().find_map(|shape| {
        let rest = text.strip_prefix(shape.prefix.as_bytes())?;
        let body = rest.iter().take_while(|&&b| (shape.body)(b)).count();
        (body >= shape.min).then_some(shape.prefix.len() + body)
    })
}

/// Tokens of a known shape anywhere, PEM bodies, the passwords of URLs and
/// Slack webhook paths, replaced; everything else as it was.
pub(super) fn redact_spans(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric() || after_escape(bytes, i);
        let replaced = if !text.is_char_boundary(i) {
            None
        } else if boundary && let Some(len) = token_at(&bytes[i..]) {
            Some((i, i + len, REDACTED.to_string()))
        } else if bytes[i..].starts_with(b"-----BEGIN ") {
            pem_body(text, i)
        } else if bytes[i..].starts_with(b"://") {
            url_password(text, i + 3)
        } else if bytes[i..].starts_with(b"hooks.slack.com/services/") {
            let start = i + "hooks.slack.com/services/".len();
            let end = start
                + bytes[start..]
                    .iter()
                    .take_while(|&&b| base64url(b) || b == b'/')
                    .count();
            (end > start && &text[start..end] != REDACTED)
                .then(|| (start, end, REDACTED.to_string()))
        } else {
            None
        };
        match replaced {
            Some((start, end, with)) => {
                out.push_str(&text[copied..start]);
                out.push_str(&with);
                copied = end;
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Whether the text before `at` ends with an escape that stands for a
/// separator: `%22` of a URL, `\n` of printf or JSON, `\u0022` of JSON. A
/// token right after one starts a word, though a letter or digit precedes it.
pub(super) fn after_escape(bytes: &[u8], at: usize) -> bool {
    let before = &bytes[..at];
    let hex = |b: &u8| b.is_ascii_hexdigit();
    let percent = before.len() >= 3
        && before[before.len() - 3] == b'%'
        && before[before.len() - 2..].iter().all(hex);
    let backslash = before.len() >= 2
        && before[before.len() - 2] == b'\\'
        && before[before.len() - 1].is_ascii_alphabetic();
    let unicode = before.len() >= 6
        && before[before.len() - 6..before.len() - 4] == *b"\\u"
        && before[before.len() - 4..].iter().all(hex);
    percent || backslash || unicode
}

/// The body of a PEM block whose `-----BEGIN` is at `at`: up to its
/// `-----END`, or to the end of the text when the block is cut.
fn pem_body(text: &str, at: usize) -> Option<(usize, usize, String)> {
    let header_end = at + 11 + text[at + 11..].find("-----")? + 5;
    let end = text[header_end..]
        .find("-----END ")
        .map_or(text.len(), |e| header_end + e);
    let body = &text[header_end..end];
    if body.trim().is_empty() || body.trim() == REDACTED {
        return None;
    }
    let newline = if body.starts_with('\n') { "\n" } else { "" };
    let trailing = if body.ends_with('\n') { "\n" } else { "" };
    Some((header_end, end, format!("{newline}{REDACTED}{trailing}")))
}

/// The password in `scheme://user:password@host`, the authority starting at
/// `at`; a user part alone is kept unless it is long and random.
fn url_password(text: &str, at: usize) -> Option<(usize, usize, String)> {
    let authority_len = text[at..]
        .find(|c: char| matches!(c, '/' | '?' | '#') || is_separator(c))
        .unwrap_or(text.len() - at);
    let authority = &text[at..at + authority_len];
    let userinfo = &authority[..authority.rfind('@')?];
    match userinfo.find(':') {
        Some(colon) => {
            let password = &userinfo[colon + 1..];
            (!password.is_empty() && password != REDACTED)
                .then(|| (at + colon + 1, at + userinfo.len(), REDACTED.to_string()))
        }
        None => random_word(userinfo).then(|| (at, at + userinfo.len(), REDACTED.to_string())),
    }
}

/// 32 or more characters of base64 or hex with a digit among them: a key, not
/// a word. A UUID (`8-4-4-4-12` hex digits), which tools name things by, is
/// no key.
pub(super) fn random_word(w: &str) -> bool {
    !uuid(w)
        && w.len() >= 32
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
        && w.bytes().any(|b| b.is_ascii_digit())
        && !w.contains('/')
}

fn uuid(w: &str) -> bool {
    let groups: Vec<&str> = w.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// An AWS secret access key: 40 characters of base64, `/` included.
pub(super) fn aws_secret(w: &str) -> bool {
    w.len() == 40
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+'))
        && w.bytes().any(|b| b.is_ascii_uppercase())
        && w.bytes().any(|b| b.is_ascii_lowercase())
        && w.bytes().any(|b| b.is_ascii_digit() || b == b'+')
        && !w.starts_with('/')
}

/// A folder or file name that is a random string: 32 or more letters and
/// digits of both cases, before any extension. Hex digests and UUIDs, which
/// tools name their files by, have one case only, and names made of words
/// and numbers (`rollout-2025-01-01T10-00-00-<uuid>.jsonl`) have separators:
/// both stay.
pub(super) fn random_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    stem.len() >= 32
        && stem.bytes().all(alnum)
        && stem.bytes().any(|b| b.is_ascii_uppercase())
        && stem.bytes().any(|b| b.is_ascii_lowercase())
        && stem.bytes().any(|b| b.is_ascii_digit())
}
