//! `swop status`: the real codex asked inside each profile, one logged in
//! with an API key and one not; a read-only status command answers beside a
//! session, any other says the profile is busy instead of waiting.

use serde_json::Value;

use crate::common::{Holder, OutputExt, Swop, codex_bin, require};

#[test]
fn one_codex_profile_logged_in_with_an_api_key_and_one_not() {
    let swop = Swop::new();
    let Some(bin) = codex_bin(swop.dir()) else {
        return;
    };
    let path = swop.path_with(&bin);
    swop.add("keyed", &["--tool", "codex"]);
    swop.add("blank", &["--tool", "codex", "--tool", "gemini"]);
    swop.args(["exec", "keyed", "--", "codex", "login", "--with-api-key"])
        .env("PATH", &path)
        .stdin("sk-test\n")
        .success();
    let out = swop.args(["status", "--json"]).env("PATH", &path).success();
    let text = out.stdout_str();
    assert!(
        !text.contains("sk-test"),
        "the key reached the output: {text}"
    );
    let json: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json.as_array().map(Vec::len), Some(2), "{json:#}");
    let tools = |profile: &str| -> Vec<Value> {
        json.as_array()
            .expect("array")
            .iter()
            .find(|p| p["profile"] == profile)
            .unwrap_or_else(|| panic!("{profile} missing: {json:#}"))["tools"]
            .as_array()
            .expect("tools")
            .clone()
    };
    let keyed = tools("keyed");
    assert_eq!(keyed.len(), 1);
    assert_eq!(keyed[0]["tool"], "codex");
    assert_eq!(keyed[0]["logged_in"], true, "{json:#}");
    assert!(
        keyed[0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("API key")),
        "{json:#}"
    );
    // gemini has no status command: it is not in the JSON.
    let blank = tools("blank");
    assert_eq!(blank.len(), 1, "{json:#}");
    assert_eq!(blank[0]["logged_in"], false, "{json:#}");
    assert!(
        blank[0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Not logged in")),
        "{json:#}"
    );

    // One profile, as text; a session holding it does not stop a read-only
    // status command.
    let holder = Holder::start(&swop, "blank", &[]);
    let text = swop
        .args(["status", "blank"])
        .env("PATH", &path)
        .success()
        .stdout_str();
    holder.release();
    assert!(text.starts_with("blank\n"), "{text}");
    assert!(
        text.contains("  codex  not logged in  Not logged in"),
        "{text}"
    );
    assert!(text.contains("(gemini: swop knows no command"), "{text}");
    assert!(!text.contains("keyed"), "{text}");
}

#[test]
fn a_status_command_that_is_not_read_only_does_not_run_beside_a_session() {
    if !require("git") {
        return;
    }
    let swop = Swop::new();
    swop.add("g", &["--tool", "git"]);
    swop.args([
        "exec",
        "g",
        "--",
        "git",
        "config",
        "--global",
        "user.email",
        "me@example.org",
    ])
    .success();
    let json = |swop: &Swop| -> Value {
        serde_json::from_slice(&swop.args(["status", "g", "--json"]).success().stdout)
            .expect("JSON")
    };
    let free = json(&swop);
    assert_eq!(free[0]["tools"][0]["logged_in"], true, "{free:#}");
    assert_eq!(free[0]["tools"][0]["detail"], "me@example.org", "{free:#}");
    let holder = Holder::start(&swop, "g", &[]);
    let busy = json(&swop);
    holder.release();
    assert_eq!(busy[0]["tools"][0]["logged_in"], Value::Null, "{busy:#}");
    assert!(
        busy[0]["tools"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("in use")),
        "{busy:#}"
    );
    // A profile that was never given an identity is not logged in.
    swop.add("h", &["--tool", "git"]);
    let out: Value = serde_json::from_slice(&swop.args(["status", "h", "--json"]).success().stdout)
        .expect("JSON");
    assert_eq!(out[0]["tools"][0]["logged_in"], false, "{out:#}");
}
