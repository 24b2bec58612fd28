//! The test suite's own promises: a test that skipped itself is listed when
//! the tests end, so it never passes for a pass, and with `CI` set a missing
//! program fails the test instead.

use std::process::Command;

/// A test that needs codex, run by itself with codex nowhere to be found.
fn run_without_codex(ci: bool) -> std::process::Output {
    let me = std::env::current_exe().expect("the test binary");
    let mut command = Command::new(me);
    command
        .args(["--exact", NEEDS_CODEX])
        .env("SWOP_TEST_CODEX_DIR", "/nonexistent/swop-test-codex");
    if ci {
        command.env("CI", "true");
    } else {
        command.env_remove("CI");
    }
    command.output().expect("run the test binary")
}

const NEEDS_CODEX: &str =
    "readme::the_first_run_command_then_the_quick_start_run_as_written_in_a_fresh_store";

#[test]
fn a_skipped_test_is_listed_at_the_end_and_fails_under_ci() {
    let out = run_without_codex(false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stderr.contains("SKIPPED: 1 test did not run"),
        "no summary: {stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "  {NEEDS_CODEX}: codex not found in /nonexistent/swop-test-codex"
        )),
        "{stderr}"
    );
    // The summary comes after the harness's own result line.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("test result: ok. 1 passed"), "{stdout}");

    let out = run_without_codex(true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{out:?}");
    assert!(stdout.contains("CI is set"), "{stdout}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("SKIPPED"));
}
