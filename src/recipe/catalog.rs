//! The built-in catalog: what swop knows about each tool from its
//! documentation and source, before anything was proved on this machine.
//!
//! Every entry names where its facts were checked (`sources`) and what the
//! sources did not confirm (`unconfirmed`). The entries live in one file per
//! family of tools; this file holds their shape and their order.

mod agents;
mod clouds;
mod files;
mod forges;
mod hosting;
mod packages;
mod secrets;

pub use files::FILE_VARIABLES;

/// A catalog entry: the variables a tool is known to read.
pub struct Known {
    pub tool: &'static str,
    /// Other names the tool's program goes by (`flyctl` for fly).
    pub programs: &'static [&'static str],
    /// Where the facts below were checked: documentation pages, or a
    /// repository and the path of the file that shows it.
    pub sources: &'static [&'static str],
    /// Folder variables worth trying as candidates, most specific first.
    pub candidates: &'static [&'static str],
    /// File variables worth trying as candidates, with the name the file has
    /// by default (the name it gets inside a profile).
    pub files: &'static [(&'static str, &'static str)],
    /// The bindings to use before anything was verified.
    pub bindings: &'static [&'static str],
    /// Variables every profile of the tool unsets (stored in the profile).
    pub unset: &'static [&'static str],
    /// Plain values that choose an account, a region or an endpoint: what a
    /// profile may set with `swop add --set` (not secrets).
    pub values: &'static [&'static str],
    /// Variables that carry an account's credentials; `NAME_*` stands for a
    /// family (`TF_TOKEN_*`). A discovery's runs never inherit them, and
    /// `swop env` and `swop exec` remove inherited ones for the tool's
    /// profiles, unless the profile sets them itself.
    pub credentials: &'static [&'static str],
    /// Variables that point the tool's state somewhere else than what the
    /// recipe binds: removed like the credentials.
    pub overrides: &'static [&'static str],
    /// How the tool uses a keyring (which file isolation cannot cover) and
    /// how to keep accounts apart there.
    pub keyring: Option<&'static str>,
    /// What every profile of the tool still shares.
    pub shared: &'static str,
    /// Further facts for a report's Limitations.
    pub notes: &'static [&'static str],
    /// Commands that only read a profile (the words after the program, as
    /// the user types them): `swop exec` runs them without the lock, so they
    /// work beside a session. Each is checked against the tool: it may make
    /// files of its own, never change the account's.
    pub read_only: &'static [&'static str],
    /// A command `swop discover --record TOOL -- ...` can prove the recipe
    /// with, unattended and offline, in its scratch folder (no real account).
    pub verify: Option<&'static [&'static str]>,
    /// How `swop status` asks the tool who is logged in.
    pub status: Option<StatusCommand>,
    /// The files that hold an account's login, each under the folder of a
    /// variable the recipe binds (a file binding's folder holds its file):
    /// never shared, never copied by `swop cp`, and compared by digest to
    /// find two profiles logged in with one login.
    pub credential_files: &'static [(&'static str, &'static str)],
    /// Entries under a bound folder that profiles may share (`swop add
    /// --share`): history and prompts, never a login. A folder's name ends
    /// in `/`, a file's does not.
    pub shareable: &'static [(&'static str, &'static str)],
    /// Settings files `swop cp` copies into the new profile.
    pub settings: &'static [(&'static str, &'static str)],
    /// Facts above that the sources did not confirm.
    pub unconfirmed: &'static [&'static str],
}

/// A command that says whether (and as whom) a profile is logged in.
pub struct StatusCommand {
    /// The whole command, program first.
    pub argv: &'static [&'static str],
    /// Logged in takes printed output as well as exit status 0 (for tools
    /// that exit 0 either way and print nothing when no one is logged in).
    pub needs_output: bool,
    /// Words that mark the line worth showing, in the tool's own output; the
    /// first line holding one is shown, else the first line.
    pub shows: &'static [&'static str],
}

impl Known {
    /// Whether a program name or path is this tool's.
    pub fn runs_as(&self, program: &str) -> bool {
        std::iter::once(&self.tool)
            .chain(self.programs)
            .any(|name| super::program_is(name, program))
    }
}

/// Whether `name` is `pattern`, where one `*` stands for any non-empty run.
pub fn matches(pattern: &str, name: &str) -> bool {
    // `swop env` asks this of every variable: most differ at once.
    if pattern.as_bytes().first() != name.as_bytes().first() {
        return false;
    }
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.len() > head.len() + tail.len() && name.starts_with(head) && name.ends_with(tail)
        }
    }
}

pub const CATALOG: &[Known] = &[
    agents::CODEX,
    agents::CLAUDE,
    agents::GEMINI,
    agents::COPILOT,
    forges::GH,
    forges::GLAB,
    forges::GIT,
    forges::SSH,
    clouds::AWS,
    clouds::GCLOUD,
    clouds::AZ,
    clouds::KUBECTL,
    clouds::DOCKER,
    clouds::TERRAFORM,
    packages::NPM,
    packages::PIP,
    packages::CARGO,
    packages::HUGGINGFACE,
    hosting::FLY,
    hosting::VERCEL,
    hosting::NETLIFY,
    hosting::WRANGLER,
    secrets::GPG,
    secrets::RCLONE,
];

/// Facts that differ by platform: tools that keep their state in the
/// platform's own folders (`~/Library/...` on macOS, XDG on Linux).
const fn per_os<T>(linux: &'static [T], macos: &'static [T]) -> &'static [T] {
    if cfg!(target_os = "macos") {
        macos
    } else {
        linux
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_says_where_its_facts_come_from() {
        for k in CATALOG {
            assert!(!k.sources.is_empty(), "{}", k.tool);
            assert!(!k.shared.is_empty(), "{}", k.tool);
            let files = k.files.iter().map(|(v, _)| v);
            for v in k.candidates.iter().chain(k.bindings).chain(files) {
                assert!(
                    crate::names::check_binding_name(v).is_ok(),
                    "{}: {v}",
                    k.tool
                );
            }
            for v in k.unset.iter().chain(k.overrides) {
                assert!(crate::names::check_var_name(v).is_ok(), "{}: {v}", k.tool);
            }
            for v in k.credentials {
                assert!(v.matches('*').count() <= 1, "{v}");
                let plain = v.replace('*', "X");
                assert!(
                    crate::names::check_var_name(&plain).is_ok(),
                    "{}: {v}",
                    k.tool
                );
            }
            for v in k.values {
                assert!(crate::names::check_value_name(v).is_ok(), "{}: {v}", k.tool);
            }
            for v in k.bindings {
                let known = k.candidates.contains(v) || k.files.iter().any(|(f, _)| f == v);
                assert!(known, "{}: {v} is bound but no candidate", k.tool);
            }
        }
    }

    #[test]
    fn logins_shared_entries_and_settings_lie_in_what_the_tool_binds() {
        let plain = |path: &str| {
            !path.is_empty()
                && !path.starts_with('/')
                && path
                    .split('/')
                    .all(|p| !p.is_empty() && p != "." && p != "..")
        };
        for k in CATALOG {
            let bound = |var: &str| {
                k.candidates.contains(&var)
                    || k.bindings.contains(&var)
                    || k.files.iter().any(|(f, _)| *f == var)
            };
            for (var, path) in k
                .credential_files
                .iter()
                .chain(k.shareable)
                .chain(k.settings)
            {
                assert!(
                    bound(var),
                    "{}: {var}/{path} is under nothing it binds",
                    k.tool
                );
                let path = path.strip_suffix('/').unwrap_or(path);
                assert!(plain(path), "{}: {path}", k.tool);
            }
            for (_, entry) in k.shareable {
                let name = entry.strip_suffix('/').unwrap_or(entry);
                assert!(!name.contains('/'), "{}: {entry} is not one name", k.tool);
            }
            for shared in k.shareable.iter().chain(k.settings) {
                assert!(
                    !k.credential_files.contains(shared),
                    "{}: {shared:?} is a login",
                    k.tool
                );
            }
        }
    }

    #[test]
    fn the_tools_people_switch_accounts_on_are_all_there() {
        let tools: Vec<&str> = CATALOG.iter().map(|k| k.tool).collect();
        assert_eq!(
            tools,
            [
                "codex",
                "claude",
                "gemini",
                "copilot",
                "gh",
                "glab",
                "git",
                "ssh",
                "aws",
                "gcloud",
                "az",
                "kubectl",
                "docker",
                "terraform",
                "npm",
                "pip",
                "cargo",
                "huggingface",
                "fly",
                "vercel",
                "netlify",
                "wrangler",
                "gpg",
                "rclone"
            ]
        );
    }

    #[test]
    fn a_star_stands_for_a_family_of_names() {
        assert!(matches("TF_TOKEN_*", "TF_TOKEN_app_terraform_io"));
        assert!(!matches("TF_TOKEN_*", "TF_TOKEN_"));
        assert!(matches(
            "CARGO_REGISTRIES_*_TOKEN",
            "CARGO_REGISTRIES_MY_TOKEN"
        ));
        assert!(!matches(
            "CARGO_REGISTRIES_*_TOKEN",
            "CARGO_REGISTRIES_MY_INDEX"
        ));
        assert!(matches("GH_TOKEN", "GH_TOKEN"));
        assert!(!matches("GH_TOKEN", "GH_TOKENS"));
    }
}
