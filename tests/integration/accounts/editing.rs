//! Profiles changed after `add`: tools and bindings added and removed
//! (folders made or kept, refused while in use), renamed, copied without
//! the login, and deleted after a question on a terminal.

use std::fs;

use serde_json::Value;

use crate::common::{EXISTS, Holder, IN_USE, OutputExt, Swop, require};

fn show(swop: &Swop, name: &str) -> Value {
    serde_json::from_slice(&swop.args(["show", name, "--json"]).success().stdout).expect("JSON")
}

#[test]
fn set_adds_tools_and_bindings_and_unbinding_keeps_the_folder() {
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex"]);
    let out = swop
        .args([
            "set",
            "work",
            "--tool",
            "gh",
            "--bind",
            "MY_TOOL_HOME",
            "--bind-file",
            "KUBECONFIG",
        ])
        .success();
    assert!(out.stderr_str().contains("uses the gh recipe"), "{out:?}");
    let json = show(&swop, "work");
    let dir = swop.profile_dir("work");
    assert_eq!(json["tools"], serde_json::json!(["codex", "gh"]));
    for (var, value) in [
        ("CODEX_HOME", dir.join("CODEX_HOME")),
        ("GH_CONFIG_DIR", dir.join("GH_CONFIG_DIR")),
        ("MY_TOOL_HOME", dir.join("MY_TOOL_HOME")),
        ("KUBECONFIG", dir.join("KUBECONFIG/config")),
    ] {
        assert_eq!(
            json["bindings"][var],
            value.to_string_lossy().as_ref(),
            "{json:#}"
        );
    }
    assert!(dir.join("GH_CONFIG_DIR").is_dir() && dir.join("KUBECONFIG").is_dir());
    assert!(
        json["unset"]
            .as_array()
            .expect("unset")
            .iter()
            .any(|v| v == "GH_TOKEN")
    );
    // The environment a command gets follows.
    let env = swop
        .args([
            "exec",
            "work",
            "--",
            "sh",
            "-c",
            "printf %s \"$GH_CONFIG_DIR\"",
        ])
        .success()
        .stdout_str();
    assert_eq!(env, dir.join("GH_CONFIG_DIR").to_string_lossy());

    fs::write(dir.join("MY_TOOL_HOME/state"), "kept").expect("write");
    swop.args(["set", "work", "--unbind", "MY_TOOL_HOME"])
        .success();
    assert_eq!(show(&swop, "work")["bindings"].get("MY_TOOL_HOME"), None);
    assert_eq!(
        fs::read_to_string(dir.join("MY_TOOL_HOME/state")).expect("kept"),
        "kept"
    );

    // Mistakes are refused with what to do, and change nothing.
    let before = fs::read(dir.join("profile.toml")).expect("profile.toml");
    for (args, says) in [
        (vec!["--bind", "CODEX_HOME"], "binds CODEX_HOME already"),
        (
            vec!["--bind", "KUBECONFIG2", "--unbind", "NOPE"],
            "does not bind NOPE",
        ),
        (vec!["--bind", "LD_PRELOAD"], "LD_PRELOAD"),
        (
            vec!["--bind", "AWS_CONFIG_FILE"],
            "--bind-file AWS_CONFIG_FILE",
        ),
        (vec!["--tool", "codx"], "did you mean \"codex\""),
        // Refused as a whole: the binding is not kept without the value.
        (
            vec!["--bind", "MY_OTHER_HOME", "MY_OTHER_HOME=x"],
            "cannot also be set to a value",
        ),
    ] {
        let out = swop.args(["set", "work"]).args(&args).failure(1);
        assert!(out.stderr_str().contains(says), "{args:?}: {out:?}");
    }
    swop.args([
        "set",
        "work",
        "--unbind",
        "CODEX_HOME",
        "--unbind",
        "GH_CONFIG_DIR",
        "--unbind",
        "KUBECONFIG",
    ])
    .failure(1);
    assert_eq!(
        fs::read(dir.join("profile.toml")).expect("profile.toml"),
        before
    );

    // Not while the profile is in use; values still change at once.
    let holder = Holder::start(&swop, "work", &[]);
    let out = swop.args(["set", "work", "--tool", "aws"]).failure(IN_USE);
    assert!(
        out.stderr_str()
            .contains("profile \"work\" is in use by pid"),
        "{out:?}"
    );
    swop.args(["set", "work", "GH_HOST=github.example.com"])
        .success();
    holder.release();
    assert_eq!(
        show(&swop, "work")["values"]["GH_HOST"],
        "github.example.com"
    );
}

/// Two edits of one profile take turns on `profile.toml.lock`: `set FOO=x`
/// beside `set --share` could otherwise write back a file read before the
/// other's change and lose it.
#[test]
fn an_edit_of_profile_toml_waits_for_the_one_under_way() {
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex"]);
    let dir = swop.profile_dir("work");
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join("profile.toml.lock"))
        .expect("open the edit lock");
    lock.lock().expect("lock");
    let mut set = swop.args(["set", "work", "GH_HOST=h"]).spawn();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        set.try_wait().expect("try_wait").is_none(),
        "set wrote profile.toml while another edit held it"
    );
    assert_eq!(show(&swop, "work")["values"].get("GH_HOST"), None);
    lock.unlock().expect("unlock");
    let out = set.wait_with_output().expect("wait");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(show(&swop, "work")["values"]["GH_HOST"], "h");
}

#[test]
fn mv_renames_with_the_folders_and_shared_links() {
    let swop = Swop::new();
    swop.add(
        "work",
        &[
            "--tool",
            "codex",
            "--share",
            "history.jsonl",
            "--set",
            "OPENAI_BASE_URL=http://x",
        ],
    );
    fs::write(
        swop.profile_dir("work").join("CODEX_HOME/config.toml"),
        "model = \"m\"\n",
    )
    .expect("write");
    let holder = Holder::start(&swop, "work", &[]);
    swop.args(["mv", "work", "client"]).failure(IN_USE);
    holder.release();
    swop.add("other", &[]);
    swop.args(["mv", "work", "other"]).failure(EXISTS);
    let out = swop.args(["mv", "work", "client"]).success();
    assert!(
        out.stderr_str()
            .contains("renamed profile \"work\" to \"client\""),
        "{out:?}"
    );
    assert!(!swop.root().join("profiles/work").exists());
    let home = swop.profile_dir("client").join("CODEX_HOME");
    assert_eq!(
        fs::read_to_string(home.join("config.toml")).expect("kept"),
        "model = \"m\"\n"
    );
    let seen = swop
        .args([
            "exec",
            "client",
            "--",
            "sh",
            "-c",
            "echo hi >> \"$CODEX_HOME/history.jsonl\"; printf %s \"$CODEX_HOME\"",
        ])
        .success()
        .stdout_str();
    assert_eq!(seen, home.to_string_lossy());
    assert_eq!(
        fs::read_to_string(swop.root().join("shared/codex/history.jsonl")).expect("shared"),
        "hi\n"
    );
    assert_eq!(
        show(&swop, "client")["values"]["OPENAI_BASE_URL"],
        "http://x"
    );
}

#[test]
fn cp_copies_everything_but_the_login() {
    let swop = Swop::new();
    swop.add(
        "work",
        &[
            "--tool",
            "codex",
            "--tool",
            "gh",
            "--share",
            "sessions",
            "--set",
            "GH_HOST=ghe.example.com",
        ],
    );
    let src = swop.profile_dir("work");
    fs::write(src.join("CODEX_HOME/config.toml"), "model = \"gpt-x\"\n").expect("config");
    fs::write(
        src.join("CODEX_HOME/auth.json"),
        "{\"OPENAI_API_KEY\":\"sk-secret-of-work\"}",
    )
    .expect("auth");
    fs::write(src.join("CODEX_HOME/installation_id"), "id").expect("state");
    fs::write(src.join("GH_CONFIG_DIR/config.yml"), "git_protocol: ssh\n").expect("gh config");
    fs::write(
        src.join("GH_CONFIG_DIR/hosts.yml"),
        "ghe.example.com:\n  oauth_token: gho_x\n",
    )
    .expect("hosts");
    let out = swop.args(["cp", "work", "work2"]).success();
    let err = out.stderr_str();
    assert!(
        err.contains("copied profile \"work\" to \"work2\""),
        "{err}"
    );
    assert!(err.contains("no login was copied"), "{err}");
    let dst = swop.profile_dir("work2");
    assert_eq!(
        fs::read_to_string(dst.join("CODEX_HOME/config.toml")).expect("copied"),
        "model = \"gpt-x\"\n"
    );
    assert_eq!(
        fs::read_to_string(dst.join("GH_CONFIG_DIR/config.yml")).expect("copied"),
        "git_protocol: ssh\n"
    );
    for never in [
        "CODEX_HOME/auth.json",
        "GH_CONFIG_DIR/hosts.yml",
        "CODEX_HOME/installation_id",
    ] {
        assert!(!dst.join(never).exists(), "{never} was copied");
    }
    let json = show(&swop, "work2");
    assert_eq!(json["tools"], serde_json::json!(["codex", "gh"]));
    assert_eq!(json["values"]["GH_HOST"], "ghe.example.com");
    assert_eq!(json["shared"], serde_json::json!(["codex/sessions"]));
    assert_eq!(
        fs::read_link(dst.join("CODEX_HOME/sessions")).expect("a link"),
        swop.root().join("shared/codex/sessions")
    );
    // Nothing of the login reached a file of the copy.
    for path in crate::common::walk(&dst) {
        if let Ok(text) = fs::read_to_string(&path) {
            assert!(
                !text.contains("sk-secret-of-work") && !text.contains("gho_x"),
                "{}",
                path.display()
            );
        }
    }
    // No two profiles on one login.
    let doctor = swop.args(["doctor"]).success().stdout_str();
    assert!(doctor.contains("ok  logins"), "{doctor}");
    swop.args(["cp", "work", "work2"]).failure(EXISTS);
}

#[test]
fn rm_asks_on_a_terminal_and_yes_skips_the_question() {
    if !require("script") {
        return;
    }
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex"]);
    // `script` gives swop a terminal; what the test writes is the answer.
    let on_terminal = |answer: &str| {
        swop.command("script")
            .args(["-qec", "swop rm work", "/dev/null"])
            .stdin(answer)
            .output()
    };
    let out = on_terminal("n\n");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains("delete profile \"work\""), "{said}");
    assert!(said.contains("[y/N]"), "{said}");
    assert!(said.contains("kept profile \"work\""), "{said}");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(swop.profile_dir("work").is_dir());
    let out = on_terminal("y\n");
    assert!(out.status.success(), "{out:?}");
    assert!(!swop.store().join("profiles/work").exists());
    // --yes asks nothing, even on a terminal; without a terminal nothing is asked.
    swop.add("work", &[]);
    let out = swop
        .command("script")
        .args(["-qec", "swop rm work --yes", "/dev/null"])
        .output();
    assert!(out.status.success(), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("[y/N]"));
    swop.add("work", &[]);
    let out = swop.args(["rm", "work"]).success();
    assert!(!out.stderr_str().contains("[y/N]"), "{out:?}");
}
