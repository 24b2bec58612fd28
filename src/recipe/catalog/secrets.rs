//! Keys and remote storage: gpg, rclone.

use super::{Known, StatusCommand};

pub const GPG: Known = Known {
    tool: "gpg",
    programs: &["gpg2"],
    sources: &[
        "https://www.gnupg.org/documentation/manuals/gnupg/Agent-Options.html (GNUPGHOME, default ~/.gnupg)",
        "tests/integration/discover/real_tools.rs in this repository (two GNUPGHOMEs, two agents, proved on a real gpg)",
    ],
    candidates: &["GNUPGHOME"],
    files: &[],
    bindings: &["GNUPGHOME"],
    unset: &[],
    values: &[],
    credentials: &[],
    overrides: &[],
    keyring: None,
    shared: "Smartcards and security keys are shared devices; gpg starts a gpg-agent that keeps running with the profile's GNUPGHOME after gpg returns.",
    notes: &[
        "gpg starts gpg-agent, which keeps running with the profile's GNUPGHOME after gpg returns.",
    ],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["gpg", "--batch", "--list-secret-keys"],
        needs_output: true,
        shows: &["uid"],
    }),
    credential_files: &[("GNUPGHOME", "private-keys-v1.d")],
    shareable: &[],
    settings: &[],
    unconfirmed: &[
        "where gpg-agent puts its sockets for a non-default home (proved by the test above, not read in the manual)",
    ],
};

pub const RCLONE: Known = Known {
    tool: "rclone",
    programs: &[],
    sources: &[
        "https://rclone.org/docs/#config-config-file (RCLONE_CONFIG; ~/.config/rclone/rclone.conf)",
        "https://github.com/rclone/rclone/wiki/Export-configuration-password-to-env-variable-and-only-remember-it-for-some-time (RCLONE_CONFIG_PASS)",
        "https://rclone.org/docs/#config-file (remotes defined as RCLONE_CONFIG_<NAME>_<OPTION>)",
    ],
    candidates: &[],
    files: &[("RCLONE_CONFIG", "rclone.conf")],
    bindings: &["RCLONE_CONFIG"],
    unset: &[],
    values: &[],
    credentials: &["RCLONE_CONFIG_PASS", "RCLONE_CONFIG_*"],
    overrides: &[],
    keyring: None,
    shared: "rclone's cache folder (--cache-dir) is shared; remotes defined in the environment (RCLONE_CONFIG_<NAME>_TYPE, ...) would reach every profile, so swop removes them for rclone profiles.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["rclone", "listremotes"],
        needs_output: true,
        shows: &[],
    }),
    credential_files: &[("RCLONE_CONFIG", "rclone.conf")],
    shareable: &[],
    settings: &[],
    unconfirmed: &["rclone's documentation pages were not re-read for this catalog"],
};
