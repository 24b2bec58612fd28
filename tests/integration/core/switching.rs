//! Switching real shells to a profile and back: exact bytes, hostile paths,
//! every syntax.

use std::ffi::OsStr;
use std::fs;

use proptest::prelude::*;
use serde_json::Value;

use super::*;

// ---------------------------------------------------------------- shells

#[test]
fn env_output_survives_hostile_store_paths_in_every_shell() {
    let swop = Swop::with_store(hostile_store(cfg!(not(target_os = "linux"))));
    swop.add("A", &[]);
    let root = swop.root();
    let profile = swop.profile_dir("A");
    // exec hands the environment to execve without any quoting: the reference.
    let exec_env = parse_env0(&swop.args(["exec", "A", "--", "env", "-0"]).success().stdout);
    for shell in Shell::ALL {
        if !shell.available() {
            continue;
        }
        let script = format!(
            "env -0 > start.env\n{}env -0 > on.env\n{}env -0 > off.env\n",
            shell.apply("env A"),
            shell.apply("env --off")
        );
        let out = swop.shell(shell, &script).output();
        assert_nothing_pwned(swop.dir());
        assert!(
            out.status.success(),
            "{shell:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{shell:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let start = read_env0(swop.work().join("start.env"));
        let on = read_env0(swop.work().join("on.env"));
        let off = read_env0(swop.work().join("off.env"));

        let mut expected = start.clone();
        for var in DEFAULT_BINDINGS {
            expected.insert(var.into(), path_env(&profile.join(var)));
        }
        expected.insert("SWOP_HOME".into(), path_env(&root));
        expected.insert("SWOP_PROFILE".into(), "A".into());
        let saved = exec_env
            .get(OsStr::new("SWOP_SAVED"))
            .expect("exec sets SWOP_SAVED");
        expected.insert("SWOP_SAVED".into(), saved.clone());
        assert_same_env(&on, &expected, &format!("{shell:?} after swop env A"));
        assert_same_env(&off, &start, &format!("{shell:?} after swop env --off"));
    }
    assert_nothing_pwned(swop.dir());
}

#[test]
fn env_json_parses_and_null_means_unset() {
    let swop = Swop::with_store(hostile_store(true));
    swop.add("A", &[]);
    let profile = swop.profile_dir("A");
    let start = {
        let mut env = swop.base_env();
        env.insert("XDG_DATA_HOME".into(), "".into());
        env
    };
    let on_json = swop
        .args(["env", "A", "--shell", "json"])
        .envs(&start)
        .success();
    let value: Value = serde_json::from_slice(&on_json.stdout).unwrap();
    assert_eq!(value["SWOP_PROFILE"], "A");
    assert_eq!(value["SWOP_HOME"], swop.root().to_str().unwrap());
    assert_eq!(value["HOME"], profile.join("HOME").to_str().unwrap());

    let on = apply_json(start.clone(), &on_json.stdout);
    let off_json = swop
        .args(["env", "--off", "--shell", "json"])
        .envs(&on)
        .success();
    let value: Value = serde_json::from_slice(&off_json.stdout).unwrap();
    for unset in [
        "SWOP_PROFILE",
        "SWOP_SAVED",
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
    ] {
        assert_eq!(value[unset], Value::Null, "{unset} in {value}");
    }
    assert_eq!(value["XDG_DATA_HOME"], "", "empty is not unset: {value}");
    assert_same_env(
        &apply_json(on, &off_json.stdout),
        &start,
        "json env A, env --off",
    );
    assert_nothing_pwned(swop.dir());
}

#[cfg(target_os = "linux")]
#[test]
fn env_json_stays_valid_json_for_non_utf8_paths() {
    let swop = Swop::with_store(hostile_store(false));
    swop.add("A", &[]);
    let out = swop.args(["env", "A", "--shell", "json"]).success();
    let value: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert!(value["HOME"].as_str().unwrap().contains('\u{FFFD}'));
}

/// Bytes a value may hold, biased towards those that break quoting.
fn value_bytes() -> impl Strategy<Value = Vec<u8>> {
    let tricky = prop::sample::select(
        b"'\"\\\n\t $`()*?[]{}~!#%:=;&|<>\x01\x7f\x80\xbf\xc3\xa9\xef\xff".to_vec(),
    );
    let byte = prop_oneof![tricky, 1u8..=255u8];
    prop::collection::vec(byte, 0..24)
}

/// One folder name: any byte but NUL and `/`.
fn folder_name_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        prop::sample::select(b"'\"\\\n $`()*\x01\x80\xff".to_vec()),
        (1u8..=255u8).prop_filter("no slash", |b| *b != b'/'),
    ];
    prop::collection::vec(byte, 0..20)
}

/// In one shell: apply `swop env A`, then `swop env --off`; return the
/// environments at the start, on A, and after.
fn there_and_back(swop: &Swop, shell: Shell, start: &Env) -> (Env, Env, Env) {
    let script = format!(
        "env -0 > start.env\n{}env -0 > on.env\n{}env -0 > off.env\n",
        shell.apply("env A"),
        shell.apply("env --off")
    );
    swop.shell(shell, &script).envs(start).success();
    (
        read_env0(swop.work().join("start.env")),
        read_env0(swop.work().join("on.env")),
        read_env0(swop.work().join("off.env")),
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn prop_original_values_come_back_byte_for_byte(
        state in value_bytes(),
        cache in value_bytes(),
    ) {
        let swop = Swop::new();
        swop.add("A", &[]);
        let profile = swop.profile_dir("A");
        let mut start = swop.base_env();
        start.insert("XDG_STATE_HOME".into(), os(&state));
        start.insert("XDG_CACHE_HOME".into(), os(&cache));
        for shell in Shell::ALL {
            if !shell.available() {
                continue;
            }
            let (first, on, off) = there_and_back(&swop, shell, &start);
            prop_assert_eq!(first.get(OsStr::new("XDG_STATE_HOME")), Some(&os(&state)));
            prop_assert_eq!(
                on.get(OsStr::new("XDG_STATE_HOME")),
                Some(&path_env(&profile.join("XDG_STATE_HOME")))
            );
            prop_assert_eq!(off.get(OsStr::new("XDG_STATE_HOME")), Some(&os(&state)));
            prop_assert_eq!(off.get(OsStr::new("XDG_CACHE_HOME")), Some(&os(&cache)));
            assert_same_env(&off, &first, &format!("{shell:?}"));
        }
        assert_nothing_pwned(swop.dir());
    }

    #[test]
    fn prop_store_paths_come_through_byte_for_byte(name in folder_name_bytes()) {
        let mut folder = b"store ".to_vec();
        folder.extend_from_slice(&name);
        let swop = Swop::with_store(os(&folder));
        swop.add("A", &[]);
        let root = swop.root();
        for shell in Shell::ALL {
            if !shell.available() {
                continue;
            }
            let (first, on, off) = there_and_back(&swop, shell, &swop.base_env());
            prop_assert_eq!(on.get(OsStr::new("SWOP_HOME")), Some(&path_env(&root)));
            prop_assert_eq!(
                on.get(OsStr::new("HOME")),
                Some(&path_env(&root.join("profiles/A/HOME")))
            );
            assert_same_env(&off, &first, &format!("{shell:?}"));
        }
        assert_nothing_pwned(swop.dir());
    }
}

#[test]
fn switching_a_then_b_then_off_restores_the_whole_environment() {
    let swop = Swop::new();
    swop.add("A", &[]);
    swop.add("B", &["--bind", "CODEX_HOME", "--bind", "XDG_CONFIG_HOME"]);
    // A recipe profile: it also unsets variables (codex: CODEX_SQLITE_HOME).
    swop.add("C", &["--tool", "codex"]);
    let a = swop.profile_dir("A");
    let c: Value =
        serde_json::from_slice(&swop.args(["show", "C", "--json"]).success().stdout).unwrap();
    let c_unset: Vec<&str> = c["unset"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!c_unset.is_empty(), "{c}");

    let mut start = swop.base_env();
    start.insert(
        "XDG_CONFIG_HOME".into(),
        path_env(&swop.dir().join("config")),
    );
    start.insert("XDG_DATA_HOME".into(), "".into());
    start.remove(OsStr::new("XDG_STATE_HOME"));
    for var in &c_unset {
        start.insert(var.into(), format!("inherited {var}").into());
    }
    // What switching from `first` to a profile must give, whatever came between.
    let switched = |first: &Env, profile: &str, on: &Env| {
        let show: Value =
            serde_json::from_slice(&swop.args(["show", profile, "--json"]).success().stdout)
                .unwrap();
        let mut expected = first.clone();
        for (var, path) in show["bindings"].as_object().unwrap() {
            expected.insert(var.into(), path.as_str().unwrap().into());
        }
        for var in show["unset"].as_array().unwrap() {
            expected.remove(OsStr::new(var.as_str().unwrap()));
        }
        expected.insert("SWOP_HOME".into(), path_env(&swop.root()));
        expected.insert("SWOP_PROFILE".into(), profile.into());
        let saved = on.get(OsStr::new("SWOP_SAVED")).expect("SWOP_SAVED is set");
        expected.insert("SWOP_SAVED".into(), saved.clone());
        expected
    };
    for shell in Shell::ALL {
        if !shell.available() {
            continue;
        }
        let script = format!(
            "env -0 > 0.env\n{}env -0 > a.env\n{}env -0 > b.env\n{}env -0 > c.env\n{}env -0 > off.env\n",
            shell.apply("env A"),
            shell.apply("env B"),
            shell.apply("env C"),
            shell.apply("env --off"),
        );
        swop.shell(shell, &script).envs(&start).success();
        let read = |file: &str| read_env0(swop.work().join(file));
        let first = read("0.env");
        let get = |env: &Env, var: &str| env.get(OsStr::new(var)).cloned();

        assert_eq!(get(&first, "XDG_DATA_HOME"), Some("".into()), "{shell:?}");
        assert_eq!(get(&first, "XDG_STATE_HOME"), None, "{shell:?}");
        let on_a = read("a.env");
        for var in DEFAULT_BINDINGS {
            assert_eq!(
                get(&on_a, var),
                Some(path_env(&a.join(var))),
                "{shell:?} {var}"
            );
        }
        assert_same_env(
            &on_a,
            &switched(&first, "A", &on_a),
            &format!("{shell:?} after A"),
        );
        // Each switch restores what only the previous profile bound: no nesting.
        let on_b = read("b.env");
        assert_same_env(
            &on_b,
            &switched(&first, "B", &on_b),
            &format!("{shell:?} after A then B"),
        );
        let on_c = read("c.env");
        assert_same_env(
            &on_c,
            &switched(&first, "C", &on_c),
            &format!("{shell:?} after A, B then C"),
        );
        assert_same_env(
            &read("off.env"),
            &first,
            &format!("{shell:?} after A, B, C, off"),
        );
    }
}

// ---------------------------------------------------------------- exec

#[test]
fn env_speaks_the_syntax_of_shell_unless_told() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let first_line = |out: std::process::Output| {
        let text = out.stdout_str();
        let home = text
            .lines()
            .find(|l| l.contains(" HOME") && !l.contains("SWOP_"));
        home.unwrap_or_else(|| panic!("no HOME line in {text}"))
            .to_string()
    };
    // The test is the parent: no shell reads the output, whatever $SHELL says.
    for shell in [Some("/usr/bin/fish"), Some("/bin/bash"), None] {
        let run = swop.args(["env", "A"]);
        let run = match shell {
            Some(shell) => run.env("SHELL", shell),
            None => run.env_remove("SHELL"),
        };
        let out = run.failure(2);
        assert!(
            out.stdout.is_empty(),
            "SHELL={shell:?}: {}",
            out.stdout_str()
        );
        assert!(out.stderr_str().contains("--shell"), "{}", out.stderr_str());
    }
    for (syntax, prefix) in [("bash", "export HOME="), ("sh", "export HOME=")] {
        let line = first_line(swop.args(["env", "A", "--shell", syntax]).success());
        assert!(line.starts_with(prefix), "{syntax}: {line}");
    }
    let line = first_line(
        swop.args(["env", "A", "--shell", "fish"])
            .env("SHELL", "/bin/bash")
            .success(),
    );
    assert!(line.starts_with("set -gx HOME "), "{line}");
}

#[test]
fn paths_are_canonical_and_the_same_every_run() {
    let swop = Swop::with_store("link/store");
    fs::create_dir(swop.dir().join("real")).unwrap();
    std::os::unix::fs::symlink("real", swop.dir().join("link")).unwrap();
    swop.add("A", &[]);
    let real = fs::canonicalize(swop.dir().join("real/store")).unwrap();
    let first = swop
        .args(["env", "A", "--shell", "sh"])
        .success()
        .stdout_str();
    let again = swop
        .args(["env", "A", "--shell", "sh"])
        .success()
        .stdout_str();
    assert_eq!(first, again);
    // SWOP_SAVED keeps SWOP_HOME as it was given, to restore it; the rest is resolved.
    let without_saved = |text: &str| -> String {
        text.lines()
            .filter(|l| !l.starts_with("export SWOP_SAVED="))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let dotted = swop.dir().join("real/../link/./store/");
    let via_dots = swop
        .args(["env", "A", "--shell", "sh"])
        .env("SWOP_HOME", &dotted)
        .success()
        .stdout_str();
    assert_eq!(without_saved(&first), without_saved(&via_dots));
    let json: Value =
        serde_json::from_slice(&swop.args(["env", "A", "--shell", "json"]).success().stdout)
            .unwrap();
    assert_eq!(json["SWOP_HOME"], real.to_str().unwrap());
    assert_eq!(json["HOME"], real.join("profiles/A/HOME").to_str().unwrap());
    let show: Value =
        serde_json::from_slice(&swop.args(["show", "A", "--json"]).success().stdout).unwrap();
    assert_eq!(show["root"], real.join("profiles/A").to_str().unwrap());
}

#[test]
fn use_and_off_without_the_shell_integration_say_how_to_get_it() {
    let swop = Swop::new();
    for word in ["use", "off"] {
        let out = swop.args([word, "A"]).failure(2);
        let err = out.stderr_str();
        assert!(err.contains("swop init bash"), "{err}");
        assert!(err.contains("swop env"), "{err}");
    }
}
