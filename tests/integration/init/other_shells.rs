//! `swop init` for elvish, xonsh, nushell and tcsh, run through the real shells:
//! `swop use` and `swop off` restore the environment byte for byte, a failed
//! switch changes nothing, and wrapped tools run under `swop exec`.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Output};

use super::{
    FAKE_TOOL, ODD_VALUE, RAW_VALUE, Sandbox, assert_ran_under_the_lock, bytes, success, var,
};
use crate::common::require;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Other {
    Elvish,
    Xonsh,
    Nu,
    Tcsh,
}

const OTHERS: [Other; 4] = [Other::Elvish, Other::Xonsh, Other::Nu, Other::Tcsh];

impl Other {
    /// The name of `swop init NAME`.
    fn name(self) -> &'static str {
        match self {
            Other::Elvish => "elvish",
            Other::Xonsh => "xonsh",
            Other::Nu => "nu",
            Other::Tcsh => "tcsh",
        }
    }

    fn program(self) -> &'static str {
        match self {
            Other::Nu => "nu",
            other => other.name(),
        }
    }

    /// The shell running a script file without the user's startup files.
    fn command(self, sandbox: &Sandbox, script: &str) -> Command {
        let file = sandbox.write(&format!("script.{}", self.name()), script);
        let mut command = sandbox.command(self.program());
        match self {
            Other::Elvish => command.arg("-norc"),
            Other::Xonsh => command.arg("--no-rc"),
            Other::Nu => command.arg("-n"),
            Other::Tcsh => command.arg("-f"),
        };
        command.arg(file);
        command
    }

    fn run(self, sandbox: &Sandbox, script: &str) -> Output {
        self.command(sandbox, script).output().unwrap()
    }

    /// The lines that load the integration, as its users do (a script takes
    /// the elvish functions from the namespace; nushell sources a file it
    /// saved before).
    fn init(self, sandbox: &Sandbox, functions: &[&str]) -> String {
        match self {
            Other::Elvish => {
                let take: String = functions
                    .iter()
                    .map(|f| format!("set {f}~ = $ns[{f}~]; "))
                    .collect();
                let vars: String = functions.iter().map(|f| format!(" {f}~")).collect();
                format!(
                    "var{vars}\neval ((external $E:SWOP_TEST_EXE) init elvish | slurp) \
                     &on-end={{|ns| {take}}}\n"
                )
            }
            Other::Xonsh => "execx($(@($SWOP_TEST_EXE) init xonsh))\n".to_string(),
            // swop on PATH, as users have it.
            Other::Tcsh => "set path = ($SWOP_TEST_EXE:h:q $path:q)\n\
                            eval \"`swop init tcsh`\"\n"
                .to_string(),
            Other::Nu => {
                let script = success(&sandbox.swop(&["init", "nu"]));
                sandbox.write("init.nu", &script);
                "source init.nu\n".to_string()
            }
        }
    }

    /// An `env -0` dump, less what the shell changes by itself.
    fn env_dump(self, sandbox: &Sandbox, rel: &str) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let mut env = sandbox.env_dump(rel);
        env.retain(|name, _| name != b"LAST_EXIT_CODE" && !name.starts_with(b"XONSH_"));
        env
    }

    /// A command line that writes the environment to `file`.
    fn dump(self, file: &str) -> String {
        match self {
            Other::Nu => format!("^env -0 | save -f {file}\n"),
            _ => format!("env -0 > {file}\n"),
        }
    }

    /// A line that runs `swop ARGS` and stops the script with 9 if it succeeds.
    fn must_fail(self, args: &str) -> String {
        match self {
            Other::Elvish => format!("try {{ swop {args} }} catch {{ }} else {{ exit 9 }}\n"),
            Other::Xonsh => {
                format!("if ![swop {args}].returncode == 0:\n    import sys\n    sys.exit(9)\n")
            }
            // A caught error is silent: its message goes to stderr here.
            Other::Tcsh => format!("swop {args}\nif ($status == 0) exit 9\n"),
            Other::Nu => format!(
                "if (try {{ swop {args}; true }} catch {{|e| print --stderr $e.msg; false }}) \
                 {{ exit 9 }}\n"
            ),
        }
    }

    /// A line that runs `faketool ARGS`, its output and then its status in `file`.
    fn tool_into(self, args: &str, file: &str) -> String {
        match self {
            Other::Elvish => format!(
                "try {{ faketool {args} > {file} }} catch e {{ echo status=$e[reason][exit-status] >> {file} }}\n"
            ),
            Other::Xonsh => format!(
                "p = ![faketool {args} > {file}]\nif p.returncode != 0:\n    echo @(f'status={{p.returncode}}') >> {file}\n"
            ),
            Other::Nu => format!(
                "do {{ faketool {args} }} | complete | $'($in.stdout)status=($in.exit_code)(char nl)' | save -f {file}\n"
            ),
            Other::Tcsh => format!(
                "(faketool {args}) > {file}\nset st = $status\nif ($st != 0) echo status=$st >> {file}\n"
            ),
        }
    }
}

fn switch_script(shell: Other, sandbox: &Sandbox) -> String {
    [
        shell.init(sandbox, &["swop"]),
        shell.dump("before.env"),
        "swop use A\n".to_string(),
        shell.dump("a.env"),
        shell.must_fail("use nosuch"),
        shell.must_fail("use"),
        shell.dump("a-again.env"),
        "swop use B\n".to_string(),
        shell.dump("b.env"),
        "swop off\n".to_string(),
        shell.dump("after.env"),
    ]
    .concat()
}

#[test]
fn use_and_off_restore_the_environment_in_elvish_xonsh_nu_and_tcsh() {
    for shell in OTHERS {
        if !require(shell.program()) {
            continue;
        }
        let sandbox = Sandbox::new();
        sandbox.add("A", &[]);
        sandbox.add("B", &["CODEX_HOME"]);
        let mut command = shell.command(&sandbox, &switch_script(shell, &sandbox));
        // csh cannot hold a newline: swop would refuse to restore one.
        let odd: Vec<u8> = match shell {
            Other::Tcsh => ODD_VALUE.iter().copied().filter(|&b| b != b'\n').collect(),
            _ => ODD_VALUE.to_vec(),
        };
        command
            .env("XDG_CONFIG_HOME", OsStr::from_bytes(&odd))
            .env("XDG_STATE_HOME", "")
            .env_remove("XDG_DATA_HOME");
        // nushell keeps the environment as text: bytes that are not UTF-8
        // are gone before swop runs.
        if shell != Other::Nu {
            command.env("XDG_CACHE_HOME", OsStr::from_bytes(RAW_VALUE));
        }
        let output = command.output().unwrap();
        success(&output);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("profile \"nosuch\" not found"),
            "{shell:?}: {stderr}\n{}",
            String::from_utf8_lossy(&output.stdout)
        );

        let before = shell.env_dump(&sandbox, "before.env");
        let a = shell.env_dump(&sandbox, "a.env");
        let b = shell.env_dump(&sandbox, "b.env");
        let after = shell.env_dump(&sandbox, "after.env");
        assert_eq!(var(&before, "XDG_CONFIG_HOME"), Some(&odd[..]), "{shell:?}");
        let a_dir = sandbox.store().join("profiles/A");
        assert_eq!(var(&a, "SWOP_PROFILE"), Some(&b"A"[..]), "{shell:?}");
        assert_eq!(
            var(&a, "HOME"),
            Some(bytes(&a_dir.join("HOME"))),
            "{shell:?}"
        );
        assert_eq!(
            shell.env_dump(&sandbox, "a-again.env"),
            a,
            "{shell:?}: a failed swop use changed the environment"
        );
        let b_dir = sandbox.store().join("profiles/B");
        assert_eq!(
            var(&b, "CODEX_HOME"),
            Some(bytes(&b_dir.join("CODEX_HOME"))),
            "{shell:?}"
        );
        for name in [
            "HOME",
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
            "XDG_STATE_HOME",
        ] {
            assert_eq!(var(&b, name), var(&before, name), "{shell:?}: {name} on B");
        }
        assert_eq!(var(&b, "XDG_DATA_HOME"), None, "{shell:?}");
        assert_eq!(after, before, "{shell:?}: swop use A; swop use B; swop off");
    }
}

#[test]
fn wrappers_run_through_swop_exec_in_elvish_xonsh_nu_and_tcsh() {
    for shell in OTHERS {
        if !require(shell.program()) {
            continue;
        }
        let sandbox = Sandbox::new();
        sandbox.add("A", &[]);
        sandbox.write("store/config.toml", "wrap = [\"faketool\"]\n");
        sandbox.tool("faketool", FAKE_TOOL);
        let script = [
            shell.init(&sandbox, &["swop", "faketool"]),
            "swop use A\n".to_string(),
            shell.tool_into("'a b' \"c'd\"", "in.txt"),
            "swop off\n".to_string(),
            shell.tool_into("x", "out.txt"),
        ]
        .concat();
        let out = shell.run(&sandbox, &script);
        success(&out);
        let inside = sandbox.read("in.txt");
        assert!(
            inside.starts_with("profile=A\n"),
            "{shell:?}: {inside}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_ran_under_the_lock(&inside);
        assert!(inside.contains("arg=a b\narg=c'd\n"), "{shell:?}: {inside}");
        assert_eq!(
            sandbox.read("out.txt"),
            "profile=\narg=x\nstatus=3\n",
            "{shell:?}"
        );
    }
}

#[test]
fn init_scripts_load_with_any_tool_name() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "store/config.toml",
        "wrap = [\"codex\", \"aws-vault\", \"python3.12\", \"_x\"]\n",
    );
    for shell in OTHERS {
        if !require(shell.program()) {
            continue;
        }
        let script = [shell.init(&sandbox, &["swop"]), "swop list\n".to_string()].concat();
        let out = shell.run(&sandbox, &script);
        success(&out);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("no profiles")
                || String::from_utf8_lossy(&out.stderr).contains("no profiles"),
            "{shell:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn completions_offer_profile_names_in_xonsh_nu_and_tcsh() {
    let sandbox = Sandbox::new();
    sandbox.add("work", &[]);
    sandbox.add("wonder", &[]);
    for shell in [Other::Xonsh, Other::Nu, Other::Tcsh] {
        if !require(shell.program()) {
            continue;
        }
        // What the shell's completion asks for `swop use wo<TAB>` and `swop sh<TAB>`.
        let ask = match shell {
            // xonsh's own completer, as the prompt runs it.
            Other::Xonsh => "from xonsh.completer import Completer\n\
                 assert 'swop' in __xonsh__.completers\n\
                 print(sorted(str(c) for c in Completer().complete_line('swop use wo')[0]))\n\
                 print(sorted(str(c) for c in Completer().complete_line('swop sh')[0]))\n"
                .to_string(),
            Other::Nu => "print (nu-complete swop 'swop use wo' | get value | sort | to nuon)\n\
                 print (nu-complete swop 'swop sh' | get value | sort | to nuon)\n"
                .to_string(),
            Other::Tcsh => "complete swop\n__swop_names\n".to_string(),
            Other::Elvish => unreachable!("elvish completes through swop completions elvish"),
        };
        let script = [shell.init(&sandbox, &["swop"]), ask].concat();
        let out = success(&shell.run(&sandbox, &script));
        let expected = match shell {
            Other::Xonsh => "['wonder', 'work']\n['shell', 'show']\n",
            Other::Nu => "[wonder, work]\n[shell, show]\n",
            _ => "",
        };
        if shell == Other::Tcsh {
            assert!(out.contains("'n/use/`__swop_names`/'"), "{out}");
            assert!(!out.contains("'n/add/"), "add names a new profile: {out}");
            assert!(out.ends_with("wonder\nwork\n"), "{out}");
        } else {
            assert_eq!(out, expected, "{shell:?}");
        }
    }
}

/// Drive an interactive nushell through a pseudo-terminal: each of `lines`
/// is typed at a prompt, the terminal's cursor questions are answered (as a
/// terminal would: nushell's line editor waits for them), and everything
/// the shell wrote comes back.
fn interactive_nu(sandbox: &Sandbox, config: &std::path::Path, lines: &[&str]) -> String {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};

    let (mut master, slave) = crate::common::open_pty();
    let mut command = sandbox.command("nu");
    command
        .args(["--no-std-lib", "--env-config", "/dev/null", "--config"])
        .arg(config)
        .stdin(slave.try_clone().expect("pty"))
        .stdout(slave.try_clone().expect("pty"))
        .stderr(slave);
    // SAFETY: setsid and TIOCSCTTY make the pty the shell's terminal.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY, 0);
            Ok(())
        });
    }
    let mut child = command.spawn().expect("start nu");
    // SAFETY: O_NONBLOCK on a descriptor this test owns.
    unsafe {
        let fd = std::os::fd::AsRawFd::as_raw_fd(&master);
        libc::fcntl(
            fd,
            libc::F_SETFL,
            libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK,
        );
    }
    let mut seen = Vec::new();
    let pump = |master: &mut std::fs::File, seen: &mut Vec<u8>, time: Duration| {
        let end = Instant::now() + time;
        let mut buf = [0u8; 65536];
        while Instant::now() < end {
            match master.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let asked = buf[..n].windows(4).filter(|w| w == b"\x1b[6n").count();
                    for _ in 0..asked {
                        let _ = master.write_all(b"\x1b[1;1R");
                    }
                    seen.extend_from_slice(&buf[..n]);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    };
    pump(&mut master, &mut seen, Duration::from_secs(3));
    for line in lines.iter().chain(&["exit"]) {
        master.write_all(line.as_bytes()).expect("type");
        master.write_all(b"\r").expect("type");
        pump(&mut master, &mut seen, Duration::from_millis(1500));
    }
    let _ = child.kill();
    let _ = child.wait();
    String::from_utf8_lossy(&seen).replace('\r', "")
}

#[test]
fn nushell_restores_exactly_across_repeated_use_and_off_at_its_prompt() {
    if !require("nu") {
        return;
    }
    let sandbox = Sandbox::new();
    sandbox.add("work", &["CODEX_HOME"]);
    let init = sandbox.swop(&["init", "nu"]);
    let script = sandbox.write("swop.nu", success(&init).as_str());
    let config = sandbox.write(
        "config.nu",
        &format!(
            "$env.config.show_banner = false\nsource {:?}\n",
            script.display().to_string()
        ),
    );
    let report = "print ('STATE:' + ($env.SWOP_PROFILE? | default none) + ':' + (if ('CODEX_HOME' in $env) { 'set' } else { 'unset' }) + ':' + (if ('SWOP_SAVED' in $env) { 'set' } else { 'unset' }))";
    // One switch and back on their own lines, then both on one line: the
    // shell must end with exactly what it had.
    let out = interactive_nu(
        &sandbox,
        &config,
        &[
            "swop use work",
            "swop off",
            "swop use work; swop off",
            report,
        ],
    );
    let states: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split("STATE:").nth(1))
        .filter(|s| !s.starts_with('\''))
        .collect();
    assert_eq!(states.last(), Some(&"none:unset:unset"), "{out}");
}
