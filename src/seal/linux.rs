//! The seal on Linux: one Landlock ruleset that handles reads and writes.
//!
//! Landlock only allows: to hide a place while the rest stays readable,
//! every folder and file beside it, down the path from `/`, gets a rule of
//! its own, and the folders on that path get none (their own names can be
//! listed through the rule on their parent, not their contents).

use std::path::{Path, PathBuf};

use super::Policy;
use crate::error::{Result, Seal};
use crate::sys::landlock::{self, Rules};

/// Seal the calling process, which is about to exec the command: from
/// here on it, and everything it starts, is held to `policy`.
pub fn seal_this_process(policy: &Policy) -> Result<()> {
    super::require()?;
    let abi = landlock::abi().unwrap_or_default();
    rules(policy, abi)
        .restrict_this_process()
        .map_err(|e| Seal::Refused(e).into())
}

/// The ruleset for `policy`.
pub fn rules(policy: &Policy, abi: u32) -> Rules {
    let mut rules = Rules::reads_and_writes(abi);
    readable_around(Path::new("/"), policy, &mut rules);
    for place in &policy.writable {
        // A writable folder that holds a hidden place (the store under
        // /tmp) is allowed around it; one inside a hidden place (the
        // profile's own folders in the store) is the exception it makes.
        let kept_out = policy.hidden.iter().chain(&policy.protected);
        if kept_out.clone().any(|h| place.starts_with(h)) {
            rules.allow_folder(place);
        } else {
            writable_around(place, policy, &mut rules);
        }
    }
    for device in &policy.devices {
        rules.allow_file(device);
    }
    rules.allow_standard_files();
    rules
}

/// Allow reading `dir` whole, or, when a hidden place lies in it, each of
/// its entries but the hidden ones (and inside a hidden one, only the
/// places that stay readable).
fn readable_around(dir: &Path, policy: &Policy, rules: &mut Rules) {
    if policy.hidden.iter().any(|h| dir.starts_with(h)) {
        for keep in policy.readable.iter().filter(|r| r.starts_with(dir)) {
            rules.allow_reading(keep, keep.is_dir());
        }
        return;
    }
    if !policy.hidden.iter().any(|h| h.starts_with(dir)) {
        rules.allow_reading(dir, true);
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path: PathBuf = entry.path();
        // A link is read through where it leads, which has rules of its
        // own; a rule on the link would follow it past a hidden place.
        if kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            readable_around(&path, policy, rules);
        } else if !policy.hidden.iter().any(|h| path.starts_with(h)) {
            rules.allow_reading(&path, false);
        }
    }
}

/// Allow writing everything in `dir` but its hidden and protected places.
fn writable_around(dir: &Path, policy: &Policy, rules: &mut Rules) {
    let mut kept_out = policy.hidden.iter().chain(&policy.protected);
    if !kept_out.clone().any(|h| h.starts_with(dir)) {
        rules.allow_folder(dir);
        return;
    }
    if kept_out.any(|h| dir.starts_with(h)) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            continue;
        }
        let path = entry.path();
        if kind.is_dir() {
            writable_around(&path, policy, rules);
        } else if !policy
            .hidden
            .iter()
            .chain(&policy.protected)
            .any(|h| path.starts_with(h))
        {
            rules.allow_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    use super::*;

    #[test]
    fn hidden_places_are_neither_read_nor_written_and_the_rest_is_read() {
        let Some(abi) = landlock::abi().filter(|a| *a >= landlock::FULL_WRITE_ABI) else {
            if std::env::var_os("CI").is_some() {
                panic!("Landlock ABI 3 must work in CI");
            }
            crate::test_skips::skip("this kernel has no Landlock ABI 3");
            return;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let dir = std::fs::canonicalize(dir.path()).expect("canonical");
        let home = dir.join("home");
        let own = dir.join("own");
        for d in [home.join(".codex"), home.join(".config"), own.clone()] {
            std::fs::create_dir_all(&d).expect("mkdir");
        }
        std::fs::write(home.join(".codex/auth.json"), "REAL").expect("write");
        std::fs::write(home.join(".config/x"), "shared").expect("write");
        std::fs::write(home.join(".bashrc"), "rc").expect("write");
        let policy = Policy {
            writable: vec![own.clone()],
            devices: vec!["/dev/null".into()],
            hidden: vec![home.join(".codex")],
            protected: vec![home.clone()],
            readable: Vec::new(),
        };
        let rules = rules(&policy, abi);
        let script = r#"set -u
cat "$1/.codex/auth.json" 2>/dev/null && exit 10
(echo stolen > "$1/.codex/auth.json") 2>/dev/null && exit 11
(echo x >> "$1/.bashrc") 2>/dev/null && exit 12
cat "$1/.config/x" "$1/.bashrc" >/dev/null || exit 13
echo mine > "$2/token" || exit 14
sh -c "cat '$1/.codex/auth.json'" 2>/dev/null && exit 15
echo quiet > /dev/null || exit 16
exit 0"#;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg("sh")
            .arg(&home)
            .arg(&own)
            .stdin(Stdio::null());
        // SAFETY: prctl and the Landlock calls are async-signal-safe.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                rules.apply()
            });
        }
        let status = cmd.status().expect("run");
        assert_eq!(status.code(), Some(0), "{status:?}");
        assert_eq!(
            std::fs::read_to_string(home.join(".codex/auth.json")).expect("read"),
            "REAL"
        );
        assert_eq!(
            std::fs::read_to_string(own.join("token")).expect("read"),
            "mine\n"
        );
    }
}
