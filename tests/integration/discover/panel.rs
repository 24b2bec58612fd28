//! `swop discover` on real tools from PyPI, npm and Debian that it was never
//! tuned on, in a lived-in home: legacy folders present, a `.gitconfig` with
//! a credential helper, override variables exported to files outside the
//! home. Each answers truthfully, and no real file changes.
//!
//! The tools come from `$SWOP_TEST_PANEL` (default `target/ci-tools/panel`,
//! where `.ci/run` installs them: `bin/` from PyPI, `npm/node_modules/.bin`).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::assert_verified;
use crate::common::{Lab, Run, missing, require, strings};

/// The folder of the panel's tools, if it holds `program`.
#[track_caller]
fn panel(program: &str) -> Option<PathBuf> {
    let root = std::env::var_os("SWOP_TEST_PANEL")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools/panel"));
    let found = ["bin", "npm/node_modules/.bin"]
        .iter()
        .map(|d| root.join(d))
        .find(|d| d.join(program).exists());
    if found.is_none() {
        missing(&format!(
            "{program} not found under {} (.ci/run installs the panel's tools there)",
            root.display()
        ));
    }
    found
}

/// A lab whose home looks used: legacy folders and dotfiles of the tools.
fn lived_in() -> Lab {
    let lab = Lab::new();
    let home = lab.swop.user_home();
    for dir in [".kaggle", ".httpie", ".ssh", ".config"] {
        fs::create_dir_all(home.join(dir)).expect("mkdir");
    }
    let files = [
        (
            ".kaggle/kaggle.json",
            "{\"username\": \"real\", \"key\": \"00000000000000000000000000000000\"}\n",
        ),
        (".httpie/config.json", "{\"default_options\": []}\n"),
        (
            ".gitconfig",
            "[user]\n\tname = Real\n[credential]\n\thelper = store\n",
        ),
        (".ssh/known_hosts", ""),
    ];
    for (name, text) in files {
        fs::write(home.join(name), text).expect("write");
    }
    lab
}

impl Lab {
    /// `swop discover --json ARGS` with the panel's folder of `program`
    /// first on PATH.
    fn panel_cmd(&self, program: &str, args: &[&str]) -> Option<Run> {
        let dir = panel(program)?;
        let path = format!("{}:{}", dir.display(), self.path_var());
        Some(self.discover_cmd(args).env("PATH", path))
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn candidate_source(f: &Value, var: &str) -> String {
    f["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|c| c["var"] == var)
        .map(|c| c["source"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

#[test]
fn httpie_uses_its_legacy_folder_and_its_own_variable_moves_it() {
    if !require("strace") {
        return;
    }
    let lab = lived_in();
    let Some(run) = lab.panel_cmd(
        "http",
        &["--", "http", "--offline", "--session=work", "example.org"],
    ) else {
        return;
    };
    let (f, _) = lab.discover_with(run);
    // An empty home would have shown XDG_CONFIG_HOME; this home has ~/.httpie.
    assert_verified(&f, &["HTTPIE_CONFIG_DIR"]);
    assert!(
        candidate_source(&f, "HTTPIE_CONFIG_DIR").starts_with("mined: "),
        "the variable lives in httpie's Python package"
    );
}

#[test]
fn kaggle_with_its_legacy_folder_needs_kaggle_config_dir() {
    if !require("strace") {
        return;
    }
    let lab = lived_in();
    let Some(run) = lab.panel_cmd(
        "kaggle",
        &[
            "--",
            "sh",
            "-c",
            "KAGGLE_USERNAME=panel KAGGLE_KEY=0123456789abcdef0123456789abcdef kaggle config set -n path -v /tmp/kaggle-data",
        ],
    ) else {
        return;
    };
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["KAGGLE_CONFIG_DIR"]);
}

#[test]
fn databricks_with_its_config_file_exported_outside_the_home() {
    if !require("strace") {
        return;
    }
    let lab = lived_in();
    let srv = lab.swop.dir().join("srv");
    fs::create_dir_all(&srv).expect("mkdir");
    let real = srv.join("databrickscfg");
    fs::write(&real, "[DEFAULT]\nhost = https://real\ntoken = real\n").expect("write");
    let Some(run) = lab.panel_cmd(
        "databricks",
        &[
            "--",
            "sh",
            "-c",
            "printf 'https://x.cloud.databricks.com\\ndapi0000\\n' | databricks configure --token",
        ],
    ) else {
        return;
    };
    let (f, _) = lab.discover_with(run.env("DATABRICKS_CONFIG_FILE", &real));
    assert_verified(&f, &["DATABRICKS_CONFIG_FILE"]);
    assert_eq!(candidate_source(&f, "DATABRICKS_CONFIG_FILE"), "inherited");
    assert_eq!(
        fs::read_to_string(&real).expect("read"),
        "[DEFAULT]\nhost = https://real\ntoken = real\n"
    );
}

#[test]
fn poetry_with_its_config_dir_exported_outside_the_home() {
    if !require("strace") {
        return;
    }
    let lab = lived_in();
    let srv = lab.swop.dir().join("srv/poetry");
    fs::create_dir_all(&srv).expect("mkdir");
    let Some(run) = lab.panel_cmd(
        "poetry",
        &["--", "poetry", "config", "virtualenvs.in-project", "true"],
    ) else {
        return;
    };
    let (f, _) = lab.discover_with(run.env("POETRY_CONFIG_DIR", &srv));
    assert_verified(&f, &["POETRY_CONFIG_DIR"]);
    assert!(fs::read_dir(&srv).expect("read").next().is_none());
}

#[test]
fn s3cmd_and_uv_are_moved_by_the_variables_their_code_looks_up() {
    if !require("strace") {
        return;
    }
    let lab = lived_in();
    let Some(run) = lab.panel_cmd(
        "s3cmd",
        &[
            "--",
            "sh",
            "-c",
            "printf 'AKIAPANEL\\npanelsecret\\n\\n\\n\\n\\n\\n\\n\\n\\nn\\ny\\n' | s3cmd --configure",
        ],
    ) else {
        return;
    };
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["S3CMD_CONFIG"]);

    let Some(run) = lab.panel_cmd(
        "uv",
        &[
            "--record",
            "uv",
            "--",
            "uv",
            "auth",
            "login",
            "example.org",
            "--token",
            "panel",
        ],
    ) else {
        return;
    };
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["UV_CREDENTIALS_DIR"]);
    // No catalog knows uv: the login file its run wrote is the recipe's
    // credential, told by its name.
    let text = fs::read_to_string(lab.swop.root().join("recipes/uv.toml")).expect("recipe");
    let recipe: toml::Table = toml::from_str(&text).expect("toml");
    let credentials: Vec<&str> = recipe["credentials"]
        .as_array()
        .expect("credentials")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        credentials,
        ["UV_CREDENTIALS_DIR/credentials.toml"],
        "{text}"
    );
}

#[test]
fn pnpm_keeps_its_config_under_xdg_config_home() {
    if !require("strace") {
        return;
    }
    let lab = lived_in();
    let Some(run) = lab.panel_cmd(
        "pnpm",
        &[
            "--",
            "pnpm",
            "config",
            "set",
            "registry",
            "https://registry.example.org/",
        ],
    ) else {
        return;
    };
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["XDG_CONFIG_HOME"]);
}

#[test]
fn yarn_as_root_writes_a_system_file_no_variable_moves() {
    if !require("strace") {
        return;
    }
    let lab = lived_in();
    let Some(run) = lab.panel_cmd(
        "yarn",
        &[
            "--",
            "yarn",
            "config",
            "set",
            "registry",
            "https://registry.example.org/",
        ],
    ) else {
        return;
    };
    let yarnrc = Path::new("/usr/local/share/.yarnrc");
    let existed = yarnrc.exists();
    let (f, _) = lab.discover_with(run);
    if is_root() {
        assert_eq!(f["verified"], false, "{:#}", f["limitations"]);
        assert_eq!(f["problems"][0]["kind"], "shared-write");
        assert!(
            strings(&f["problems"][0]["paths"]).contains(&yarnrc.display().to_string()),
            "{:#}",
            f["problems"]
        );
        assert_eq!(yarnrc.exists(), existed, "the write reached {yarnrc:?}");
    } else {
        assert_verified(&f, &["HOME"]);
    }
}

#[test]
fn git_credential_store_keeps_its_file_in_the_home() {
    if !require("strace") || !require("git") {
        return;
    }
    let lab = lived_in();
    let (f, _) = lab.discover(&[
        "--",
        "sh",
        "-c",
        "printf 'protocol=https\\nhost=example.org\\nusername=u\\npassword=p\\n' | git credential-store store",
    ]);
    assert_verified(&f, &["HOME"]);
    assert!(!lab.swop.user_home().join(".git-credentials").exists());
}

#[test]
fn ssh_writes_the_passwd_homes_known_hosts_whatever_home_says() {
    if !require("strace") || !require("ssh") || !require("ssh-keygen") {
        return;
    }
    if !is_root() || !Path::new("/usr/sbin/sshd").exists() {
        missing(
            "the ssh test runs an sshd of its own: it needs root and /usr/sbin/sshd (openssh-server)",
        );
        return;
    }
    let lab = lived_in();
    let key = lab.swop.dir().join("hostkey");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", ""])
        .arg("-f")
        .arg(&key)
        .status()
        .expect("ssh-keygen");
    assert!(made.success());
    fs::create_dir_all("/run/sshd").expect("sshd's folder");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("port").port().to_string();
    drop(listener);
    let mut sshd = std::process::Command::new("/usr/sbin/sshd")
        .args([
            "-D",
            "-p",
            &port,
            "-o",
            "PidFile=none",
            "-o",
            "ListenAddress=127.0.0.1",
        ])
        .arg("-h")
        .arg(&key)
        .spawn()
        .expect("sshd");
    let passwd_home = PathBuf::from("/root");
    let known_hosts = passwd_home.join(".ssh/known_hosts");
    let before = fs::read(&known_hosts).ok();
    let (f, _) = lab.discover(&[
        "--expect-exit",
        "255",
        "--",
        "ssh",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-p",
        &port,
        "127.0.0.1",
        "true",
    ]);
    let _ = sshd.kill();
    let _ = sshd.wait();
    assert_eq!(f["verified"], false, "{:#}", f["limitations"]);
    assert_eq!(f["problems"][0]["kind"], "shared-write");
    let paths = strings(&f["problems"][0]["paths"]);
    assert!(
        paths.contains(&known_hosts.display().to_string()),
        "{paths:?}"
    );
    assert_eq!(
        fs::read(&known_hosts).ok(),
        before,
        "the real known_hosts changed"
    );
}
