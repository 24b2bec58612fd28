//! Code forges and the tools that reach them: gh, glab, git, ssh.

use super::{Known, StatusCommand};

pub const GH: Known = Known {
    tool: "gh",
    programs: &[],
    sources: &[
        "https://cli.github.com/manual/gh_help_environment (GH_TOKEN, GITHUB_TOKEN, GH_ENTERPRISE_TOKEN, GITHUB_ENTERPRISE_TOKEN, GH_HOST, GH_CONFIG_DIR)",
        "https://cli.github.com/manual/gh_auth_login (--insecure-storage; credential store by default)",
        "https://github.com/cli/cli/discussions/7277 (secure storage is the default since 2.26)",
    ],
    candidates: &["GH_CONFIG_DIR"],
    files: &[],
    bindings: &["GH_CONFIG_DIR"],
    unset: &["GH_TOKEN", "GITHUB_TOKEN"],
    values: &["GH_HOST", "GH_REPO"],
    credentials: &[
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "GH_ENTERPRISE_TOKEN",
        "GITHUB_ENTERPRISE_TOKEN",
    ],
    overrides: &[],
    keyring: Some(
        "gh stores its token in the system keyring (the login Keychain on macOS, the Secret Service on Linux) keyed by host only, so two accounts on github.com share one keyring entry: log in with `gh auth login --insecure-storage` inside each profile (the token stays in the profile's hosts.yml).",
    ),
    shared: "The repository's git remotes choose the host; extensions installed with gh extension live in the profile's GH_CONFIG_DIR.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["gh", "auth", "status"],
        needs_output: false,
        shows: &["Logged in", "not logged", "Failed"],
    }),
    credential_files: &[("GH_CONFIG_DIR", "hosts.yml")],
    shareable: &[],
    settings: &[("GH_CONFIG_DIR", "config.yml")],
    unconfirmed: &[],
};

pub const GLAB: Known = Known {
    tool: "glab",
    programs: &[],
    sources: &[
        "https://docs.gitlab.com/cli/ (environment variables: GITLAB_TOKEN, GITLAB_HOST)",
        "https://gitlab.com/gitlab-org/cli/-/merge_requests/3528 (keyring by default, --insecure-storage)",
        "glab-config-set(1) (global ~/.config/glab-cli/config.yml, else the repository's .git/glab-cli/config.yml)",
    ],
    candidates: &["GLAB_CONFIG_DIR"],
    files: &[],
    bindings: &["GLAB_CONFIG_DIR"],
    unset: &[],
    values: &["GITLAB_HOST", "GL_HOST"],
    credentials: &["GITLAB_TOKEN", "GITLAB_ACCESS_TOKEN", "OAUTH_TOKEN"],
    overrides: &[],
    keyring: Some(
        "Recent glab keeps tokens in the OS keyring by default, keyed by host (older versions with --use-keyring): two accounts on one host share the entry; log in with `glab auth login --insecure-storage` inside each profile to keep the token in its config.yml.",
    ),
    shared: "Settings written without --global go to the repository's .git/glab-cli/config.yml, which every account working in that repository reads.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["glab", "auth", "status"],
        needs_output: false,
        shows: &["Logged in", "No token", "not logged"],
    }),
    credential_files: &[("GLAB_CONFIG_DIR", "config.yml")],
    shareable: &[],
    settings: &[],
    unconfirmed: &[
        "GLAB_CONFIG_DIR (seen in code that mirrors glab's lookup, not in the excerpt of the documentation)",
        "GITLAB_ACCESS_TOKEN and OAUTH_TOKEN",
    ],
};

pub const GIT: Known = Known {
    tool: "git",
    programs: &[],
    sources: &[
        "git/git Documentation/git.txt (GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM: the configuration taken from the given files instead)",
        "https://git-scm.com/docs/git-config#ENVIRONMENT (GIT_CONFIG_COUNT)",
        "https://git-scm.com/docs/git-config#FILES ($XDG_CONFIG_HOME/git/config and ~/.gitconfig)",
        "https://git-scm.com/docs/gitcredentials (helpers, credential.useHttpPath)",
    ],
    candidates: &["HOME", "XDG_CONFIG_HOME"],
    files: &[("GIT_CONFIG_GLOBAL", ".gitconfig")],
    bindings: &["HOME"],
    unset: &["GIT_CONFIG_GLOBAL"],
    values: &[
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ],
    credentials: &[],
    overrides: &[],
    keyring: Some(
        "Credential helpers (osxkeychain, libsecret, manager) key tokens by host (and path with credential.useHttpPath), shared by every profile: give each profile a helper of its own in its global config, e.g. `git config --global credential.helper store` inside the profile.",
    ),
    shared: "The system config (/etc/gitconfig), each repository's .git/config, configuration given in the environment (GIT_CONFIG_COUNT, GIT_CONFIG_PARAMETERS: swop never touches these, as they can name commands to run) and the ssh agent are shared; `git config --global` writes ~/.gitconfig unless $XDG_CONFIG_HOME/git/config already exists, so the recipe binds HOME.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["git", "config", "--global", "user.email"],
        needs_output: true,
        shows: &[],
    }),
    credential_files: &[("HOME", ".git-credentials")],
    shareable: &[],
    settings: &[("HOME", ".gitconfig")],
    unconfirmed: &[
        "GIT_CONFIG_COUNT, the order of $XDG_CONFIG_HOME/git/config and ~/.gitconfig, and the credential helpers' keys: from git's manual as commonly known, not re-read",
    ],
};

pub const SSH: Known = Known {
    tool: "ssh",
    programs: &[],
    sources: &[
        "openssh/openssh-portable ssh.c (the per-user config is read from the passwd entry's home: pw->pw_dir/.ssh/config)",
        "https://man.openbsd.org/ssh#F (-F configfile)",
        "https://git-scm.com/docs/git-config#Documentation/git-config.txt-coresshCommand",
    ],
    candidates: &[],
    files: &[],
    bindings: &[],
    unset: &[],
    values: &[],
    credentials: &[],
    overrides: &[],
    keyring: Some(
        "The ssh agent (SSH_AUTH_SOCK) is shared: every key loaded there is offered by every profile, so load only one account's keys, or use IdentitiesOnly=yes with an IdentityFile per account.",
    ),
    shared: "ssh reads ~/.ssh from the passwd entry, not from $HOME, so no variable moves it: keep one key per account in ~/.ssh and choose it per profile, for git with `git config --global core.sshCommand 'ssh -i ~/.ssh/id_work -o IdentitiesOnly=yes'` inside a profile that binds HOME or GIT_CONFIG_GLOBAL, or with `ssh -F FILE` yourself.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: None,
    credential_files: &[],
    shareable: &[],
    settings: &[],
    unconfirmed: &[],
};
