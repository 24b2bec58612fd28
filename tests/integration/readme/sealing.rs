//! The README's sealing lines, each an example of its own, run as written in
//! a fresh store that holds the codex profiles it names (but the one it
//! adds), logged in with a key: each seals what its comment says, and
//! `--no-seal` runs once unsealed.

use super::*;
use crate::seal::can_seal;

const KEY: &str = "sk-test-readme-0000000000";

/// What runs in place of codex's TUI, which needs a terminal: the real codex
/// reports its login, then a file made right in the home, which only a seal
/// refuses (the home holds `~/.codex`, kept out of reach), says whether it
/// ran sealed.
const IN_PLACE_OF_THE_TUI: &str = r#"codex login status && if mktemp "$HOME/probe.XXXXXX" >/dev/null 2>&1; then echo unsealed; else echo sealed; fi"#;

/// What a line of the block does.
#[derive(Debug, PartialEq)]
enum Example {
    /// Runs a command, sealed or not.
    Runs { sealed: bool },
    /// Makes `work` seal every command from now on.
    SealsWork,
}

/// What `line` does, from its code and, for the ones that run a command,
/// its comment.
fn example(line: &str) -> Example {
    let (code, comment) = line.split_once('#').unwrap_or((line, ""));
    let code = code.trim();
    if code.starts_with("swop add work ") || code.starts_with("swop set work ") {
        assert!(code.ends_with(" --seal"), "{code}");
        return Example::SealsWork;
    }
    assert!(
        code.starts_with("swop exec ") || code.starts_with("swop shell "),
        "a sealing line of a new kind: {code}"
    );
    Example::Runs {
        sealed: !comment.contains("unsealed"),
    }
}

/// The last line a command printed: `sealed` or `unsealed`.
fn verdict(out: &std::process::Output) -> String {
    let text = out.stdout_str();
    text.lines().last().unwrap_or_default().to_string()
}

#[test]
fn each_sealing_line_seals_what_its_comment_says() {
    let probe = Swop::new();
    if !can_seal(&probe) || codex_bin(probe.dir()).is_none() {
        return;
    }
    let blocks = sh_blocks(&section("Sealing"));
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    assert!(blocks[0].len() >= 6, "{blocks:?}");
    let tui = format!("sh -c '{IN_PLACE_OF_THE_TUI}'");
    for written in &blocks[0] {
        let line = written.split('#').next().unwrap().trim();
        let swop = Swop::new();
        let codex = codex_bin(swop.dir()).expect("codex");
        let path = path_with_codex(&swop, Some(&codex));
        let login = |name: &str| {
            swop.args(["exec", name, "--", "codex", "login", "--with-api-key"])
                .stdin(format!("{KEY}\n"))
                .env("PATH", &path)
                .success();
        };
        let adds_work = line.starts_with("swop add work ");
        if !adds_work {
            // "in a sealed profile": the line that runs once unsealed finds
            // work sealed.
            let sealed: &[&str] = if line.contains("--no-seal") {
                &["--tool", "codex", "--seal"]
            } else {
                &["--tool", "codex"]
            };
            swop.add("work", sealed);
            login("work");
        }
        swop.add("personal", &["--tool", "codex"]);
        login("personal");

        let script = match line.strip_suffix(" -- codex") {
            Some(before) => format!("{before} -- {tui}"),
            None => line.to_string(),
        };
        let mut run = bash(&swop, &script)
            .env("PATH", &path)
            .env("SHELL", which_program("bash"));
        if line.starts_with("swop shell ") {
            // The shell reads what one would type in it.
            run = run.stdin(format!("{IN_PLACE_OF_THE_TUI}\n"));
        }
        let out = run.success();
        let said = format!("{}{}", out.stdout_str(), out.stderr_str());
        match example(written) {
            Example::Runs { sealed } => {
                let wanted = if sealed { "sealed" } else { "unsealed" };
                assert_eq!(verdict(&out), wanted, "{line}\n{said}");
                assert!(said.contains("API key configured"), "{line}\n{said}");
                if line.contains("--pick") {
                    assert!(said.contains("swop: picked work ("), "{line}\n{said}");
                }
            }
            Example::SealsWork => {
                if adds_work {
                    login("work");
                }
            }
        }
        // Seals from now on, or (--no-seal) once only.
        if example(written) == Example::SealsWork || line.contains("--no-seal") {
            let out = swop
                .args(["exec", "work", "--", "sh", "-c", IN_PLACE_OF_THE_TUI])
                .env("PATH", &path)
                .success();
            assert_eq!(
                verdict(&out),
                "sealed",
                "after {line}: {}",
                out.stderr_str()
            );
        }
    }
}
