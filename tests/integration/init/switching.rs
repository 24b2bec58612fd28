//! Switching real shells: every `use`, `off` and `eval "$(swop env ...)"`
//! leaves status 0 in bash, zsh, fish and sh, and without `--shell` swop
//! prints the syntax of the shell that runs it, whatever the login shell is.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::common::{OutputExt, Shell, Swop, require, which_program};

/// A store with `work` (codex's recipe: CODEX_HOME bound, CODEX_SQLITE_HOME
/// unset although it is not set) and `home` (the default five), and a
/// `codex` first on PATH that says where it ran.
fn two_profiles() -> Swop {
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex"]);
    swop.add("home", &[]);
    let codex = swop.dir().join("bin/codex");
    fs::write(&codex, "#!/bin/sh\necho \"codex ran in $CODEX_HOME\"\n").expect("write codex");
    fs::set_permissions(&codex, fs::Permissions::from_mode(0o755)).expect("chmod codex");
    swop
}

/// `eval "$(swop env ARGS)"` in a POSIX shell, `swop env ARGS | source` in
/// fish, each followed by a line that prints the status it left.
fn switch_lines(shell: Shell, steps: &[(&str, &str)]) -> String {
    steps
        .iter()
        .map(|(label, args)| match shell {
            // After a failure: the switch's own status must replace it.
            Shell::Fish => format!("false; swop env {args} | source; echo {label}=$status\n"),
            _ => format!("false; eval \"$(swop env {args})\"; echo {label}=$?\n"),
        })
        .collect()
}

#[track_caller]
fn assert_all_zero(shell: Shell, text: &str, labels: &[&str]) {
    for label in labels {
        assert!(
            text.lines().any(|l| l == format!("{label}=0")),
            "{shell:?}: {label} did not leave status 0:\n{text}"
        );
    }
}

#[test]
fn every_switch_leaves_status_zero_in_every_shell() {
    let swop = two_profiles();
    let steps = [
        ("first", "home"),
        ("first_off", "--off"),
        ("use", "work"),
        ("again", "work"),
        ("switch", "home"),
        ("back", "work"),
        ("off", "--off"),
        ("off_again", "--off"),
    ];
    let labels: Vec<&str> = steps.iter().map(|(l, _)| *l).collect();
    for shell in Shell::ALL {
        if !shell.available() {
            continue;
        }
        let out = swop.shell(shell, &switch_lines(shell, &steps)).success();
        assert_all_zero(shell, &out.stdout_str(), &labels);
    }
}

#[test]
fn swop_use_then_a_tool_runs_the_tool_in_every_integrated_shell() {
    let swop = two_profiles();
    let codex_home = swop.profile_dir("work").join("CODEX_HOME");
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !shell.available() {
            continue;
        }
        let script = match shell {
            Shell::Fish => "swop init fish | source\n\
                 swop use work; and codex; echo use=$status\n\
                 swop use home; and echo switched; echo switch=$status\n\
                 swop off; and echo off-ok; echo off=$status\n"
                .to_string(),
            _ => format!(
                "eval \"$(swop init {})\"\n\
                 swop use work && codex; echo use=$?\n\
                 swop use home && echo switched; echo switch=$?\n\
                 swop off && echo off-ok; echo off=$?\n",
                shell.program()
            ),
        };
        let text = swop.shell(shell, &script).success().stdout_str();
        assert!(
            text.contains(&format!("codex ran in {}", codex_home.display())),
            "{shell:?}: codex did not run after swop use:\n{text}"
        );
        assert!(
            text.contains("switched") && text.contains("off-ok"),
            "{shell:?}:\n{text}"
        );
        assert_all_zero(shell, &text, &["use", "switch", "off"]);
    }
}

/// A login shell that is not the one running the script.
fn other_login_shell(shell: Shell) -> &'static str {
    match shell {
        Shell::Fish => "/bin/bash",
        _ => "/usr/bin/fish",
    }
}

#[test]
fn without_shell_swop_prints_for_the_shell_that_runs_it_not_the_login_shell() {
    let swop = two_profiles();
    let home = swop.profile_dir("home").join("HOME");
    let want = format!("home={}", home.display());
    for shell in Shell::ALL {
        if !shell.available() {
            continue;
        }
        let script = match shell {
            Shell::Fish => "swop env home | source; or exit 9; echo home=$HOME\n",
            _ => "set -e; eval \"$(swop env home)\"; echo home=$HOME\n",
        };
        let text = swop
            .shell(shell, script)
            .env("SHELL", other_login_shell(shell))
            .success()
            .stdout_str();
        assert!(text.lines().any(|l| l == want), "{shell:?}:\n{text}");
    }
}

#[test]
fn a_bash_script_with_a_fish_login_shell_gets_bash_syntax() {
    if !Shell::Bash.available() {
        return;
    }
    let swop = two_profiles();
    // Run as a file, so that the parent's command name is the script's, not bash.
    let script: PathBuf = swop.work().join("switch-and-run");
    fs::write(
        &script,
        "#!/usr/bin/env bash\nset -euo pipefail\neval \"$(swop env work)\"\ncodex\n",
    )
    .expect("write script");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod script");
    let text = swop
        .command(&script)
        .env("SHELL", "/usr/bin/fish")
        .success()
        .stdout_str();
    let codex_home = swop.profile_dir("work").join("CODEX_HOME");
    assert_eq!(text, format!("codex ran in {}\n", codex_home.display()));
}

#[test]
fn a_parent_that_is_no_shell_is_told_to_name_one_whatever_shell_says() {
    let swop = two_profiles();
    // The test itself is the parent here: no shell.
    for login in [
        Some("/usr/bin/fish"),
        Some("/bin/tcsh"),
        Some("/usr/bin/pwsh"),
        None,
    ] {
        let run = swop.args(["env", "home"]);
        let run = match login {
            Some(shell) => run.env("SHELL", shell),
            None => run.env_remove("SHELL"),
        };
        let out = run.failure(2);
        assert!(
            out.stdout.is_empty(),
            "SHELL={login:?}: {}",
            out.stdout_str()
        );
        let err = out.stderr_str();
        assert!(
            err.contains("cannot tell which shell") && err.contains("--shell"),
            "SHELL={login:?}: {err}"
        );
    }
}

#[test]
fn a_parent_shell_swop_cannot_print_for_is_told_to_name_one() {
    if !require("dash") {
        return;
    }
    let swop = two_profiles();
    // A shell swop has no syntax for, by every name the system gives it.
    let pwsh = swop.dir().join("bin/pwsh");
    std::fs::copy(which_program("dash"), &pwsh).expect("copy dash");
    let out = swop
        .command(&pwsh)
        .args(["-c", "swop env home"])
        .env("SHELL", "/bin/bash")
        .failure(2);
    assert!(out.stdout.is_empty(), "{}", out.stdout_str());
    let err = out.stderr_str();
    assert!(err.contains("pwsh") && err.contains("--shell"), "{err}");
}

#[test]
fn a_tcsh_parent_gets_tcsh_syntax() {
    if !require("tcsh") {
        return;
    }
    let swop = two_profiles();
    let out = swop
        .command("tcsh")
        .args(["-f", "-c", "swop env home"])
        .env("SHELL", "/bin/bash")
        .success();
    assert!(
        out.stdout_str().starts_with("setenv "),
        "{}",
        out.stdout_str()
    );
}

#[test]
fn without_the_integration_swop_use_names_the_line_for_the_shell_it_runs_in() {
    let swop = two_profiles();
    for (shell, flags, load, by_hand) in [
        (
            "elvish",
            "-norc",
            "eval (swop init elvish | slurp)",
            "eval (swop env home | slurp)",
        ),
        (
            "xonsh",
            "--no-rc",
            "execx($(swop init xonsh))",
            "execx($(swop env home))",
        ),
        (
            "tcsh",
            "-f",
            "eval \"`swop init tcsh`\"",
            "eval \"`swop env home`\"",
        ),
    ] {
        if !require(shell) {
            continue;
        }
        let out = swop
            .command(shell)
            .args([flags, "-c", "swop use home"])
            .env("SHELL", "/bin/bash")
            .output();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(load) && err.contains(by_hand),
            "{shell}: {err}"
        );
    }
}
