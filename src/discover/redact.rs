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
    if let Some((name, value)) = w.split_once('=')
        && crate::names::is_var_name(name)
        && secret_var(name)
        && !value.is_empty()
    {
        return true;
    }
    // AWS secret access keys: 40 characters of base64, '/' included.
    if w.len() == 40
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+'))
        && w.bytes().any(|b| b.is_ascii_uppercase())
        && w.bytes().any(|b| b.is_ascii_lowercase())
        && w.bytes().any(|b| b.is_ascii_digit() || b == b'+')
        && !w.starts_with('/')
    {
        return true;
    }
    // Long runs of base64 or hex are keys or tokens, not words.
    w.len() >= 32
        && w.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'.')
        })
        && w.bytes().any(|b| b.is_ascii_digit())
        && !w.contains('/')
}

/// Flags whose next argument (or `=value`) is always a secret: `--token`,
/// `--api-key`, `--client-secret`, `--github-token`, ...
fn secret_flag(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    let w = w.trim_start_matches('-');
    ["apikey", "auth", "key", "pass"].contains(&w)
        || ["token", "password", "passwd", "secret", "-key", "_key"]
            .iter()
            .any(|end| w.ends_with(end))
}

/// Variables whose value is a credential: `GITHUB_TOKEN`, `OPENAI_API_KEY`, ...
fn secret_var(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"]
        .iter()
        .any(|part| n.contains(part))
        || n.ends_with("KEY")
        || n.ends_with("KEY_ID")
}

/// `--token=VALUE` or `GITHUB_TOKEN=VALUE`: the part before `=`, whose value is a secret.
fn secret_assignment(word: &str) -> Option<&str> {
    let (name, value) = word.split_once('=')?;
    let secret = if name.starts_with('-') {
        secret_flag(name)
    } else {
        crate::names::is_var_name(name) && secret_var(name)
    };
    (secret && !value.is_empty()).then_some(name)
}

/// Words after which the next one is a credential, in a header or a script.
fn scheme_word(word: &str, previous: &str) -> bool {
    word.eq_ignore_ascii_case("bearer")
        || (previous.eq_ignore_ascii_case("authorization:")
            && (word.eq_ignore_ascii_case("basic") || word.eq_ignore_ascii_case("token")))
}

pub const REDACTED: &str = "<redacted>";

/// Redact the words of a command line.
pub fn redact_command(words: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut next_secret = false;
    let mut previous = "";
    for word in words {
        let after = std::mem::replace(&mut previous, word.as_str());
        if next_secret {
            out.push(REDACTED.to_string());
            next_secret = false;
            continue;
        }
        if scheme_word(word, after) {
            out.push(word.clone());
            next_secret = true;
            continue;
        }
        if let Some(name) = secret_assignment(word) {
            out.push(format!("{name}={REDACTED}"));
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
    let mut next_secret = false;
    let mut previous = "";
    while !rest.is_empty() {
        let start = rest.find(|c: char| !is_separator(c)).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(is_separator).unwrap_or(rest.len());
        let word = &rest[..end];
        if word.is_empty() {
            break;
        }
        if word == "redacted" && out.ends_with('<') && rest[end..].starts_with('>') {
            // Already redacted: text that passes twice stays the same.
            out.push_str(word);
            next_secret = false;
        } else if next_secret {
            out.push_str(REDACTED);
            next_secret = false;
        } else if let Some(name) = secret_assignment(word) {
            out.push_str(name);
            out.push('=');
            out.push_str(REDACTED);
        } else if looks_secret(word) {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
            next_secret =
                (word.starts_with('-') && secret_flag(word)) || scheme_word(word, previous);
        }
        previous = word;
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
        assert_eq!(
            redact_text("tool --password hunter2 --github-token=abc && X_API_KEY=k run"),
            "tool --password <redacted> --github-token=<redacted> && X_API_KEY=<redacted> run"
        );
        assert_eq!(
            redact_command(&words(&[
                "curl",
                "-H",
                "Authorization:",
                "Basic",
                "dXNlcjpw"
            ])),
            words(&["curl", "-H", "Authorization:", "Basic", REDACTED])
        );
        assert_eq!(
            redact_command(&words(&["x", "Bearer", "abc", "GITHUB_TOKEN=t"])),
            words(&["x", "Bearer", REDACTED, "GITHUB_TOKEN=<redacted>"])
        );
    }

    #[test]
    fn aws_secret_keys_are_secret_but_paths_are_not() {
        assert!(looks_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert!(looks_secret("AWS_SECRET_ACCESS_KEY=x"));
        for path in [
            "/usr/lib/x86_64-linux-gnu/libc.so.6",
            "/home/me/.config/tool/settings.json",
            "HOME=/home/me",
            "PATH=/usr/bin:/bin",
        ] {
            assert!(!looks_secret(path), "{path}");
        }
    }
}
