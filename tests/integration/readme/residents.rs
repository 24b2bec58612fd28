//! The README's residents transcript, run against the real codex daemon:
//! `swop ps work` and `swop stop work` print what it shows, pids, times and
//! the cut of long commands aside.

use std::time::Duration;

use super::*;

/// Ends whatever still runs in the store when the test ends, failed or not.
struct Sweep<'a>(&'a Swop);

impl Drop for Sweep<'_> {
    fn drop(&mut self) {
        let _ = self.0.args(["stop", "--all", "--timeout", "1"]).output();
    }
}

/// The commands of a transcript (`$ ` lines), each with the lines it printed.
fn steps(transcript: &[String]) -> Vec<(String, Vec<String>)> {
    let mut steps: Vec<(String, Vec<String>)> = Vec::new();
    for line in transcript {
        match (line.strip_prefix("$ "), steps.last_mut()) {
            (Some(command), _) => steps.push((command.to_string(), Vec::new())),
            (None, Some((_, printed))) => printed.push(line.clone()),
            (None, None) => panic!("output before the first command: {line}"),
        }
    }
    steps
}

/// Two commands as a table shows them, each maybe cut short (`...`): the
/// same where both are shown, and neither cut to nothing.
fn same_command(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim_end_matches("..."), b.trim_end_matches("..."));
    !a.is_empty() && !b.is_empty() && (a.starts_with(b) || b.starts_with(a))
}

/// A row of `swop ps`: its profile, pid, start, HOW and command.
fn row(line: &str) -> (String, String, String, String, String) {
    let words: Vec<&str> = line.split_whitespace().collect();
    assert!(words.len() >= 6, "not a row: {line}");
    (
        words[0].to_string(),
        words[1].to_string(),
        words[2].to_string(),
        words[3..5].join(" "),
        words[5..].join(" "),
    )
}

/// A line of `swop stop`: `swop: stopped pid PID (COMMAND) of profile "NAME"`.
fn stopped(line: &str) -> (String, String) {
    let rest = line
        .strip_prefix("swop: stopped pid ")
        .unwrap_or_else(|| panic!("not a stop line: {line}"));
    let (pid, rest) = rest.split_once(" (").expect("a command");
    assert!(pid.chars().all(|c| c.is_ascii_digit()), "{line}");
    let (command, profile) = rest.rsplit_once(") of profile ").expect("a profile");
    (command.to_string(), profile.to_string())
}

#[test]
fn ps_and_stop_print_what_the_residents_transcript_shows() {
    if !require("node") {
        return;
    }
    let swop = Swop::new();
    let Some(codex) = codex_bin(swop.dir()) else {
        return;
    };
    let _sweep = Sweep(&swop);
    let path = path_with_codex(&swop, Some(&codex));
    let blocks = sh_blocks(&section("Residents"));
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let steps = steps(&blocks[0]);
    let commands: Vec<&str> = steps.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(commands, ["swop ps work", "swop stop work"]);
    let (ps_sample, stop_sample) = (&steps[0].1, &steps[1].1);

    swop.add("work", &["--tool", "codex"]);
    swop.args(["exec", "work", "--", "codex", "login", "--with-api-key"])
        .stdin("sk-test-readme-0000000000\n")
        .env("PATH", &path)
        .success();
    // codex's TUI starts the daemon and needs a terminal: in its place, the
    // command that starts the same daemon.
    swop.args([
        "exec",
        "work",
        "--",
        "codex",
        "app-server",
        "daemon",
        "start",
    ])
    .env("PATH", &path)
    .success();
    let rows = ps_sample.len() - 1;
    let running = || {
        let out = swop.args(["ps", "work", "--json"]).success();
        let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        list.as_array().map_or(0, Vec::len)
    };
    assert!(
        wait_until(Duration::from_secs(10), || running() == rows),
        "{} processes, not {rows}",
        running()
    );

    let out = bash(&swop, "swop ps work").success();
    let table: Vec<String> = out.stdout_str().lines().map(String::from).collect();
    assert_eq!(table.len(), ps_sample.len(), "{table:#?}");
    assert_eq!(
        flat(&table[0]),
        flat(&ps_sample[0]),
        "the header: {table:#?}"
    );
    for sample in &ps_sample[1..] {
        let (profile, _, _, how, command) = row(sample);
        let found = table[1..]
            .iter()
            .map(|l| row(l))
            .find(|r| (&r.0, &r.3) == (&profile, &how) && same_command(&r.4, &command));
        let (_, pid, started, _, _) =
            found.unwrap_or_else(|| panic!("no row like {sample:?} in {table:#?}"));
        assert!(pid.parse::<u32>().is_ok(), "{pid}");
        assert!(
            started
                .chars()
                .all(|c| c.is_ascii_digit() || c == ':' || c == '-'),
            "{started}"
        );
    }

    let out = bash(&swop, "swop stop work").success();
    let said: Vec<String> = out.stderr_str().lines().map(String::from).collect();
    assert_eq!(said.len(), stop_sample.len(), "{said:#?}");
    for sample in stop_sample {
        let (command, profile) = stopped(sample);
        assert!(
            said.iter()
                .map(|l| stopped(l))
                .any(|(c, p)| p == profile && same_command(&c, &command)),
            "no line like {sample:?} in {said:#?}"
        );
    }
    assert_eq!(running(), 0, "the daemon still runs");
}
