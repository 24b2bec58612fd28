//! What may be a profile name or a bound variable, checked before any reaches a path.

use crate::error::Name;

/// A name, or the way it is not one.
type Checked = Result<(), Name>;

mod blocked;

pub use blocked::forbidden_reason;

pub use crate::error::NAME_RULE;

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

pub fn check_profile_name(name: &str) -> Checked {
    if is_profile_name(name) {
        Ok(())
    } else {
        Err(Name::Profile(name.to_string()))
    }
}

/// A tool's name (a recipe's, a wrapped command's): `[A-Za-z0-9_][A-Za-z0-9._-]{0,63}`.
/// It becomes a file name (`recipes/TOOL.toml`) and a shell function's name.
pub fn is_tool_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub fn check_tool_name(name: &str) -> Checked {
    if is_tool_name(name) {
        Ok(())
    } else {
        Err(Name::Tool(name.to_string()))
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

/// Whether a profile, recipe or discover may never bind or unset `name`.
pub fn is_forbidden_var(name: &str) -> bool {
    forbidden_reason(name).is_some()
}

/// The endings of a name that says it names a place: `CODEX_HOME`,
/// `GH_CONFIG_DIR`, `AWS_CONFIG_FILE`, `KUBECONFIG`, `npm_config_cache`.
/// `PATH` and `ROOT` are not among them: those name search lists and
/// installations, which decide what code runs.
pub const PLACE_ENDINGS: [&str; 10] = [
    "HOME",
    "DIR",
    "DIRECTORY",
    "FOLDER",
    "FILE",
    "CONFIG",
    "CONF",
    "CACHE",
    "STATE",
    "DATA",
];

/// Places whose names do not say so.
const PLACES_BY_NAME: [&str; 2] = ["GIT_CONFIG_GLOBAL", "HF_TOKEN_PATH"];

/// Words that end like a place and are not one: `AWS_PROFILE` names an
/// account, not a file.
const NOT_PLACES: [&str; 1] = ["PROFILE"];

/// Whether `name` says it names where a tool keeps state: what discover
/// looks for among the names a program mentions. A binding need not pass
/// it (`NETRC` names a file all the same); only the block-list binds.
pub fn names_a_place(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let ends = |words: &[&str]| words.iter().any(|end| upper.ends_with(end));
    (ends(&PLACE_ENDINGS) && !ends(&NOT_PLACES)) || PLACES_BY_NAME.contains(&upper.as_str())
}

/// A variable a profile or recipe may unset, or whose value swop may save
/// and restore: a plain name that is not on the block-list.
pub fn check_var_name(name: &str) -> Checked {
    if !is_var_name(name) {
        return Err(Name::Var(name.to_string()));
    }
    if let Some(why) = forbidden_reason(name) {
        return Err(Name::NotBindable {
            var: name.to_string(),
            why,
        });
    }
    Ok(())
}

/// A variable a profile, recipe or discovery may point into a profile (a
/// folder or a file of its own): any plain name off the block-list. A
/// binding's folder is the user's own, so what matters is what the name
/// does, not how it is spelt: `NETRC` and `PSQLRC` name files as surely as
/// `AWS_CONFIG_FILE` does.
pub fn check_binding_name(name: &str) -> Checked {
    check_var_name(name)
}

/// A variable a profile may set to a value (`swop add --set`, `swop set`):
/// any plain name off the same block-list. A value is data, never code, so
/// the variables whose value is a command or configures one are on it
/// (`GIT_SSH_COMMAND`, `EDITOR`, `GIT_CONFIG_PARAMETERS`, ...), and so are
/// the shells' own (`signals` would stop zsh half-way through a switch). A
/// value need not name a place: `AWS_PROFILE`, `GH_HOST` and
/// `OPENAI_BASE_URL` are values.
pub fn check_value_name(name: &str) -> Checked {
    if !is_var_name(name) {
        return Err(Name::Var(name.to_string()));
    }
    if let Some(why) = forbidden_reason(name) {
        return Err(Name::NotSettable {
            var: name.to_string(),
            why,
        });
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
    fn variables_that_choose_code_or_belong_to_a_shell_are_never_touched() {
        for name in [
            "fish_user_paths",
            "fish_function_path",
            "GIT_EXEC_PATH",
            "PYTHONUSERBASE",
            "PYTHONPATH",
            "PYTHONSTARTUP",
            "ZDOTDIR",
            "BASH_ENV",
            "ENV",
            "PROMPT_COMMAND",
            "PS0",
            "NODE_OPTIONS",
            "JAVA_TOOL_OPTIONS",
            "PERL5LIB",
            "RUBYOPT",
            "UID",
            "EUID",
            "PPID",
            "SHELLOPTS",
            "BASHOPTS",
            "USERNAME",
            "status",
            "XDG_BIN_HOME",
            "PIPX_BIN_DIR",
        ] {
            assert!(is_forbidden_var(name), "{name}");
            assert!(check_var_name(name).is_err(), "{name}");
            assert!(check_binding_name(name).is_err(), "{name}");
        }
    }

    #[test]
    fn place_shaped_names() {
        for place in [
            "CODEX_HOME",
            "GH_CONFIG_DIR",
            "KUBECONFIG",
            "GIT_CONFIG_GLOBAL",
        ] {
            assert!(names_a_place(place), "{place}");
        }
        for other in ["AWS_PROFILE", "GH_TOKEN", "GOPATH", "NETRC"] {
            assert!(!names_a_place(other), "{other}");
        }
    }

    #[test]
    fn any_name_off_the_block_list_may_be_bound() {
        for var in [
            "HOME",
            "CODEX_HOME",
            "GNUPGHOME",
            "TMPDIR",
            "KUBECONFIG",
            "npm_config_cache",
            "GIT_CONFIG_GLOBAL",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "NETRC",
            "PSQLRC",
            "TASKRC",
            "VAULT_CONFIG_PATH",
            "NODE_REPL_HISTORY",
            "SQLITE_HISTORY",
            "INPUTRC",
            "WGETRC",
            "PYTHON_HISTORY",
        ] {
            assert!(check_binding_name(var).is_ok(), "{var}");
        }
        for code in [
            "EDITOR",
            "GIT_SSH_COMMAND",
            "GIT_CONFIG_PARAMETERS",
            "XONSHRC",
        ] {
            let err = check_binding_name(code).expect_err(code);
            assert!(matches!(err, Name::NotBindable { .. }), "{code}: {err:?}");
        }
    }

    #[test]
    fn values_are_not_places_and_never_code() {
        for ok in [
            "AWS_PROFILE",
            "AWS_REGION",
            "GH_HOST",
            "OPENAI_BASE_URL",
            "KUBECONFIG",
        ] {
            assert!(check_value_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "PATH",
            "LD_PRELOAD",
            "SWOP_PROFILE",
            "GIT_SSH_COMMAND",
            "GIT_SSH",
            "SSH_ASKPASS",
            "EDITOR",
            "gh_editor",
            "BASH_ENV",
            "GIT_CONFIG_COUNT",
            "signals",
            "1X",
            "A-B",
        ] {
            assert!(check_value_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn did_you_mean() {
        assert_eq!(closest("wrk", ["work", "personal"]), Some("work"));
        assert_eq!(closest("zzzzzz", ["work", "personal"]), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
