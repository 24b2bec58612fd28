//! Shared entries: one copy of history for several profiles, never a login.
//! Two writers at once (shells appending to one history.jsonl, two real
//! codex sessions writing into one sessions folder), a conversation begun
//! in one profile and continued in another by the real codex, logins
//! refused, and a shared copy that lives as long as a profile uses it.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::provider::{CODEX_EXEC, Limits, Provider};
use super::sessions::now;
use crate::common::{Holder, IN_USE, OutputExt, Swop, codex_bin, walk};

fn codex_home(swop: &Swop, name: &str) -> PathBuf {
    swop.profile_dir(name).join("CODEX_HOME")
}

/// The rollouts under a sessions folder.
fn rollouts(sessions: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walk(sessions)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".jsonl"))
        .collect();
    found.sort();
    found
}

#[test]
fn shared_entries_are_links_to_one_copy_and_show_lists_them() {
    let swop = Swop::new();
    swop.add(
        "work",
        &[
            "--tool",
            "codex",
            "--share",
            "sessions",
            "--share",
            "history.jsonl",
        ],
    );
    swop.add("personal", &["--tool", "codex", "--share", "sessions"]);
    let copy = swop.root().join("shared/codex");
    for (name, entry) in [
        ("work", "sessions"),
        ("work", "history.jsonl"),
        ("personal", "sessions"),
    ] {
        let place = codex_home(&swop, name).join(entry);
        assert_eq!(
            fs::read_link(&place).expect("a link"),
            copy.join(entry),
            "{name}"
        );
    }
    assert!(copy.join("sessions").is_dir());
    assert!(copy.join("history.jsonl").is_file());
    let show = swop.args(["show", "work"]).success().stdout_str();
    assert!(
        show.contains("  shared codex/sessions codex/history.jsonl\n"),
        "{show}"
    );
    assert!(
        show.contains("    codex/sessions: with personal\n"),
        "{show}"
    );
    assert!(
        show.contains("    codex/history.jsonl: no other profile shares it yet\n"),
        "{show}"
    );
    let json: Value =
        serde_json::from_slice(&swop.args(["show", "personal", "--json"]).success().stdout)
            .expect("JSON");
    assert_eq!(json["shared"], serde_json::json!(["codex/sessions"]));
}

#[test]
fn a_login_is_never_shared_and_the_reason_is_given() {
    let swop = Swop::new();
    for (tool, entry) in [
        ("codex", "auth.json"),
        ("claude", ".credentials.json"),
        ("claude", ".claude.json"),
        ("gh", "hosts.yml"),
    ] {
        let out = swop
            .args(["add", "p", "--tool", tool, "--share", entry])
            .failure(1);
        let err = out.stderr_str();
        assert!(
            err.contains(&format!(
                "{entry:?} is never shared: it holds {tool}'s login"
            )),
            "{err}"
        );
        assert!(err.contains("revoked"), "{err}");
        assert!(
            !swop.store().join("profiles/p").exists(),
            "made a profile anyway"
        );
    }
    // A credentials file a recorded recipe names, for a tool the catalog
    // does not know.
    fs::create_dir_all(swop.store().join("recipes")).expect("recipes");
    fs::write(
        swop.store().join("recipes/mytool.toml"),
        "tool = \"mytool\"\nbindings = [\"MYTOOL_HOME\"]\nunset = []\nnotes = []\ncredentials = [\"MYTOOL_HOME/token.json\"]\n",
    )
    .expect("recipe");
    swop.add("m", &["--tool", "mytool"]);
    let out = swop.args(["set", "m", "--share", "token.json"]).failure(1);
    assert!(
        out.stderr_str()
            .contains("\"token.json\" is never shared: it holds mytool's login"),
        "{out:?}"
    );
    // Not an entry of the catalog.
    swop.add("c", &["--tool", "codex"]);
    let out = swop.args(["set", "c", "--share", "config.toml"]).failure(1);
    assert!(
        out.stderr_str().contains(
            "for codex they are: sessions, archived_sessions, history.jsonl, prompts, AGENTS.md"
        ),
        "{out:?}"
    );
}

#[test]
fn two_writers_append_to_one_shared_history_at_once() {
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex", "--share", "history.jsonl"]);
    swop.add("personal", &["--tool", "codex", "--share", "history.jsonl"]);
    // Each appends 400 JSON lines through its own CODEX_HOME, as codex
    // appends to history.jsonl (O_APPEND), both at the same time.
    let script = r#"i=0; while [ $i -lt 400 ]; do printf '{"session_id":"%s","ts":%d,"text":"line %d of %s"}\n' "$SWOP_PROFILE" $i $i "$SWOP_PROFILE" >> "$CODEX_HOME/history.jsonl"; i=$((i+1)); done"#;
    let writers: Vec<_> = ["work", "personal"]
        .iter()
        .map(|name| swop.args(["exec", name, "--", "sh", "-c", script]).spawn())
        .collect();
    for writer in writers {
        let out = writer.wait_with_output().expect("wait");
        assert!(out.status.success(), "{out:?}");
    }
    let text = fs::read_to_string(swop.root().join("shared/codex/history.jsonl")).expect("history");
    assert_eq!(text.lines().count(), 800);
    for line in text.lines() {
        let entry: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(entry["text"].as_str().is_some(), "{line}");
    }
    for name in ["work", "personal"] {
        assert_eq!(
            text.matches(&format!("\"session_id\":\"{name}\"")).count(),
            400
        );
    }
    assert_eq!(
        fs::read_to_string(codex_home(&swop, "personal").join("history.jsonl")).expect("read"),
        text
    );
}

#[test]
fn the_real_codex_continues_in_one_profile_a_session_begun_in_another() {
    let swop = Swop::new();
    let Some(bin) = codex_bin(swop.dir()) else {
        return;
    };
    let path = swop.path_with(&bin);
    let t = now();
    let provider = Provider::start(Limits {
        primary: (5.0, 300, t + 3600),
        secondary: (1.0, 10_080, t + 86_400),
    });
    for name in ["work", "personal"] {
        swop.add(name, &["--tool", "codex", "--share", "sessions"]);
        provider.configure(&codex_home(&swop, name));
    }
    let codex = |name: &str, args: &[&str]| {
        swop.args(["exec", name, "--"])
            .args(CODEX_EXEC)
            .args(args)
            .env("PATH", &path)
    };
    // Two sessions at once, one per account, both writing into the one
    // shared sessions folder.
    let both: Vec<_> = [
        ("work", "first from work"),
        ("personal", "first from personal"),
    ]
    .iter()
    .map(|(name, prompt)| codex(name, &[prompt]).spawn())
    .collect();
    for run in both {
        let out = run.wait_with_output().expect("codex");
        assert!(out.status.success(), "{out:?}");
    }
    let sessions = swop.root().join("shared/codex/sessions");
    let files = rollouts(&sessions);
    assert_eq!(files.len(), 2, "{files:?}");
    for file in &files {
        for line in fs::read_to_string(file).expect("rollout").lines() {
            serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        }
    }
    let begun = files
        .iter()
        .find(|f| {
            fs::read_to_string(f)
                .expect("read")
                .contains("first from work")
        })
        .expect("work's session");
    let name = begun.file_name().and_then(|n| n.to_str()).expect("name");
    let id = &name[name.len() - "00000000-0000-0000-0000-000000000000.jsonl".len()..name.len() - 6];
    // personal continues work's conversation.
    let out = codex("personal", &["resume", id, "second from personal"]).success();
    assert!(
        out.stdout_str().contains("hello from the test provider"),
        "{out:?}"
    );
    let text = fs::read_to_string(begun).expect("read");
    assert!(text.contains("first from work") && text.contains("second from personal"));
    assert_eq!(rollouts(&sessions).len(), 2, "resume wrote a new session");
    // The last request carried the whole conversation.
    let last = provider.requests().pop().expect("a request");
    assert!(last.contains("first from work") && last.contains("second from personal"));
    // Each profile's own folder has no sessions of its own, and no login
    // was ever shared.
    for name in ["work", "personal"] {
        let home = codex_home(&swop, name);
        assert!(
            fs::symlink_metadata(home.join("sessions"))
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert!(!swop.root().join("shared/codex/auth.json").exists());
    }
}

#[test]
fn sharing_the_history_of_two_used_profiles_keeps_every_line_once() {
    let swop = Swop::new();
    let line = |ts: u32, who: &str| {
        format!("{{\"session_id\":\"{who}\",\"ts\":{ts},\"text\":\"at {ts}\"}}\n")
    };
    for (name, own) in [
        (
            "work",
            line(1, "work") + &line(3, "work") + &line(5, "both"),
        ),
        (
            "personal",
            line(2, "personal") + &line(5, "both") + &line(6, "personal"),
        ),
    ] {
        swop.add(name, &["--tool", "codex"]);
        fs::write(codex_home(&swop, name).join("history.jsonl"), own).expect("history");
    }
    for name in ["work", "personal"] {
        let out = swop
            .args(["set", name, "--share", "history.jsonl"])
            .success();
        assert!(
            out.stderr_str().contains("shares codex/history.jsonl"),
            "{out:?}"
        );
    }
    let text = fs::read_to_string(swop.root().join("shared/codex/history.jsonl")).expect("copy");
    assert_eq!(
        text,
        line(1, "work")
            + &line(2, "personal")
            + &line(3, "work")
            + &line(5, "both")
            + &line(6, "personal")
    );
    for name in ["work", "personal"] {
        assert_eq!(
            fs::read_to_string(codex_home(&swop, name).join("history.jsonl")).expect("read"),
            text,
            "{name}"
        );
    }
}

#[test]
fn set_share_merges_a_profiles_own_sessions_and_unshare_gives_them_back() {
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex", "--share", "sessions"]);
    swop.add("personal", &["--tool", "codex"]);
    let day = |name: &str| codex_home(&swop, name).join("sessions/2026/01/02");
    fs::create_dir_all(day("work")).expect("work day");
    fs::write(day("work").join("rollout-a.jsonl"), "{\"a\":1}\n").expect("a");
    fs::create_dir_all(day("personal")).expect("personal day");
    fs::write(day("personal").join("rollout-b.jsonl"), "{\"b\":1}\n").expect("b");
    // A file of the same name with other contents: nothing moves.
    fs::write(day("personal").join("rollout-a.jsonl"), "{\"other\":1}\n").expect("clash");
    let out = swop
        .args(["set", "personal", "--share", "sessions"])
        .failure(1);
    assert!(
        out.stderr_str()
            .contains("1 file(s) of the same name differ"),
        "{out:?}"
    );
    assert!(day("personal").join("rollout-b.jsonl").is_file());
    fs::remove_file(day("personal").join("rollout-a.jsonl")).expect("rm");
    let out = swop
        .args(["set", "personal", "--share", "sessions"])
        .success();
    assert!(
        out.stderr_str()
            .contains("shares codex/sessions (its own was merged into the shared copy)"),
        "{out:?}"
    );
    for name in ["work", "personal"] {
        for file in ["rollout-a.jsonl", "rollout-b.jsonl"] {
            assert!(day(name).join(file).is_file(), "{name}: {file}");
        }
    }
    // Refused while in use.
    let holder = Holder::start(&swop, "personal", &[]);
    swop.args(["set", "personal", "--unshare", "sessions"])
        .failure(IN_USE);
    holder.release();
    // While work shares it, personal gets a copy; then work, the last, gets
    // the shared copy itself.
    let out = swop
        .args(["set", "personal", "--unshare", "sessions"])
        .success();
    assert!(
        out.stderr_str()
            .contains("keeps a copy of codex/sessions as its own (work still shares it)"),
        "{out:?}"
    );
    let own = codex_home(&swop, "personal").join("sessions");
    assert!(
        !fs::symlink_metadata(&own)
            .expect("own")
            .file_type()
            .is_symlink()
    );
    assert!(own.join("2026/01/02/rollout-b.jsonl").is_file());
    swop.args(["set", "work", "--unshare", "sessions"])
        .success();
    assert!(!swop.root().join("shared/codex/sessions").exists());
    assert!(
        codex_home(&swop, "work")
            .join("sessions/2026/01/02/rollout-a.jsonl")
            .is_file()
    );
}

/// Each shared entry is listed in `profile.toml` as its link is made, under
/// the shared lock: an `add` whose second share fails keeps the first
/// listed, so no `rm` of another profile deletes the copy it links to.
#[test]
fn an_entry_is_listed_as_soon_as_it_is_shared() {
    use std::os::unix::fs::PermissionsExt;
    let swop = Swop::new();
    swop.add("other", &["--tool", "codex"]);
    let claude = swop.root().join("shared/claude");
    fs::create_dir_all(&claude).expect("mkdir");
    fs::set_permissions(
        swop.root().join("shared"),
        fs::Permissions::from_mode(0o700),
    )
    .expect("chmod");
    fs::set_permissions(&claude, fs::Permissions::from_mode(0o777)).expect("chmod");
    swop.args([
        "add",
        "work",
        "--tool",
        "codex",
        "--tool",
        "claude",
        "--share",
        "codex/sessions",
        "--share",
        "claude/projects",
    ])
    .failure(1);
    let json: Value =
        serde_json::from_slice(&swop.args(["show", "work", "--json"]).success().stdout)
            .expect("JSON");
    assert_eq!(
        json["shared"],
        serde_json::json!(["codex/sessions"]),
        "{json:#}"
    );
    assert!(fs::read_link(codex_home(&swop, "work").join("sessions")).is_ok());
}

/// A tool the catalog knows by a program name (`codex-dev` runs codex) has
/// the catalog's shared entries: `--unbind` of the folder that holds one is
/// refused as it is for `codex` itself.
#[test]
fn unbind_keeps_a_folder_that_holds_a_shared_entry_of_a_tool_known_by_its_program() {
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex", "--bind", "MY_TOOL_HOME"]);
    let file = swop.profile_dir("work").join("profile.toml");
    let text = fs::read_to_string(&file).expect("profile.toml");
    let text = text.replacen(
        "tools = [\"codex\"]",
        "tools = [\"codex-dev\"]\nshared = [\"codex-dev/sessions\"]",
        1,
    );
    assert!(text.contains("codex-dev/sessions"), "{text}");
    fs::write(&file, text).expect("write");
    let out = swop
        .args(["set", "work", "--unbind", "CODEX_HOME"])
        .failure(1);
    assert!(
        out.stderr_str()
            .contains("CODEX_HOME holds the shared codex-dev/sessions"),
        "{out:?}"
    );
}

#[test]
fn rm_keeps_a_shared_copy_while_another_profile_uses_it() {
    let swop = Swop::new();
    swop.add(
        "work",
        &[
            "--tool", "codex", "--share", "sessions", "--share", "prompts",
        ],
    );
    swop.add("personal", &["--tool", "codex", "--share", "sessions"]);
    let copy = swop.root().join("shared/codex");
    fs::write(copy.join("sessions/kept"), "x").expect("write");
    let out = swop.args(["rm", "work"]).success();
    assert!(
        out.stderr_str()
            .contains("the shared codex/sessions stays for the profiles that share it"),
        "{out:?}"
    );
    assert!(copy.join("sessions/kept").is_file());
    assert!(
        !copy.join("prompts").exists(),
        "a copy no profile uses was kept"
    );
    assert!(fs::read_link(codex_home(&swop, "personal").join("sessions")).is_ok());
    swop.args(["rm", "personal"]).success();
    assert!(!copy.join("sessions").exists());
}
