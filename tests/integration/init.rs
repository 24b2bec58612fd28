//! The shell integration (`swop init`), its wrappers and its completions, run
//! through the real bash, zsh and fish.

mod completions;
mod other_shells;
mod switching;

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SWOP: &str = env!("CARGO_BIN_EXE_swop");

use crate::common::require;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

impl Shell {
    fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    /// The shell running a script file strictly: bash and zsh stop at the first
    /// error, an unset variable or a failing pipeline element (for zsh, see
    /// [`Sandbox::write_script`]).
    fn strict(self, script: &Path) -> Command {
        let mut command = Command::new(self.name());
        match self {
            Shell::Bash => command.args(["--norc", "--noprofile", "-e", "-u", "-o", "pipefail"]),
            Shell::Zsh => command.args(["--no-rcs", "-f"]),
            Shell::Fish => command.arg("--no-config"),
        };
        command.arg(script);
        command
    }
}

/// A tempdir that holds the store, a home, a folder on PATH for fake tools, and
/// a hard link to swop in a folder whose name needs quoting in every shell.
struct Sandbox {
    dir: tempfile::TempDir,
    exe: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        // In the target folder, so that swop can be hard-linked rather than copied.
        let dir = tempfile::Builder::new()
            .prefix("swop-init-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        for sub in ["home", "store", "bin"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let odd = dir.path().join("it's \"odd\" $(x) `y` \\ dir");
        fs::create_dir(&odd).unwrap();
        let exe = odd.join("swop");
        if fs::hard_link(SWOP, &exe).is_err() {
            fs::copy(SWOP, &exe).unwrap();
        }
        Sandbox { dir, exe }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The store root as swop prints it: canonical.
    fn store(&self) -> PathBuf {
        fs::canonicalize(self.path("store")).unwrap()
    }

    /// The environment every command starts from; swop itself is not on PATH,
    /// so only a function that calls it by its path can run it.
    fn base_env(&self) -> Vec<(OsString, OsString)> {
        let path = format!(
            "{}:/usr/local/bin:/usr/bin:/bin",
            self.path("bin").display()
        );
        vec![
            ("HOME".into(), self.path("home").into()),
            ("PATH".into(), path.into()),
            ("SWOP_HOME".into(), self.path("store").into()),
            ("SWOP_TEST_EXE".into(), self.exe.clone().into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("TERM".into(), "dumb".into()),
        ]
    }

    /// `program` with the sandbox's environment; a bare name is looked up
    /// on the PATH the tests were given (a shell installed under an npm
    /// prefix, say), not on the sandbox's own short PATH.
    fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let program = program.as_ref();
        let found = program
            .to_str()
            .filter(|p| !p.contains('/'))
            .and_then(crate::common::find_program);
        let mut command = Command::new(found.as_deref().map_or(program, |p| p.as_os_str()));
        command
            .env_clear()
            .envs(self.base_env())
            .current_dir(self.dir.path());
        command
    }

    fn swop(&self, args: &[&str]) -> Output {
        self.command(&self.exe).args(args).output().unwrap()
    }

    fn add(&self, name: &str, binds: &[&str]) {
        let mut args = vec!["add", name];
        for var in binds {
            args.extend(["--bind", var]);
        }
        success(&self.swop(&args));
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path(rel);
        fs::write(&path, text).unwrap();
        path
    }

    /// An executable script on the sandbox's PATH.
    fn tool(&self, name: &str, script: &str) {
        let path = self.write(&format!("bin/{name}"), script);
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A script file for `shell`; zsh scripts start with the options that
    /// `bash -e -u -o pipefail` has.
    fn write_script(&self, shell: Shell, script: &str) -> PathBuf {
        let prelude = match shell {
            Shell::Zsh => "setopt err_exit no_unset pipe_fail\n",
            Shell::Bash | Shell::Fish => "",
        };
        self.write(
            &format!("script.{}", shell.name()),
            &format!("{prelude}{script}"),
        )
    }

    /// Run `script` in `shell`, strictly, from the sandbox.
    fn run(&self, shell: Shell, script: &str) -> Output {
        let file = self.write_script(shell, script);
        let mut command = shell.strict(&file);
        command
            .env_clear()
            .envs(self.base_env())
            .current_dir(self.dir.path());
        command.output().unwrap()
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// An `env -0` dump, less what shells change by themselves.
    fn env_dump(&self, rel: &str) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let bytes = fs::read(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        bytes
            .split(|&b| b == 0)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let eq = entry.iter().position(|&b| b == b'=').unwrap();
                (entry[..eq].to_vec(), entry[eq + 1..].to_vec())
            })
            .filter(|(k, _)| !matches!(&k[..], b"_" | b"SHLVL" | b"PWD" | b"OLDPWD"))
            .collect()
    }
}

#[track_caller]
fn success(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn var<'a>(env: &'a BTreeMap<Vec<u8>, Vec<u8>>, name: &str) -> Option<&'a [u8]> {
    env.get(name.as_bytes()).map(Vec::as_slice)
}

fn bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_bytes()
}

/// A start environment that quoting must survive: quotes, `$()`, backticks, a
/// newline, a trailing backslash, bytes that are not UTF-8, an empty value.
const ODD_VALUE: &[u8] = b"/tmp/it's \"q\" $(false) `false`\nline two\\";
const RAW_VALUE: &[u8] = b"/tmp/raw-\xff\xfe";

/// The switching script: dumps of the environment before, on A, after a failed
/// switch, on B, and after `swop off`.
fn switch_script(shell: Shell) -> String {
    let name = shell.name();
    if shell == Shell::Fish {
        return r#"
"$SWOP_TEST_EXE" init fish | source
env -0 > before.env
swop use A
env -0 > a.env
if swop use nosuch 2>> err.txt; exit 9; end
if swop use 2>> err.txt; exit 9; end
# Help is shown (on stderr) and switches nothing.
if not swop use --help 2>> err.txt; exit 9; end
env -0 > a-again.env
swop use B
env -0 > b.env
swop off
env -0 > after.env
"#
        .to_string();
    }
    format!(
        r#"
eval "$("$SWOP_TEST_EXE" init {name})"
env -0 > before.env
swop use A
env -0 > a.env
if swop use nosuch 2>> err.txt; then exit 9; fi
if swop use 2>> err.txt; then exit 9; fi
# Help is shown (on stderr) and switches nothing.
swop use --help 2>> err.txt || exit 9
env -0 > a-again.env
swop use B
env -0 > b.env
swop off
env -0 > after.env
"#
    )
}

fn use_and_off_restore_the_environment(shell: Shell) {
    if !require(shell.name()) {
        return;
    }
    let sandbox = Sandbox::new();
    sandbox.add("A", &[]);
    sandbox.add("B", &["CODEX_HOME"]);
    let script = sandbox.write_script(shell, &switch_script(shell));
    let mut command = shell.strict(&script);
    command
        .env_clear()
        .envs(sandbox.base_env())
        .env("XDG_CONFIG_HOME", OsStr::from_bytes(ODD_VALUE))
        .env("XDG_CACHE_HOME", OsStr::from_bytes(RAW_VALUE))
        .env("XDG_STATE_HOME", "")
        .env_remove("XDG_DATA_HOME")
        .current_dir(sandbox.dir.path());
    success(&command.output().unwrap());

    let before = sandbox.env_dump("before.env");
    let a = sandbox.env_dump("a.env");
    let b = sandbox.env_dump("b.env");
    let after = sandbox.env_dump("after.env");
    assert_eq!(var(&before, "XDG_CONFIG_HOME"), Some(ODD_VALUE));
    assert_eq!(var(&before, "XDG_CACHE_HOME"), Some(RAW_VALUE));

    let a_dir = sandbox.store().join("profiles/A");
    assert_eq!(var(&a, "SWOP_PROFILE"), Some(&b"A"[..]));
    assert_eq!(var(&a, "HOME"), Some(bytes(&a_dir.join("HOME"))));
    assert_eq!(
        var(&a, "XDG_DATA_HOME"),
        Some(bytes(&a_dir.join("XDG_DATA_HOME")))
    );
    assert_eq!(
        sandbox.env_dump("a-again.env"),
        a,
        "a failed swop use changed the environment"
    );

    let b_dir = sandbox.store().join("profiles/B");
    assert_eq!(var(&b, "SWOP_PROFILE"), Some(&b"B"[..]));
    assert_eq!(
        var(&b, "CODEX_HOME"),
        Some(bytes(&b_dir.join("CODEX_HOME")))
    );
    for name in [
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "XDG_STATE_HOME",
    ] {
        assert_eq!(var(&b, name), var(&before, name), "{name} on B");
    }
    assert_eq!(var(&b, "XDG_DATA_HOME"), None);

    assert_eq!(
        after, before,
        "swop use A; swop use B; swop off left changes"
    );
    let err = sandbox.read("err.txt");
    assert!(err.contains("profile \"nosuch\" not found"), "{err}");
    // A missing NAME is asked for, with the names there are; the help is
    // clap's own usage, from the one grammar.
    assert!(
        err.contains("name the profile to switch to: swop use NAME (A, B)"),
        "{err}"
    );
    assert_eq!(err.matches("Usage: swop use <NAME>").count(), 1, "{err}");
}

#[test]
fn use_and_off_restore_the_environment_in_bash() {
    use_and_off_restore_the_environment(Shell::Bash);
}

#[test]
fn use_and_off_restore_the_environment_in_zsh() {
    use_and_off_restore_the_environment(Shell::Zsh);
}

#[test]
fn use_and_off_restore_the_environment_in_fish() {
    use_and_off_restore_the_environment(Shell::Fish);
}

/// A wrapped tool: it says which profile it runs in, its arguments, and tries
/// to take its profile's lock as an outsider would (without the descriptor
/// `swop exec` told it about), which must fail: the `swop exec` it runs under
/// holds it.
const FAKE_TOOL: &str = r#"#!/bin/sh
echo "profile=${SWOP_PROFILE-}"
for arg in "$@"; do echo "arg=$arg"; done
if [ -n "${SWOP_PROFILE-}" ]; then
    env -u SWOP_LOCK_FD "$SWOP_TEST_EXE" exec "$SWOP_PROFILE" -- true 2>&1 && echo "lock=free"
fi
exit 3
"#;

fn wrapper_script(shell: Shell) -> String {
    let name = shell.name();
    if shell == Shell::Fish {
        return r#"
"$SWOP_TEST_EXE" init fish | source
swop use A
faketool 'a b' "c'd" > in.txt; or echo "status=$status" >> in.txt
swop off
faketool x > out.txt; or echo "status=$status" >> out.txt
"#
        .to_string();
    }
    format!(
        r#"
eval "$("$SWOP_TEST_EXE" init {name})"
swop use A
faketool 'a b' "c'd" > in.txt || echo "status=$?" >> in.txt
swop off
faketool x > out.txt || echo "status=$?" >> out.txt
"#
    )
}

#[track_caller]
fn assert_ran_under_the_lock(text: &str) {
    assert!(text.starts_with("profile=A\n"), "{text}");
    assert!(text.contains("profile \"A\" is in use"), "{text}");
    assert!(!text.contains("lock=free"), "{text}");
    assert!(text.ends_with("status=3\n"), "{text}");
}

fn wrappers_run_through_swop_exec(shell: Shell) {
    if !require(shell.name()) {
        return;
    }
    let sandbox = Sandbox::new();
    sandbox.add("A", &[]);
    sandbox.write("store/config.toml", "wrap = [\"faketool\"]\n");
    sandbox.tool("faketool", FAKE_TOOL);
    success(&sandbox.run(shell, &wrapper_script(shell)));
    let inside = sandbox.read("in.txt");
    assert_ran_under_the_lock(&inside);
    assert!(inside.contains("arg=a b\narg=c'd\n"), "{inside}");
    assert_eq!(sandbox.read("out.txt"), "profile=\narg=x\nstatus=3\n");
}

#[test]
fn wrappers_run_through_swop_exec_in_bash() {
    wrappers_run_through_swop_exec(Shell::Bash);
}

#[test]
fn wrappers_run_through_swop_exec_in_zsh() {
    wrappers_run_through_swop_exec(Shell::Zsh);
}

#[test]
fn wrappers_run_through_swop_exec_in_fish() {
    wrappers_run_through_swop_exec(Shell::Fish);
}

/// Aliases of every name the integration uses, defined before init and again
/// after it; swop's own functions must not notice them.
fn alias_script(shell: Shell) -> String {
    let name = shell.name();
    if shell == Shell::Fish {
        return r#"
alias swop=false; alias source=false; alias printf=false
"$SWOP_TEST_EXE" init fish | builtin source
env -0 > before.env
swop use A
faketool > in.txt; or echo "status=$status" >> in.txt
swop off
alias source=false; alias printf=false
swop use A
faketool > in2.txt; or echo "status=$status" >> in2.txt
swop off
env -0 > after.env
"#
        .to_string();
    }
    let aliases = "alias swop=false eval=false command=false builtin=false export=false \
                   unset=false local=false return=false printf=false true=false shopt=false \
                   emulate=false setopt=false print=false";
    let enable = if shell == Shell::Bash {
        "shopt -s expand_aliases"
    } else {
        ""
    };
    format!(
        r#"
{enable}
{aliases}
\builtin eval "$("$SWOP_TEST_EXE" init {name})"
\unalias eval command builtin export unset local return printf true shopt emulate setopt print
env -0 > before.env
swop use A
faketool > in.txt || echo "status=$?" >> in.txt
swop off
{aliases}
\swop use A
faketool > in2.txt || \echo "status=$?" >> in2.txt
\swop off
\env -0 > after.env
"#
    )
}

fn aliases_do_not_break_the_integration(shell: Shell) {
    if !require(shell.name()) {
        return;
    }
    let sandbox = Sandbox::new();
    sandbox.add("A", &[]);
    sandbox.write("store/config.toml", "wrap = [\"faketool\"]\n");
    sandbox.tool("faketool", FAKE_TOOL);
    success(&sandbox.run(shell, &alias_script(shell)));
    assert_ran_under_the_lock(&sandbox.read("in.txt"));
    assert_ran_under_the_lock(&sandbox.read("in2.txt"));
    assert_eq!(
        sandbox.env_dump("after.env"),
        sandbox.env_dump("before.env")
    );
}

#[test]
fn aliases_do_not_break_the_integration_in_bash() {
    aliases_do_not_break_the_integration(Shell::Bash);
}

#[test]
fn aliases_do_not_break_the_integration_in_zsh() {
    aliases_do_not_break_the_integration(Shell::Zsh);
}

#[test]
fn aliases_do_not_break_the_integration_in_fish() {
    aliases_do_not_break_the_integration(Shell::Fish);
}

/// `$?` after init is the status of the command before it, in the `eval` and
/// the `source` forms, under pipefail too; under `set -e` init neither fails
/// nor ends the shell.
fn status_script(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => {
            r#"
set +e
false; eval "$("$SWOP_TEST_EXE" init bash)"; echo "eval=$?"
(exit 7); source <("$SWOP_TEST_EXE" init bash); echo "source=$?"
false | true; eval "$("$SWOP_TEST_EXE" init bash)"; echo "pipefail=$?"
true; eval "$("$SWOP_TEST_EXE" init bash)"; echo "ok=$?"
set -e
false && true; eval "$("$SWOP_TEST_EXE" init bash)"; echo "errexit=$?"
"#
        }
        Shell::Zsh => {
            r#"
setopt no_err_exit
false; eval "$("$SWOP_TEST_EXE" init zsh)"; echo "eval=$?"
(exit 7); source <("$SWOP_TEST_EXE" init zsh); echo "source=$?"
false | true; eval "$("$SWOP_TEST_EXE" init zsh)"; echo "pipefail=$?"
true; eval "$("$SWOP_TEST_EXE" init zsh)"; echo "ok=$?"
setopt err_exit
false && true; eval "$("$SWOP_TEST_EXE" init zsh)"; echo "errexit=$?"
"#
        }
        Shell::Fish => {
            r#"
false; "$SWOP_TEST_EXE" init fish | source; echo "eval=$status"
sh -c 'exit 7'; "$SWOP_TEST_EXE" init fish | source; echo "source=$status"
true; "$SWOP_TEST_EXE" init fish | source; echo "ok=$status"
"#
        }
    }
}

#[test]
fn init_leaves_the_last_status_alone() {
    for shell in SHELLS {
        if !require(shell.name()) {
            continue;
        }
        let sandbox = Sandbox::new();
        let out = success(&sandbox.run(shell, status_script(shell)));
        let expected = match shell {
            Shell::Fish => "eval=1\nsource=7\nok=0\n",
            _ => "eval=1\nsource=7\npipefail=1\nok=0\nerrexit=0\n",
        };
        assert_eq!(out, expected, "{shell:?}");
    }
}

#[test]
fn init_scripts_pass_the_shells_syntax_checks_and_shellcheck() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "store/config.toml",
        "wrap = [\"codex\", \"aws-vault\", \"python3.12\", \"_x\"]\n",
    );
    for shell in SHELLS {
        if !require(shell.name()) {
            continue;
        }
        let script = success(&sandbox.swop(&["init", shell.name()]));
        assert!(!script.contains("@SWOP"), "{script}");
        assert!(script.contains("function aws-vault"), "{script}");
        let file = sandbox.write(&format!("init.{}", shell.name()), &script);
        let check = match shell {
            Shell::Bash | Shell::Zsh => "-n",
            Shell::Fish => "--no-execute",
        };
        success(
            &Command::new(shell.name())
                .arg(check)
                .arg(&file)
                .output()
                .unwrap(),
        );
    }
    if require("shellcheck") {
        let script = success(&sandbox.swop(&["init", "bash"]));
        let file = sandbox.write("shellcheck.bash", &script);
        let output = Command::new("shellcheck")
            .args(["--enable=all", "--shell=bash"])
            .arg(file)
            .output()
            .unwrap();
        success(&output);
    }
}

#[test]
fn a_bad_config_loads_the_integration_without_wrappers_and_says_why() {
    let sandbox = Sandbox::new();
    for (text, message) in [
        ("wrap = [\"codex\"\n", "line "),
        (
            "wrap = []\nwrapp = [\"codex\"]\n",
            "line 2: unknown field `wrapp`",
        ),
        ("wrap = [\"codex; rm -rf ~\"]\n", "is not a tool name"),
        ("wrap = [\"-x\"]\n", "is not a tool name"),
        ("wrap = [\"command\"]\n", "cannot be wrapped"),
    ] {
        sandbox.write("store/config.toml", text);
        let output = sandbox.swop(&["init", "bash"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{text}: {stderr}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains("function swop"), "{text}");
        assert!(!script.contains("function codex"), "{text}");
        assert!(stderr.contains("config.toml: "), "{text}: {stderr}");
        assert!(stderr.contains(message), "{text}: {stderr}");
        assert!(stderr.contains("without wrapped tools"), "{text}: {stderr}");
    }
}

#[test]
fn list_names_prints_one_name_a_line() {
    let sandbox = Sandbox::new();
    assert_eq!(success(&sandbox.swop(&["list", "--names"])), "");
    sandbox.add("work", &[]);
    sandbox.add("home.2", &["CODEX_HOME"]);
    assert_eq!(
        success(&sandbox.swop(&["list", "--names"])),
        "home.2\nwork\n"
    );
}

#[test]
fn a_typo_in_the_configuration_leaves_the_integration_loaded() {
    if !require("bash") {
        return;
    }
    let sandbox = Sandbox::new();
    sandbox.add("A", &[]);
    sandbox.write(
        "store/config.toml",
        "wrap = [\"faketool\"]\nwrapp = [\"gh\"]\n",
    );
    let out = sandbox.run(
        Shell::Bash,
        r#"eval "$("$SWOP_TEST_EXE" init bash)"
swop use A
echo "profile=$SWOP_PROFILE"
"#,
    );
    let stdout = success(&out);
    assert!(stdout.contains("profile=A"), "{stdout}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2") && err.contains("wrapp"), "{err}");
}

#[test]
fn a_wrapped_tool_runs_as_the_folder_it_is_started_in_on_the_same_line() {
    if !require("bash") {
        return;
    }
    let sandbox = Sandbox::new();
    sandbox.add("A", &[]);
    sandbox.write("store/config.toml", "wrap = [\"faketool\"]\n");
    sandbox.tool("faketool", FAKE_TOOL);
    fs::create_dir_all(sandbox.path("repo")).unwrap();
    sandbox.write("repo/.swop", "A\n");
    success(&sandbox.swop(&["allow", sandbox.path("repo").to_str().unwrap()]));
    // bash switches at the next prompt; `cd repo && tool` comes before it.
    let out = sandbox.run(
        Shell::Bash,
        r#"eval "$("$SWOP_TEST_EXE" init bash)"
cd repo && faketool > ../in.txt || echo "status=$?" >> ../in.txt
cd .. && faketool > out.txt || echo "status=$?" >> out.txt
"#,
    );
    success(&out);
    assert_ran_under_the_lock(&sandbox.read("in.txt"));
    assert_eq!(sandbox.read("out.txt"), "profile=\nstatus=3\n");
}
