//! Folders that pick the profile: a `.swop` file, seen by the integration of
//! `swop init` in interactive bash, zsh and fish (bash and zsh read their
//! input from a pipe, which runs their prompt hooks; fish gets a terminal from
//! `script`, so that its prompts are real). Entering switches, leaving
//! restores exactly, `swop use` wins until `swop off`, a profile switched to
//! by hand is left alone, junk and hostile files switch nothing and say so,
//! and strace counts the processes: none at a prompt in an unchanged folder,
//! one (swop) when the folder changed.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::common::*;

/// A project folder name that quoting must survive: quotes, `$()`,
/// backticks, a newline and a trailing backslash.
const PROJECT: &[u8] = b"proj 'a' \"q\" $(touch pwned) `touch pwned`\nz\\";

/// Start values of the variables profile A binds, as odd as a value gets.
const ODD_VALUE: &[u8] = b"/tmp/it's \"q\" $(false) `false`\nline two\\";
const RAW_VALUE: &[u8] = b"/tmp/raw-\xff\xfe";

/// `.swop` files that must switch nothing: the folder name and the contents.
const JUNK: &[(&str, &[u8])] = &[
    ("junk-subst", b"$(touch pwned)\n"),
    ("junk-backtick", b"`touch pwned`\n"),
    ("junk-semicolon", b"A; touch pwned\n"),
    ("junk-help", b"--help\n"),
    ("junk-nul", b"A\0x\n"),
    ("junk-two-lines", b"A\nB\n"),
    ("junk-long", &[b'A'; 100]),
    ("junk-escape", b"\x1b]0;pwned\x07\n"),
    ("junk-empty", b""),
    ("junk-unknown", b"nosuch\n"),
];

/// An interactive shell with the integration loaded, reading its lines
/// from stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interactive {
    Bash,
    Zsh,
    Fish,
}

impl Interactive {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Interactive::Bash => "bash",
            Interactive::Zsh => "zsh",
            Interactive::Fish => "fish",
        }
    }

    /// The shell, interactive, traced by strace into `trace` if given.
    pub(crate) fn command_line(self, trace: Option<&Path>) -> Vec<OsString> {
        let shell: &[&str] = match self {
            Interactive::Bash => &["bash", "--norc", "--noprofile", "-i"],
            Interactive::Zsh => &["zsh", "-f", "-i"],
            Interactive::Fish => &["fish", "--no-config", "-i"],
        };
        let mut words: Vec<String> = Vec::new();
        if let Some(trace) = trace {
            let trace = trace.to_string_lossy().into_owned();
            let strace = [
                "strace",
                "-f",
                "-qq",
                "-o",
                &trace,
                "-e",
                "trace=process,openat",
            ];
            words.extend(strace.into_iter().map(String::from));
        }
        words.extend(shell.iter().map(|w| w.to_string()));
        if self != Interactive::Fish {
            return words.into_iter().map(OsString::from).collect();
        }
        // script gives fish a terminal: util-linux's runs one command line
        // (through sh -c; the words hold no space), BSD's takes the words.
        let script: Vec<String> = if cfg!(target_os = "linux") {
            vec![
                "script".into(),
                "-qfec".into(),
                words.join(" "),
                "/dev/null".into(),
            ]
        } else {
            ["script", "-q", "/dev/null"]
                .into_iter()
                .map(String::from)
                .chain(words)
                .collect()
        };
        script.into_iter().map(OsString::from).collect()
    }

    /// Lines that load the integration and leave a prompt that runs nothing.
    pub(crate) fn prelude(self) -> &'static str {
        match self {
            Interactive::Bash => "PS1='$ '\neval \"$(swop init bash)\"\n",
            Interactive::Zsh => {
                "unsetopt prompt_sp prompt_cr; PS1='$ '\neval \"$(swop init zsh)\"\n"
            }
            Interactive::Fish => {
                "function fish_prompt; end; function fish_title; end; function fish_greeting; end\n\
                 swop init fish | source\n"
            }
        }
    }

    /// `cd` into the folder named by the environment variable `var`.
    pub(crate) fn cd_var(self, var: &str) -> String {
        match self {
            Interactive::Fish => format!("cd ${var}\n"),
            _ => format!("cd \"${var}\"\n"),
        }
    }

    /// Switch by hand, without the swop function.
    fn by_hand(self, args: &str) -> String {
        let name = self.name();
        match self {
            Interactive::Fish => format!("command swop env {args} --shell fish | source\n"),
            _ => format!("eval \"$(command swop env {args} --shell {name})\"\n"),
        }
    }
}

struct Tree {
    swop: Swop,
    root: PathBuf,
}

impl Tree {
    fn new() -> Tree {
        let swop = Swop::new();
        swop.add("A", &[]);
        swop.add("B", &["--bind", "CODEX_HOME"]);
        let root = swop.dir().join("tree");
        let project = root.join(OsStr::from_bytes(PROJECT));
        fs::create_dir_all(project.join("deep/er")).expect("mkdir project");
        fs::write(project.join(".swop"), "A\n").expect("write .swop");
        fs::create_dir_all(root.join("proj-b")).expect("mkdir proj-b");
        fs::write(root.join("proj-b/.swop"), "B\r\n").expect("write .swop");
        fs::create_dir_all(root.join("plain")).expect("mkdir plain");
        for (dir, contents) in JUNK {
            fs::create_dir_all(root.join(dir)).expect("mkdir junk");
            fs::write(root.join(dir).join(".swop"), contents).expect("write junk");
        }
        fs::create_dir_all(root.join("junk-fifo")).expect("mkdir");
        let fifo =
            std::ffi::CString::new(root.join("junk-fifo/.swop").as_os_str().as_bytes().to_vec())
                .expect("no NUL");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0, "mkfifo");
        fs::create_dir_all(root.join("junk-folder/.swop")).expect("mkdir");
        // Allowed, as far as swop allows them: junk it refuses stays junk.
        let mut folders = vec![project.clone(), root.join("proj-b")];
        folders.extend(JUNK.iter().map(|(dir, _)| root.join(dir)));
        for folder in folders {
            swop.args(["allow"]).arg(folder.join(".swop")).output();
        }
        Tree { swop, root }
    }

    fn project(&self) -> PathBuf {
        self.root.join(OsStr::from_bytes(PROJECT))
    }

    fn dump(&self, name: &str) -> Env {
        without_shell_vars(read_env0(self.root.join(format!("{name}.env"))))
    }
}

/// The script: every step writes `NAME.env`; `true > m-NAME` lines mark the
/// windows whose processes are counted.
fn script(shell: Interactive) -> String {
    let mut s = String::from(shell.prelude());
    let dump = |name: &str| format!("env -0 > \"$TREE/{name}.env\"\n");
    let cd = |rel: &str| format!("cd \"$TREE/{rel}\"\n");
    s += &cd("plain");
    s += &dump("start");
    s += "true > m-enter-begin\n";
    s += &shell.cd_var("PROJECT");
    s += "true > \"$TREE/m-enter-end\"\n";
    s += &dump("on-a");
    s += "cd deep/er\n";
    s += &dump("deep");
    s += "true > m-quiet-begin\ntrue\ntrue\ntrue\ntrue\ntrue > m-quiet-end\n";
    s += &cd("proj-b");
    s += &dump("on-b");
    s += "true > m-leave-begin\n";
    s += &cd("plain");
    s += "true > m-leave-end\n";
    s += &dump("left");
    s += &shell.cd_var("PROJECT");
    s += "swop use B\n";
    s += &cd("plain");
    s += &dump("pinned");
    s += &shell.cd_var("PROJECT");
    s += "swop off\n";
    s += &dump("unpinned");
    s += &cd("plain");
    s += &dump("left-again");
    s += &shell.by_hand("B");
    s += &shell.cd_var("PROJECT");
    s += &dump("by-hand");
    s += &cd("plain");
    s += &shell.by_hand("--off");
    s += &dump("by-hand-off");
    let junk = JUNK
        .iter()
        .map(|(dir, _)| *dir)
        .chain(["junk-fifo", "junk-folder"]);
    for dir in junk {
        s += &shell.cd_var("PROJECT");
        s += &cd(dir);
        s += &dump(dir);
    }
    s += &cd("plain");
    s += &dump("end");
    s += "exit\n";
    s
}

/// The processes started in the window between two markers (opened by a
/// relative path or, in fish, an absolute one): the count of clone and fork
/// calls that made a process (not a thread), and the execve lines.
fn window(trace: &str, name: &str) -> (usize, Vec<String>) {
    let begin = format!("m-{name}-begin\"");
    let end = format!("m-{name}-end\"");
    let lines: Vec<&str> = trace.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains(&begin))
        .unwrap_or_else(|| panic!("no marker {begin} in the trace"));
    let stop = start
        + lines[start..]
            .iter()
            .position(|l| l.contains(&end))
            .unwrap_or_else(|| panic!("no marker {end} in the trace"));
    let inside = &lines[start + 1..stop];
    let created = inside
        .iter()
        // fish's own threads are clones too, with CLONE_THREAD.
        .filter(|l| !l.contains("resumed>") && !l.contains("CLONE_THREAD"))
        .filter(|l| {
            [" clone(", " clone3(", " fork(", " vfork("]
                .iter()
                .any(|c| l.contains(c))
        })
        .count();
    let execs = inside
        .iter()
        .filter(|l| l.contains(" execve(") && !l.contains("resumed>"))
        .map(|l| l.to_string())
        .collect();
    (created, execs)
}

fn folders_pick_the_profile(shell: Interactive) {
    if !require(shell.name()) || (shell == Interactive::Fish && !require("script")) {
        return;
    }
    // strace counts the processes on Linux; elsewhere the rest runs without.
    let traced = if cfg!(target_os = "linux") {
        if !require("strace") {
            return;
        }
        true
    } else {
        find_program("strace")
    };
    let tree = Tree::new();
    let trace = tree.swop.dir().join("trace");
    let mut command = shell.command_line(traced.then_some(trace.as_path()));
    // A shell stuck on a .swop (a FIFO read without care) fails the test.
    if find_program("timeout") {
        command.splice(0..0, ["timeout".into(), "120".into()]);
    }
    let out = tree
        .swop
        .command(&command[0])
        .args(&command[1..])
        .current_dir(&tree.root)
        .env("TREE", &tree.root)
        .env("PROJECT", tree.project())
        .env("TERM", "dumb")
        .env("XDG_CONFIG_HOME", OsStr::from_bytes(ODD_VALUE))
        .env("XDG_CACHE_HOME", OsStr::from_bytes(RAW_VALUE))
        .env("XDG_STATE_HOME", "")
        .stdin(script(shell))
        .output();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{shell:?}: {}\n{said}", out.status);

    let start = tree.dump("start");
    let value = |env: &Env, name: &str| env.get(OsStr::new(name)).cloned();
    assert_eq!(value(&start, "XDG_CONFIG_HOME"), Some(os(ODD_VALUE)));
    assert_eq!(value(&start, "SWOP_PROFILE"), None);
    let on = |step: &str, profile: &str| {
        let env = tree.dump(step);
        assert_eq!(
            value(&env, "SWOP_PROFILE"),
            Some(OsString::from(profile)),
            "{shell:?}: {step}\n{said}"
        );
        env
    };
    let a = on("on-a", "A");
    let a_home = tree.swop.profile_dir("A").join("HOME");
    assert_eq!(value(&a, "HOME"), Some(a_home.into_os_string()));
    assert_eq!(
        tree.dump("deep"),
        a,
        "{shell:?}: a subfolder changed something"
    );
    let b = on("on-b", "B");
    assert_eq!(
        value(&b, "XDG_CONFIG_HOME"),
        Some(os(ODD_VALUE)),
        "{shell:?}: A's variables were not restored on the way to B"
    );
    on("pinned", "B");
    on("unpinned", "A");
    on("by-hand", "B");
    for step in ["left", "left-again", "by-hand-off", "end"] {
        assert_eq!(
            tree.dump(step),
            start,
            "{shell:?}: {step} is not the start\n{said}"
        );
    }
    for (dir, _) in JUNK {
        assert_eq!(tree.dump(dir), start, "{shell:?}: {dir} switched\n{said}");
    }
    for dir in ["junk-fifo", "junk-folder"] {
        assert_eq!(tree.dump(dir), start, "{shell:?}: {dir} switched\n{said}");
    }
    let pwned: Vec<PathBuf> = walk(tree.swop.dir())
        .into_iter()
        .filter(|p| p.file_name() == Some(OsStr::new("pwned")))
        .collect();
    assert!(pwned.is_empty(), "{shell:?}: something ran: {pwned:?}");

    assert_eq!(
        said.matches("must hold one line, a profile name").count(),
        7,
        "{shell:?}: help, NUL, two lines, long, empty, FIFO, folder\n{said}"
    );
    assert_eq!(
        said.matches("invalid profile name").count(),
        4,
        "{shell:?}\n{said}"
    );
    assert!(
        said.contains("profile \"nosuch\" not found"),
        "{shell:?}\n{said}"
    );
    if shell != Interactive::Fish {
        // fish's terminal output holds its own escapes; bash's and zsh's
        // stderr holds only what they and swop wrote.
        assert!(
            !out.stderr.contains(&0x1b),
            "{shell:?}: a raw escape:\n{said}"
        );
    }
    assert!(
        !said.contains("Usage:"),
        "{shell:?}: swop's help was run\n{said}"
    );

    if !traced {
        skip("strace is not installed: the processes were not counted");
        return;
    }
    let trace = fs::read_to_string(&trace).expect("read the trace");
    let (created, execs) = window(&trace, "quiet");
    assert_eq!(
        (created, execs.len()),
        (0, 0),
        "{shell:?}: prompts in an unchanged folder started processes: {execs:?}"
    );
    for (name, args) in [
        ("enter", "\"--shell\", \"%\", \"--folder\""),
        ("leave", "\"--off\", \"--shell\", \"%\", \"--folder\""),
    ] {
        let args = args.replace('%', shell.name());
        let (created, execs) = window(&trace, name);
        assert_eq!(created, 1, "{shell:?}: {name}: {execs:?}");
        assert_eq!(execs.len(), 1, "{shell:?}: {name}: {execs:?}");
        assert!(
            execs[0].contains("swop\", [") && execs[0].contains(&args),
            "{shell:?}: {name} ran something else: {execs:?}"
        );
    }
}

#[test]
fn a_swop_file_picks_the_profile_in_interactive_bash() {
    folders_pick_the_profile(Interactive::Bash);
}

#[test]
fn a_swop_file_picks_the_profile_in_interactive_zsh() {
    folders_pick_the_profile(Interactive::Zsh);
}

#[test]
fn a_swop_file_picks_the_profile_in_interactive_fish() {
    folders_pick_the_profile(Interactive::Fish);
}

fn find_program(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(program).is_file()))
}
