//! `swop discover` where users run it: variables already exported, failing
//! commands, tools in the home, symbolic links, daemons, signals and no
//! terminal. A "verified" must be true there too, and the real home untouched.

use std::fs;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{assert_verified, class_of};
use crate::common::{Lab, OutputExt, require, strings, tree, wait_until};

/// The kinds of the reasons a result is not verified.
fn problem_kinds(f: &Value) -> Vec<String> {
    f["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["kind"].as_str().expect("kind").to_string())
        .collect()
}

#[track_caller]
fn assert_not_verified(f: &Value, kind: &str, says: &str) {
    assert_eq!(f["verified"], false, "{:#}", f["limitations"]);
    assert!(
        problem_kinds(f).contains(&kind.to_string()),
        "no {kind} problem: {:#}",
        f["problems"]
    );
    let limitations = f["limitations"].to_string();
    assert!(limitations.contains(says), "{says:?} not in {limitations}");
}

/// Whether any process runs with `needle` in its command line.
fn running(needle: &str) -> bool {
    fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .any(|e| {
            let cmdline = fs::read(e.path().join("cmdline")).unwrap_or_default();
            let status = fs::read_to_string(e.path().join("status")).unwrap_or_default();
            !status.contains("State:\tZ")
                && String::from_utf8_lossy(&cmdline)
                    .replace('\0', " ")
                    .contains(needle)
        })
}

#[test]
fn an_inherited_override_variable_is_not_followed() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let home = lab.swop.user_home();
    let real = home.join("real-ovtool.conf");
    let stash = home.join("stash");
    fs::write(&real, "token=REAL\n").expect("write");
    // OVTOOL_CONFIG_FILE names its file; STASH is a name no pattern matches,
    // but it points into the home.
    lab.tool(
        "ovtool",
        r#"f="${OVTOOL_CONFIG_FILE:-$HOME/.ovtool.conf}"; echo "token=$1" > "$f"
if [ -n "${STASH-}" ]; then echo "$1" > "$STASH"; fi"#,
    );
    let run = lab
        .discover_cmd(&["--", "ovtool", "new"])
        .env("OVTOOL_CONFIG_FILE", &real)
        .env("STASH", &stash);
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["OVTOOL_CONFIG_FILE"]);
    assert_eq!(strings(&f["files"]), ["OVTOOL_CONFIG_FILE"]);
    assert_eq!(class_of(&f, "$OVTOOL_CONFIG_FILE"), "isolated");
    let removed = strings(&f["clean_room"]["removed"]);
    for var in ["OVTOOL_CONFIG_FILE", "STASH"] {
        assert!(removed.contains(&var.to_string()), "{var} in {removed:?}");
    }
    assert_eq!(fs::read_to_string(&real).expect("read"), "token=REAL\n");
    assert!(!stash.exists());
}

#[test]
fn a_failing_step_is_not_verified_unless_expected() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "failtool",
        r#"mkdir -p "$HOME/.failtool"; echo t > "$HOME/.failtool/state"; exit 2"#,
    );
    let (f, _) = lab.discover(&["--", "failtool", "configur"]);
    assert_not_verified(&f, "step-failed", "--expect-exit 2");
    assert_eq!(f["concurrency"]["ran"], false);

    // --record refuses, and says why.
    let out = lab
        .discover_cmd(&["--record", "failtool", "--", "failtool"])
        .failure(1);
    assert!(
        out.stderr_str().contains("not recorded"),
        "{}",
        out.stderr_str()
    );
    lab.swop.args(["add", "w", "--tool", "failtool"]).failure(1);

    let (f, _) = lab.discover(&["--expect-exit", "2", "--", "failtool"]);
    assert_verified(&f, &["HOME"]);
}

#[test]
fn a_tool_in_the_home_that_writes_beside_itself_is_caught() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let bin = lab.swop.user_home().join(".local/bin");
    fs::create_dir_all(&bin).expect("mkdir");
    let tool = bin.join("selftool");
    fs::write(
        &tool,
        "#!/bin/sh\nmkdir -p \"$HOME/.selftool\"; echo t > \"$HOME/.selftool/state\"\necho run >> \"$(dirname \"$0\")/selftool.state\" || exit 3\n",
    )
    .expect("write");
    fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let run = lab
        .discover_cmd(&["--", "selftool"])
        .env("PATH", format!("{}:{}", bin.display(), lab.path_var()));
    let (f, _) = lab.discover_with(run);
    assert_not_verified(&f, "shared-write", "$HOME/.local/bin/selftool.state");
    assert!(!bin.join("selftool.state").exists());
}

#[test]
fn a_write_through_a_symbolic_link_counts_where_it_lands() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let home = lab.swop.user_home();
    lab.tool(
        "linktool",
        &format!(
            r#"mkdir -p "$HOME/.linktool"; ln -sfn '{}' "$HOME/.linktool/l"; echo x > "$HOME/.linktool/l/planted" || exit 3"#,
            home.display()
        ),
    );
    let (f, _) = lab.discover(&["--", "linktool"]);
    assert_not_verified(&f, "shared-write", "$HOME/planted");
    assert!(!home.join("planted").exists());
}

#[test]
fn a_daemon_in_its_own_session_is_stopped_after_a_grace_period() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    // Double fork, new session, every descriptor closed: strace -f would wait
    // for it forever.
    lab.tool(
        "daemontool",
        r#"d="${XDG_STATE_HOME:-$HOME/.local/state}/daemontool"; mkdir -p "$d"; echo s > "$d/state"
( setsid sleep 3131 </dev/null >/dev/null 2>&1 & )"#,
    );
    let start = Instant::now();
    let (f, _) = lab.discover(&["--", "daemontool"]);
    assert!(start.elapsed() < Duration::from_secs(60));
    assert_verified(&f, &["XDG_STATE_HOME"]);
    let stopped = f["stopped"].to_string();
    assert!(stopped.contains("sleep 3131"), "{stopped}");
    assert!(f["limitations"].to_string().contains("sleep 3131"));
    assert!(!running("sleep 3131"), "the daemon is still running");
}

/// Start discover on a tool that runs until stopped, in a process group of
/// its own (as a terminal's foreground job is); wait until the tool runs.
fn start_long_discover(lab: &Lab, tag: &str) -> std::process::Child {
    let started = lab.swop.dir().join(format!("started-{tag}"));
    lab.tool(
        &format!("longtool{tag}"),
        &format!(
            r#"mkdir -p "$HOME/.long"; echo s > "$HOME/.long/state"
( setsid sleep 31{tag} </dev/null >/dev/null 2>&1 & )
touch '{}'; sleep 300"#,
            started.display()
        ),
    );
    let mut cmd = lab
        .discover_cmd(&["--timeout", "600", "--", &format!("longtool{tag}")])
        .into_command();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    let child = cmd.spawn().expect("start discover");
    // What the tool writes stays in its copy-on-write view: its daemon shows
    // that it runs.
    assert!(
        wait_until(Duration::from_secs(30), || started.exists()
            || running(&format!("sleep 31{tag}"))),
        "the tool never started"
    );
    child
}

#[test]
fn ctrl_c_and_sigterm_stop_everything_and_remove_the_scratch_folder() {
    if !require("strace") {
        return;
    }
    for (tag, signal, group) in [("41", libc::SIGINT, true), ("42", libc::SIGTERM, false)] {
        let lab = Lab::new();
        let home_before = tree(&lab.swop.user_home());
        let mut child = start_long_discover(&lab, tag);
        let pid = child.id() as libc::pid_t;
        // Ctrl-C reaches the whole foreground group; SIGTERM only swop.
        // SAFETY: kill with a valid signal.
        unsafe {
            libc::kill(if group { -pid } else { pid }, signal);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "swop did not stop on signal {signal}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(status.signal(), Some(signal), "{status:?}");
        for needle in [format!("sleep 31{tag}"), format!("longtool{tag}")] {
            assert!(!running(&needle), "{needle} is still running");
        }
        let left: Vec<_> = fs::read_dir(lab.tmp())
            .expect("tmp")
            .filter_map(|e| e.ok())
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
        assert_eq!(tree(&lab.swop.user_home()), home_before);
    }
}

#[test]
fn a_step_waiting_for_input_with_no_terminal_ends_by_itself() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "waittool",
        r#"mkdir -p "$HOME/.waittool"; echo s > "$HOME/.waittool/state"; sleep 300"#,
    );
    let (f, _) = lab.discover(&["--timeout", "2", "--", "waittool"]);
    assert_not_verified(&f, "step-failed", "no terminal");
    assert_eq!(f["problems"][0]["timed_out"], true);
    assert!(!running("waittool"));
}

#[test]
fn a_step_that_talks_to_the_terminal_is_not_run_twice_unattended() {
    if !require("strace") || !require("script") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "asktool",
        r#"printf 'name? ' >/dev/tty; read -r name </dev/tty
mkdir -p "$HOME/.asktool"; echo "$name" > "$HOME/.asktool/name""#,
    );
    // script(1) gives discover a terminal; the answers are typed ahead.
    let json = lab.swop.dir().join("ask.json");
    let command = format!("swop discover --json -- asktool > '{}'", json.display());
    let out = lab
        .swop
        .command("script")
        .args(["-qec", &command, "/dev/null"])
        .env("PATH", lab.path_var())
        .env("TMPDIR", lab.tmp())
        .stdin("alice\nalice\nalice\nalice\nalice\nalice\nalice\nalice\n")
        .output();
    assert!(out.status.success(), "{out:?}");
    let f: Value = serde_json::from_slice(&fs::read(&json).expect("json")).expect("parse");
    assert_not_verified(&f, "interactive", "talks to the terminal");
    assert_eq!(strings(&f["minimal_env"]), ["HOME"]);
}

#[test]
fn a_look_at_a_missing_folder_is_not_evidence() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    // Like `pip config set`: writes its config under XDG_CONFIG_HOME, and
    // only looks whether its cache folder exists.
    lab.tool(
        "piplike",
        r#"d="${XDG_CONFIG_HOME:-$HOME/.config}/piplike"; mkdir -p "$d"; echo "index=$1" > "$d/piplike.conf"
[ -d "${XDG_CACHE_HOME:-$HOME/.cache}/piplike" ] || true
[ -e "$HOME/.piplike.conf" ] || true"#,
    );
    let (f, _) = lab.discover(&["--", "piplike", "https://example.org"]);
    assert_verified(&f, &["XDG_CONFIG_HOME"]);
    let required = f["required"].to_string();
    assert!(!required.contains("XDG_CACHE_HOME"), "{required}");
}

#[test]
fn the_report_is_about_the_command_given_not_a_program_it_ran() {
    if !require("strace") || !require("git") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "ptool",
        r#"if [ "${1-}" = --version ]; then echo "ptool 4.2.0"; exit 0; fi
git --version >/dev/null
mkdir -p "$HOME/.ptool"; echo s > "$HOME/.ptool/state""#,
    );
    let report = lab.swop.dir().join("ptool.md");
    let (f, _) = lab.discover(&[
        "--report",
        report.to_str().expect("utf-8"),
        "--",
        "ptool",
        "sync",
    ]);
    assert_eq!(f["tool"], "ptool");
    assert_eq!(f["tool_version"], "ptool 4.2.0");
    let md = fs::read_to_string(&report).expect("report");
    assert!(md.starts_with("# Isolating ptool"), "{md}");
    assert!(!md.contains("Isolating git"));
}

#[test]
fn steps_that_cannot_be_repeated_are_not_blamed_on_a_variable() {
    if !require("strace") || !require("python3") {
        return;
    }
    let lab = Lab::new();
    // A server that remembers: the first registration works, every later
    // one is refused (like a second `--quick-gen-key` on a key server). A
    // file cannot play it, as no run's writes outlive the run.
    let socket = lab.swop.dir().join("registry.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { break };
            let reply: &[u8] = if n == 0 { b"new" } else { b"again" };
            let _ = std::io::Write::write_all(&mut stream, reply);
        }
    });
    lab.tool(
        "oncetool",
        r#"r=$(python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(s.recv(16).decode())' "$REGISTRY")
[ "$r" = again ] && exit 2
d="${XDG_DATA_HOME:-$HOME/.local/share}/oncetool"; mkdir -p "$d"; echo k > "$d/key""#,
    );
    let run = lab
        .discover_cmd(&["--", "oncetool"])
        .env("REGISTRY", &socket);
    let (f, _) = lab.discover_with(run);
    assert_not_verified(&f, "not-repeatable", "cannot be repeated");
    let required = f["required"].to_string();
    assert!(!required.contains("behaves differently"), "{required}");
}

#[test]
fn a_tracer_that_sees_nothing_is_a_failure_not_a_clean_run() {
    let lab = Lab::new();
    // A stand-in strace that runs the command without tracing it.
    lab.tool(
        "strace",
        r#"if [ "${1-}" = -V ]; then echo "strace -- version 6.1"; exit 0; fi
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    --) shift; break ;;
    *) shift ;;
  esac
done
[ -n "$out" ] && [ "$out" != /dev/null ] && : > "$out"
exec "$@""#,
    );
    lab.tool(
        "quiettool",
        r#"mkdir -p "$HOME/.quiet"; echo s > "$HOME/.quiet/state""#,
    );
    let (f, _) = lab.discover(&["--", "quiettool"]);
    assert_not_verified(&f, "empty-trace", "no file call");
    assert_eq!(strings(&f["minimal_env"]), Vec::<String>::new());
}

#[test]
fn the_real_home_is_never_written_while_the_tool_runs() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let home = lab.swop.user_home();
    fs::write(home.join("credentials"), "REAL").expect("write");
    // A tool that finds the home another way than $HOME (as ssh reads the
    // password database) and overwrites a file there.
    lab.tool(
        "passwdtool",
        &format!(
            r#"mkdir -p "$HOME/.p"; echo s > "$HOME/.p/state"; echo stolen > '{}' || exit 4"#,
            home.join("credentials").display()
        ),
    );
    let (f, _) = lab.discover(&["--", "passwdtool"]);
    assert_not_verified(&f, "shared-write", "$HOME/credentials");
    assert_eq!(
        fs::read_to_string(home.join("credentials")).expect("read"),
        "REAL"
    );
    assert!(Path::new(&home).join("credentials").is_file());
}
