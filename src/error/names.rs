//! Names swop does not take: of profiles, tools and variables.

use std::fmt;

/// What a profile name may be, for messages.
pub const NAME_RULE: &str = "a profile name is 1 to 64 characters from A-Z a-z 0-9 . _ -, \
starting with a letter or digit";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name {
    Profile(String),
    Tool(String),
    Var(String),
    /// A variable on the block-list, with why.
    NotBindable {
        var: String,
        why: &'static str,
    },
    /// A variable a profile may not set to a value, with why.
    NotSettable {
        var: String,
        why: &'static str,
    },
    /// A tool named in `wrap` of `config.toml` that is no tool name.
    NotWrappable(String),
    /// A tool named in `wrap` whose name the shells or swop need.
    Reserved(String),
    /// A recipe's credential file that is not `VAR/path` inside a bound folder.
    Credential(String),
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Name::Profile(name) => write!(f, "invalid profile name {name:?}: {NAME_RULE}"),
            Name::Tool(name) => write!(
                f,
                "invalid tool name {name:?}: use 1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter, digit or _"
            ),
            Name::Var(name) => write!(
                f,
                "invalid variable name {name:?}: use letters, digits and _, not starting with a digit"
            ),
            Name::NotBindable { var, why } => {
                write!(f, "{var} cannot be bound by a profile: {why}")
            }
            Name::NotSettable { var, why } => write!(f, "a profile cannot set {var}: {why}"),
            Name::NotWrappable(name) => write!(
                f,
                "wrap: {name:?} is not a tool name; use 1 to 64 characters from A-Z a-z 0-9 . _ -, \
                 starting with a letter, digit or _"
            ),
            Name::Reserved(name) => write!(
                f,
                "wrap: {name:?} cannot be wrapped: the shell or swop's integration needs that name"
            ),
            Name::Credential(named) => write!(
                f,
                "credentials lists {named:?}, which is not VAR/path (a bound variable, then a path inside its folder)"
            ),
        }
    }
}
