//! Which entries of a restore record swop may put back.
//!
//! The record comes from the environment, which whoever starts swop
//! controls, so it is not believed: an entry is restored only for a
//! variable that the profile being left (the one `SWOP_PROFILE` names)
//! changes, by a binding, a value, an unset, or as an inherited variable its
//! tools must not see. A forged record can therefore not bring back
//! `GIT_CONFIG_GLOBAL`, `KUBECONFIG` or `HOME` for a profile that never
//! touched them. When that profile can no longer be read (deleted from
//! another shell), only variables that still point into its folder are put
//! back: what swop itself left there. Nothing on the block-list is ever
//! restored.

use std::cell::OnceCell;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{Current, HOME_VAR, PROFILE_VAR, touched_by};
use crate::store::Profile;

/// The profile a record is being left for, and what it changed.
pub struct Admission<'a> {
    current: &'a Current<'a>,
    previous: OnceCell<Option<Profile>>,
}

/// Why an entry is not restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// On the block-list, or not a variable name.
    Blocked,
    /// The profile being left does not change it.
    NotTouched(String),
    /// The profile being left cannot be read, and the variable does not
    /// point into its folder.
    ProfileGone(String),
    /// No profile is being left.
    NoProfile,
}

impl<'a> Admission<'a> {
    pub fn new(current: &'a Current<'a>) -> Self {
        Admission {
            current,
            previous: OnceCell::new(),
        }
    }

    /// The name of the profile being left, as the environment says.
    fn previous_name(&self) -> Option<String> {
        (self.current.var)(PROFILE_VAR)?.into_string().ok()
    }

    fn previous(&self) -> Option<&Profile> {
        self.previous
            .get_or_init(|| (self.current.profile)(&self.previous_name()?))
            .as_ref()
    }

    /// Whether the saved value of `name` may be put back, and why not.
    pub fn check(&self, name: &str) -> Result<(), Refusal> {
        if name == HOME_VAR {
            return Ok(());
        }
        if crate::names::check_var_name(name).is_err() {
            return Err(Refusal::Blocked);
        }
        let Some(left) = self.previous_name() else {
            return Err(Refusal::NoProfile);
        };
        match self.previous() {
            Some(profile) if touches(profile, name) => Ok(()),
            Some(_) => Err(Refusal::NotTouched(left)),
            None if self.points_into(&left, name) => Ok(()),
            None => Err(Refusal::ProfileGone(left)),
        }
    }

    /// Whether `name` holds a path inside the folder of profile `left`, in
    /// the store `SWOP_HOME` names.
    fn points_into(&self, left: &str, name: &str) -> bool {
        if !crate::names::is_profile_name(left) {
            return false;
        }
        let Some(store) = (self.current.var)(HOME_VAR).map(PathBuf::from) else {
            return false;
        };
        let folder = store.join("profiles").join(left);
        let value: Option<OsString> = (self.current.var)(name);
        store.is_absolute() && value.is_some_and(|v| Path::new(&v).starts_with(&folder))
    }
}

/// Whether a switch to `profile` changes `name`: what it binds, sets and
/// unsets, swop's store, and the inherited variables its tools must not see.
pub fn touches(profile: &Profile, name: &str) -> bool {
    touched_by(profile).contains(&name)
        || profile
            .tools
            .iter()
            .any(|tool| crate::recipe::inherited_danger(tool, name))
}
