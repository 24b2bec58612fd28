//! The core contract: the store, switching real shells there and back, exec,
//! and the profile lock, one module each.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use serde_json::Value;

pub(crate) use crate::common::*;

mod exec;
mod locks;
mod other_shells;
mod profiles;
mod switching;

const DEFAULT_BINDINGS: [&str; 5] = [
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
];

/// A store path that no shell may misread: quotes, command substitutions in
/// every shell's syntax, a variable, a glob, a component ending in a newline,
/// a last component ending in a backslash and, unless `utf8_only`, bytes that
/// are not UTF-8.
fn hostile_store(utf8_only: bool) -> OsString {
    let mut bytes =
        b"it's \"q\" $(touch pwned) `touch pwned` (touch pwned) $HOME *?[a] ~ %s \\t\n/".to_vec();
    if !utf8_only {
        bytes.extend_from_slice(b"\xff\xfe\x80 caf\xc3\xa9 ");
    }
    bytes.extend_from_slice(b"end'\\");
    os(&bytes)
}

fn path_env(path: &Path) -> OsString {
    path.as_os_str().to_os_string()
}

/// `expected` and `actual` hold the same variables with the same bytes.
#[track_caller]
fn assert_same_env(actual: &Env, expected: &Env, context: &str) {
    let actual = without_shell_vars(actual.clone());
    let expected = without_shell_vars(expected.clone());
    let names: BTreeSet<&OsString> = actual.keys().chain(expected.keys()).collect();
    let diffs: Vec<String> = names
        .into_iter()
        .filter(|n| actual.get(*n) != expected.get(*n))
        .map(|n| {
            format!(
                "  {}: got {}, want {}",
                n.to_string_lossy(),
                shown(actual.get(n)),
                shown(expected.get(n))
            )
        })
        .collect();
    assert!(
        diffs.is_empty(),
        "{context}: environments differ\n{}",
        diffs.join("\n")
    );
}

#[track_caller]
fn assert_nothing_pwned(dir: &Path) {
    let pwned: Vec<PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| p.file_name() == Some(OsStr::new("pwned")))
        .collect();
    assert!(pwned.is_empty(), "a quoted value was run: {pwned:?}");
}

/// The environment after applying `swop env ... --shell json` output to `env`.
#[track_caller]
fn apply_json(mut env: Env, json: &[u8]) -> Env {
    let value: Value = serde_json::from_slice(json).expect("swop env --shell json is not JSON");
    for (name, value) in value.as_object().expect("a JSON object") {
        match value {
            Value::Null => env.remove(OsStr::new(name)),
            Value::String(s) => env.insert(name.into(), s.into()),
            other => panic!("{name}: expected a string or null, got {other}"),
        };
    }
    env
}
