//! Lookups as the real tools write them (each fixture names the package and
//! version it was copied from), and look-alikes that are not lookups.

use super::*;

fn names(text: &str, language: Language) -> Vec<String> {
    let found = read(text.as_bytes(), language);
    found
        .resolve(&found.constants)
        .map(str::to_string)
        .collect()
}

#[test]
fn python_lookups_of_literals() {
    // kaggle 2.2.5, kaggle/api/kaggle_api_extended.py
    let kaggle = r#"    config_dir: str = os.environ.get("KAGGLE_CONFIG_DIR") or """#;
    assert_eq!(names(kaggle, Language::Python), ["KAGGLE_CONFIG_DIR"]);
    // poetry 2.5.1, poetry/locations.py
    let poetry = "CONFIG_DIR = Path(\n    os.getenv(\"POETRY_CONFIG_DIR\")\n    or user_config_path(_APP_NAME)\n)";
    assert_eq!(names(poetry, Language::Python), ["POETRY_CONFIG_DIR"]);
    // huggingface_hub 2.4.0, huggingface_hub/constants.py: the name on a line of its own.
    let hf = "HF_HOME = os.path.expandvars(\n    os.path.expanduser(\n        os.getenv(\n            \"HF_HOME\",\n            os.path.join(os.getenv(\"XDG_CACHE_HOME\", default_home), \"huggingface\"),\n";
    assert_eq!(names(hf, Language::Python), ["HF_HOME", "XDG_CACHE_HOME"]);
    // s3cmd 2.4.0, s3cmd
    let s3cmd = "    if os.getenv(\"S3CMD_CONFIG\"):\n        config_file = unicodise_s(os.getenv(\"S3CMD_CONFIG\"),";
    assert_eq!(names(s3cmd, Language::Python), ["S3CMD_CONFIG"]);
    let index = "home = os.environ['FOO_HOME']\nif 'BAR_DIR' in os.environ:\n    pass\nos.environ.setdefault(\"BAZ_CONFIG\", x)";
    assert_eq!(
        names(index, Language::Python),
        ["BAR_DIR", "BAZ_CONFIG", "FOO_HOME"]
    );
}

#[test]
fn python_lookups_through_constants() {
    // httpie 3.2.4, httpie/config.py
    let httpie = "ENV_XDG_CONFIG_HOME = 'XDG_CONFIG_HOME'\nENV_HTTPIE_CONFIG_DIR = 'HTTPIE_CONFIG_DIR'\n\
                  def get_default_config_dir() -> Path:\n    env_config_dir = os.environ.get(ENV_HTTPIE_CONFIG_DIR)\n\
                  xdg_config_home_dir = os.environ.get(\n        ENV_XDG_CONFIG_HOME,  # 4, 5\n";
    assert_eq!(
        names(httpie, Language::Python),
        ["HTTPIE_CONFIG_DIR", "XDG_CONFIG_HOME"]
    );
    // databricks-cli 0.18.0, databricks_cli/configure/provider.py
    let databricks = "CONFIG_FILE_ENV_VAR = \"DATABRICKS_CONFIG_FILE\"\n\ndef _get_path():\n    \
                      return os.environ.get(CONFIG_FILE_ENV_VAR, join(_home, '.databrickscfg'))";
    assert_eq!(
        names(databricks, Language::Python),
        ["DATABRICKS_CONFIG_FILE"]
    );
    // An annotated constant.
    let annotated = "STATE: Final[str] = \"TOOL_STATE_DIR\"\nx = os.getenv(STATE)";
    assert_eq!(names(annotated, Language::Python), ["TOOL_STATE_DIR"]);
}

#[test]
fn constants_in_one_module_resolve_lookups_in_another() {
    // dvc 3.67.1: dvc/env.py names it, dvc/dirs.py looks it up.
    let env = read(
        b"DVC_GLOBAL_CONFIG_DIR = \"DVC_GLOBAL_CONFIG_DIR\"\nDVC_SITE_CACHE_DIR = \"DVC_SITE_CACHE_DIR\"\n",
        Language::Python,
    );
    let dirs = read(
        b"def global_config_dir():\n    return os.getenv(env.DVC_GLOBAL_CONFIG_DIR) or platformdirs.user_config_dir(\n",
        Language::Python,
    );
    assert!(dirs.names.is_empty());
    let resolved: Vec<&str> = dirs.resolve(&env.constants).collect();
    assert_eq!(resolved, ["DVC_GLOBAL_CONFIG_DIR"]);
    // The constant alone is no lookup.
    assert_eq!(env.resolve(&env.constants).count(), 0);
}

#[test]
fn javascript_lookups() {
    // yarn 1.22.22, lib/cli.js
    let yarn = "    return process.env.XDG_CONFIG_HOME ? path.join(process.env.XDG_CONFIG_HOME, 'yarn') : x;";
    assert_eq!(names(yarn, Language::JavaScript), ["XDG_CONFIG_HOME"]);
    // wrangler 4.86, wrangler-dist/cli.js: a factory keyed by a property.
    let wrangler = "    getWranglerCacheDirFromEnv = getEnvironmentVariableFactory({\n      variableName: \"WRANGLER_CACHE_DIR\"\n    });\n\
                    function getEnvironmentVariableFactory({ variableName, deprecatedName }) {\n\
                    return () => {\n    if (variableName in process.env) {\n      return getProcessEnv(variableName, choices);\n\
                    function getProcessEnv(variableName, choices) {\n  return process.env[variableName];\n";
    assert_eq!(
        names(wrangler, Language::JavaScript),
        ["WRANGLER_CACHE_DIR"]
    );
    let more = "const a = process.env['FOO_HOME'];\nif ('BAR_DIR' in process.env) {}\nx = process.env?.BAZ_CONFIG;";
    assert_eq!(
        names(more, Language::JavaScript),
        ["BAR_DIR", "BAZ_CONFIG", "FOO_HOME"]
    );
}

#[test]
fn ruby_and_shell_lookups() {
    let ruby = "home = ENV['FOO_HOME'] || ENV.fetch(\"BAR_CONFIG_DIR\", nil)\nNOT_ENV['BAZ_DIR']";
    assert_eq!(names(ruby, Language::Ruby), ["BAR_CONFIG_DIR", "FOO_HOME"]);
    let shell = "TOOL_DIR=\"${TOOL_DIR:-$HOME/.tool}\"\nSCRIPT_DIR=$(dirname \"$0\")\ncd \"$SCRIPT_DIR\"\nexec \"$TOOL_DIR/run\" --cfg \"${TOOL_CONFIG}\"";
    assert_eq!(
        names(shell, Language::Shell),
        ["HOME", "TOOL_CONFIG", "TOOL_DIR"]
    );
}

#[test]
fn writes_comparisons_and_other_names_are_not_lookups() {
    let python = "os.environ[\"FOO_HOME\"] = path\nif name == \"BAR_DIR\":\n    pass\n\
                  print(\"BAZ_CONFIG_DIR\")\nx = os.getenv(\"EDITOR\")\ny = os.getenv(\"PYTHONPATH\")\n\
                  z = mygetenv(\"QUX_HOME\")\nw = os.getenv(name())";
    assert!(names(python, Language::Python).is_empty());
    let js = "process.env.FOO_HOME = dir;\nconst BAR_DIR = `${HOME}/x`;";
    assert!(names(js, Language::JavaScript).is_empty());
    // miniflare 4: a lower-case value of a key that a lookup shares.
    let keys = "const kinds = { key: \"cache\" };\nfunction get(key) { return process.env[key]; }";
    assert!(names(keys, Language::JavaScript).is_empty());
    // `${X}` in JavaScript is a template, not the environment.
    let template = "const p = `${CACHE_DIR}/x`;";
    assert!(names(template, Language::JavaScript).is_empty());
}
