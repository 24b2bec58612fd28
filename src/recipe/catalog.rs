//! The built-in catalog: what swop knows about each tool from its
//! documentation and source, before anything was proved on this machine.

/// A catalog entry: the variables a tool is known to read.
pub struct Known {
    pub tool: &'static str,
    /// Folder variables worth trying as candidates, most specific first.
    pub candidates: &'static [&'static str],
    /// File variables worth trying as candidates, with the name the file has
    /// by default (the name it gets inside a profile).
    pub files: &'static [(&'static str, &'static str)],
    /// Variables that carry an account's credentials: never inherited by a
    /// discovery's runs.
    pub credentials: &'static [&'static str],
    /// The bindings to use before anything was verified.
    pub bindings: &'static [&'static str],
    pub unset: &'static [&'static str],
    pub notes: &'static [&'static str],
    /// Commands that only read a profile (the words after the program, as
    /// the user types them): `swop exec` runs them without the lock, so they
    /// work beside a session. Each is checked against the tool: it may make
    /// files of its own, never change the account's.
    pub read_only: &'static [&'static str],
    /// A command `swop discover --record TOOL -- ...` can prove the recipe
    /// with, unattended and offline, in its scratch folder (no real account).
    pub verify: Option<&'static [&'static str]>,
}

pub const CATALOG: &[Known] = &[
    Known {
        tool: "codex",
        candidates: &["CODEX_HOME", "CODEX_SQLITE_HOME"],
        files: &[],
        credentials: &["OPENAI_API_KEY", "CODEX_API_KEY"],
        bindings: &["CODEX_HOME"],
        unset: &["CODEX_SQLITE_HOME"],
        notes: &[
            "codex keeps its SQLite state under CODEX_HOME unless CODEX_SQLITE_HOME is set; an inherited CODEX_SQLITE_HOME would put two accounts in one database, so profiles unset it.",
            "In keyring mode (cli_auth_credentials_store = \"keyring\") codex keys the keychain entry on a hash of the canonical CODEX_HOME, so each profile gets its own entry as long as the profile path never changes.",
            "codex reads /etc/codex/*.toml and the project's .codex/ and AGENTS.md: these are shared by every account by design.",
        ],
        // Traced on codex-cli 0.171: these read auth.json and config.toml and
        // write only a helper folder of their own under CODEX_HOME/tmp/arg0
        // (each process makes its own and removes only folders whose lock it
        // can take), so they run safely beside a codex session.
        read_only: &["login status", "--version", "--help"],
        // A dummy key: `login --with-api-key` only stores it, which is what
        // the proof needs; the scratch folder is deleted afterwards.
        verify: Some(&["sh", "-c", "echo sk-dummy | codex login --with-api-key"]),
    },
    Known {
        tool: "claude",
        candidates: &["CLAUDE_CONFIG_DIR"],
        files: &[],
        credentials: &[
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_AUTH_TOKEN",
            "CLAUDE_CODE_OAUTH_TOKEN",
        ],
        bindings: &["CLAUDE_CONFIG_DIR"],
        unset: &[],
        notes: &[
            "On macOS Claude Code keys its keychain item on a hash of the literal CLAUDE_CONFIG_DIR string; swop always emits the same canonical path, so keep using swop to switch.",
        ],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "gemini",
        candidates: &["GEMINI_CLI_HOME"],
        files: &[],
        credentials: &["GEMINI_API_KEY", "GOOGLE_API_KEY"],
        bindings: &["GEMINI_CLI_HOME"],
        unset: &[],
        notes: &[],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "gh",
        candidates: &["GH_CONFIG_DIR"],
        files: &[],
        credentials: &[
            "GH_TOKEN",
            "GITHUB_TOKEN",
            "GH_ENTERPRISE_TOKEN",
            "GITHUB_ENTERPRISE_TOKEN",
        ],
        bindings: &["GH_CONFIG_DIR"],
        unset: &["GH_TOKEN", "GITHUB_TOKEN"],
        notes: &[
            "gh stores its token in the system keyring (the login Keychain on macOS, the Secret Service on Linux) keyed by host only, so two accounts on github.com share one keyring entry: log in with `gh auth login --insecure-storage` inside each profile, or give each profile its own GH_TOKEN.",
        ],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "aws",
        candidates: &[],
        files: &[
            ("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            ("AWS_CONFIG_FILE", "config"),
        ],
        credentials: &[
            "AWS_PROFILE",
            "AWS_DEFAULT_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ],
        bindings: &["AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"],
        unset: &[
            "AWS_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ],
        notes: &[
            "The SSO and CLI caches live under ~/.aws/sso and ~/.aws/cli with no variable to move them; bind HOME as well when the profiles log in with SSO.",
        ],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "gcloud",
        candidates: &["CLOUDSDK_CONFIG"],
        files: &[],
        credentials: &[
            "GOOGLE_APPLICATION_CREDENTIALS",
            "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE",
        ],
        bindings: &["CLOUDSDK_CONFIG"],
        unset: &["CLOUDSDK_ACTIVE_CONFIG_NAME"],
        notes: &[
            "Application default credentials live in CLOUDSDK_CONFIG too; GOOGLE_APPLICATION_CREDENTIALS, when set, names a file every profile shares.",
        ],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "docker",
        candidates: &["DOCKER_CONFIG"],
        files: &[],
        credentials: &[],
        bindings: &["DOCKER_CONFIG"],
        unset: &[],
        notes: &[
            "A credential helper (credsStore) keeps registry logins in the OS keychain, shared by every DOCKER_CONFIG.",
        ],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "kubectl",
        candidates: &[],
        files: &[("KUBECONFIG", "config")],
        credentials: &[],
        bindings: &["KUBECONFIG"],
        unset: &[],
        notes: &[
            "kubectl's discovery and HTTP caches live under ~/.kube/cache; exec credential plugins (aws, gcloud) inherit the profile's environment.",
        ],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "npm",
        candidates: &["NPM_CONFIG_CACHE"],
        files: &[("NPM_CONFIG_USERCONFIG", ".npmrc")],
        credentials: &["NPM_TOKEN", "NODE_AUTH_TOKEN"],
        bindings: &["NPM_CONFIG_USERCONFIG"],
        unset: &["NPM_TOKEN"],
        notes: &["npm keeps its auth tokens in the user .npmrc that NPM_CONFIG_USERCONFIG names."],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "pip",
        candidates: &[],
        files: &[("PIP_CONFIG_FILE", "pip.conf")],
        credentials: &[],
        bindings: &["PIP_CONFIG_FILE"],
        unset: &[],
        notes: &[],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "cargo",
        candidates: &["CARGO_HOME"],
        files: &[],
        credentials: &["CARGO_REGISTRY_TOKEN"],
        bindings: &["CARGO_HOME"],
        unset: &["CARGO_REGISTRY_TOKEN"],
        notes: &[
            "CARGO_HOME holds the registry cache and installed binaries as well as credentials.toml, so each profile downloads crates again.",
        ],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "gpg",
        candidates: &["GNUPGHOME"],
        files: &[],
        credentials: &[],
        bindings: &["GNUPGHOME"],
        unset: &[],
        notes: &[
            "gpg starts gpg-agent, which keeps running with the profile's GNUPGHOME after gpg returns.",
        ],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "rclone",
        candidates: &[],
        files: &[("RCLONE_CONFIG", "rclone.conf")],
        credentials: &["RCLONE_CONFIG_PASS"],
        bindings: &["RCLONE_CONFIG"],
        unset: &[],
        notes: &[],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "terraform",
        candidates: &["TF_DATA_DIR"],
        files: &[("TF_CLI_CONFIG_FILE", ".terraformrc")],
        credentials: &[],
        bindings: &["HOME"],
        unset: &["TF_CLI_CONFIG_FILE"],
        notes: &[],
        read_only: &[],
        verify: None,
    },
    Known {
        tool: "git",
        candidates: &["HOME", "XDG_CONFIG_HOME"],
        files: &[("GIT_CONFIG_GLOBAL", ".gitconfig")],
        credentials: &[],
        bindings: &["HOME"],
        unset: &["GIT_CONFIG_GLOBAL"],
        notes: &[
            "`git config --global` writes ~/.gitconfig unless $XDG_CONFIG_HOME/git/config already exists, so the git recipe binds HOME.",
            "Credential helpers (osxkeychain, libsecret, manager) keep tokens outside the file system.",
        ],
        read_only: &[],
        verify: None,
    },
];
