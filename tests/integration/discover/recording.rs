//! `swop discover --record`: the recipe it writes holds in the environment
//! the proof was made in, and keeps the catalog's facts however the tool is
//! named.

use std::fs;

use super::assert_verified;
use crate::common::{Lab, require, strings};

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
