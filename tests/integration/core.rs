//! The core contract: the store, switching real shells there and back, exec,
//! and the profile lock.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::Value;

use crate::common::*;

const DEFAULT_BINDINGS: [&str; 5] = [
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_STATE_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
];

// ---------------------------------------------------------------- shells

/// A store path that no shell may misread: quotes, command substitutions in
/// every shell's syntax, a variable, a glob, a component ending in a newline,
/// a last component ending in a backslash and, unless `utf8_only`, bytes that
/// are not UTF-8.
fn hostile_store(utf8_only: bool) -> OsString {
    let mut bytes =
        b"it's \"q\" $(touch pwned) `touch pwned` (touch pwned) $HOME *?[a] ~ %s \\t\n/".to_vec();
    if !utf8_only {
        bytes.extend_from_slice(b"\xff\xfe\x80 caf\xc3\xa9 ");
    }
    bytes.extend_from_slice(b"end'\\");
    os(&bytes)
}

fn path_env(path: &Path) -> OsString {
    path.as_os_str().to_os_string()
}

/// `expected` and `actual` hold the same variables with the same bytes.
#[track_caller]
fn assert_same_env(actual: &Env, expected: &Env, context: &str) {
    let actual = without_shell_vars(actual.clone());
    let expected = without_shell_vars(expected.clone());
    let names: BTreeSet<&OsString> = actual.keys().chain(expected.keys()).collect();
    let diffs: Vec<String> = names
        .into_iter()
        .filter(|n| actual.get(*n) != expected.get(*n))
        .map(|n| {
            format!(
                "  {}: got {}, want {}",
                n.to_string_lossy(),
                shown(actual.get(n)),
                shown(expected.get(n))
            )
        })
        .collect();
    assert!(
        diffs.is_empty(),
        "{context}: environments differ\n{}",
        diffs.join("\n")
    );
}

#[track_caller]
fn assert_nothing_pwned(dir: &Path) {
    let pwned: Vec<PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| p.file_name() == Some(OsStr::new("pwned")))
        .collect();
    assert!(pwned.is_empty(), "a quoted value was run: {pwned:?}");
}

/// The environment after applying `swop env ... --shell json` output to `env`.
#[track_caller]
fn apply_json(mut env: Env, json: &[u8]) -> Env {
    let value: Value = serde_json::from_slice(json).expect("swop env --shell json is not JSON");
    for (name, value) in value.as_object().expect("a JSON object") {
        match value {
            Value::Null => env.remove(OsStr::new(name)),
            Value::String(s) => env.insert(name.into(), s.into()),
            other => panic!("{name}: expected a string or null, got {other}"),
        };
    }
    env
}

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
fn exec_passes_the_exit_status_through() {
    let swop = Swop::new();
    swop.add("A", &[]);
    swop.args(["exec", "A", "--", "sh", "-c", "exit 0"])
        .success();
    swop.args(["exec", "A", "--", "sh", "-c", "exit 42"])
        .failure(42);

    let script = swop.work().join("not-executable");
    fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
    let out = swop.args(["exec", "A", "--"]).arg(&script).failure(126);
    assert!(
        out.stderr_str().contains("not-executable"),
        "{}",
        out.stderr_str()
    );

    let out = swop
        .args(["exec", "A", "--", "no-such-command-for-swop"])
        .failure(127);
    assert!(
        out.stderr_str().contains("not found"),
        "{}",
        out.stderr_str()
    );

    let out = swop
        .args(["exec", "A", "--", "sh", "-c", "kill -TERM $$"])
        .output();
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{:?}", out.status);
}

#[cfg(target_os = "linux")]
#[test]
fn exec_leaves_signal_dispositions_at_their_defaults() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let status = swop
        .args(["exec", "A", "--", "cat", "/proc/self/status"])
        .success()
        .stdout_str();
    let mask = |field: &str| {
        let line = status
            .lines()
            .find(|l| l.starts_with(field))
            .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
        u64::from_str_radix(line[field.len()..].trim(), 16).unwrap()
    };
    // SIGPIPE is 13: a command that inherits it ignored never dies of a closed pipe.
    assert_eq!(
        mask("SigIgn:") & (1 << 12),
        0,
        "SIGPIPE is ignored:\n{status}"
    );
    assert_eq!(mask("SigBlk:"), 0, "signals are blocked:\n{status}");
}

#[test]
fn exec_gets_the_profile_and_nothing_of_the_previous_one() {
    let swop = Swop::new();
    swop.add("A", &[]);
    swop.add("B", &["--bind", "CODEX_HOME"]);
    let a = swop.profile_dir("A");
    let b = swop.profile_dir("B");
    let start = swop.base_env();
    let on_a = apply_json(
        start.clone(),
        &swop.args(["env", "A", "--shell", "json"]).success().stdout,
    );
    let got = parse_env0(
        &swop
            .args(["exec", "B", "--", "env", "-0"])
            .envs(&on_a)
            .success()
            .stdout,
    );
    let mut expected = start.clone();
    expected.insert("CODEX_HOME".into(), path_env(&b.join("CODEX_HOME")));
    expected.insert("SWOP_HOME".into(), path_env(&swop.root()));
    expected.insert("SWOP_PROFILE".into(), "B".into());
    let saved = got
        .get(OsStr::new("SWOP_SAVED"))
        .expect("SWOP_SAVED")
        .clone();
    expected.insert("SWOP_SAVED".into(), saved);
    // The descriptor of the profile lock the command holds, for nested execs.
    let fd = got
        .get(OsStr::new("SWOP_LOCK_FD"))
        .expect("SWOP_LOCK_FD")
        .clone();
    assert!(
        fd.to_str()
            .is_some_and(|fd| fd.parse::<u32>().is_ok_and(|n| n > 2))
    );
    expected.insert("SWOP_LOCK_FD".into(), fd);
    assert_same_env(&got, &expected, "swop exec B from a shell on A");
    for (name, value) in &got {
        assert!(
            !value.as_bytes().starts_with(a.as_os_str().as_bytes()),
            "{} still points into A: {}",
            name.to_string_lossy(),
            value.to_string_lossy()
        );
    }
}

#[test]
fn shell_runs_shell_inside_the_profile_under_its_lock() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let fake_shell = swop.work().join("fake-shell");
    fs::write(
        &fake_shell,
        "#!/bin/sh\nenv -0 > shell.env\nswop list --json > list.json\nexit 7\n",
    )
    .unwrap();
    fs::set_permissions(&fake_shell, fs::Permissions::from_mode(0o755)).unwrap();
    swop.args(["shell", "A"])
        .env("SHELL", &fake_shell)
        .failure(7);
    let env = read_env0(swop.work().join("shell.env"));
    let profile = swop.profile_dir("A");
    assert_eq!(env.get(OsStr::new("SWOP_PROFILE")), Some(&"A".into()));
    assert_eq!(
        env.get(OsStr::new("HOME")),
        Some(&path_env(&profile.join("HOME")))
    );
    let list: Value = serde_json::from_slice(&fs::read(swop.work().join("list.json")).unwrap())
        .expect("swop list --json inside the shell");
    assert_eq!(list[0]["name"], "A");
    assert_eq!(list[0]["in_use"], true, "{list}");
}

// ---------------------------------------------------------------- locks

fn in_use(swop: &Swop, name: &str) -> bool {
    let out = swop.args(["show", name, "--json"]).success();
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    value["in_use"].as_bool().expect("in_use is a bool")
}

#[test]
fn lock_serialises_concurrent_exclusive_commands() {
    let swop = Swop::new();
    swop.add("A", &[]);
    fs::write(swop.work().join("counter"), "0\n").unwrap();
    let script = "n=$(cat counter); sleep 0.05; echo $((n+1)) > counter";
    let children: Vec<Child> = (0..20)
        .map(|_| {
            swop.args(["exec", "A", "--wait", "--", "sh", "-c", script])
                .spawn()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let counter = fs::read_to_string(swop.work().join("counter")).unwrap();
    assert_eq!(counter.trim(), "20", "updates were lost");
}

#[test]
fn lock_busy_profile_fails_fast_naming_the_holder_and_waits_on_request() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let holder = Holder::start(&swop, "A", &[]);

    let started = Instant::now();
    let out = swop.args(["exec", "A", "--", "true"]).failure(IN_USE);
    assert!(started.elapsed() < Duration::from_secs(3), "not fast");
    let err = out.stderr_str();
    assert!(err.contains(&format!("pid {}", holder.pid())), "{err}");
    // An exclusive holder excludes shared locks too: only what would work is offered.
    assert!(err.contains("--wait"), "{err}");
    assert!(!err.contains("--lock shared"), "{err}");

    let waiter = swop
        .args(["exec", "A", "--wait", "--", "sh", "-c", "touch waited"])
        .spawn();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !swop.work().join("waited").exists(),
        "ran beside the holder"
    );
    holder.release();
    let out = waiter.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(swop.work().join("waited").exists());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("waiting for profile"),
        "{out:?}"
    );
}

#[test]
fn lock_wait_with_a_limit_gives_up() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let holder = Holder::start(&swop, "A", &[]);
    let started = Instant::now();
    let out = swop
        .args(["exec", "A", "--wait", "0.3", "--", "true"])
        .failure(IN_USE);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300),
        "gave up after {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "gave up after {waited:?}");
    assert!(
        out.stderr_str().contains("still in use"),
        "{}",
        out.stderr_str()
    );
    holder.release();
}

#[test]
fn lock_shared_commands_run_together() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let meet = |me: &str, other: &str| {
        format!(
            "touch {me}; i=0; while [ ! -e {other} ]; do [ $i -ge 500 ] && exit 3; sleep 0.01; i=$((i+1)); done"
        )
    };
    let first = swop
        .args(["exec", "A", "--lock", "shared", "--", "sh", "-c"])
        .arg(meet("one", "two"))
        .spawn();
    let second = swop
        .args(["exec", "A", "--lock", "shared", "--", "sh", "-c"])
        .arg(meet("two", "one"))
        .spawn();
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "the shared commands did not overlap: {out:?}"
        );
    }
}

#[test]
fn lock_shared_and_exclusive_exclude_each_other() {
    let swop = Swop::new();
    swop.add("A", &[]);

    let holder = Holder::start(&swop, "A", &[]);
    let out = swop
        .args(["exec", "A", "--lock", "shared", "--", "true"])
        .failure(IN_USE);
    assert!(out.stderr_str().contains("--wait"), "{}", out.stderr_str());
    let waiter = swop
        .args([
            "exec",
            "A",
            "--lock",
            "shared",
            "--wait",
            "--",
            "sh",
            "-c",
            "touch shared-ran",
        ])
        .spawn();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !swop.work().join("shared-ran").exists(),
        "shared ran beside exclusive"
    );
    holder.release();
    let out = waiter.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(swop.work().join("shared-ran").exists());

    let shared = Holder::start(&swop, "A", &["--lock", "shared"]);
    let out = swop.args(["exec", "A", "--", "true"]).failure(IN_USE);
    // Beside shared holders, a shared lock would be granted: say so.
    assert!(
        out.stderr_str().contains("--lock shared"),
        "{}",
        out.stderr_str()
    );
    swop.args(["exec", "A", "--lock", "shared", "--", "true"])
        .success();
    swop.args(["exec", "A", "--lock", "none", "--", "true"])
        .success();
    shared.release();
}

#[cfg(target_os = "linux")]
#[test]
fn lock_is_free_at_once_after_kill_9() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let mut child = swop.args(["exec", "A", "--", "sleep", "30"]).spawn();
    let cmdline = format!("/proc/{}/cmdline", child.id());
    // swop execs: the pid it was started with becomes the command's.
    assert!(
        wait_until(Duration::from_secs(10), || {
            fs::read(&cmdline).is_ok_and(|c| c == b"sleep\x0030\x00")
        }),
        "swop did not exec the command"
    );
    swop.args(["exec", "A", "--", "true"]).failure(IN_USE);
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    swop.args(["exec", "A", "--", "true"]).success();
}

#[test]
fn lock_is_held_by_children_that_outlive_the_command() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let script = "(i=0; while [ ! -e release-bg ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done) \
                  </dev/null >/dev/null 2>&1 & exit 0";
    swop.args(["exec", "A", "--", "sh", "-c", script]).success();
    swop.args(["exec", "A", "--", "true"]).failure(IN_USE);
    assert!(in_use(&swop, "A"));
    fs::write(swop.work().join("release-bg"), "").unwrap();
    swop.args(["exec", "A", "--wait", "10", "--", "true"])
        .success();
    assert!(!in_use(&swop, "A"));
}

#[test]
fn a_command_under_the_lock_can_run_swop_exec_on_its_own_profile() {
    let swop = Swop::new();
    swop.add("A", &[]);
    // A wrapped tool typed in `swop shell A` runs `swop exec A -- tool`: it is
    // part of the holder and must not wait for itself, while others still wait.
    let script = "swop exec A -- sh -c 'swop exec A --lock shared -- true && echo inner' \
                  && (swop exec A -- true 2>/dev/null; echo sibling-before=$?)";
    let out = swop.args(["exec", "A", "--", "sh", "-c", script]).success();
    assert_eq!(out.stdout_str(), "inner\nsibling-before=0\n");
    let holder = Holder::start(&swop, "A", &[]);
    let out = swop
        .args(["exec", "A", "--", "true"])
        .env("SWOP_LOCK_FD", "7")
        .failure(IN_USE);
    assert!(out.stderr_str().contains("in use"), "{}", out.stderr_str());
    holder.release();
}

#[test]
fn rm_is_refused_while_the_profile_is_in_use() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let holder = Holder::start(&swop, "A", &[]);
    let out = swop.args(["rm", "A"]).failure(IN_USE);
    let err = out.stderr_str();
    assert!(
        err.contains(&format!("in use by pid {}", holder.pid())),
        "{err}"
    );
    // rm has neither --wait nor --lock: it must not suggest them.
    assert!(!err.contains("--wait") && !err.contains("--lock"), "{err}");
    assert!(err.contains("swop rm A"), "{err}");
    assert!(swop.profile_dir("A").join("profile.toml").exists());
    swop.args(["show", "A"]).success();
    holder.release();
    swop.args(["rm", "A"]).success();
    assert!(!swop.root().join("profiles/A").exists());
    swop.args(["show", "A"]).failure(NOT_FOUND);
}

#[test]
fn list_and_show_say_which_profiles_are_in_use() {
    let swop = Swop::new();
    swop.add("A", &[]);
    swop.add("B", &[]);
    let holder = Holder::start(&swop, "A", &[]);
    let list: Value =
        serde_json::from_slice(&swop.args(["list", "--json"]).success().stdout).unwrap();
    assert_eq!(list[0]["name"], "A");
    assert_eq!(list[0]["in_use"], true, "{list}");
    assert_eq!(list[1]["name"], "B");
    assert_eq!(list[1]["in_use"], false, "{list}");
    assert!(in_use(&swop, "A"));
    holder.release();
    assert!(!in_use(&swop, "A"));
}

// ---------------------------------------------------------------- store

#[track_caller]
fn assert_private_tree(root: &Path) {
    let mode = |p: &Path| fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(root), 0o700, "{}", root.display());
    for path in walk(root) {
        let meta = fs::symlink_metadata(&path).unwrap();
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), want, "{:o} {}", mode(&path), path.display());
    }
}

#[test]
fn store_folders_are_0700_and_files_0600_whatever_the_umask() {
    for umask in ["022", "000"] {
        let swop = Swop::with_store("parent/store");
        let swop_under_umask = |args: &[&str]| {
            swop.command("sh")
                .args(["-c", &format!("umask {umask}; exec swop \"$@\""), "sh"])
                .args(args)
                .success()
        };
        swop_under_umask(&["add", "A"]);
        swop_under_umask(&["add", "B", "--bind", "CODEX_HOME"]);
        assert_private_tree(&swop.dir().join("parent"));

        // Folders and the lock file that went missing are made again, privately.
        let a = swop.profile_dir("A");
        fs::remove_dir(a.join("XDG_CACHE_HOME")).unwrap();
        fs::remove_file(a.join("lock")).unwrap();
        swop_under_umask(&["exec", "A", "--", "true"]);
        fs::remove_dir(a.join("HOME")).unwrap();
        swop_under_umask(&["env", "A"]);
        assert!(a.join("XDG_CACHE_HOME").is_dir() && a.join("HOME").is_dir());
        assert_private_tree(&swop.dir().join("parent"));
    }
}

#[test]
fn invalid_names_are_refused_and_nothing_is_created() {
    let swop = Swop::new();
    let long = "x".repeat(65);
    for name in ["../x", "a/b", ".x", "-x", "", "a b", &long] {
        let out = swop.args(["add", "--", name]).failure(1);
        let err = out.stderr_str();
        assert!(
            err.contains("1 to 64 characters") && err.contains("A-Z a-z 0-9 . _ -"),
            "{name:?}: {err}"
        );
        assert!(!swop.store().exists(), "{name:?} created the store");
    }
    swop.add(&"x".repeat(64), &[]);
    for name in ["../x", ".x", &long] {
        for args in [
            vec!["show", name],
            vec!["rm", name],
            vec!["env", name],
            vec!["exec", name, "--", "true"],
        ] {
            let out = swop.args(&args).failure(1);
            assert!(out.stderr_str().contains("1 to 64 characters"), "{args:?}");
        }
    }
    let names: Vec<_> = fs::read_dir(swop.root().join("profiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [OsString::from("x".repeat(64))]);
    assert!(!swop.dir().join("x").exists());
}

#[test]
fn add_refuses_an_existing_name() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let out = swop
        .args(["add", "A", "--bind", "CODEX_HOME"])
        .failure(EXISTS);
    assert!(
        out.stderr_str().contains("already exists"),
        "{}",
        out.stderr_str()
    );
    let show: Value =
        serde_json::from_slice(&swop.args(["show", "A", "--json"]).success().stdout).unwrap();
    assert!(show["bindings"].get("CODEX_HOME").is_none(), "{show}");
}

#[test]
fn concurrent_adds_of_one_name_make_exactly_one_profile() {
    let swop = Swop::new();
    let children: Vec<Child> = (0..8).map(|_| swop.args(["add", "A"]).spawn()).collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let won = outputs.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "{outputs:?}");
    for out in outputs.iter().filter(|o| !o.status.success()) {
        assert_eq!(out.status.code(), Some(EXISTS));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("already exists"), "{err}");
    }
    let entries: Vec<OsString> = fs::read_dir(swop.root().join("profiles"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, [OsString::from("A")], "leftovers of the losers");
    swop.args(["exec", "A", "--", "true"]).success();
}

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
    for (shell, prefix) in [
        (Some("/usr/bin/fish"), "set -gx HOME "),
        (Some("-zsh"), "export HOME="),
        (Some("/bin/bash"), "export HOME="),
        (Some("/opt/unknown-shell"), "export HOME="),
        (None, "export HOME="),
    ] {
        let run = swop.args(["env", "A"]);
        let run = match shell {
            Some(shell) => run.env("SHELL", shell),
            None => run.env_remove("SHELL"),
        };
        let line = first_line(run.success());
        assert!(line.starts_with(prefix), "SHELL={shell:?}: {line}");
    }
    let line = first_line(
        swop.args(["env", "A", "--shell", "fish"])
            .env("SHELL", "/bin/bash")
            .success(),
    );
    assert!(line.starts_with("set -gx HOME "), "{line}");
}

#[test]
fn show_and_list_print_json_with_absolute_paths() {
    let swop = Swop::new();
    swop.add("work", &[]);
    swop.add("codex", &["--bind", "CODEX_HOME"]);
    let show: Value =
        serde_json::from_slice(&swop.args(["show", "work", "--json"]).success().stdout).unwrap();
    assert_eq!(show["name"], "work");
    assert_eq!(show["root"], swop.profile_dir("work").to_str().unwrap());
    assert_eq!(show["in_use"], false);
    let bindings = show["bindings"].as_object().unwrap();
    let vars: BTreeSet<&str> = bindings.keys().map(String::as_str).collect();
    assert_eq!(vars, BTreeSet::from(DEFAULT_BINDINGS));
    for (var, path) in bindings {
        let path = Path::new(path.as_str().unwrap());
        assert!(path.is_absolute(), "{var}: {}", path.display());
        assert_eq!(path, swop.profile_dir("work").join(var));
        assert!(path.is_dir(), "{var}: {}", path.display());
    }

    let list: Value =
        serde_json::from_slice(&swop.args(["list", "--json"]).success().stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .expect("list --json is an array")
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["codex", "work"]);
    assert_eq!(list[1], show);

    let empty = Swop::new();
    let list = empty.args(["list", "--json"]).success();
    assert_eq!(
        serde_json::from_slice::<Value>(&list.stdout).unwrap(),
        Value::Array(vec![])
    );
}

#[test]
fn a_missing_profile_suggests_the_closest_name() {
    let swop = Swop::new();
    swop.add("work", &[]);
    swop.add("personal", &[]);
    for args in [
        vec!["show", "wrk"],
        vec!["env", "wrk"],
        vec!["exec", "wrk", "--", "true"],
        vec!["rm", "wrk"],
    ] {
        let out = swop.args(&args).failure(NOT_FOUND);
        let err = out.stderr_str();
        assert!(
            err.contains("not found") && err.contains("did you mean \"work\""),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn list_into_a_closed_pipe_exits_quietly() {
    let swop = Swop::new();
    swop.add("p0000", &[]);
    let profiles = swop.root().join("profiles");
    let file = fs::read(profiles.join("p0000/profile.toml")).unwrap();
    // Enough profiles that the listing is larger than a pipe holds.
    for i in 1..1200 {
        let dir = profiles.join(format!("p{i:04}"));
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        fs::write(dir.join("profile.toml"), &file).unwrap();
    }
    for args in [["list", ""], ["list", "--json"]] {
        let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
        let mut child = swop.args(&args).spawn();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn bind_chooses_the_variables_and_refuses_dangerous_ones() {
    let swop = Swop::new();
    swop.add("c", &["--bind", "CODEX_HOME", "--bind", "GH_CONFIG_DIR"]);
    let show: Value =
        serde_json::from_slice(&swop.args(["show", "c", "--json"]).success().stdout).unwrap();
    let vars: Vec<&str> = show["bindings"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(vars, ["CODEX_HOME", "GH_CONFIG_DIR"]);
    let env = parse_env0(&swop.args(["exec", "c", "--", "env", "-0"]).success().stdout);
    assert_eq!(
        env.get(OsStr::new("HOME")),
        Some(&path_env(&swop.user_home())),
        "HOME is not bound"
    );
    for var in ["PATH", "LD_PRELOAD", "SWOP_HOME", "1X", "A-B"] {
        let out = swop
            .args(["add", "d", "--bind", "CODEX_HOME", "--bind", var])
            .failure(1);
        assert!(
            out.stderr_str().contains(var),
            "{var}: {}",
            out.stderr_str()
        );
        assert!(!swop.root().join("profiles/d").exists(), "{var}");
    }
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
