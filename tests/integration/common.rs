//! Fixtures shared by the test modules: a throwaway store, a builder for swop
//! and shell commands run against it, and real shells.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The exit codes of a profile that does not exist and of one in use.
pub use swop::error::{EXISTS, IN_USE, NOT_FOUND};

/// The swop binary under test.
pub fn swop_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_swop"))
}

pub use crate::skips::skip;

/// Whether `program` can be run. A missing one fails the test under CI and
/// skips it elsewhere (listed when the tests end, see [`skip`]).
#[track_caller]
pub fn require(program: &str) -> bool {
    if find_program(program).is_some() {
        return true;
    }
    missing(&format!("{program} not found on PATH"))
}

/// A program the test needs is missing: a failure under CI, else a skip.
#[track_caller]
pub fn missing(what: &str) -> bool {
    if std::env::var_os("CI").is_some() {
        panic!("{what}, and CI is set: install it (.ci/run does)");
    }
    skip(what);
    false
}

/// The installation of codex the tests may use when none is on PATH; `.ci/run`
/// installs the version it pins there.
pub const CODEX_TEST_DIR: &str = "/opt/swop-test/codex";

/// The real codex, for the tests that run it: from `$SWOP_TEST_CODEX_DIR`
/// (an `npm install --prefix DIR @openai/codex`) when set, else the `codex` on
/// PATH, else from [`CODEX_TEST_DIR`]. Missing, it fails the test under CI and
/// skips it elsewhere. Every test runs it with a HOME and a CODEX_HOME of its
/// own: the user's `~/.codex` is never touched.
#[track_caller]
pub fn codex() -> Option<PathBuf> {
    let npm = |dir: &Path| dir.join("node_modules/.bin/codex");
    let found = match std::env::var_os("SWOP_TEST_CODEX_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => Some(npm(Path::new(&dir))).filter(|p| p.exists()),
        None => find_program("codex")
            .or_else(|| Some(npm(Path::new(CODEX_TEST_DIR))).filter(|p| p.exists())),
    };
    if found.is_none() {
        let (looked, dir) = match std::env::var_os("SWOP_TEST_CODEX_DIR") {
            Some(dir) => {
                let dir = Path::new(&dir).display().to_string();
                (
                    format!("{dir}/node_modules/.bin (SWOP_TEST_CODEX_DIR)"),
                    dir,
                )
            }
            None => (
                format!("PATH and {CODEX_TEST_DIR}/node_modules/.bin"),
                CODEX_TEST_DIR.to_string(),
            ),
        };
        missing(&format!(
            "codex not found in {looked}; install it with npm install --prefix {dir} @openai/codex"
        ));
    }
    found
}

/// A folder `codex-bin` under `dir` holding only `codex`, a link to
/// [`codex`], to put first on PATH without bringing the rest of its folder.
#[track_caller]
pub fn codex_bin(dir: &Path) -> Option<PathBuf> {
    let codex = codex()?;
    let bin = dir.join("codex-bin");
    fs::create_dir_all(&bin).expect("create codex-bin");
    let link = bin.join("codex");
    if !link.exists() {
        std::os::unix::fs::symlink(&codex, &link).expect("link codex");
    }
    Some(bin)
}

/// The real AWS CLI, for the tests that run it: `$SWOP_TEST_AWS` when set,
/// else the one `.ci/run` installs in `target/ci-tools`, else `aws` on PATH.
/// Missing, it fails the test under CI and skips it elsewhere.
#[track_caller]
pub fn aws() -> Option<PathBuf> {
    let ci_tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools/bin/aws");
    let found = match std::env::var_os("SWOP_TEST_AWS").filter(|a| !a.is_empty()) {
        Some(path) => Some(PathBuf::from(path)).filter(|p| p.exists()),
        None => Some(ci_tools)
            .filter(|p| p.exists())
            .or_else(|| find_program("aws")),
    };
    if found.is_none() {
        missing(
            "aws not found in $SWOP_TEST_AWS, target/ci-tools/bin or PATH; install it with: \
             python3 -m venv target/ci-tools && target/ci-tools/bin/pip install awscli",
        );
    }
    found
}

/// A folder `NAME-bin` under `dir` holding only a link `NAME` to `program`,
/// to put first on PATH without bringing the rest of its folder.
#[track_caller]
pub fn program_bin(dir: &Path, name: &str, program: &Path) -> PathBuf {
    let bin = dir.join(format!("{name}-bin"));
    fs::create_dir_all(&bin).expect("create a program folder");
    let link = bin.join(name);
    if !link.exists() {
        std::os::unix::fs::symlink(program, &link).expect("link the program");
    }
    bin
}

/// The path of `program` on PATH; call [`require`] first.
#[track_caller]
pub fn which_program(program: &str) -> PathBuf {
    find_program(program).unwrap_or_else(|| panic!("{program} is not on PATH"))
}

/// The path of `program` on the PATH the tests were given, if it is there.
pub fn find_program(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// A store of its own in a temporary folder that is deleted afterwards.
///
/// Layout of the folder: `bin/swop` (the binary under test, first on PATH),
/// `home/` (HOME for every command, so nothing reaches the real one), `work/`
/// (the working directory), and the store itself, which swop creates.
#[must_use]
pub struct Swop {
    dir: TempDir,
    store: PathBuf,
}

impl Swop {
    /// A fresh, not yet created store at `<tmp>/store`.
    pub fn new() -> Swop {
        Swop::with_store("store")
    }

    /// A fresh store at `<tmp>/<relative>`; `relative` may hold any bytes but NUL.
    pub fn with_store(relative: impl AsRef<OsStr>) -> Swop {
        let dir = tempfile::Builder::new()
            .prefix("swop-test-")
            .tempdir()
            .expect("cannot create a temporary folder");
        for sub in ["bin", "home", "work"] {
            fs::create_dir(dir.path().join(sub)).expect("cannot create a test folder");
        }
        std::os::unix::fs::symlink(swop_exe(), dir.path().join("bin/swop"))
            .expect("cannot link the swop binary");
        let store = dir.path().join(relative.as_ref());
        Swop { dir, store }
    }

    /// The temporary folder that holds everything of this test.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The working directory of every command.
    pub fn work(&self) -> PathBuf {
        self.dir().join("work")
    }

    /// HOME of every command.
    pub fn user_home(&self) -> PathBuf {
        self.dir().join("home")
    }

    /// SWOP_HOME as given to swop.
    pub fn store(&self) -> &Path {
        &self.store
    }

    /// The store's canonical path, as swop prints it; the store must exist.
    #[track_caller]
    pub fn root(&self) -> PathBuf {
        fs::canonicalize(&self.store).expect("the store does not exist yet")
    }

    /// The canonical folder of a profile.
    #[track_caller]
    pub fn profile_dir(&self, name: &str) -> PathBuf {
        self.root().join("profiles").join(name)
    }

    /// The test's clean environment: PATH (swop first), HOME, SWOP_HOME, a
    /// UTF-8 locale (fish re-encodes inherited non-UTF-8 values in the C
    /// locale), and nothing else from the caller.
    pub fn base_env(&self) -> Env {
        let mut path = OsString::from(self.dir().join("bin"));
        path.push(":");
        path.push(std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()));
        Env::from([
            ("PATH".into(), path),
            ("HOME".into(), self.user_home().into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("SWOP_HOME".into(), self.store.clone().into()),
        ])
    }

    /// The PATH of [`Swop::base_env`] with `bin` first.
    pub fn path_with(&self, bin: &Path) -> String {
        format!(
            "{}:{}",
            bin.display(),
            self.base_env()[OsStr::new("PATH")].to_string_lossy()
        )
    }

    /// A command with [`Swop::base_env`], run in [`Swop::work`].
    pub fn command(&self, program: impl AsRef<OsStr>) -> Run {
        let mut command = Command::new(program);
        command
            .env_clear()
            .envs(self.base_env())
            .current_dir(self.work());
        Run {
            command,
            stdin: None,
        }
    }

    /// `swop ARGS...`
    pub fn args<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(swop_exe()).args(args)
    }

    /// `script` run by a real shell, without its startup files.
    pub fn shell(&self, shell: Shell, script: &str) -> Run {
        self.command(shell.program())
            .args(shell.flags())
            .arg("-c")
            .arg(script)
    }

    /// `swop add NAME EXTRA...`, which must succeed.
    #[track_caller]
    pub fn add(&self, name: &str, extra: &[&str]) {
        self.args(["add", name]).args(extra).success();
    }
}

/// One command to run: swop itself or a shell, with the test's environment.
#[must_use]
pub struct Run {
    command: Command,
    stdin: Option<Vec<u8>>,
}

impl Run {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Run {
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Run {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Run {
        self.command.env_remove(key);
        self
    }

    /// Replace the whole environment.
    pub fn envs(mut self, vars: &BTreeMap<OsString, OsString>) -> Run {
        self.command.env_clear().envs(vars);
        self
    }

    /// Add `vars` to the environment the command already has.
    pub fn more_env(mut self, vars: &BTreeMap<OsString, OsString>) -> Run {
        self.command.envs(vars);
        self
    }

    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Run {
        self.stdin = Some(input.into());
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Run {
        self.command.current_dir(dir);
        self
    }

    /// Run as another user (and that user's group), without supplementary
    /// groups: only root may.
    pub fn run_as(mut self, uid: u32) -> Run {
        use std::os::unix::process::CommandExt;
        self.command.uid(uid).gid(uid);
        self
    }

    /// The underlying command, for tests that need to drive it themselves.
    pub fn into_command(self) -> Command {
        self.command
    }

    /// Start in the background: stdin closed, stdout and stderr piped.
    #[track_caller]
    pub fn spawn(mut self) -> Child {
        self.command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", self.command))
    }

    /// Run to the end, whatever the outcome.
    #[track_caller]
    pub fn output(mut self) -> Output {
        self.command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self
            .command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", self.command));
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            });
        }
        child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("cannot wait for {:?}: {e}", self.command))
    }

    /// Run to the end with stdout on a terminal (a pseudo-terminal's), as
    /// when a command is typed without a pipe or `$(...)`: what it wrote
    /// there comes back as stdout, with the terminal's line endings.
    #[track_caller]
    pub fn output_at_terminal(mut self) -> Output {
        use std::io::Read;
        let (mut master, slave) = open_pty();
        self.command
            .stdin(Stdio::null())
            .stdout(slave)
            .stderr(Stdio::piped());
        let child = self
            .command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", self.command));
        // The command's copy of the terminal is gone once it has started.
        self.command.stdout(Stdio::null());
        let mut output = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("cannot wait for {:?}: {e}", self.command));
        // Everything written is in the terminal's buffer; its end reads as EIO.
        let mut buf = [0u8; 65536];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            output.stdout.extend_from_slice(&buf[..n]);
        }
        output
    }

    /// Run, and fail the test unless the command exits 0.
    #[track_caller]
    pub fn success(self) -> Output {
        let shown = format!("{:?}", self.command);
        let output = self.output();
        if !output.status.success() {
            panic!(
                "expected success, got {}\ncommand: {shown}\n{}",
                output.status,
                describe(&output)
            );
        }
        output
    }

    /// Run, and fail the test unless the command exits with `code`.
    #[track_caller]
    pub fn failure(self, code: i32) -> Output {
        let shown = format!("{:?}", self.command);
        let output = self.output();
        if output.status.code() != Some(code) {
            panic!(
                "expected exit code {code}, got {}\ncommand: {shown}\n{}",
                output.status,
                describe(&output)
            );
        }
        output
    }
}

fn describe(output: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Text access to a command's output.
pub trait OutputExt {
    fn stdout_str(&self) -> String;
    fn stderr_str(&self) -> String;
}

impl OutputExt for Output {
    #[track_caller]
    fn stdout_str(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is not UTF-8")
    }

    #[track_caller]
    fn stderr_str(&self) -> String {
        String::from_utf8(self.stderr.clone()).expect("stderr is not UTF-8")
    }
}

/// The shells swop prints for, each run the way a test needs it: no startup files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    /// POSIX sh, as dash.
    Dash,
    Fish,
}

impl Shell {
    pub const ALL: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Dash, Shell::Fish];

    pub fn program(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Dash => "dash",
            Shell::Fish => "fish",
        }
    }

    pub fn flags(self) -> &'static [&'static str] {
        match self {
            Shell::Bash => &["--norc", "--noprofile"],
            Shell::Zsh => &["--no-rcs", "-f"],
            Shell::Dash => &[],
            Shell::Fish => &["--no-config"],
        }
    }

    /// The value of `swop env --shell` for this shell.
    pub fn syntax(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Dash => "sh",
            Shell::Fish => "fish",
        }
    }

    /// A line that applies `swop ARGS --shell SYNTAX` to the running shell, the
    /// way a user would.
    pub fn apply(self, swop_args: &str) -> String {
        let syntax = self.syntax();
        match self {
            Shell::Fish => format!("swop {swop_args} --shell {syntax} | source\n"),
            _ => format!("eval \"$(swop {swop_args} --shell {syntax})\"\n"),
        }
    }

    /// Whether the shell is installed (see [`require`]).
    #[track_caller]
    pub fn available(self) -> bool {
        require(self.program())
    }
}

/// An environment as `env -0` prints it.
pub type Env = BTreeMap<OsString, OsString>;

pub fn parse_env0(bytes: &[u8]) -> Env {
    bytes
        .split(|&b| b == 0)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let eq = entry.iter().position(|&b| b == b'=').unwrap_or(entry.len());
            let value = entry.get(eq + 1..).unwrap_or_default();
            (
                OsString::from_vec(entry[..eq].to_vec()),
                OsString::from_vec(value.to_vec()),
            )
        })
        .collect()
}

/// Read a file written by `env -0 > FILE`.
#[track_caller]
pub fn read_env0(path: impl AsRef<Path>) -> Env {
    let path = path.as_ref();
    parse_env0(&fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())))
}

/// Variables a shell sets or changes by itself, which no test can predict.
pub const SHELL_OWN_VARS: [&str; 6] = ["_", "SHLVL", "PWD", "OLDPWD", "USER", "LOGNAME"];

/// `env` without the variables the shell manages itself.
pub fn without_shell_vars(mut env: Env) -> Env {
    for var in SHELL_OWN_VARS {
        env.remove(OsStr::new(var));
    }
    env
}

/// Bytes as an `OsString`.
pub fn os(bytes: &[u8]) -> OsString {
    OsString::from_vec(bytes.to_vec())
}

/// Show bytes readably in assertion messages.
pub fn shown(value: Option<&OsString>) -> String {
    match value {
        Some(v) => format!("{:?}", String::from_utf8_lossy(v.as_bytes())),
        None => "<unset>".to_string(),
    }
}

/// Poll `ready` until it holds or `timeout` passes; whether it held.
pub fn wait_until(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if ready() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Every path below `dir`, links not followed.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path.clone());
            }
            found.push(path);
        }
    }
    found
}

/// A store plus a folder of small `#!/bin/sh` tools first on PATH, for the
/// `discover` tests. Test modules add their own methods.
pub struct Lab {
    pub swop: Swop,
    pub tools: PathBuf,
}

impl Lab {
    pub fn new() -> Lab {
        Lab::with(Swop::new())
    }

    pub fn with(swop: Swop) -> Lab {
        let tools = swop.dir().join("tools");
        fs::create_dir(&tools).expect("create tools folder");
        Lab { swop, tools }
    }

    /// A `#!/bin/sh` tool named `name`, stopping at its first failure.
    pub fn tool(&self, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.tools.join(name);
        fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).expect("write tool");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod tool");
        path
    }

    /// PATH with the tools first, then swop, then the caller's.
    pub fn path_var(&self) -> String {
        format!(
            "{}:{}:{}",
            self.tools.display(),
            self.swop.dir().join("bin").display(),
            std::env::var_os("PATH")
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|| "/usr/bin:/bin".into())
        )
    }
}

/// A JSON array of strings.
#[track_caller]
pub fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// Everything under `dir`, for comparing a folder before and after: each
/// entry's kind, mode, and contents or link target.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    for path in walk(dir) {
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let mode = meta.permissions().mode() & 0o7777;
        let entry = if meta.file_type().is_symlink() {
            format!("link -> {:?}", fs::read_link(&path).unwrap_or_default())
        } else if meta.is_dir() {
            format!("dir {mode:o}")
        } else {
            format!("file {mode:o} {:?}", fs::read(&path).unwrap_or_default())
        };
        out.insert(path, entry);
    }
    out
}

/// A `swop exec NAME FLAGS -- ...` that holds a profile until released (or
/// for ten seconds at most, so a failed test leaves nothing behind for long).
pub struct Holder {
    child: Option<Child>,
    release: PathBuf,
}

impl Holder {
    #[track_caller]
    pub fn start(swop: &Swop, name: &str, flags: &[&str]) -> Holder {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static HOLDERS: AtomicUsize = AtomicUsize::new(0);
        let id = HOLDERS.fetch_add(1, Ordering::Relaxed);
        let ready = swop.work().join(format!("ready-{id}"));
        let release = swop.work().join(format!("release-{id}"));
        let script = format!(
            "touch ready-{id}; i=0; while [ ! -e release-{id} ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done"
        );
        let child = swop
            .args(["exec", name])
            .args(flags)
            .args(["--", "sh", "-c", &script])
            .spawn();
        let mut holder = Holder {
            child: Some(child),
            release,
        };
        if !wait_until(Duration::from_secs(10), || ready.exists()) {
            let child = holder.child.take().expect("running");
            let _ = fs::write(&holder.release, "");
            let out = child.wait_with_output().expect("wait for the holder");
            panic!("the holder did not start: {out:?}");
        }
        holder
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    #[track_caller]
    pub fn release(mut self) {
        fs::write(&self.release, "").expect("release the holder");
        let out = self
            .child
            .take()
            .expect("running")
            .wait_with_output()
            .expect("wait for the holder");
        assert!(out.status.success(), "holder: {out:?}");
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = fs::write(&self.release, "");
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A new pseudo-terminal: its master end, to read and write what the
/// terminal shows and is typed, and its slave end, for a command's stdio.
#[track_caller]
pub fn open_pty() -> (fs::File, std::os::fd::OwnedFd) {
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut m, mut s) = (-1, -1);
    // SAFETY: openpty fills two descriptors it opened.
    let ok = unsafe {
        libc::openpty(
            &mut m,
            &mut s,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(ok, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned here.
    unsafe { (fs::File::from_raw_fd(m), OwnedFd::from_raw_fd(s)) }
}
