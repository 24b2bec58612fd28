//! Residents: every process that runs in a profile counts, whether it holds
//! the lock or not: `list`, `show`, `ps`, `stop` and `rm` see daemons that
//! closed the lock descriptor. Also the guarantees around the lock they rely
//! on: an inherited lock is checked, not believed, and closed standard
//! descriptors never become the lock file.

mod codex;
mod exec;
mod lock;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

/// A program that turns into a daemon the way real ones do: fork (the command
/// returns at once), setsid, fork again, close every descriptor (the
/// profile's lock among them), then write its pid to ARGV[0] and sleep
/// ARGV[1] seconds.
const FAKE_DAEMON: &str = r#"#!/usr/bin/perl
use strict;
use POSIX ();
my ($pidfile, $secs) = @ARGV;
exit 0 if fork;
POSIX::setsid();
exit 0 if fork;
my @open;
if (opendir(my $d, '/dev/fd')) {
    @open = grep { /^\d+$/ } readdir($d);
    closedir($d);
}
POSIX::close($_) for @open, 0 .. 255;
open(STDIN, '<', '/dev/null');
open(STDOUT, '>', '/dev/null');
open(STDERR, '>', '/dev/null');
open(my $f, '>', "$pidfile.tmp") or exit 1;
print $f "$$\n";
close($f);
rename("$pidfile.tmp", $pidfile);
sleep($secs);
"#;

/// A store for residents tests: swop's, plus the fake daemon, and a sweep that
/// ends whatever still runs in the store when the test ends, failed or not.
struct Town {
    swop: Swop,
    daemon: PathBuf,
}

impl Town {
    fn new() -> Town {
        let swop = Swop::new();
        let daemon = swop.dir().join("fakedaemon");
        fs::write(&daemon, FAKE_DAEMON).expect("write the fake daemon");
        fs::set_permissions(&daemon, fs::Permissions::from_mode(0o755)).expect("chmod");
        Town { swop, daemon }
    }

    /// `swop exec NAME -- fakedaemon`: the daemon's pid, once it has let go
    /// of every descriptor.
    #[track_caller]
    fn start_daemon(&self, name: &str) -> u32 {
        self.start_daemon_at(name, &self.daemon)
    }

    /// [`Town::start_daemon`], with the fake daemon copied to `program`.
    #[track_caller]
    fn start_daemon_at(&self, name: &str, program: &std::path::Path) -> u32 {
        if program != self.daemon {
            fs::create_dir_all(program.parent().expect("a folder")).expect("mkdir");
            fs::copy(&self.daemon, program).expect("copy the fake daemon");
        }
        static DAEMONS: AtomicUsize = AtomicUsize::new(0);
        let pidfile = self.swop.work().join(format!(
            "daemon-{}.pid",
            DAEMONS.fetch_add(1, Ordering::Relaxed)
        ));
        self.swop
            .args(["exec", name, "--"])
            .arg(program)
            .arg(&pidfile)
            .arg("120")
            .success();
        let mut pid = None;
        assert!(
            wait_until(Duration::from_secs(10), || {
                pid = fs::read_to_string(&pidfile)
                    .ok()
                    .and_then(|p| p.trim().parse().ok());
                pid.is_some()
            }),
            "the fake daemon did not start"
        );
        pid.unwrap()
    }

    /// `swop show NAME --json`.
    #[track_caller]
    fn show(&self, name: &str) -> Value {
        let out = self.swop.args(["show", name, "--json"]).success();
        serde_json::from_slice(&out.stdout).expect("show --json")
    }

    /// `swop ps [NAME] --json`.
    #[track_caller]
    fn ps(&self, name: Option<&str>) -> Vec<Value> {
        let out = self.swop.args(["ps", "--json"]).args(name).success();
        let value: Value = serde_json::from_slice(&out.stdout).expect("ps --json");
        value.as_array().expect("an array").clone()
    }
}

impl Drop for Town {
    fn drop(&mut self) {
        let _ = self.swop.args(["stop", "--all", "--timeout", "1"]).output();
        sweep(&self.swop);
    }
}

/// SIGKILL every process whose environment names this test's store, found
/// without swop's help, so that a broken swop leaves nothing behind either.
fn sweep(swop: &Swop) {
    let Ok(root) = fs::canonicalize(swop.store()) else {
        return;
    };
    let wanted = [
        format!("SWOP_HOME={}", root.display()),
        format!("SWOP_HOME={}", swop.store().display()),
    ];
    let Ok(dir) = fs::read_dir("/proc") else {
        return;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(env) = fs::read(entry.path().join("environ")) else {
            continue;
        };
        let ours = env
            .split(|&b| b == 0)
            .any(|var| wanted.iter().any(|w| var == w.as_bytes()));
        if ours && pid != std::process::id() as i32 {
            // SAFETY: kill has no memory effects.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// Whether a process runs (exists and is not a zombie).
fn running(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().next());
        !matches!(state, Some("Z" | "X"))
    })
}

#[track_caller]
fn pids(value: &Value) -> Vec<u32> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|p| p.as_u64().expect("a pid") as u32)
        .collect()
}

#[test]
fn a_daemon_that_closed_the_lock_keeps_the_profile_in_use_until_stopped() {
    if !require("perl") {
        return;
    }
    let town = Town::new();
    let swop = &town.swop;
    swop.add("A", &[]);
    swop.add("B", &[]);
    let daemon = town.start_daemon("A");
    assert!(running(daemon));

    let show = town.show("A");
    assert_eq!(show["in_use"], true, "{show}");
    assert_eq!(pids(&show["residents"]), [daemon], "{show}");
    let list: Value =
        serde_json::from_slice(&swop.args(["list", "--json"]).success().stdout).unwrap();
    assert_eq!(list[0]["in_use"], true, "{list}");
    assert_eq!(pids(&list[0]["residents"]), [daemon], "{list}");
    assert_eq!(list[1]["in_use"], false, "{list}");
    assert!(
        swop.args(["list"])
            .success()
            .stdout_str()
            .contains("(in use)")
    );

    let out = swop.args(["rm", "A"]).failure(IN_USE);
    let err = out.stderr_str();
    assert!(err.contains(&format!("pid {daemon}")), "{err}");
    assert!(err.contains("swop stop A"), "{err}");
    assert!(swop.profile_dir("A").join("profile.toml").exists());

    let ps = town.ps(Some("A"));
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert_eq!(ps[0]["pid"], daemon);
    assert_eq!(ps[0]["profile"], "A");
    assert_eq!(ps[0]["kind"], "resident");
    assert!(
        ps[0]["command"].as_str().unwrap().contains("fakedaemon"),
        "{ps:?}"
    );
    let text = swop.args(["ps", "A"]).success().stdout_str();
    assert!(
        text.contains(&daemon.to_string()) && text.contains("resident only"),
        "{text}"
    );

    let out = swop.args(["stop", "A"]).success();
    assert!(
        out.stderr_str().contains(&format!("stopped pid {daemon}")),
        "{}",
        out.stderr_str()
    );
    assert!(!running(daemon), "the daemon still runs");
    let show = town.show("A");
    assert_eq!(show["in_use"], false, "{show}");
    assert_eq!(show["residents"], Value::Array(vec![]), "{show}");
    swop.args(["rm", "A"]).success();
    assert!(!swop.root().join("profiles/A").exists());
}

#[test]
fn ps_tells_how_each_process_runs_and_since_when() {
    if !require("perl") {
        return;
    }
    let town = Town::new();
    let swop = &town.swop;
    swop.add("A", &[]);
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let daemon = town.start_daemon("A");
    let holder = Holder::start(swop, "A", &[]);
    // A command started in a shell switched to A, which never took the lock.
    let mut switched = swop
        .shell(
            Shell::Dash,
            // The marker is in a process's environment from its exec on:
            // say ready only from a process started with it.
            "eval \"$(swop env A --shell sh)\"; exec sh -c 'touch switched-ready; exec sleep 60'",
        )
        .spawn();
    assert!(wait_until(Duration::from_secs(10), || swop
        .work()
        .join("switched-ready")
        .exists()));

    let ps = town.ps(Some("A"));
    let kind = |pid: u32| {
        ps.iter()
            .find(|p| p["pid"] == pid)
            .map(|p| p["kind"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("pid {pid} not in {ps:?}"))
    };
    assert_eq!(kind(holder.pid()), "lock");
    assert_eq!(kind(daemon), "resident");
    assert_eq!(kind(switched.id()), "switched");
    for p in &ps {
        let started = p["started"].as_u64().expect("started");
        assert!(started + 5 >= before && started <= before + 120, "{p}");
    }
    let everyone = town.ps(None);
    for pid in [holder.pid(), daemon, switched.id()] {
        assert!(
            everyone.iter().any(|p| p["pid"] == pid),
            "{pid}: {everyone:?}"
        );
    }

    let _ = switched.kill();
    let _ = switched.wait();
    holder.release();
}

/// Paths in the store and the home, long enough to wrap every row, are
/// shown `$SWOP_HOME/...` and `~/...`, and shortened further so that a row
/// of `ps` fits 100 columns; the JSON keeps them whole.
#[test]
fn ps_stop_and_rm_show_short_paths_and_json_whole_ones() {
    if !require("perl") {
        return;
    }
    let town = Town::new();
    let swop = &town.swop;
    swop.add("A", &[]);
    let deep =
        "HOME/.local/share/some-tool/packages/daemon/releases/1.2.3-x86_64-unknown-linux-musl/bin";
    let in_store = swop.profile_dir("A").join(deep).join("tool-daemon");
    let in_home = swop.user_home().join(".local/bin/home-daemon");
    let daemons = [
        town.start_daemon_at("A", &in_store),
        town.start_daemon_at("A", &in_home),
    ];
    let root = swop.root().display().to_string();

    let text = swop.args(["ps", "A"]).success().stdout_str();
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.len()
        );
        assert!(!line.contains(&root), "{line}");
    }
    assert!(text.contains("$SWOP_HOME/"), "{text}");
    assert!(text.contains("/tool-daemon "), "{text}");
    assert!(
        text.contains("~/") && text.contains("/home-daemon "),
        "{text}"
    );
    let ps = town.ps(Some("A"));
    assert!(
        ps.iter().any(|p| p["command"]
            .as_str()
            .is_some_and(|c| c.contains(&in_store.display().to_string()))),
        "{ps:?}"
    );

    let err = swop.args(["rm", "A"]).failure(IN_USE).stderr_str();
    assert!(!err.contains(&root), "{err}");
    assert!(err.contains("$SWOP_HOME/"), "{err}");
    let err = swop
        .args(["stop", "A", "--timeout", "5"])
        .success()
        .stderr_str();
    for line in err.lines() {
        assert!(!line.contains(&root), "{line}");
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.len()
        );
    }
    for daemon in daemons {
        assert!(err.contains(&format!("stopped pid {daemon} (")), "{err}");
    }
}

#[test]
fn stop_ends_what_ignores_sigterm_and_spares_its_own_ancestors() {
    let town = Town::new();
    let swop = &town.swop;
    swop.add("A", &[]);
    // A command that ignores SIGTERM, and so does its child.
    let mut stubborn = swop
        .args([
            "exec",
            "A",
            "--",
            "sh",
            "-c",
            "trap '' TERM; touch stubborn; sleep 60; :",
        ])
        .spawn();
    assert!(wait_until(Duration::from_secs(10), || swop
        .work()
        .join("stubborn")
        .exists()));
    let started = Instant::now();
    let out = swop.args(["stop", "A", "--timeout", "0.3"]).success();
    assert!(started.elapsed() < Duration::from_secs(8));
    assert!(
        out.stderr_str().contains("killed pid"),
        "{}",
        out.stderr_str()
    );
    assert!(
        stubborn.wait().unwrap().code().is_none(),
        "not ended by a signal"
    );
    assert!(town.ps(Some("A")).is_empty());

    // `swop stop A` typed in a shell that runs in A ends the shell's other
    // processes but not the shell: it names it and leaves it running.
    let script = "sleep 60 & echo $! > bg.pid; swop stop A; echo stop=$?";
    let out = swop.args(["exec", "A", "--", "sh", "-c", script]).success();
    assert_eq!(out.stdout_str(), "stop=0\n");
    let err = out.stderr_str();
    assert!(err.contains("left pid"), "{err}");
    let bg: u32 = fs::read_to_string(swop.work().join("bg.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(err.contains(&format!("stopped pid {bg}")), "{err}");
    assert!(!running(bg));
}

#[test]
fn stop_without_a_name_needs_all() {
    if !require("perl") {
        return;
    }
    let town = Town::new();
    let swop = &town.swop;
    swop.add("A", &[]);
    swop.add("B", &[]);
    let a = town.start_daemon("A");
    let b = town.start_daemon("B");
    let out = swop.args(["stop"]).failure(2);
    assert!(out.stderr_str().contains("--all"), "{}", out.stderr_str());
    swop.args(["stop", "A", "--all"]).failure(2);
    assert!(running(a) && running(b));
    swop.args(["stop", "--all"]).success();
    assert!(!running(a) && !running(b));
    let out = swop.args(["stop", "--all"]).success();
    assert!(
        out.stderr_str().contains("nothing runs"),
        "{}",
        out.stderr_str()
    );
    swop.args(["ps", "nosuch"]).failure(NOT_FOUND);
    swop.args(["stop", "nosuch"]).failure(NOT_FOUND);
}

#[test]
fn rm_refuses_the_profile_the_calling_shell_is_switched_to() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let script = format!(
        "{}swop rm A; echo rm=$?; {}swop rm A",
        Shell::Dash.apply("env A"),
        Shell::Dash.apply("env --off")
    );
    let out = swop.shell(Shell::Dash, &script).success();
    assert_eq!(out.stdout_str(), format!("rm={IN_USE}\n"));
    let err = out.stderr_str();
    assert!(err.contains("switch away first"), "{err}");
    assert!(err.contains("removed profile \"A\""), "{err}");
}

/// The canonical path of the lock file of profile `name`.
fn lock_file(swop: &Swop, name: &str) -> PathBuf {
    swop.profile_dir(name).join("lock")
}

/// A process names itself what it likes: a terminal's control characters in
/// its command line reach neither ps's rows nor stop's lines as they are.
#[test]
fn a_command_line_with_control_characters_is_shown_escaped() {
    if !require("bash") {
        return;
    }
    let town = Town::new();
    let swop = &town.swop;
    swop.add("A", &[]);
    let mut child = swop
        .args([
            "exec",
            "A",
            "--",
            "bash",
            "-c",
            "touch ready; exec -a \"$(printf 'evil\\033[2Jname')\" sleep 60",
        ])
        .spawn();
    assert!(wait_until(Duration::from_secs(10), || swop
        .work()
        .join("ready")
        .exists()));
    // bash has replaced itself with the renamed sleep once ps sees the name.
    assert!(wait_until(Duration::from_secs(10), || swop
        .args(["ps", "A"])
        .success()
        .stdout_str()
        .contains("evil")));
    let ps = swop.args(["ps", "A"]).success().stdout_str();
    assert!(!ps.contains('\u{1b}'), "{ps:?}");
    let stop = swop.args(["stop", "A", "--timeout", "2"]).success();
    let said = stop.stderr_str();
    assert!(said.contains("evil"), "{said:?}");
    assert!(!said.contains('\u{1b}'), "{said:?}");
    let _ = child.wait();
}
