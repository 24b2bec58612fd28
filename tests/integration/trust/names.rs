//! Names a profile may use: no value that runs or configures code, none of
//! the names a shell owns (a switch is all or nothing in every shell), and
//! any other variable bound to a folder or a file, the common file
//! variables included.

use std::ffi::OsString;
use std::fs;

use crate::common::{OutputExt, Shell, Swop, parse_env0, read_env0, without_shell_vars};

/// Variables whose value is code or configures which code runs.
const CODE_VALUES: [&str; 16] = [
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_KEY_0",
    "GIT_CONFIG_VALUE_0",
    "GIT_CONFIG_PARAMETERS",
    "GIT_EXTERNAL_DIFF",
    "MANPAGER",
    "LESSOPEN",
    "RUSTC_WRAPPER",
    "FCEDIT",
    "PYTHONBREAKPOINT",
    "PYTHONWARNINGS",
    "NODE_REPL_EXTERNAL_MODULE",
    "npm_config_script_shell",
    "KUBECTL_EXTERNAL_DIFF",
    "NU_LIB_DIRS",
    "XONSHRC",
];

/// Names the shells own: assigning one fails or changes the shell itself.
const SHELL_OWNED: [&str; 8] = [
    "signals",
    "status",
    "argv",
    "pipestatus",
    "history",
    "SHLVL",
    "HISTCMD",
    "__swop_folder_pin",
];

/// File variables of real tools, whose names say nothing of a place.
const FILE_VARIABLES: [(&str, &str); 10] = [
    ("GOOGLE_APPLICATION_CREDENTIALS", "credentials.json"),
    ("NETRC", ".netrc"),
    ("PSQLRC", ".psqlrc"),
    ("TASKRC", ".taskrc"),
    ("VAULT_CONFIG_PATH", ".vault"),
    ("NODE_REPL_HISTORY", ".node_repl_history"),
    ("SQLITE_HISTORY", ".sqlite_history"),
    ("INPUTRC", ".inputrc"),
    ("WGETRC", ".wgetrc"),
    ("PYTHON_HISTORY", ".python_history"),
];

#[test]
fn set_refuses_values_that_run_code_and_names_the_shells_own() {
    let swop = Swop::new();
    swop.add("A", &[]);
    for var in CODE_VALUES.iter().chain(&SHELL_OWNED) {
        let assignment = format!("{var}=x");
        let out = swop.args(["add", "x", "--set", &assignment]).failure(1);
        assert!(
            out.stderr_str().contains(var),
            "add {var}: {}",
            out.stderr_str()
        );
        let out = swop.args(["set", "A", &assignment]).failure(1);
        assert!(
            out.stderr_str().contains(var),
            "set {var}: {}",
            out.stderr_str()
        );
        for flag in ["--bind", "--bind-file"] {
            swop.args(["add", "x", flag, var]).failure(1);
        }
    }
    assert!(!swop.root().join("profiles/x").exists());
    let show = swop.args(["show", "A", "--json"]).success().stdout_str();
    assert!(!show.contains("\"x\""), "{show}");
}

/// A profile file edited by hand to set a name a shell owns switches no
/// shell at all: swop refuses before printing, so nothing is half done.
#[test]
fn a_switch_is_all_or_nothing_in_every_shell() {
    let swop = Swop::new();
    swop.add("A", &["--tool", "aws", "--set", "AWS_PROFILE=a"]);
    let file = swop.profile_dir("A").join("profile.toml");
    let good = fs::read_to_string(&file).expect("profile.toml");
    for var in SHELL_OWNED.iter().chain(&CODE_VALUES) {
        fs::write(&file, format!("{good}{var} = \"x\"\n")).expect("edit profile.toml");
        for shell in Shell::ALL {
            if !shell.available() {
                continue;
            }
            let dump = swop.work().join("after.env");
            let _ = fs::remove_file(&dump);
            let script = format!(
                "env -0 > before.env\n{}env -0 > after.env\n",
                shell.apply("env A")
            );
            let out = swop
                .shell(shell, &script)
                .env("AWS_SECRET_ACCESS_KEY", "shell-secret")
                .output();
            let before = without_shell_vars(read_env0(swop.work().join("before.env")));
            let after = without_shell_vars(read_env0(&dump));
            assert_eq!(after, before, "{shell:?} {var}: {}", out.stderr_str());
            assert!(
                out.stderr_str().contains(var),
                "{shell:?} {var}: {}",
                out.stderr_str()
            );
        }
    }
}

#[test]
fn any_file_variable_may_be_bound_to_a_file_of_the_profile() {
    let swop = Swop::new();
    let mut args = vec!["add", "f"];
    for (var, _) in FILE_VARIABLES {
        args.extend(["--bind-file", var]);
    }
    swop.args(&args).success();
    let env = parse_env0(&swop.args(["exec", "f", "--", "env", "-0"]).success().stdout);
    for (var, file) in FILE_VARIABLES {
        let want = swop.profile_dir("f").join(var).join(file);
        assert_eq!(
            env.get(&OsString::from(var)),
            Some(&want.into_os_string()),
            "{var}"
        );
        assert!(swop.profile_dir("f").join(var).is_dir(), "{var}");
    }
    // The catalog knows which are files: --bind would give the tool a folder.
    let out = swop.args(["add", "g", "--bind", "NETRC"]).failure(1);
    assert!(
        out.stderr_str().contains("--bind-file NETRC"),
        "{}",
        out.stderr_str()
    );
    let out = swop
        .args(["add", "g", "--bind-file", "CODEX_HOME"])
        .failure(1);
    assert!(
        out.stderr_str().contains("--bind CODEX_HOME"),
        "{}",
        out.stderr_str()
    );
    // Any other name may be bound; names that choose code may not.
    swop.add(
        "g",
        &["--bind", "MY_TOOL_STUFF", "--bind-file", "MY_TOOL_SETTINGS"],
    );
    for var in ["EDITOR", "GIT_EXTERNAL_DIFF", "XONSHRC"] {
        swop.args(["add", "h", "--bind-file", var]).failure(1);
    }
}
