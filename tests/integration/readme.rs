//! The README, run as a newcomer reads it: its first run command, then its
//! Quick start, in one fresh store, line by line as written; its completion
//! and manual install lines in a fresh home; and its Troubleshooting and exit
//! codes against what swop really says. The submodules run the blocks of the
//! later sections the same way, and hold its output samples against what
//! swop prints in the situation they show.

mod agents;
mod folders;
mod markdown;
mod residents;
mod sealing;

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;
use markdown::*;

/// The Quick start says which of its lines are interactive; the rest runs
/// as written.
fn interactive(line: &str) -> bool {
    line.contains("(interactive")
}

/// `script` in bash as a careful script runs: stop at the first failure,
/// pipelines included.
fn bash(swop: &Swop, script: &str) -> Run {
    swop.command("bash")
        .args(["--norc", "--noprofile", "-e", "-u", "-o", "pipefail", "-c"])
        .arg(script)
}

/// `swop`, and `codex` when the tests have one, first on PATH.
fn path_with_codex(swop: &Swop, codex: Option<&Path>) -> String {
    let base = swop.base_env()[std::ffi::OsStr::new("PATH")]
        .to_string_lossy()
        .into_owned();
    match codex {
        Some(bin) => format!("{}:{base}", bin.display()),
        None => base,
    }
}

#[test]
fn the_first_run_command_then_the_quick_start_run_as_written_in_a_fresh_store() {
    let swop = Swop::new();
    let build = sh_blocks(&section("Build, try, test"));
    let run = &build[0][0];
    // The build itself is what `cargo test` just did: the rest of the line
    // runs on the binary under test, put where the build leaves it.
    let rest = run
        .strip_prefix("cargo build --release && ")
        .unwrap_or_else(|| panic!("the run command no longer starts with the build: {run}"));
    // `cargo run --release -q -- ARGS` runs the binary under test, wherever
    // CARGO_TARGET_DIR put it.
    let cargo = format!(
        "cargo() {{ [ \"$1 $2 $3 $4\" = 'run --release -q --' ] || return 99; shift 4; '{}' \"$@\"; }}\n",
        swop_exe().display()
    );
    let out = bash(&swop, &format!("{cargo}{rest}")).success();
    let home = swop.profile_dir("demo").join("HOME");
    assert!(
        out.stdout_str().contains(&home.display().to_string()),
        "{}",
        out.stdout_str()
    );

    let quick = section("Quick start");
    let lines: Vec<String> = sh_blocks(&quick).into_iter().flatten().collect();
    let (skipped, runnable): (Vec<&String>, Vec<&String>) =
        lines.iter().partition(|l| interactive(l));
    // Only codex's own interactive screens are left out: the browser login and the TUI.
    for line in &skipped {
        let command = line.split('#').next().unwrap().trim();
        assert!(
            command.ends_with("-- codex") || command.ends_with("-- codex login"),
            "an interactive line that is not codex's: {line}"
        );
    }
    let adds: Vec<&String> = runnable
        .iter()
        .copied()
        .filter(|l| l.starts_with("swop add "))
        .collect();
    assert_eq!(adds.len(), 2, "{adds:?}");
    assert!(
        runnable
            .iter()
            .any(|l| l.contains("codex login --with-api-key")),
        "the API-key login must be the runnable one"
    );

    let codex = codex_bin(swop.dir());
    let script = match &codex {
        Some(_) => runnable
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        // Without codex, the profiles can still be made as written.
        None => adds
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let out = bash(&swop, &script)
        .env("PATH", path_with_codex(&swop, codex.as_deref()))
        .env("OPENAI_API_KEY", "sk-test-readme-0000000000")
        .success();
    let names = swop.args(["list", "--names"]).success().stdout_str();
    assert_eq!(names, "demo\npersonal\nwork\n");
    if codex.is_none() {
        return;
    }
    // codex says how it is logged in on stderr.
    let text = out.stderr_str();
    assert!(
        text.matches("API key configured").count() >= 2,
        "codex login status, by exec and in the switched shell: {text}"
    );
    let codex_home = |name: &str| swop.profile_dir(name).join("CODEX_HOME");
    assert!(codex_home("work").join("auth.json").exists());
    assert!(!codex_home("personal").join("auth.json").exists());
    assert!(
        !swop.user_home().join(".codex").exists(),
        "the real home was used"
    );
}

/// The switching part of the Quick start in zsh and fish, with the changes
/// its comments give for them: after each line, the shell is on the profile
/// the line says.
#[test]
fn the_quick_start_switches_zsh_and_fish_as_its_comments_say() {
    let quick = section("Quick start");
    let block = sh_blocks(&quick)
        .into_iter()
        .find(|b| b.iter().any(|l| l.starts_with("swop use work")))
        .expect("the switching block");
    let code: Vec<String> = block
        .iter()
        .map(|l| l.split('#').next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex"]);
    swop.add("personal", &["--tool", "codex"]);
    let codex = codex_bin(swop.dir());
    let path = path_with_codex(&swop, codex.as_deref());
    if codex.is_some() {
        swop.args(["exec", "work", "--", "codex", "login", "--with-api-key"])
            .stdin("sk-test-readme-0000000000\n")
            .env("PATH", &path)
            .success();
    }
    for shell in [Shell::Zsh, Shell::Fish] {
        if !shell.available() {
            continue;
        }
        let (mut script, mut wanted, mut on) = (String::new(), String::new(), String::new());
        for line in &code {
            let line = match shell {
                Shell::Fish => line
                    .replace("eval \"$(swop env work)\"", "swop env work | source")
                    .replace("eval \"$(swop env --off)\"", "swop env --off | source")
                    .replace("eval \"$(swop init bash)\"", "swop init fish | source"),
                _ => line.replace("swop init bash", "swop init zsh"),
            };
            assert!(!line.contains("bash"), "{shell:?}: {line}");
            if line == "codex login status" && codex.is_none() {
                continue;
            }
            if line.contains("env --off") || line == "swop off" {
                on.clear();
            } else if let Some(name) = line.strip_prefix("swop use ") {
                on = name.to_string();
            } else if line.contains("swop env work") {
                on = "work".to_string();
            }
            script.push_str(&format!("{line}\necho \"[$SWOP_PROFILE]\"\n"));
            wanted.push_str(&format!("[{on}]\n"));
        }
        let out = swop
            .shell(shell, &script)
            .env("PATH", &path)
            .env("SHELL", shell.program())
            .output();
        let text = String::from_utf8_lossy(&out.stdout);
        // codex says how it is logged in on stderr.
        let said = String::from_utf8_lossy(&out.stderr);
        let seen: String = text
            .lines()
            .filter(|l| l.starts_with('['))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            seen,
            wanted,
            "{shell:?}: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if codex.is_some() {
            assert!(said.contains("API key configured"), "{shell:?}: {said}");
        }
    }
}

#[test]
fn the_test_command_is_what_ci_runs() {
    let build = sh_blocks(&section("Build, try, test"));
    let test = build[0][1].trim();
    let ci = fs::read_to_string(repo().join(".ci/run")).expect("read .ci/run");
    let last = ci
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with('#'))
        .expect("a command in .ci/run");
    assert_eq!(
        last, test,
        ".ci/run must end with the README's test command"
    );
}

#[test]
fn the_readme_gives_swops_exit_codes() {
    let commands = flat(&section("Commands"));
    for phrase in [
        "0 ok, 1 error, 2 usage".to_string(),
        format!("{NOT_FOUND} no such profile"),
        format!("{IN_USE} profile in use"),
    ] {
        assert!(commands.contains(&phrase), "no {phrase:?} in Commands");
    }
    let trouble = flat(&section("Troubleshooting"));
    assert!(trouble.contains(&format!("(exit {NOT_FOUND})")));
    assert!(trouble.contains(&format!("(exit {IN_USE})")));
}

/// The install lines of the completions and manual pages, each in the shell
/// it is for, in a home where none of their folders exist yet.
#[test]
fn completion_and_manual_install_lines_work_in_a_fresh_home() {
    let lines: Vec<String> = sh_blocks(&section("Shell integration"))
        .into_iter()
        .flatten()
        .filter(|l| l.contains("swop completions") || l.contains("completions/*.1"))
        .collect();
    assert!(lines.len() >= 5, "{lines:?}");
    for line in &lines {
        let swop = Swop::new();
        let (shell, wanted) = if line.contains("completions bash") {
            (Shell::Bash, "bash")
        } else if line.contains("completions zsh") {
            (Shell::Zsh, "zsh")
        } else if line.contains("completions fish") {
            (Shell::Fish, "fish")
        } else if line.contains("completions elvish") {
            (Shell::Bash, "elvish")
        } else {
            (Shell::Bash, "man")
        };
        if !shell.available() {
            continue;
        }
        if line.starts_with("eval ") {
            let out = swop
                .shell(shell, &format!("{line}\ncomplete -p swop"))
                .success();
            assert!(out.stdout_str().contains(" swop"), "{line}: {out:?}");
            continue;
        }
        let out = swop.shell(shell, line).current_dir(repo()).success();
        assert!(out.stderr.is_empty(), "{line}: {}", out.stderr_str());
        let target = line.rsplit(' ').next().unwrap();
        let target = swop
            .user_home()
            .join(target.strip_prefix("~/").expect("a path in ~"));
        if wanted == "man" {
            check_manual(&swop, &target);
            continue;
        }
        let script = swop.args(["completions", wanted]).success().stdout;
        assert_eq!(fs::read(&target).expect("installed"), script, "{line}");
    }
}

/// The pages were copied, and man-db's `man` finds them beside `~/.cargo/bin`
/// on PATH (other `man`s may need the MANPATH line the README gives).
fn check_manual(swop: &Swop, dir: &Path) {
    assert!(dir.join("swop.1").exists() && dir.join("swop-use.1").exists());
    if !cfg!(target_os = "linux") || !require("man") {
        return;
    }
    let bin = swop.user_home().join(".cargo/bin");
    fs::create_dir_all(&bin).expect("mkdir ~/.cargo/bin");
    for page in ["swop", "swop-use"] {
        let out = swop
            .command("man")
            .args(["-w", page])
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env_remove("MANPATH")
            .success();
        let found = PathBuf::from(out.stdout_str().trim());
        assert_eq!(found, dir.join(format!("{page}.1")));
    }
}

/// Each message the Troubleshooting section quotes is what swop prints.
#[test]
fn troubleshooting_quotes_what_swop_says() {
    let trouble = flat(&section("Troubleshooting"));
    let swop = Swop::new();
    swop.add("work", &[]);
    let said = |args: &[&str], code: i32| -> String {
        swop.args(args)
            .failure(code)
            .stderr_str()
            .trim_end()
            .to_string()
    };
    let quoted = |message: &str| {
        assert!(
            trouble.contains(message),
            "the README does not quote: {message}"
        );
    };
    let exact = |message: String, quote: &str| {
        assert!(message.starts_with(quote), "swop now says: {message}");
        quoted(quote);
    };
    exact(
        said(&["add", "work"], EXISTS),
        "swop: profile \"work\" already exists (swop show work)",
    );
    exact(
        said(&["show", "wrk"], NOT_FOUND),
        "swop: profile \"wrk\" not found; did you mean \"work\"? (swop list)",
    );
    exact(
        said(&["exec", "work", "codex", "login", "status"], 2),
        "swop: put -- before the command to run: swop exec work -- codex login status",
    );
    exact(
        said(&["use", "work"], 2),
        "swop: `swop use` needs the shell integration, which is not loaded in this shell",
    );
    exact(
        said(&["add", "x", "--tool", "codx"], 1),
        "swop: no recipe for \"codx\" (did you mean \"codex\"?)",
    );
    let holder = swop
        .args(["exec", "work", "--", "sh", "-c", "touch ready; sleep 30"])
        .spawn();
    assert!(wait_until(std::time::Duration::from_secs(10), || swop
        .work()
        .join("ready")
        .exists()));
    let busy = said(&["exec", "work", "--", "true"], IN_USE);
    exact(busy.clone(), "swop: profile \"work\" is in use by pid");
    let hint = "to wait for it: swop exec work --wait -- true;";
    assert!(busy.contains(hint), "{busy}");
    let hint = "to wait for it:";
    assert!(busy.contains(hint), "{busy}");
    quoted(hint);
    let none = said(&["exec", "--pick", "work", "--", "true"], IN_USE);
    assert!(
        none.starts_with("swop: none of work can be used now: work is in use by pid"),
        "{none}"
    );
    quoted("can be used now: work is in use by pid");
    let mut holder = holder;
    let _ = holder.kill();
    let _ = holder.wait();

    let no_strace = swop
        .args(["discover", "--", "true"])
        .env("PATH", swop.dir().join("bin"))
        .failure(1)
        .stderr_str();
    exact(no_strace, "swop: strace is not installed");

    let Some(codex) = codex_bin(swop.dir()) else {
        return;
    };
    swop.add("cx", &["--tool", "codex"]);
    let path = path_with_codex(&swop, Some(&codex));
    let out = bash(
        &swop,
        "printenv OPENAI_API_KEY | swop exec cx -- codex login --with-api-key",
    )
    .env("PATH", &path)
    .output();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("No API key provided via stdin."),
        "{stderr}"
    );
    quoted("No API key provided via stdin.");
    let out = swop
        .args(["exec", "cx", "--", "codex", "login", "status"])
        .env("PATH", &path)
        .failure(1);
    let all = format!("{}{}", out.stdout_str(), out.stderr_str());
    assert!(all.contains("Not logged in"), "{all}");
    quoted("Not logged in");
}

#[test]
fn installing_a_build_of_ones_own_runs_as_written() {
    if !require("rustc") {
        return;
    }
    let blocks = sh_blocks(&section("Install"));
    let block = blocks
        .iter()
        .find(|b| b.iter().any(|l| l.contains("scripts/package.sh")))
        .expect("the block that packs a build of one's own");
    // The build is what `cargo test` just did; the block's paths are the
    // repository's, in a folder of the test's own.
    let swop = Swop::new();
    let here = swop.work();
    for name in ["scripts", "completions", "README.md"] {
        std::os::unix::fs::symlink(repo().join(name), here.join(name)).expect("link");
    }
    fs::create_dir_all(here.join("target/release")).expect("mkdir");
    std::os::unix::fs::symlink(swop_exe(), here.join("target/release/swop")).expect("link");
    let script = format!(
        "cargo() {{ [ \"$*\" = 'build --release' ] || return 99; }}\n{}",
        block.join("\n")
    );
    // rustup's rustc finds its toolchain through the real home.
    let rustup = std::env::var_os("RUSTUP_HOME").unwrap_or_else(|| {
        let home = std::env::var_os("HOME").unwrap_or_default();
        Path::new(&home).join(".rustup").into_os_string()
    });
    let out = bash(&swop, &script).env("RUSTUP_HOME", rustup).success();
    let installed = swop.user_home().join(".local/bin/swop");
    assert!(installed.is_file(), "{}", out.stderr_str());
    let version = swop
        .command(&installed)
        .arg("--version")
        .success()
        .stdout_str();
    assert!(version.starts_with("swop "), "{version}");
}
