//! Package registries: npm, pip, cargo, Hugging Face.

use super::{Known, StatusCommand, per_os};

pub const NPM: Known = Known {
    tool: "npm",
    programs: &[],
    sources: &[
        "https://docs.npmjs.com/cli/v11/configuring-npm/npmrc (per-user ~/.npmrc or the userconfig setting; project .npmrc; ${VAR} in npmrc files)",
        "https://docs.npmjs.com/cli/v11/using-npm/config#environment-variables (npm_config_* variables)",
    ],
    candidates: &["NPM_CONFIG_CACHE"],
    files: &[("NPM_CONFIG_USERCONFIG", ".npmrc")],
    bindings: &["NPM_CONFIG_USERCONFIG"],
    unset: &["NPM_TOKEN"],
    values: &["NPM_CONFIG_REGISTRY"],
    credentials: &["NPM_TOKEN", "NODE_AUTH_TOKEN"],
    overrides: &["npm_config_userconfig"],
    keyring: None,
    shared: "A project's .npmrc and the global $PREFIX/etc/npmrc are read by every account; an npmrc that says ${NPM_TOKEN} takes the token from the environment, which swop clears for npm profiles. The package cache stays shared.",
    notes: &["npm keeps its auth tokens in the user .npmrc that NPM_CONFIG_USERCONFIG names."],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["npm", "whoami"],
        needs_output: true,
        shows: &[],
    }),
    credential_files: &[("NPM_CONFIG_USERCONFIG", ".npmrc")],
    shareable: &[],
    settings: &[],
    unconfirmed: &[
        "NPM_TOKEN and NODE_AUTH_TOKEN are conventions that npmrc files refer to, not variables npm reads by itself",
    ],
};

pub const PIP: Known = Known {
    tool: "pip",
    programs: &[],
    sources: &[
        "https://pip.pypa.io/en/stable/topics/configuration/ (PIP_CONFIG_FILE is loaded first and the user's files override it; user file $XDG_CONFIG_HOME/pip/pip.conf and legacy ~/.pip/pip.conf)",
        "https://pip.pypa.io/en/stable/cli/pip_config/ (pip config writes the user file unless --global, --site or a virtual environment's file)",
    ],
    candidates: per_os(&["XDG_CONFIG_HOME"], &["HOME"]),
    files: &[("PIP_CONFIG_FILE", "pip.conf")],
    bindings: per_os(&["XDG_CONFIG_HOME"], &["HOME"]),
    unset: &[],
    values: &[],
    credentials: &["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"],
    overrides: &["PIP_CONFIG_FILE"],
    keyring: Some(
        "pip can ask the keyring for index credentials (--keyring-provider), keyed by index URL and shared by every profile: keep each account's token in its profile's pip.conf index-url instead.",
    ),
    shared: "PIP_CONFIG_FILE alone does not isolate pip: the user's own files are read after it and win, and `pip config set` writes the user file, so the recipe binds the folder of that file (XDG_CONFIG_HOME; on macOS HOME, where pip uses ~/Library/Application Support/pip). The legacy ~/.pip/pip.conf and a virtual environment's pip.conf are read by every account.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: None,
    credential_files: &[],
    shareable: &[],
    settings: &[],
    unconfirmed: &[],
};

pub const CARGO: Known = Known {
    tool: "cargo",
    programs: &[],
    sources: &[
        "https://doc.rust-lang.org/cargo/reference/registry-authentication.html (cargo:token in credentials.toml; cargo:libsecret, cargo:macos-keychain)",
        "https://doc.rust-lang.org/cargo/commands/cargo-login.html ($CARGO_HOME/credentials.toml)",
        "https://doc.rust-lang.org/cargo/reference/environment-variables.html (CARGO_HOME, CARGO_REGISTRY_TOKEN, CARGO_REGISTRIES_<name>_TOKEN)",
    ],
    candidates: &["CARGO_HOME"],
    files: &[],
    bindings: &["CARGO_HOME"],
    unset: &["CARGO_REGISTRY_TOKEN"],
    values: &[],
    credentials: &["CARGO_REGISTRY_TOKEN", "CARGO_REGISTRIES_*_TOKEN"],
    overrides: &[],
    keyring: Some(
        "With the cargo:libsecret or cargo:macos-keychain credential providers (configured in $CARGO_HOME/config.toml), tokens live in the OS keyring keyed by registry and are shared; the default cargo:token keeps them in the profile's credentials.toml.",
    ),
    shared: "CARGO_HOME also holds the registry cache and installed binaries, so each profile downloads crates again; a project's .cargo/config.toml is read by every account.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: None,
    credential_files: &[
        ("CARGO_HOME", "credentials.toml"),
        ("CARGO_HOME", "credentials"),
    ],
    shareable: &[],
    settings: &[("CARGO_HOME", "config.toml")],
    unconfirmed: &["the environment-variables page was not re-read for this catalog"],
};

pub const HUGGINGFACE: Known = Known {
    tool: "huggingface",
    programs: &["hf"],
    sources: &[
        "https://huggingface.co/docs/huggingface_hub/package_reference/environment_variables (HF_HOME holds the token and the cache; HF_TOKEN_PATH; HF_TOKEN overrides the stored token)",
        "scripts that run `hf auth whoami` to check a login (it fails when no one is logged in; an exported HF_TOKEN wins over the stored login)",
    ],
    candidates: &["HF_HOME"],
    files: &[("HF_TOKEN_PATH", "token")],
    bindings: &["HF_TOKEN_PATH"],
    unset: &[],
    values: &["HF_ENDPOINT"],
    credentials: &["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"],
    overrides: &[],
    keyring: Some(
        "Logging in with --add-to-git-credential also stores the token in git's credential helper, keyed by host and shared: leave it out, or give each profile its own helper (see the git recipe).",
    ),
    shared: "The model and dataset cache (HF_HOME/hub) stays shared on purpose: models are not accounts, and the recipe binds only the token's file.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["hf", "auth", "whoami"],
        needs_output: true,
        shows: &[],
    }),
    credential_files: &[("HF_TOKEN_PATH", "token")],
    shareable: &[],
    settings: &[],
    unconfirmed: &[
        "`hf auth whoami` in Hugging Face's own documentation (older releases: huggingface-cli whoami)",
        "HUGGING_FACE_HUB_TOKEN, the older name of HF_TOKEN",
    ],
};
