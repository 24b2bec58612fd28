//! Values: variables a profile sets to plain text (`AWS_PROFILE=work`,
//! `GH_HOST=github.example.com`), kept in `profile.toml` beside the bindings.
//!
//! A value is not a place, so it need not name one; it must not be code
//! either ([`crate::names::check_value_name`]). Values are text: TOML holds
//! nothing else, and JSON output could not carry other bytes exactly. They
//! are stored in the clear, like the rest of `profile.toml`: not secret
//! storage.

use super::ProfileFile;
use crate::error::{Result, Usage, Value};
use crate::names;
use crate::output;

/// A value is one line of configuration or a URL, never a file's content.
const VALUE_LIMIT: usize = 16 * 1024;

/// Whether `value` may be the value of `var`: the name passes the value
/// rule, and the text holds no NUL (which no environment can carry) and is
/// not larger than configuration gets.
pub fn check_value(var: &str, value: &str) -> Result<(), Value> {
    names::check_value_name(var)?;
    if value.contains('\0') {
        return Err(Value::HasNul(var.to_string()));
    }
    if value.len() > VALUE_LIMIT {
        return Err(Value::TooLong {
            var: var.to_string(),
            len: value.len(),
            limit: VALUE_LIMIT,
        });
    }
    Ok(())
}

/// `VAR=VALUE` from the command line, checked: the value must be text.
pub fn parse_assignment(arg: &std::ffi::OsStr) -> Result<(String, String)> {
    let shown = output::quoted(&arg.to_string_lossy());
    let text = arg.to_str().ok_or_else(|| Value::NotText(shown.clone()))?;
    let (var, value) = text
        .split_once('=')
        .ok_or_else(|| Usage::NotAnAssignment(shown.clone()))?;
    check_value(var, value)?;
    Ok((var.to_string(), value.to_string()))
}

/// Every value of a profile file is valid and names a variable that is not
/// also bound.
pub(super) fn check_file(file: &ProfileFile) -> Result<(), Value> {
    for (var, value) in &file.values {
        check_value(var, value)?;
        if file.bindings.contains_key(var) || file.files.contains_key(var) {
            return Err(Value::BoundAndSet(var.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_text_without_nul_and_never_code() {
        assert!(check_value("AWS_PROFILE", "work").is_ok());
        assert!(check_value("OPENAI_BASE_URL", "").is_ok());
        assert!(check_value("X", "a'b\"c$(d)`e`\n\\").is_ok());
        assert!(check_value("X", "a\0b").is_err());
        assert!(check_value("LD_PRELOAD", "x").is_err());
        assert!(check_value("GIT_SSH_COMMAND", "ssh").is_err());
        assert!(check_value("X", &"x".repeat(VALUE_LIMIT + 1)).is_err());
    }

    #[test]
    fn assignments_split_at_the_first_equals_sign() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(
            parse_assignment(OsStr::new("A=b=c")).ok(),
            Some(("A".to_string(), "b=c".to_string()))
        );
        assert_eq!(
            parse_assignment(OsStr::new("A=")).ok(),
            Some(("A".to_string(), String::new()))
        );
        assert!(parse_assignment(OsStr::new("A")).is_err());
        assert!(parse_assignment(OsStr::new("=b")).is_err());
        assert!(parse_assignment(OsStr::from_bytes(b"A=\xff")).is_err());
    }

    #[test]
    fn a_bound_variable_cannot_also_hold_a_value() {
        let mut file = ProfileFile {
            version: 1,
            ..Default::default()
        };
        file.bindings
            .insert("CODEX_HOME".into(), "CODEX_HOME".into());
        file.values.insert("GH_HOST".into(), "h".into());
        assert!(check_file(&file).is_ok());
        file.values.insert("CODEX_HOME".into(), "/x".into());
        assert!(check_file(&file).is_err());
    }
}
