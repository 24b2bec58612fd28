//! Accounts, not just folders: values a profile sets, the credential and
//! override variables it refuses to inherit, and who each profile is logged
//! in as.

mod catalog;
mod inherited;
mod status;
mod values;
