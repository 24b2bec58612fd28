//! `swop discover --record`: the recipe it writes holds in the environment
//! the proof was made in, and keeps the catalog's facts however the tool is
//! named.

use std::fs;

use super::assert_verified;
use crate::common::{Lab, OutputExt, require, strings};

/// A stand-in for huggingface_hub's `hf`: it keeps its token where
/// HF_TOKEN_PATH says, else under HF_HOME, else in `~/.cache/huggingface`,
/// and colours its `--version` like the real one on a terminal.
const HF: &str = r#"case "${1:-}" in
--version) printf '\033[1mhf\033[0m 2.4.0\n' ;;
*) f="${HF_TOKEN_PATH:-${HF_HOME:-$HOME/.cache/huggingface}/token}"
   mkdir -p "$(dirname "$f")"; echo hf_token > "$f" ;;
esac"#;

#[test]
fn a_recipe_recorded_under_the_programs_name_unsets_what_the_proof_lacked() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool("hf", HF);
    // Exported in the caller's shell: the runs do without them, and so must
    // every profile made from the recipe.
    let elsewhere = lab.swop.dir().join("elsewhere");
    fs::create_dir(&elsewhere).expect("mkdir");
    let run = lab
        .discover_cmd(&["--record", "hf", "--", "hf", "auth", "login"])
        .env("GH_CONFIG_DIR", &elsewhere)
        .env("HF_TOKEN", "hf_exported_token_0000000000000000");
    let (findings, _) = lab.discover_with(run);
    let minimal = strings(&findings["minimal_env"]);
    assert_verified(
        &findings,
        &minimal.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let text = fs::read_to_string(lab.swop.root().join("recipes/hf.toml")).expect("recipe");
    let recipe: toml::Table = toml::from_str(&text).expect("toml");
    let unset: Vec<&str> = recipe["unset"]
        .as_array()
        .expect("unset")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    // The catalog's credentials of huggingface, found by its program `hf`.
    for var in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "GH_CONFIG_DIR"] {
        assert!(unset.contains(&var), "{var} not in unset = {unset:?}");
    }
    for var in &minimal {
        assert!(!unset.contains(&var.as_str()), "{var} both bound and unset");
    }
    let version = recipe["verified"]["tool_version"]
        .as_str()
        .expect("version");
    assert_eq!(version, "hf 2.4.0");
}

/// A tool no catalog knows: its login goes to `credentials.json` in its own
/// folder, its history beside it.
const VAULT: &str = r#"d="${VAULTTOOL_HOME:-$HOME/.vaulttool}"; mkdir -p "$d"
echo "v_$$" > "$d/credentials.json"; echo "$*" >> "$d/history.log""#;

/// The files a recorded discovery saw a tool write under its folder, whose
/// names say they hold a login, are its credentials: never shared, never
/// copied, compared by digest when two profiles may hold one login.
#[test]
fn a_login_file_a_discovery_saw_written_is_a_credential_of_the_recipe() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool("vaulttool", VAULT);
    let (findings, _) = lab.discover(&[
        "--record",
        "vaulttool",
        "--candidate",
        "VAULTTOOL_HOME",
        "--",
        "vaulttool",
        "login",
    ]);
    assert_verified(&findings, &["VAULTTOOL_HOME"]);
    let text = fs::read_to_string(lab.swop.root().join("recipes/vaulttool.toml")).expect("recipe");
    let recipe: toml::Table = toml::from_str(&text).expect("toml");
    let credentials = strings(&serde_json::to_value(&recipe["credentials"]).expect("json"));
    assert_eq!(credentials, ["VAULTTOOL_HOME/credentials.json"], "{text}");

    let swop = &lab.swop;
    swop.add("work", &["--tool", "vaulttool"]);
    let login = |name: &str, token: &str| {
        let dir = swop
            .root()
            .join("profiles")
            .join(name)
            .join("VAULTTOOL_HOME");
        fs::write(dir.join("credentials.json"), token).expect("login");
        fs::write(dir.join("history.log"), "login\n").expect("history");
    };
    login("work", "v_1");
    // A copy takes the profile's make, never its login.
    swop.args(["cp", "work", "personal"]).success();
    let personal = swop.root().join("profiles/personal/VAULTTOOL_HOME");
    assert!(!personal.join("credentials.json").exists());
    // The same login in two profiles is what doctor warns of.
    login("personal", "v_1");
    let doctor = swop.args(["doctor"]).success().stdout_str();
    assert!(
        doctor.contains("profiles personal, work hold the same vaulttool login"),
        "{doctor}"
    );
    // And sharing it is refused with the reason.
    let refused = swop
        .args(["set", "work", "--share", "credentials.json"])
        .failure(1)
        .stderr_str();
    assert!(refused.contains("login"), "{refused}");
}
