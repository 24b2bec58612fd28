//! What a profile must not inherit from the shell it is entered from.
//!
//! An exported `AWS_ACCESS_KEY_ID` or `GH_TOKEN` wins over whatever the
//! profile's files say, so two profiles of aws or gh would both act as the
//! account of the shell. For a profile of a catalog tool, such variables
//! (the tool's credential and override variables) are removed, unless the
//! profile binds or sets them itself. Variables that move other tools'
//! state are not removed, but a profile that binds HOME is told when one of
//! them still points into the real home: there the profile shares files
//! with the user.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::{Current, HOME_VAR, PROFILE_VAR, SAVED_VAR};
use crate::output::printable_line;
use crate::store::Profile;

/// What [`find`] found.
#[derive(Debug, Default)]
pub struct Found {
    /// Variables to remove besides the profile's own unsets: they had a
    /// value before swop touched them.
    pub removed: Vec<String>,
    /// What the switch removes (these and the profile's unsets) that the
    /// environment holds now: a repeated switch finds them gone, and says
    /// nothing again.
    pub reported: Vec<String>,
    /// Each variable that keeps pointing into the real home, with the
    /// warning that says so.
    pub into_home: Vec<(String, String)>,
}

/// The inherited variables a switch to `profile` removes or warns about.
/// `original` gives a variable's value as it was before swop touched it.
pub fn find(
    profile: &Profile,
    current: &Current,
    saved: &BTreeMap<String, Option<OsString>>,
    original: &dyn Fn(&str) -> Option<OsString>,
) -> Found {
    let binds_home = profile
        .bindings
        .iter()
        .any(|b| b.var == "HOME" && b.file.is_none());
    let mut found = Found::default();
    // `swop env` runs on every switch: a profile with nothing to check costs
    // nothing, and the cheap tests come first.
    if profile.tools.is_empty() && profile.unset.is_empty() && !binds_home {
        return found;
    }
    let env = (current.vars)();
    // Each variable, the value it had before swop touched it, and whether
    // it is set now.
    let vars: Vec<(&str, Option<&OsString>, bool)> = env
        .iter()
        .map(|(name, now)| {
            let before = saved.get(name).map_or(Some(now), Option::as_ref);
            (name.as_str(), before, true)
        })
        .chain(
            saved
                .iter()
                .filter(|(name, _)| !env.iter().any(|(set, _)| set == *name))
                .map(|(name, before)| (name.as_str(), before.as_ref(), false)),
        )
        .filter(|(name, _, _)| {
            !(profile.bindings.iter().any(|b| b.var == *name)
                || profile.values.contains_key(*name)
                || [HOME_VAR, PROFILE_VAR, SAVED_VAR].contains(name))
        })
        .collect();
    let unset_anyway = |name: &str| profile.unset.iter().any(|v| v == name);
    for &(name, before, set_now) in &vars {
        let dangerous = profile
            .tools
            .iter()
            .any(|tool| crate::recipe::inherited_danger(tool, name));
        // Nothing on the block-list is ever touched, whatever its name matches.
        if !(dangerous || unset_anyway(name)) || crate::names::check_var_name(name).is_err() {
            continue;
        }
        if set_now {
            found.reported.push(name.to_string());
        }
        if !unset_anyway(name) && before.is_some() {
            found.removed.push(name.to_string());
        }
    }
    if let Some(home) =
        original("HOME").filter(|h| binds_home && Path::new(h).is_absolute() && h != "/")
    {
        let home = home.as_bytes();
        let into_home = |value: &OsString| {
            value.as_bytes().split(|&b| b == b':').any(|part| {
                part.strip_prefix(home)
                    .is_some_and(|rest| rest.is_empty() || rest[0] == b'/')
            })
        };
        for &(name, before, _) in &vars {
            let Some(value) = before.filter(|v| into_home(v)) else {
                continue;
            };
            if !found.removed.iter().any(|r| r == name) && crate::recipe::is_catalog_override(name)
            {
                found.into_home.push((name.to_string(), format!(
                    "{name}={} points into your real home: tools in profile {:?} still use the files it names; \
                     unset it, or give the profile its own (swop add ... --bind {name}, or --bind-file for a file)",
                    printable_line(&value.to_string_lossy()),
                    profile.name
                )));
            }
        }
    }
    found.removed.sort();
    found.reported.sort();
    found.into_home.sort();
    found
}

/// The line that says what a switch removed, once: `None` when nothing.
/// `restorable` adds how to get the variables back (a shell switch).
pub fn removal_notice(removed: &[String], profile: &Profile, restorable: bool) -> Option<String> {
    let (them, it) = match removed.len() {
        0 => return None,
        1 => ("it", "it carries"),
        _ => ("them", "they carry"),
    };
    Some(format!(
        "removed inherited {}: {it} another account's credentials or state for {} (profile {:?} uses its own){}",
        removed.join(", "),
        profile.tools.join(", "),
        profile.name,
        if restorable {
            format!("; swop off puts {them} back")
        } else {
            String::new()
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Binding;
    use std::path::PathBuf;

    fn aws_profile(binds_home: bool) -> Profile {
        let mut bindings = vec![Binding {
            var: "AWS_SHARED_CREDENTIALS_FILE".into(),
            path: PathBuf::from("/s/p/AWS_SHARED_CREDENTIALS_FILE"),
            file: Some("credentials".into()),
        }];
        if binds_home {
            bindings.push(Binding {
                var: "HOME".into(),
                path: PathBuf::from("/s/p/HOME"),
                file: None,
            });
        }
        Profile {
            name: "p".into(),
            dir: PathBuf::from("/s/p"),
            bindings,
            unset: vec![],
            tools: vec!["aws".into()],
            values: BTreeMap::from([("AWS_PROFILE".to_string(), "work".to_string())]),
            missing: vec![],
            shared: vec![],
            seal: false,
            allow_write: Vec::new(),
        }
    }

    fn find_in(env: &BTreeMap<String, OsString>, profile: &Profile) -> Found {
        let current = Current {
            var: Box::new(|k: &str| env.get(k).cloned()),
            profile: Box::new(|_| None),
            vars: Box::new(|| env.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        };
        find(profile, &current, &BTreeMap::new(), &|k| {
            env.get(k).cloned()
        })
    }

    #[test]
    fn credentials_of_the_profiles_tools_go_unless_the_profile_sets_them() {
        let env: BTreeMap<String, OsString> = [
            ("AWS_ACCESS_KEY_ID", "AKIA"),
            ("AWS_PROFILE", "shell"),
            ("AWS_REGION", "eu-west-1"),
            ("GH_TOKEN", "t"),
            ("PATH", "/bin"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect();
        let mut profile = aws_profile(false);
        let found = find_in(&env, &profile);
        assert_eq!(found.removed, ["AWS_ACCESS_KEY_ID"]);
        assert_eq!(found.reported, ["AWS_ACCESS_KEY_ID"]);
        // Unset by the profile anyway: said, not removed twice.
        profile.unset.push("AWS_ACCESS_KEY_ID".into());
        let found = find_in(&env, &profile);
        assert!(found.removed.is_empty(), "{found:?}");
        assert_eq!(found.reported, ["AWS_ACCESS_KEY_ID"]);
        assert!(found.into_home.is_empty());
    }

    #[test]
    fn a_home_profile_is_warned_of_overrides_into_the_real_home() {
        let env: BTreeMap<String, OsString> = [
            ("HOME", "/home/me"),
            ("CARGO_HOME", "/home/me/.cargo"),
            ("GNUPGHOME", "/elsewhere/gnupg"),
            ("KUBECONFIG", "/etc/k:/home/me/.kube/config"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect();
        let found = find_in(&env, &aws_profile(true));
        let warned: Vec<&str> = found
            .into_home
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(warned, ["CARGO_HOME", "KUBECONFIG"]);
        assert!(find_in(&env, &aws_profile(false)).into_home.is_empty());
    }

    #[test]
    fn the_notice_names_every_removed_variable_once() {
        let profile = aws_profile(false);
        assert_eq!(removal_notice(&[], &profile, true), None);
        let line = removal_notice(&["A".into(), "B".into()], &profile, true).unwrap_or_default();
        assert!(
            line.starts_with("removed inherited A, B: they carry"),
            "{line}"
        );
        assert!(
            line.contains("for aws (profile \"p\" uses its own)"),
            "{line}"
        );
        assert!(line.ends_with("; swop off puts them back"), "{line}");
        let line = removal_notice(&["A".into()], &profile, false).unwrap_or_default();
        assert!(line.ends_with("uses its own)"), "{line}");
    }
}
