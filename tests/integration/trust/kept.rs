//! The values a profile removes or replaces, another account's credentials
//! among them, reach no process of the profile through any variable: not
//! one started by `exec`, `shell` or `status`, not a wrapped tool, not a
//! child of a switched shell. `off` still puts back exactly what the shell
//! had, with the integration and without it, whether the session has a
//! private runtime folder to keep them in or the store keeps them.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::common::{Env, OutputExt, Shell, Swop, read_env0, without_shell_vars};

/// The calling shell's account: values no process of the profile may see.
const SECRETS: [(&str, &str); 5] = [
    ("AWS_ACCESS_KEY_ID", "AKIASHELLSHELL4823XX"),
    ("AWS_SECRET_ACCESS_KEY", "shell-secret-4821"),
    ("AWS_SESSION_TOKEN", "shell-session-4822"),
    ("AWS_PROFILE", "shell-profile-4824"),
    ("GH_TOKEN", "shell-gh-token-4825"),
];

/// A program that writes the environment it was given to `$PROBE_DIR`, and
/// answers as a status command would.
const PROBE: &str = "#!/bin/sh\nenv -0 > \"$PROBE_DIR/$(basename \"$0\")-$$.env\"\necho arn:aws:iam::1:user/probe\n";

struct Setup {
    swop: Swop,
    probes: PathBuf,
    /// The runtime folder, when the session has one.
    runtime: Option<PathBuf>,
}

impl Setup {
    fn new(with_runtime: bool) -> Setup {
        let swop = Swop::new();
        swop.add(
            "work",
            &["--tool", "aws", "--tool", "gh", "--set", "AWS_PROFILE=work"],
        );
        let bin = swop.dir().join("probe-bin");
        fs::create_dir(&bin).expect("mkdir probe-bin");
        for name in ["aws", "gh", "probe", "probe-shell"] {
            let path = bin.join(name);
            fs::write(&path, PROBE).expect("write probe");
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        fs::write(swop.root().join("config.toml"), "wrap = [\"probe\"]\n").expect("config");
        let probes = swop.dir().join("probes");
        fs::create_dir(&probes).expect("mkdir probes");
        let runtime = with_runtime.then(|| {
            let dir = swop.dir().join("run");
            fs::create_dir(&dir).expect("mkdir run");
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod");
            dir
        });
        Setup {
            swop,
            probes,
            runtime,
        }
    }

    /// The calling shell's environment: the test's, the secrets, the probes
    /// first on PATH.
    fn env(&self) -> Env {
        let mut env = self.swop.base_env();
        let path = env[OsStr::new("PATH")].clone();
        let mut probes_first = self.swop.dir().join("probe-bin").into_os_string();
        probes_first.push(":");
        probes_first.push(path);
        env.insert("PATH".into(), probes_first);
        env.insert("PROBE_DIR".into(), self.probes.clone().into());
        for (name, value) in SECRETS {
            env.insert(name.into(), value.into());
        }
        if let Some(runtime) = &self.runtime {
            env.insert("XDG_RUNTIME_DIR".into(), runtime.clone().into());
        }
        env
    }
}

#[track_caller]
fn assert_no_secret(what: &str, env: &Env) {
    assert!(!env.is_empty(), "{what}: no environment");
    for (name, value) in env {
        let value = value.to_string_lossy();
        for (_, secret) in SECRETS {
            assert!(
                !value.contains(secret),
                "{what}: {} carries {secret}: {value}",
                name.to_string_lossy()
            );
        }
    }
}

fn probes_written(dir: &Path) -> Vec<(String, Env)> {
    let mut found: Vec<(String, Env)> = fs::read_dir(dir)
        .expect("read probes")
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                read_env0(e.path()),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

fn no_secret_reaches_a_process_of_the_profile(with_runtime: bool) {
    let setup = Setup::new(with_runtime);
    let swop = &setup.swop;
    let env = setup.env();
    swop.args(["exec", "work", "--", "probe"])
        .envs(&env)
        .success();
    swop.args(["shell", "work"])
        .envs(&env)
        .env("SHELL", swop.dir().join("probe-bin/probe-shell"))
        .success();
    swop.args(["status", "work"]).envs(&env).success();
    let written = probes_written(&setup.probes);
    for tool in ["probe-", "probe-shell-", "aws-", "gh-"] {
        assert!(
            written.iter().any(|(name, _)| name.starts_with(tool)),
            "{tool} did not run: {written:?}"
        );
    }
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        if !shell.available() {
            continue;
        }
        // By hand, and with the integration (whose `probe` is wrapped).
        let (init, on, off) = match shell {
            Shell::Fish => ("swop init fish | source", "swop use work", "swop off"),
            Shell::Zsh => ("eval \"$(swop init zsh)\"", "swop use work", "swop off"),
            _ => ("eval \"$(swop init bash)\"", "swop use work", "swop off"),
        };
        let script = format!(
            "env -0 > start.env\n{}env -0 > by-hand.env\nprobe\n{}env -0 > by-hand-off.env\n\
             {init}\n{on}\nenv -0 > used.env\nprobe\n{off}\nenv -0 > used-off.env\n",
            shell.apply("env work"),
            shell.apply("env --off"),
        );
        let out = swop.shell(shell, &script).envs(&env).output();
        assert!(out.status.success(), "{shell:?}: {}", out.stderr_str());
        let read = |name: &str| without_shell_vars(read_env0(swop.work().join(name)));
        let start = read("start.env");
        for inside in ["by-hand.env", "used.env"] {
            let on = read(inside);
            assert_eq!(
                on.get(OsStr::new("SWOP_PROFILE")),
                Some(&OsString::from("work")),
                "{shell:?}"
            );
            assert_no_secret(&format!("{shell:?} {inside}"), &on);
        }
        assert_eq!(read("by-hand-off.env"), start, "{shell:?}: off by hand");
        assert_eq!(read("used-off.env"), start, "{shell:?}: swop off");
    }
    let written = probes_written(&setup.probes);
    assert!(written.len() >= 5, "{written:?}");
    for (name, env) in &written {
        assert_no_secret(name, env);
    }
    // The values are kept in a private file of the user's, not in the store
    // when the session has a runtime folder.
    let folder = match &setup.runtime {
        Some(runtime) => runtime.join("swop"),
        None => swop.root().join("kept"),
    };
    let mode = fs::metadata(&folder)
        .expect("the kept folder")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "{}", folder.display());
    if setup.runtime.is_some() {
        assert!(!swop.root().join("kept").exists());
    }
}

#[test]
fn no_removed_value_reaches_a_process_of_the_profile_with_a_runtime_folder() {
    no_secret_reaches_a_process_of_the_profile(true);
}

#[test]
fn no_removed_value_reaches_a_process_of_the_profile_without_a_runtime_folder() {
    no_secret_reaches_a_process_of_the_profile(false);
}

/// A lost file of kept values: the variables stay unset, and the warning
/// says a reboot or a new login empties the folder only of the runtime
/// folder, which they do.
fn a_lost_file_of_kept_values(runtime: bool) {
    let setup = Setup::new(runtime);
    let swop = &setup.swop;
    let env = setup.env();
    let folder = match runtime {
        true => "\"$XDG_RUNTIME_DIR/swop\"".to_string(),
        false => format!("'{}'", swop.root().join("kept").display()),
    };
    let script = format!(
        "{}rm -rf {folder}\n{}env -0 > off.env\n",
        Shell::Bash.apply("env work"),
        Shell::Bash.apply("env --off")
    );
    let out = swop.shell(Shell::Bash, &script).envs(&env).success();
    let off = read_env0(swop.work().join("off.env"));
    assert_eq!(off.get(OsStr::new("AWS_SECRET_ACCESS_KEY")), None);
    assert_eq!(off.get(OsStr::new("SWOP_PROFILE")), None);
    let err = out.stderr_str();
    assert!(
        err.contains("AWS_SECRET_ACCESS_KEY had before this profile was kept in a private file"),
        "{err}"
    );
    assert_eq!(
        err.contains("a reboot or a new login empties"),
        runtime,
        "{err}"
    );
}

#[test]
fn a_lost_file_of_kept_values_leaves_them_unset_and_says_so() {
    a_lost_file_of_kept_values(true);
}

#[test]
fn a_lost_file_of_kept_values_in_the_store_is_not_blamed_on_a_reboot() {
    a_lost_file_of_kept_values(false);
}
