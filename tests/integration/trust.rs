//! What swop trusts and what it does not: a `.swop` switches nothing until
//! its owner allows it, the values a profile takes out of the environment
//! never reach the profile's processes, a restore record brings back only
//! what the profile being left changed, no value runs code, shell syntax is
//! never guessed, and only the calling user's processes are listed, stopped
//! or counted.

mod detect;
mod folders;
mod kept;
mod names;
mod residents;
