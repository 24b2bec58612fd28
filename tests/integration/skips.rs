//! Skipped tests, made visible. `cargo test` shows what a passing test
//! printed only when asked (`--nocapture`), so a test that skipped itself
//! would look like one that passed. Each skip is kept here and, when the test
//! binary exits, listed on stderr past the harness's capture, after the
//! harness's own summary. With `CI` set, a missing program fails its test
//! before it gets here (see `require`); what is left are skips no install can
//! fix, such as a test that needs root.
//!
//! The integration tests and the library's unit tests share this file.

use std::io::Write;
use std::sync::{Mutex, Once};

static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());
static SUMMARY_AT_EXIT: Once = Once::new();

/// Skip the calling test for `reason`: said now (seen with `--nocapture`) and
/// again in the summary when the test binary exits.
pub fn skip(reason: &str) {
    eprintln!("skipped: {reason}");
    let test = std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .unwrap_or("a test")
        .to_string();
    SKIPPED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(format!("{test}: {reason}"));
    SUMMARY_AT_EXIT.call_once(|| {
        // SAFETY: registers a plain function with no arguments; it runs once,
        // when the process exits normally.
        unsafe {
            libc::atexit(print_summary);
        }
    });
}

/// The summary: every skip of this run, one a line.
extern "C" fn print_summary() {
    let skipped = SKIPPED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if skipped.is_empty() {
        return;
    }
    let mut text = format!(
        "\nSKIPPED: {} test{} did not run, so they did not pass either:\n",
        skipped.len(),
        if skipped.len() == 1 { "" } else { "s" }
    );
    for line in skipped.iter() {
        text.push_str(&format!("  {line}\n"));
    }
    text.push_str(
        "Install what they need (.ci/run installs everything on Debian; README: Tests); \
         with CI set, a missing program fails its test instead of skipping it.\n",
    );
    // Straight to the descriptor: the harness captures only print! and eprint!.
    let _ = std::io::stderr().write_all(text.as_bytes());
}
