//! `swop exec --pick`: the free profile with the most headroom, by the
//! session files codex wrote; a profile at 100% of a window that has not
//! reset is left out; `--wait` waits for the first to be free; 32 picks at
//! once never share an exclusive profile; groups of config.toml.

use std::fs;
use std::time::{Duration, Instant};

use super::sessions::{now, write_session};
use crate::common::{Holder, IN_USE, NOT_FOUND, OutputExt, Swop, wait_until};

/// Two codex profiles, work and personal, with the windows given recorded
/// in their sessions (none for an empty list).
fn two_accounts(work: &[(f64, i64, i64)], personal: &[(f64, i64, i64)]) -> Swop {
    let swop = Swop::new();
    for (name, windows) in [("work", work), ("personal", personal)] {
        swop.add(name, &["--tool", "codex"]);
        if !windows.is_empty() {
            let home = swop.profile_dir(name).join("CODEX_HOME");
            write_session(&home, now() - 60, &format!("{name}-1"), windows);
        }
    }
    swop
}

/// `swop exec --pick LIST [FLAGS] -- sh -c 'echo $SWOP_PROFILE'`.
fn pick(swop: &Swop, list: &str, flags: &[&str]) -> std::process::Output {
    swop.args(["exec", "--pick", list])
        .args(flags)
        .args(["--", "sh", "-c", "printf %s \"$SWOP_PROFILE\""])
        .output()
}

#[test]
fn the_free_profile_is_picked_and_stderr_says_why() {
    let t = now();
    let swop = two_accounts(&[(30.0, 300, t + 3600)], &[(12.0, 300, t + 3600)]);
    let holder = Holder::start(&swop, "personal", &[]);
    let out = pick(&swop, "personal,work", &[]);
    holder.release();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout_str(), "work");
    assert_eq!(
        out.stderr_str(),
        "swop: picked work (personal is in use; work 5h 30%)\n"
    );
}

#[test]
fn the_most_headroom_wins_and_a_full_window_is_left_out() {
    let t = now();
    // The weekly window is the fuller one: it decides the headroom.
    let swop = two_accounts(
        &[(10.0, 300, t + 3600), (95.0, 10_080, t + 86_400)],
        &[(60.0, 300, t + 3600), (20.0, 10_080, t + 86_400)],
    );
    let out = pick(&swop, "work,personal", &[]);
    assert_eq!(out.stdout_str(), "personal", "{out:?}");
    assert_eq!(
        out.stderr_str(),
        "swop: picked personal (work 5h 10%, weekly 95%; personal 5h 60%, weekly 20%)\n"
    );

    // personal at 100% until its window resets: work, however full.
    write_session(
        &swop.profile_dir("personal").join("CODEX_HOME"),
        t - 5,
        "personal-2",
        &[(100.0, 300, t + 3600)],
    );
    let out = pick(&swop, "work,personal", &[]);
    assert_eq!(out.stdout_str(), "work", "{out:?}");
    assert!(
        out.stderr_str()
            .contains("personal is at 100% of its 5h window until "),
        "{out:?}"
    );

    // Both full: nothing runs, exit 75, each named with why.
    write_session(
        &swop.profile_dir("work").join("CODEX_HOME"),
        t - 5,
        "work-2",
        &[(100.0, 10_080, t + 5 * 86_400)],
    );
    let out = pick(&swop, "work,personal", &["--wait", "1"]);
    assert_eq!(out.status.code(), Some(IN_USE), "{out:?}");
    assert!(out.stdout.is_empty());
    let err = out.stderr_str();
    assert!(
        err.starts_with("swop: none of work, personal can be used now: "),
        "{err}"
    );
    assert!(
        err.contains("work is at 100% of its weekly window until "),
        "{err}"
    );
    assert!(
        err.contains("personal is at 100% of its 5h window until "),
        "{err}"
    );
    assert!(err.contains("wait for a window to reset"), "{err}");

    // A window whose reset time has passed is free again.
    write_session(
        &swop.profile_dir("personal").join("CODEX_HOME"),
        t - 2,
        "personal-3",
        &[(100.0, 300, t - 1)],
    );
    let out = pick(&swop, "work,personal", &[]);
    assert_eq!(out.stdout_str(), "personal", "{out:?}");
    assert!(out.stderr_str().contains("personal 5h 0%"), "{out:?}");
}

#[test]
fn all_busy_fails_at_once_and_wait_takes_the_first_to_be_free() {
    let swop = two_accounts(&[], &[]);
    let work = Holder::start(&swop, "work", &[]);
    let personal = Holder::start(&swop, "personal", &[]);
    let out = pick(&swop, "work,personal", &[]);
    assert_eq!(out.status.code(), Some(IN_USE), "{out:?}");
    let err = out.stderr_str();
    assert!(err.contains("work is in use by pid "), "{err}");
    assert!(err.contains("personal is in use by pid "), "{err}");
    assert!(err.contains("add --wait [SECS]"), "{err}");

    let begun = Instant::now();
    let out = pick(&swop, "work,personal", &["--wait", "0.5"]);
    assert_eq!(out.status.code(), Some(IN_USE), "{out:?}");
    assert!(
        begun.elapsed() >= Duration::from_millis(450),
        "{:?}",
        begun.elapsed()
    );

    let waiting = swop
        .args([
            "exec",
            "--pick",
            "work,personal",
            "--wait",
            "--",
            "sh",
            "-c",
        ])
        .arg("printf %s \"$SWOP_PROFILE\" > picked")
        .spawn();
    let said = swop.work().join("picked");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!said.exists(), "ran while both were held");
    personal.release();
    assert!(wait_until(Duration::from_secs(10), || said.exists()));
    let out = waiting.wait_with_output().expect("wait");
    work.release();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(fs::read_to_string(&said).expect("picked"), "personal");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("swop: waiting for the first of work, personal to be free"),
        "{err}"
    );
    assert!(
        err.contains("swop: picked personal (work is in use; personal no usage recorded)"),
        "{err}"
    );
}

#[test]
fn thirty_two_picks_at_once_never_share_an_exclusive_profile() {
    let swop = two_accounts(&[], &[]);
    // Each run claims its profile with mkdir, which fails if another run
    // of the same profile holds it, and leaves a mark of a clash.
    let script = r#"
        if mkdir "$CODEX_HOME/held" 2>/dev/null; then
            sleep 0.05
            rmdir "$CODEX_HOME/held"
            echo "$SWOP_PROFILE" >> "$1/ran"
        else
            touch "$1/clash-$SWOP_PROFILE"
        fi
    "#;
    let runs: Vec<_> = (0..32)
        .map(|_| {
            swop.args([
                "exec",
                "--pick",
                "work,personal",
                "--wait",
                "--",
                "sh",
                "-c",
                script,
                "sh",
            ])
            .arg(swop.work())
            .spawn()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().expect("wait");
        assert!(out.status.success(), "{out:?}");
    }
    let clashes: Vec<_> = fs::read_dir(swop.work())
        .expect("work")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("clash-"))
        .collect();
    assert!(
        clashes.is_empty(),
        "two holders in one profile: {clashes:?}"
    );
    let ran = fs::read_to_string(swop.work().join("ran")).expect("ran");
    assert_eq!(ran.lines().count(), 32, "{ran}");
    assert!(ran.lines().any(|l| l == "work") && ran.lines().any(|l| l == "personal"));
}

#[test]
fn a_group_of_config_toml_is_a_list_to_pick_from() {
    let swop = two_accounts(&[], &[]);
    fs::write(
        swop.root().join("config.toml"),
        "[groups]\nagents = [\"work\", \"personal\"]\n",
    )
    .expect("config.toml");
    let holder = Holder::start(&swop, "work", &[]);
    let out = pick(&swop, "agents", &[]);
    holder.release();
    assert_eq!(out.stdout_str(), "personal", "{out:?}");
    let out = pick(&swop, "agentz", &[]);
    assert_eq!(out.status.code(), Some(NOT_FOUND), "{out:?}");
    assert!(
        out.stderr_str().contains("the groups are agents"),
        "{out:?}"
    );
    let out = pick(&swop, "work,nobody", &[]);
    assert_eq!(out.status.code(), Some(NOT_FOUND), "{out:?}");
    // A name and --pick together is a slip of the command line.
    let out = swop
        .args(["exec", "work", "--pick", "agents", "--", "true"])
        .output();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// The real codex records what the provider says of each account; the pick
/// follows: work at 100% of its 5-hour window, personal at 20%.
#[test]
fn the_pick_follows_what_the_real_codex_recorded() {
    use super::provider::{CODEX_EXEC, Limits, Provider};
    let swop = Swop::new();
    let Some(bin) = crate::common::codex_bin(swop.dir()) else {
        return;
    };
    let path = swop.path_with(&bin);
    let t = now();
    let limits = |used: f64| Limits {
        primary: (used, 300, t + 3600),
        secondary: (used / 2.0, 10_080, t + 86_400),
    };
    let provider = Provider::start(limits(100.0));
    for (name, used) in [("work", 100.0), ("personal", 20.0)] {
        swop.add(name, &["--tool", "codex"]);
        provider.configure(&swop.profile_dir(name).join("CODEX_HOME"));
        provider.set_limits(limits(used));
        swop.args(["exec", name, "--"])
            .args(CODEX_EXEC)
            .arg("hi")
            .env("PATH", &path)
            .success();
    }
    let out = swop
        .args(["exec", "--pick", "work,personal", "--"])
        .args(CODEX_EXEC)
        .arg("which account?")
        .env("PATH", &path)
        .success();
    let err = out.stderr_str();
    assert!(
        err.contains("swop: picked personal (work is at 100% of its 5h window until "),
        "{err}"
    );
    assert!(err.contains("; personal 5h 20%, weekly 10%)"), "{err}");
    let last = provider.requests().pop().expect("a request");
    assert!(last.contains("which account?"));
    let sessions = swop.profile_dir("personal").join("CODEX_HOME/sessions");
    let personal: Vec<_> = crate::common::walk(&sessions)
        .into_iter()
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(
        personal.len(),
        2,
        "the picked run is personal's: {personal:?}"
    );
}
