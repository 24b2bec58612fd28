//! Where tools keep their state when no variable says otherwise: each
//! variable's own place, relative to the home. A discovery names the
//! variable that moves a path it saw written; a sealed profile keeps the
//! real places of its bindings out of reach.
//!
//! The places come from the tools' documentation and source, as the
//! catalog's facts do (`src/recipe/catalog/`). Most specific first: a path
//! under `.config/gh` is GH_CONFIG_DIR's before it is XDG_CONFIG_HOME's.

/// Variable, and its place relative to the home (a folder, or the file of
/// a file variable).
pub const PLACES: &[(&str, &str)] = &[
    ("CODEX_HOME", ".codex"),
    ("CLAUDE_CONFIG_DIR", ".claude"),
    ("GEMINI_CLI_HOME", ".gemini"),
    ("COPILOT_HOME", ".copilot"),
    ("GH_CONFIG_DIR", ".config/gh"),
    ("GLAB_CONFIG_DIR", ".config/glab-cli"),
    ("CLOUDSDK_CONFIG", ".config/gcloud"),
    ("RCLONE_CONFIG", ".config/rclone/rclone.conf"),
    ("AZURE_CONFIG_DIR", ".azure"),
    ("DOCKER_CONFIG", ".docker"),
    ("KUBECONFIG", ".kube/config"),
    ("AWS_CONFIG_FILE", ".aws/config"),
    ("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"),
    ("NPM_CONFIG_USERCONFIG", ".npmrc"),
    ("CARGO_HOME", ".cargo"),
    ("GNUPGHOME", ".gnupg"),
    ("HF_HOME", ".cache/huggingface"),
    ("TF_CLI_CONFIG_FILE", ".terraformrc"),
    ("FLY_CONFIG_DIR", ".fly"),
    ("KAGGLE_CONFIG_DIR", ".kaggle"),
    ("HTTPIE_CONFIG_DIR", ".httpie"),
    ("GIT_CONFIG_GLOBAL", ".gitconfig"),
    ("XDG_CONFIG_HOME", ".config"),
    ("XDG_STATE_HOME", ".local/state"),
    ("XDG_DATA_HOME", ".local/share"),
    ("XDG_CACHE_HOME", ".cache"),
];

/// A variable's place relative to the home: `""` for HOME itself.
pub fn default_place(var: &str) -> Option<&'static str> {
    if var == "HOME" {
        return Some("");
    }
    PLACES.iter().find(|(v, _)| *v == var).map(|(_, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_inside_another_comes_first() {
        for (i, (_, later)) in PLACES.iter().enumerate() {
            for (_, earlier) in &PLACES[..i] {
                assert!(
                    !std::path::Path::new(later).starts_with(earlier),
                    "{later} lies inside {earlier}, which comes first"
                );
            }
        }
    }
}
