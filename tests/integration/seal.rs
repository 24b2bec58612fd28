//! `swop exec --seal`: a tool that ignores its variables still cannot touch
//! another account, and real tools run sealed as they run unsealed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::common::{OutputExt, Swop, aws, codex_bin, missing, require, wait_until};

/// Whether this machine can seal; outside CI a test that needs it skips.
pub(crate) fn can_seal(swop: &Swop) -> bool {
    let doctor = swop.args(["doctor"]).success().stdout_str();
    let ok = doctor
        .lines()
        .any(|l| l.starts_with("ok ") && l.contains(" seal "));
    if !ok {
        missing(&format!(
            "sealing does not work on this machine: {}",
            doctor.lines().find(|l| l.contains(" seal ")).unwrap_or("")
        ));
    }
    ok
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A profile `work` bound like codex's, a second profile `other` holding a
/// login, and a real `~/.codex` holding the user's own.
fn two_codex_profiles(swop: &Swop) -> (PathBuf, PathBuf) {
    swop.add("work", &["--tool", "codex"]);
    swop.add("other", &["--tool", "codex"]);
    let real = swop.user_home().join(".codex");
    fs::create_dir_all(&real).expect("mkdir");
    fs::write(real.join("auth.json"), "REAL").expect("write");
    let other = swop.profile_dir("other").join("CODEX_HOME/auth.json");
    fs::write(&other, "OTHER").expect("write");
    (real.join("auth.json"), other)
}

/// A tool that ignores CODEX_HOME: it reads and writes the real
/// `~/.codex`, reads the other profile's login, appends to `~/.bashrc`,
/// and (as root) writes /etc; then writes where it may. Each attempt
/// prints one word that says whether it worked.
const ROGUE: &str = r#"
try() { what=$1; shift; if ( "$@" ) >/dev/null 2>&1; then echo "$what=yes"; else echo "$what=no"; fi; }
try read-real cat "$HOME/.codex/auth.json"
try write-real sh -c 'echo stolen > "$HOME/.codex/auth.json"'
try read-other cat "$OTHER"
try bashrc sh -c 'echo x >> "$HOME/.bashrc"'
[ -n "${ETC_TARGET-}" ] && try etc sh -c 'echo x > "$ETC_TARGET"'
try grandchild sh -c 'sh -c "cat \"$HOME/.codex/auth.json\""'
try own sh -c 'echo own > "$CODEX_HOME/auth.json"'
try project sh -c 'echo p > project-file'
try tmp sh -c 'echo t > "$TMP_TARGET" && cat "$TMP_TARGET"'
"#;

fn rogue(swop: &Swop, sealed: bool, other: &Path, etc: Option<&Path>) -> String {
    // The command's own temp folder: the test's store and home lie in /tmp
    // itself, which a seal then only lets it write around them.
    let tmpdir = swop.dir().join("tmp");
    fs::create_dir_all(&tmpdir).expect("mkdir");
    let tmp = tmpdir.join(format!("seal-{sealed}"));
    let mut args = vec!["exec", "work"];
    if sealed {
        args.push("--seal");
    }
    args.extend(["--", "sh", "-c", ROGUE]);
    let mut run = swop
        .args(args)
        .env("OTHER", other)
        .env("TMPDIR", &tmpdir)
        .env("TMP_TARGET", &tmp);
    if let Some(etc) = etc {
        run = run.env("ETC_TARGET", etc);
    }
    let out = run.success().stdout_str();
    let _ = fs::remove_file(&tmp);
    out
}

#[test]
fn a_tool_that_ignores_its_variables_reaches_no_other_account_sealed() {
    let swop = Swop::new();
    if !can_seal(&swop) {
        return;
    }
    let (real, other) = two_codex_profiles(&swop);
    let bashrc = swop.user_home().join(".bashrc");
    fs::write(&bashrc, "# rc\n").expect("write");

    // Unsealed, every attempt works: the test can fail.
    let open = rogue(&swop, false, &other, None);
    for word in [
        "read-real",
        "write-real",
        "read-other",
        "bashrc",
        "grandchild",
        "own",
        "project",
        "tmp",
    ] {
        assert!(
            open.contains(&format!("{word}=yes")),
            "unsealed {word}: {open}"
        );
    }
    fs::write(&real, "REAL").expect("restore");
    fs::write(&bashrc, "# rc\n").expect("restore");

    // Sealed: the other accounts' places are out of reach, its own are not.
    let etc =
        is_root().then(|| PathBuf::from(format!("/etc/swop-seal-test-{}", std::process::id())));
    let sealed = rogue(&swop, true, &other, etc.as_deref());
    if let Some(etc) = &etc {
        let leaked = etc.exists();
        let _ = fs::remove_file(etc);
        assert!(!leaked, "the sealed tool wrote {}", etc.display());
        assert!(sealed.contains("etc=no"), "{sealed}");
    }
    for word in [
        "read-real",
        "write-real",
        "read-other",
        "bashrc",
        "grandchild",
    ] {
        assert!(
            sealed.contains(&format!("{word}=no")),
            "sealed {word}: {sealed}"
        );
    }
    for word in ["own", "project", "tmp"] {
        assert!(
            sealed.contains(&format!("{word}=yes")),
            "sealed {word}: {sealed}"
        );
    }
    assert_eq!(fs::read_to_string(&real).expect("read"), "REAL");
    assert_eq!(fs::read_to_string(&other).expect("read"), "OTHER");
    assert_eq!(fs::read_to_string(&bashrc).expect("read"), "# rc\n");
    assert_eq!(
        fs::read_to_string(swop.profile_dir("work").join("CODEX_HOME/auth.json")).expect("read"),
        "own\n"
    );
}

#[test]
fn a_sealed_profile_is_sealed_through_exec_and_wrapped_tools_until_told_otherwise() {
    let swop = Swop::new();
    if !can_seal(&swop) || !require("bash") {
        return;
    }
    swop.add("work", &["--tool", "codex", "--seal"]);
    let real = swop.user_home().join(".codex/auth.json");
    fs::create_dir_all(real.parent().expect("parent")).expect("mkdir");
    fs::write(&real, "REAL").expect("write");
    let peek = [
        "exec",
        "work",
        "--",
        "sh",
        "-c",
        "cat \"$HOME/.codex/auth.json\"",
    ];
    swop.args(peek).failure(1);
    let mut open = peek.to_vec();
    open.insert(2, "--no-seal");
    assert_eq!(swop.args(open).success().stdout_str(), "REAL");

    // A wrapped tool in a switched shell goes through swop exec: sealed.
    fs::write(swop.root().join("config.toml"), "wrap = [\"peek\"]\n").expect("config");
    let bin = swop.dir().join("peekbin");
    fs::create_dir_all(&bin).expect("mkdir");
    let peek_tool = bin.join("peek");
    fs::write(
        &peek_tool,
        "#!/bin/sh\ncat \"$HOME/.codex/auth.json\" && echo READ\n",
    )
    .expect("write");
    fs::set_permissions(
        &peek_tool,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        swop.base_env()[std::ffi::OsStr::new("PATH")].to_string_lossy()
    );
    let out = swop
        .command("bash")
        .args([
            "--norc",
            "-c",
            "eval \"$(swop init bash)\"; swop use work 2>/dev/null; peek; echo status=$?",
        ])
        .env("PATH", &path)
        .output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("READ"), "{stdout}");
    assert!(stdout.contains("status=1"), "{stdout}");

    // A switched shell cannot be sealed after the fact: swop env says so,
    // once in the shell that runs it.
    let out = swop.args(["env", "work", "--shell", "bash"]).success();
    assert!(
        out.stderr_str().contains("swop shell work"),
        "{}",
        out.stderr_str()
    );
    let again = swop.args(["env", "work", "--shell", "bash"]).success();
    assert!(
        !again.stderr_str().contains("swop shell work"),
        "{}",
        again.stderr_str()
    );

    swop.args(["set", "work", "--no-seal"]).success();
    assert_eq!(
        swop.args(["exec", "work", "--", "cat", real.to_str().expect("utf-8")])
            .success()
            .stdout_str(),
        "REAL"
    );
}

#[test]
fn a_profile_reached_through_pick_is_sealed_as_a_named_one_is() {
    let swop = Swop::new();
    if !can_seal(&swop) {
        return;
    }
    swop.add("work", &["--tool", "codex", "--seal"]);
    swop.add("personal", &["--tool", "codex"]);
    let real = swop.user_home().join(".codex/auth.json");
    fs::create_dir_all(real.parent().expect("parent")).expect("mkdir");
    fs::write(&real, "REAL").expect("write");
    let peek = |pick: &str, flags: &[&str]| {
        let mut args = vec!["exec", "--pick", pick];
        args.extend(flags);
        args.extend(["--", "sh", "-c", "cat \"$HOME/.codex/auth.json\""]);
        swop.args(args)
    };

    // Unsealed, the real ~/.codex is read: the test can fail.
    assert_eq!(peek("personal", &[]).success().stdout_str(), "REAL");

    // The sealed profile, picked (first of the list, neither has usage):
    // sealed, as `swop exec work` is.
    let out = peek("work,personal", &[]).failure(1);
    assert!(!out.stdout_str().contains("REAL"), "{out:?}");
    assert!(out.stderr_str().contains("swop: picked work ("), "{out:?}");

    // --seal seals whichever is picked; --no-seal opens a sealed one.
    let out = peek("personal", &["--seal"]).failure(1);
    assert!(!out.stdout_str().contains("REAL"), "{out:?}");
    assert_eq!(peek("work", &["--no-seal"]).success().stdout_str(), "REAL");
    assert_eq!(fs::read_to_string(&real).expect("read"), "REAL");
}

#[test]
fn without_landlock_a_seal_fails_closed_and_names_the_way_out() {
    let swop = Swop::new();
    if !can_seal(&swop) || !require("strace") {
        return;
    }
    swop.add("work", &["--tool", "codex"]);
    let marker = swop.work().join("ran");
    // strace makes the kernel answer that it has no Landlock.
    let out = swop
        .command("strace")
        .args([
            "-f",
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            "trace=landlock_create_ruleset",
        ])
        .args(["-e", "inject=landlock_create_ruleset:error=ENOSYS", "--"])
        .arg(crate::common::swop_exe())
        .args(["exec", "work", "--seal", "--", "touch"])
        .arg(&marker)
        .output();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot seal") && err.contains("--no-seal"),
        "{err}"
    );
    assert!(!marker.exists(), "the command ran unsealed");
}

#[test]
fn a_sealed_daemon_stays_sealed_and_ps_says_so() {
    let swop = Swop::new();
    if !can_seal(&swop) {
        return;
    }
    let (real, _) = two_codex_profiles(&swop);
    let done = swop.work().join("daemon-done");
    // Double fork and a session of its own: it outlives swop exec.
    swop.args([
        "exec",
        "work",
        "--seal",
        "--lock",
        "none",
        "--",
        "sh",
        "-c",
        "(setsid sh -c 'sleep 1; cat \"$HOME/.codex/auth.json\" > leak 2>/dev/null; echo done > daemon-done; sleep 30' </dev/null >/dev/null 2>&1 &)",
    ])
    .success();
    let ps: Value = serde_json::from_slice(&swop.args(["ps", "work", "--json"]).success().stdout)
        .expect("ps json");
    let sealed =
        ps.as_array().expect("array").iter().any(|r| {
            r["sealed"] == true && r["command"].as_str().is_some_and(|c| c.contains("sleep"))
        });
    assert!(sealed, "{ps:#}");
    assert!(
        wait_until(Duration::from_secs(20), || done.exists()),
        "the daemon never ran"
    );
    let leak = fs::read(swop.work().join("leak")).unwrap_or_default();
    assert!(
        leak.is_empty(),
        "the daemon read {}",
        String::from_utf8_lossy(&leak)
    );
    assert_eq!(fs::read_to_string(real).expect("read"), "REAL");
    swop.args(["stop", "work", "--timeout", "1"]).success();
}

#[test]
fn swop_runs_inside_a_sealed_profile() {
    let swop = Swop::new();
    if !can_seal(&swop) {
        return;
    }
    swop.add("B", &["--tool", "codex"]);
    swop.add("other", &[]);
    let out = swop
        .args(["exec", "--seal", "B", "--", "swop", "status", "B", "--json"])
        .output();
    let status: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(status[0]["profile"], "B", "{status:#}");
    // ... and cannot see the other profiles.
    let out = swop
        .args(["exec", "--seal", "B", "--", "swop", "show", "other"])
        .output();
    assert_ne!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn the_real_codex_runs_sealed_as_it_runs_unsealed() {
    let swop = Swop::new();
    if !can_seal(&swop) || !require("node") {
        return;
    }
    let Some(bin) = codex_bin(swop.dir()) else {
        return;
    };
    let path = format!(
        "{}:{}",
        bin.display(),
        swop.base_env()[std::ffi::OsStr::new("PATH")].to_string_lossy()
    );
    swop.add("work", &["--tool", "codex", "--seal"]);
    let codex = |args: &[&str]| {
        swop.args(["exec", "work", "--", "codex"])
            .args(args)
            .env("PATH", &path)
    };
    let version = codex(&["--version"]).success().stdout_str();
    assert!(version.starts_with("codex-cli "), "{version}");
    codex(&["login", "--with-api-key"])
        .stdin("sk-test-sealed-0000000000\n")
        .success();
    let status = codex(&["login", "status"]).success();
    assert!(
        format!("{}{}", status.stdout_str(), status.stderr_str()).contains("API key"),
        "{status:?}"
    );
    let started = codex(&["app-server", "daemon", "start"])
        .success()
        .stdout_str();
    assert!(started.contains("\"pid\""), "{started}");
    let ps: Value = serde_json::from_slice(&swop.args(["ps", "work", "--json"]).success().stdout)
        .expect("ps json");
    assert!(
        ps.as_array()
            .expect("array")
            .iter()
            .any(|r| r["sealed"] == true),
        "{ps:#}"
    );
    codex(&["app-server", "daemon", "stop"]).success();
    swop.args(["stop", "work", "--timeout", "2"]).success();
}

#[test]
fn aws_and_git_run_sealed() {
    let swop = Swop::new();
    if !can_seal(&swop) || !require("git") {
        return;
    }
    if let Some(aws) = aws() {
        swop.add("cloud", &["--tool", "aws", "--seal"]);
        let bin = crate::common::program_bin(swop.dir(), "aws", &aws);
        let path = format!(
            "{}:{}",
            bin.display(),
            swop.base_env()[std::ffi::OsStr::new("PATH")].to_string_lossy()
        );
        swop.args([
            "exec",
            "cloud",
            "--",
            "aws",
            "configure",
            "set",
            "aws_access_key_id",
            "AKIASEALED",
        ])
        .env("PATH", &path)
        .success();
        let got = swop
            .args([
                "exec",
                "cloud",
                "--",
                "aws",
                "configure",
                "get",
                "aws_access_key_id",
            ])
            .env("PATH", &path)
            .success()
            .stdout_str();
        assert_eq!(got.trim(), "AKIASEALED");
    }
    swop.add("forge", &["--tool", "git", "--seal"]);
    swop.args([
        "exec",
        "forge",
        "--",
        "git",
        "config",
        "--global",
        "user.name",
        "Sealed",
    ])
    .success();
    swop.args([
        "exec",
        "forge",
        "--",
        "git",
        "config",
        "--global",
        "user.email",
        "s@example.org",
    ])
    .success();
    swop.args(["exec", "forge", "--", "git", "init", "-q", "repo"])
        .success();
    swop.args([
        "exec",
        "forge",
        "--",
        "git",
        "-C",
        "repo",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "sealed",
    ])
    .success();
    let log = swop
        .args([
            "exec",
            "forge",
            "--",
            "git",
            "-C",
            "repo",
            "log",
            "--format=%an",
        ])
        .success()
        .stdout_str();
    assert_eq!(log.trim(), "Sealed");
}

#[test]
fn a_home_reached_through_a_link_keeps_its_hidden_places_from_a_command_started_in_it() {
    let swop = Swop::new();
    if !can_seal(&swop) {
        return;
    }
    let (real, _) = two_codex_profiles(&swop);
    let link = swop.dir().join("home-link");
    std::os::unix::fs::symlink(swop.user_home(), &link).expect("link the home");
    let peek = |flags: &[&str]| {
        let mut args = vec!["exec", "work"];
        args.extend(flags);
        args.extend(["--", "sh", "-c", "cat \"$HOME/.codex/auth.json\""]);
        swop.args(args)
            .env("HOME", &link)
            .current_dir(swop.user_home())
    };

    // Unsealed, the real ~/.codex is read: the test can fail.
    assert_eq!(peek(&[]).success().stdout_str(), "REAL");
    let out = peek(&["--seal"]).failure(1);
    assert!(!out.stdout_str().contains("REAL"), "{out:?}");
    assert_eq!(fs::read_to_string(&real).expect("read"), "REAL");
}

#[test]
fn the_programs_inside_a_hidden_place_still_run_sealed() {
    let swop = Swop::new();
    if !can_seal(&swop) {
        return;
    }
    swop.add("work", &["--bind", "XDG_DATA_HOME"]);
    let share = swop.user_home().join(".local/share");
    let tool = share.join("tool/bin");
    let installed = share.join("uv/tools/hi/bin");
    let links = swop.user_home().join(".local/bin");
    for dir in [&tool, &installed, &links] {
        fs::create_dir_all(dir).expect("mkdir");
    }
    fs::write(share.join("secret"), "REAL").expect("write");
    for (program, word) in [(tool.join("hello"), "hello"), (installed.join("hi"), "hi")] {
        fs::write(&program, format!("#!/bin/sh\necho {word}\n")).expect("write");
        fs::set_permissions(
            &program,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("chmod");
    }
    // A program installed under the data folder and linked from a PATH
    // folder outside it, as `uv tool install` does.
    std::os::unix::fs::symlink(installed.join("hi"), links.join("linked")).expect("link");
    let path = format!("{}:{}", tool.display(), swop.path_with(&links));
    let run = |flags: &[&str]| {
        let mut args = vec!["exec", "work"];
        args.extend(flags);
        args.extend(["--", "sh", "-c", "hello && linked && cat \"$SHARE/secret\""]);
        swop.args(args).env("PATH", &path).env("SHARE", &share)
    };

    assert_eq!(run(&[]).success().stdout_str(), "hello\nhi\nREAL");
    let out = run(&["--seal"]).failure(1);
    assert_eq!(out.stdout_str(), "hello\nhi\n", "{out:?}");
}

#[test]
fn the_place_the_caller_moved_a_bound_variable_to_is_hidden_sealed() {
    let swop = Swop::new();
    if !can_seal(&swop) {
        return;
    }
    swop.add("work", &["--tool", "codex"]);
    // The user's own login, where an exported CODEX_HOME put it.
    let moved = swop.dir().join("codex-data");
    fs::create_dir_all(&moved).expect("mkdir");
    fs::write(moved.join("auth.json"), "MOVED").expect("write");
    let peek = |flags: &[&str]| {
        let mut args = vec!["exec", "work"];
        args.extend(flags);
        args.extend(["--", "sh", "-c", "cat \"$MOVED/auth.json\""]);
        swop.args(args)
            .env("CODEX_HOME", &moved)
            .env("MOVED", &moved)
    };

    // Unsealed, it is read: the test can fail.
    assert_eq!(peek(&[]).success().stdout_str(), "MOVED");
    let out = peek(&["--seal"]).failure(1);
    assert!(!out.stdout_str().contains("MOVED"), "{out:?}");
    assert_eq!(
        fs::read_to_string(moved.join("auth.json")).expect("read"),
        "MOVED"
    );
}
