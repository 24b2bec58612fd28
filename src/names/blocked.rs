//! The block-list: variables no profile, recipe, discovery or restore record
//! may ever touch, whether to bind them, set them to a value, unset them or
//! put a saved value back.
//!
//! A variable is on it when its value decides which code runs (a loader, an
//! interpreter's search path or start-up file, a command to run, a program
//! that wraps or replaces another, configuration that names a program), when
//! a shell owns it (read-only, special, or kept by the shell or its
//! integration), when it names where programs are installed, which
//! certificates are trusted, where the login session's services listen, or
//! which repository git works on. Pointing one into a profile, or giving it a
//! value from a profile, would hand code execution to whatever lands there,
//! or break the shell half-way through a switch.
//!
//! Most names are compared without case: zsh ties `path`, `fpath` and
//! `cdpath` to their upper-case twins, and tools read `npm_config_*` in
//! either case. zsh's and fish's own lower-case specials (`signals`,
//! `history`, ...) are compared exactly, since their upper-case twins are
//! ordinary names.

/// The reason `name` may never be touched by a profile, if it may not.
pub fn forbidden_reason(name: &str) -> Option<&'static str> {
    if SHELL_OWNED_EXACT.contains(&name) {
        return Some(SHELL_OWNED_WHY);
    }
    let upper = name.to_ascii_uppercase();
    let upper = upper.as_str();
    let lists: [(&[&str], &'static str); 7] = [
        (
            LOADS_CODE,
            "it chooses which code runs or how a shell behaves",
        ),
        (RUNS_A_PROGRAM, RUNS_A_PROGRAM_WHY),
        (SHELL_OWNED, SHELL_OWNED_WHY),
        (
            PROGRAMS,
            "it names where programs are installed, not where a tool keeps state",
        ),
        (
            CERTIFICATES,
            "it names the certificates a tool trusts or where TLS secrets go",
        ),
        (
            REPOSITORY,
            "it chooses the repository git works on, not where a tool keeps state",
        ),
        (
            SESSION,
            "it belongs to the login session (sockets, display, terminal)",
        ),
    ];
    if let Some((_, why)) = lists.iter().find(|(list, _)| list.contains(&upper)) {
        return Some(why);
    }
    if let Some((_, why)) = PREFIXES.iter().find(|(p, _)| upper.starts_with(p)) {
        return Some(why);
    }
    let cargo_target = upper.starts_with("CARGO_TARGET_")
        && (upper.ends_with("_RUNNER") || upper.ends_with("_LINKER"));
    if cargo_target || RUNS_A_PROGRAM_ENDINGS.iter().any(|e| upper.ends_with(e)) {
        return Some(RUNS_A_PROGRAM_WHY);
    }
    None
}

const RUNS_A_PROGRAM_WHY: &str =
    "its value is a command to run, or configures which program or code runs";
const SHELL_OWNED_WHY: &str = "the shell owns it (read-only, special, or set by the shell itself)";

/// Loaders, interpreters' search paths and start-up files, the shells'
/// start-up files and prompts.
const LOADS_CODE: &[&str] = &[
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
    "NODE_OPTIONS",
    "NODE_PATH",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONHOME",
    "PYTHONUSERBASE",
    "PYTHONPLATLIBDIR",
    "PERL5LIB",
    "PERL5OPT",
    "PERLLIB",
    "PERL5DB",
    "RUBYOPT",
    "RUBYLIB",
    "IRBRC",
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
    "R_PROFILE",
    "R_PROFILE_USER",
    "EMACSLOADPATH",
    "VIMINIT",
    "EXINIT",
    "MYVIMRC",
    "VIMRUNTIME",
    "HELM_PLUGINS",
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
    "SPROMPT",
];

/// Variables whose value is a command, or configuration that names the
/// program or code a tool runs: git's config given in the environment
/// (`core.fsmonitor` runs a command), diff and pager programs, compiler
/// wrappers and flags, Python's breakpoint hook and warning filters (both
/// import modules), npm's script shell, node's REPL module.
const RUNS_A_PROGRAM: &[&str] = &[
    "EDITOR",
    "VISUAL",
    "PAGER",
    "BROWSER",
    "FCEDIT",
    "GIT_SSH",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_PARAMETERS",
    "GIT_EXTERNAL_DIFF",
    "LESSOPEN",
    "LESSCLOSE",
    "RUSTC",
    "RUSTDOC",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTC",
    "CARGO_BUILD_RUSTFLAGS",
    "CC",
    "CXX",
    "CPP",
    "LD",
    "AR",
    "CFLAGS",
    "CXXFLAGS",
    "CPPFLAGS",
    "LDFLAGS",
    "PYTHONBREAKPOINT",
    "PYTHONWARNINGS",
    "NODE_REPL_EXTERNAL_MODULE",
    "NPM_CONFIG_SCRIPT_SHELL",
    "NPM_CONFIG_SHELL",
    "NPM_CONFIG_NODE_OPTIONS",
    "NPM_CONFIG_GIT",
    "NPM_CONFIG_NODE_GYP",
    "NPM_CONFIG_ONLOAD_SCRIPT",
];

/// Name endings that say the value is a program to run: `GIT_SSH_COMMAND`,
/// `SSH_ASKPASS`, `GIT_EDITOR`, `MANPAGER`, `GH_BROWSER`, `RUSTC_WRAPPER`,
/// `KUBECTL_EXTERNAL_DIFF`, cargo's registry credential providers.
const RUNS_A_PROGRAM_ENDINGS: &[&str] = &[
    "_COMMAND",
    "_ASKPASS",
    "EDITOR",
    "PAGER",
    "_BROWSER",
    "_WRAPPER",
    "_EXTERNAL_DIFF",
    "_CREDENTIAL_PROVIDER",
];

/// Names the shells keep for themselves, in any case: bash's and zsh's
/// read-only and special variables, fish's and nushell's, and what every
/// shell sets on its own.
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
    "HOSTTYPE",
    "MACHTYPE",
    "OSTYPE",
    "VENDOR",
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
    "HISTSIZE",
    "HISTFILESIZE",
    "HISTCONTROL",
    "HISTIGNORE",
    "HISTTIMEFORMAT",
    "HISTCHARS",
    "SAVEHIST",
    "TMOUT",
    "MAIL",
    "MAILPATH",
    "MAILCHECK",
    "OPTIND",
    "OPTARG",
    "OPTERR",
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
    "TTYIDLE",
    "SHLVL",
    "COLUMNS",
    "LINES",
    "KEYTIMEOUT",
    "WORDCHARS",
    "NULLCMD",
    "READNULLCMD",
    "TIMEFMT",
    "TIMEFORMAT",
    "REPORTTIME",
    "TMPPREFIX",
    "POSTEDIT",
    "IGNOREEOF",
    "EXECIGNORE",
    "FIGNORE",
    "MAPFILE",
    "COPROC",
    "VERSION",
    "LAST_PID",
    "CMD_DURATION",
    "CMD_DURATION_MS",
    "LAST_EXIT_CODE",
    "FILE_PWD",
    "CURRENT_FILE",
    "ENV_CONVERSIONS",
    "UMASK",
    "_",
];

/// zsh's and fish's lower-case specials, as they are spelt: assigning
/// `signals` or `status` stops zsh in the middle of whatever it evaluates.
const SHELL_OWNED_EXACT: &[&str] = &[
    "aliases",
    "argv",
    "builtins",
    "cdpath",
    "commands",
    "dirstack",
    "dis_aliases",
    "dis_builtins",
    "dis_functions",
    "dis_galiases",
    "dis_patchars",
    "dis_reswords",
    "dis_saliases",
    "epochtime",
    "errnos",
    "fignore",
    "fpath",
    "funcfiletrace",
    "funcsourcetrace",
    "funcstack",
    "functions",
    "functions_source",
    "functrace",
    "galiases",
    "histchars",
    "history",
    "historywords",
    "hostname",
    "jobdirs",
    "jobstates",
    "jobtexts",
    "keymaps",
    "last_pid",
    "mailpath",
    "manpath",
    "mapfile",
    "module_path",
    "modules",
    "nameddirs",
    "options",
    "parameters",
    "patchars",
    "path",
    "pipestatus",
    "psvar",
    "reswords",
    "saliases",
    "signals",
    "status",
    "status_generation",
    "sysparams",
    "termcap",
    "terminfo",
    "umask",
    "userdirs",
    "usergroups",
    "version",
    "watch",
    "widgets",
    "zsh_eval_context",
    "zsh_scheduled_events",
];

/// Installations of languages and tools: pointing one into a profile moves
/// the programs, not the account.
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
    ("ZLE_", "zsh owns it"),
    ("FISH_", "fish owns it or loads code from it"),
    ("XONSH", "xonsh owns it or loads code from it"),
    ("NU_", "nushell owns it or loads code from it"),
    ("COMP_", "the shell's completion owns it"),
    ("READLINE_", "bash owns it"),
    ("__", "a shell or its integration keeps its own state in it"),
    ("SWOP_", "it is swop's own"),
    ("LC_", "it sets the locale"),
    ("MALLOC_", "it changes how programs allocate memory"),
    ("GIT_CONFIG_KEY_", RUNS_A_PROGRAM_WHY),
    ("GIT_CONFIG_VALUE_", RUNS_A_PROGRAM_WHY),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_that_run_or_configure_code_are_blocked() {
        for name in [
            "GIT_CONFIG_COUNT",
            "GIT_CONFIG_KEY_0",
            "GIT_CONFIG_VALUE_12",
            "GIT_CONFIG_PARAMETERS",
            "GIT_EXTERNAL_DIFF",
            "MANPAGER",
            "LESSOPEN",
            "RUSTC_WRAPPER",
            "FCEDIT",
            "PYTHONBREAKPOINT",
            "PYTHONWARNINGS",
            "NODE_REPL_EXTERNAL_MODULE",
            "npm_config_script_shell",
            "KUBECTL_EXTERNAL_DIFF",
            "NU_LIB_DIRS",
            "XONSHRC",
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER",
            "CARGO_REGISTRIES_MINE_CREDENTIAL_PROVIDER",
            "GIT_SSH_COMMAND",
            "EDITOR",
            "gh_editor",
        ] {
            assert!(forbidden_reason(name).is_some(), "{name}");
        }
    }

    #[test]
    fn the_shells_own_names_are_blocked_as_spelt() {
        for name in [
            "signals",
            "status",
            "argv",
            "path",
            "history",
            "options",
            "PWD",
            "SHLVL",
            "UID",
            "__swop_folder_pin",
            "__fish_x",
            "HISTCMD",
        ] {
            assert!(forbidden_reason(name).is_some(), "{name}");
        }
        // Ordinary names that only share a spelling with a special.
        for name in ["OPTIONS_FILE", "Signals_dir", "MY_HISTORY_FILE"] {
            assert!(forbidden_reason(name).is_none(), "{name}");
        }
    }

    #[test]
    fn file_variables_of_tools_are_not_blocked() {
        for name in [
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
            "KUBECONFIG",
            "GIT_CONFIG_GLOBAL",
            "AWS_PROFILE",
        ] {
            assert_eq!(forbidden_reason(name), None, "{name}");
        }
    }
}
