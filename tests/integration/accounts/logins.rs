//! Two profiles on one login: an `auth.json` the real codex wrote, copied by
//! hand into a second profile, and a gh `hosts.yml` likewise. `status` and
//! `doctor` name the profiles, say why it matters and what to do, and print
//! nothing of the file.

use std::fs;

use crate::common::{OutputExt, Swop, codex_bin};

#[test]
fn a_copied_codex_login_is_found_by_its_digest() {
    let swop = Swop::new();
    let Some(bin) = codex_bin(swop.dir()) else {
        return;
    };
    let path = swop.path_with(&bin);
    for name in ["work", "personal", "client"] {
        swop.add(name, &["--tool", "codex"]);
    }
    let login = |name: &str, key: &str| {
        swop.args(["exec", name, "--", "codex", "login", "--with-api-key"])
            .env("PATH", &path)
            .stdin(format!("{key}\n"))
            .success();
    };
    login("work", "sk-test-work-0123456789");
    login("client", "sk-test-client-0123456789");
    let auth = |name: &str| swop.profile_dir(name).join("CODEX_HOME/auth.json");
    // Separate logins: nothing to say.
    let out = swop.args(["status"]).env("PATH", &path).success();
    assert!(!out.stderr_str().contains("same codex login"), "{out:?}");
    // The copy switchers make.
    fs::copy(auth("work"), auth("personal")).expect("copy auth.json");
    let out = swop
        .args(["status", "personal"])
        .env("PATH", &path)
        .success();
    let err = out.stderr_str();
    assert!(
        err.contains("swop: warning: profiles personal, work hold the same codex login (CODEX_HOME/auth.json is identical)"),
        "{err}"
    );
    assert!(err.contains("revokes"), "{err}");
    assert!(err.contains("swop exec work -- codex"), "{err}");
    assert!(!err.contains("client"), "{err}");
    let doctor = swop.args(["doctor"]).success().stdout_str();
    assert!(
        doctor.contains("--  logins       profiles personal, work hold the same codex login"),
        "{doctor}"
    );
    // codex's own status line shows a masked key; the file itself never is.
    for shown in [err, doctor, out.stdout_str()] {
        assert!(!shown.contains("sk-test-work-0123456789"), "{shown}");
        assert!(!shown.contains("OPENAI_API_KEY"), "{shown}");
    }
}

#[test]
fn a_copied_gh_login_is_found_too() {
    let swop = Swop::new();
    swop.add("a", &["--tool", "gh"]);
    swop.add("b", &["--tool", "gh"]);
    let hosts = "github.com:\n  oauth_token: gho_0123456789abcdefghijABCDEFGHIJ0123\n  user: me\n";
    for name in ["a", "b"] {
        fs::write(
            swop.profile_dir(name).join("GH_CONFIG_DIR/hosts.yml"),
            hosts,
        )
        .expect("hosts.yml");
    }
    let doctor = swop.args(["doctor"]).success().stdout_str();
    assert!(
        doctor.contains(
            "profiles a, b hold the same gh login (GH_CONFIG_DIR/hosts.yml is identical)"
        ),
        "{doctor}"
    );
    assert!(!doctor.contains("gho_"), "{doctor}");
    fs::write(
        swop.profile_dir("b").join("GH_CONFIG_DIR/hosts.yml"),
        "github.com:\n  user: other\n",
    )
    .expect("hosts.yml");
    let doctor = swop.args(["doctor"]).success().stdout_str();
    assert!(doctor.contains("ok  logins"), "{doctor}");
}
