//! The seal on macOS: a Seatbelt profile for `sandbox-exec`, the way codex
//! confines the commands it runs. Later rules win over earlier ones: writes
//! are refused, then allowed where the policy allows them; reads of hidden
//! places are refused, then allowed again where they stay readable.
//!
//! The profile is made on every platform, so that its text is tested where
//! the tests run; only macOS runs it.
#![cfg_attr(not(target_os = "macos"), allow(dead_code))]

use std::path::{Path, PathBuf};

use super::Policy;

/// The profile text for `policy`.
pub fn profile(policy: &Policy) -> String {
    let subpaths = |paths: &[PathBuf]| -> String {
        paths
            .iter()
            .map(|p| format!(" (subpath {})", string(p)))
            .collect()
    };
    let literals = |paths: &[PathBuf]| -> String {
        paths
            .iter()
            .map(|p| format!(" (literal {})", string(p)))
            .collect()
    };
    let mut kept_out = policy.hidden.clone();
    kept_out.extend(policy.protected.iter().cloned());
    // The profile's own folders in the store, the project in the home.
    let inside: Vec<PathBuf> = policy
        .writable
        .iter()
        .filter(|w| kept_out.iter().any(|k| w.starts_with(k)))
        .cloned()
        .collect();
    let mut out = String::from("(version 1)\n(allow default)\n(deny file-write*)\n");
    out.push_str(&format!(
        "(allow file-write*{}{})\n",
        subpaths(&policy.writable),
        literals(&policy.devices)
    ));
    if !kept_out.is_empty() {
        out.push_str(&format!("(deny file-write*{})\n", subpaths(&kept_out)));
    }
    if !inside.is_empty() {
        out.push_str(&format!("(allow file-write*{})\n", subpaths(&inside)));
    }
    if !policy.hidden.is_empty() {
        out.push_str(&format!("(deny file-read*{})\n", subpaths(&policy.hidden)));
    }
    let mut readable = policy.readable.clone();
    readable.extend(inside);
    if !readable.is_empty() {
        out.push_str(&format!("(allow file-read*{})\n", subpaths(&readable)));
    }
    out
}

/// A path as a Seatbelt string: quoted, with `"` and `\` escaped.
fn string(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `sandbox-exec -p PROFILE -- PROGRAM ARGS...` in place of the command.
#[cfg(target_os = "macos")]
pub fn wrap_command(
    policy: &Policy,
    program: &std::ffi::OsStr,
    args: &[std::ffi::OsString],
) -> (std::ffi::OsString, Vec<std::ffi::OsString>) {
    let mut wrapped = vec![
        "-p".into(),
        profile(policy).into(),
        "--".into(),
        program.to_os_string(),
    ];
    wrapped.extend(args.iter().cloned());
    ("/usr/bin/sandbox-exec".into(), wrapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_refuses_writes_then_allows_the_policys_places() {
        let policy = Policy {
            writable: vec![
                PathBuf::from("/Users/a/Library/Application Support/swop/profiles/work/CODEX_HOME"),
                PathBuf::from("/private/tmp"),
            ],
            devices: vec![PathBuf::from("/dev/null")],
            hidden: vec![
                PathBuf::from("/Users/a/.codex"),
                PathBuf::from("/Users/a/Library/Application Support/swop"),
            ],
            readable: vec![PathBuf::from(
                "/Users/a/Library/Application Support/swop/profiles/work",
            )],
            protected: vec![PathBuf::from("/Users/a")],
        };
        let text = profile(&policy);
        let lines: Vec<&str> = text.lines().collect();
        let own = "\"/Users/a/Library/Application Support/swop/profiles/work/CODEX_HOME\"";
        assert_eq!(
            lines[..3],
            ["(version 1)", "(allow default)", "(deny file-write*)"]
        );
        assert!(lines[3].starts_with(&format!("(allow file-write* (subpath {own})")));
        assert!(lines[3].ends_with("(literal \"/dev/null\"))"));
        assert_eq!(
            lines[4],
            "(deny file-write* (subpath \"/Users/a/.codex\") (subpath \"/Users/a/Library/Application Support/swop\") (subpath \"/Users/a\"))"
        );
        // The profile's own folder lies in the store: allowed again.
        assert_eq!(lines[5], format!("(allow file-write* (subpath {own}))"));
        assert_eq!(
            lines[6],
            "(deny file-read* (subpath \"/Users/a/.codex\") (subpath \"/Users/a/Library/Application Support/swop\"))"
        );
        assert!(lines[7].starts_with("(allow file-read* (subpath \"/Users/a/Library/Application Support/swop/profiles/work\")"));
        assert!(lines[7].contains(&format!("(subpath {own})")));
    }

    #[test]
    fn quotes_and_backslashes_cannot_end_a_string() {
        assert_eq!(string(Path::new("/a\"b\\c")), "\"/a\\\"b\\\\c\"");
    }
}
