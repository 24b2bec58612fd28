//! What switching to a profile (or back) does to an environment.
//!
//! Swop remembers the values it replaced in one small variable, `SWOP_SAVED`:
//! `NAME=value` for a variable that was set (value percent-encoded), `NAME`
//! alone for one that was unset, joined by `:`. Switching from A to B restores
//! A's saved values first, so profiles never nest, and `--off` restores them all.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use crate::store::Profile;

pub const PROFILE_VAR: &str = "SWOP_PROFILE";
pub const SAVED_VAR: &str = "SWOP_SAVED";
pub const HOME_VAR: &str = "SWOP_HOME";

/// One change: set to a value, or unset.
pub type Change = (String, Option<OsString>);

/// The changes that turn the current environment into the wanted one, in order:
/// restored variables first, then the profile's, then swop's own.
pub fn plan(
    current: &dyn Fn(&str) -> Option<OsString>,
    profile: Option<&Profile>,
    store_root: &std::path::Path,
) -> Vec<Change> {
    let saved = current(SAVED_VAR)
        .map(|v| decode_saved(v.as_bytes()))
        .unwrap_or_default();
    let original = |name: &str| match saved.get(name) {
        Some(value) => value.clone(),
        None => current(name),
    };

    let mut changes: Vec<Change> = Vec::new();
    let Some(profile) = profile else {
        for (name, value) in &saved {
            changes.push((name.clone(), value.clone()));
        }
        changes.push((PROFILE_VAR.to_string(), None));
        changes.push((SAVED_VAR.to_string(), None));
        return changes;
    };

    let mut touched: Vec<&str> = profile.bindings.iter().map(|b| b.var.as_str()).collect();
    touched.extend(profile.unset.iter().map(String::as_str));
    touched.push(HOME_VAR);

    for (name, value) in &saved {
        if !touched.contains(&name.as_str()) {
            changes.push((name.clone(), value.clone()));
        }
    }
    let new_saved: Vec<(&str, Option<OsString>)> =
        touched.iter().map(|name| (*name, original(name))).collect();
    for binding in &profile.bindings {
        changes.push((binding.var.clone(), Some(binding.value().into_os_string())));
    }
    for name in &profile.unset {
        changes.push((name.clone(), None));
    }
    changes.push((
        HOME_VAR.to_string(),
        Some(store_root.as_os_str().to_os_string()),
    ));
    changes.push((PROFILE_VAR.to_string(), Some(profile.name.clone().into())));
    changes.push((SAVED_VAR.to_string(), Some(encode_saved(&new_saved))));
    changes
}

/// Encode the saved record; see the module docs.
pub fn encode_saved(entries: &[(&str, Option<OsString>)]) -> OsString {
    let mut out = Vec::new();
    for (i, (name, value)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b':');
        }
        out.extend_from_slice(name.as_bytes());
        if let Some(value) = value {
            out.push(b'=');
            for &b in value.as_bytes() {
                if (0x21..=0x7e).contains(&b) && b != b'%' && b != b':' {
                    out.push(b);
                } else {
                    out.extend_from_slice(format!("%{b:02X}").as_bytes());
                }
            }
        }
    }
    OsString::from_vec(out)
}

/// Decode the saved record. Entries that do not parse are skipped: a damaged
/// record must not stop a user from switching away.
pub fn decode_saved(bytes: &[u8]) -> BTreeMap<String, Option<OsString>> {
    let mut saved = BTreeMap::new();
    for entry in bytes.split(|&b| b == b':').filter(|e| !e.is_empty()) {
        let (name, value) = match entry.iter().position(|&b| b == b'=') {
            Some(eq) => (&entry[..eq], Some(&entry[eq + 1..])),
            None => (entry, None),
        };
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        if !crate::names::is_var_name(name) || name == SAVED_VAR || name == PROFILE_VAR {
            continue;
        }
        let value = match value.map(percent_decode) {
            Some(None) => continue,
            Some(Some(v)) => Some(OsString::from_vec(v)),
            None => None,
        };
        saved.insert(name.to_string(), value);
    }
    saved
}

fn percent_decode(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The current process environment, as a lookup function for [`plan`].
pub fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(OsStr::new(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Binding;
    use std::path::PathBuf;

    fn profile(name: &str, vars: &[&str]) -> Profile {
        Profile {
            name: name.into(),
            dir: PathBuf::from(format!("/s/profiles/{name}")),
            bindings: vars
                .iter()
                .map(|v| Binding {
                    var: v.to_string(),
                    path: PathBuf::from(format!("/s/profiles/{name}/{v}")),
                    file: None,
                })
                .collect(),
            unset: vec![],
            tools: vec![],
            missing: vec![],
        }
    }

    fn apply(env: &mut BTreeMap<String, OsString>, changes: &[Change]) {
        for (k, v) in changes {
            match v {
                Some(v) => env.insert(k.clone(), v.clone()),
                None => env.remove(k),
            };
        }
    }

    #[test]
    fn saved_record_round_trips_any_bytes() {
        let values: Vec<(&str, Option<OsString>)> = vec![
            ("A", Some(OsString::from_vec(b"x:y%z =\n\xff".to_vec()))),
            ("B", None),
            ("C", Some(OsString::new())),
        ];
        let decoded = decode_saved(encode_saved(&values).as_bytes());
        assert_eq!(decoded.len(), 3);
        for (k, v) in values {
            assert_eq!(decoded[k], v, "{k}");
        }
    }

    #[test]
    fn damaged_record_is_skipped_not_fatal() {
        let d = decode_saved(b"A=%zz:1BAD:B=ok:SWOP_SAVED=x::C");
        assert_eq!(d.len(), 2);
        assert_eq!(d["B"], Some("ok".into()));
        assert_eq!(d["C"], None);
    }

    #[test]
    fn switching_a_b_off_restores_everything() {
        let mut env: BTreeMap<String, OsString> = BTreeMap::new();
        env.insert("HOME".into(), "/home/me".into());
        env.insert("XDG_STATE_HOME".into(), "".into());
        let start = env.clone();
        let a = profile("a", &["HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"]);
        let b = profile("b", &["CODEX_HOME"]);
        let root = PathBuf::from("/s");
        for p in [Some(&a), Some(&b), Some(&a), None] {
            let snapshot = env.clone();
            let changes = plan(&|k| snapshot.get(k).cloned(), p, &root);
            apply(&mut env, &changes);
            if let Some(p) = p {
                assert_eq!(env[PROFILE_VAR], OsString::from(&p.name));
                for bnd in &p.bindings {
                    assert_eq!(env[&bnd.var], bnd.value().as_os_str());
                }
            }
            if p.is_some_and(|p| p.name == "b") {
                assert_eq!(env["HOME"], OsString::from("/home/me"));
                assert!(!env.contains_key("XDG_CONFIG_HOME"));
            }
        }
        assert_eq!(env, start);
    }
}
