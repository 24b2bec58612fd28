//! What may be a profile name or a bound variable, checked before any reaches a path.

use crate::error::{Error, Result};

pub const NAME_RULE: &str = "a profile name is 1 to 64 characters from A-Z a-z 0-9 . _ -, \
starting with a letter or digit";

/// `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`
pub fn is_profile_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub fn check_profile_name(name: &str) -> Result<()> {
    if is_profile_name(name) {
        Ok(())
    } else {
        Err(Error::user(format!(
            "invalid profile name {}: {NAME_RULE}",
            crate::util::quoted(name)
        )))
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`, at most 128 bytes.
pub fn is_var_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && (bytes[0].is_ascii_alphabetic() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// Variables that change how programs are loaded or how shells behave: pointing
/// one of them into a profile folder would hand code execution to whatever lands
/// there, so no profile may bind or unset them. Case is ignored: zsh ties
/// `path`, `fpath` and `cdpath` to their upper-case twins.
pub fn is_forbidden_var(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "PATH",
        "IFS",
        "ENV",
        "BASH_ENV",
        "SHELL",
        "SHELLOPTS",
        "BASHOPTS",
        "PROMPT_COMMAND",
        "PS1",
        "PS2",
        "PS3",
        "PS4",
        "PWD",
        "OLDPWD",
        "CDPATH",
        "FPATH",
        "GLOBIGNORE",
        "NODE_OPTIONS",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PERL5LIB",
        "PERL5OPT",
        "RUBYOPT",
        "RUBYLIB",
        "PERLLIB",
        "PYTHONHOME",
        "NODE_PATH",
        "GCONV_PATH",
        "GLIBC_TUNABLES",
        "MANPATH",
        "MODULE_PATH",
        "PROMPT",
        "PROMPT2",
        "PROMPT3",
        "PROMPT4",
        "RPROMPT",
        "RPROMPT2",
        "RPS1",
        "RPS2",
    ];
    const PREFIXES: &[&str] = &["LD_", "DYLD_", "SWOP_", "BASH_FUNC_"];
    let name = name.to_ascii_uppercase();
    EXACT.contains(&name.as_str()) || PREFIXES.iter().any(|p| name.starts_with(p))
}

pub fn check_var_name(name: &str) -> Result<()> {
    if !is_var_name(name) {
        return Err(Error::user(format!(
            "invalid variable name {}: use letters, digits and _, not starting with a digit",
            crate::util::quoted(name)
        )));
    }
    if is_forbidden_var(name) {
        return Err(Error::user(format!(
            "{name} cannot be bound by a profile: it controls how programs are found or loaded"
        )));
    }
    Ok(())
}

/// Edit distance, for "did you mean".
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(ca != *cb));
            diag = above;
        }
    }
    row[b.len()]
}

/// The closest of `candidates` to `name`, if close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names() {
        for ok in ["work", "a", "A.b_c-d", "0", &"x".repeat(64)] {
            assert!(is_profile_name(ok), "{ok}");
        }
        for bad in [
            "",
            "../x",
            "a/b",
            ".x",
            "-x",
            "_x",
            "a b",
            "é",
            &"x".repeat(65),
        ] {
            assert!(!is_profile_name(bad), "{bad}");
        }
    }

    #[test]
    fn var_names() {
        assert!(check_var_name("CODEX_HOME").is_ok());
        assert!(check_var_name("_x1").is_ok());
        for bad in [
            "",
            "1A",
            "A-B",
            "A=B",
            "PATH",
            "LD_PRELOAD",
            "DYLD_X",
            "SWOP_HOME",
            "path",
            "fpath",
            "ld_preload",
            "GCONV_PATH",
        ] {
            assert!(check_var_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn did_you_mean() {
        assert_eq!(closest("wrk", ["work", "personal"]), Some("work"));
        assert_eq!(closest("zzzzzz", ["work", "personal"]), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
