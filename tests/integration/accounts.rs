//! Accounts, not just folders: values a profile sets, the credential and
//! override variables it refuses to inherit, who each profile is logged in
//! as, and how much of its limits is used.

mod catalog;
mod editing;
mod inherited;
mod logins;
mod pick;
mod provider;
pub(crate) mod sessions;
mod sharing;
mod status;
mod usage;
mod values;
