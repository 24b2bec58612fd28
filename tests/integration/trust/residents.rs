//! Residents are the calling user's: root's `ps`, `stop` and `rm` leave
//! another user's processes alone, even one that claims a profile; and a
//! process of the user that hides its environment (ssh-agent makes itself
//! non-dumpable) is reported as such, keeps `rm` from deleting the profile
//! under it, and is named by `stop` as out of its reach; one that descends
//! from a resident counts for the resident's profile.

use std::fs;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::{IN_USE, OutputExt, Swop, require, skip, wait_until, walk};

/// A user with no account: processes and files of someone else.
const OTHER: u32 = 4242;

fn root() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        skip("running processes as another user needs root");
    }
    root
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

/// Processes to end when the test ends, passed or not.
struct Reaper(Vec<u32>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for pid in &self.0 {
            // SAFETY: kill has no memory effects.
            unsafe { libc::kill(*pid as i32, libc::SIGKILL) };
        }
    }
}

fn ps_json(swop: &Swop, name: &str, uid: Option<u32>) -> (Vec<Value>, String) {
    let run = swop.args(["ps", name, "--json"]);
    let run = match uid {
        Some(uid) => run.run_as(uid),
        None => run,
    };
    let out = run.success();
    let rows: Value = serde_json::from_slice(&out.stdout).expect("ps --json");
    (rows.as_array().expect("an array").clone(), out.stderr_str())
}

/// The test's folders, store and home included, made `uid`'s.
fn give_to(swop: &Swop, uid: u32) {
    for path in std::iter::once(swop.dir().to_path_buf()).chain(walk(swop.dir())) {
        std::os::unix::fs::lchown(&path, Some(uid), Some(uid)).expect("chown");
    }
}

/// The pid ssh-agent printed for the shell to export.
#[track_caller]
fn agent_pid(said: &str) -> u32 {
    said.split("SSH_AGENT_PID=")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no agent pid in {said}"))
}

fn row_of(rows: &[Value], pid: u32) -> Option<&Value> {
    rows.iter().find(|r| r["pid"] == pid)
}

#[test]
fn root_leaves_another_users_processes_alone() {
    if !root() {
        return;
    }
    let swop = Swop::new();
    swop.add("work", &[]);
    let mut other = Command::new("sleep")
        .arg("60")
        .env_clear()
        .env("SWOP_PROFILE", "work")
        .env("SWOP_HOME", swop.root())
        .uid(OTHER)
        .gid(OTHER)
        .stdin(Stdio::null())
        .spawn()
        .expect("start a process as another user");
    let _reaper = Reaper(vec![other.id()]);
    assert!(wait_until(Duration::from_secs(5), || running(other.id())));
    let (rows, _) = ps_json(&swop, "work", None);
    assert!(row_of(&rows, other.id()).is_none(), "{rows:?}");
    let show: Value =
        serde_json::from_slice(&swop.args(["show", "work", "--json"]).success().stdout)
            .expect("show --json");
    assert_eq!(show["in_use"], false, "{show}");
    swop.args(["stop", "work", "--timeout", "1"]).success();
    assert!(running(other.id()), "stop ended another user's process");
    swop.args(["rm", "work"]).success();
    let _ = other.kill();
    let _ = other.wait();
}

#[test]
fn a_process_that_hides_its_environment_is_reported_and_keeps_its_profile() {
    if !root() || !require("ssh-agent") {
        return;
    }
    let swop = Swop::new();
    give_to(&swop, OTHER);
    swop.args(["add", "work"]).run_as(OTHER).success();
    // ssh-agent makes itself non-dumpable, forks and lets its parent exit:
    // a daemon whose environment no process of the user may read. (Without
    // the lock: under it, the agent would keep the lock's descriptor, and
    // the lock alone would keep the profile.)
    let sock = swop.dir().join("agent.sock");
    let out = swop
        .args(["exec", "work", "--lock", "none", "--", "ssh-agent", "-a"])
        .arg(&sock)
        .run_as(OTHER)
        .success();
    let said = out.stdout_str();
    let agent = agent_pid(&said);
    let mut reaper = Reaper(vec![agent]);
    assert!(
        fs::read(format!("/proc/{agent}/environ")).is_ok(),
        "root reads it"
    );

    let (rows, err) = ps_json(&swop, "work", Some(OTHER));
    let row = row_of(&rows, agent).unwrap_or_else(|| panic!("not listed: {rows:?}"));
    assert_eq!(row["kind"], "unreadable", "{row}");
    assert!(
        err.contains(&format!("pid {agent} (ssh-agent")) && err.contains("could not be read"),
        "{err}"
    );
    let rm = swop.args(["rm", "work"]).run_as(OTHER).failure(IN_USE);
    let err = rm.stderr_str();
    assert!(
        err.contains("could not be read") && err.contains(&format!("kill {agent}")),
        "{err}"
    );
    assert!(swop.profile_dir("work").exists());
    let stop = swop
        .args(["stop", "work", "--timeout", "1"])
        .run_as(OTHER)
        .success();
    let err = stop.stderr_str();
    assert!(
        err.contains(&format!("could not reach pid {agent}")),
        "{err}"
    );
    assert!(
        running(agent),
        "stop ended a process it could not tell was the profile's"
    );

    // The same agent as a child of a process of the profile counts for it,
    // and stop ends it.
    let sock2 = swop.dir().join("agent2.sock");
    let script = format!(
        "ssh-agent -D -a '{}' >/dev/null & echo $! > agent2.pid; wait",
        sock2.display()
    );
    let mut shell = swop
        .args(["exec", "work", "--lock", "none", "--", "sh", "-c", &script])
        .run_as(OTHER)
        .spawn();
    reaper.0.push(shell.id());
    let pidfile = swop.work().join("agent2.pid");
    assert!(wait_until(Duration::from_secs(5), || sock2.exists()
        && pidfile.exists()));
    let child: u32 = fs::read_to_string(&pidfile)
        .expect("pid")
        .trim()
        .parse()
        .expect("a pid");
    reaper.0.push(child);
    let (rows, _) = ps_json(&swop, "work", Some(OTHER));
    let row = row_of(&rows, child).unwrap_or_else(|| panic!("not listed: {rows:?}"));
    assert_eq!(
        (row["profile"].as_str(), row["kind"].as_str()),
        (Some("work"), Some("unreadable"))
    );
    swop.args(["stop", "work", "--timeout", "2"])
        .run_as(OTHER)
        .success();
    assert!(
        wait_until(Duration::from_secs(5), || !running(child)),
        "stop left the agent that descends from the profile's shell"
    );
    let _ = shell.wait();
    drop(reaper);
    assert!(wait_until(Duration::from_secs(5), || !running(agent)));
    swop.args(["rm", "work"]).run_as(OTHER).success();
}

/// Another user with no account, whose processes no other test starts:
/// hidden processes of the user count wherever that user runs.
const LONER: u32 = 4243;

/// A process that hides its environment, started by a plain program of the
/// user outside every profile (a browser's sandboxed helper, an agent a
/// desktop session starts), is no profile's: it keeps no profile from being
/// removed, where one adopted by init might be anyone's.
#[test]
fn a_hidden_child_of_a_plain_program_is_no_profiles() {
    if !root() || !require("ssh-agent") || !require("python3") {
        return;
    }
    let swop = Swop::new();
    give_to(&swop, LONER);
    swop.args(["add", "work"]).run_as(LONER).success();
    let sock = swop.dir().join("agent.sock");
    let pidfile = swop.dir().join("agent.pid");
    let script = format!(
        "import subprocess, time\n\
         p = subprocess.Popen(['ssh-agent', '-D', '-a', {sock:?}], stdout=subprocess.DEVNULL)\n\
         open({pidfile:?}, 'w').write(str(p.pid))\n\
         time.sleep(60)\n",
        sock = sock.display().to_string(),
        pidfile = pidfile.display().to_string(),
    );
    let mut plain = swop
        .command("python3")
        .args(["-c", &script])
        .run_as(LONER)
        .spawn();
    assert!(wait_until(Duration::from_secs(5), || sock.exists()
        && fs::read_to_string(&pidfile).is_ok_and(|p| !p.is_empty())));
    let agent: u32 = fs::read_to_string(&pidfile)
        .expect("pid")
        .trim()
        .parse()
        .expect("a pid");
    let reaper = Reaper(vec![agent, plain.id()]);
    let (rows, err) = ps_json(&swop, "work", Some(LONER));
    assert!(row_of(&rows, agent).is_none(), "{rows:?}");
    assert!(!err.contains(&format!("pid {agent}")), "{err}");
    swop.args(["rm", "work"]).run_as(LONER).success();
    drop(reaper);
    let _ = plain.wait();
}

/// A store without profiles has no process in one: `stop --all` and `ps`
/// say nothing of a daemon that hides its environment.
#[test]
fn without_profiles_no_hidden_process_is_said_to_maybe_run_in_one() {
    const ALONE: u32 = 4244;
    if !root() || !require("ssh-agent") {
        return;
    }
    let swop = Swop::new();
    give_to(&swop, ALONE);
    let sock = swop.dir().join("agent.sock");
    let out = swop
        .command("ssh-agent")
        .arg("-a")
        .arg(&sock)
        .run_as(ALONE)
        .success();
    let said = out.stdout_str();
    let agent = agent_pid(&said);
    let reaper = Reaper(vec![agent]);
    let ps = swop.args(["ps", "--json"]).run_as(ALONE).success();
    assert_eq!(ps.stdout_str().trim(), "[]");
    assert_eq!(ps.stderr_str(), "");
    let stop = swop.args(["stop", "--all"]).run_as(ALONE).success();
    assert!(
        !stop.stderr_str().contains("could not reach"),
        "{}",
        stop.stderr_str()
    );
    assert!(running(agent));
    drop(reaper);
}
