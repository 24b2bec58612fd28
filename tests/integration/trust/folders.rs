//! A `.swop` switches nothing until it is allowed, in interactive bash, zsh
//! and fish: a folder whose `.swop` is not allowed says so once per file and
//! shell, with the command that allows it; an edited one must be allowed
//! again; one in a folder others may write (no sticky bit), or another
//! user's, is never followed; every switch and switch back is one line,
//! which `quiet = true` silences; `swop deny` stops it at the next prompt.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::common::*;
use crate::folders::Interactive;

/// Another user, for a `.swop` that is not the caller's.
const OTHER: u32 = 4242;

struct Folders {
    swop: Swop,
    root: PathBuf,
    /// Whether a folder holds another user's `.swop` (needs root).
    theirs: bool,
}

impl Folders {
    fn new() -> Folders {
        let swop = Swop::new();
        swop.add("A", &[]);
        swop.add("B", &["--bind", "CODEX_HOME"]);
        let root = swop.dir().join("tree");
        for dir in ["plain", "cloned", "open", "sticky", "hushed", "theirs"] {
            let path = root.join(dir);
            fs::create_dir_all(&path).expect("mkdir");
            if dir != "plain" {
                fs::write(path.join(".swop"), "A\n").expect("write .swop");
            }
        }
        // Allowed while they were safe; the cloned one never is.
        for dir in ["open", "sticky", "hushed", "theirs"] {
            swop.args(["allow"]).arg(root.join(dir)).success();
        }
        for (dir, mode) in [("open", 0o777), ("sticky", 0o1777)] {
            fs::set_permissions(root.join(dir), fs::Permissions::from_mode(mode)).expect("chmod");
        }
        // SAFETY: geteuid has no preconditions.
        let theirs = unsafe { libc::geteuid() } == 0;
        if theirs {
            std::os::unix::fs::lchown(root.join("theirs/.swop"), Some(OTHER), Some(OTHER))
                .expect("chown");
        } else {
            skip("giving a .swop to another user needs root: that step is left out");
        }
        Folders { swop, root, theirs }
    }

    fn dump(&self, name: &str) -> Env {
        without_shell_vars(read_env0(self.root.join(format!("{name}.env"))))
    }
}

fn script(shell: Interactive, theirs: bool) -> String {
    let mut s = String::from(shell.prelude());
    let dump = |name: &str| format!("env -0 > \"$TREE/{name}.env\"\n");
    let cd = |rel: &str| format!("cd \"$TREE/{rel}\"\n");
    s += &cd("plain");
    s += &dump("start");
    s += &cd("cloned");
    s += &dump("cloned");
    s += &cd("plain");
    s += &cd("cloned");
    s += &dump("cloned-again");
    s += "swop allow\n";
    s += &dump("allowed");
    s += &cd("plain");
    s += &dump("left");
    s += "printf 'B\\n' > \"$TREE/cloned/.swop\"\n";
    s += &cd("cloned");
    s += &dump("edited");
    s += &cd("open");
    s += &dump("open");
    s += &cd("sticky");
    s += &dump("sticky");
    s += "swop deny\n";
    s += &dump("denied");
    if theirs {
        s += &cd("theirs");
        s += &dump("theirs");
    }
    s += &cd("plain");
    s += "printf 'quiet = true\\n' > \"$STORE/config.toml\"\n";
    s += &cd("hushed");
    s += &dump("hushed");
    s += &cd("plain");
    s += &dump("end");
    s += "exit\n";
    s
}

fn a_swop_file_switches_nothing_until_allowed(shell: Interactive) {
    if !require(shell.name()) || (shell == Interactive::Fish && !require("script")) {
        return;
    }
    let tree = Folders::new();
    let command = shell.command_line(None);
    let out = tree
        .swop
        .command(&command[0])
        .args(&command[1..])
        .current_dir(&tree.root)
        .env("TREE", &tree.root)
        .env("STORE", tree.swop.root())
        .env("TERM", "dumb")
        .stdin(script(shell, tree.theirs))
        .output();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{shell:?}: {}\n{said}", out.status);
    let start = tree.dump("start");
    let profile = |env: &Env| env.get(OsStr::new("SWOP_PROFILE")).cloned();
    let mut unchanged = vec![
        "cloned",
        "cloned-again",
        "left",
        "edited",
        "open",
        "denied",
        "end",
    ];
    if tree.theirs {
        unchanged.push("theirs");
    }
    for step in unchanged {
        assert_eq!(tree.dump(step), start, "{shell:?}: {step} switched\n{said}");
    }
    for step in ["allowed", "sticky", "hushed"] {
        assert_eq!(
            profile(&tree.dump(step)),
            Some("A".into()),
            "{shell:?}: {step} did not switch\n{said}"
        );
    }
    let count = |needle: &str| said.matches(needle).count();
    // Once per file and shell, with the command that allows it; again
    // after the file was followed and then edited.
    assert_eq!(
        count("cloned/.swop asks for profile \"A\""),
        1,
        "{shell:?}\n{said}"
    );
    assert_eq!(
        count("cloned/.swop asks for profile \"B\""),
        1,
        "{shell:?}\n{said}"
    );
    assert_eq!(
        count("switches nothing until you allow it: swop allow "),
        3,
        "{shell:?}: cloned twice, sticky once denied\n{said}"
    );
    assert_eq!(
        count("other users may write to (mode 777, no sticky bit)"),
        1,
        "{shell:?}\n{said}"
    );
    if tree.theirs {
        assert_eq!(count("belongs to uid 4242"), 1, "{shell:?}\n{said}");
    }
    // One line per switch and switch back, none once quiet.
    assert_eq!(
        count("swop: switched to profile \"A\""),
        2,
        "{shell:?}\n{said}"
    );
    assert_eq!(
        count("swop: switched back from profile \"A\""),
        2,
        "{shell:?}\n{said}"
    );
}

#[test]
fn a_swop_file_switches_nothing_until_allowed_in_bash() {
    a_swop_file_switches_nothing_until_allowed(Interactive::Bash);
}

#[test]
fn a_swop_file_switches_nothing_until_allowed_in_zsh() {
    a_swop_file_switches_nothing_until_allowed(Interactive::Zsh);
}

#[test]
fn a_swop_file_switches_nothing_until_allowed_in_fish() {
    a_swop_file_switches_nothing_until_allowed(Interactive::Fish);
}

#[test]
fn allow_and_deny_keep_the_real_path_and_the_contents() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let project = swop.dir().join("project");
    fs::create_dir(&project).expect("mkdir");
    let file = project.join(".swop");
    fs::write(&file, "A\n").expect("write");
    // Through a link to the folder: the same file, the same entry.
    let link = swop.dir().join("link");
    std::os::unix::fs::symlink(&project, &link).expect("symlink");
    let out = swop.args(["allow"]).current_dir(&link).success();
    assert!(
        out.stderr_str().contains("switch to profile \"A\""),
        "{}",
        out.stderr_str()
    );
    let entries: Vec<_> = walk(&swop.root().join("allowed"));
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = fs::read(&entries[0]).expect("entry");
    let real = fs::canonicalize(&file).expect("real path");
    assert!(
        entry.ends_with(real.as_os_str().as_encoded_bytes()),
        "{entry:?}"
    );
    assert_eq!(
        fs::metadata(&entries[0])
            .expect("meta")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    // Junk is never allowed; a missing profile is, with a word about it.
    fs::write(&file, "$(touch pwned)\n").expect("write");
    swop.args(["allow"]).arg(&file).failure(1);
    fs::write(&file, "nosuch\n").expect("write");
    let out = swop
        .args(["allow", "project"])
        .current_dir(swop.dir())
        .success();
    assert!(
        out.stderr_str().contains("swop add nosuch"),
        "{}",
        out.stderr_str()
    );
    let out = swop.args(["deny"]).arg(&link).success();
    assert!(out.stderr_str().contains("denied"), "{}", out.stderr_str());
    let out = swop.args(["deny"]).arg(&file).success();
    assert!(
        out.stderr_str().contains("was not allowed"),
        "{}",
        out.stderr_str()
    );
    assert!(walk(&swop.root().join("allowed")).is_empty());
    let out = swop.args(["allow"]).current_dir(swop.dir()).failure(1);
    assert!(
        out.stderr_str().contains("swop allow PATH"),
        "{}",
        out.stderr_str()
    );
}

#[test]
fn a_space_after_the_name_is_forgiven_and_a_folder_named_swop_is_told_apart() {
    let swop = Swop::new();
    swop.add("A", &[]);
    // `echo 'A ' > .swop`: the space is an editor's, not part of a name, as
    // a CRLF line end is Windows'.
    let spaced = swop.dir().join("spaced");
    fs::create_dir(&spaced).expect("mkdir");
    fs::write(spaced.join(".swop"), "A \n").expect("write");
    let out = swop.args(["allow"]).current_dir(&spaced).success();
    assert!(
        out.stderr_str().contains("profile \"A\""),
        "{}",
        out.stderr_str()
    );

    let folder = swop.dir().join("folder");
    fs::create_dir_all(folder.join(".swop")).expect("mkdir");
    let out = swop
        .args(["allow", folder.join(".swop").to_str().expect("utf-8")])
        .failure(1);
    let err = out.stderr_str();
    assert!(err.contains("is a folder"), "{err}");
    assert!(!err.contains("one line"), "{err}");
}

#[test]
fn swop_quiet_silences_the_switch_a_swop_file_makes() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let project = swop.dir().join("project");
    fs::create_dir(&project).expect("mkdir");
    let file = project.join(".swop");
    fs::write(&file, "A\n").expect("write");
    swop.args(["allow"]).arg(&file).success();
    let enter = |quiet: &str| {
        swop.args(["env", "--shell", "bash", "--folder"])
            .arg(&file)
            .arg("A")
            .env("SWOP_QUIET", quiet)
            .success()
            .stderr_str()
            .to_string()
    };
    assert!(enter("0").contains("switched to profile \"A\""));
    let said = enter("1");
    assert!(!said.contains("switched"), "{said}");
}
