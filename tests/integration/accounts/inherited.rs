//! Credential and override variables exported in the calling shell: two
//! aws profiles keep their own accounts and values anyway (the real AWS CLI
//! writes and reads each profile's own file), swop says once what it
//! removed, `off` puts everything back, and a profile that binds HOME is
//! warned of an override that still points into the real home.

use std::ffi::OsString;
use std::fs;

use crate::common::{Env, OutputExt, Shell, Swop, aws, program_bin};

/// What the calling shell exports: another account's keys and files.
fn shell_account(swop: &Swop) -> Env {
    let aws_dir = swop.user_home().join(".aws");
    fs::create_dir_all(&aws_dir).expect("mkdir .aws");
    fs::write(
        aws_dir.join("credentials"),
        "[shell]\naws_access_key_id = AKIASHELLSHELLSHELL0\n",
    )
    .expect("write credentials");
    Env::from([
        ("AWS_ACCESS_KEY_ID".into(), "AKIASHELLSHELLSHELL0".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "shell-secret".into()),
        ("AWS_SESSION_TOKEN".into(), "shell-session".into()),
        ("AWS_PROFILE".into(), "shell".into()),
        ("AWS_REGION".into(), "ap-south-1".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            aws_dir.join("credentials").into_os_string(),
        ),
        (
            "AWS_CONFIG_FILE".into(),
            aws_dir.join("config").into_os_string(),
        ),
    ])
}

fn two_aws_profiles(swop: &Swop) {
    for (name, region) in [("work", "eu-west-1"), ("personal", "us-east-2")] {
        swop.add(
            name,
            &[
                "--tool",
                "aws",
                "--set",
                &format!("AWS_PROFILE={name}"),
                "--set",
                &format!("AWS_REGION={region}"),
            ],
        );
    }
}

#[test]
fn two_aws_profiles_keep_their_own_accounts_with_another_exported_in_the_shell() {
    let Some(aws) = aws() else { return };
    let swop = Swop::new();
    two_aws_profiles(&swop);
    let shell = shell_account(&swop);
    let real = fs::read(swop.user_home().join(".aws/credentials")).expect("read");
    let path = format!(
        "{}:{}",
        program_bin(swop.dir(), "aws", &aws).display(),
        swop.base_env()[&OsString::from("PATH")].to_string_lossy()
    );
    for name in ["work", "personal"] {
        let key = format!("AKIA{}", name.to_uppercase());
        let out = swop
            .args([
                "exec",
                name,
                "--",
                "aws",
                "configure",
                "set",
                "aws_access_key_id",
                &key,
            ])
            .more_env(&shell)
            .env("PATH", &path)
            .success();
        let said = out.stderr_str();
        assert_eq!(
            said.matches("removed inherited").count(),
            1,
            "said once: {said}"
        );
        assert!(
            said.contains(
                "removed inherited AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN:"
            ),
            "{said}"
        );
    }
    for name in ["work", "personal"] {
        let got = swop
            .args([
                "exec",
                name,
                "--",
                "aws",
                "configure",
                "get",
                "aws_access_key_id",
            ])
            .more_env(&shell)
            .env("PATH", &path)
            .success()
            .stdout_str();
        assert_eq!(got.trim(), format!("AKIA{}", name.to_uppercase()));
        let seen = swop
            .args([
                "exec",
                name,
                "--",
                "sh",
                "-c",
                "echo \"$AWS_PROFILE $AWS_REGION ${AWS_ACCESS_KEY_ID-none} ${AWS_SESSION_TOKEN-none}\"",
            ])
            .more_env(&shell)
            .success()
            .stdout_str();
        let region = if name == "work" {
            "eu-west-1"
        } else {
            "us-east-2"
        };
        assert_eq!(seen, format!("{name} {region} none none\n"));
        let file = swop
            .profile_dir(name)
            .join("AWS_SHARED_CREDENTIALS_FILE/credentials");
        let text = fs::read_to_string(&file).expect("the profile's own credentials");
        assert!(text.contains(&format!("[{name}]")), "{text}");
    }
    assert_eq!(
        fs::read(swop.user_home().join(".aws/credentials")).expect("read"),
        real,
        "the shell's account was touched"
    );
}

#[test]
fn a_switched_shell_loses_the_credentials_and_off_brings_them_back() {
    let swop = Swop::new();
    two_aws_profiles(&swop);
    let shell = shell_account(&swop);
    let show = "echo \"${AWS_PROFILE-unset} ${AWS_REGION-unset} ${AWS_ACCESS_KEY_ID-unset}\"";
    for kind in [Shell::Bash, Shell::Fish] {
        if !kind.available() {
            continue;
        }
        let show = match kind {
            Shell::Fish => {
                "echo (set -q AWS_PROFILE; and echo $AWS_PROFILE; or echo unset) (set -q AWS_REGION; and echo $AWS_REGION; or echo unset) (set -q AWS_ACCESS_KEY_ID; and echo $AWS_ACCESS_KEY_ID; or echo unset)"
            }
            _ => show,
        };
        let script = format!(
            "{}{show}\n{}{show}\n{}{show}\n{}{show}\n",
            kind.apply("env work"),
            kind.apply("env work"),
            kind.apply("env personal"),
            kind.apply("env --off"),
        );
        let out = swop.shell(kind, &script).more_env(&shell).success();
        assert_eq!(
            out.stdout_str(),
            "work eu-west-1 unset\nwork eu-west-1 unset\npersonal us-east-2 unset\nshell ap-south-1 AKIASHELLSHELLSHELL0\n",
            "{kind:?}"
        );
        // Said on the first switch only: later ones find the variables gone.
        assert_eq!(
            out.stderr_str().matches("removed inherited").count(),
            1,
            "{kind:?}: {}",
            out.stderr_str()
        );
    }
}

#[test]
fn a_home_profile_is_warned_of_an_override_into_the_real_home() {
    let swop = Swop::new();
    swop.add("h", &[]);
    let cargo = swop.user_home().join(".cargo");
    let out = swop
        .args(["exec", "h", "--", "true"])
        .env("CARGO_HOME", &cargo)
        .success();
    let said = out.stderr_str();
    assert!(
        said.contains(&format!(
            "CARGO_HOME={} points into your real home",
            cargo.display()
        )),
        "{said}"
    );
    let out = swop
        .args(["exec", "h", "--", "true"])
        .env("CARGO_HOME", swop.dir().join("elsewhere"))
        .success();
    assert!(!out.stderr_str().contains("real home"), "{out:?}");
    // A profile that leaves HOME alone is not warned: its tools do live there.
    swop.add("c", &["--tool", "codex"]);
    let out = swop
        .args(["exec", "c", "--", "true"])
        .env("CARGO_HOME", &cargo)
        .success();
    assert!(!out.stderr_str().contains("real home"), "{out:?}");
}

/// How often `OPENAI_API_KEY`'s removal is said in `out`.
fn said(out: &std::process::Output) -> usize {
    out.stderr_str().matches("OPENAI_API_KEY").count()
}

/// A codex profile, a wrapped tool, and a shell that exports a key.
fn codex_with_a_key_exported() -> Swop {
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex"]);
    let config = swop.root().join("config.toml");
    fs::write(&config, "wrap = [\"printenv\"]\n").expect("write config");
    swop
}

/// Switches, switches back and again, a wrapped tool with the key exported
/// anew, then a `swop exec` typed by hand, twice.
const SAID_ONCE_SCRIPT: &str = r#"
export OPENAI_API_KEY=sk-first
eval "$(swop init bash)"
swop use work
swop off
swop use work
export OPENAI_API_KEY=sk-again
printenv SWOP_PROFILE OPENAI_API_KEY
swop off
swop exec work -- true
swop exec work -- true
"#;

#[test]
fn a_removed_credential_is_said_once_per_shell_and_at_each_exec_typed_by_hand() {
    if !Shell::Bash.available() {
        return;
    }
    let swop = codex_with_a_key_exported();
    let out = swop.shell(Shell::Bash, SAID_ONCE_SCRIPT).output();
    // The wrapped printenv ran in the profile, without the key.
    assert_eq!(out.stdout_str(), "work\n");
    // Once for the shell's switches and its wrapped tool, and at each exec
    // typed by hand.
    assert_eq!(said(&out), 3, "{}", out.stderr_str());

    // Another shell hears it again, once.
    let out = swop
        .shell(
            Shell::Bash,
            "export OPENAI_API_KEY=sk-x\neval \"$(swop env work --shell bash)\"\neval \"$(swop env --off --shell bash)\"\neval \"$(swop env work --shell bash)\"\n",
        )
        .success();
    assert_eq!(said(&out), 1, "{}", out.stderr_str());
}

/// In a logged-in session with a private runtime folder, what was said is
/// kept there (emptied at logout), not in the store; and said once all the
/// same.
#[test]
fn what_was_said_is_kept_in_the_sessions_runtime_folder() {
    if !Shell::Bash.available() {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let swop = codex_with_a_key_exported();
    let runtime = swop.dir().join("run-user");
    fs::create_dir(&runtime).expect("mkdir runtime");
    fs::set_permissions(&runtime, fs::Permissions::from_mode(0o700)).expect("chmod");
    let out = swop
        .shell(Shell::Bash, SAID_ONCE_SCRIPT)
        .env("XDG_RUNTIME_DIR", &runtime)
        .output();
    assert_eq!(said(&out), 3, "{}", out.stderr_str());
    let told = fs::read_dir(runtime.join("swop"))
        .expect("swop's runtime folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("told-"))
        .count();
    assert_eq!(told, 1);
    assert!(!swop.root().join("told").exists());
    // A runtime folder others may enter is not used.
    fs::set_permissions(&runtime, fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = swop
        .shell(Shell::Bash, SAID_ONCE_SCRIPT)
        .env("XDG_RUNTIME_DIR", &runtime)
        .output();
    assert_eq!(said(&out), 3, "{}", out.stderr_str());
    assert!(swop.root().join("told").is_dir());
}

#[test]
fn quiet_silences_notices_but_never_errors() {
    if !Shell::Bash.available() {
        return;
    }
    let swop = codex_with_a_key_exported();
    let script = format!("{SAID_ONCE_SCRIPT}swop use nosuch\n");
    let out = swop
        .shell(Shell::Bash, &script)
        .env("SWOP_QUIET", "1")
        .output();
    assert_eq!(said(&out), 0, "{}", out.stderr_str());
    assert!(out.stderr_str().contains("nosuch"), "{}", out.stderr_str());

    let config = swop.root().join("config.toml");
    fs::write(&config, "wrap = [\"printenv\"]\nquiet = true\n").expect("write config");
    let out = swop.shell(Shell::Bash, &script).output();
    assert_eq!(said(&out), 0, "{}", out.stderr_str());
    assert!(out.stderr_str().contains("nosuch"), "{}", out.stderr_str());
    // A record that asks for what it may not is still said.
    let out = swop
        .args(["env", "--off", "--shell", "sh"])
        .env("SWOP_PROFILE", "work")
        .env("SWOP_SAVED", "LD_PRELOAD=/tmp/evil.so")
        .success();
    assert!(
        out.stderr_str().contains("LD_PRELOAD"),
        "{}",
        out.stderr_str()
    );
}

#[test]
fn a_nested_exec_does_not_warn_again_of_an_override_into_the_home() {
    let swop = Swop::new();
    swop.add("h", &[]);
    let cargo = swop.user_home().join(".cargo");
    let out = swop
        .args(["exec", "h", "--", "swop", "exec", "h", "--", "true"])
        .env("CARGO_HOME", &cargo)
        .success();
    let said = out.stderr_str();
    assert_eq!(
        said.matches("points into your real home").count(),
        1,
        "{said}"
    );
}
