//! `config.toml` at the store root: settings that are not about one profile.
//!
//! ```toml
//! # Run these tools through `swop exec "$SWOP_PROFILE"` in a shell switched
//! # with `swop use`, so the profile lock protects them too.
//! wrap = ["codex", "gh"]
//! # Say nothing when a .swop switches the shell, or switches it back.
//! quiet = true
//! # Profiles `swop exec --pick agents` chooses from.
//! [groups]
//! agents = ["work", "personal"]
//! ```

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::store::Store;

pub const CONFIG_FILE: &str = "config.toml";
/// A configuration is a few lines.
const CONFIG_FILE_LIMIT: u64 = 64 * 1024;

/// Names a wrapper may not take: the shells' own keywords and the builtins the
/// integration itself calls, which a function of the same name would hijack.
const RESERVED: &[&str] = &[
    "swop",
    "alias",
    "and",
    "begin",
    "bg",
    "break",
    "builtin",
    "case",
    "cd",
    "command",
    "continue",
    "do",
    "done",
    "echo",
    "elif",
    "else",
    "emulate",
    "end",
    "esac",
    "eval",
    "exec",
    "exit",
    "export",
    "false",
    "fg",
    "fi",
    "for",
    "function",
    "functions",
    "if",
    "in",
    "local",
    "not",
    "or",
    "printf",
    "read",
    "return",
    "select",
    "set",
    "setopt",
    "shopt",
    "source",
    "status",
    "string",
    "switch",
    "test",
    "then",
    "time",
    "true",
    "typeset",
    "unalias",
    "unset",
    "unsetopt",
    "until",
    "while",
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Tools that run through `swop exec "$SWOP_PROFILE"` in a switched shell.
    #[serde(default)]
    pub wrap: Vec<String>,
    /// No line when a `.swop` switches the shell or switches it back.
    #[serde(default)]
    pub quiet: bool,
    /// Named lists of profiles, for `swop exec --pick GROUP`.
    #[serde(default)]
    pub groups: std::collections::BTreeMap<String, Vec<String>>,
}

impl Config {
    /// `config.toml` in the store root (`$SWOP_HOME`, else the platform data folder).
    pub fn path() -> Result<PathBuf> {
        Ok(Store::default_root()?.join(CONFIG_FILE))
    }

    /// The configuration; a missing file is an empty configuration.
    pub fn load() -> Result<Config> {
        Self::load_from(&Self::path()?)
    }

    /// The configuration in `path`, read as any store file is (see
    /// [`crate::util::store_file_problem`]): `swop init` runs in every new
    /// shell, and a FIFO or a link to /dev/zero there must not hang it.
    pub fn load_from(path: &Path) -> Result<Config> {
        let text = match crate::util::read_store_text(path, CONFIG_FILE_LIMIT) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(crate::store::store_file_error(path, e, "fix or remove it")),
        };
        Self::parse(&text).map_err(|message| {
            Error::user(format!(
                "{}: {message}; fix or remove the file",
                path.display()
            ))
        })
    }

    /// Parse and check the text of a configuration file.
    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(line) => format!("line {line}: {}", e.message().trim_end()),
                None => e.message().trim_end().to_string(),
            }
        })?;
        for tool in &config.wrap {
            check_tool_name(tool)?;
        }
        for (group, members) in &config.groups {
            check_group(group, members)?;
        }
        Ok(config)
    }
}

/// A wrapped tool's name becomes a shell function's: a tool name (see
/// [`crate::names::is_tool_name`]) that the shells or swop's integration do
/// not need for themselves.
pub fn check_tool_name(name: &str) -> std::result::Result<(), String> {
    if !crate::names::is_tool_name(name) {
        return Err(format!(
            "wrap: {name:?} is not a tool name; use 1 to 64 characters from A-Z a-z 0-9 . _ -, \
             starting with a letter, digit or _"
        ));
    }
    if RESERVED.contains(&name) {
        return Err(format!(
            "wrap: {name:?} cannot be wrapped: the shell or swop's integration needs that name"
        ));
    }
    Ok(())
}

/// A group is named like a profile and lists at least one profile name.
fn check_group(group: &str, members: &[String]) -> std::result::Result<(), String> {
    if !crate::names::is_profile_name(group) {
        return Err(format!(
            "groups: {group:?} is not a group name; use a profile-like name (letters, digits, . _ -)"
        ));
    }
    if members.is_empty() {
        return Err(format!("groups: {group:?} lists no profile"));
    }
    match members.iter().find(|m| !crate::names::is_profile_name(m)) {
        Some(bad) => Err(format!(
            "groups: {group:?} lists {bad:?}, which is not a profile name"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrap_list() {
        let config =
            Config::parse("wrap = [\"codex\", \"gh\", \"aws-vault\", \"x.y_z\"]\n").unwrap();
        assert_eq!(config.wrap, ["codex", "gh", "aws-vault", "x.y_z"]);
        assert!(!config.quiet);
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert!(Config::parse("quiet = true\n").unwrap().quiet);
        assert!(Config::parse("quiet = \"yes\"\n").is_err());
    }

    #[test]
    fn groups_name_profiles() {
        let config =
            Config::parse("[groups]\nagents = [\"work\", \"personal\"]\n").expect("groups");
        assert_eq!(config.groups["agents"], ["work", "personal"]);
        for bad in [
            "[groups]\nagents = []\n",
            "[groups]\nagents = [\"a b\"]\n",
            "[groups]\n\"-x\" = [\"work\"]\n",
            "[groups]\nagents = \"work\"\n",
        ] {
            assert!(Config::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_unknown_fields_and_bad_toml_with_the_line() {
        let err = Config::parse("wrap = []\nwrapp = [\"codex\"]\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(err.contains("wrapp"), "{err}");
        let err = Config::parse("wrap = [\"codex\"\n").unwrap_err();
        assert!(err.starts_with("line "), "{err}");
        assert!(Config::parse("wrap = \"codex\"").is_err());
    }

    #[test]
    fn refuses_tool_names_that_could_inject() {
        for bad in [
            "", "-rf", ".", "..", "a b", "a;b", "$(x)", "`x`", "a'b", "a\nb", "a/b", "é", "swop",
            "command", "eval", "source", "builtin",
        ] {
            assert!(check_tool_name(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["codex", "gh", "aws-vault", "python3.12", "_x", "9a"] {
            assert!(check_tool_name(good).is_ok(), "{good:?} refused");
        }
    }
}
