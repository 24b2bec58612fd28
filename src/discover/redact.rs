//! Keeping secrets out of everything swop prints or writes.

/// Whether one word looks like a credential.
pub fn looks_secret(word: &str) -> bool {
    let w = word.trim_matches(|c| c == '"' || c == '\'');
    let prefixes = [
        "sk-",
        "sk_",
        "pk_",
        "rk_",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "xoxb-",
        "xoxp-",
        "AKIA",
        "ASIA",
        "ya29.",
        "eyJ",
        "npm_",
        "hf_",
    ];
    if prefixes.iter().any(|p| w.starts_with(p)) && w.len() >= 8 {
        return true;
    }
    if let Some(rest) = w
        .strip_prefix("Bearer ")
        .or_else(|| w.strip_prefix("bearer "))
    {
        return !rest.is_empty();
    }
    // Long runs of base64 or hex are keys or tokens, not words.
    w.len() >= 32
        && w.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'.')
        })
        && w.bytes().any(|b| b.is_ascii_digit())
        && !w.contains('/')
}

/// Flags whose next argument (or `=value`) is always a secret.
fn secret_flag(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    let w = w.trim_start_matches('-');
    [
        "api-key",
        "apikey",
        "api_key",
        "token",
        "password",
        "passwd",
        "secret",
        "auth",
        "access-token",
        "client-secret",
        "key",
    ]
    .contains(&w)
}

pub const REDACTED: &str = "<redacted>";

/// Redact the words of a command line.
pub fn redact_command(words: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut next_secret = false;
    for word in words {
        if next_secret {
            out.push(REDACTED.to_string());
            next_secret = false;
            continue;
        }
        if let Some((flag, _)) = word
            .split_once('=')
            .filter(|(f, _)| f.starts_with('-') && secret_flag(f))
        {
            out.push(format!("{flag}={REDACTED}"));
            continue;
        }
        if word.starts_with('-') && secret_flag(word) {
            out.push(word.clone());
            next_secret = true;
            continue;
        }
        out.push(redact_text(word));
    }
    out
}

/// Redact secret-looking words inside free text (a `sh -c` script, a message).
pub fn redact_text(text: &str) -> String {
    if looks_secret(text) {
        return REDACTED.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut after_bearer = false;
    while !rest.is_empty() {
        let start = rest.find(|c: char| !is_separator(c)).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(is_separator).unwrap_or(rest.len());
        let word = &rest[..end];
        if word.is_empty() {
            break;
        }
        if after_bearer || looks_secret(word) {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        after_bearer = word.eq_ignore_ascii_case("bearer");
        rest = &rest[end..];
    }
    out
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '|' | ';' | '&' | '(' | ')' | '<' | '>' | '`' | ','
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn redacts_common_shapes() {
        for secret in [
            "sk-proj-abcdefghijklmnop",
            "ghp_0123456789abcdefABCDEF0123456789abcd",
            "AKIAIOSFODNN7EXAMPLE",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
            "0123456789abcdef0123456789abcdef",
        ] {
            assert!(looks_secret(secret), "{secret}");
        }
        for plain in ["codex", "login", "--with-api-key", "/usr/bin/env", "status"] {
            assert!(!looks_secret(plain), "{plain}");
        }
    }

    #[test]
    fn redacts_after_secret_flags_and_inside_scripts() {
        assert_eq!(
            redact_command(&words(&[
                "tool",
                "--api-key",
                "hunter2",
                "--token=abc",
                "x"
            ])),
            words(&["tool", "--api-key", REDACTED, "--token=<redacted>", "x"])
        );
        assert_eq!(
            redact_text("printf 'sk-live-abcdefgh\\n' | codex login"),
            "printf '<redacted>' | codex login"
        );
        assert_eq!(
            redact_text("curl -H 'Authorization: Bearer abc.def' x"),
            "curl -H 'Authorization: Bearer <redacted>' x"
        );
    }
}
