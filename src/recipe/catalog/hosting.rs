//! Hosting platforms' CLIs: fly, vercel, netlify, wrangler.

use super::{Known, StatusCommand, per_os};

pub const FLY: Known = Known {
    tool: "fly",
    programs: &["flyctl"],
    sources: &[
        "superfly/flyctl helpers (GetConfigDirectory: FLY_CONFIG_DIR, else ~/.fly; config.yml access_token)",
        "superfly/flyctl agent tests (the agent's logs under FLY_CONFIG_DIR)",
        "https://fly.io/docs/flyctl/auth-token/",
    ],
    candidates: &["FLY_CONFIG_DIR"],
    files: &[],
    bindings: &["FLY_CONFIG_DIR"],
    unset: &[],
    values: &[],
    credentials: &["FLY_API_TOKEN", "FLY_ACCESS_TOKEN"],
    overrides: &[],
    keyring: None,
    shared: "The fly agent keeps running after a command; it belongs to the config folder it started with.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["fly", "auth", "whoami"],
        needs_output: true,
        shows: &["@"],
    }),
    credential_files: &[("FLY_CONFIG_DIR", "config.yml")],
    shareable: &[],
    settings: &[],
    unconfirmed: &[
        "FLY_API_TOKEN and FLY_ACCESS_TOKEN (read by flyctl per its users' code; the token page was not re-read)",
    ],
};

pub const VERCEL: Known = Known {
    tool: "vercel",
    programs: &[],
    sources: &[
        "public scripts reading the CLI's login from $XDG_DATA_HOME/com.vercel.cli/auth.json (~/.local/share on Linux) and ~/Library/Application Support/com.vercel.cli (macOS)",
    ],
    candidates: per_os(&["XDG_DATA_HOME"], &["HOME"]),
    files: &[],
    bindings: per_os(&["XDG_DATA_HOME"], &["HOME"]),
    unset: &[],
    values: &["VERCEL_ORG_ID", "VERCEL_PROJECT_ID"],
    credentials: &["VERCEL_TOKEN"],
    overrides: &[],
    keyring: None,
    shared: "A project's .vercel/project.json links the folder to one team and project for every account; on macOS the login is under ~/Library, so the recipe binds HOME there.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["vercel", "whoami"],
        needs_output: true,
        shows: &[],
    }),
    credential_files: per_os(
        &[("XDG_DATA_HOME", "com.vercel.cli/auth.json")],
        &[(
            "HOME",
            "Library/Application Support/com.vercel.cli/auth.json",
        )],
    ),
    shareable: &[],
    settings: &[],
    unconfirmed: &[
        "the location of auth.json and VERCEL_TOKEN: only seen in third-party code, not in Vercel's documentation or source",
    ],
};

pub const NETLIFY: Known = Known {
    tool: "netlify",
    programs: &["ntl"],
    sources: &[
        "netlify/cli src/lib/settings (global config.json under env-paths('netlify').config: $XDG_CONFIG_HOME/netlify on Linux, ~/Library/Preferences/netlify on macOS; legacy ~/.netlify)",
    ],
    candidates: per_os(&["XDG_CONFIG_HOME"], &["HOME"]),
    files: &[],
    bindings: per_os(&["XDG_CONFIG_HOME"], &["HOME"]),
    unset: &[],
    values: &["NETLIFY_SITE_ID"],
    credentials: &["NETLIFY_AUTH_TOKEN"],
    overrides: &[],
    keyring: None,
    shared: "A project's .netlify/state.json links the folder to one site for every account; a legacy ~/.netlify/config.json is read by every account.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["netlify", "status"],
        needs_output: true,
        shows: &["Email", "Name", "Not logged in"],
    }),
    credential_files: per_os(
        &[("XDG_CONFIG_HOME", "netlify/config.json")],
        &[("HOME", "Library/Preferences/netlify/config.json")],
    ),
    shareable: &[],
    settings: &[],
    unconfirmed: &[
        "NETLIFY_AUTH_TOKEN (seen in CI setups that run netlify-cli, not in its source)",
    ],
};

pub const WRANGLER: Known = Known {
    tool: "wrangler",
    programs: &[],
    sources: &[
        "cloudflare/workers-sdk wrangler tests ($XDG_CONFIG_HOME/.wrangler/config/default.toml; CLOUDFLARE_API_TOKEN)",
    ],
    candidates: per_os(&["XDG_CONFIG_HOME"], &["HOME"]),
    files: &[],
    bindings: per_os(&["XDG_CONFIG_HOME"], &["HOME"]),
    unset: &[],
    values: &["CLOUDFLARE_ACCOUNT_ID"],
    credentials: &["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CF_API_TOKEN"],
    overrides: &[],
    keyring: None,
    shared: "A legacy ~/.wrangler folder is read by every account; on macOS the login is under ~/Library/Preferences, so the recipe binds HOME there.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["wrangler", "whoami"],
        needs_output: true,
        shows: &[
            "logged in",
            "associated with the email",
            "not authenticated",
        ],
    }),
    credential_files: per_os(
        &[("XDG_CONFIG_HOME", ".wrangler/config/default.toml")],
        &[("HOME", "Library/Preferences/.wrangler/config/default.toml")],
    ),
    shareable: &[],
    settings: &[],
    unconfirmed: &[
        "the macOS location and CLOUDFLARE_API_KEY / CF_API_TOKEN (seen in third-party code only)",
    ],
};
