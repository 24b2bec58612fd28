//! The command line, as clap derive definitions only. `use` and `off` are
//! part of it although the shell function of `swop init` handles them: help,
//! the manual and the completions show the command line the user types.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::discover::{Os, Tracer};
use crate::lock::{LockMode, Wait};
use crate::shell::ShellKind;
use crate::trace::Format;

/// Run the same command-line tool as several accounts at once.
///
/// Each account is a profile: folders that stand in for HOME and the XDG
/// folders (or only the variables a tool needs, such as CODEX_HOME).
#[derive(Debug, Parser)]
#[command(name = "swop", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The whole command line, for help, completion scripts and the manual.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Completes an argument that names an existing profile: the shells ask the
/// binary (see `swop completions`), which lists the store.
fn profile_names() -> clap_complete::ArgValueCompleter {
    clap_complete::ArgValueCompleter::new(profile_candidates)
}

/// The profiles whose names start with what is typed so far.
fn profile_candidates(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    let Some(typed) = current.to_str() else {
        return Vec::new();
    };
    let Ok(store) = crate::store::Store::open() else {
        return Vec::new();
    };
    store
        .names()
        .unwrap_or_default()
        .into_iter()
        .filter(|name| name.starts_with(typed))
        .map(|name| {
            // What the profile binds, shown beside its name where the shell can.
            let about = store.load(&name).ok().map(|p| {
                p.bindings
                    .iter()
                    .map(|b| b.var.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            let about = about
                .filter(|a| !a.is_empty())
                .unwrap_or_else(|| "profile".into());
            clap_complete::CompletionCandidate::new(name).help(Some(about.into()))
        })
        .collect()
}

/// Completes `--share` and `--unshare`: the entries the catalog lets
/// profiles share.
fn shareable_entries() -> clap_complete::ArgValueCompleter {
    clap_complete::ArgValueCompleter::new(shareable_candidates)
}

/// The entries profiles may share that start with what is typed so far,
/// each with the tool that has it.
fn shareable_candidates(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    let typed = current.to_str().unwrap_or_default();
    let mut out = Vec::new();
    for known in crate::recipe::CATALOG {
        for (_, entry) in known.shareable {
            let entry = entry.trim_end_matches('/');
            if entry.starts_with(typed) {
                out.push(
                    clap_complete::CompletionCandidate::new(entry).help(Some(known.tool.into())),
                );
            }
        }
    }
    out
}

/// Completes `--pick`: profile and group names, the last of a list too.
fn pick_names() -> clap_complete::ArgValueCompleter {
    clap_complete::ArgValueCompleter::new(pick_candidates)
}

/// `--pick`'s values: the names of profiles and of groups, and after a
/// comma, the names of the profiles not listed yet.
fn pick_candidates(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    let Some(typed) = current.to_str() else {
        return Vec::new();
    };
    let (listed, last) = match typed.rsplit_once(',') {
        Some((listed, last)) => (Some(listed), last),
        None => (None, typed),
    };
    let Ok(store) = crate::store::Store::open() else {
        return Vec::new();
    };
    let taken: Vec<&str> = listed.map(|l| l.split(',').collect()).unwrap_or_default();
    let mut out: Vec<clap_complete::CompletionCandidate> = store
        .names()
        .unwrap_or_default()
        .into_iter()
        .filter(|name| name.starts_with(last) && !taken.contains(&name.as_str()))
        .map(|name| {
            let word = match listed {
                Some(listed) => format!("{listed},{name}"),
                None => name,
            };
            clap_complete::CompletionCandidate::new(word).help(Some("profile".into()))
        })
        .collect();
    if listed.is_none()
        && let Ok(config) = crate::config::Config::load()
    {
        for (group, members) in config.groups {
            if group.starts_with(last) {
                let about = format!("group: {}", members.join(", "));
                out.push(clap_complete::CompletionCandidate::new(group).help(Some(about.into())));
            }
        }
    }
    out
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a profile
    Add(AddArgs),
    /// List profiles, their bindings, and whether they are in use
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show one profile
    Show(ShowArgs),
    /// Change a profile: its values (VAR=VALUE), tools, bindings and shared entries
    ///
    /// Values change at once; tools, bindings and shared entries are refused
    /// while the profile is in use. Bound folders are made, and kept when a
    /// variable is unbound.
    Set(SetArgs),
    /// Delete a profile (refused while it is in use; asks first on a terminal)
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// Rename a profile (refused while it is in use)
    #[command(visible_alias = "rename")]
    Mv(MvArgs),
    /// Make a profile like another: its tools, bindings, values, shared
    /// entries and settings, never its login
    ///
    /// The new profile's folders start empty but for the settings files the
    /// catalog names (codex's config.toml, gh's config.yml, ...) and links to
    /// the shared entries; a login file (auth.json, hosts.yml, credentials,
    /// ...) is never copied: log in inside the new profile.
    Cp(CpArgs),
    /// Print the exports that switch a shell to a profile (eval "$(swop env NAME)")
    Env(EnvArgs),
    /// Switch this shell to a profile (needs the shell integration: swop init)
    Use(UseArgs),
    /// Switch this shell back to how it was (needs the shell integration: swop init)
    Off,
    /// Run one command as a profile, under the profile's lock
    Exec(ExecArgs),
    /// Start an interactive $SHELL inside a profile, holding its lock until the shell exits
    ///
    /// The lock is exclusive unless --lock says otherwise, and it is held for
    /// the shell's whole life, idle or not: while it lasts, an exclusive
    /// `swop exec NAME` elsewhere fails (or waits with --wait). Tools wrapped by
    /// `swop exec NAME` inside the shell run under the shell's lock. With
    /// --lock shared, several shells share the profile; an exclusive command
    /// inside one makes that shell's lock exclusive for the rest of its life,
    /// at once when no other holds the profile, else it fails (or waits with
    /// --wait).
    Shell(ShellArgs),
    /// Let a .swop file switch this folder and those below it to the profile it names
    ///
    /// Kept in the store with the file's real path and a hash of what it
    /// holds: a .swop that is edited switches nothing until it is allowed
    /// again. A .swop of another user, or in a folder others may write
    /// without the sticky bit, is never followed.
    Allow(AllowArgs),
    /// Stop a .swop file from switching anything
    Deny(DenyArgs),
    /// List the processes running in a profile (or in all), lock or no lock
    Ps(PsArgs),
    /// End the processes running in a profile: SIGTERM, then SIGKILL after a timeout
    Stop(StopArgs),
    /// Print the shell integration (swop use / swop off) for your shell rc file
    Init(InitArgs),
    /// Print a completion script
    Completions(CompletionsArgs),
    /// List the recipes: the tools `swop add --tool` knows, verified here or not
    Recipes(RecipesArgs),
    /// Show who each profile's tools are logged in as, and how much of their limits is used
    ///
    /// Usage is what the tools recorded in the profile's folders (codex's
    /// rate-limit snapshots in its session files, Claude Code's tokens of the
    /// current 5-hour block in its project logs): no network, no credential
    /// read. Two profiles holding the same login are named on stderr.
    Status(StatusArgs),
    /// Trace a tool, find and prove the smallest set of variables that isolates it
    Discover(Box<DiscoverArgs>),
    /// Show what works on this machine and what does not
    Doctor,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Profile name: letters, digits, '.', '_', '-'
    #[arg(value_name = "NAME")]
    pub name: String,
    #[arg(long = "tool", value_name = "TOOL", help = crate::recipe::tool_flag_help())]
    pub tools: Vec<String>,
    /// Bind this variable to a folder of the profile (repeatable)
    #[arg(long = "bind", value_name = "VAR")]
    pub binds: Vec<String>,
    /// Bind this variable to a file of the profile (repeatable), for tools
    /// whose knob names a file: AWS_SHARED_CREDENTIALS_FILE, KUBECONFIG, ...
    #[arg(long = "bind-file", value_name = "VAR")]
    pub bind_files: Vec<String>,
    /// Set this variable to a plain value in the profile (repeatable):
    /// AWS_PROFILE=work, GH_HOST=github.example.com. Values are stored in
    /// the clear: not for secrets
    #[arg(long = "set", value_name = "VAR=VALUE")]
    pub values: Vec<OsString>,
    /// Share this entry of a tool with the other profiles that share it
    /// (repeatable): codex's sessions, archived_sessions, history.jsonl,
    /// prompts, AGENTS.md; claude's projects, todos, commands, agents,
    /// CLAUDE.md. Never a login
    #[arg(long = "share", value_name = "ENTRY", add = shareable_entries())]
    pub shares: Vec<String>,
    /// Seal every command of the profile (swop exec, wrapped tools): see
    /// swop exec --seal
    #[arg(long)]
    pub seal: bool,
}

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("change")
        .required(true)
        .multiple(true)
        .args([
            "values", "unset_values", "tools", "binds", "bind_files", "unbinds", "shares",
            "unshares", "seal", "no_seal"
        ])
))]
pub struct SetArgs {
    /// Profile to change
    #[arg(value_name = "NAME", add = profile_names())]
    pub name: String,
    /// Variables to set (stored in the clear in profile.toml: not for secrets)
    #[arg(value_name = "VAR=VALUE")]
    pub values: Vec<OsString>,
    /// Stop setting this variable (repeatable)
    #[arg(long = "unset-value", value_name = "VAR")]
    pub unset_values: Vec<String>,
    /// Add this tool's recipe: its bindings, and the variables it unsets (repeatable)
    #[arg(long = "tool", value_name = "TOOL")]
    pub tools: Vec<String>,
    /// Bind this variable to a folder of the profile (repeatable)
    #[arg(long = "bind", value_name = "VAR")]
    pub binds: Vec<String>,
    /// Bind this variable to a file of the profile (repeatable)
    #[arg(long = "bind-file", value_name = "VAR")]
    pub bind_files: Vec<String>,
    /// Stop binding this variable; its folder stays in the profile (repeatable)
    #[arg(long = "unbind", value_name = "VAR")]
    pub unbinds: Vec<String>,
    /// Make this entry a link to the one shared copy (repeatable; see swop add --share)
    #[arg(long = "share", value_name = "ENTRY", add = shareable_entries())]
    pub shares: Vec<String>,
    /// Give this entry back to the profile as its own: the shared copy, or a
    /// copy of it while other profiles share it (repeatable)
    #[arg(long = "unshare", value_name = "ENTRY", add = shareable_entries())]
    pub unshares: Vec<String>,
    /// Seal every command of the profile from now on
    #[arg(long, conflicts_with = "no_seal")]
    pub seal: bool,
    /// Stop sealing the profile's commands
    #[arg(long)]
    pub no_seal: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Only this profile
    #[arg(value_name = "NAME", add = profile_names())]
    pub name: Option<String>,
    /// Print JSON: an array of {profile, tools: [{tool, logged_in, detail, usage}]},
    /// usage being [{window_minutes, used_percent (or used_tokens), resets_at,
    /// observed_at}] as the tool recorded it
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON: an array of profiles
    #[arg(long)]
    pub json: bool,
    /// Print only the names, one a line
    #[arg(long, conflicts_with = "json")]
    pub names: bool,
    /// Show values that look like secrets (hidden otherwise)
    #[arg(long)]
    pub show_values: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Profile to show; without it, the profile this shell is on and how
    /// it was chosen
    #[arg(value_name = "NAME", add = profile_names())]
    pub name: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Show values that look like secrets (hidden otherwise)
    #[arg(long)]
    pub show_values: bool,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Profile to delete, with everything in its folders
    #[arg(value_name = "NAME", add = profile_names())]
    pub name: String,
    /// Delete without asking (swop asks only when it runs on a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct MvArgs {
    /// The profile to rename
    #[arg(value_name = "OLD", add = profile_names())]
    pub old: String,
    /// Its new name: letters, digits, '.', '_', '-'
    #[arg(value_name = "NEW")]
    pub new: String,
}

#[derive(Debug, Args)]
pub struct CpArgs {
    /// The profile to copy
    #[arg(value_name = "SRC", add = profile_names())]
    pub src: String,
    /// The new profile's name: letters, digits, '.', '_', '-'
    #[arg(value_name = "NEW")]
    pub new: String,
}

#[derive(Debug, Args)]
pub struct AllowArgs {
    /// The .swop file, or its folder (default: the .swop that applies to
    /// the working folder, in it or above it)
    #[arg(value_name = "PATH", value_hint = clap::ValueHint::AnyPath)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DenyArgs {
    /// The .swop file, or its folder (default: the .swop that applies to
    /// the working folder, in it or above it)
    #[arg(value_name = "PATH", value_hint = clap::ValueHint::AnyPath)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PsArgs {
    /// Only this profile's processes
    #[arg(value_name = "NAME", add = profile_names())]
    pub name: Option<String>,
    /// Print JSON: an array of processes
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StopArgs {
    /// The profile whose processes to end
    #[arg(value_name = "NAME", add = profile_names())]
    pub name: Option<String>,
    /// End the processes of every profile
    #[arg(long, conflicts_with = "name")]
    pub all: bool,
    /// Seconds to wait after SIGTERM before sending SIGKILL
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_seconds)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
#[command(
    override_usage = "swop env <NAME> [--shell <SHELL>]\n       swop env --off [--shell <SHELL>]"
)]
pub struct EnvArgs {
    /// Profile to switch to
    #[arg(
        value_name = "NAME", add = profile_names(),
        required_unless_present = "off",
        conflicts_with = "off"
    )]
    pub name: Option<String>,
    /// Print the exports that undo swop and restore the previous values
    #[arg(long)]
    pub off: bool,
    /// Shell syntax to print (default: the shell that runs swop, found past
    /// programs such as timeout or env that only run it)
    #[arg(long, value_enum, value_name = "SHELL")]
    pub shell: Option<ShellKind>,
    /// The .swop that asks for this switch (the shell integration's): it is
    /// followed only if allowed, and the switch is said on stderr
    #[arg(long, hide = true, value_name = "FILE")]
    pub folder: Option<PathBuf>,
    /// The shell has already said why that .swop switches nothing
    #[arg(long, hide = true, requires = "folder")]
    pub told: bool,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// Profile to switch to
    #[arg(value_name = "NAME", add = profile_names())]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct RecipesArgs {
    /// Print JSON: an array of recipes
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// How to lock the profile while the command runs [default: exclusive]
    #[arg(long, value_enum, value_name = "MODE")]
    pub lock: Option<LockMode>,
    /// Wait for a busy profile: forever, or up to SECS seconds
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "forever")]
    pub wait: Option<Wait>,
}

/// Whether a command runs sealed: it may write only its profile's folders,
/// the project and the temp folders, and read nothing of another account.
#[derive(Debug, Clone, Default, Args)]
pub struct SealArgs {
    /// Seal the command: it and its children write only the profile's
    /// folders, this folder and the temp folders, and cannot read other
    /// profiles or the real places the bindings replace
    #[arg(long, conflicts_with = "no_seal")]
    pub seal: bool,
    /// Run unsealed, even when the profile is sealed (seal = true)
    #[arg(long)]
    pub no_seal: bool,
    /// Let a sealed command also write PATH and below (repeatable)
    #[arg(long = "allow-write", value_name = "PATH")]
    pub allow_write: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    override_usage = "swop exec <NAME> [OPTIONS] -- <CMD>...\n       swop exec --pick <A,B,...|GROUP> [OPTIONS] -- <CMD>...",
    after_help = "Without --lock, a command that the recipe of the profile's tool marks \
    read-only (codex login status, codex --version, ...) runs without the lock, beside whatever \
    holds it; swop recipes lists them.\n\nWith --pick, a profile at 100% of a window that has \
    not reset (as its tools recorded it: swop status) is left out, and --wait waits for the \
    first of the others to be free."
)]
pub struct ExecArgs {
    /// Profile to run the command as
    #[arg(
        value_name = "NAME", add = profile_names(),
        required_unless_present = "pick",
        conflicts_with = "pick"
    )]
    pub name: Option<String>,
    /// Run in the first of these profiles that is free and not at 100% of a
    /// limit, the one with the most headroom first: names separated by commas,
    /// or a group of config.toml (`[groups] agents = ["work", "personal"]`)
    #[arg(long, value_name = "A,B,...|GROUP", add = pick_names())]
    pub pick: Option<String>,
    #[command(flatten)]
    pub lock: LockArgs,
    #[command(flatten)]
    pub seal: SealArgs,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

#[derive(Debug, Args)]
pub struct ShellArgs {
    /// Profile to start the shell in
    #[arg(value_name = "NAME", add = profile_names())]
    pub name: String,
    #[command(flatten)]
    pub lock: LockArgs,
    #[command(flatten)]
    pub seal: SealArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitShell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Xonsh,
    Nu,
    #[value(alias = "csh")]
    Tcsh,
    /// A direnv library (save as ~/.config/direnv/lib/swop.sh): `use swop NAME` in an .envrc
    Direnv,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The shell to integrate with (default: the shell that runs swop, as
    /// for swop env)
    #[arg(value_enum)]
    pub shell: Option<InitShell>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The OS the trace comes from (default: this one)
    #[arg(long, value_enum)]
    pub os: Option<Os>,
    /// Tracer to use (default: strace on Linux; eslogger, else fs_usage, on macOS)
    #[arg(long, value_enum)]
    pub tracer: Option<Tracer>,
    /// A further step to trace after CMD, in order (repeatable), e.g. 'codex login status'
    #[arg(long = "step", value_name = "CMD ARGS")]
    pub steps: Vec<String>,
    /// Also consider this variable (repeatable)
    #[arg(long = "candidate", value_name = "VAR")]
    pub candidates: Vec<String>,
    /// Store the verified recipe under this tool name (swop add --tool TOOL uses it)
    #[arg(long, value_name = "TOOL")]
    pub record: Option<String>,
    /// Write the Markdown report to FILE
    #[arg(long, value_name = "FILE.md")]
    pub report: Option<PathBuf>,
    /// Print the findings as one JSON object on stdout
    #[arg(long)]
    pub json: bool,
    /// Keep the raw traces (in the 0700 scratch folder)
    #[arg(long)]
    pub keep_traces: bool,
    /// Stop a step that runs longer than SECS (default: none with a terminal,
    /// 30 s without one and in the two-account run)
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<std::time::Duration>,
    /// A step may end with this exit code and still count as doing its job
    /// (repeatable; 0 always counts)
    #[arg(long = "expect-exit", value_name = "N", value_parser = clap::value_parser!(i32).range(0..=255))]
    pub expect_exit: Vec<i32>,
    /// Analyse a trace captured elsewhere instead of running anything
    /// (repeatable): a file, a folder of files, or the prefix given to
    /// `strace -ff -o`; `-` or /dev/stdin reads standard input
    #[arg(long, value_name = "FILE")]
    pub trace_file: Vec<PathBuf>,
    /// List system files in the JSON too (they are counted otherwise)
    #[arg(long)]
    pub all_paths: bool,
    /// Print the command swop would capture a trace with, and run nothing
    #[arg(long)]
    pub print_capture: bool,
    /// Format of --trace-file (default: detected)
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The command to trace
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// Seconds, whole or not, up to a day: `--timeout 90`, `--timeout 2.5`.
fn parse_seconds(text: &str) -> Result<std::time::Duration, crate::error::Seconds> {
    let secs: f64 = text
        .parse()
        .map_err(|_| crate::error::Seconds::Timeout(text.to_string()))?;
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(crate::error::Seconds::PastADay);
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// clap's reading of an enum that a domain module defines (without clap):
/// each variant's name on the command line, its aliases and its help.
macro_rules! value_enum {
    ($ty:ty { $($variant:path => $name:literal $([$($alias:literal),*])? $(: $help:literal)?),+ $(,)? }) => {
        impl ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($variant),+]
            }

            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(match self {
                    $($variant => clap::builder::PossibleValue::new($name)
                        $($(.alias($alias))*)?
                        $(.help($help))?,)+
                })
            }
        }
    };
}

value_enum!(ShellKind {
    ShellKind::Bash => "bash",
    ShellKind::Zsh => "zsh",
    ShellKind::Fish => "fish",
    ShellKind::Sh => "sh",
    ShellKind::Json => "json",
    ShellKind::Elvish => "elvish",
    ShellKind::Xonsh => "xonsh",
    ShellKind::Nu => "nu",
    ShellKind::Tcsh => "tcsh" ["csh"],
});

value_enum!(LockMode {
    LockMode::Exclusive => "exclusive": "One command per profile at a time",
    LockMode::Shared => "shared": "Many commands at once, but none while an exclusive holder runs",
    LockMode::None => "none": "No lock",
});

value_enum!(Os {
    Os::Linux => "linux",
    Os::Macos => "macos",
});

value_enum!(Tracer {
    Tracer::Strace => "strace",
    Tracer::FsUsage => "fs_usage" ["fs-usage"],
    Tracer::Eslogger => "eslogger",
});

value_enum!(Format {
    Format::Strace => "strace",
    Format::FsUsage => "fs_usage" ["fs-usage"],
    Format::Eslogger => "eslogger",
});
