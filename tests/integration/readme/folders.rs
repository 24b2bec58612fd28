//! The README's folders that pick the profile: its `.swop` lines in each
//! interactive shell, with what its comments say swop prints, the message of
//! a `.swop` not yet allowed and `swop show`'s answer there as its samples
//! show them; and its direnv line, then `use swop work` as it says.

use std::fs;

use super::*;
use crate::folders::Interactive;

/// `text` with the README's example paths made this test's: the store for
/// `/home/me/.local/share/swop`, then the home for `/home/me`.
fn at_home(swop: &Swop, text: &str) -> String {
    let store = swop.root().display().to_string();
    let home = swop.user_home().display().to_string();
    text.replace("/home/me/.local/share/swop", &store)
        .replace("/home/me", &home)
}

/// Whether `needles` occur in `text` one after another, in this order.
fn in_order(text: &str, needles: &[String]) -> bool {
    let mut rest = text;
    needles
        .iter()
        .all(|needle| match rest.find(needle.as_str()) {
            Some(at) => {
                rest = &rest[at + needle.len()..];
                true
            }
            None => false,
        })
}

fn the_swop_file_lines_run_as_written(shell: Interactive) {
    if !require(shell.name()) || (shell == Interactive::Fish && !require("script")) {
        return;
    }
    let part = subsection("Folders that pick the profile");
    let blocks = sh_blocks(&part);
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let block = &blocks[0];
    // What the comments say swop prints, in this order.
    let said: Vec<String> = block
        .iter()
        .filter_map(|l| l.split_once("# swop: ").map(|(_, s)| format!("swop: {s}")))
        .collect();
    assert_eq!(said.len(), 2, "{block:?}");
    let samples = plain_blocks(&part);
    assert_eq!(samples.len(), 1, "{samples:?}");
    let not_allowed = &samples[0][0];
    let shown = plain_blocks(&subsection("Which profile, and why"));
    let (command, answer) = shown[0].split_first().expect("a sample");
    assert_eq!(command, "$ swop show");

    // The README's reader has a profile work (the Quick start's) and the
    // folders the lines name; a clone brought the second .swop.
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex"]);
    let home = swop.user_home();
    fs::create_dir_all(home.join("src/client-a/api")).expect("mkdir");
    fs::create_dir_all(home.join("src/cloned")).expect("mkdir");
    fs::write(home.join("src/cloned/.swop"), "work\n").expect("write");
    let show = swop.dir().join("show.txt");
    let mut script = format!("{}cd ~\n", shell.prelude());
    if shell == Interactive::Zsh {
        // What the README tells zsh users who paste its lines with their
        // comments.
        let option = "setopt interactive_comments";
        assert!(flat(&section("Shell integration")).contains(&format!("`{option}`")));
        script += &format!("{option}\n");
    }
    for line in block {
        script += &format!("{line}\n");
    }
    script += "cd ~/src/client-a/api\nswop show > \"$SHOW\"\n";
    script += "cd ~/src/cloned\nexit\n";
    let words = shell.command_line(None);
    let out = swop
        .command(&words[0])
        .args(&words[1..])
        .env("SHOW", &show)
        .env("TERM", "dumb")
        .stdin(script)
        .output();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .replace('\r', "");
    assert!(out.status.success(), "{shell:?}: {}\n{text}", out.status);
    let said: Vec<String> = said.iter().map(|s| at_home(&swop, s)).collect();
    assert!(
        in_order(&text, &said),
        "{shell:?}: not {said:#?} in\n{text}"
    );
    let not_allowed = at_home(&swop, not_allowed);
    assert!(
        text.contains(&not_allowed),
        "{shell:?}: {not_allowed}\n{text}"
    );
    let wanted: String = answer.iter().map(|l| at_home(&swop, l) + "\n").collect();
    let got = fs::read_to_string(&show).expect("swop show's answer");
    assert_eq!(got, wanted, "{shell:?}: swop show\n{text}");
}

#[test]
fn the_swop_file_lines_run_as_written_in_bash() {
    the_swop_file_lines_run_as_written(Interactive::Bash);
}

#[test]
fn the_swop_file_lines_run_as_written_in_zsh() {
    the_swop_file_lines_run_as_written(Interactive::Zsh);
}

#[test]
fn the_swop_file_lines_run_as_written_in_fish() {
    the_swop_file_lines_run_as_written(Interactive::Fish);
}

#[test]
fn the_direnv_line_runs_as_written_then_use_swop_switches() {
    if !require("direnv") {
        return;
    }
    let part = subsection("direnv");
    let blocks = sh_blocks(&part);
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let envrc = "use swop work";
    assert!(
        flat(&part).contains(&format!(
            "put `{envrc}` in a project's `.envrc` and run `direnv allow`"
        )),
        "{part}"
    );
    let swop = Swop::new();
    swop.add("work", &["--tool", "codex"]);
    bash(&swop, &blocks[0].join("\n")).success();
    let library = swop.user_home().join(".config/direnv/lib/swop.sh");
    let wanted = swop.args(["init", "direnv"]).success().stdout;
    assert_eq!(fs::read(&library).expect("the library"), wanted);

    let project = swop.user_home().join("src/client-a");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(project.join(".envrc"), format!("{envrc}\n")).expect("write .envrc");
    // What direnv's shell hook runs at each prompt, after a cd.
    let out = bash(
        &swop,
        r#"hook() { eval "$(direnv export bash)"; }
cd ~/src/client-a && direnv allow && hook
echo "in: $SWOP_PROFILE $CODEX_HOME"
cd ~ && hook
echo "out: ${SWOP_PROFILE-} ${CODEX_HOME-}""#,
    )
    .success();
    let codex_home = swop.profile_dir("work").join("CODEX_HOME");
    assert_eq!(
        out.stdout_str(),
        format!("in: work {}\nout:  \n", codex_home.display()),
        "{}",
        out.stderr_str()
    );
}
