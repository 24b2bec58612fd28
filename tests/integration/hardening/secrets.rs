//! Secrets: tokens a tool is given as arguments, on stdin or in its
//! environment never reach a report, its JSON, an error message, `swop doctor`
//! or a lock holder message; raw traces are private and gone after the run.

use std::fs;
use std::process::Output;
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::select;
use swop::redact::{REDACTED, redact_command, redact_text};

use super::{Lab, assert_private_tree, mode, scratch_folders};
use crate::common::{IN_USE, OutputExt, Swop, require, wait_until};

/// Tokens of the common shapes, each given to the tool one way or another.
const ARG_SK: &str = "sk-proj-Q1w2E3r4T5y6U7i8O9p0AsDfGhJk";
const ARG_GHP: &str = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
const ARG_JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZSJ9.c2lnbmF0dXJlLXZhbHVl";
const ARG_BEARER: &str = "opaqueBearerValue42";
const ARG_AKIA: &str = "AKIAQWERTYUIOP123456";
const ARG_AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzXAMPLEKEY";
const STEP_PASSWORD: &str = "plain-step-password-77";
const STDIN_SK: &str = "sk-stdin-Z9Y8X7W6V5U4T3S2R1Q0";
const ENV: [(&str, &str); 5] = [
    ("OPENAI_API_KEY", "sk-env-M1n2B3v4C5x6Z7l8K9j0"),
    ("GH_TOKEN", "ghp_envA1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6"),
    ("AWS_ACCESS_KEY_ID", "AKIAENVENVENVENV1234"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "envSecretAccessKey/With+Slash0123456789x",
    ),
    ("MY_PASSWORD", "plain-env-password-that-has-no-shape"),
];

fn all_secrets() -> Vec<&'static str> {
    let mut all = vec![
        ARG_SK,
        ARG_GHP,
        ARG_JWT,
        ARG_BEARER,
        ARG_AKIA,
        ARG_AWS_SECRET,
        STEP_PASSWORD,
        STDIN_SK,
    ];
    all.extend(ENV.iter().map(|(_, v)| *v));
    all
}

#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    for secret in all_secrets() {
        assert!(!text.contains(secret), "{what} holds {secret}:\n{text}");
    }
}

#[track_caller]
fn assert_output_clean(what: &str, out: &Output) {
    assert_no_secret(
        &format!("{what} stdout"),
        &String::from_utf8_lossy(&out.stdout),
    );
    assert_no_secret(
        &format!("{what} stderr"),
        &String::from_utf8_lossy(&out.stderr),
    );
}

#[test]
fn tokens_in_arguments_stdin_and_environment_never_reach_reports_errors_or_doctor() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "sectool",
        r#"d="${XDG_CONFIG_HOME:-$HOME/.config}/sectool"; mkdir -p "$d"
printf '%s\n' "$@" >> "$d/args"
cat >> "$d/stdin" || true
printf '%s\n' "${OPENAI_API_KEY-}" "${GH_TOKEN-}" "${MY_PASSWORD-}" >> "$d/env""#,
    );
    let report = lab.swop.dir().join("report.md");
    let step = format!("sh -c 'sectool --password {STEP_PASSWORD} && sectool status'");
    let header = format!("Authorization: Bearer {ARG_BEARER}");
    let mut run = lab
        .swop(&[
            "discover",
            "--json",
            "--keep-traces",
            "--report",
            report.to_str().expect("utf-8"),
            "--step",
            &step,
            "--",
            "sectool",
            "login",
            ARG_SK,
            "--token",
            ARG_GHP,
            ARG_JWT,
            "-H",
            &header,
            ARG_AKIA,
            ARG_AWS_SECRET,
        ])
        .stdin(format!("{STDIN_SK}\n"));
    for (var, value) in ENV {
        run = run.env(var, value);
    }
    let out = run.success();
    assert_output_clean("discover", &out);
    let markdown = fs::read_to_string(&report).expect("report written");
    assert_no_secret("report", &markdown);
    assert!(markdown.contains("<redacted>"), "{markdown}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        json["minimal_env"].to_string().contains("XDG_CONFIG_HOME"),
        "{json:#}"
    );
    // The tool did get every token: the report is clean because swop kept them out.
    let kept = scratch_folders(&lab.tmpdir());
    assert_eq!(kept.len(), 1, "{kept:?}");
    let given: String = crate::common::walk(&kept[0])
        .into_iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("sectool")))
        .filter_map(|p| fs::read_to_string(p).ok())
        .collect();
    for secret in [
        ARG_SK,
        ARG_JWT,
        ARG_AWS_SECRET,
        STEP_PASSWORD,
        STDIN_SK,
        ENV[4].1,
    ] {
        assert!(given.contains(secret), "the tool never saw {secret}");
    }
    // Credential variables of known tools are not inherited by the runs at all.
    assert!(
        !given.contains(ENV[0].1),
        "the runs inherited OPENAI_API_KEY"
    );
    fs::remove_dir_all(&kept[0]).expect("remove the kept scratch");

    // Error messages about commands that carry tokens.
    let mut doctor = lab.swop(&["doctor"]);
    for (var, value) in ENV {
        doctor = doctor.env(var, value);
    }
    assert_output_clean("doctor", &doctor.success());
    lab.swop.add("A", &[]);
    for args in [
        vec![
            "exec",
            "A",
            "--",
            "no-such-tool",
            "--token",
            ARG_GHP,
            ARG_SK,
        ],
        vec!["exec", "A", "--", ARG_SK],
        vec!["exec", "nope", "--", "sectool", ARG_SK],
        vec![
            "discover",
            "--json",
            "--",
            "no-such-tool",
            "--api-key",
            ARG_SK,
            ARG_JWT,
        ],
        vec!["discover", "--step", &step, "--json"],
    ] {
        let out = lab.swop(&args).output();
        assert_output_clean(&format!("{args:?}"), &out);
    }
}

#[test]
fn a_held_profile_never_shows_the_holders_tokens() {
    let swop = Swop::new();
    swop.add("p", &[]);
    let script = format!(
        "touch ready; i=0; while [ ! -e release ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done; \
         : --password {STEP_PASSWORD}"
    );
    let header = format!("Authorization: Bearer {ARG_BEARER}");
    let api_key = format!("--api-key={ARG_SK}");
    let mut holder = swop
        .args(["exec", "p", "--", "sh", "-c", &script, "holder", "--token"])
        .args([
            ARG_GHP,
            &api_key,
            ARG_JWT,
            &header,
            ARG_AKIA,
            ARG_AWS_SECRET,
        ])
        .spawn();
    let ready = swop.work().join("ready");
    assert!(
        wait_until(Duration::from_secs(10), || ready.exists()),
        "no holder"
    );
    let pid = holder.id();

    let outputs = [
        swop.args(["exec", "p", "--", "true"]).failure(IN_USE),
        swop.args(["exec", "p", "--lock", "shared", "--", "true"])
            .failure(IN_USE),
        swop.args(["exec", "p", "--wait", "0.2", "--", "true"])
            .failure(IN_USE),
        swop.args(["rm", "p"]).failure(IN_USE),
    ];
    for out in &outputs {
        let err = out.stderr_str();
        assert!(err.contains(&format!("pid {pid}")), "{err}");
        assert!(err.contains("<redacted>"), "{err}");
        assert_output_clean("holder message", out);
    }
    let recorded = fs::read(swop.profile_dir("p").join("lock")).expect("lock file");
    assert_no_secret("lock file", &String::from_utf8_lossy(&recorded));
    fs::write(swop.work().join("release"), "").expect("release");
    assert!(holder.wait().expect("wait").success());
}

#[test]
fn raw_traces_are_private_and_deleted_unless_kept_whatever_the_umask() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.record_tool();
    let report = lab.swop.dir().join("out/report.md");
    fs::create_dir(lab.swop.dir().join("out")).expect("mkdir");
    let under_umask_000 = |extra: &[&str]| {
        lab.swop
            .command("sh")
            .env("PATH", lab.path_var())
            .env("TMPDIR", lab.tmpdir())
            .args(["-c", "umask 000; exec swop \"$@\"", "sh"])
            .args(extra)
            .success()
    };
    let report_arg = report.to_str().expect("utf-8");
    let discover = ["discover", "--record", "rtool", "--report", report_arg];
    under_umask_000(&[&discover[..], &["--", "rtool"]].concat());
    assert!(
        scratch_folders(&lab.tmpdir()).is_empty(),
        "scratch left: {:?}",
        scratch_folders(&lab.tmpdir())
    );
    assert_eq!(mode(&report), 0o600, "report");
    assert_private_tree(&lab.swop.root());
    assert!(lab.swop.root().join("recipes/rtool.toml").is_file());

    let out = under_umask_000(&[&discover[..], &["--keep-traces", "--", "rtool"]].concat());
    let kept = scratch_folders(&lab.tmpdir());
    assert_eq!(kept.len(), 1, "{kept:?}");
    let err = out.stderr_str();
    assert!(err.contains(kept[0].to_str().expect("utf-8")), "{err}");
    let traces: Vec<_> = crate::common::walk(&kept[0])
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "strace"))
        .collect();
    assert!(!traces.is_empty(), "no raw traces kept");
    assert_scratch_private(&kept[0]);
    assert_eq!(mode(&report), 0o600, "report rewritten");
    assert_private_tree(&lab.swop.root());
}

/// What swop makes in a scratch folder is private: the folder, each run's
/// folder, its account and stand-in folders and the raw traces. What the traced
/// tool makes below them follows the tool's own umask. The two-account run
/// writes no output logs (see `the_two_account_run_keeps_the_tools_output_off_the_disk`).
#[track_caller]
fn assert_scratch_private(scratch: &std::path::Path) {
    assert_eq!(mode(scratch), 0o700, "{}", scratch.display());
    for path in crate::common::walk(scratch) {
        let depth = path
            .strip_prefix(scratch)
            .expect("below")
            .components()
            .count();
        let meta = fs::symlink_metadata(&path).expect("stat");
        if depth > 3 {
            continue;
        }
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), want, "{:o} {}", mode(&path), path.display());
    }
}

#[test]
fn the_two_account_run_keeps_the_tools_output_off_the_disk() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "chattytool",
        &format!(
            r#"d="${{RT_HOME:-$HOME/.rt}}"; mkdir -p "$d"; echo t > "$d/token"; echo "{ARG_SK}"; echo "{STDIN_SK}" >&2"#
        ),
    );
    // The traced runs show the tool's output on the terminal, as it would
    // be without swop; the two-account run keeps only a little, in memory.
    lab.swop(&["discover", "--json", "--keep-traces", "--", "chattytool"])
        .success();
    let kept = scratch_folders(&lab.tmpdir());
    assert_eq!(kept.len(), 1, "{kept:?}");
    for file in crate::common::walk(&kept[0]) {
        // Raw traces hold the tool's own writes (and stay private); what it
        // printed is kept nowhere.
        if file.extension().is_some_and(|e| e == "strace") {
            continue;
        }
        let text = fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        for secret in [ARG_SK, STDIN_SK] {
            assert!(
                !text.contains(secret),
                "{} holds the tool's output",
                file.display()
            );
        }
    }
    assert_scratch_private(&kept[0]);
    fs::remove_dir_all(&kept[0]).expect("remove the kept scratch");
}

/// A token of one of the common shapes.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            select(vec![
                "sk-",
                "sk-proj-",
                "ghp_",
                "github_pat_",
                "glpat-",
                "xoxb-",
                "AKIA",
                "hf_"
            ]),
            "[A-Za-z0-9]{16,40}"
        )
            .prop_map(|(p, rest)| format!("{p}{rest}")),
        (
            "[A-Za-z0-9_-]{8,30}",
            "[A-Za-z0-9_-]{8,30}",
            "[A-Za-z0-9_-]{8,30}"
        )
            .prop_map(|(a, b, c)| format!("eyJ{a}.eyJ{b}.{c}")),
        "[A-Za-z0-9+/]{37}".prop_map(|rest| format!("Ab1{rest}")),
        "[a-f0-9]{40,64}",
    ]
}

fn words() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[a-z][a-z./-]{0,10}", 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn prop_a_token_of_a_common_shape_never_survives_redaction(
        before in words(),
        after in words(),
        secret in token(),
        separator in select(vec![" ", "'", "\"", "|", ";", "&&", "(", ")", "`", ",", "\n", " > "]),
        bearer in any::<bool>(),
    ) {
        let shown = if bearer { format!("Bearer {secret}") } else { secret.clone() };
        let text = [before.join(" "), shown.clone(), after.join(" ")].join(separator);
        let once = redact_text(&text);
        prop_assert!(!once.contains(&secret), "{:?} -> {:?}", text, once);
        prop_assert_eq!(redact_text(&once), once.clone(), "not idempotent");
        let mut argv = before.clone();
        argv.push(shown);
        argv.extend(after.clone());
        let redacted = redact_command(&argv);
        prop_assert!(!redacted.join(" ").contains(&secret), "{:?}", redacted);
        prop_assert_eq!(redact_command(&redacted), redacted);
    }

    #[test]
    fn prop_whatever_follows_a_secret_flag_is_redacted(
        before in words(),
        after in words(),
        flag in select(vec!["--token", "--api-key", "--password", "--client-secret", "--github-token", "-key", "--aws-secret-access-key"]),
        secret in "[ -~]{1,30}",
        joined in any::<bool>(),
    ) {
        let mut argv = before.clone();
        if joined {
            argv.push(format!("{flag}={secret}"));
        } else {
            argv.push(flag.to_string());
            argv.push(secret.clone());
        }
        argv.extend(after);
        let redacted = redact_command(&argv);
        let at = before.len();
        if joined {
            prop_assert_eq!(&redacted[at], &format!("{flag}={REDACTED}"));
        } else {
            prop_assert_eq!(&redacted[at + 1], REDACTED);
        }
    }
}
