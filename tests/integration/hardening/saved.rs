//! The restore record (`SWOP_SAVED`) and what a profile may touch: the record
//! is input like any other, so a forged or damaged one restores nothing the
//! profile being left did not change; oversized values never make the environment too big
//! to start programs; a switch that stops part-way can be undone; variables
//! that choose code or belong to the shell are refused before anything runs.

use std::ffi::OsString;
use std::fs;

use crate::common::{Env, OutputExt, Shell, Swop, read_env0, shown};

/// `swop exec A -- env -0` under `SWOP_SAVED=record`: the command's environment.
#[track_caller]
fn exec_env(swop: &Swop, record: &str) -> (Env, String) {
    let out = swop
        .args(["exec", "A", "--", "env", "-0"])
        .env("SWOP_SAVED", record)
        .success();
    (crate::common::parse_env0(&out.stdout), out.stderr_str())
}

/// Variables whose files decide which code runs (git's `core.fsmonitor`,
/// kubectl's exec plugins, npm's scripts): a forged record must not bring
/// them back for a profile that never touched them.
const PLACES_THAT_LOAD_CODE: [&str; 5] = [
    "GIT_CONFIG_GLOBAL",
    "KUBECONFIG",
    "XDG_CONFIG_HOME",
    "HOME",
    "npm_config_userconfig",
];

#[test]
fn a_forged_record_restores_only_what_the_profile_being_left_changes() {
    let swop = Swop::new();
    swop.add("A", &["--bind", "CODEX_HOME"]);
    let mut forged = String::from(
        "LD_PRELOAD=/tmp/x.so:PATH=/evil:PROMPT_COMMAND=touch%20/tmp/owned:\
         BASH_ENV=/tmp/x:UID=0:GIT_SSH_COMMAND=evil:CODEX_HOME=/kept",
    );
    for place in PLACES_THAT_LOAD_CODE {
        forged.push_str(&format!(":{place}=/evil/{place}"));
    }
    let refused = [
        "LD_PRELOAD",
        "PATH",
        "PROMPT_COMMAND",
        "BASH_ENV",
        "UID",
        "GIT_SSH_COMMAND",
    ]
    .into_iter()
    .chain(PLACES_THAT_LOAD_CODE);
    let refused: Vec<&str> = refused.collect();
    for args in [
        &["env", "--off", "--shell", "bash"][..],
        &["env", "A", "--shell", "bash"],
    ] {
        let out = swop
            .args(args)
            .env("SWOP_PROFILE", "A")
            .env("SWOP_SAVED", &forged)
            .success();
        let text = out.stdout_str();
        for name in &refused {
            assert!(
                !text.contains(&format!("export {name}=")),
                "{args:?}: {name}\n{text}"
            );
            assert!(
                out.stderr_str().contains(name),
                "{args:?}: no word about {name}"
            );
        }
        assert!(!text.contains("/evil"), "{args:?}\n{text}");
        if args[1] == "--off" {
            assert!(text.contains("export CODEX_HOME='/kept'"), "{text}");
        }
    }
    // A forged SWOP_PROFILE names no profile that touches them either.
    let out = swop
        .args(["env", "--off", "--shell", "bash"])
        .env("SWOP_PROFILE", "nosuch")
        .env("SWOP_SAVED", &forged)
        .success();
    assert!(!out.stdout_str().contains("/evil"), "{}", out.stdout_str());
    let out = swop
        .args(["exec", "A", "--", "env", "-0"])
        .env("SWOP_PROFILE", "A")
        .env("SWOP_SAVED", &forged)
        .success();
    let env = crate::common::parse_env0(&out.stdout);
    let get = |k: &str| env.get(&OsString::from(k));
    assert_eq!(get("LD_PRELOAD"), None, "{}", out.stderr_str());
    assert_eq!(get("GIT_SSH_COMMAND"), None);
    assert_ne!(get("PATH").map(|p| p.as_os_str()), Some("/evil".as_ref()));
    for place in PLACES_THAT_LOAD_CODE {
        let value = get(place).map(|v| v.to_string_lossy().into_owned());
        assert!(
            !value.as_deref().unwrap_or("").starts_with("/evil"),
            "{place}={value:?}"
        );
    }
}

#[test]
fn a_nul_or_garbage_in_the_record_does_not_stop_exec_or_switching() {
    let swop = Swop::new();
    swop.add("A", &["--bind", "CODEX_HOME"]);
    let huge = format!("HOME=/h:XDG_DATA_HOME={}", "x".repeat(100 * 1024));
    for record in [
        "XDG_DATA_HOME=a%00b:HOME=/h",
        "HOME=%zz::=:%:1A=b:\u{1b}[31m",
        huge.as_str(),
    ] {
        let (env, _) = exec_env(&swop, record);
        let codex_home = swop.profile_dir("A").join("CODEX_HOME");
        assert_eq!(
            env.get(&OsString::from("CODEX_HOME")),
            Some(&codex_home.into_os_string()),
            "{record:.40}"
        );
        swop.args(["env", "--off", "--shell", "sh"])
            .env("SWOP_SAVED", record)
            .success();
    }
}

/// The environment a real shell ends with after `script`, through `env -0`.
#[track_caller]
fn shell_env(swop: &Swop, shell: Shell, script: &str, value: &str) -> Env {
    let dump = swop.work().join("after.env");
    let _ = fs::remove_file(&dump);
    let script = format!("{script}env -0 > after.env\n");
    swop.shell(shell, &script)
        .env("XDG_CONFIG_HOME", value)
        .success();
    crate::common::without_shell_vars(read_env0(&dump))
}

#[test]
fn a_large_value_switches_and_comes_back_and_programs_still_start() {
    let swop = Swop::new();
    swop.add("A", &[]);
    // Tripled by the old encoding, 50 kB made a record over the kernel's
    // 128 KiB limit for one string: every later program launch failed.
    let value = format!("/{}", "é ".repeat(17_000));
    assert!(value.len() > 50_000);
    for shell in Shell::ALL {
        if !shell.available() {
            continue;
        }
        let before = shell_env(&swop, shell, "", &value);
        let script = format!(
            "{}/bin/true || exit 7\n{}",
            shell.apply("env A"),
            shell.apply("env --off")
        );
        let after = shell_env(&swop, shell, &script, &value);
        assert_eq!(
            shown(after.get(&OsString::from("XDG_CONFIG_HOME"))),
            shown(before.get(&OsString::from("XDG_CONFIG_HOME"))),
            "{shell:?}"
        );
        assert_eq!(after, before, "{shell:?}");
    }
}

#[test]
fn a_value_too_large_to_remember_is_refused_and_the_shell_keeps_working() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let value = "x".repeat(100 * 1024);
    let out = swop
        .args(["env", "A", "--shell", "bash"])
        .env("XDG_CONFIG_HOME", &value)
        .failure(1);
    assert!(out.stdout.is_empty());
    let err = out.stderr_str();
    assert!(err.contains("XDG_CONFIG_HOME (102400 bytes)"), "{err}");
    let bash = swop
        .shell(
            Shell::Bash,
            "eval \"$(swop env A)\"; /bin/true && echo started",
        )
        .env("XDG_CONFIG_HOME", &value)
        .success();
    assert_eq!(bash.stdout_str(), "started\n");
}

/// Every prefix of a switch from A to B, as a shell that stopped there would
/// have applied it, then `swop env --off`: back where it started.
#[test]
fn a_switch_stopped_part_way_can_always_be_switched_back() {
    let swop = Swop::new();
    swop.add("A", &[]);
    swop.add("B", &["--bind", "CODEX_HOME", "--bind", "XDG_CONFIG_HOME"]);
    for shell in [Shell::Bash, Shell::Fish] {
        if !shell.available() {
            continue;
        }
        let start = shell_env(&swop, shell, "", "/start");
        let on_a = shell.apply("env A");
        let syntax = shell.syntax();
        let to_b = swop
            .shell(shell, &format!("{on_a}swop env B --shell {syntax}"))
            .env("XDG_CONFIG_HOME", "/start")
            .success()
            .stdout_str();
        let lines: Vec<&str> = to_b.lines().collect();
        assert!(
            lines[0].contains("SWOP_SAVED"),
            "the record is not first:\n{to_b}"
        );
        for stop in 0..=lines.len() {
            let part: String = lines[..stop].iter().map(|l| format!("{l}\n")).collect();
            let script = format!("{on_a}{part}{}", shell.apply("env --off"));
            let after = shell_env(&swop, shell, &script, "/start");
            assert_eq!(
                after, start,
                "{shell:?} stopped after {stop} lines of:\n{to_b}"
            );
        }
    }
}

#[test]
fn variables_that_choose_code_or_belong_to_the_shell_are_refused_everywhere() {
    let swop = Swop::new();
    swop.add("A", &["--bind", "CODEX_HOME"]);
    let code_and_shell = [
        "fish_user_paths",
        "fish_function_path",
        "GIT_EXEC_PATH",
        "PYTHONUSERBASE",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "ZDOTDIR",
        "BASH_ENV",
        "ENV",
        "PROMPT_COMMAND",
        "PS0",
        "NODE_OPTIONS",
        "JAVA_TOOL_OPTIONS",
        "PERL5LIB",
        "RUBYOPT",
        "UID",
        "EUID",
        "PPID",
        "SHELLOPTS",
    ];
    let recipes = swop.root().join("recipes");
    fs::create_dir(&recipes).expect("mkdir recipes");
    let profile_file = swop.profile_dir("A").join("profile.toml");
    let good = fs::read_to_string(&profile_file).expect("profile.toml");
    for var in code_and_shell {
        for flag in ["--bind", "--bind-file"] {
            let out = swop.args(["add", "x", flag, var]).failure(1);
            assert!(
                out.stderr_str().contains(var),
                "{flag} {var}: {}",
                out.stderr_str()
            );
        }
        // A recipe that binds or unsets it.
        for (field, list) in [("bindings", "bindings"), ("unset", "unset")] {
            let text = if field == "bindings" {
                format!("tool = \"evil\"\n{list} = [\"{var}\"]\n")
            } else {
                format!("tool = \"evil\"\nbindings = [\"CODEX_HOME\"]\n{list} = [\"{var}\"]\n")
            };
            fs::write(recipes.join("evil.toml"), text).expect("write recipe");
            let out = swop.args(["add", "x", "--tool", "evil"]).failure(1);
            assert!(
                out.stderr_str().contains(var),
                "recipe {field} {var}: {}",
                out.stderr_str()
            );
        }
        // A profile file edited by hand: refused before a single line is printed.
        fs::write(
            &profile_file,
            format!("version = 1\n[bindings]\n{var} = \"CODEX_HOME\"\n"),
        )
        .expect("write profile");
        let out = swop.args(["env", "A", "--shell", "zsh"]).failure(1);
        assert!(out.stdout.is_empty(), "{var}: {}", out.stdout_str());
        assert!(
            out.stderr_str().contains(var),
            "{var}: {}",
            out.stderr_str()
        );
        swop.args(["exec", "A", "--", "true"]).failure(1);
        // A restore record that names it.
        fs::write(&profile_file, &good).expect("restore profile");
        let off = swop
            .args(["env", "--off", "--shell", "bash"])
            .env("SWOP_SAVED", format!("{var}=/x"))
            .success();
        assert!(
            !off.stdout_str().contains(&format!("{var}=")),
            "{var}: {}",
            off.stdout_str()
        );
    }
    assert!(!swop.root().join("profiles/x").exists());
}

#[test]
fn a_record_naming_uid_does_not_break_zsh_mid_switch() {
    if !Shell::Zsh.available() {
        return;
    }
    let swop = Swop::new();
    swop.add("A", &[]);
    let out = swop
        .shell(
            Shell::Zsh,
            "export SWOP_PROFILE=A SWOP_SAVED='UID=4242:EUID=4242:PPID=1:XDG_CONFIG_HOME=/back'\n\
             eval \"$(swop env A)\"; echo use=$?\n\
             eval \"$(swop env --off)\"; echo off=$? \"$XDG_CONFIG_HOME\"\n",
        )
        .success();
    assert_eq!(
        out.stdout_str(),
        "use=0\noff=0 /back\n",
        "{}",
        out.stderr_str()
    );
}
