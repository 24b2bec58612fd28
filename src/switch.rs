//! What switching to a profile (or back) does to an environment.
//!
//! Swop remembers the values it replaced in one variable, `SWOP_SAVED`:
//! `NAME=value` for a variable that was set, `NAME` alone for one that was
//! unset, joined by `:`. A value is kept as it is, except `%`, `:`, control
//! characters and bytes that are not UTF-8, which are written `%XX`: a record
//! is about as long as the values it holds, never three times as long, and a
//! record longer than [`SAVED_LIMIT`] is refused before anything is printed,
//! so that no later program launch can fail for the size of the environment.
//!
//! The record is read back from the environment, which anyone who starts
//! swop controls, so it is not trusted: an entry is restored only when swop
//! could have touched that variable ([`Admission`]) and its value holds no
//! NUL, and a record longer than any swop writes is ignored whole.
//!
//! The order of the changes lets a shell that stops part-way be switched back:
//! the record comes first, covering every variable the switch is about to
//! change (those the previous profile left and those the next one binds,
//! sets or removes); then the restores, the bindings, the values, the unsets
//! and swop's own variables; last the record again, trimmed to the new
//! profile's variables. Switching from A to B restores A's saved values
//! first, so profiles never nest, and `--off` restores them all.
//!
//! A profile of a catalog tool also loses the inherited variables that would
//! carry another account's credentials or move the tool's state
//! ([`inherited`]); they are in the record, so `off` puts them back.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use crate::error::{Error, Result};
use crate::store::{Profile, Store};

mod inherited;

pub use inherited::removal_notice;

pub const PROFILE_VAR: &str = "SWOP_PROFILE";
pub const SAVED_VAR: &str = "SWOP_SAVED";
pub const HOME_VAR: &str = "SWOP_HOME";

/// The longest record swop writes or reads: half the kernel's limit on one
/// environment string (128 KiB on Linux), which leaves room for the values
/// themselves.
pub const SAVED_LIMIT: usize = 64 * 1024;

/// One change: set to a value, or unset.
pub type Change = (String, Option<OsString>);

/// What a switch prints, and what it had to leave out of the record it read.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// One line each about saved entries that were not restored, and about
    /// inherited variables that point a HOME-bound profile's tools back into
    /// the real home.
    pub warnings: Vec<String>,
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
    /// The profile a name in `SWOP_PROFILE` stands for; asked only when the
    /// record names a variable nothing else admits.
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

/// The changes that turn the current environment into the wanted one, in the
/// order of the module docs.
pub fn plan(current: &Current, profile: Option<&Profile>, store_root: &Path) -> Result<Plan> {
    let mut warnings = Vec::new();
    let saved = read_saved(current, profile, &mut warnings);
    let original = |name: &str| match saved.get(name) {
        Some(value) => value.clone(),
        None => (current.var)(name),
    };

    let mut changes: Vec<Change> = Vec::new();
    let Some(profile) = profile else {
        for (name, value) in &saved {
            changes.push((name.clone(), value.clone()));
        }
        changes.push((PROFILE_VAR.to_string(), None));
        changes.push((SAVED_VAR.to_string(), None));
        return Ok(Plan {
            changes,
            warnings,
            removed: Vec::new(),
        });
    };

    let found = inherited::find(profile, current, &saved, &original);
    warnings.extend(found.into_home.iter().cloned());
    let mut touched = touched_by(profile);
    touched.extend(found.removed.iter().map(String::as_str));
    let record: Vec<(&str, Option<OsString>)> =
        touched.iter().map(|name| (*name, original(name))).collect();
    let record_text = encode_checked(&record)?;
    let left_over: Vec<(&str, Option<OsString>)> = saved
        .iter()
        .filter(|(name, _)| !touched.contains(&name.as_str()))
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    if left_over.is_empty() {
        changes.push((SAVED_VAR.to_string(), Some(record_text.clone())));
    } else {
        let both: Vec<(&str, Option<OsString>)> = left_over
            .iter()
            .cloned()
            .chain(record.iter().cloned())
            .collect();
        changes.push((SAVED_VAR.to_string(), Some(encode_checked(&both)?)));
    }
    changes.extend(
        left_over
            .into_iter()
            .map(|(name, value)| (name.to_string(), value)),
    );
    for binding in &profile.bindings {
        changes.push((binding.var.clone(), Some(binding.value().into_os_string())));
    }
    for (name, value) in &profile.values {
        changes.push((name.clone(), Some(value.into())));
    }
    for name in profile.unset.iter().chain(&found.removed) {
        changes.push((name.clone(), None));
    }
    changes.push((
        HOME_VAR.to_string(),
        Some(store_root.as_os_str().to_os_string()),
    ));
    changes.push((PROFILE_VAR.to_string(), Some(profile.name.clone().into())));
    if changes[0].1.as_ref() != Some(&record_text) {
        changes.push((SAVED_VAR.to_string(), Some(record_text)));
    }
    Ok(Plan {
        changes,
        warnings,
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

/// The record, or an error that names the values too long to remember.
fn encode_checked(entries: &[(&str, Option<OsString>)]) -> Result<OsString> {
    let encoded = encode_saved(entries);
    if encoded.len() <= SAVED_LIMIT {
        return Ok(encoded);
    }
    let mut long: Vec<(&str, usize)> = entries
        .iter()
        .filter_map(|(name, value)| Some((*name, value.as_ref()?.len())))
        .collect();
    long.sort_by_key(|(_, len)| std::cmp::Reverse(*len));
    let named: Vec<String> = long
        .iter()
        .take(3)
        .map(|(name, len)| format!("{name} ({len} bytes)"))
        .collect();
    Err(Error::user(format!(
        "cannot switch: swop would have to remember {}, more than the {} KiB it keeps in {SAVED_VAR} \
         (a larger environment makes every program launch fail); shorten or unset {} first",
        named.join(", "),
        SAVED_LIMIT / 1024,
        long.first().map_or("them", |(name, _)| name)
    )))
}

/// The entries of the current record that may be restored.
fn read_saved(
    current: &Current,
    next: Option<&Profile>,
    warnings: &mut Vec<String>,
) -> BTreeMap<String, Option<OsString>> {
    let Some(record) = (current.var)(SAVED_VAR) else {
        return BTreeMap::new();
    };
    if record.len() > SAVED_LIMIT {
        warnings.push(format!(
            "{SAVED_VAR} is {} bytes, more than swop ever writes: ignored, and the variables it names keep their values",
            record.len()
        ));
        return BTreeMap::new();
    }
    let mut saved = decode_saved(record.as_bytes());
    let admission = Admission::new(current, next);
    saved.retain(|name, _| {
        let admitted = admission.admits(name);
        if !admitted {
            warnings.push(format!(
                "{SAVED_VAR} names {name}, which no profile binds or unsets: not restored"
            ));
        }
        admitted
    });
    saved
}

/// Which saved variables swop may restore: those it could have changed.
pub struct Admission<'a> {
    current: &'a Current<'a>,
    next: Option<&'a Profile>,
    previous: std::cell::OnceCell<Option<Profile>>,
}

impl<'a> Admission<'a> {
    pub fn new(current: &'a Current<'a>, next: Option<&'a Profile>) -> Self {
        Admission {
            current,
            next,
            previous: std::cell::OnceCell::new(),
        }
    }

    /// swop's store, any name a binding may take, the catalog's names, and
    /// what the profile being left or the one being entered binds or unsets;
    /// never a name on the block-list.
    pub fn admits(&self, name: &str) -> bool {
        if name == HOME_VAR {
            return true;
        }
        if crate::names::check_var_name(name).is_err() {
            return false;
        }
        if crate::names::names_a_place(name) || crate::recipe::catalog_knows(name) {
            return true;
        }
        if self.next.is_some_and(|p| touched_by(p).contains(&name)) {
            return true;
        }
        self.previous
            .get_or_init(|| {
                let active = (self.current.var)(PROFILE_VAR)?;
                (self.current.profile)(active.to_str()?)
            })
            .as_ref()
            .is_some_and(|p| touched_by(p).contains(&name))
    }
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
            encode_value(value.as_bytes(), &mut out);
        }
    }
    OsString::from_vec(out)
}

/// Printable UTF-8 as it is; `%`, `:`, control characters and stray bytes as `%XX`.
fn encode_value(value: &[u8], out: &mut Vec<u8>) {
    let escape = |b: u8, out: &mut Vec<u8>| out.extend_from_slice(format!("%{b:02X}").as_bytes());
    for chunk in value.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '%' || c == ':' || c.is_control() {
                let mut buf = [0u8; 4];
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    escape(b, out);
                }
            } else {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
        for &b in chunk.invalid() {
            escape(b, out);
        }
    }
}

/// Decode the saved record. Entries that do not parse, or whose value holds a
/// NUL (which no environment can carry), are skipped: a damaged record must
/// not stop a user from switching away.
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
            Some(Some(v)) if v.contains(&0) => continue,
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
    fn saved_record_round_trips_any_bytes() {
        let values: Vec<(&str, Option<OsString>)> = vec![
            (
                "A",
                Some(OsString::from_vec(b"x:y%z =\n\xff\xc3\xa9".to_vec())),
            ),
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
    fn the_record_is_about_as_long_as_its_values() {
        let value = OsString::from("/home/me/é/".repeat(1000));
        let encoded = encode_saved(&[("HOME", Some(value.clone()))]);
        assert_eq!(encoded.len(), "HOME=".len() + value.len());
    }

    #[test]
    fn damaged_record_is_skipped_not_fatal() {
        let d = decode_saved(b"A=%zz:1BAD:B=ok:SWOP_SAVED=x::C:D=a%00b");
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
        for p in [Some(&a), Some(&b), Some(&a), None] {
            let changes = plan_in(&env, p, &[]).unwrap().changes;
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
        let to_a = plan_in(&env, Some(&a), &[]).unwrap().changes;
        apply(&mut env, &to_a);
        let on_a = env.clone();
        let to_b = plan_in(&on_a, Some(&b), &[]).unwrap().changes;
        assert_eq!(to_b[0].0, SAVED_VAR, "the record comes first");
        for stop in 1..=to_b.len() {
            let mut half = on_a.clone();
            apply(&mut half, &to_b[..stop]);
            let off = plan_in(&half, None, &[]).unwrap().changes;
            apply(&mut half, &off);
            assert_eq!(half, start, "stopped after {stop} changes");
        }
    }

    #[test]
    fn only_variables_swop_could_have_touched_are_restored() {
        let mut env: BTreeMap<String, OsString> = BTreeMap::new();
        env.insert(
            SAVED_VAR.into(),
            "LD_PRELOAD=/tmp/x.so:PATH=/evil:PROMPT_COMMAND=x:UID=0:GIT_SSH_COMMAND=x:\
             CODEX_HOME=/c:GH_TOKEN=t:MY_TOKEN=m:SWOP_HOME=/s"
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
        assert_eq!(
            restored,
            ["CODEX_HOME", "GH_TOKEN", "MY_TOKEN", "SWOP_HOME"]
        );
        assert_eq!(plan.warnings.len(), 5, "{:?}", plan.warnings);
        // Without the profile that unset it, MY_TOKEN is not restored either.
        let plan = plan_in(&env, None, &[]).unwrap();
        assert!(plan.changes.iter().all(|(k, _)| k != "MY_TOKEN"));
    }

    #[test]
    fn an_oversized_value_is_refused_before_anything_changes() {
        let mut env: BTreeMap<String, OsString> = BTreeMap::new();
        env.insert("HOME".into(), OsString::from("x".repeat(SAVED_LIMIT + 1)));
        let a = profile("a", &["HOME"]);
        let err = plan_in(&env, Some(&a), &[]).unwrap_err().to_string();
        assert!(err.contains("HOME (65537 bytes)"), "{err}");
        env.insert(
            SAVED_VAR.into(),
            OsString::from("x".repeat(SAVED_LIMIT + 1)),
        );
        let plan = plan_in(&env, None, &[]).unwrap();
        assert_eq!(plan.warnings.len(), 1);
    }
}
