//! The README's accounts, as written: the line that proves the codex recipe,
//! a profile of two tools with values and what `swop status` prints for it,
//! two agent accounts sharing their history and picked by room, and the
//! samples of `swop status` and `swop exec --pick` for the situations they
//! describe.

use std::fs;

use super::*;
use crate::accounts::sessions::{now, write_session};

const KEY: &str = "sk-test-readme-0000000000";

/// The line's words apart from its comment.
fn code(line: &str) -> &str {
    line.split('#').next().unwrap().trim()
}

/// A line of swop's output with each key codex masked (`sk-proj-***Xb3kQ`)
/// written as `<key>`.
fn keys_masked(line: &str) -> String {
    line.split(' ')
        .map(|w| if w.contains("***") { "<key>" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_line_that_proves_the_codex_recipe_records_it() {
    if !require("strace") || !require("node") {
        return;
    }
    let swop = Swop::new();
    let Some(codex) = codex_bin(swop.dir()) else {
        return;
    };
    let blocks = sh_blocks(&section("Two codex accounts"));
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let tmp = swop.dir().join("tmp");
    fs::create_dir_all(&tmp).expect("mkdir tmp");
    let out = bash(&swop, &blocks[0].join("\n"))
        .env("PATH", path_with_codex(&swop, Some(&codex)))
        .env("TMPDIR", &tmp)
        .success();
    let said = out.stderr_str();
    assert!(
        said.contains("recorded the codex recipe (CODEX_HOME)"),
        "{said}"
    );
    let out = swop.args(["add", "work", "--tool", "codex"]).success();
    assert!(!out.stderr_str().contains("note:"), "{}", out.stderr_str());
    assert!(!swop.user_home().join(".codex").exists());
}

#[test]
fn a_profile_of_two_tools_runs_as_written_and_status_prints_the_sample() {
    let swop = Swop::new();
    let Some(codex) = codex_bin(swop.dir()) else {
        return;
    };
    let Some(aws) = aws() else {
        return;
    };
    let path = format!(
        "{}:{}",
        program_bin(swop.dir(), "aws", &aws).display(),
        path_with_codex(&swop, Some(&codex))
    );
    let part = section("Accounts: values, credentials");
    let blocks = sh_blocks(&part);
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let out = bash(&swop, &blocks[0].join("\n"))
        .env("PATH", &path)
        .env("OPENAI_API_KEY", KEY)
        .success();
    // What the block prints on stdout is its last line's: swop status acme.
    let sample = &plain_blocks(&part)[0];
    let got: Vec<String> = out.stdout_str().lines().map(keys_masked).collect();
    let wanted: Vec<String> = sample.iter().map(|l| keys_masked(l)).collect();
    assert_eq!(got, wanted, "{}", out.stderr_str());
    assert!(!out.stdout_str().contains(KEY));
}

#[test]
fn two_agent_accounts_run_as_written() {
    let swop = Swop::new();
    let Some(codex) = codex_bin(swop.dir()) else {
        return;
    };
    let blocks = sh_blocks(&section("Several agent accounts"));
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    // codex's TUI needs a terminal: in its place, a command that says where
    // it runs.
    let mut tui = 0;
    let script: Vec<String> = blocks[0]
        .iter()
        .map(|line| match code(line).strip_suffix(" -- codex") {
            Some(pick) if interactive(line) => {
                tui += 1;
                format!("{pick} -- printenv SWOP_PROFILE CODEX_HOME")
            }
            _ => line.clone(),
        })
        .collect();
    assert_eq!(tui, 1, "{script:?}");
    let out = bash(&swop, &script.join("\n"))
        .env("PATH", path_with_codex(&swop, Some(&codex)))
        .success();
    let (text, said) = (out.stdout_str(), out.stderr_str());
    let codex_home = |name: &str| swop.profile_dir(name).join("CODEX_HOME");
    let shared = swop.root().join("shared/codex/history.jsonl");
    for name in ["work", "personal"] {
        let history = codex_home(name).join("history.jsonl");
        assert_eq!(fs::read_link(&history).ok(), Some(shared.clone()), "{said}");
    }
    // No session has run yet: status says so for each, and the pick takes
    // the first of the list.
    assert_eq!(
        text.matches("no usage recorded by codex yet").count(),
        2,
        "{text}"
    );
    assert!(
        text.starts_with("personal\n  codex  not logged in  ") && text.contains("\nwork\n"),
        "{text}"
    );
    assert!(said.contains("swop: picked work ("), "{said}");
    assert!(
        text.ends_with(&format!("work\n{}\n", codex_home("work").display())),
        "{text}"
    );
}

/// A ChatGPT login is made in a browser: in its place, the file it leaves,
/// with tokens that are not real. `codex login status` reads it and asks no
/// server.
const CHATGPT_AUTH: &str =
    r#"{"tokens":{"id_token":"x.e30.sig","access_token":"a","refresh_token":"r"}}"#;

/// `line` with the time of each `(resets ...)` written as `TIME`: the sample
/// was taken at another hour of another day.
fn times_masked(line: &str) -> String {
    match line.split_once("(resets ") {
        Some((before, after)) => {
            let rest = after.split_once(')').map_or("", |(_, rest)| rest);
            format!("{before}(resets TIME){rest}")
        }
        None => line.to_string(),
    }
}

#[test]
fn status_prints_the_usage_sample_for_the_same_records() {
    let swop = Swop::new();
    let Some(codex) = codex_bin(swop.dir()) else {
        return;
    };
    swop.add("work", &["--tool", "codex"]);
    let codex_home = swop.profile_dir("work").join("CODEX_HOME");
    fs::write(codex_home.join("auth.json"), CHATGPT_AUTH).expect("write auth.json");
    // The sample's figures, recorded 12 minutes ago.
    let t = now();
    let windows = [(42.0, 300, t + 3600), (77.0, 10_080, t + 3 * 86_400)];
    write_session(&codex_home, t - 12 * 60 - 10, "0199a2b3-readme", &windows);
    let sample = &plain_blocks(&subsection("How much is left"))[0];
    let out = swop
        .args(["status", "work"])
        .env("PATH", path_with_codex(&swop, Some(&codex)))
        .success();
    let got: Vec<String> = out.stdout_str().lines().map(times_masked).collect();
    let wanted: Vec<String> = sample.iter().map(|l| times_masked(l)).collect();
    assert_eq!(got, wanted, "{}", out.stderr_str());
}

#[test]
fn pick_says_which_and_why_as_the_sample_does() {
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex"]);
    swop.add("personal", &["--tool", "codex"]);
    let t = now();
    let personal = swop.profile_dir("personal").join("CODEX_HOME");
    write_session(
        &personal,
        t - 60,
        "0199a2b3-readme",
        &[(12.0, 300, t + 3600)],
    );
    let sample = &plain_blocks(&subsection("Run where there is room"))[0];
    assert_eq!(sample.len(), 1, "{sample:?}");
    let holder = Holder::start(&swop, "work", &[]);
    // The command run does not change the pick.
    let out = swop
        .args(["exec", "--pick", "work,personal", "--", "true"])
        .success();
    holder.release();
    assert_eq!(
        out.stderr_str().lines().next(),
        Some(sample[0].as_str()),
        "{}",
        out.stderr_str()
    );
}
