//! Coding agents: codex, Claude Code, Gemini CLI, GitHub Copilot CLI.

use super::{Known, StatusCommand};

pub const CODEX: Known = Known {
    tool: "codex",
    programs: &[],
    sources: &[
        "https://developers.openai.com/codex/environment-variables",
        "https://developers.openai.com/codex/auth",
        "openai/codex codex-rs/login/src/auth (OPENAI_API_KEY_ENV_VAR, CODEX_API_KEY_ENV_VAR)",
        "https://github.com/openai/codex/pull/5591 (keyring and auto credential stores)",
    ],
    candidates: &["CODEX_HOME", "CODEX_SQLITE_HOME"],
    files: &[],
    bindings: &["CODEX_HOME"],
    unset: &["CODEX_SQLITE_HOME"],
    values: &["OPENAI_BASE_URL"],
    credentials: &["OPENAI_API_KEY", "CODEX_API_KEY", "CODEX_ACCESS_TOKEN"],
    overrides: &[],
    keyring: Some(
        "With cli_auth_credentials_store = \"keyring\" (or \"auto\") in config.toml, codex keeps its login in the OS keyring under an entry keyed on a hash of the canonical CODEX_HOME, so each profile has its own entry as long as its path never changes; the default \"file\" store keeps the login in the profile's auth.json.",
    ),
    shared: "/etc/codex/*.toml, the project's .codex/ and AGENTS.md, and ~/.agents/skills are read by every account.",
    notes: &[
        "codex keeps its SQLite state under CODEX_HOME unless CODEX_SQLITE_HOME is set; an inherited CODEX_SQLITE_HOME would put two accounts in one database, so profiles unset it.",
    ],
    // Traced on codex-cli 0.171: these read auth.json and config.toml and
    // write only a helper folder of their own under CODEX_HOME/tmp/arg0
    // (each process makes its own and removes only folders whose lock it
    // can take), so they run safely beside a codex session.
    read_only: &["login status", "--version", "--help"],
    // A dummy key: `login --with-api-key` only stores it, which is what
    // the proof needs; the scratch folder is deleted afterwards.
    verify: Some(&["sh", "-c", "echo sk-dummy | codex login --with-api-key"]),
    status: Some(StatusCommand {
        argv: &["codex", "login", "status"],
        needs_output: false,
        shows: &["Logged in", "API key", "Not logged in"],
    }),
    credential_files: &[("CODEX_HOME", "auth.json")],
    shareable: &[
        ("CODEX_HOME", "sessions/"),
        ("CODEX_HOME", "archived_sessions/"),
        ("CODEX_HOME", "history.jsonl"),
        ("CODEX_HOME", "prompts/"),
        ("CODEX_HOME", "AGENTS.md"),
    ],
    settings: &[("CODEX_HOME", "config.toml")],
    unconfirmed: &["OPENAI_BASE_URL as a variable (codex documents the openai_base_url setting)"],
};

pub const CLAUDE: Known = Known {
    tool: "claude",
    programs: &[],
    sources: &[
        "https://code.claude.com/docs/en/env-vars",
        "https://code.claude.com/docs/en/claude-directory (CLAUDE_CONFIG_DIR moves every ~/.claude path)",
        "https://support.claude.com/en/articles/12304248 (ANTHROPIC_API_KEY wins over the subscription login)",
    ],
    candidates: &["CLAUDE_CONFIG_DIR"],
    files: &[],
    bindings: &["CLAUDE_CONFIG_DIR"],
    unset: &[],
    values: &["ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL"],
    credentials: &[
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "CLAUDE_CODE_OAUTH_TOKEN",
    ],
    overrides: &[],
    keyring: Some(
        "On macOS Claude Code keeps its login in the Keychain under a service named after a hash of the literal CLAUDE_CONFIG_DIR string: swop always emits the same canonical path, so each profile keeps its own item as long as you switch with swop. On Linux the login is .credentials.json inside CLAUDE_CONFIG_DIR.",
    ),
    shared: "The project's .claude/ folder and CLAUDE.md, and managed settings deployed by an organisation, are read by every account.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: Some(StatusCommand {
        argv: &["claude", "auth", "status"],
        needs_output: false,
        shows: &["logged", "Logged", "email"],
    }),
    credential_files: &[
        ("CLAUDE_CONFIG_DIR", ".credentials.json"),
        ("CLAUDE_CONFIG_DIR", ".claude.json"),
    ],
    shareable: &[
        ("CLAUDE_CONFIG_DIR", "projects/"),
        ("CLAUDE_CONFIG_DIR", "todos/"),
        ("CLAUDE_CONFIG_DIR", "commands/"),
        ("CLAUDE_CONFIG_DIR", "agents/"),
        ("CLAUDE_CONFIG_DIR", "CLAUDE.md"),
    ],
    settings: &[("CLAUDE_CONFIG_DIR", "settings.json")],
    unconfirmed: &[
        "`claude auth status` and its exit status when logged out (seen only through wrappers of the CLI)",
        "the Keychain service name and the Linux credentials file (from swop's reference notes, not re-read in Anthropic's documentation)",
        "CLAUDE_CODE_OAUTH_TOKEN",
    ],
};

pub const GEMINI: Known = Known {
    tool: "gemini",
    programs: &[],
    sources: &[
        "https://geminicli.com/docs/reference/configuration (GEMINI_CLI_HOME, GEMINI_API_KEY, GOOGLE_API_KEY, GOOGLE_APPLICATION_CREDENTIALS, .env search)",
    ],
    candidates: &["GEMINI_CLI_HOME"],
    files: &[],
    bindings: &["GEMINI_CLI_HOME"],
    unset: &[],
    values: &[
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_CLOUD_LOCATION",
        "GEMINI_MODEL",
    ],
    credentials: &[
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
    ],
    overrides: &[],
    keyring: Some(
        "Gemini CLI can keep its login in the OS keychain; setting GEMINI_FORCE_FILE_STORAGE=true keeps it in a file under GEMINI_CLI_HOME instead (swop set NAME GEMINI_FORCE_FILE_STORAGE=true).",
    ),
    shared: "Settings in /etc/gemini-cli, the project's .gemini/ and GEMINI.md, and .env files found from the working folder upwards (they may hold GEMINI_API_KEY) are read by every account.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: None,
    credential_files: &[("GEMINI_CLI_HOME", ".gemini/oauth_creds.json")],
    shareable: &[],
    settings: &[("GEMINI_CLI_HOME", ".gemini/settings.json")],
    unconfirmed: &[
        "the keychain use and GEMINI_FORCE_FILE_STORAGE (seen in third-party wrappers, not in the configuration reference)",
    ],
};

pub const COPILOT: Known = Known {
    tool: "copilot",
    programs: &[],
    sources: &[
        "https://docs.github.com/en/copilot/reference/copilot-cli-reference/cli-config-dir-reference (~/.copilot, COPILOT_HOME; config.json holds the login)",
        "https://docs.github.com/en/copilot/how-tos/copilot-cli/set-up-copilot-cli/authenticate-copilot-cli (COPILOT_GITHUB_TOKEN, GH_TOKEN, GITHUB_TOKEN, gh fallback)",
    ],
    candidates: &["COPILOT_HOME"],
    files: &[],
    bindings: &["COPILOT_HOME"],
    unset: &[],
    values: &[],
    credentials: &["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"],
    overrides: &[],
    keyring: None,
    shared: "With no login of its own, Copilot CLI falls back to the token of gh: bind gh in the same profile (swop add NAME --tool copilot --tool gh) so the fallback is the profile's. The repository's .github/copilot-instructions.md and .github/copilot/ settings are read by every account.",
    notes: &[],
    read_only: &[],
    verify: None,
    status: None,
    credential_files: &[("COPILOT_HOME", "config.json")],
    shareable: &[],
    settings: &[],
    unconfirmed: &["whether the login is also kept in the OS keychain"],
};
