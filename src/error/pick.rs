//! `swop exec --pick`: why a candidate was passed over, and the refusal
//! when none can be used.

use std::fmt;

use super::{Holder, describe_holders};

/// Why a candidate was passed over.
#[derive(Debug, Clone, PartialEq)]
pub enum Passed {
    /// Its lock is held, by these processes as far as they can be told.
    Busy(Vec<Holder>),
    Full(Full),
}

/// A window at 100% that has not reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Full {
    /// The window as people call it: `5h`, `weekly`.
    pub window: String,
    /// When it resets, as a person reads the time, when the tool said.
    pub until: Option<String>,
}

impl fmt::Display for Full {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "is at 100% of its {} window", self.window)?;
        match &self.until {
            Some(until) => write!(f, " until {until}"),
            None => Ok(()),
        }
    }
}

#[derive(Debug)]
pub enum Pick {
    /// No candidate can be used now: each, in the order given, and why
    /// (`None`: not tried); `waited` when `--wait` was given.
    NoneUsable {
        candidates: Vec<(String, Option<Passed>)>,
        waited: bool,
    },
}

impl fmt::Display for Pick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pick::NoneUsable { candidates, waited } => {
                let names: Vec<&str> = candidates.iter().map(|(name, _)| name.as_str()).collect();
                let why: Vec<String> = candidates
                    .iter()
                    .map(|(name, passed)| match passed {
                        Some(Passed::Busy(holders)) => {
                            format!("{name} is in use by {}", describe_holders(holders))
                        }
                        Some(Passed::Full(full)) => format!("{name} {full}"),
                        None => format!("{name} was not tried"),
                    })
                    .collect();
                let busy = candidates
                    .iter()
                    .any(|(_, passed)| matches!(passed, Some(Passed::Busy(_))));
                let next = match (busy, waited) {
                    (true, false) => "; add --wait [SECS] to wait for the first to be free",
                    (true, true) => "; try again, or use --wait without a limit",
                    (false, _) => {
                        "; wait for a window to reset, or add another profile to the list"
                    }
                };
                write!(
                    f,
                    "none of {} can be used now: {}{next}",
                    names.join(", "),
                    why.join("; ")
                )
            }
        }
    }
}
