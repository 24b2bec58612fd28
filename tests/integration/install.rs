//! Installing without a toolchain: `scripts/package.sh` packs the swop under
//! test as the release workflow packs each build, `scripts/install.sh` (run by
//! dash, as a POSIX sh) installs it only when the tarball matches its SHA-256,
//! `scripts/formula.sh` fills in the Homebrew formula, and the release
//! targets named by the workflow, the install script, the formula and the
//! `cargo binstall` metadata are the same four. The workflows pin each action
//! by commit, and only a pushed version tag publishes a release.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script(name: &str) -> PathBuf {
    repo().join("scripts").join(name)
}

/// The target triple this swop was built for, as the release names builds.
fn this_target() -> String {
    let arch = std::env::consts::ARCH;
    match std::env::consts::OS {
        "macos" => format!("{arch}-apple-darwin"),
        _ => format!("{arch}-unknown-linux-gnu"),
    }
}

/// The swop under test packed for `target` into `dir`, as the release does.
#[track_caller]
fn package(swop: &Swop, target: &str, dir: &Path) {
    package_binary(swop, &swop_exe(), target, dir);
}

#[track_caller]
fn package_binary(swop: &Swop, binary: &Path, target: &str, dir: &Path) {
    swop.command("sh")
        .arg(script("package.sh"))
        .arg(target)
        .arg(binary)
        .arg(dir)
        .success();
}

/// The POSIX sh that runs install.sh: dash on Linux, where it is the
/// strictest at hand; macOS's /bin/sh elsewhere.
fn posix_sh() -> Option<&'static str> {
    if cfg!(target_os = "linux") {
        require("dash").then_some("dash")
    } else {
        Some("/bin/sh")
    }
}

/// `install.sh ARGS...` run by `sh`, with HOME in the test's folder.
fn install(swop: &Swop, sh: &str, args: &[&std::ffi::OsStr]) -> Run {
    swop.command(sh).arg(script("install.sh")).args(args)
}

#[test]
fn the_install_script_installs_a_locally_built_tarball_after_checking_it() {
    let Some(sh) = posix_sh() else {
        return;
    };
    let swop = Swop::new();
    let target = this_target();
    let release = swop.dir().join("release");
    package(&swop, &target, &release);
    let archive = format!("swop-{target}.tar.gz");
    let sum = fs::read_to_string(release.join(format!("{archive}.sha256"))).expect("checksum");
    assert!(sum.ends_with(&format!("  {archive}\n")), "{sum}");
    assert_eq!(sum.split(' ').next().map(str::len), Some(64), "{sum}");

    // Into a prefix.
    let prefix = swop.dir().join("prefix dir");
    let out = install(
        &swop,
        sh,
        &[
            "--from".as_ref(),
            release.as_os_str(),
            "--target".as_ref(),
            target.as_ref(),
            "--prefix".as_ref(),
            prefix.as_os_str(),
        ],
    )
    .success();
    let installed = prefix.join("bin/swop");
    assert_eq!(
        fs::read(&installed).expect("the installed swop"),
        fs::read(swop_exe()).expect("the swop under test"),
        "{}",
        out.stderr_str()
    );
    assert!(prefix.join("share/man/man1/swop.1").is_file());
    assert!(prefix.join("share/man/man1/swop-init.1").is_file());
    let version = swop.command(&installed).arg("--version").success();
    assert!(version.stdout_str().starts_with("swop "), "{version:?}");
    assert!(
        out.stderr_str().contains("is not on your PATH"),
        "{}",
        out.stderr_str()
    );

    // Into ~/.local/bin by default, here through curl and a file:// URL.
    let from = if find("curl") {
        format!("file://{}", release.display())
    } else {
        release.display().to_string()
    };
    install(
        &swop,
        sh,
        &[
            "--from".as_ref(),
            from.as_ref(),
            "--target".as_ref(),
            target.as_ref(),
        ],
    )
    .success();
    assert!(swop.user_home().join(".local/bin/swop").is_file());
    assert!(
        swop.user_home()
            .join(".local/share/man/man1/swop.1")
            .is_file()
    );
}

fn find(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(program).is_file()))
}

/// A way to spoil a release folder: its name, what it does, what install.sh says.
type Spoiled<'a> = (&'a str, &'a dyn Fn(&Path), &'a str);

#[test]
fn a_tarball_that_does_not_match_its_checksum_installs_nothing() {
    let Some(sh) = posix_sh() else {
        return;
    };
    let swop = Swop::new();
    let target = this_target();
    let good = swop.dir().join("good");
    package(&swop, &target, &good);
    let archive = format!("swop-{target}.tar.gz");
    let cases: [Spoiled; 4] = [
        (
            "tampered",
            &|dir: &Path| {
                let path = dir.join(&archive);
                let mut bytes = fs::read(&path).expect("read");
                let middle = bytes.len() / 2;
                bytes[middle] ^= 1;
                fs::write(&path, bytes).expect("write");
            },
            "does not match its SHA-256",
        ),
        (
            "no checksum",
            &|dir: &Path| fs::remove_file(dir.join(format!("{archive}.sha256"))).expect("rm"),
            ".sha256 does not exist",
        ),
        (
            "junk checksum",
            &|dir: &Path| {
                fs::write(dir.join(format!("{archive}.sha256")), "$(touch pwned)  x\n")
                    .expect("write")
            },
            "holds no SHA-256",
        ),
        (
            "another build's checksum",
            &|dir: &Path| {
                let other = format!("{:064x}  {archive}\n", 1);
                fs::write(dir.join(format!("{archive}.sha256")), other).expect("write")
            },
            "does not match its SHA-256",
        ),
    ];
    for (case, spoil, message) in cases {
        let dir = swop.dir().join(case.replace(' ', "-"));
        fs::create_dir(&dir).expect("mkdir");
        for entry in fs::read_dir(&good).expect("list") {
            let entry = entry.expect("entry");
            fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
        }
        spoil(&dir);
        let prefix = swop
            .dir()
            .join(format!("prefix-{}", case.replace(' ', "-")));
        let out = install(
            &swop,
            sh,
            &[
                "--from".as_ref(),
                dir.as_os_str(),
                "--target".as_ref(),
                target.as_ref(),
                "--prefix".as_ref(),
                prefix.as_os_str(),
            ],
        )
        .failure(1);
        let said = out.stderr_str();
        assert!(said.contains(message), "{case}: {said}");
        assert!(!prefix.exists(), "{case}: something was installed");
        assert!(!swop.work().join("pwned").exists(), "{case}");
    }
}

#[test]
fn the_release_scripts_pass_shellcheck_as_posix_sh() {
    if !require("shellcheck") {
        return;
    }
    let swop = Swop::new();
    for name in ["install.sh", "package.sh", "formula.sh"] {
        swop.command("shellcheck")
            .args(["--shell=sh", "--enable=all", "--exclude=SC2250"])
            .arg(script(name))
            .success();
    }
}

/// The release targets, as each place that names them says.
fn targets_in(text: &str, before: &str, after: &str) -> BTreeSet<String> {
    text.split(before)
        .skip(1)
        .filter_map(|rest| rest.split(after).next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_workflow_the_install_script_the_formula_and_binstall_name_the_same_builds() {
    let read = |rel: &str| fs::read_to_string(repo().join(rel)).expect("read");
    let workflow = targets_in(&read(".github/workflows/release.yml"), "- target: ", "\n");
    assert_eq!(workflow.len(), 4, "{workflow:?}");
    let install = targets_in(&read("scripts/install.sh"), ") target=", " ;;");
    assert_eq!(install, workflow, "install.sh");
    let formula = targets_in(&read("scripts/swop.rb.in"), "@SHA256_", "@");
    assert_eq!(formula, workflow, "swop.rb.in");
    let urls = targets_in(&read("scripts/swop.rb.in"), "@URL@/swop-", ".tar.gz");
    assert_eq!(urls, workflow, "swop.rb.in");

    // binstall: every host either is a release target or is sent to one.
    let cargo: toml::Table = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml");
    let binstall = &cargo["package"]["metadata"]["binstall"];
    let render = |pattern: &str, target: &str| {
        pattern
            .replace("{ repo }", "R")
            .replace("{ version }", "1.2.3")
            .replace("{ target }", target)
            .replace("{ archive-suffix }", ".tar.gz")
            .replace("{ bin }", "swop")
            .replace("{ binary-ext }", "")
    };
    let overrides = binstall["overrides"].as_table().expect("overrides");
    let hosts = workflow
        .iter()
        .cloned()
        .chain(overrides.keys().cloned())
        .collect::<BTreeSet<_>>();
    for host in hosts {
        let entry = overrides.get(&host).unwrap_or(binstall);
        let url = render(entry["pkg-url"].as_str().expect("pkg-url"), &host);
        let bin = render(entry["bin-dir"].as_str().expect("bin-dir"), &host);
        let built = url
            .strip_prefix("R/releases/download/v1.2.3/swop-")
            .and_then(|rest| rest.strip_suffix(".tar.gz"))
            .unwrap_or_else(|| panic!("{host}: {url}"));
        assert!(
            workflow.contains(built),
            "{host} is sent to {built}, which is not built"
        );
        assert_eq!(bin, format!("swop-{built}/swop"), "{host}");
    }
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
}

#[test]
fn the_formula_is_filled_in_with_each_builds_checksum() {
    let swop = Swop::new();
    let template = fs::read_to_string(script("swop.rb.in")).expect("template");
    let targets = targets_in(&template, "@SHA256_", "@");
    let dist = swop.dir().join("dist");
    // The formula needs only each tarball's checksum: a small stand-in per
    // build, each different, keeps the test fast.
    for target in &targets {
        let binary = swop.dir().join(format!("swop-for-{target}"));
        fs::write(&binary, format!("#!/bin/sh\necho {target}\n")).expect("write");
        package_binary(&swop, &binary, target, &dist);
    }
    let url = "https://example.org/releases/download/v1.2.3";
    let out = swop
        .command("sh")
        .arg(script("formula.sh"))
        .args(["1.2.3", url, "https://example.org/swop"])
        .arg(&dist)
        .success();
    let formula = out.stdout_str();
    assert!(formula.contains("version \"1.2.3\""), "{formula}");
    assert!(
        !formula.contains("@URL@") && !formula.contains("@SHA256_"),
        "{formula}"
    );
    for target in &targets {
        let sum = fs::read_to_string(dist.join(format!("swop-{target}.tar.gz.sha256")))
            .expect("checksum");
        let hash = sum.split(' ').next().expect("hash");
        let lines = format!("url \"{url}/swop-{target}.tar.gz\"\n      sha256 \"{hash}\"");
        assert!(formula.contains(&lines), "{target}:\n{formula}");
    }
    if find("ruby") {
        let file = swop.dir().join("swop.rb");
        fs::write(&file, &formula).expect("write");
        swop.command("ruby").arg("-c").arg(&file).success();
    }

    // A build missing from the release stops it.
    let first = targets.iter().next().expect("a target");
    fs::remove_file(dist.join(format!("swop-{first}.tar.gz.sha256"))).expect("rm");
    let out = swop
        .command("sh")
        .arg(script("formula.sh"))
        .args(["1.2.3", url, "https://example.org/swop"])
        .arg(&dist)
        .failure(1);
    assert!(
        out.stderr_str().contains(first.as_str()),
        "{}",
        out.stderr_str()
    );
}

/// Every action a workflow uses, pinned by the commit of a tagged release,
/// the release named beside it: a tag can be moved, a commit cannot.
#[test]
fn workflows_pin_their_actions_by_commit_and_only_a_pushed_tag_publishes() {
    let dir = repo().join(".github/workflows");
    let mut pinned = 0;
    for entry in fs::read_dir(&dir).expect("read workflows").flatten() {
        let text = fs::read_to_string(entry.path()).expect("read workflow");
        for line in text.lines().filter(|l| {
            l.trim_start().starts_with("- uses:") || l.trim_start().starts_with("uses:")
        }) {
            let used = line.split("uses:").nth(1).unwrap_or("").trim();
            let (action, rest) = used.split_once('@').unwrap_or_else(|| panic!("{line}"));
            let (commit, release) = rest
                .split_once(" # ")
                .unwrap_or_else(|| panic!("no release named: {line}"));
            assert!(action.contains('/'), "{line}");
            assert!(
                commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()),
                "not pinned by commit: {line}"
            );
            assert!(release.starts_with('v'), "{line}");
            pinned += 1;
        }
    }
    assert!(pinned >= 5, "{pinned} actions");
    // Started by hand on a tag, the release workflow builds and publishes nothing.
    let release = fs::read_to_string(dir.join("release.yml")).expect("read release.yml");
    let publish = release
        .split("\n  publish:\n")
        .nth(1)
        .expect("a publish job");
    let condition = publish
        .lines()
        .find_map(|l| l.trim().strip_prefix("if:"))
        .expect("the publish job has a condition");
    assert!(
        condition.contains("github.event_name == 'push'") && condition.contains("refs/tags/v"),
        "{condition}"
    );
    // actionlint, from the CI tools or PATH.
    let installed = repo().join("target/ci-tools/bin/actionlint");
    let actionlint = if installed.exists() {
        installed
    } else if require("actionlint") {
        which_program("actionlint")
    } else {
        return;
    };
    let out = std::process::Command::new(actionlint)
        .current_dir(repo())
        .output()
        .expect("run actionlint");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
