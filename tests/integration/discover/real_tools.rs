//! `swop discover` on real tools from Debian and rustup, each with its own
//! override variable exported in the calling shell: the proof must not
//! follow it, and two profiles made from the result must then keep two
//! accounts apart while both run at once.

use std::fs;
use std::path::PathBuf;

use serde_json::Value;

use super::{assert_verified, class_of};
use crate::common::{Lab, OutputExt, Run, require, strings, tree};

impl Lab {
    /// `swop exec NAME -- ARGS` with the lab's PATH and `env`, started in
    /// the background.
    fn exec_in(&self, name: &str, args: &[&str], env: &[(String, String)]) -> std::process::Child {
        let mut run = self
            .swop
            .args(["exec", name, "--"])
            .args(args)
            .env("PATH", self.path_var());
        for (k, v) in env {
            run = run.env(k, v);
        }
        run.spawn()
    }
}

fn with_env(mut run: Run, env: &[(String, String)]) -> Run {
    for (k, v) in env {
        run = run.env(k, v);
    }
    run
}

#[track_caller]
fn wait_all(children: Vec<std::process::Child>) {
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{out:?}");
    }
}

/// Where rustup keeps toolchains, when cargo is rustup's proxy: the tests'
/// HOME is a temporary folder, so the proxy must be told.
fn rustup_home() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("RUSTUP_HOME") {
        return Some(home.into());
    }
    let real = PathBuf::from(std::env::var_os("HOME")?).join(".rustup");
    real.is_dir().then_some(real)
}

#[test]
fn cargo_needs_cargo_home_even_with_one_exported() {
    if !require("strace") || !require("cargo") || !require("git") {
        return;
    }
    let lab = Lab::new();
    let home = lab.swop.user_home();
    // A local registry: a git index whose config names an API.
    let index = lab.swop.dir().join("index");
    fs::create_dir(&index).expect("mkdir");
    fs::write(
        index.join("config.json"),
        r#"{"dl":"http://127.0.0.1:9/dl","api":"http://127.0.0.1:9"}"#,
    )
    .expect("write");
    for args in [
        &["init", "-q", "."][..],
        &["add", "config.json"],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "index",
        ],
    ] {
        lab.swop
            .command("git")
            .args(args)
            .current_dir(&index)
            .success();
    }
    let user_cargo = home.join(".cargo-user");
    fs::create_dir(&user_cargo).expect("mkdir");
    fs::write(user_cargo.join("credentials.toml"), "REAL").expect("write");
    let mut env = vec![
        (
            "CARGO_REGISTRIES_LOCAL_INDEX".to_string(),
            format!("file://{}", index.display()),
        ),
        ("CARGO_HOME".to_string(), user_cargo.display().to_string()),
    ];
    if let Some(rustup) = rustup_home() {
        env.push(("RUSTUP_HOME".into(), rustup.display().to_string()));
    }
    let run = with_env(
        lab.discover_cmd(&[
            "--record",
            "cargo",
            "--",
            "cargo",
            "login",
            "--registry",
            "local",
            "cio-discover-token",
        ]),
        &env,
    );
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["CARGO_HOME"]);
    assert_eq!(class_of(&f, "$CARGO_HOME/credentials.toml"), "isolated");
    assert!(strings(&f["clean_room"]["removed"]).contains(&"CARGO_HOME".to_string()));
    assert_eq!(
        fs::read_to_string(user_cargo.join("credentials.toml")).expect("read"),
        "REAL"
    );

    lab.swop.add("a", &["--tool", "cargo"]);
    lab.swop.add("b", &["--tool", "cargo"]);
    let children = ["a", "b"]
        .iter()
        .map(|p| {
            let token = format!("cio-token-of-{p}");
            lab.exec_in(p, &["cargo", "login", "--registry", "local", &token], &env)
        })
        .collect();
    wait_all(children);
    for p in ["a", "b"] {
        let creds = lab.swop.profile_dir(p).join("CARGO_HOME/credentials.toml");
        let text =
            fs::read_to_string(&creds).unwrap_or_else(|e| panic!("{}: {e}", creds.display()));
        assert!(text.contains(&format!("cio-token-of-{p}")), "{text}");
    }
    assert_eq!(
        fs::read_to_string(user_cargo.join("credentials.toml")).expect("read"),
        "REAL"
    );
}

#[test]
fn gpg_needs_gnupghome_and_its_agent_is_stopped() {
    if !require("strace") || !require("gpg") || !require("gpgconf") {
        return;
    }
    let lab = Lab::new();
    let home = lab.swop.user_home();
    let user_gnupg = home.join(".gnupg-user");
    fs::create_dir(&user_gnupg).expect("mkdir");
    fs::set_permissions(
        &user_gnupg,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .expect("chmod");
    let env = vec![("GNUPGHOME".to_string(), user_gnupg.display().to_string())];
    let before = tree(&user_gnupg);
    let run = with_env(
        lab.discover_cmd(&[
            "--record",
            "gpg",
            "--",
            "gpg",
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Discover Test <discover@example.org>",
        ]),
        &env,
    );
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["GNUPGHOME"]);
    assert!(
        f["stopped"].to_string().contains("gpg-agent"),
        "{}",
        f["stopped"]
    );
    assert_eq!(tree(&user_gnupg), before);

    lab.swop.add("a", &["--tool", "gpg"]);
    lab.swop.add("b", &["--tool", "gpg"]);
    let children = ["a", "b"]
        .iter()
        .map(|p| {
            let uid = format!("Account {p} <{p}@example.org>");
            lab.exec_in(
                p,
                &[
                    "gpg",
                    "--batch",
                    "--passphrase",
                    "",
                    "--quick-gen-key",
                    &uid,
                ],
                &env,
            )
        })
        .collect();
    wait_all(children);
    for (p, other) in [("a", "b"), ("b", "a")] {
        let out = with_env(
            lab.swop
                .args(["exec", p, "--", "gpg", "--batch", "--list-keys"])
                .env("PATH", lab.path_var()),
            &env,
        )
        .success();
        let keys = out.stdout_str();
        assert!(keys.contains(&format!("{p}@example.org")), "{keys}");
        assert!(!keys.contains(&format!("{other}@example.org")), "{keys}");
        with_env(
            lab.swop
                .args(["exec", p, "--", "gpgconf", "--kill", "gpg-agent"])
                .env("PATH", lab.path_var()),
            &env,
        )
        .success();
    }
    assert_eq!(tree(&user_gnupg), before);
}

#[test]
fn rclone_needs_only_its_config_file() {
    if !require("strace") || !require("rclone") {
        return;
    }
    let lab = Lab::new();
    let home = lab.swop.user_home();
    let user_conf = home.join("rclone-user.conf");
    fs::write(&user_conf, "[real]\ntype = local\n").expect("write");
    let env = vec![("RCLONE_CONFIG".to_string(), user_conf.display().to_string())];
    let run = with_env(
        lab.discover_cmd(&[
            "--record", "rclone", "--", "rclone", "config", "create", "work", "local",
        ]),
        &env,
    );
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["RCLONE_CONFIG"]);
    assert_eq!(strings(&f["files"]), ["RCLONE_CONFIG"]);
    assert_eq!(class_of(&f, "$RCLONE_CONFIG"), "isolated");

    lab.swop.add("a", &["--tool", "rclone"]);
    lab.swop.add("b", &["--tool", "rclone"]);
    let show: Value =
        serde_json::from_slice(&lab.swop.args(["show", "a", "--json"]).success().stdout)
            .expect("json");
    let bound = show["bindings"]["RCLONE_CONFIG"].as_str().expect("bound");
    assert!(bound.ends_with("/RCLONE_CONFIG/rclone.conf"), "{bound}");
    let children = ["a", "b"]
        .iter()
        .map(|p| {
            let remote = format!("remote-of-{p}");
            lab.exec_in(p, &["rclone", "config", "create", &remote, "local"], &env)
        })
        .collect();
    wait_all(children);
    for (p, other) in [("a", "b"), ("b", "a")] {
        let conf = lab.swop.profile_dir(p).join("RCLONE_CONFIG/rclone.conf");
        let text = fs::read_to_string(&conf).unwrap_or_else(|e| panic!("{}: {e}", conf.display()));
        assert!(text.contains(&format!("[remote-of-{p}]")), "{text}");
        assert!(!text.contains(&format!("remote-of-{other}")), "{text}");
    }
    assert_eq!(
        fs::read_to_string(&user_conf).expect("read"),
        "[real]\ntype = local\n"
    );
}
