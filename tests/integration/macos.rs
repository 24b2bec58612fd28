//! `swop discover` on macOS, run here: `SWOP_TEST_HOST_OS=macos` takes the live
//! macOS path, and the stand-ins in tests/fixtures/macos/bin (sudo, sw_vers,
//! fs_usage, eslogger) take the place of the real programs. The tools under
//! test report each file call to `standin-trace`; the stand-in tracers render
//! those reports in the real formats, among lines of other processes.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use std::time::Duration;

use crate::common::{OutputExt, Run, Swop, require, strings, wait_until};

mod corpus;

/// A store, a folder of tools, and the stand-ins first on PATH.
struct MacLab {
    swop: Swop,
    tools: PathBuf,
}

impl MacLab {
    fn new() -> MacLab {
        let swop = Swop::new();
        let tools = swop.dir().join("tools");
        fs::create_dir(&tools).expect("create tools folder");
        fs::create_dir(swop.dir().join("tmp")).expect("create tmp folder");
        MacLab { swop, tools }
    }

    fn standins() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/macos/bin")
    }

    fn fixture(name: &str) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/macos")
            .join(name)
            .to_string_lossy()
            .into_owned()
    }

    /// A `#!/bin/sh` tool whose body can report what it does with `t OP PATH...`.
    fn tool(&self, name: &str, body: &str) {
        let path = self.tools.join(name);
        fs::write(
            &path,
            format!(
                "#!/bin/sh\nset -e\nt() {{ standin-trace \"$$\" \"$PPID\" \"$0\" \"$@\"; }}\n{body}\n"
            ),
        )
        .expect("write tool");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod tool");
    }

    fn sudo_log(&self) -> PathBuf {
        self.swop.dir().join("sudo.log")
    }

    fn tmp(&self) -> PathBuf {
        self.swop.dir().join("tmp")
    }

    /// `swop discover --json ARGS` as if on a Mac with the stand-ins.
    fn run(&self, args: &[&str]) -> Run {
        let path = format!(
            "{}:{}:{}:{}",
            self.tools.display(),
            Self::standins().display(),
            self.swop.dir().join("bin").display(),
            std::env::var_os("PATH")
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|| "/usr/bin:/bin".into())
        );
        self.swop
            .args(["discover", "--json"])
            .args(args)
            .env("PATH", path)
            .env("SWOP_TEST_HOST_OS", "macos")
            .env("STANDIN_TRACE_LOG", self.swop.dir().join("trace.log"))
            .env("STANDIN_SUDO_LOG", self.sudo_log())
            .env("TMPDIR", self.tmp())
    }

    #[track_caller]
    fn discover(&self, run: Run) -> Value {
        let out = run.success();
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON object ({e}):\n{}\nstderr:\n{}",
                out.stdout_str(),
                out.stderr_str()
            )
        })
    }
}

fn has_shell_tools() -> bool {
    ["sh", "awk", "tail", "head", "wc", "sleep"]
        .iter()
        .all(|p| require(p))
}

#[track_caller]
fn path_entry<'a>(findings: &'a Value, path: &str) -> &'a Value {
    findings["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .find(|p| p["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not among the paths: {:#}", findings["paths"]))
}

#[track_caller]
fn assert_path(findings: &Value, path: &str, class: &str, ops: &[&str]) {
    let entry = path_entry(findings, path);
    assert_eq!(entry["class"], class, "{entry}");
    let got = strings(&entry["ops"]);
    for op in ops {
        assert!(got.iter().any(|g| g == op), "{path}: no {op} in {got:?}");
    }
}

#[track_caller]
fn assert_verified_on_macos(f: &Value, minimal: &[&str]) {
    assert_eq!(
        strings(&f["minimal_env"]),
        minimal,
        "minimal_env; runs: {:#}",
        f["runs"]
    );
    assert_eq!(f["verified"], true, "verified; {:#}", f["limitations"]);
    assert_eq!(f["concurrency"]["passed"], true, "{:#}", f["concurrency"]);
    assert_eq!(f["os"], "macos");
    let release = f["tested_on"]["os_release"].as_str().unwrap_or_default();
    assert!(
        release.contains("macOS 14.5"),
        "tested_on: {}",
        f["tested_on"]
    );
    for run in f["runs"].as_array().expect("runs") {
        for leak in strings(&run["leaks"]) {
            assert!(
                !leak.contains("Spotlight") && !leak.contains("Library"),
                "another process's file in the leaks: {leak}"
            );
        }
    }
    let all = f["paths"].to_string();
    for noise in ["Spotlight", "Saved Application State", "Chrome"] {
        assert!(!all.contains(noise), "{noise} was not filtered out: {all}");
    }
}

#[test]
fn fs_usage_finds_the_tool_variable_with_renames_seen_by_snapshot() {
    if !has_shell_tools() {
        return;
    }
    let lab = MacLab::new();
    lab.tool(
        "footool",
        r#"t exec "$0" swop
d="${FOO_HOME:-$HOME/.foo}"
if [ ! -d "$d" ]; then mkdir -p "$d"; t mkdir "$d"; fi
printf 'state\n' > "$d/.token.tmp"; t create "$d/.token.tmp"
mv "$d/.token.tmp" "$d/token"; t rename "$d/.token.tmp" "$d/token"
refresher=$(command -v footool-token-refresher-daemon)
t spawn "$refresher"
"$refresher""#,
    );
    // A child with a name longer than the 16 bytes fs_usage prints.
    lab.tool(
        "footool-token-refresher-daemon",
        r#"d="${FOO_HOME:-$HOME/.foo}"
cat "$d/token" >/dev/null; t read "$d/token"
date > "$d/refresher.log"; t create "$d/refresher.log""#,
    );
    let f = lab.discover(lab.run(&["--tracer", "fs_usage", "--keep-traces", "--", "footool"]));
    assert_verified_on_macos(&f, &["FOO_HOME"]);
    assert!(
        f["tested_on"]["tracer"]
            .as_str()
            .is_some_and(|t| t.starts_with("fs_usage -w -e -f filesys")),
        "{}",
        f["tested_on"]
    );
    // fs_usage prints only the source of the rename: the destination comes
    // from the snapshots, the read from the child's name cut to 16 bytes.
    assert_path(
        &f,
        "$FOO_HOME/.token.tmp",
        "isolated",
        &["create", "rename-from"],
    );
    assert_path(&f, "$FOO_HOME/token", "isolated", &["create", "read"]);
    assert_path(&f, "$FOO_HOME/refresher.log", "isolated", &["create"]);
    let without = f["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .find(|r| r["label"] == "without-FOO_HOME")
        .unwrap_or_else(|| panic!("no run without FOO_HOME: {:#}", f["runs"]));
    assert!(
        strings(&without["leaks"]).contains(&"$HOME/.foo/token".to_string()),
        "the renamed file leaks without FOO_HOME: {without}"
    );

    let sudo = fs::read_to_string(lab.sudo_log()).expect("sudo log");
    assert!(sudo.lines().any(|l| l == "-v"), "sudo -v first:\n{sudo}");
    assert!(
        sudo.lines()
            .any(|l| l.starts_with("-n ") && l.ends_with("fs_usage -w -e -f filesys")),
        "{sudo}"
    );

    // The kept raw traces: private, and holding the other processes' lines.
    let scratch = fs::read_dir(lab.tmp())
        .expect("tmp")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("swop-discover-"))
        })
        .expect("the kept scratch folder");
    let mode = |p: &Path| fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&scratch), 0o700);
    let trace = fs::read_dir(scratch.join("01-explore/traces"))
        .expect("the explore run")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("trace-A-1"))
        })
        .expect("the first step's trace");
    assert_eq!(mode(&trace), 0o600);
    let text = fs::read_to_string(&trace).expect("trace");
    assert!(text.contains(" mds_stores."), "{text}");
    // The child's 30-byte name on its syscall lines, cut to 16 on its disk
    // I/O lines: both are the tool's.
    assert!(text.contains(" footool-token-refresher-daemon."), "{text}");
    assert!(
        text.contains("WrData[A]") && text.contains(" footool-token-re."),
        "{text}"
    );
}

#[test]
fn eslogger_follows_the_process_tree_to_the_minimal_set() {
    if !has_shell_tools() {
        return;
    }
    let lab = MacLab::new();
    lab.tool(
        "xdgtool",
        r#"t exec "$0" swop
d="${XDG_CONFIG_HOME:-$HOME/.config}/xdgtool"
if [ ! -d "$d" ]; then mkdir -p "$d"; t mkdir "$d"; fi
printf 'token\n' > "$d/config"; t create "$d/config"
child=$(command -v xdgtool-sync)
t spawn "$child"
"$child""#,
    );
    lab.tool(
        "xdgtool-sync",
        r#"t exec "$0" /bin/sh
d="${XDG_CONFIG_HOME:-$HOME/.config}/xdgtool"
cat "$d/config" >/dev/null; t read "$d/config"
printf '1\n' > "$d/sync.tmp"; t create "$d/sync.tmp"
mv "$d/sync.tmp" "$d/sync.state"; t rename "$d/sync.tmp" "$d/sync.state""#,
    );
    // eslogger by default: sw_vers says 14.5 and eslogger is on PATH.
    let f = lab.discover(lab.run(&["--", "xdgtool"]));
    assert_verified_on_macos(&f, &["XDG_CONFIG_HOME"]);
    assert!(
        f["tested_on"]["tracer"].as_str().is_some_and(
            |t| t.starts_with("eslogger open create write rename unlink close exec fork exit")
        ),
        "{}",
        f["tested_on"]
    );
    assert_path(
        &f,
        "$XDG_CONFIG_HOME/xdgtool/config",
        "isolated",
        &["create", "read"],
    );
    assert_path(
        &f,
        "$XDG_CONFIG_HOME/xdgtool/sync.state",
        "isolated",
        &["rename-to"],
    );
    // The child's exec, seen in the child's own events.
    let child = format!("{}/xdgtool-sync", lab.tools.display());
    assert_path(&f, &child, "program", &["exec"]);
    let sudo = fs::read_to_string(lab.sudo_log()).expect("sudo log");
    assert!(sudo.lines().any(|l| l == "-v"), "{sudo}");
}

/// A tracer that saw nothing of the tool (an empty trace, or only other
/// processes) proves nothing: the result must not be verified, and the
/// report says what to check.
#[test]
fn empty_or_foreign_traces_are_not_verified_on_macos() {
    if !has_shell_tools() {
        return;
    }
    for tracer in ["fs_usage", "eslogger"] {
        for blind in [false, true] {
            let lab = MacLab::new();
            // Writes under HOME; with `blind` the tracer shows only others.
            lab.tool(
                "homewriter",
                r#"t exec "$0" swop
mkdir -p "$HOME/.homewriter"; t mkdir "$HOME/.homewriter"
date > "$HOME/.homewriter/state"; t create "$HOME/.homewriter/state""#,
            );
            // Touches nothing at all: an empty trace of the tool.
            lab.tool("idle", "true");
            let tool = if blind { "homewriter" } else { "idle" };
            let out = lab
                .run(&["--tracer", tracer, "--", tool])
                .env("STANDIN_TRACER_BLIND", if blind { "1" } else { "0" })
                .output();
            let text = format!("{}{}", out.stdout_str(), out.stderr_str());
            let f: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            assert_ne!(f["verified"], true, "{tracer} blind={blind}: {text}");
            let hint = if tracer == "eslogger" {
                "Full Disk Access"
            } else {
                "sudo fs_usage"
            };
            assert!(text.contains(hint), "{tracer} blind={blind}: {text}");
        }
    }
}

#[test]
fn eslogger_without_full_disk_access_says_what_to_grant() {
    if !has_shell_tools() {
        return;
    }
    let lab = MacLab::new();
    lab.tool("quiet", "true");
    let out = lab
        .run(&["--tracer", "eslogger", "--", "quiet"])
        .env("STANDIN_ESLOGGER_FAIL", "not_permitted")
        .failure(1);
    let err = out.stderr_str();
    for needed in [
        "Full Disk Access",
        "System Settings > Privacy & Security",
        "sudo",
    ] {
        assert!(err.contains(needed), "{needed} missing from: {err}");
    }
    assert!(out.stdout.is_empty(), "{}", out.stdout_str());

    let out = lab
        .run(&["--tracer", "eslogger", "--", "quiet"])
        .env("STANDIN_ESLOGGER_FAIL", "not_privileged")
        .failure(1);
    let err = out.stderr_str();
    assert!(
        err.contains("root") && err.contains("Full Disk Access"),
        "{err}"
    );
}

#[test]
fn before_macos_13_fs_usage_is_the_default() {
    if !has_shell_tools() {
        return;
    }
    let lab = MacLab::new();
    lab.tool("quiet", r#"t exec "$0" swop"#);
    // Were eslogger chosen, it would fail.
    let f = lab.discover(
        lab.run(&["--", "quiet"])
            .env("STANDIN_MACOS_VERSION", "12.7")
            .env("STANDIN_ESLOGGER_FAIL", "not_permitted"),
    );
    assert!(
        f["tested_on"]["tracer"]
            .as_str()
            .is_some_and(|t| t.starts_with("fs_usage")),
        "{}",
        f["tested_on"]
    );
    assert!(
        f["tested_on"]["os_release"]
            .as_str()
            .is_some_and(|r| r.contains("macOS 12.7")),
        "{}",
        f["tested_on"]
    );
    assert_eq!(f["os"], "macos");
}

/// Whether a process is gone (or a zombie nobody has reaped yet).
fn gone(pid: &str) -> bool {
    let out = std::process::Command::new("ps")
        .args(["-o", "stat=", "-p", pid])
        .output()
        .expect("run ps");
    let stat = String::from_utf8_lossy(&out.stdout);
    stat.trim().is_empty() || stat.trim().starts_with('Z')
}

#[test]
fn a_terminated_swop_stops_its_root_tracer() {
    if !has_shell_tools() || !require("ps") {
        return;
    }
    let lab = MacLab::new();
    let pids = lab.swop.dir();
    lab.tool(
        "slowtool",
        &format!(
            "t exec \"$0\" swop\necho $$ > '{}/tool.pid'\nexec sleep 30",
            pids.display()
        ),
    );
    let tracer_pidfile = pids.join("tracer.pid");
    let mut swop = lab
        .run(&["--tracer", "eslogger", "--", "slowtool"])
        .env("STANDIN_TRACER_PIDFILE", &tracer_pidfile)
        .spawn();
    let tool_pidfile = pids.join("tool.pid");
    assert!(
        wait_until(Duration::from_secs(20), || tool_pidfile.exists()),
        "the tool did not start"
    );
    let tracer = fs::read_to_string(&tracer_pidfile).expect("tracer pid");
    let tracer = tracer.trim();
    assert!(!gone(tracer), "the tracer runs while the tool does");
    let pid = libc::pid_t::try_from(swop.id()).expect("pid");
    // SAFETY: signalling the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = swop.wait().expect("wait for swop");
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGTERM),
        "swop dies of the signal: {status:?}"
    );
    assert!(
        wait_until(Duration::from_secs(5), || gone(tracer)),
        "the tracer {tracer} outlived swop"
    );
    // The tool leads a process group of its own.
    let tool: libc::pid_t = fs::read_to_string(&tool_pidfile)
        .expect("tool pid")
        .trim()
        .parse()
        .expect("a pid");
    // SAFETY: signalling the process group of the tool this test started.
    unsafe { libc::kill(-tool, libc::SIGTERM) };
}

#[test]
fn strace_is_refused_on_macos() {
    let lab = MacLab::new();
    let out = lab.run(&["--tracer", "strace", "--", "true"]).failure(2);
    assert!(
        out.stderr_str().contains("eslogger"),
        "{}",
        out.stderr_str()
    );
}

/// One `fs_usage -w` line laid out as format_print does: the path as
/// `" PATH "` in a column ending near column 219, then `%3u.%06u`, the wait
/// marker and `COMM.THREAD`.
fn wide_line(call: &str, fields: &str, path: &str, comm: &str, tid: u32) -> String {
    let head = format!("10:41:07.123456  {call:<17}{fields}");
    let width = 216 - head.len();
    let buf = format!(" {path} ");
    let column = if buf.len() <= width {
        format!("{buf:<width$}")
    } else {
        // Too long: fs_usage keeps the tail, which then fills the column.
        format!(" {}", &buf[buf.len() + 1 - width..])
    };
    format!("{head}{column}   0.000031   {comm}.{tid}\n")
}

#[test]
fn a_mac_capture_keeps_cut_and_relative_paths_as_printed() {
    let lab = MacLab::new();
    let home = "/Users/me/.codex";
    let deep = format!("{home}/sessions/{}/rollout.jsonl", "2025/10/09/".repeat(20));
    let trace = [
        wide_line("posix_spawn", "", "/usr/local/bin/codex", "zsh", 40),
        wide_line(
            "open",
            "F=4        (_WC_T_)",
            &format!("{home}/auth.json"),
            "codex",
            41,
        ),
        wide_line(
            "open",
            "F=5        (_WC__E)",
            &format!("{home}/.tmpXq3bZ1"),
            "codex",
            41,
        ),
        wide_line("rename", "", &format!("{home}/.tmpXq3bZ1"), "codex", 41),
        wide_line("open", "F=6        (_WC_T_)", &deep, "codex", 41),
        wide_line(
            "open",
            "F=7        (R_____)",
            "A/Resources/Info.plist",
            "codex",
            41,
        ),
        wide_line("open", "F=8        (_WC_T_)", "[-2]/notes.txt", "codex", 41),
        wide_line(
            "open",
            "F=9        (_WC_T_)",
            "/System/Volumes/Data/Users/me/.codex/config.toml",
            "codex",
            41,
        ),
        wide_line(
            "open",
            "F=3        (_WC_T_)",
            "/Users/me/elsewhere",
            "mds_stores",
            9,
        ),
    ]
    .concat();
    let file = lab.swop.dir().join("fs_usage.log");
    fs::write(&file, trace).expect("write trace");
    let file = file.to_str().expect("utf-8");
    let f =
        lab.discover(
            lab.swop
                .args(["discover", "--json", "--os", "macos", "--trace-file", file]),
        );
    assert_eq!(
        strings(&f["minimal_env"]),
        ["CODEX_HOME"],
        "{:#}",
        f["paths"]
    );
    let cut = f["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .find(|p| p["truncated"] == true)
        .unwrap_or_else(|| panic!("no cut path: {:#}", f["paths"]));
    let shown = cut["path"].as_str().expect("path");
    assert!(
        shown.starts_with('…') && shown.ends_with("/rollout.jsonl"),
        "{cut}"
    );
    assert_eq!(cut["class"], "global", "{cut}");
    assert!(cut.get("relative").is_none(), "{cut}");
    for relative in ["A/Resources/Info.plist", "notes.txt"] {
        let entry = path_entry(&f, relative);
        assert_eq!(entry["relative"], true, "{entry}");
        assert!(entry.get("truncated").is_none(), "{entry}");
    }
    // Nothing was joined to this machine's working directory.
    let cwd = std::env::current_dir().expect("cwd").display().to_string();
    assert!(!f["paths"].to_string().contains(&cwd), "{:#}", f["paths"]);
    // The firmlinked spelling is the same file as the short one.
    assert_path(&f, "$HOME/.codex/config.toml", "leak", &["create"]);
    assert_path(&f, "$HOME/.codex/auth.json", "leak", &["create"]);
    assert!(
        !f["paths"].to_string().contains("elsewhere"),
        "{:#}",
        f["paths"]
    );
    let limitations = f["limitations"].to_string();
    for needed in [
        "only the source of a rename (1 in this trace)",
        "cut by the tracer",
        "relative to a folder",
    ] {
        assert!(limitations.contains(needed), "{needed}: {limitations}");
    }
    // The report shows the cut path with its leading `…`.
    let report = lab.swop.dir().join("report.md");
    lab.swop
        .args([
            "discover",
            "--os",
            "macos",
            "--trace-file",
            file,
            "--report",
        ])
        .arg(&report)
        .success();
    let md = fs::read_to_string(&report).expect("report");
    assert!(md.contains(&format!("`{shown}`")), "{md}");
    assert!(
        md.contains("(cut by the tracer)") && md.contains("(relative)"),
        "{md}"
    );
}

#[test]
fn a_narrow_fs_usage_capture_is_refused() {
    let lab = MacLab::new();
    let file = lab.swop.dir().join("narrow.log");
    fs::write(
        &file,
        "13:20:43  getattrlist       /Users/me/Documents/x              0.000011   mds\n\
         13:20:43  open              F=5        (_WC_T_)  /Users/me/.codex/auth.json   0.000004   codex\n",
    )
    .expect("write trace");
    let out = lab
        .swop
        .args([
            "discover",
            "--json",
            "--trace-file",
            file.to_str().expect("utf-8"),
        ])
        .failure(1);
    let err = out.stderr_str();
    assert!(
        err.contains("narrow layout") && err.contains("fs_usage -w"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout_str());
}

#[test]
fn hand_taken_macos_traces_point_at_codex_home() {
    let lab = MacLab::new();
    for fixture in ["fs_usage_codex_login.log", "eslogger_codex_login.jsonl"] {
        let file = MacLab::fixture(fixture);
        let f = lab.discover(lab.swop.args([
            "discover",
            "--json",
            "--os",
            "macos",
            "--trace-file",
            &file,
        ]));
        assert_eq!(f["os"], "macos");
        assert_eq!(f["verified"], false);
        assert_eq!(
            strings(&f["minimal_env"]),
            ["CODEX_HOME"],
            "{fixture}: {:#}",
            f["paths"]
        );
        let paths = f["paths"].as_array().expect("paths");
        for p in paths {
            let path = p["path"].as_str().expect("path");
            let noisy = ["Chrome", "Spotlight", "Saved Application State"]
                .iter()
                .any(|n| path.contains(n));
            assert!(
                !noisy || p["class"] == "system",
                "{fixture}: another process's file kept as {}: {path}",
                p["class"]
            );
        }
    }
}

/// macOS 26 writes eslogger messages of version 10, with every audit token
/// an array: the same login in that shape gives the same findings.
#[test]
fn a_macos_26_eslogger_capture_gives_the_same_findings() {
    let lab = MacLab::new();
    let findings = |fixture: &str| {
        let file = MacLab::fixture(fixture);
        let mut f = lab.discover(lab.swop.args([
            "discover",
            "--json",
            "--os",
            "macos",
            "--trace-file",
            &file,
        ]));
        // Only the name of the file may differ.
        for (key, inner) in [("tested_on", "tracer"), ("steps", ""), ("runbook", "")] {
            match inner {
                "" => f[key] = Value::Null,
                _ => f[key][inner] = Value::Null,
            }
        }
        f
    };
    let objects = findings("eslogger_codex_login.jsonl");
    let arrays = findings("eslogger_codex_login_v10.jsonl");
    assert_eq!(strings(&objects["minimal_env"]), ["CODEX_HOME"]);
    assert!(
        objects["paths"].as_array().is_some_and(|p| p.len() > 3),
        "{:#}",
        objects["paths"]
    );
    assert_eq!(objects, arrays);
}

#[test]
fn a_linux_trace_is_analysed_on_a_mac() {
    let lab = MacLab::new();
    let trace = lab.swop.dir().join("codex.strace");
    fs::write(
        &trace,
        "4242  execve(\"/usr/bin/codex\", [\"codex\", \"login\"], 0x7ffd5e0c1a28 /* 20 vars */) = 0\n\
         4242  mkdir(\"/home/me/.codex\", 0700) = 0\n\
         4242  openat(AT_FDCWD, \"/home/me/.codex/auth.json\", O_WRONLY|O_CREAT|O_TRUNC, 0600) = 3\n\
         4242  +++ exited with 0 +++\n",
    )
    .expect("write trace");
    let f = lab.discover(lab.run(&[
        "--os",
        "linux",
        "--trace-file",
        trace.to_str().expect("utf-8"),
    ]));
    assert_eq!(f["os"], "linux");
    assert_eq!(
        strings(&f["minimal_env"]),
        ["CODEX_HOME"],
        "{:#}",
        f["paths"]
    );
}
