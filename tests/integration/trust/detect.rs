//! The syntax of `swop env` without `--shell`: the shell that reads it is
//! found past the programs that only run swop (`timeout`, `env`, `nice`,
//! `xargs`, ...), `$SHELL` is never taken for it, and where no shell is
//! found swop refuses and names `--shell` instead of guessing.

use std::ffi::OsStr;
use std::fs;

use crate::common::{OutputExt, Swop, require, walk};

/// Values whose POSIX quoting, read by fish, would run the text after them.
const TRICKY: [(&str, &str); 2] = [
    ("A_VALUE", "x\\"),
    ("B_VALUE", "'; touch pwned; echo '$(touch pwned)"),
];

fn profile() -> Swop {
    let swop = Swop::new();
    let mut args = vec![
        "add".to_string(),
        "inj".into(),
        "--bind".into(),
        "CODEX_HOME".into(),
    ];
    for (name, value) in TRICKY {
        args.push("--set".into());
        args.push(format!("{name}={value}"));
    }
    swop.args(&args).success();
    swop
}

#[track_caller]
fn assert_nothing_ran(swop: &Swop) {
    let pwned: Vec<_> = walk(swop.dir())
        .into_iter()
        .filter(|p| p.file_name() == Some(OsStr::new("pwned")))
        .collect();
    assert!(pwned.is_empty(), "a value's text ran: {pwned:?}");
}

#[test]
fn fish_behind_timeout_gets_fish_syntax_whatever_shell_says() {
    if !require("fish") || !require("timeout") {
        return;
    }
    let swop = profile();
    for runner in ["timeout 5", "env nice timeout 5", "command timeout 5"] {
        let script = format!(
            "{runner} swop env inj | source\nprintf '%s\\n' \"$A_VALUE\" \"$B_VALUE\" \"$SWOP_PROFILE\"\n"
        );
        let out = swop
            .command("fish")
            .args(["--no-config", "-c", &script])
            .env("SHELL", "/bin/bash")
            .output();
        assert!(out.status.success(), "{runner}: {}", out.stderr_str());
        let want = format!("{}\n{}\ninj\n", TRICKY[0].1, TRICKY[1].1);
        assert_eq!(out.stdout_str(), want, "{runner}: {}", out.stderr_str());
        assert_nothing_ran(&swop);
    }
}

#[test]
fn bash_behind_xargs_gets_bash_syntax() {
    if !require("bash") || !require("xargs") {
        return;
    }
    let swop = profile();
    let out = swop
        .command("bash")
        .args([
            "--norc",
            "-c",
            "eval \"$(echo inj | xargs swop env)\"; printf '%s\\n' \"$A_VALUE\" \"$B_VALUE\"",
        ])
        .env("SHELL", "/usr/bin/fish")
        .output();
    assert!(out.status.success(), "{}", out.stderr_str());
    assert_eq!(
        out.stdout_str(),
        format!("{}\n{}\n", TRICKY[0].1, TRICKY[1].1)
    );
    assert_nothing_ran(&swop);
}

#[test]
fn no_shell_behind_the_runners_is_refused_with_the_flag_to_use() {
    if !require("timeout") {
        return;
    }
    let swop = profile();
    // The test starts `timeout`, which starts swop: no shell reads the output.
    let out = swop
        .command("timeout")
        .args(["5", "swop", "env", "inj"])
        .env("SHELL", "/bin/bash")
        .failure(2);
    assert!(out.stdout.is_empty(), "{}", out.stdout_str());
    let err = out.stderr_str();
    assert!(
        err.contains("cannot tell which shell")
            && err.contains("timeout")
            && err.contains("--shell"),
        "{err}"
    );
    // Told, it prints.
    swop.command("timeout")
        .args(["5", "swop", "env", "inj", "--shell", "fish"])
        .success();
    assert!(!fs::exists(swop.work().join("pwned")).unwrap_or(true));
}
