//! `swop discover` end to end on Linux: real strace, tools whose behaviour is
//! known, and the real codex from npm.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Lab, OutputExt, Run, codex_bin, require, strings, tree};

mod aws_cli;
mod keyrings;
mod panel;
mod real_tools;
mod recording;
mod trace_files;
mod truth;
mod world;

impl Lab {
    /// `swop discover --json ARGS` with the lab's tools first on PATH and a
    /// temporary folder of its own (TMPDIR), to be run by the caller.
    fn discover_cmd(&self, args: &[&str]) -> Run {
        self.swop
            .args(["discover", "--json"])
            .args(args)
            .env("PATH", self.path_var())
            .env("TMPDIR", self.tmp())
    }

    /// The TMPDIR every discover of this lab runs with.
    fn tmp(&self) -> PathBuf {
        let tmp = self.swop.dir().join("tmp");
        fs::create_dir_all(&tmp).expect("create tmp");
        tmp
    }

    /// `swop discover --json ARGS`, which must succeed; the parsed findings.
    #[track_caller]
    fn discover(&self, args: &[&str]) -> (Value, String) {
        self.discover_with(self.discover_cmd(args))
    }

    /// Run a prepared discover, which must succeed, leave the user's home
    /// exactly as it was and its scratch folder deleted; the parsed findings.
    #[track_caller]
    fn discover_with(&self, run: Run) -> (Value, String) {
        let home = self.swop.user_home();
        let before = tree(&home);
        let out = run.success();
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON object ({e}):\n{}\nstderr:\n{}",
                out.stdout_str(),
                out.stderr_str()
            )
        });
        assert_eq!(tree(&home), before, "discover changed the real home");
        let left: Vec<_> = fs::read_dir(self.tmp())
            .expect("tmp")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().starts_with("swop-discover-"))
            .collect();
        assert!(left.is_empty(), "scratch folders left behind: {left:?}");
        (json, out.stderr_str())
    }
}

fn class_of(findings: &Value, path: &str) -> String {
    findings["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .find(|p| p["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not among the paths: {:#}", findings["paths"]))["class"]
        .as_str()
        .expect("class")
        .to_string()
}

#[track_caller]
fn assert_verified(findings: &Value, minimal: &[&str]) {
    let mut got = strings(&findings["minimal_env"]);
    got.sort();
    let mut want: Vec<String> = minimal.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want, "minimal_env; runs: {:#}", findings["runs"]);
    assert_eq!(
        findings["verified"], true,
        "verified; {:#}",
        findings["limitations"]
    );
    assert_eq!(findings["concurrency"]["passed"], true);
    for key in ["paths", "limitations", "os", "tool_version", "concurrency"] {
        assert!(findings.get(key).is_some(), "missing key {key}");
    }
}

#[test]
fn a_tool_that_honours_xdg_config_home_needs_only_that() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "xdgtool",
        r#"d="${XDG_CONFIG_HOME:-$HOME/.config}/xdgtool"; mkdir -p "$d"; echo token > "$d/config""#,
    );
    let (f, _) = lab.discover(&["--", "xdgtool"]);
    assert_verified(&f, &["XDG_CONFIG_HOME"]);
    assert_eq!(class_of(&f, "$XDG_CONFIG_HOME/xdgtool/config"), "isolated");
    assert_eq!(f["os"], "linux");
}

#[test]
fn a_tool_that_only_uses_home_needs_home() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "hometool",
        r#"mkdir -p "$HOME/.hometool"; date > "$HOME/.hometool/state""#,
    );
    let (f, _) = lab.discover(&["--", "hometool"]);
    assert_verified(&f, &["HOME"]);
    assert_eq!(class_of(&f, "$HOME/.hometool/state"), "isolated");
}

#[test]
fn a_tool_with_its_own_variable_keeps_home_real() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "footool",
        r#"d="${FOO_HOME:-$HOME/.foo}"; mkdir -p "$d"; echo t > "$d/token"; cat /etc/hostname >/dev/null || true"#,
    );
    let (f, _) = lab.discover(&["--", "footool"]);
    assert_verified(&f, &["FOO_HOME"]);
    assert_eq!(class_of(&f, "$FOO_HOME/token"), "isolated");
    let foo = f["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|c| c["var"] == "FOO_HOME")
        .expect("FOO_HOME is a candidate");
    assert!(
        foo["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("mined")),
        "FOO_HOME comes from the tool's own strings: {foo}"
    );
}

#[test]
fn a_write_to_a_fixed_path_outside_every_candidate_is_not_isolated() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let global = lab.swop.dir().join("global.log");
    lab.tool(
        "tmptool",
        r#"d="${XDG_STATE_HOME:-$HOME/.local/state}/tmptool"; mkdir -p "$d"; echo s > "$d/state"; echo x >> "$1""#,
    );
    let (f, _) = lab.discover(&["--", "tmptool", global.to_str().expect("utf-8")]);
    // Both accounts would append to one file: that is no isolation, and no
    // footnote either.
    assert_eq!(f["verified"], false, "{:#}", f["limitations"]);
    let problem = &f["problems"][0];
    assert_eq!(problem["kind"], "shared-write", "{problem:#}");
    let shown = global.display().to_string();
    assert_eq!(strings(&problem["paths"]), std::slice::from_ref(&shown));
    assert!(f["limitations"].to_string().contains(&shown));
    assert!(!global.exists(), "the write reached the real file");
}

#[test]
fn reading_state_the_tool_wrote_is_a_leak() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    // Step 1 keeps its token under HOME; step 2 reads it back. Without HOME
    // bound, step 2 reads the token step 1 left in the home every account shares.
    lab.tool(
        "srtool",
        r#"case "$1" in
login) mkdir -p "$HOME/.sr"; echo t > "$HOME/.sr/token" ;;
use) cat "$HOME/.sr/token" >/dev/null ;;
esac"#,
    );
    let (f, _) = lab.discover(&["--step", "srtool use", "--", "srtool", "login"]);
    assert_verified(&f, &["HOME"]);
    let without_home = f["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .find(|r| r["label"] == "without-HOME")
        .expect("a run without HOME");
    assert_eq!(without_home["passed"], false);
    assert!(
        without_home["leaks"]
            .to_string()
            .contains("$HOME/.sr/token"),
        "{without_home}"
    );
}

#[test]
fn secrets_never_reach_the_report() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "sectool",
        r#"d="${XDG_CONFIG_HOME:-$HOME/.config}/sectool"; mkdir -p "$d"
if [ "${1-}" = --api-key ]; then echo "$2" > "$d/key"; else cat > "$d/key"; fi"#,
    );
    let report = lab.swop.dir().join("report.md");
    let secrets = [
        "sk-live-0123456789abcdefghij",
        "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    ];
    let (f, stderr) = lab.discover(&[
        "--report",
        report.to_str().expect("utf-8"),
        "--step",
        &format!("sh -c 'printf \"{}\\n\" | sectool'", secrets[1]),
        "--",
        "sectool",
        "--api-key",
        secrets[0],
    ]);
    assert_verified(&f, &["XDG_CONFIG_HOME"]);
    let markdown = fs::read_to_string(&report).expect("report written");
    for secret in secrets {
        for (what, text) in [
            ("json", f.to_string()),
            ("report", markdown.clone()),
            ("stderr", stderr.clone()),
        ] {
            assert!(!text.contains(secret), "{what} holds a secret:\n{text}");
        }
    }
    assert!(markdown.contains("<redacted>"), "{markdown}");
    for section in [
        "## Tested on",
        "## Runbook",
        "## Findings",
        "## Required env vars",
        "## Limitations",
    ] {
        assert!(
            markdown.contains(section),
            "report lacks {section}:\n{markdown}"
        );
    }
    assert_eq!(
        fs::metadata(&report).expect("report").permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn later_steps_see_what_earlier_steps_wrote() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "steptool",
        r#"d="${XDG_DATA_HOME:-$HOME/.local/share}/steptool"
case "$1" in
login) mkdir -p "$d"; echo session > "$d/session" ;;
run) cat "$d/session" > /dev/null; echo ran >> "$d/log" ;;
esac"#,
    );
    let (f, _) = lab.discover(&["--step", "steptool run", "--", "steptool", "login"]);
    assert_verified(&f, &["XDG_DATA_HOME"]);
    let steps = f["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 2);
    for step in steps {
        assert_eq!(step["exit"], "exit 0", "{step}");
    }
    assert!(
        steps[1]["paths"]
            .to_string()
            .contains("$XDG_DATA_HOME/steptool/session")
    );
}

#[test]
fn record_then_add_with_tool_binds_the_proven_set() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "bartool",
        r#"d="${BAR_HOME:-$HOME/.bar}"; mkdir -p "$d"; echo t > "$d/token""#,
    );
    lab.discover(&["--record", "bartool", "--", "bartool"]);
    let out = lab.swop.args(["add", "w", "--tool", "bartool"]).success();
    assert!(
        !out.stderr_str().contains("not yet verified"),
        "{}",
        out.stderr_str()
    );
    let show: Value =
        serde_json::from_slice(&lab.swop.args(["show", "w", "--json"]).success().stdout)
            .expect("json");
    let bindings = show["bindings"].as_object().expect("bindings");
    assert_eq!(bindings.keys().collect::<Vec<_>>(), ["BAR_HOME"]);

    let out = lab.swop.args(["add", "c", "--tool", "codex"]).success();
    assert!(
        out.stderr_str().contains("not yet verified"),
        "{}",
        out.stderr_str()
    );
}

#[test]
fn another_os_without_a_trace_file_prints_the_capture_commands() {
    let lab = Lab::new();
    let out = lab
        .swop
        .args(["discover", "--os", "macos", "--", "codex", "login"])
        .failure(1);
    let err = out.stderr_str();
    assert!(err.contains("sudo fs_usage -w -e -f filesys"), "{err}");
    assert!(err.contains("sudo eslogger"), "{err}");
}

#[test]
fn missing_strace_says_how_to_install_it() {
    let lab = Lab::new();
    let out = lab
        .swop
        .args(["discover", "--", "true"])
        .env("PATH", &lab.tools)
        .failure(1);
    assert!(
        out.stderr_str().contains("apt-get install strace"),
        "{}",
        out.stderr_str()
    );
}

#[test]
fn a_trace_taken_by_hand_is_analysed_without_running_anything() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let home = lab.swop.dir().join("home");
    let trace = lab.swop.dir().join("by-hand.strace");
    lab.swop
        .command("strace")
        .args(["-f", "-o"])
        .arg(&trace)
        .args([
            "sh",
            "-c",
            "mkdir -p \"$HOME/.codex\" && echo k > \"$HOME/.codex/auth.json\" && cat /etc/hostname",
        ])
        .success();
    let (f, _) = lab.discover(&["--trace-file", trace.to_str().expect("utf-8")]);
    assert_eq!(strings(&f["minimal_env"]), ["CODEX_HOME"]);
    assert_eq!(f["verified"], false);
    assert_eq!(class_of(&f, "$HOME/.codex/auth.json"), "leak");
    assert!(
        !f.to_string().contains(home.to_str().expect("utf-8")),
        "no real home path in {f}"
    );

    // A binary or a cut-off file is an error, not a crash.
    let junk = lab.swop.dir().join("junk.bin");
    fs::write(
        &junk,
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .expect("write");
    let out = lab
        .swop
        .args(["discover", "--trace-file"])
        .arg(&junk)
        .failure(1);
    assert!(out.stderr_str().contains("swop:"), "{}", out.stderr_str());
    let text = fs::read_to_string(&trace).expect("trace");
    let cut = lab.swop.dir().join("cut.strace");
    fs::write(&cut, &text[..text.find('(').unwrap_or(1) + 1]).expect("write");
    let out = lab
        .swop
        .args(["discover", "--trace-file"])
        .arg(&cut)
        .output();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
}

#[test]
fn real_codex_needs_only_codex_home_and_two_accounts_keep_their_own_keys() {
    if !require("strace") || !require("node") {
        return;
    }
    let lab = Lab::new();
    let Some(codex_bin) = codex_bin(lab.swop.dir()) else {
        return;
    };
    let path = format!("{}:{}", codex_bin.display(), lab.path_var());
    let key = "sk-test-discover-000000000000";
    let out = lab
        .swop
        .args(["discover", "--json", "--record", "codex", "--"])
        .args([
            "sh",
            "-c",
            &format!("printf '{key}\\n' | codex login --with-api-key"),
        ])
        .env("PATH", &path)
        .success();
    let f: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        strings(&f["minimal_env"]),
        ["CODEX_HOME"],
        "runs: {:#}",
        f["runs"]
    );
    assert_eq!(f["verified"], true, "{:#}", f["limitations"]);
    assert!(
        f["tool_version"]
            .as_str()
            .is_some_and(|v| v.contains("codex")),
        "{}",
        f["tool_version"]
    );
    assert!(!f.to_string().contains(key));
    assert!(!out.stderr_str().contains(key));
    assert_eq!(class_of(&f, "$CODEX_HOME/auth.json"), "isolated");

    lab.swop
        .args(["add", "work", "--tool", "codex"])
        .env("PATH", &path)
        .success();
    lab.swop
        .args(["add", "personal", "--tool", "codex"])
        .env("PATH", &path)
        .success();
    let keys = [
        ("work", "sk-work-1111111111111111"),
        ("personal", "sk-personal-22222222222"),
    ];
    let children: Vec<_> = keys
        .iter()
        .map(|(profile, key)| {
            lab.swop
                .args(["exec", profile, "--"])
                .args([
                    "sh",
                    "-c",
                    &format!("printf '{key}\\n' | codex login --with-api-key"),
                ])
                .env("PATH", &path)
                .env("CODEX_SQLITE_HOME", lab.swop.dir().join("shared-sqlite"))
                .spawn()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{out:?}");
    }
    for (profile, key) in keys {
        let auth = lab.swop.profile_dir(profile).join("CODEX_HOME/auth.json");
        let text = fs::read_to_string(&auth).unwrap_or_else(|e| panic!("{}: {e}", auth.display()));
        assert!(text.contains(key), "{profile} has its own key");
        let status = lab
            .swop
            .args(["exec", profile, "--", "codex", "login", "status"])
            .env("PATH", &path)
            .success();
        assert!(status.stdout_str().contains("API key") || status.stderr_str().contains("API key"));
    }
    assert!(
        !Path::new(&lab.swop.dir().join("home/.codex")).exists(),
        "nothing in the real home"
    );
}

#[test]
fn real_codex_browser_login_with_no_terminal_ends_by_itself() {
    if !require("strace") || !require("node") {
        return;
    }
    let lab = Lab::new();
    let Some(codex_bin) = codex_bin(lab.swop.dir()) else {
        return;
    };
    let path = format!("{}:{}", codex_bin.display(), lab.path_var());
    // No --timeout: the default for a step nobody can answer must end it.
    let run = lab
        .discover_cmd(&["--", "codex", "login"])
        .env("PATH", &path);
    let (f, _) = lab.discover_with(run);
    assert_eq!(f["verified"], false);
    assert_eq!(
        f["problems"][0]["kind"], "step-failed",
        "{:#}",
        f["problems"]
    );
    assert_eq!(f["problems"][0]["timed_out"], true);
    let limitations = f["limitations"].to_string();
    assert!(limitations.contains("no terminal"), "{limitations}");
    assert!(limitations.contains("--with-api-key"), "{limitations}");
}
