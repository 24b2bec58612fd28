//! `config.toml` at the store root: settings that are not about one profile.
//!
//! ```toml
//! # Run these tools through `swop exec "$SWOP_PROFILE"` in a shell switched
//! # with `swop use`, so the profile lock protects them too.
//! wrap = ["codex", "gh"]
//! # Say nothing when a .swop switches the shell, or switches it back.
//! quiet = true
//! # Let every sealed command (swop exec --seal) also write these.
//! allow_write = ["/home/me/.cache/pip"]
//! # Profiles `swop exec --pick agents` chooses from.
//! [groups]
//! agents = ["work", "personal"]
//! ```

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Command, Group, Name, Next, Result};
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
    /// More places every sealed command may write (absolute paths).
    #[serde(default)]
    pub allow_write: Vec<PathBuf>,
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
    /// [`crate::files::store_file_problem`]): `swop init` runs in every new
    /// shell, and a FIFO or a link to /dev/zero there must not hang it.
    pub fn load_from(path: &Path) -> Result<Config> {
        let text = match crate::files::read_store_text(path, CONFIG_FILE_LIMIT) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(crate::store::store_file_error(path, e, Next::FixOrRemove)),
        };
        Self::parse(&text).map_err(|problem| {
            match problem {
                Unparsed::Toml { line, message } => Command::Config {
                    path: path.to_path_buf(),
                    line,
                    message,
                },
                Unparsed::Wrap(name) => Command::ConfigName {
                    path: path.to_path_buf(),
                    name,
                },
                Unparsed::Group(problem) => Command::ConfigGroup {
                    path: path.to_path_buf(),
                    problem,
                },
            }
            .into()
        })
    }

    /// Parse and check the text of a configuration file.
    pub fn parse(text: &str) -> std::result::Result<Config, Unparsed> {
        let config: Config = toml::from_str(text).map_err(|e| Unparsed::Toml {
            line: e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1),
            message: e.message().trim_end().to_string(),
        })?;
        for tool in &config.wrap {
            check_tool_name(tool).map_err(Unparsed::Wrap)?;
        }
        for (group, members) in &config.groups {
            check_group(group, members).map_err(Unparsed::Group)?;
        }
        Ok(config)
    }
}

/// Why a configuration's text is not one.
#[derive(Debug)]
pub enum Unparsed {
    /// Not TOML of the configuration's shape: the parser's words, and the line.
    Toml {
        line: Option<usize>,
        message: String,
    },
    /// A tool of `wrap` that cannot be wrapped.
    Wrap(Name),
    /// A group of `[groups]` that is not one.
    Group(Group),
}

/// A wrapped tool's name becomes a shell function's: a tool name (see
/// [`crate::names::is_tool_name`]) that the shells or swop's integration do
/// not need for themselves.
pub fn check_tool_name(name: &str) -> std::result::Result<(), Name> {
    if !crate::names::is_tool_name(name) {
        return Err(Name::NotWrappable(name.to_string()));
    }
    if RESERVED.contains(&name) {
        return Err(Name::Reserved(name.to_string()));
    }
    Ok(())
}

/// A group is named like a profile and lists at least one profile name.
fn check_group(group: &str, members: &[String]) -> std::result::Result<(), Group> {
    if !crate::names::is_profile_name(group) {
        return Err(Group::NotAName(group.to_string()));
    }
    if members.is_empty() {
        return Err(Group::Empty(group.to_string()));
    }
    match members.iter().find(|m| !crate::names::is_profile_name(m)) {
        Some(bad) => Err(Group::NotAProfile {
            group: group.to_string(),
            member: bad.clone(),
        }),
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
        assert!(
            matches!(&err, Unparsed::Toml { line: Some(2), message } if message.contains("wrapp")),
            "{err:?}"
        );
        let err = Config::parse("wrap = [\"codex\"\n").unwrap_err();
        assert!(
            matches!(err, Unparsed::Toml { line: Some(_), .. }),
            "{err:?}"
        );
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
