//! `swop init direnv`: the library that gives an .envrc `use swop NAME`, run
//! by the real direnv, both as `direnv exec` and as its shell hook does it
//! (`eval "$(direnv export bash)"` after each `cd`), with a store whose path
//! holds quotes, `$()`, backticks, a newline and a trailing backslash.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// The store's folder name, as hostile as a path gets short of bytes that
/// are not UTF-8 (direnv keeps values as UTF-8 text).
const STORE: &str = "store 'q' \"d\" $(touch pwned) `touch pwned`\nline\\";

/// A start value quoting must survive, for a variable the profile `full` binds.
const ODD_VALUE: &str = "/tmp/it's \"q\" $(false) `false`\nline two\\";

struct Direnv {
    swop: Swop,
    tree: PathBuf,
}

impl Direnv {
    /// A store with `work` (CODEX_HOME), `full` (the default five) and
    /// `other`, the library where direnv looks for it, and one folder per
    /// .envrc, each allowed.
    fn new(envrcs: &[(&str, &str)]) -> Direnv {
        let swop = Swop::with_store(STORE);
        swop.add("work", &["--bind", "CODEX_HOME"]);
        swop.add("full", &[]);
        swop.add("other", &["--bind", "GH_CONFIG_DIR"]);
        let tree = swop.dir().join("tree");
        fs::create_dir_all(tree.join("plain")).expect("mkdir plain");
        fs::create_dir_all(swop.dir().join("direnv/lib")).expect("mkdir lib");
        let library = swop.args(["init", "direnv"]).success().stdout;
        fs::write(swop.dir().join("direnv/lib/swop.sh"), library).expect("write the library");
        let direnv = Direnv { swop, tree };
        for (dir, envrc) in envrcs {
            let folder = direnv.tree.join(dir);
            fs::create_dir_all(folder.join("sub")).expect("mkdir");
            fs::write(folder.join(".envrc"), envrc).expect("write .envrc");
            direnv.run("direnv").arg("allow").arg(&folder).success();
        }
        direnv
    }

    /// A command with direnv's folders in the test's temporary folder.
    fn run(&self, program: &str) -> Run {
        self.swop
            .command(program)
            .current_dir(self.tree.join("plain"))
            .env("DIRENV_CONFIG", self.swop.dir().join("direnv"))
            .env("XDG_DATA_HOME", self.swop.dir().join("data"))
            .env("XDG_CONFIG_HOME", ODD_VALUE)
            .env("TREE", &self.tree)
    }

    fn dump(&self, name: &str) -> Env {
        without_shell_vars(read_env0(self.tree.join(format!("{name}.env"))))
    }

    fn profile_path(&self, name: &str, var: &str) -> OsString {
        self.swop.profile_dir(name).join(var).into_os_string()
    }
}

fn value(env: &Env, name: &str) -> Option<OsString> {
    env.get(OsStr::new(name)).cloned()
}

#[test]
fn use_swop_switches_exactly_and_direnvs_unload_restores_everything() {
    if !require("direnv") {
        return;
    }
    let direnv = Direnv::new(&[("proj", "use swop work\n"), ("full", "use swop full\n")]);
    // What direnv's bash hook runs at every prompt.
    let script = r#"
d() { eval "$(direnv export bash)"; }
cd "$TREE/plain"; d; env -0 > "$TREE/before.env"
direnv exec "$TREE/proj" env -0 > "$TREE/exec.env"
cd "$TREE/proj"; d; env -0 > "$TREE/in.env"
cd sub; d; env -0 > "$TREE/sub.env"
cd "$TREE/plain"; d; env -0 > "$TREE/after.env"
cd "$TREE/full"; d; env -0 > "$TREE/full.env"
cd "$TREE/plain"; d; env -0 > "$TREE/after-full.env"
eval "$(swop env other --shell bash)"; env -0 > "$TREE/other.env"
cd "$TREE/proj"; d; env -0 > "$TREE/from-other.env"
cd "$TREE/plain"; d; env -0 > "$TREE/back.env"
"#;
    let out = direnv
        .run("bash")
        .args(["--norc", "--noprofile", "-euo", "pipefail", "-c", script])
        .success();
    let said = out.stderr_str();

    let store = direnv.swop.root();
    assert!(store.to_string_lossy().ends_with(STORE), "{store:?}");
    let before = direnv.dump("before");
    assert_eq!(value(&before, "XDG_CONFIG_HOME"), Some(ODD_VALUE.into()));
    for step in ["exec", "in", "sub", "from-other"] {
        let env = direnv.dump(step);
        assert_eq!(
            value(&env, "SWOP_PROFILE"),
            Some("work".into()),
            "{step}\n{said}"
        );
        assert_eq!(
            value(&env, "CODEX_HOME"),
            Some(direnv.profile_path("work", "CODEX_HOME")),
            "{step}"
        );
        assert_eq!(
            value(&env, "SWOP_HOME"),
            Some(store.clone().into()),
            "{step}"
        );
        assert_eq!(
            value(&env, "XDG_CONFIG_HOME"),
            Some(ODD_VALUE.into()),
            "{step}"
        );
        assert_eq!(
            value(&env, "GH_CONFIG_DIR"),
            None,
            "{step}: other's binding stayed"
        );
    }
    let full = direnv.dump("full");
    assert_eq!(
        value(&full, "HOME"),
        Some(direnv.profile_path("full", "HOME"))
    );
    assert_eq!(
        value(&full, "XDG_CONFIG_HOME"),
        Some(direnv.profile_path("full", "XDG_CONFIG_HOME"))
    );
    for step in ["after", "after-full"] {
        let env = without_direnv_state(direnv.dump(step));
        assert_eq!(env, without_direnv_state(before.clone()), "{step}\n{said}");
    }
    let other = direnv.dump("other");
    assert_eq!(value(&other, "SWOP_PROFILE"), Some("other".into()));
    assert_eq!(
        without_direnv_state(direnv.dump("back")),
        without_direnv_state(other),
        "leaving the folder did not bring back the profile the shell was on\n{said}"
    );
    assert!(no_file_named(direnv.swop.dir(), "pwned"));
}

/// direnv's own bookkeeping, which it sets while a folder is loaded and may
/// leave emptied after.
fn without_direnv_state(mut env: Env) -> Env {
    env.retain(|name, _| !name.to_string_lossy().starts_with("DIRENV_"));
    env
}

fn no_file_named(dir: &Path, name: &str) -> bool {
    walk(dir)
        .iter()
        .all(|p| p.file_name() != Some(OsStr::new(name)))
}

#[test]
fn use_swop_refuses_junk_and_switches_nothing() {
    if !require("direnv") {
        return;
    }
    let cases: &[(&str, &str, &str)] = &[
        (
            "unknown",
            "use swop nosuch\n",
            "profile \"nosuch\" not found",
        ),
        (
            "subst",
            "use swop '$(touch pwned)'\n",
            "invalid profile name",
        ),
        (
            "backtick",
            "use swop '`touch pwned`'\n",
            "invalid profile name",
        ),
        (
            "newline",
            "use swop $'work\\ntouch pwned'\n",
            "invalid profile name",
        ),
        ("help", "use swop --help\n", "usage: use swop NAME"),
        ("none", "use swop\n", "usage: use swop NAME"),
        ("two", "use swop work full\n", "usage: use swop NAME"),
    ];
    let envrcs: Vec<(&str, &str)> = cases.iter().map(|(d, e, _)| (*d, *e)).collect();
    let direnv = Direnv::new(&envrcs);
    for (dir, _, message) in cases {
        let out = direnv
            .run("direnv")
            .arg("exec")
            .arg(direnv.tree.join(dir))
            .args(["env", "-0"])
            .success();
        let env = parse_env0(&out.stdout);
        let said = out.stderr_str();
        assert_eq!(value(&env, "SWOP_PROFILE"), None, "{dir}: {said}");
        assert_eq!(value(&env, "CODEX_HOME"), None, "{dir}: {said}");
        assert!(said.contains(message), "{dir}: {said}");
        assert!(!said.contains("Usage:"), "{dir}: swop's help ran: {said}");
    }
    assert!(no_file_named(direnv.swop.dir(), "pwned"));
}
