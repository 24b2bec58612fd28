//! What switching to a profile (or back) does to an environment.
//!
//! Swop remembers the values it replaced in one variable, `SWOP_SAVED` (its
//! format is in [`record`]). The values of the variables a profile removes
//! or sets, which the profile's processes must not see, stay out of it: they
//! are kept in a private file that the record names ([`kept`]). A record
//! longer than [`SAVED_LIMIT`] is refused before anything is printed, so that
//! no later program launch can fail for the size of the environment.
//!
//! The record is read back from the environment, which anyone who starts
//! swop controls, so it is not trusted ([`admission`]): an entry is restored
//! only for a variable that the profile being left changes, and a record
//! longer than any swop writes is ignored whole.
//!
//! The order of the changes lets a shell that stops part-way be switched back:
//! the record comes first, covering every variable the switch is about to
//! change (those the previous profile left and those the next one binds,
//! sets or removes); then the restores of what the previous profile alone
//! changed, the new `SWOP_PROFILE` (from then on the profile being left is
//! the new one, which changes everything still to come), the removals (no
//! old credential outlives a stop), the bindings, the values and swop's
//! store; last the record again, trimmed to the new profile's variables.
//! Switching from A to B restores A's saved values first, so profiles never
//! nest, and `--off` restores them all.
//!
//! A profile of a catalog tool also loses the inherited variables that would
//! carry another account's credentials or move the tool's state
//! ([`inherited`]); they are in the record, so `off` puts them back.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::error::{Result, Switch as SwitchError};
use crate::store::{Profile, Store};

mod admission;
mod inherited;
mod kept;
mod record;
pub mod told;

pub use admission::{Admission, Refusal, touches};
pub use inherited::removal_notice;
pub use record::{Saved, Token, decode_record, decode_saved, encode_record, encode_saved};

pub const PROFILE_VAR: &str = "SWOP_PROFILE";
pub const SAVED_VAR: &str = "SWOP_SAVED";
pub const HOME_VAR: &str = "SWOP_HOME";
/// Set by the shell integrations when they run swop: which shell. A marker
/// for swop itself, never passed on to a command.
pub const INTEGRATION_VAR: &str = "SWOP_INTEGRATION";
/// Set by bash, zsh and fish: how the shell chose its profile (`use`, or
/// `folder:` and the `.swop` it followed). Never passed on to a command.
pub const CHOICE_VAR: &str = "SWOP_CHOICE";
/// Set by a wrapped tool's function on the `swop exec` it runs: an exec
/// not typed by hand. Never passed on to a command.
pub const WRAPPED_VAR: &str = "SWOP_WRAPPED";
/// What the integrations tell swop about the call, and nothing else.
pub const MARKERS: [&str; 3] = [INTEGRATION_VAR, CHOICE_VAR, WRAPPED_VAR];

/// The longest record swop writes or reads: half the kernel's limit on one
/// environment string (128 KiB on Linux), which leaves room for the values
/// themselves.
pub const SAVED_LIMIT: usize = 64 * 1024;

/// One change: set to a value, or unset.
pub use crate::shell::Change;

/// What a switch prints, and what it had to leave out of the record it read.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// One line each about saved entries that were not restored: said at
    /// every switch, as a record that asks for them is worth it.
    pub warnings: Vec<String>,
    /// Inherited variables that point a HOME-bound profile's tools back into
    /// the real home, each with its warning: what to say once.
    pub into_home: Vec<(String, String)>,
    /// Inherited variables the switch removes that the environment had until
    /// now: what to say once (a repeated switch finds them gone).
    pub removed: Vec<String>,
}

/// The value of a variable now.
pub type VarLookup<'a> = Box<dyn Fn(&str) -> Option<OsString> + 'a>;
/// The profile of a name, if it can be loaded.
pub type ProfileLookup<'a> = Box<dyn Fn(&str) -> Option<Profile> + 'a>;
/// Every variable set now, with its value.
pub type VarList<'a> = Box<dyn Fn() -> Vec<(String, OsString)> + 'a>;

/// The environment a switch starts from.
pub struct Current<'a> {
    pub var: VarLookup<'a>,
    /// The profile a name in `SWOP_PROFILE` stands for: the one being left,
    /// whose variables alone a record may restore.
    pub profile: ProfileLookup<'a>,
    /// Every variable set now, for the families of names (`TF_TOKEN_*`) a
    /// profile must not inherit and the overrides that point into the home.
    pub vars: VarList<'a>,
}

impl<'a> Current<'a> {
    /// This process's environment, with its profiles in `store`.
    pub fn process(store: &'a Store) -> Self {
        Current {
            var: Box::new(process_env),
            profile: Box::new(|name| store.load(name).ok()),
            vars: Box::new(process_vars),
        }
    }
}

/// A saved value that may be restored, and the file it was kept in.
#[derive(Debug, Clone)]
struct Restorable {
    value: Option<OsString>,
    kept: Option<Token>,
}

impl Restorable {
    /// The entry that says so in a record.
    fn as_saved(&self) -> Saved {
        match &self.kept {
            Some(token) => Saved::Kept(token.clone()),
            None => Saved::Clear(self.value.clone()),
        }
    }
}

/// The changes that turn the current environment into the wanted one, in the
/// order of the module docs.
pub fn plan(current: &Current, profile: Option<&Profile>, store_root: &Path) -> Result<Plan> {
    let kept = kept::Kept::new(&current.var, store_root);
    let mut warnings = Vec::new();
    let saved = read_saved(current, &kept, &mut warnings);
    let values: BTreeMap<String, Option<OsString>> = saved
        .iter()
        .map(|(name, r)| (name.clone(), r.value.clone()))
        .collect();
    let original = |name: &str| match values.get(name) {
        Some(value) => value.clone(),
        None => (current.var)(name),
    };

    let mut changes: Vec<Change> = Vec::new();
    let Some(profile) = profile else {
        for (name, value) in &values {
            changes.push((name.clone(), value.clone()));
        }
        changes.push((PROFILE_VAR.to_string(), None));
        changes.push((SAVED_VAR.to_string(), None));
        return Ok(Plan {
            changes,
            warnings,
            into_home: Vec::new(),
            removed: Vec::new(),
        });
    };

    let found = inherited::find(profile, current, &values, &original);
    let mut touched = touched_by(profile);
    touched.extend(found.removed.iter().map(String::as_str));
    let removes: Vec<&str> = profile
        .unset
        .iter()
        .chain(&found.removed)
        .map(String::as_str)
        .collect();
    let record = new_record(profile, &touched, &removes, &original, &kept)?;
    let record_text = encode_checked(&record)?;
    let left_over: Vec<(&str, &Restorable)> = saved
        .iter()
        .filter(|(name, _)| !touched.contains(&name.as_str()))
        .map(|(name, r)| (name.as_str(), r))
        .collect();
    if left_over.is_empty() {
        changes.push((SAVED_VAR.to_string(), Some(record_text.clone())));
    } else {
        let both: Vec<(&str, Saved)> = left_over
            .iter()
            .map(|(name, r)| (*name, r.as_saved()))
            .chain(record.iter().cloned())
            .collect();
        changes.push((SAVED_VAR.to_string(), Some(encode_checked(&both)?)));
    }
    changes.extend(
        left_over
            .into_iter()
            .map(|(name, r)| (name.to_string(), r.value.clone())),
    );
    changes.push((PROFILE_VAR.to_string(), Some(profile.name.clone().into())));
    for name in &removes {
        changes.push((name.to_string(), None));
    }
    for binding in &profile.bindings {
        changes.push((binding.var.clone(), Some(binding.value().into_os_string())));
    }
    for (name, value) in &profile.values {
        changes.push((name.clone(), Some(value.into())));
    }
    changes.push((
        HOME_VAR.to_string(),
        Some(store_root.as_os_str().to_os_string()),
    ));
    if changes[0].1.as_ref() != Some(&record_text) {
        changes.push((SAVED_VAR.to_string(), Some(record_text)));
    }
    Ok(Plan {
        changes,
        warnings,
        into_home: found.into_home,
        removed: found.reported,
    })
}

/// Every variable a switch to `profile` always changes, swop's own store
/// last (inherited variables it removes come on top, see [`inherited`]).
fn touched_by(profile: &Profile) -> Vec<&str> {
    let mut touched: Vec<&str> = profile.bindings.iter().map(|b| b.var.as_str()).collect();
    touched.extend(profile.values.keys().map(String::as_str));
    touched.extend(profile.unset.iter().map(String::as_str));
    touched.push(HOME_VAR);
    touched
}

/// Whether the value `name` had before a switch to `profile` stays out of
/// the record: the profile removes the variable or sets it, or binds one
/// whose name says it holds a secret. The old values of the places a
/// profile binds (HOME, CODEX_HOME, ...) are paths, and stay in the record.
fn kept_out(profile: &Profile, removes: &[&str], name: &str) -> bool {
    removes.contains(&name)
        || profile.values.contains_key(name)
        || (profile.bindings.iter().any(|b| b.var == name) && crate::redact::secret_name(name))
}

/// The record of a switch to `profile`: each touched variable's value before
/// swop, the ones [`kept_out`] in a private file.
fn new_record<'n>(
    profile: &Profile,
    touched: &[&'n str],
    removes: &[&str],
    original: &dyn Fn(&str) -> Option<OsString>,
    kept: &kept::Kept,
) -> Result<Vec<(&'n str, Saved)>> {
    let originals: Vec<(&str, Option<OsString>)> =
        touched.iter().map(|name| (*name, original(name))).collect();
    let secret: Vec<(&str, OsString)> = originals
        .iter()
        .filter(|(name, _)| kept_out(profile, removes, name))
        .filter_map(|(name, value)| Some((*name, value.clone()?)))
        .collect();
    let token = match secret.is_empty() {
        true => None,
        false => Some(
            kept.save(&secret)
                .map_err(|source| SwitchError::CannotKeep {
                    names: secret.iter().map(|(name, _)| name.to_string()).collect(),
                    folder: kept.folder().to_path_buf(),
                    source,
                })?,
        ),
    };
    Ok(originals
        .into_iter()
        .map(|(name, value)| match (&token, &value) {
            (Some(token), Some(_)) if kept_out(profile, removes, name) => {
                (name, Saved::Kept(token.clone()))
            }
            _ => (name, Saved::Clear(value)),
        })
        .collect())
}

/// The record, or an error that names the values too long to remember.
fn encode_checked(entries: &[(&str, Saved)]) -> Result<OsString> {
    let encoded = encode_record(entries);
    if encoded.len() <= SAVED_LIMIT {
        return Ok(encoded);
    }
    let mut long: Vec<(&str, usize)> = entries
        .iter()
        .filter_map(|(name, saved)| match saved {
            Saved::Clear(Some(value)) => Some((*name, value.len())),
            _ => None,
        })
        .collect();
    long.sort_by_key(|(_, len)| std::cmp::Reverse(*len));
    Err(SwitchError::RecordTooLong {
        longest: long
            .into_iter()
            .map(|(name, len)| (name.to_string(), len))
            .collect(),
        var: SAVED_VAR,
        limit: SAVED_LIMIT,
    }
    .into())
}

/// The entries of the current record that may be restored, with their
/// values (those kept in a file read from it).
fn read_saved(
    current: &Current,
    kept: &kept::Kept,
    warnings: &mut Vec<String>,
) -> BTreeMap<String, Restorable> {
    let mut saved = BTreeMap::new();
    let Some(record) = (current.var)(SAVED_VAR) else {
        return saved;
    };
    if record.len() > SAVED_LIMIT {
        warnings.push(format!(
            "{SAVED_VAR} is {} bytes, more than swop ever writes: ignored, and the variables it names keep their values",
            record.len()
        ));
        return saved;
    }
    let admission = Admission::new(current);
    let mut files = BTreeMap::new();
    for (name, entry) in decode_record(record.as_bytes()) {
        if let Err(why) = admission.check(&name) {
            warnings.push(refusal_warning(&name, &why));
            continue;
        }
        let restorable = match entry {
            Saved::Clear(value) => Restorable { value, kept: None },
            Saved::Kept(token) => {
                let file = files
                    .entry(token.clone())
                    .or_insert_with(|| kept.load(&token));
                let value = match file {
                    Ok(values) => values
                        .get(&name)
                        .cloned()
                        .ok_or_else(|| format!("its file no longer holds {name}")),
                    Err(err) => Err(err.to_string()),
                };
                match value {
                    Ok(value) => Restorable {
                        value: Some(value),
                        kept: Some(token),
                    },
                    Err(why) => {
                        let folder = kept.folder().display();
                        let lost = match kept.in_runtime_dir() {
                            true => format!("a reboot or a new login empties {folder}"),
                            false => format!("kept in {folder}"),
                        };
                        warnings.push(format!(
                            "the value {name} had before this profile was kept in a private file, \
                             which cannot be read ({why}; {lost}): {name} stays as it is"
                        ));
                        continue;
                    }
                }
            }
        };
        saved.insert(name, restorable);
    }
    saved
}

/// The warning for a saved entry that is not restored.
fn refusal_warning(name: &str, why: &Refusal) -> String {
    let reason = match why {
        Refusal::Blocked => "which swop never restores".to_string(),
        Refusal::NotTouched(left) => {
            format!("which profile {left:?}, the one being left, does not change")
        }
        Refusal::ProfileGone(left) => format!(
            "but profile {left:?} can no longer be read, and {name} does not point into its folder"
        ),
        Refusal::NoProfile => format!("but {PROFILE_VAR} names no profile being left"),
    };
    format!("{SAVED_VAR} names {name}, {reason}: not restored")
}

/// The current process environment, as a lookup function for [`Current`].
pub fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(OsStr::new(name))
}

/// This process's variables (those whose names are text), for [`Current`].
pub fn process_vars() -> Vec<(String, OsString)> {
    std::env::vars_os()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value)))
        .collect()
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
            values: BTreeMap::new(),
            missing: vec![],
            shared: vec![],
            seal: false,
            allow_write: Vec::new(),
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

    fn plan_in(
        env: &BTreeMap<String, OsString>,
        profile: Option<&Profile>,
        known: &[Profile],
    ) -> Result<Plan> {
        let current = Current {
            var: Box::new(|k: &str| env.get(k).cloned()),
            profile: Box::new(|name: &str| known.iter().find(|p| p.name == name).cloned()),
            vars: Box::new(|| env.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        };
        plan(&current, profile, Path::new("/s"))
    }

    #[test]
    fn switching_a_b_off_restores_everything() {
        let mut env: BTreeMap<String, OsString> = BTreeMap::new();
        env.insert("HOME".into(), "/home/me".into());
        env.insert("XDG_STATE_HOME".into(), "".into());
        let start = env.clone();
        let a = profile("a", &["HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"]);
        let b = profile("b", &["CODEX_HOME"]);
        for p in [Some(&a), Some(&b), Some(&a), None] {
            let changes = plan_in(&env, p, &[a.clone(), b.clone()]).unwrap().changes;
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

    #[test]
    fn a_switch_stopped_after_any_change_can_still_be_undone() {
        let mut env: BTreeMap<String, OsString> = BTreeMap::new();
        env.insert("HOME".into(), "/home/me".into());
        let start = env.clone();
        let a = profile("a", &["HOME", "XDG_CONFIG_HOME"]);
        let b = profile("b", &["CODEX_HOME"]);
        let known = [a.clone(), b.clone()];
        let to_a = plan_in(&env, Some(&a), &known).unwrap().changes;
        apply(&mut env, &to_a);
        let on_a = env.clone();
        let to_b = plan_in(&on_a, Some(&b), &known).unwrap().changes;
        assert_eq!(to_b[0].0, SAVED_VAR, "the record comes first");
        for stop in 1..=to_b.len() {
            let mut half = on_a.clone();
            apply(&mut half, &to_b[..stop]);
            let off = plan_in(&half, None, &known).unwrap().changes;
            apply(&mut half, &off);
            assert_eq!(half, start, "stopped after {stop} changes");
        }
    }

    #[test]
    fn only_variables_the_profile_being_left_changes_are_restored() {
        let mut env: BTreeMap<String, OsString> = BTreeMap::new();
        env.insert(
            SAVED_VAR.into(),
            "LD_PRELOAD=/tmp/x.so:PATH=/evil:PROMPT_COMMAND=x:UID=0:GIT_SSH_COMMAND=x:\
             CODEX_HOME=/c:GH_TOKEN=t:MY_TOKEN=m:SWOP_HOME=/s:HOME=/evil:\
             GIT_CONFIG_GLOBAL=/evil/gitconfig:KUBECONFIG=/evil/kube:XDG_CONFIG_HOME=/evil:\
             npm_config_userconfig=/evil/npmrc"
                .into(),
        );
        env.insert(PROFILE_VAR.into(), "old".into());
        let mut old = profile("old", &["CODEX_HOME"]);
        old.unset.push("MY_TOKEN".into());
        let plan = plan_in(&env, None, std::slice::from_ref(&old)).unwrap();
        let restored: Vec<&str> = plan
            .changes
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(restored, ["CODEX_HOME", "MY_TOKEN", "SWOP_HOME"]);
        assert_eq!(plan.warnings.len(), 11, "{:?}", plan.warnings);
        // A profile of a catalog tool also changes the tool's credentials.
        old.tools.push("gh".into());
        let plan = plan_in(&env, None, std::slice::from_ref(&old)).unwrap();
        assert!(
            plan.changes
                .iter()
                .any(|(k, v)| k == "GH_TOKEN" && v.is_some())
        );
        // Without the profile, only what still points into its folder.
        env.insert(HOME_VAR.into(), "/s".into());
        env.insert("CODEX_HOME".into(), "/s/profiles/old/CODEX_HOME".into());
        env.insert("MY_TOKEN".into(), "/elsewhere".into());
        let plan = plan_in(&env, None, &[]).unwrap();
        let restored: Vec<&str> = plan
            .changes
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(restored, ["CODEX_HOME", "SWOP_HOME"]);
    }

    #[test]
    fn removed_and_replaced_values_stay_out_of_the_record() {
        let tmp = tempfile::tempdir().unwrap();
        let runtime = tmp.path().join("run");
        crate::files::create_private_dir(&runtime).unwrap();
        let mut env: BTreeMap<String, OsString> = BTreeMap::new();
        env.insert("XDG_RUNTIME_DIR".into(), runtime.clone().into());
        env.insert("HOME".into(), "/home/me".into());
        env.insert(
            "AWS_SECRET_ACCESS_KEY".into(),
            "wJalrXUtnFEMI/K7MDENG".into(),
        );
        env.insert("AWS_PROFILE".into(), "personal".into());
        let start = env.clone();
        let mut aws = profile("aws", &["HOME"]);
        aws.tools.push("aws".into());
        aws.values.insert("AWS_PROFILE".into(), "work".into());
        let known = [aws.clone()];
        let changes = plan_in(&env, Some(&aws), &known).unwrap().changes;
        for (name, value) in &changes {
            let value = value.clone().unwrap_or_default();
            let value = value.to_string_lossy();
            assert!(!value.contains("wJalr"), "{name}={value}");
            assert!(!value.contains("personal"), "{name}={value}");
        }
        apply(&mut env, &changes);
        assert!(!env.contains_key("AWS_SECRET_ACCESS_KEY"));
        assert!(env[SAVED_VAR].to_string_lossy().contains("HOME=/home/me"));
        let off = plan_in(&env, None, &known).unwrap();
        assert!(off.warnings.is_empty(), "{:?}", off.warnings);
        apply(&mut env, &off.changes);
        assert_eq!(env, start);
    }

    #[test]
    fn an_oversized_value_is_refused_before_anything_changes() {
        let mut env: BTreeMap<String, OsString> = BTreeMap::new();
        env.insert("HOME".into(), OsString::from("x".repeat(SAVED_LIMIT + 1)));
        let a = profile("a", &["HOME"]);
        let err = plan_in(&env, Some(&a), &[]).unwrap_err();
        assert!(
            matches!(
                &err,
                crate::Error::Switch(crate::error::Switch::RecordTooLong { longest, .. })
                    if longest.first() == Some(&("HOME".to_string(), SAVED_LIMIT + 1))
            ),
            "{err:?}"
        );
        env.insert(
            SAVED_VAR.into(),
            OsString::from("x".repeat(SAVED_LIMIT + 1)),
        );
        let plan = plan_in(&env, None, &[]).unwrap();
        assert_eq!(plan.warnings.len(), 1);
    }
}
