//! What a new user meets in the first minutes: help that describes every
//! argument, slips on the command line that are explained or read right,
//! `swop recipes`, `swop add --tool` notes that can be run as printed,
//! read-only commands that run beside a session, and discover's report where
//! a redirection puts it.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::*;

// ---------------------------------------------------------------- help

#[test]
fn help_describes_use_off_and_every_name() {
    let swop = Swop::new();
    for topic in ["use", "off"] {
        let out = swop.args(["help", topic]).success();
        assert!(
            out.stdout_str().contains("Switch this shell"),
            "{topic}: {out:?}"
        );
    }
    for (sub, wanted) in [
        ("show", "Profile to show"),
        ("rm", "Profile to delete"),
        ("exec", "Profile to run the command as"),
        ("shell", "Profile to start the shell in"),
        ("env", "Profile to switch to"),
        ("use", "Profile to switch to"),
    ] {
        let out = swop.args([sub, "--help"]).success();
        assert!(
            out.stdout_str().contains(wanted),
            "{sub}: {}",
            out.stdout_str()
        );
    }
    let add = swop.args(["add", "--help"]).success().stdout_str();
    for tool in swop::recipe::CATALOG.iter().map(|k| k.tool) {
        assert!(
            add.contains(tool),
            "swop add --help does not name {tool}:\n{add}"
        );
    }
}

#[test]
fn env_without_a_name_shows_both_forms() {
    let out = Swop::new().args(["env"]).failure(2);
    let err = out.stderr_str();
    assert!(err.contains("swop env <NAME>"), "{err}");
    assert!(err.contains("swop env --off"), "{err}");
}

// ---------------------------------------------------------------- slips

#[test]
fn a_command_without_dashes_is_refused_with_where_they_go() {
    let swop = Swop::new();
    swop.add("work", &[]);
    let out = swop
        .args(["exec", "work", "sh", "-c", "touch ran"])
        .failure(2);
    assert_eq!(
        out.stderr_str(),
        "swop: put -- before the command to run: swop exec work -- sh -c 'touch ran'\n"
    );
    assert!(!swop.work().join("ran").exists());
    let out = swop
        .args(["exec", "--lock", "none", "work", "true"])
        .failure(2);
    assert!(
        out.stderr_str()
            .contains("swop exec --lock none work -- true"),
        "{}",
        out.stderr_str()
    );
    let out = swop.args(["discover", "mytool", "sync"]).failure(2);
    assert!(
        out.stderr_str().contains("swop discover -- mytool sync"),
        "{}",
        out.stderr_str()
    );
}

#[test]
fn slips_with_exec_use_and_v_get_the_message_that_fits() {
    let swop = Swop::new();
    swop.add("work", &[]);
    for (args, said) in [
        (
            &["exec", "work", "--wait", "codex", "login", "status"][..],
            "swop: put -- before the command to run: swop exec work --wait -- codex login status\n",
        ),
        (
            &["exec", "--", "work", "true"],
            "swop: the profile goes before --, the command after it: swop exec work -- true\n",
        ),
        (
            &["-v"],
            "swop: swop has no -v: -V (--version) prints its version, --help its commands\n",
        ),
    ] {
        let out = swop.args(args).failure(2);
        assert_eq!(out.stderr_str(), said, "{args:?}");
    }
    if !require("bash") {
        return;
    }
    let out = swop
        .shell(Shell::Bash, "eval \"$(swop init bash)\"; swop use")
        .failure(2);
    assert_eq!(
        out.stderr_str(),
        "swop: name the profile to switch to: swop use NAME (work)\n"
    );
}

/// tcsh's `swop` is an alias, which hands a redirection to swop as words:
/// swop says how to redirect it.
#[test]
fn a_redirection_in_tcsh_is_answered_with_a_subshell() {
    if !require("tcsh") {
        return;
    }
    let swop = Swop::new();
    swop.add("work", &[]);
    let script = swop.work().join("redirect.csh");
    fs::write(
        &script,
        "eval \"`swop init tcsh`\"\nswop list --names > names.txt\n(swop list --names) > names.txt\n",
    )
    .unwrap();
    let out = swop
        .command(which_program("tcsh"))
        .arg("-f")
        .arg(&script)
        .output();
    let err = out.stderr_str();
    assert!(
        err.contains("redirect a subshell instead: (swop list --names) > names.txt"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(swop.work().join("names.txt")).unwrap(),
        "work\n"
    );
}

#[test]
fn wait_before_the_name_waits_for_that_profile() {
    let swop = Swop::new();
    swop.add("work", &[]);
    let holder = Holder::start(&swop, "work", &[]);
    let waiter = swop
        .args(["exec", "--wait", "work", "--", "sh", "-c", "touch waited"])
        .spawn();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        !swop.work().join("waited").exists(),
        "ran beside the holder"
    );
    holder.release();
    let out = waiter.wait_with_output().expect("wait");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("waiting for profile \"work\""));
    assert!(swop.work().join("waited").exists());
    // A number there is still the limit, and then NAME must follow.
    swop.args(["exec", "--wait", "5", "work", "--", "true"])
        .success();
}

#[test]
fn use_and_off_run_by_the_binary_say_how_to_load_the_function() {
    let swop = Swop::new();
    let out = swop.args(["use", "work"]).failure(2);
    let err = out.stderr_str();
    assert!(err.contains("eval \"$(swop init bash)\""), "{err}");
    assert!(err.contains("eval \"$(swop env work)\""), "{err}");
    let out = swop.args(["off"]).failure(2);
    assert!(out.stderr_str().contains("eval \"$(swop env --off)\""));
}

#[test]
fn use_and_off_in_sh_say_the_eval_that_sh_has() {
    if !require("dash") {
        return;
    }
    let swop = Swop::new();
    swop.add("work", &[]);
    let err = swop
        .shell(Shell::Dash, "swop use work")
        .failure(2)
        .stderr_str();
    assert!(err.contains("sh has none"), "{err}");
    assert!(err.contains("eval \"$(swop env work)\""), "{err}");
    assert!(!err.contains("swop init bash"), "{err}");
    let err = swop.shell(Shell::Dash, "swop off").failure(2).stderr_str();
    assert!(err.contains("eval \"$(swop env --off)\""), "{err}");
    assert!(!err.contains("swop init"), "{err}");
}

#[test]
fn use_in_nushell_names_the_profile_to_run_a_command_as() {
    if !require("nu") {
        return;
    }
    let swop = Swop::new();
    swop.add("work", &[]);
    let out = swop
        .command(which_program("nu"))
        .args(["-n", "-c", "^swop use work"])
        .output();
    let err = out.stderr_str();
    assert!(err.contains("swop exec work -- CMD"), "{err}");
    assert!(!err.contains("NAME"), "{err}");
}

#[test]
fn env_typed_at_a_terminal_says_nothing_changed_and_how_to_switch() {
    if !require("bash") {
        return;
    }
    let swop = Swop::new();
    swop.add("work", &[]);
    // `&& :` keeps bash from replacing itself with swop: it reads the output.
    let out = swop
        .shell(Shell::Bash, "swop env work && :")
        .output_at_terminal();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout_str().contains("SWOP_PROFILE"), "{out:?}");
    let err = out.stderr_str();
    assert!(err.contains("nothing changed"), "{err}");
    assert!(err.contains("eval \"$(swop env work)\""), "{err}");
    assert!(err.contains("swop use work"), "{err}");
    // Evaluated, or piped, the exports are not told anything.
    let out = swop
        .shell(
            Shell::Bash,
            "eval \"$(swop env work)\"; swop env --off | cat",
        )
        .output_at_terminal();
    assert!(out.status.success(), "{out:?}");
    assert!(!out.stderr_str().contains("nothing changed"), "{out:?}");
}

/// `swop init` without a shell integrates the one that runs it, as `swop env`
/// finds it, and says which when a person reads it.
#[test]
fn init_without_a_shell_takes_the_one_that_runs_swop() {
    let swop = Swop::new();
    swop.add("work", &[]);
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !shell.available() {
            continue;
        }
        let script = match shell {
            Shell::Fish => "swop init | source; swop use work; echo $SWOP_PROFILE",
            _ => "eval \"$(swop init)\"; swop use work; echo \"$SWOP_PROFILE\"",
        };
        let out = swop.shell(shell, script).success();
        assert_eq!(out.stdout_str(), "work\n", "{shell:?}: {out:?}");
    }
    if require("bash") {
        let out = swop
            .shell(Shell::Bash, "swop init && :")
            .output_at_terminal();
        assert!(out.status.success(), "{out:?}");
        assert!(
            out.stderr_str()
                .contains("that is the integration for bash, the shell that runs swop"),
            "{out:?}"
        );
    }
    if require("dash") {
        let err = swop
            .shell(Shell::Dash, "swop init && :")
            .failure(2)
            .stderr_str();
        assert!(err.contains("sh has no shell integration"), "{err}");
        assert!(err.contains("eval \"$(swop env NAME)\""), "{err}");
    }
    // Run by no shell at all: the shells it takes are named.
    let err = swop.args(["init"]).failure(2).stderr_str();
    assert!(err.contains("swop init SHELL (bash, zsh, fish"), "{err}");
}

// ---------------------------------------------------------------- recipes

#[test]
fn recipes_lists_the_catalog_and_what_was_recorded_here() {
    let swop = Swop::new();
    let text = swop.args(["recipes"]).success().stdout_str();
    assert!(text.starts_with("TOOL "), "{text}");
    for tool in swop::recipe::CATALOG.iter().map(|k| k.tool) {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{tool} "))),
            "no {tool}:\n{text}"
        );
    }
    assert!(text.contains("codex login status"), "{text}");
    // Listing creates no store.
    assert!(!swop.store().exists());

    let recipes = swop.store().join("recipes");
    fs::create_dir_all(&recipes).expect("mkdir recipes");
    fs::write(
        recipes.join("mytool.toml"),
        "tool = \"mytool\"\nbindings = [\"MYTOOL_HOME\"]\nread_only = [\"status\"]\n\n\
         [verified]\ntool_version = \"mytool 1.0\"\ndate = \"2026-01-02\"\nos = \"Debian 12\"\ncommand = \"mytool login\"\n",
    )
    .expect("write recipe");
    fs::write(recipes.join("broken.toml"), "tool = [").expect("write broken recipe");
    let out = swop.args(["recipes", "--json"]).success();
    let list: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let entry = |tool: &str| {
        list.as_array()
            .expect("an array")
            .iter()
            .find(|e| e["tool"] == tool)
            .unwrap_or_else(|| panic!("no {tool} in {list:#}"))
            .clone()
    };
    let codex = entry("codex");
    assert_eq!(codex["verified"], false);
    assert_eq!(codex["source"], "built-in");
    assert_eq!(strings(&codex["bindings"]), ["CODEX_HOME"]);
    assert!(strings(&codex["read_only"]).contains(&"login status".to_string()));
    assert!(
        codex["verify_command"]
            .as_str()
            .expect("codex can be proved unattended")
            .starts_with("swop discover --record codex -- ")
    );
    let mine = entry("mytool");
    assert_eq!(mine["verified"], true);
    assert_eq!(mine["source"], "recorded");
    assert_eq!(mine["verification"]["tool_version"], "mytool 1.0");
    assert_eq!(strings(&mine["read_only"]), ["status"]);
    assert_eq!(entry("gh")["verify_command"], Value::Null);
    // A damaged recipe is named, and the others are still listed.
    assert!(
        out.stderr_str().contains("broken.toml"),
        "{}",
        out.stderr_str()
    );
    let text = swop.args(["recipes"]).success().stdout_str();
    assert!(text.contains("verified 2026-01-02 (mytool 1.0)"), "{text}");
}

#[test]
fn an_unknown_tool_is_answered_with_the_recipes_there_are() {
    let swop = Swop::new();
    let out = swop.args(["add", "w", "--tool", "gihub"]).failure(1);
    let err = out.stderr_str();
    for tool in swop::recipe::CATALOG.iter().map(|k| k.tool) {
        assert!(err.contains(tool), "{err}");
    }
    assert!(err.contains("swop recipes"), "{err}");
    assert!(!swop.root().join("profiles/w").exists());
}

/// The note of `swop add --tool codex` names a command that runs as printed,
/// and once it has, the note is gone; tools without such a command get none.
#[test]
fn the_add_note_runs_as_printed_and_then_goes_away() {
    let lab = Lab::new();
    let out = lab.swop.args(["add", "g", "--tool", "gh"]).success();
    assert!(!out.stderr_str().contains("note:"), "{}", out.stderr_str());
    let out = lab.swop.args(["add", "c", "--tool", "codex"]).success();
    let err = out.stderr_str();
    let command = err
        .lines()
        .find_map(|l| l.split_once("nothing of yours touched): ").map(|(_, c)| c))
        .unwrap_or_else(|| panic!("no command in the note: {err}"));
    assert!(
        command.starts_with("swop discover --record codex -- "),
        "{command}"
    );
    if !require("strace") || !require("node") {
        return;
    }
    let Some(codex) = codex_bin(lab.swop.dir()) else {
        return;
    };
    let tmp = lab.swop.dir().join("tmp");
    fs::create_dir_all(&tmp).expect("mkdir tmp");
    let out = lab
        .swop
        .command("sh")
        .args(["-c", command])
        .env("PATH", format!("{}:{}", codex.display(), lab.path_var()))
        .env("TMPDIR", &tmp)
        .success();
    assert!(
        out.stderr_str()
            .contains("recorded the codex recipe (CODEX_HOME)"),
        "{}",
        out.stderr_str()
    );
    let out = lab.swop.args(["add", "c2", "--tool", "codex"]).success();
    assert!(!out.stderr_str().contains("note:"), "{}", out.stderr_str());
    assert!(!lab.swop.user_home().join(".codex").exists());
}

// ---------------------------------------------------------------- read-only commands

/// A stand-in for codex that says which lock it runs under; the read-only
/// decision looks at the command line only, and the real codex is run by
/// [`real_codex_login_status_runs_beside_a_session`].
fn fake_codex(lab: &Lab) {
    lab.tool("codex", "echo \"codex $* lock=${SWOP_LOCK_FD:-none}\"");
}

#[test]
fn read_only_commands_run_beside_a_session_and_others_wait_their_turn() {
    let lab = Lab::new();
    fake_codex(&lab);
    let swop = &lab.swop;
    swop.add("work", &["--tool", "codex"]);
    swop.add("plain", &[]);
    let session = Holder::start(swop, "work", &[]);
    let path = lab.path_var();
    let run = |args: &[&str]| swop.args(args).env("PATH", &path);

    for command in [&["codex", "login", "status"][..], &["codex", "--version"]] {
        let out = run(&["exec", "work", "--"]).args(command).success();
        assert!(out.stdout_str().contains("lock=none"), "{out:?}");
    }
    // Anything else is refused, and the hint offers only what would work
    // beside an exclusive holder.
    let out = run(&["exec", "work", "--", "codex", "login"]).failure(IN_USE);
    let err = out.stderr_str();
    assert!(err.contains(&format!("pid {}", session.pid())), "{err}");
    assert!(
        err.contains("--wait") && err.contains("--lock none"),
        "{err}"
    );
    assert!(!err.contains("--lock shared"), "{err}");
    // Asked for shared, it waits as asked; sharing is not offered.
    let out = run(&["exec", "work", "--lock", "shared", "--", "codex", "login"]).failure(IN_USE);
    let err = out.stderr_str();
    assert!(
        err.contains("to wait for it: swop exec work --lock shared --wait -- codex login;"),
        "{err}"
    );
    assert!(!err.contains("beside them"), "{err}");
    // More arguments make another command; an explicit lock wins.
    run(&["exec", "work", "--", "codex", "login", "status", "--json"]).failure(IN_USE);
    run(&[
        "exec",
        "work",
        "--lock",
        "exclusive",
        "--",
        "codex",
        "login",
        "status",
    ])
    .failure(IN_USE);
    // A profile not made for codex has no read-only commands.
    let plain = Holder::start(swop, "plain", &[]);
    run(&["exec", "plain", "--", "codex", "login", "status"]).failure(IN_USE);
    plain.release();
    session.release();
    // Free, a read-only command still takes no lock; others take it.
    let out = run(&["exec", "work", "--", "codex", "login", "status"]).success();
    assert!(out.stdout_str().contains("lock=none"), "{out:?}");
    let out = run(&["exec", "work", "--", "codex", "login"]).success();
    assert!(!out.stdout_str().contains("lock=none"), "{out:?}");
}

/// The same through the shell integration's wrapper, typed in a switched
/// bash, zsh and fish while a session holds the profile.
#[test]
fn a_wrapped_read_only_command_runs_beside_a_session_in_every_shell() {
    let lab = Lab::new();
    fake_codex(&lab);
    let swop = &lab.swop;
    swop.add("work", &["--tool", "codex"]);
    fs::write(swop.root().join("config.toml"), "wrap = [\"codex\"]\n").expect("config");
    let session = Holder::start(swop, "work", &[]);
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !shell.available() {
            continue;
        }
        let init = match shell {
            Shell::Fish => "swop init fish | source\n",
            Shell::Zsh => "eval \"$(swop init zsh)\"\n",
            _ => "eval \"$(swop init bash)\"\n",
        };
        let script = format!("{init}swop use work\ncodex login status\ncodex login\nswop off\n");
        let out = swop
            .shell(shell, &script)
            .env("PATH", lab.path_var())
            .output();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("codex login status lock=none"),
            "{shell:?}: {out:?}"
        );
        assert!(
            !text.contains("codex login lock="),
            "{shell:?}: ran beside the session"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is in use by pid"), "{shell:?}: {err}");
    }
    session.release();
}

#[test]
fn real_codex_login_status_runs_beside_a_session() {
    let swop = Swop::new();
    let Some(codex) = codex_bin(swop.dir()) else {
        return;
    };
    let path = format!(
        "{}:{}",
        codex.display(),
        swop.base_env()[std::ffi::OsStr::new("PATH")].to_string_lossy()
    );
    swop.add("work", &["--tool", "codex"]);
    swop.args(["exec", "work", "--", "codex", "login", "--with-api-key"])
        .stdin("sk-test-beside-0000000000\n")
        .env("PATH", &path)
        .success();
    let session = Holder::start(&swop, "work", &[]);
    for _ in 0..2 {
        let out = swop
            .args(["exec", "work", "--", "codex", "login", "status"])
            .env("PATH", &path)
            .success();
        assert!(out.stderr_str().contains("API key configured"), "{out:?}");
    }
    session.release();
    assert!(!swop.user_home().join(".codex").exists());
}

// ---------------------------------------------------------------- discover

/// `swop discover -- CMD > report.md`: the report alone on stdout, the
/// tool's own output on stderr.
#[test]
fn discover_puts_the_report_on_stdout_and_the_tool_on_stderr() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "talker",
        r#"if [ "${1-}" = --version ]; then echo "talker 1.0"; exit 0; fi
d="${TALKER_HOME:-$HOME/.talker}"; mkdir -p "$d"; echo t > "$d/state"; echo "talker says hello""#,
    );
    let tmp = lab.swop.dir().join("tmp");
    fs::create_dir_all(&tmp).expect("mkdir tmp");
    let report = lab.swop.dir().join("report.md");
    let out = lab
        .swop
        .command("sh")
        .args([
            "-c",
            "swop discover --candidate TALKER_HOME -- talker > \"$1\"",
            "sh",
        ])
        .arg(&report)
        .env("PATH", lab.path_var())
        .env("TMPDIR", &tmp)
        .success();
    let markdown = fs::read_to_string(&report).expect("report");
    assert!(markdown.starts_with("# Isolating talker"), "{markdown}");
    assert!(markdown.contains("## Limitations"), "{markdown}");
    assert!(!markdown.contains("talker says hello"), "{markdown}");
    assert!(
        out.stderr_str().contains("talker says hello"),
        "{}",
        out.stderr_str()
    );
    assert!(!Path::new(&lab.swop.user_home().join(".talker")).exists());
}
