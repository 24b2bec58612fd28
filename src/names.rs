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

pub fn check_tool_name(name: &str) -> Result<()> {
    if is_tool_name(name) {
        Ok(())
    } else {
        Err(Error::user(format!(
            "invalid tool name {}: use 1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter, digit or _",
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

/// Why a variable may not be bound, unset, saved or restored by a profile, a
/// recipe, discover or `SWOP_SAVED`, if it may not.
///
/// The rule has two halves. A binding names where a tool keeps state, so it
/// must say it names a place ([`names_a_place`], an allow-list of name
/// endings); and no variable on this block-list is ever touched, bound or
/// not. The block-list holds what a place-shaped name can still be, and what
/// an unset or a restore could reach: variables that choose which code runs,
/// how a shell behaves, where programs are installed, which certificates are
/// trusted or where the login session's services listen, and the shells' own
/// (read-only ones among them: assigning `UID` stops zsh part-way through a
/// switch). Pointing one into a profile would hand code execution to whatever
/// lands there, or break the tool instead of isolating it. Case is ignored:
/// zsh ties `path`, `fpath` and `cdpath` to their upper-case twins, and fish
/// reads `fish_user_paths`.
pub fn forbidden_reason(name: &str) -> Option<&'static str> {
    const CODE: &[&str] = &[
        "PATH",
        "IFS",
        "ENV",
        "BASH_ENV",
        "ZDOTDIR",
        "SHELL",
        "PROMPT_COMMAND",
        "PS0",
        "PS1",
        "PS2",
        "PS3",
        "PS4",
        "CDPATH",
        "FPATH",
        "GLOBIGNORE",
        "HISTFILE",
        "INPUTRC",
        "NODE_OPTIONS",
        "NODE_PATH",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PYTHONHOME",
        "PYTHONUSERBASE",
        "PERL5LIB",
        "PERL5OPT",
        "PERLLIB",
        "RUBYOPT",
        "RUBYLIB",
        "GEM_PATH",
        "GEM_HOME",
        "CLASSPATH",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "JDK_JAVA_OPTIONS",
        "GIT_EXEC_PATH",
        "GIT_TEMPLATE_DIR",
        "LUA_PATH",
        "LUA_CPATH",
        "GCONV_PATH",
        "GLIBC_TUNABLES",
        "LOCPATH",
        "NLSPATH",
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
    const SHELL_OWNED: &[&str] = &[
        "PWD",
        "OLDPWD",
        "UID",
        "EUID",
        "PPID",
        "SHELLOPTS",
        "BASHOPTS",
        "GROUPS",
        "HOSTNAME",
        "RANDOM",
        "SECONDS",
        "LINENO",
        "STATUS",
        "PIPESTATUS",
        "USER",
        "LOGNAME",
        "USERNAME",
        "GID",
        "EGID",
        "HOST",
        "HISTCMD",
        "HISTORY",
        "TMOUT",
        "MAIL",
        "MAILPATH",
        "MAILCHECK",
        "OPTIND",
        "OPTARG",
        "REPLY",
        "FUNCNAME",
        "DIRSTACK",
        "EPOCHSECONDS",
        "EPOCHREALTIME",
        "SRANDOM",
        "ERRNO",
        "ARGC",
        "ARGV",
        "TTY",
        "VERSION",
        "LAST_PID",
        "CMD_DURATION",
        "UMASK",
        "_",
    ];
    const PROGRAMS: &[&str] = &[
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "PYENV_ROOT",
        "NVM_DIR",
        "VOLTA_HOME",
        "ASDF_DIR",
        "ASDF_DATA_DIR",
        "SDKMAN_DIR",
        "BUN_INSTALL",
        "RBENV_ROOT",
        "NODENV_ROOT",
        "GOROOT",
        "JAVA_HOME",
        "ANDROID_HOME",
        "ANDROID_SDK_ROOT",
        "ANDROID_NDK_HOME",
        "CONDA_PREFIX",
        "VIRTUAL_ENV",
        "DENO_INSTALL",
        "PNPM_HOME",
        "GRADLE_HOME",
        "M2_HOME",
        "MAVEN_HOME",
        "MISE_DATA_DIR",
        "MISE_INSTALL_PATH",
        "HOMEBREW_PREFIX",
        "HOMEBREW_CELLAR",
        "HOMEBREW_REPOSITORY",
        "XDG_BIN_HOME",
        "PIPX_HOME",
        "PIPX_BIN_DIR",
        "POETRY_HOME",
        "UV_TOOL_DIR",
        "UV_TOOL_BIN_DIR",
        "UV_PYTHON_INSTALL_DIR",
        "FNM_DIR",
        "PROTO_HOME",
        "CABAL_DIR",
        "OPAMROOT",
        "CARGO_INSTALL_ROOT",
        "GOBIN",
        "NPM_CONFIG_PREFIX",
    ];
    const CERTIFICATES: &[&str] = &[
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "CURL_CA_BUNDLE",
        "REQUESTS_CA_BUNDLE",
        "NODE_EXTRA_CA_CERTS",
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "AWS_CA_BUNDLE",
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
        "SSLKEYLOGFILE",
    ];
    const SESSION: &[&str] = &[
        "XDG_RUNTIME_DIR",
        "XDG_DATA_DIRS",
        "XDG_CONFIG_DIRS",
        "DBUS_SESSION_BUS_ADDRESS",
        "SSH_AUTH_SOCK",
        "GPG_AGENT_INFO",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "TERM",
        "TERMINFO",
        "TERMINFO_DIRS",
    ];
    const REPOSITORY: &[&str] = &[
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_COMMON_DIR",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CEILING_DIRECTORIES",
        "GIT_NAMESPACE",
    ];
    const PREFIXES: &[(&str, &str)] = &[
        ("LD_", "it changes how programs are loaded"),
        ("DYLD_", "it changes how programs are loaded"),
        ("BASH", "bash owns it or runs code from it"),
        ("ZSH_", "zsh owns it"),
        ("FISH_", "fish owns it or loads code from it"),
        ("COMP_", "the shell's completion owns it"),
        ("SWOP_", "it is swop's own"),
        ("LC_", "it sets the locale"),
        ("MALLOC_", "it changes how programs allocate memory"),
    ];
    let upper = name.to_ascii_uppercase();
    let upper = upper.as_str();
    if CODE.contains(&upper) {
        return Some("it chooses which code runs or how a shell behaves");
    }
    if SHELL_OWNED.contains(&upper) {
        return Some("the shell owns it (read-only or set by the shell itself)");
    }
    if PROGRAMS.contains(&upper) {
        return Some("it names where programs are installed, not where a tool keeps state");
    }
    if CERTIFICATES.contains(&upper) {
        return Some("it names the certificates a tool trusts or where TLS secrets go");
    }
    if REPOSITORY.contains(&upper) {
        return Some("it chooses the repository git works on, not where a tool keeps state");
    }
    if SESSION.contains(&upper) {
        return Some("it belongs to the login session (sockets, display, terminal)");
    }
    PREFIXES
        .iter()
        .find(|(p, _)| upper.starts_with(p))
        .map(|(_, why)| *why)
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

/// Whether `name` says it names where a tool keeps state: the allow-list a
/// binding must pass, on top of [`forbidden_reason`].
pub fn names_a_place(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let ends = |words: &[&str]| words.iter().any(|end| upper.ends_with(end));
    (ends(&PLACE_ENDINGS) && !ends(&NOT_PLACES)) || PLACES_BY_NAME.contains(&upper.as_str())
}

/// A variable a profile or recipe may unset, or whose value swop may save
/// and restore: a plain name that is not on the block-list.
pub fn check_var_name(name: &str) -> Result<()> {
    if !is_var_name(name) {
        return Err(Error::user(format!(
            "invalid variable name {}: use letters, digits and _, not starting with a digit",
            crate::util::quoted(name)
        )));
    }
    if let Some(why) = forbidden_reason(name) {
        return Err(Error::user(format!(
            "{name} cannot be bound by a profile: {why}"
        )));
    }
    Ok(())
}

/// A variable a profile, recipe or discovery may point into a profile: it
/// passes [`check_var_name`] and names a place ([`names_a_place`]).
pub fn check_binding_name(name: &str) -> Result<()> {
    check_var_name(name)?;
    if !names_a_place(name) {
        return Err(Error::user(format!(
            "{name} cannot be bound by a profile: a binding names where a tool keeps its state, \
             and {name} does not say it names a place (its name must end in {})",
            PLACE_ENDINGS.join(", ")
        )));
    }
    Ok(())
}

/// Why a variable may not hold a value a profile sets (`swop add --set`,
/// `swop set`), if it may not: the block-list of [`forbidden_reason`], and
/// variables whose value is a command to run (`GIT_SSH_COMMAND`, `EDITOR`,
/// `*_ASKPASS`): a value is data, and these would make it code. A value need
/// not name a place: `AWS_PROFILE`, `GH_HOST` and `OPENAI_BASE_URL` are values.
pub fn value_forbidden_reason(name: &str) -> Option<&'static str> {
    const COMMANDS: &[&str] = &["EDITOR", "VISUAL", "PAGER", "BROWSER", "GIT_SSH"];
    const COMMAND_ENDINGS: &[&str] = &["_COMMAND", "_ASKPASS", "_EDITOR", "_PAGER", "_BROWSER"];
    if let Some(why) = forbidden_reason(name) {
        return Some(why);
    }
    let upper = name.to_ascii_uppercase();
    let command = COMMANDS.contains(&upper.as_str())
        || COMMAND_ENDINGS.iter().any(|end| upper.ends_with(end));
    command.then_some("its value is a command that programs run")
}

/// A variable a profile may set to a value: a plain name that passes
/// [`value_forbidden_reason`].
pub fn check_value_name(name: &str) -> Result<()> {
    if !is_var_name(name) {
        return Err(Error::user(format!(
            "invalid variable name {}: use letters, digits and _, not starting with a digit",
            crate::util::quoted(name)
        )));
    }
    if let Some(why) = value_forbidden_reason(name) {
        return Err(Error::user(format!("a profile cannot set {name}: {why}")));
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
    fn a_binding_must_name_a_place() {
        for place in [
            "HOME",
            "CODEX_HOME",
            "GNUPGHOME",
            "GH_CONFIG_DIR",
            "TMPDIR",
            "KUBECONFIG",
            "AWS_CONFIG_FILE",
            "npm_config_cache",
            "NPM_CONFIG_USERCONFIG",
            "GIT_CONFIG_GLOBAL",
            "MY_TOOL_STATE",
        ] {
            assert!(check_binding_name(place).is_ok(), "{place}");
        }
        for other in [
            "GH_TOKEN",
            "AWS_PROFILE",
            "EDITOR",
            "GIT_SSH_COMMAND",
            "GOPATH",
            "X",
        ] {
            let err = check_binding_name(other).expect_err(other).to_string();
            assert!(err.contains("names a place"), "{other}: {err}");
            // Not a place, yet a profile may unset it.
            assert!(check_var_name(other).is_ok(), "{other}");
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
