//! `swop status [NAME] [--json]`: who each profile's tools are logged in as,
//! asked of the tools themselves, every profile and tool at once.

use serde::Serialize;

use super::Run;
use super::print_bytes;
use crate::cli::StatusArgs;
use crate::error::Result;
use crate::output::{printable_line, printable_text};
use crate::recipe::StatusCommand;
use crate::status::{ProfileStatus, ToolStatus, probe};
use crate::store::{Profile, Store};
use crate::usage::{Reading, clock};

/// A profile and what its tools answered, with the tools that cannot be asked.
struct Answered {
    status: ProfileStatus,
    /// Tools of the profile with no status command in the catalog.
    silent: Vec<String>,
}

impl Run for StatusArgs {
    fn run(&self) -> Result<()> {
        let store = Store::open()?;
        let profiles = match &self.name {
            Some(name) => vec![store.load(name)?],
            None => loadable(&store)?,
        };
        let mut answered = ask_all(&store, &profiles);
        let now = clock::now();
        for (a, profile) in answered.iter_mut().zip(&profiles) {
            for tool in a.status.tools.iter_mut() {
                tool.usage = crate::usage::read(profile, &tool.tool, now);
            }
        }
        // Over every profile, whichever was asked about: a copy of this
        // profile's login may sit in any other.
        let all = match &self.name {
            Some(_) => loadable_quietly(&store),
            None => profiles.clone(),
        };
        for shared in crate::logins::shared_logins(&store, &all)
            .into_iter()
            .filter(|s| profiles.iter().any(|p| s.profiles.contains(&p.name)))
        {
            eprintln!("swop: warning: {}", printable_text(&shared.warning()));
        }
        let text = if self.json {
            let all: Vec<&ProfileStatus> = answered.iter().map(|a| &a.status).collect();
            json(&all)
        } else if answered.is_empty() {
            eprintln!("swop: no profiles yet; create one with: swop add NAME --tool TOOL");
            String::new()
        } else {
            table(&answered, now)
        };
        print_bytes(text.as_bytes())
    }
}

/// Every profile that loads; the others are named on stderr.
fn loadable(store: &Store) -> Result<Vec<Profile>> {
    let mut profiles = Vec::new();
    for name in store.names()? {
        match store.load(&name) {
            Ok(profile) => profiles.push(profile),
            Err(err) => eprintln!(
                "swop: skipping {name:?}: {}",
                printable_text(&err.to_string())
            ),
        }
    }
    Ok(profiles)
}

/// Every profile that loads, saying nothing of the others.
fn loadable_quietly(store: &Store) -> Vec<Profile> {
    let names = store.names().unwrap_or_default();
    names.iter().filter_map(|n| store.load(n).ok()).collect()
}

/// Ask every tool of every profile, all at once: each may wait on a server.
fn ask_all(store: &Store, profiles: &[Profile]) -> Vec<Answered> {
    std::thread::scope(|scope| {
        let asked: Vec<_> = profiles
            .iter()
            .map(|profile| {
                let (commands, silent) = status_commands(profile);
                let tools: Vec<_> = commands
                    .into_iter()
                    .map(|(tool, command)| {
                        scope.spawn(move || probe(store, profile, tool, command))
                    })
                    .collect();
                (profile, tools, silent)
            })
            .collect();
        asked
            .into_iter()
            .map(|(profile, tools, silent)| Answered {
                status: ProfileStatus {
                    profile: profile.name.clone(),
                    tools: tools
                        .into_iter()
                        .map(|t| t.join().unwrap_or_else(|_| lost(profile)))
                        .collect(),
                },
                silent,
            })
            .collect()
    })
}

/// The answer of a probe that panicked, which should not happen.
fn lost(profile: &Profile) -> ToolStatus {
    ToolStatus {
        tool: String::new(),
        logged_in: None,
        detail: format!("the status of profile {:?} could not be read", profile.name),
        usage: Reading::NotRead,
    }
}

/// The profile's tools that have a status command, and those that have none.
fn status_commands(profile: &Profile) -> (Vec<(&str, &'static StatusCommand)>, Vec<String>) {
    let mut commands = Vec::new();
    let mut silent = Vec::new();
    for tool in &profile.tools {
        match crate::recipe::entry(tool).and_then(|k| k.status.as_ref()) {
            Some(command) => commands.push((tool.as_str(), command)),
            None => silent.push(tool.clone()),
        }
    }
    (commands, silent)
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

fn table(answered: &[Answered], now: i64) -> String {
    let mut out = String::new();
    for a in answered {
        out.push_str(&format!("{}\n", printable_line(&a.status.profile)));
        let width = a
            .status
            .tools
            .iter()
            .map(|t| t.tool.len())
            .max()
            .unwrap_or(0);
        for t in &a.status.tools {
            let state = match t.logged_in {
                Some(true) => "logged in",
                Some(false) => "not logged in",
                None => "unknown",
            };
            out.push_str(&format!(
                "  {:width$}  {state:13}  {}\n",
                printable_line(&t.tool),
                t.detail
            ));
            for line in usage_lines(&t.usage, &t.tool, now) {
                out.push_str(&format!("  {:width$}  {line}\n", ""));
            }
        }
        if !a.silent.is_empty() {
            out.push_str(&format!(
                "  ({}: swop knows no command that tells who is logged in)\n",
                printable_line(&a.silent.join(", "))
            ));
        }
        if a.status.tools.is_empty() && a.silent.is_empty() {
            out.push_str("  (made without --tool: swop does not know which tools to ask)\n");
        }
    }
    out
}

/// The lines under a tool that say how much of its limits is used.
fn usage_lines(reading: &Reading, tool: &str, now: i64) -> Vec<String> {
    match reading {
        Reading::Windows(windows) if windows.is_empty() => {
            vec!["no usage in the current block".to_string()]
        }
        Reading::Windows(windows) => {
            let mut lines: Vec<String> = windows.iter().map(|w| w.describe(now)).collect();
            let newest = windows.iter().map(|w| w.observed_at).max().unwrap_or(now);
            lines.push(format!("(recorded by {tool} {})", clock::ago(newest, now)));
            lines
        }
        Reading::NoRecord => vec![format!("no usage recorded by {tool} yet")],
        Reading::Mixed(why) => vec![format!(
            "usage unknown: {} is shared with other profiles, so the records of their accounts are mixed",
            why.entry
        )],
        Reading::NotRead => Vec::new(),
    }
}
