//! What cannot be shared, or given back: a login, an entry the catalog
//! does not offer, a place swop did not make, two copies that differ.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Share {
    /// `--share WORD` of what is not an entry the profile's tools may
    /// share; the entries they offer (none: the tools have none, or the
    /// profile has no tool).
    NotShareable {
        word: String,
        tools: Vec<String>,
        offered: Vec<String>,
    },
    /// An entry that holds a login (`path`, when inside it), of `tool`.
    Login {
        name: String,
        tool: String,
        path: String,
    },
    /// The profile binds the entry's variable to no folder.
    NoFolder {
        profile: String,
        var: String,
        entry: String,
    },
    /// `--unshare` of an entry whose variable the profile does not bind.
    NotBound { profile: String, var: String },
    /// `--unshare` of an entry the profile has as its own.
    NotShared {
        profile: String,
        entry: String,
        place: PathBuf,
    },
    /// The profile's entry is a link swop did not make.
    ForeignLink { place: PathBuf, entry: String },
    /// The profile's entry is a folder where the tool keeps a file, or the
    /// reverse.
    WrongKind {
        place: PathBuf,
        is_folder: bool,
        tool: String,
        wants_folder: bool,
    },
    /// A file of the profile and the shared copy of it hold different bytes.
    FilesDiffer { own: PathBuf, copy: PathBuf },
    /// Files under the profile's folder and the shared copy differ: how
    /// many, and the first few.
    Clashes {
        own: PathBuf,
        copy: PathBuf,
        count: usize,
        first: Vec<PathBuf>,
    },
    /// `--unbind VAR` of the variable whose folder holds shared entries.
    HoldsShared { var: String, entries: Vec<String> },
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Share::NotShareable {
                word,
                tools,
                offered,
            } => match (offered.is_empty(), tools.is_empty()) {
                (true, true) => write!(
                    f,
                    "{word:?} cannot be shared: the profile was made without --tool, and only a tool's \
                     entries can be shared (swop set NAME --tool codex)"
                ),
                (true, false) => write!(
                    f,
                    "{word:?} cannot be shared: swop knows no entry of {} that profiles may share \
                     (codex and claude have some: swop recipes --json)",
                    tools.join(", ")
                ),
                (false, _) => write!(
                    f,
                    "{word:?} is not an entry profiles may share; for {} they are: {}",
                    tools.join(", "),
                    offered.join(", ")
                ),
            },
            Share::Login { name, tool, path } => write!(
                f,
                "{name:?} is never shared: {} {tool}'s login, and a login in two profiles is revoked \
                 the first time either refreshes it (one refresh token, used twice). Each profile \
                 logs in by itself: swop exec NAME -- {tool} ...",
                if path == name {
                    "it holds".to_string()
                } else {
                    format!("it holds {path},")
                }
            ),
            Share::NoFolder {
                profile,
                var,
                entry,
            } => write!(
                f,
                "profile {profile:?} does not bind {var} to a folder, where {entry} lives"
            ),
            Share::NotBound { profile, var } => {
                write!(f, "profile {profile:?} does not bind {var}")
            }
            Share::NotShared {
                profile,
                entry,
                place,
            } => write!(
                f,
                "{entry} of profile {profile:?} is not shared ({} is its own)",
                place.display()
            ),
            Share::ForeignLink { place, entry } => write!(
                f,
                "{} is a symbolic link that swop did not make; move it away, then share {entry} again",
                place.display()
            ),
            Share::WrongKind {
                place,
                is_folder,
                tool,
                wants_folder,
            } => {
                let kind = |folder: bool| if folder { "folder" } else { "file" };
                write!(
                    f,
                    "{} is a {}, where {tool} keeps a {}; move it away, then share it again",
                    place.display(),
                    kind(*is_folder),
                    kind(*wants_folder)
                )
            }
            Share::FilesDiffer { own, copy } => write!(
                f,
                "{} and the shared copy {} differ; to keep both, add one to the other \
                 (cat {} >> {}), delete {}, then share it again",
                own.display(),
                copy.display(),
                own.display(),
                copy.display(),
                own.display()
            ),
            Share::Clashes {
                own,
                copy,
                count,
                first,
            } => {
                let shown: Vec<String> = first.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "{} cannot be merged into the shared copy {}: {count} file(s) of the same name differ \
                     ({}{}); move them away, then share it again",
                    own.display(),
                    copy.display(),
                    shown.join(", "),
                    if *count > first.len() { ", ..." } else { "" }
                )
            }
            Share::HoldsShared { var, entries } => write!(
                f,
                "{var} holds the shared {}; unshare {} first (--unshare)",
                entries.join(", "),
                if entries.len() == 1 { "it" } else { "them" }
            ),
        }
    }
}
