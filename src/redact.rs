//! Keeping secrets out of everything swop prints or writes: reports, their
//! JSON, progress lines, recipes and error messages.
//!
//! Three kinds of evidence, surest first:
//! - the shape of a token (module `shapes`: the public formats of OpenAI, Anthropic,
//!   GitHub, GitLab, AWS, Google, Slack, npm, PyPI, Hugging Face and Stripe,
//!   JSON Web Tokens, PEM blocks), found anywhere in a text, inside a file or
//!   folder name too (`AKIA….json` keeps its `.json`);
//! - the context: what follows a flag or an assignment whose name says
//!   "secret" (`--password X`, `--passphrase=X`, `GITHUB_TOKEN=X`,
//!   `PGPASSWORD=X`, `MYSQL_PWD=X`, rclone's `pass=X`, npm's
//!   `//host/:_authToken=X`, `?token=X`), a setting named so in a `config`
//!   or `configure` command (`aws configure set aws_session_token X`), `-p X`
//!   (unless a port or a path) and mysql's `-pX`, the password of `-u
//!   user:pw`, httpie's `-a user:pw` and of a URL (`https://user:pw@host`),
//!   the password flags of the tools that take one (redis-cli's `-a`,
//!   ldapsearch's `-w`, openssl's `-k`), and what follows `Bearer`;
//! - a long word of random characters: 32 or more letters and digits (and
//!   `+/=_-`), or a folder or file name of 32 or more with upper case, lower
//!   case and digits mixed.
//!
//! A word ends at an escape as well as at a space: a token right after `%22`
//! (a URL-encoded quote) or glued to `\n` in `printf 'https://host\nTOKEN'`
//! is found like any other.
//!
//! What only looks like a secret stays, so that a runbook still reproduces the
//! run: a flag that merely ends in `key` (`--quick-gen-key 'Panel A <a@x>'`,
//! `--edit-key`), `--password-stdin`, `--token-file PATH`, ports (`-p 2222`),
//! short git ids, and the UUIDs and hex digests tools name their files by.
//! A full 40-character hex id in a command line is redacted: classic GitHub
//! tokens and many other keys have exactly that shape.

mod shapes;

use shapes::{aws_secret, base64url, random_name, random_word, redact_spans};

pub const REDACTED: &str = "<redacted>";

/// Whether one word looks like a credential by itself.
pub fn looks_secret(word: &str) -> bool {
    let w = word.trim_matches(|c| c == '"' || c == '\'');
    if w == REDACTED {
        return false;
    }
    if redact_spans(w) != w || aws_secret(w) || random_word(w) {
        return true;
    }
    if let Some(rest) = w
        .strip_prefix("Bearer ")
        .or_else(|| w.strip_prefix("bearer "))
    {
        return !rest.is_empty();
    }
    assignments(w).next().is_some()
}

/// Whether a value a profile sets looks like a credential: its variable's
/// name says so (`MY_TOKEN`), or the value has a secret's shape (`sk-...`,
/// a long random word).
pub fn secret_value(var: &str, value: &str) -> bool {
    secret_name(var) || looks_secret(value) || redact_text(value) != value
}

/// The words of a name: split at `-`, `_`, `.` and lower-to-upper case
/// changes, lower-cased (`_authToken` is `auth token`).
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Words that make a name a secret when the name ends with them.
const SECRET_WORDS: &[&str] = &[
    "token",
    "authtoken",
    "password",
    "passwd",
    "passphrase",
    "pass",
    "passin",
    "passout",
    "pw",
    "secret",
    "apikey",
    "auth",
    "creds",
    "credential",
    "credentials",
];

/// Endings that make one word a secret though something is glued before
/// them: long enough that no ordinary word ends so (`bypass` ends in `pass`).
const GLUED_SECRET_WORDS: &[&str] = &["password", "passwd", "passphrase", "secret", "token"];

/// Words that make a following `key` a secret: `--api-key`, `ACCESS_KEY`.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "secret",
    "private",
    "auth",
    "client",
    "master",
    "encryption",
    "license",
    "session",
    "account",
    "app",
    "service",
    "deploy",
    "admin",
    "webhook",
    "signing",
];

/// Whether a flag or variable name says its value is a secret: it ends in
/// one of [`SECRET_WORDS`], or in `key` (alone or after a qualifier such as
/// `api`), or in `key id`. `--quick-gen-key`, `--password-stdin`,
/// `--token-file` and `--no-password` do not.
pub(crate) fn secret_name(name: &str) -> bool {
    let words = name_words(name);
    let Some((last, rest)) = words.split_last() else {
        return false;
    };
    if words.first().is_some_and(|w| w == "no") && words.len() > 1 {
        return false;
    }
    let qualified_key = |rest: &[String]| {
        rest.is_empty()
            || rest
                .last()
                .is_some_and(|w| KEY_QUALIFIERS.contains(&w.as_str()))
    };
    if SECRET_WORDS.contains(&last.as_str()) {
        return true;
    }
    // `MYSQL_PWD`, never the shell's `PWD`.
    if last == "pwd" {
        return !rest.is_empty();
    }
    // One word that ends in one: `PGPASSWORD`, `REDISCLI_AUTHTOKEN`.
    if GLUED_SECRET_WORDS.iter().any(|w| last.ends_with(w)) {
        return true;
    }
    if last == "key" {
        return qualified_key(rest);
    }
    if last == "id"
        && let Some((key, before)) = rest.split_last()
    {
        return key == "key" && !before.is_empty() && qualified_key(before);
    }
    false
}

/// The `NAME=VALUE` pairs of a word whose name is a secret, as byte ranges
/// of their values: `GITHUB_TOKEN=x`, `--token=x`, `pass=x`, npm's
/// `//host/:_authToken=x`, a query's `&token=x`. The name is the identifier
/// just before `=`; a value runs to the next `&` or the end.
fn assignments(word: &str) -> Box<dyn Iterator<Item = (usize, usize)> + '_> {
    // `--flag=VALUE` and `NAME=VALUE`: everything after the first `=`.
    if let Some((name, value)) = word.split_once('=')
        && (name.starts_with('-') || crate::names::is_var_name(name))
    {
        let secret = secret_name(name) && !value.is_empty() && value != REDACTED;
        return Box::new(secret.then_some((name.len() + 1, word.len())).into_iter());
    }
    let bytes = word.as_bytes();
    let pairs = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'=')
        .filter_map(move |(eq, _)| {
            let name_start = bytes[..eq]
                .iter()
                .rposition(|&b| !(base64url(b)))
                .map_or(0, |p| p + 1);
            let name = &word[name_start..eq];
            let end = eq + 1 + word[eq + 1..].find('&').unwrap_or(word.len() - eq - 1);
            let value = &word[eq + 1..end];
            (secret_name(name) && !value.is_empty() && value != REDACTED && !value.contains('='))
                .then_some((eq + 1, end))
        });
    Box::new(pairs)
}

/// Flags whose next word is a value, and what part of it is secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Nothing: the next word is read on its own.
    Plain,
    /// The whole next word (`--password X`, `Bearer X`).
    Secret,
    /// After `:` only (`-u user:pw`).
    Password,
    /// Unless it is a port, a path or another flag (`-p X`).
    PortOrSecret,
}

/// The state of a walk through the words of a command line or a script.
struct Words<'a> {
    next: Next,
    previous: &'a str,
    /// The program of the current simple command: its first word that is
    /// not an assignment or a program that only runs the next (`env`, `sudo`).
    command: Option<&'a str>,
    /// The command sets configuration (`aws configure set`, `git config`):
    /// a word that names a secret is followed by its value.
    configures: bool,
}

/// Programs that run the command after them: the program whose flags mean
/// something comes later.
const RUNNERS: &[&str] = &[
    "env", "sudo", "doas", "nice", "nohup", "time", "exec", "command", "stdbuf", "timeout",
];

/// Programs that take a password after `-a` (redis-cli), and those whose
/// `-a` is `user:password` (httpie).
const PASSWORD_AFTER_A: &[&str] = &["redis-cli", "valkey-cli", "keydb-cli"];
const USER_PASSWORD_AFTER_A: &[&str] = &["http", "https", "httpie", "xh", "xhs"];

impl<'a> Words<'a> {
    fn new() -> Self {
        Words {
            next: Next::Plain,
            previous: "",
            command: None,
            configures: false,
        }
    }

    /// A new simple command starts (after `|`, `;`, `&&`, a newline...).
    fn new_command(&mut self) {
        self.command = None;
        self.configures = false;
        self.next = Next::Plain;
    }

    /// Take note of `word` as the program, while none is known yet.
    fn note_command(&mut self, word: &'a str) {
        if self.command.is_some() {
            if matches!(word, "config" | "configure" | "config:set") {
                self.configures = true;
            }
            return;
        }
        let assignment = word
            .split_once('=')
            .is_some_and(|(name, _)| crate::names::is_var_name(name));
        let number = !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if !(assignment || number || RUNNERS.contains(&base_name(word))) {
            self.command = Some(word);
            self.configures = false;
        }
    }

    /// The program's file name, or nothing yet.
    fn program(&self) -> &'a str {
        self.command.map_or("", base_name)
    }

    /// The word as it may be shown.
    fn word(&mut self, word: &'a str) -> String {
        let previous = std::mem::replace(&mut self.previous, word);
        let next = std::mem::replace(&mut self.next, Next::Plain);
        let first = self.command.is_none();
        self.note_command(word);
        let command = self.program();
        match next {
            Next::Secret if word != REDACTED && !word.is_empty() => return REDACTED.to_string(),
            Next::Password => {
                if let Some((user, password)) = word.split_once(':')
                    && !password.is_empty()
                {
                    return format!("{user}:{}", redact_password(password));
                }
            }
            Next::PortOrSecret => {
                let kept = word.bytes().all(|b| b.is_ascii_digit())
                    || word.starts_with(['-', '/', '.', '~', '$'])
                    || word.contains('/')
                    || word == REDACTED
                    || matches!(command, "mkdir" | "install");
                if !kept {
                    return REDACTED.to_string();
                }
            }
            Next::Plain => {
                if let Some(shown) = glued_password(command, word) {
                    return shown;
                }
            }
            _ => {}
        }
        self.next = self.next_after(word, previous);
        if self.next == Next::Plain
            && self.configures
            && !first
            && !word.starts_with('-')
            && !word.contains('=')
            && secret_name(word)
        {
            // `aws configure set aws_session_token X`: the value follows its name.
            self.next = Next::Secret;
        }
        let redacted = redact_word(word);
        if self.next == Next::Plain && redacted.ends_with('=') && assignment_is_secret(&redacted) {
            // `X_API_KEY="..."`: the value is the next, quoted word.
            self.next = Next::Secret;
        }
        redacted
    }

    fn next_after(&self, word: &str, previous: &str) -> Next {
        let lower = word.to_ascii_lowercase();
        if lower == "bearer" {
            return Next::Secret;
        }
        if previous.eq_ignore_ascii_case("authorization:") {
            return if matches!(lower.as_str(), "basic" | "token" | "digest" | "negotiate") {
                Next::Secret
            } else {
                Next::Plain
            };
        }
        if let Some(header) = word.strip_suffix(':')
            && is_header_name(header)
            && (header.eq_ignore_ascii_case("authorization") || secret_name(header))
        {
            return if header.eq_ignore_ascii_case("authorization") {
                Next::Plain
            } else {
                Next::Secret
            };
        }
        let program = self.program();
        match word {
            "-p" => Next::PortOrSecret,
            "-u" | "--user" | "--auth" => Next::Password,
            "-a" if PASSWORD_AFTER_A.contains(&program) => Next::Secret,
            "-a" if USER_PASSWORD_AFTER_A.contains(&program) => Next::Password,
            "-w" if program.starts_with("ldap") => Next::Secret,
            "-k" | "-K" if program == "openssl" => Next::Secret,
            _ if word.starts_with('-') && !word.contains('=') && secret_name(word) => Next::Secret,
            _ => Next::Plain,
        }
    }
}

/// Whether `name` (before a `:`) can be an HTTP header's, whose value a
/// secret name makes secret (`X-Api-Key: VALUE`): a letter, then the
/// characters a header name is made of (RFC 9110's `token`). A path never
/// is one: `/etc/passwd: cannot run` is a path and what befell it.
fn is_header_name(name: &str) -> bool {
    name.len() > 1
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// mysql's `-pPASSWORD`, shown as `-p<redacted>`: for the MySQL and MariaDB
/// clients always, for another program when the glued part holds letters
/// and digits and is long enough to be no flag (`-pthread`, `-pR`, `-p2222`
/// and `-p8080:80` stay).
fn glued_password(program: &str, word: &str) -> Option<String> {
    let value = word
        .strip_prefix("-p")
        .filter(|v| !v.is_empty() && !v.starts_with('-'))?;
    if value == REDACTED {
        return None;
    }
    let mysql = program.starts_with("mysql") || program.starts_with("mariadb");
    let password_like = value.len() >= 6
        && value.bytes().any(|b| b.is_ascii_alphabetic())
        && value.bytes().any(|b| b.is_ascii_digit())
        && !value.contains(['/', '=']);
    (mysql || password_like).then(|| format!("-p{REDACTED}"))
}

/// `-u user:pw`'s password, unless already redacted.
fn redact_password(password: &str) -> &str {
    if password == REDACTED {
        password
    } else {
        REDACTED
    }
}

fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Whether a word ending in `=` names a secret (`X_API_KEY=`).
fn assignment_is_secret(word: &str) -> bool {
    let name = word.trim_end_matches('=');
    let start = name
        .bytes()
        .rposition(|b| !base64url(b))
        .map_or(0, |p| p + 1);
    secret_name(&name[start..])
}

/// One word on its own: tokens of known shapes anywhere in it, secret
/// assignments, random words, and random folder or file names.
fn redact_word(word: &str) -> String {
    if word == REDACTED || word.is_empty() {
        return word.to_string();
    }
    let spans = redact_spans(word);
    let mut out = String::with_capacity(spans.len());
    let mut copied = 0;
    for (start, end) in assignments(&spans).collect::<Vec<_>>() {
        out.push_str(&spans[copied..start]);
        out.push_str(REDACTED);
        copied = end;
    }
    out.push_str(&spans[copied..]);
    // `printf 'https://host\nKEY\n'`: each part between escapes on its own.
    if let Some(parts) = split_at_escapes(&out) {
        return parts
            .into_iter()
            .map(|(part, escape)| redact_word(part) + escape)
            .collect();
    }
    // `printf 'KEY\n'`, `KEY: not found`: what ends the sentence is not the key's.
    let core = trim_escapes(&out).trim_end_matches([':', '.', '!', '?']);
    if aws_secret(core) || random_word(core) {
        return format!("{REDACTED}{}", &out[core.len()..]);
    }
    // `--any-flag=VALUE`, `NAME=VALUE`: a value random enough to be a key.
    if let Some((name, value)) = out.split_once('=')
        && (aws_secret(value) || random_word(value))
    {
        return format!("{name}={REDACTED}");
    }
    if out.contains('/') {
        return out
            .split('/')
            .map(|part| if random_name(part) { REDACTED } else { part })
            .collect::<Vec<_>>()
            .join("/");
    }
    out
}

/// The parts of a word between the escapes inside it (`\n`, `\t`, `\u0022`,
/// a URL's `%22`), each with the escape that follows it; `None` when it
/// holds none.
fn split_at_escapes(word: &str) -> Option<Vec<(&str, &str)>> {
    let bytes = word.as_bytes();
    if !(0..bytes.len()).any(|i| escape_len(bytes, i).is_some()) {
        return None;
    }
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match escape_len(bytes, i) {
            Some(n) => {
                parts.push((&word[start..i], &word[i..i + n]));
                i += n;
                start = i;
            }
            None => i += 1,
        }
    }
    parts.push((&word[start..], ""));
    Some(parts)
}

/// The length of the escape at `i`, if one starts there.
fn escape_len(bytes: &[u8], i: usize) -> Option<usize> {
    let hex = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_hexdigit))
    };
    match (bytes[i], bytes.get(i + 1)) {
        (b'\\', Some(b'u')) if hex(i + 2..i + 6) => Some(6),
        (b'\\', Some(b)) if b.is_ascii_alphanumeric() => Some(2),
        (b'%', Some(_)) if hex(i + 1..i + 3) => Some(3),
        _ => None,
    }
}

/// `text` without the escapes (`\n`, `\t`, `\0`) at its end.
fn trim_escapes(mut text: &str) -> &str {
    while let Some(rest) = text.get(..text.len().saturating_sub(2))
        && text.len() >= 2
        && text.as_bytes()[text.len() - 2] == b'\\'
        && text.as_bytes()[text.len() - 1].is_ascii_alphanumeric()
    {
        text = rest;
    }
    text
}

/// A command line as one line for a message: its words redacted, joined
/// with spaces.
pub fn command_line(words: &[String]) -> String {
    redact_command(words).join(" ")
}

/// A command line as one would type it again: its words redacted, quoted
/// for a POSIX shell.
pub fn command_to_type(words: &[String]) -> String {
    let words = redact_command(words);
    crate::shell::posix_join(words.iter().map(|w| std::ffi::OsStr::new(w.as_str())))
}

/// Redact the words of a command line.
pub fn redact_command(words: &[String]) -> Vec<String> {
    let mut walk = Words::new();
    words
        .iter()
        .map(|word| {
            let consumed = !matches!(walk.next, Next::Plain);
            let shown = walk.word(word);
            if consumed || (shown != *word && !word.contains(char::is_whitespace)) {
                shown
            } else {
                // A script or a header: words inside one word, after what
                // the word as a whole gave away (`--token= x`; `Bearer KEY`
                // whatever KEY holds).
                redact_text(&shown)
            }
        })
        .collect()
}

/// Redact secret-looking words inside free text (a `sh -c` script, a
/// message, a path, a line of output).
pub fn redact_text(text: &str) -> String {
    let text = redact_spans(text);
    let mut out = String::with_capacity(text.len());
    let mut walk = Words::new();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let start = rest.find(|c: char| !is_separator(c)).unwrap_or(rest.len());
        let gap = &rest[..start];
        if gap.contains(['|', ';', '&', '(', ')', '`', '\n']) {
            walk.new_command();
        }
        out.push_str(gap);
        rest = &rest[start..];
        let mut end = rest.find(is_separator).unwrap_or(rest.len());
        // A quoted value after a secret flag is one value: `--passphrase 'a b'`.
        if walk.next != Next::Plain
            && let Some(quote) = gap.chars().last().filter(|c| matches!(c, '\'' | '"'))
        {
            end = rest.find(quote).unwrap_or(rest.len());
        }
        let word = &rest[..end];
        if word.is_empty() {
            break;
        }
        if word == "redacted" && out.ends_with('<') && rest[end..].starts_with('>') {
            // Already redacted: text that passes twice stays the same.
            out.push_str(word);
            walk.next = Next::Plain;
        } else {
            out.push_str(&walk.word(word));
        }
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
            "printf '<redacted>\\n' | codex login"
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
        // One word that holds both, the key with a `/` in it: redacted
        // whole, and the same when redacted again.
        let once = redact_command(&words(&["Bearer Ab1aaaA/Aa0a0aAaAA0aaa0aaAaaAaa0aAa00aaa"]));
        assert!(!once[0].contains("Aa0a0a"), "{once:?}");
        assert_eq!(redact_command(&once), once);
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

    #[test]
    fn names_that_say_secret() {
        for name in [
            "--token",
            "--api-key",
            "--passphrase",
            "-pass",
            "--client-secret",
            "GITHUB_TOKEN",
            "OPENAI_API_KEY",
            "AWS_ACCESS_KEY_ID",
            "_authToken",
            "_auth",
            "pass",
            "-key",
            "--creds",
        ] {
            assert!(secret_name(name), "{name}");
        }
        for name in [
            "--quick-gen-key",
            "--edit-key",
            "--recv-keys",
            "--password-stdin",
            "--token-file",
            "--no-password",
            "--auth-type",
            "PATH",
            "bypass",
            "SSH_KEY_FILE",
            "--keyring",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }
    #[test]
    fn the_shapes_people_type_passwords_in() {
        let sts = format!(
            "IQoJb3JpZ2luX2VjE{}/+ab==",
            "Q7vK2mX9pL4wR8tZ3nB6cH1jF5dS0gYa".repeat(8)
        );
        let redacted = |line: &[&str]| redact_command(&words(line)).join(" ");
        for (line, secret) in [
            (vec!["aws", "sts", "x", &sts], sts.as_str()),
            (
                vec!["curl", "https://x/?q=%22sk-proj-abcdefghijklmnopqrst%22"],
                "abcdefghijklmnop",
            ),
            (
                vec!["http", "-a", "alice:hunter2", "example.org"],
                "hunter2",
            ),
            (vec!["mysql", "-phunter", "db"], "hunter"),
            (vec!["tool", "-pS3cr3tValue9"], "S3cr3tValue9"),
            (vec!["redis-cli", "-a", "redispw", "ping"], "redispw"),
            (
                vec!["ldapsearch", "-x", "-w", "ldappw", "-b", "dc=x"],
                "ldappw",
            ),
            (vec!["openssl", "enc", "-k", "opensslpw"], "opensslpw"),
            (vec!["env", "PGPASSWORD=pgpw", "psql"], "pgpw"),
            (vec!["env", "MYSQL_PWD=mypw", "mysql"], "mypw"),
            (
                vec!["aws", "configure", "set", "aws_session_token", "stspw"],
                "stspw",
            ),
            (
                vec!["git", "config", "--global", "github.token", "gitpw"],
                "gitpw",
            ),
        ] {
            let shown = redacted(&line);
            assert!(!shown.contains(secret), "{line:?}: {shown}");
            assert!(shown.contains(REDACTED), "{line:?}: {shown}");
        }
        let random = "Q7vK2mX9pL4wR8tZ3nB6cH1jF5dS0gYa7";
        let shown = redact_text(&format!(
            "printf 'https://git.example.com\\n{random}\\n' | git credential approve"
        ));
        assert!(!shown.contains(random), "{shown}");
        assert!(
            shown.contains("https://git.example.com\\n<redacted>\\n"),
            "{shown}"
        );
        for kept in [
            &["ssh", "-p2222", "host"][..],
            &["gcc", "-pthread", "x.c"],
            &["cp", "-pR", "a", "b"],
            &["docker", "run", "-p8080:80", "img"],
            &["grep", "-w", "needle", "file"],
            &["curl", "-k", "https://example.com"],
            &["ls", "-a", "/tmp"],
            &["ssh-agent", "-a", "/tmp/agent.sock"],
            &["env", "PWD=/home/me", "OLDPWD=/tmp", "tool"],
            &["git", "config", "--global", "user.email", "a@example.com"],
            &["find", ".", "-print0"],
        ] {
            assert_eq!(redact_command(&words(kept)), words(kept), "{kept:?}");
        }
    }
}
