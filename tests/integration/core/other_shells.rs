//! Switching elvish, xonsh, tcsh and nushell: each gets its own syntax, exact
//! to the byte, and a value a shell cannot hold is refused, not altered.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use super::*;

/// A shell beyond the four of `swop init`'s first set.
#[derive(Clone, Copy, Debug)]
enum Other {
    Elvish,
    Xonsh,
    Tcsh,
}

impl Other {
    const ALL: [Other; 3] = [Other::Elvish, Other::Xonsh, Other::Tcsh];

    fn program(self) -> &'static str {
        match self {
            Other::Elvish => "elvish",
            Other::Xonsh => "xonsh",
            Other::Tcsh => "tcsh",
        }
    }

    fn flags(self) -> &'static [&'static str] {
        match self {
            Other::Elvish => &["-norc"],
            Other::Xonsh => &["--no-rc"],
            Other::Tcsh => &["-f"],
        }
    }

    /// A line that applies `swop ARGS --shell NAME`, as the shell's users do.
    fn apply(self, swop_args: &str) -> String {
        let name = self.program();
        match self {
            Other::Elvish => format!("eval (swop {swop_args} --shell {name} | slurp)\n"),
            Other::Xonsh => format!("execx($(swop {swop_args} --shell {name}))\n"),
            // Inside double quotes a command substitution keeps its words
            // whole; swop separates the commands with `;`.
            Other::Tcsh => format!("eval \"`swop {swop_args} --shell {name}`\"\n"),
        }
    }

    /// One line per command: tcsh needs the `;` as a separator only in `-c`.
    fn script(self, lines: &[String]) -> String {
        match self {
            Other::Tcsh => lines
                .iter()
                .map(|l| l.trim_end())
                .collect::<Vec<_>>()
                .join("; "),
            _ => lines.concat(),
        }
    }
}

/// A value set in the profile (`--set`), quoted like a path.
const VALUE: &str = "AWS_PROFILE=it's \"q\" $(x) `y` !x !! {a} \\";

/// Variables the shell itself sets as it runs commands.
fn shell_free(env: &Env) -> Env {
    without_shell_vars(env.clone())
        .into_iter()
        .filter(|(name, _)| !name.as_bytes().starts_with(b"XONSH_"))
        .collect()
}

/// `start` with profile `A` of `swop` switched on, as exec gives it.
fn expected_on(swop: &Swop, start: &Env) -> Env {
    let exec_env = parse_env0(&swop.args(["exec", "A", "--", "env", "-0"]).success().stdout);
    let mut expected = start.clone();
    for var in DEFAULT_BINDINGS.iter().copied().chain([
        "SWOP_HOME",
        "SWOP_PROFILE",
        "SWOP_SAVED",
        "AWS_PROFILE",
    ]) {
        if let Some(value) = exec_env.get(OsStr::new(var)) {
            expected.insert(var.into(), value.clone());
        }
    }
    expected
}

#[test]
fn env_output_survives_hostile_store_paths_in_elvish_xonsh_and_tcsh() {
    for shell in Other::ALL {
        if !require(shell.program()) {
            continue;
        }
        // tcsh cannot hold a newline in a variable (see the next test).
        let mut store = hostile_store(cfg!(not(target_os = "linux"))).into_vec();
        if matches!(shell, Other::Tcsh) {
            store.retain(|b| *b != b'\n');
        }
        // History (tcsh) and braces (xonsh, elvish), ahead of the final backslash.
        store.splice(0..0, b"!x !! !$ {a} { ".iter().copied());
        let swop = Swop::with_store(os(&store));
        // A value, quoted like a path.
        swop.add("A", &["--set", VALUE]);
        let script = shell.script(&[
            "env -0 > start.env\n".to_string(),
            shell.apply("env A"),
            "env -0 > on.env\n".to_string(),
            shell.apply("env --off"),
            "env -0 > off.env\n".to_string(),
        ]);
        let out = swop
            .command(shell.program())
            .args(shell.flags())
            .arg("-c")
            .arg(&script)
            .output();
        assert_nothing_pwned(swop.dir());
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{shell:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let start = shell_free(&read_env0(swop.work().join("start.env")));
        let on = shell_free(&read_env0(swop.work().join("on.env")));
        let off = shell_free(&read_env0(swop.work().join("off.env")));
        assert_same_env(
            &on,
            &expected_on(&swop, &start),
            &format!("{shell:?} after swop env A"),
        );
        assert_eq!(
            on.get(OsStr::new("AWS_PROFILE")).map(|v| v.as_bytes()),
            Some(&b"it's \"q\" $(x) `y` !x !! {a} \\"[..]),
            "{shell:?}"
        );
        assert_same_env(&off, &start, &format!("{shell:?} after swop env --off"));
    }
}

#[test]
fn tcsh_is_refused_a_newline_it_cannot_hold() {
    if !require("tcsh") {
        return;
    }
    let swop = Swop::with_store("store\nline");
    swop.add("A", &[]);
    let out = swop.args(["env", "A", "--shell", "tcsh"]).failure(1);
    assert!(out.stdout.is_empty(), "{}", out.stdout_str());
    let err = out.stderr_str();
    assert!(err.contains("tcsh") && err.contains("newline"), "{err}");
    // And the shell is left as it was.
    let out = swop
        .command("tcsh")
        .args(["-f", "-c", "eval \"`swop env A`\"; echo \"home=$HOME\""])
        .output();
    assert!(
        out.stdout_str()
            .contains(&format!("home={}", swop.dir().join("home").display())),
        "{}",
        out.stdout_str()
    );
}

#[test]
fn nushell_reads_its_syntax_exactly() {
    if !require("nu") {
        return;
    }
    let swop = Swop::with_store(hostile_store(true));
    swop.add("A", &[]);
    let on_nu = swop.args(["env", "A", "--shell", "nu"]).success();
    let file = swop.work().join("on.nu");
    fs::write(&file, &on_nu.stdout).expect("write on.nu");
    // nushell parses `source` before it runs anything, so the file exists first.
    swop.command("nu")
        .args(["-n", "-c"])
        .arg("^env -0 | save -f start.env; source on.nu; ^env -0 | save -f on.env")
        .success();
    assert_nothing_pwned(swop.dir());
    let start = shell_free(&read_env0(swop.work().join("start.env")));
    let on = shell_free(&read_env0(swop.work().join("on.env")));
    let mut expected = expected_on(&swop, &start);
    // nushell marks its children with its version.
    expected.extend(
        on.get(OsStr::new("NU_VERSION"))
            .map(|v| ("NU_VERSION".into(), v.clone())),
    );
    assert_same_env(&on, &expected, "nu after source");
}

#[cfg(target_os = "linux")]
#[test]
fn nushell_is_refused_bytes_that_are_not_text() {
    let swop = Swop::with_store(hostile_store(false));
    swop.add("A", &[]);
    let out = swop.args(["env", "A", "--shell", "nu"]).failure(1);
    assert!(out.stdout.is_empty(), "{}", out.stdout_str());
    assert!(out.stderr_str().contains("UTF-8"), "{}", out.stderr_str());
}
