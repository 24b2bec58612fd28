//! What may leave the machine in a report, its JSON or a recipe: no secret
//! ([`crate::redact`]) and no user name. The user's home is written `$HOME`,
//! anyone else's `/home/<user>` (or `/Users/<user>`), whether the path came
//! from a trace, an argument (`--trace-file ~/Downloads/x.strace`) or a
//! tool's message. The host name is never collected (see `system::uname`).

use std::path::{Path, PathBuf};

/// `text` with secrets redacted and user names gone.
pub fn private(text: &str) -> String {
    static HOMES: std::sync::OnceLock<Vec<PathBuf>> = std::sync::OnceLock::new();
    let homes = HOMES.get_or_init(homes);
    anonymize_homes(&crate::redact::redact_text(text), homes)
}

/// A path or word of a command as a report may show it: a path under the
/// user's home as `"$HOME"/rest` (quoted the POSIX way, so that the line
/// still runs), others' homes as `/home/<user>`, secrets redacted.
pub fn shown_word(word: &str) -> String {
    for home in homes() {
        let Some(home) = home.to_str() else { continue };
        if let Some(rest) = word.strip_prefix(home)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            let rest = crate::shell::posix_join([std::ffi::OsStr::new(rest)]);
            return if rest == "''" {
                "\"$HOME\"".to_string()
            } else {
                format!("\"$HOME\"{rest}")
            };
        }
    }
    crate::shell::posix_join([std::ffi::OsStr::new(&anonymize_homes(word, &[]))])
}

/// The user's home as swop may see it written: as given and canonical.
pub fn homes() -> Vec<PathBuf> {
    let Some(home) = crate::switch::process_env("HOME").filter(|h| !h.is_empty()) else {
        return Vec::new();
    };
    let home = PathBuf::from(home);
    let mut homes = vec![home.clone()];
    if let Ok(canonical) = std::fs::canonicalize(&home)
        && canonical != home
    {
        homes.push(canonical);
    }
    // The root folder is no one's home to hide; a trailing slash is not part of it.
    homes.retain(|h| h.components().count() > 1);
    homes
}

/// Every `home` prefix replaced by `$HOME`, then every `home/NAME` and
/// `Users/NAME` at the start of a path made `home/<user>`.
pub fn anonymize_homes(text: &str, homes: &[PathBuf]) -> String {
    let mut out = text.to_string();
    for home in homes {
        out = replace_home(&out, home);
    }
    anonymize_home_folders(&out)
}

/// `home` where a path starts (after a separator) and ends (before `/` or
/// the end of the word) replaced by `$HOME`.
fn replace_home(text: &str, home: &Path) -> String {
    let Some(home) = home.to_str() else {
        return text.to_string();
    };
    let home = home.trim_end_matches('/');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(home) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + home.len()..].chars().next();
        let starts = before.is_none_or(|c| !is_path_char(c));
        let ends = after.is_none_or(|c| c == '/' || !is_path_char(c));
        out.push_str(&rest[..at]);
        out.push_str(if starts && ends { "$HOME" } else { home });
        rest = &rest[at + home.len()..];
    }
    out.push_str(rest);
    out
}

/// A path as a report may show it: `/home/alice/x` as `/home/<user>/x`
/// (likewise `/Users`), and in a path that does not start at `/` (a cut or
/// relative one) any `home/NAME` or `Users/NAME` without the name. Paths are
/// taken apart by their components; text is done by [`anonymize_homes`].
pub fn anonymize_path(path: &Path) -> String {
    let absolute = path.has_root();
    let mut out = PathBuf::new();
    let mut after_home = false;
    for c in path.components() {
        // Absolute: only the folder right under `/home` names a user.
        let names_user = after_home && (!absolute || out.components().count() == 2);
        if names_user {
            out.push("<user>");
        } else {
            out.push(c.as_os_str());
        }
        after_home = is_home_folder(c.as_os_str());
    }
    out.display().to_string()
}

/// `home` or `Users`: the folders that hold users' homes.
fn is_home_folder(name: &std::ffi::OsStr) -> bool {
    matches!(name.to_str(), Some("home" | "Users"))
}

/// Characters that continue a path (so a match inside one is not a path start).
fn is_path_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '~' | '+' | '@' | '%')
}

/// `/home/alice/x` and `home/alice/x` (a path relative to `/`) become
/// `/home/<user>/x`; likewise `Users`. Only at the start of a path.
fn anonymize_home_folders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = ["home/", "Users/"]
            .iter()
            .filter_map(|word| rest.find(word).map(|at| (at, word.len())))
            .min();
        let Some((at, len)) = next else {
            out.push_str(rest);
            return out;
        };
        let head = &rest[..at];
        let before = head.chars().next_back();
        // `/home/` right after a separator, or `home/` starting a word.
        let starts = match before {
            Some('/') => head[..head.len() - 1]
                .chars()
                .next_back()
                .is_none_or(|c| !is_path_char(c)),
            Some(c) => !is_path_char(c),
            None => true,
        };
        out.push_str(head);
        out.push_str(&rest[at..at + len]);
        rest = &rest[at + len..];
        if !starts {
            continue;
        }
        let name_len = rest
            .find(|c: char| !is_path_char(c) || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        if name.is_empty() {
            continue;
        }
        out.push_str("<user>");
        rest = &rest[name_len..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_never_stay() {
        let homes = [PathBuf::from("/home/alice")];
        let cases = [
            ("/home/alice/x.strace", "$HOME/x.strace"),
            ("trace from /home/alice", "trace from $HOME"),
            (
                "--trace-file=/home/bob/t.log",
                "--trace-file=/home/<user>/t.log",
            ),
            ("'/Users/carol/Library/x'", "'/Users/<user>/Library/x'"),
            ("home/dave/t.strace", "home/<user>/t.strace"),
            ("/home/<user>/x", "/home/<user>/x"),
            ("/home/alicex/y", "/home/<user>/y"),
            ("/opt/app/home/config", "/opt/app/home/config"),
            ("$HOME/.config", "$HOME/.config"),
            ("/home/", "/home/"),
        ];
        for (text, want) in cases {
            assert_eq!(anonymize_homes(text, &homes), want, "{text}");
            assert_eq!(anonymize_homes(want, &homes), want, "twice: {want}");
        }
    }
}
