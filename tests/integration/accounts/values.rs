//! `--set` values: stored as given, emitted byte for byte by every shell,
//! and put back exactly (set, empty or unset) by `off`.

use std::collections::BTreeMap;
use std::ffi::OsString;

use crate::common::{Env, OutputExt, Shell, Swop, os, read_env0, shown, without_shell_vars};

/// Values no quoting may change: quotes, substitutions, newlines, a trailing
/// backslash (fish), the record's own separators, option-like words, control
/// characters, other scripts, and the empty value.
const HOSTILE: &[(&str, &str)] = &[
    ("V_QUOTES", "it's \"quoted\" 'twice'"),
    ("V_SUBST", "$(touch pwned)`touch pwned2`${HOME}$HOME"),
    ("V_LINES", "line one\nline two\n"),
    ("V_BACKSLASH", "ends in a backslash\\"),
    ("V_FISH", "\\' and \\\\"),
    ("V_RECORD", "%41:%:B=c"),
    ("V_DASH", "-e"),
    ("V_ERASE", "--erase"),
    ("V_CONTROL", "tab\there\r\u{1b}[31mred"),
    ("V_SCRIPTS", "é 日本 🙂"),
    ("V_SEMI", "; echo injected #"),
    ("V_EMPTY_NEW", ""),
    ("V_WAS_EMPTY", "now set"),
    ("V_WAS_SET", "replaced"),
    ("V_WAS_UNSET", "fresh"),
];

fn profile_with_values() -> Swop {
    let swop = Swop::new();
    let mut args: Vec<String> = vec!["--tool".into(), "codex".into()];
    for (var, value) in HOSTILE {
        args.push("--set".into());
        args.push(format!("{var}={value}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    swop.add("p", &args);
    swop
}

/// The environment the shell starts with, beside the test's base.
fn before() -> Env {
    Env::from([
        ("V_WAS_EMPTY".into(), OsString::new()),
        ("V_WAS_SET".into(), "before".into()),
    ])
}

#[test]
fn hostile_values_survive_every_shell_and_off_restores_set_empty_and_unset() {
    let swop = profile_with_values();
    for shell in Shell::ALL {
        if !shell.available() {
            continue;
        }
        let script = format!(
            "env -0 > start.env\n{}env -0 > on.env\n{}env -0 > off.env\n",
            shell.apply("env p"),
            shell.apply("env --off")
        );
        let start_env: BTreeMap<OsString, OsString> = before();
        swop.shell(shell, &script).more_env(&start_env).success();
        let work = swop.work();
        let start = without_shell_vars(read_env0(work.join("start.env")));
        let on = read_env0(work.join("on.env"));
        let off = without_shell_vars(read_env0(work.join("off.env")));
        for (var, value) in HOSTILE {
            assert_eq!(
                on.get(&OsString::from(var)),
                Some(&os(value.as_bytes())),
                "{shell:?}: {var} is {}",
                shown(on.get(&OsString::from(var)))
            );
        }
        assert_eq!(off, start, "{shell:?}: off did not restore the start");
        assert_eq!(
            start.get(&OsString::from("V_WAS_EMPTY")),
            Some(&OsString::new())
        );
        assert!(!start.contains_key(&OsString::from("V_WAS_UNSET")));
        for pwned in ["pwned", "pwned2"] {
            assert!(!work.join(pwned).exists(), "{shell:?}: a value ran code");
        }
    }
}

#[test]
fn json_carries_every_value_exactly() {
    let swop = profile_with_values();
    let out = swop.args(["env", "p", "--shell", "json"]).success();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for (var, value) in HOSTILE {
        assert_eq!(json[var], *value, "{var}");
    }
}

#[test]
fn set_changes_values_later_and_show_lists_them() {
    let swop = Swop::new();
    swop.add("p", &["--tool", "aws", "--set", "AWS_PROFILE=first"]);
    let out = swop
        .args([
            "set",
            "p",
            "AWS_PROFILE=second",
            "GH_HOST=github.example.com",
        ])
        .success();
    assert!(
        out.stderr_str().contains("set AWS_PROFILE, GH_HOST"),
        "{out:?}"
    );
    let show: serde_json::Value =
        serde_json::from_slice(&swop.args(["show", "p", "--json"]).success().stdout).expect("JSON");
    assert_eq!(show["values"]["AWS_PROFILE"], "second");
    assert_eq!(show["values"]["GH_HOST"], "github.example.com");
    // The value wins over the recipe's unset of the same variable.
    assert!(!show["unset"].to_string().contains("AWS_PROFILE"), "{show}");
    swop.args(["set", "p", "--unset-value", "GH_HOST"])
        .success();
    let text = swop.args(["show", "p"]).success().stdout_str();
    assert!(text.contains("  set AWS_PROFILE=second\n"), "{text}");
    assert!(!text.contains("GH_HOST"), "{text}");
    let env = swop
        .args(["env", "p", "--shell", "sh"])
        .success()
        .stdout_str();
    assert!(env.contains("export AWS_PROFILE='second';"), "{env}");
}

#[test]
fn values_that_are_code_or_not_text_are_refused() {
    use std::os::unix::ffi::OsStrExt;
    let swop = Swop::new();
    for bad in [
        "GIT_SSH_COMMAND=ssh -i key",
        "LD_PRELOAD=/tmp/x.so",
        "PATH=/tmp",
        "SWOP_PROFILE=x",
        "EDITOR=vim",
        "NOEQUALS",
        "1BAD=x",
    ] {
        let out = swop.args(["add", "p", "--set", bad]).output();
        assert!(!out.status.success(), "{bad} was accepted");
        assert!(!swop.store().join("profiles/p").exists(), "{bad}");
    }
    let out = swop
        .args(["add", "p", "--set"])
        .arg(std::ffi::OsStr::from_bytes(b"X=\xff"))
        .output();
    assert!(!out.status.success());
    assert!(out.stderr_str().contains("not valid UTF-8"), "{out:?}");
    // A variable bound to a place cannot also be a value.
    let out = swop
        .args(["add", "p", "--tool", "codex", "--set", "CODEX_HOME=/x"])
        .output();
    assert!(!out.status.success());
    assert!(
        out.stderr_str().contains("cannot also be set to a value"),
        "{out:?}"
    );
    swop.add("p", &["--tool", "codex"]);
    let out = swop.args(["set", "p", "GIT_SSH_COMMAND=x"]).output();
    assert!(!out.status.success(), "{out:?}");
    let out = swop
        .args(["set", "p", "--unset-value", "NEVER_SET"])
        .output();
    assert!(
        out.stderr_str().contains("sets no value for NEVER_SET"),
        "{out:?}"
    );
}

/// A value that looks like a secret is hidden by `show` and `list` (text
/// and JSON) unless `--show-values`; setting any value says once that it is
/// kept in clear in a 0600 file.
#[test]
fn values_that_look_like_secrets_are_hidden_unless_asked_for() {
    let swop = Swop::new();
    let key = "sk-proj-Q7vK2mX9pL4wR8tZ3nB6cH1jF5dS0gYa";
    let out = swop
        .args(["add", "p", "--set", "GH_HOST=github.example.com"])
        .arg("--set")
        .arg(format!("FOO={key}"))
        .success();
    let err = out.stderr_str();
    assert_eq!(err.matches("stored in clear in").count(), 1, "{err}");
    assert!(err.contains("profile.toml (mode 0600"), "{err}");
    let out = swop.args(["set", "p", "MY_TOKEN=opaque-4751"]).success();
    assert!(out.stderr_str().contains("stored in clear in"), "{out:?}");

    let text = swop.args(["show", "p"]).success().stdout_str();
    assert!(text.contains("  set FOO=<redacted>\n"), "{text}");
    assert!(text.contains("  set MY_TOKEN=<redacted>\n"), "{text}");
    assert!(
        text.contains("  set GH_HOST=github.example.com\n"),
        "{text}"
    );
    assert!(text.contains("--show-values"), "{text}");
    for args in [&["show", "p", "--json"][..], &["list", "--json"]] {
        let out = swop.args(args).success().stdout_str();
        assert!(
            !out.contains(key) && !out.contains("opaque-4751"),
            "{args:?}: {out}"
        );
        let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let view = if json.is_array() { &json[0] } else { &json };
        assert_eq!(view["values"]["FOO"], "<redacted>", "{args:?}");
        assert_eq!(view["values"]["GH_HOST"], "github.example.com", "{args:?}");
        assert_eq!(
            view["hidden_values"],
            serde_json::json!(["FOO", "MY_TOKEN"])
        );
    }
    let text = swop
        .args(["show", "p", "--show-values"])
        .success()
        .stdout_str();
    assert!(text.contains(&format!("  set FOO={key}\n")), "{text}");
    let json: serde_json::Value = serde_json::from_slice(
        &swop
            .args(["list", "--json", "--show-values"])
            .success()
            .stdout,
    )
    .expect("JSON");
    assert_eq!(json[0]["values"]["MY_TOKEN"], "opaque-4751");
}
