//! Completion scripts in the real shells, and the generated files kept in the
//! repository (completions/: scripts and man pages) against what swop
//! generates now.

use super::*;

fn committed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(name)
}

/// Compare a generated file with its committed copy, or write the copy when
/// SWOP_UPDATE_GENERATED is set.
#[track_caller]
fn check_generated(name: &str, generated: &[u8]) {
    let path = committed(name);
    let current = fs::read(&path).ok();
    if std::env::var_os("SWOP_UPDATE_GENERATED").is_some() {
        if current.as_deref() != Some(generated) {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, generated).unwrap();
            println!("updated completions/{name}");
        }
        return;
    }
    assert!(
        current.as_deref() == Some(generated),
        "completions/{name} differs from what swop generates; \
         regenerate with: SWOP_UPDATE_GENERATED=1 cargo test generated"
    );
}

const COMPLETION_FILES: [(&str, &str); 5] = [
    ("bash", "swop.bash"),
    ("zsh", "_swop"),
    ("fish", "swop.fish"),
    ("elvish", "swop.elv"),
    ("powershell", "_swop.ps1"),
];

#[test]
fn generated_completions_are_up_to_date() {
    for (shell, file) in COMPLETION_FILES {
        let output = Command::new(SWOP)
            .args(["completions", shell])
            .output()
            .unwrap();
        success(&output);
        check_generated(file, &output.stdout);
    }
}

/// swop.1 and one page per subcommand (swop-exec.1, ...), which swop.1 refers to.
#[test]
fn generated_man_pages_are_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    clap_mangen::generate_to(swop::cli::command(), dir.path()).unwrap();
    let mut pages = Vec::new();
    for entry in fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        check_generated(&name, &fs::read(entry.path()).unwrap());
        pages.push(name);
    }
    assert!(pages.iter().any(|p| p == "swop.1"), "{pages:?}");
    assert!(pages.iter().any(|p| p == "swop-exec.1"), "{pages:?}");
    for entry in fs::read_dir(committed("")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".1") && !pages.contains(&name) {
            if std::env::var_os("SWOP_UPDATE_GENERATED").is_some() {
                fs::remove_file(committed(&name)).unwrap();
            } else {
                panic!(
                    "completions/{name} is no longer generated; \
                     remove it with: SWOP_UPDATE_GENERATED=1 cargo test generated"
                );
            }
        }
    }
}

#[test]
fn completion_scripts_pass_the_shells_syntax_checks_and_shellcheck() {
    for (shell, check, file) in [
        (Shell::Bash, "-n", "swop.bash"),
        (Shell::Zsh, "-n", "_swop"),
        (Shell::Fish, "--no-execute", "swop.fish"),
    ] {
        if require(shell.name()) {
            let output = Command::new(shell.name())
                .arg(check)
                .arg(committed(file))
                .output()
                .unwrap();
            success(&output);
        }
    }
}

/// A store with two profiles and a group of them, and swop on PATH for
/// the completion scripts.
fn completion_sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.add("alpha", &[]);
    sandbox.add("beta", &["CODEX_HOME"]);
    sandbox.write(
        "store/config.toml",
        "[groups]\nagents = [\"alpha\", \"beta\"]\n",
    );
    sandbox
}

fn with_swop_on_path(sandbox: &Sandbox, mut command: Command) -> Command {
    let mut path = sandbox.exe.parent().unwrap().as_os_str().to_os_string();
    path.push(":/usr/local/bin:/usr/bin:/bin");
    command.env("PATH", path);
    command
}

fn lines(output: &Output) -> Vec<String> {
    let mut lines: Vec<String> = success(output).lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// What the shell offers for `line`, which ends where the cursor is.
type Completer = fn(&Sandbox, &str) -> Vec<String>;

fn bash_complete(sandbox: &Sandbox, line: &str) -> Vec<String> {
    let mut words: Vec<String> = line.split_whitespace().map(|w| format!("'{w}'")).collect();
    if line.ends_with(' ') {
        words.push("''".into());
    }
    let script = format!(
        r#"
source "$1"
COMP_WORDS=({words})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE='{line}'
COMP_POINT=${{#COMP_LINE}}
read -ra spec <<< "$(complete -p swop)"
for ((i = 0; i < ${{#spec[@]}}; i++)); do
    if [[ ${{spec[i]}} == -F ]]; then function=${{spec[i + 1]}}; fi
done
"$function" swop "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD - 1]}}"
if (( ${{#COMPREPLY[@]}} )); then printf '%s\n' "${{COMPREPLY[@]}}"; fi
"#,
        words = words.join(" ")
    );
    let file = sandbox.write("complete.bash", &script);
    let mut command = sandbox.command("bash");
    command
        .args(["--norc", "--noprofile"])
        .arg(file)
        .arg(committed("swop.bash"));
    lines(&with_swop_on_path(sandbox, command).output().unwrap())
}

fn fish_complete(sandbox: &Sandbox, line: &str) -> Vec<String> {
    let mut command = sandbox.command("fish");
    command.args([
        "--no-config",
        "-c",
        // `string replace` fails when no candidate has a description.
        "source $argv[1]; complete -C $argv[2] | string replace -r '\\t.*' ''; or true",
    ]);
    command.arg(committed("swop.fish")).arg(line);
    lines(&with_swop_on_path(sandbox, command).output().unwrap())
}

/// zsh completes only inside its line editor: a zsh drives an interactive zsh
/// through a pseudo-terminal (zpty), types `line` and a Tab, and a `compadd`
/// of the test's own writes every match the completion adds to a file.
const ZSH_SETUP: &str = r#"
PROMPT='> '
fpath=("$SWOP_TEST_FPATH" $fpath)
autoload -U compinit && compinit -u -D
compadd() {
    if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi
    local -a hits
    builtin compadd -A hits "$@"
    if (( ${#hits} )); then print -rl -- $hits >> "$SWOP_TEST_OUT"; fi
    builtin compadd "$@"
}
capture_done() { print -r -- '--done--' >> "$SWOP_TEST_OUT"; }
comppostfuncs=(capture_done)
bindkey '^I' complete-word
print -r -- '--ready--' >> "$SWOP_TEST_OUT"
"#;

const ZSH_DRIVER: &str = r#"
zmodload zsh/zpty zsh/zselect
zpty swop zsh -f -i
zpty -w swop "source ${(q)1}"
wait_for() {
    local chunk
    integer i
    for (( i = 0; i < 1000; i++ )); do
        while zpty -r -t swop chunk 2>/dev/null; do :; done
        if [[ -f $SWOP_TEST_OUT ]] && grep -qx -- "$1" "$SWOP_TEST_OUT"; then return 0; fi
        zselect -t 2
    done
    print -u2 "zsh did not print $1 in time"
    return 1
}
wait_for --ready-- || exit 1
zpty -w -n swop "$2"$'\t'
wait_for --done-- || exit 1
zpty -d swop
"#;

fn zsh_complete(sandbox: &Sandbox, line: &str) -> Vec<String> {
    let fpath = sandbox.path("zfunc");
    fs::create_dir_all(&fpath).unwrap();
    fs::copy(committed("_swop"), fpath.join("_swop")).unwrap();
    let out = sandbox.path("zsh-matches.txt");
    let _ = fs::remove_file(&out);
    let setup = sandbox.write("zsh-setup.zsh", ZSH_SETUP);
    let driver = sandbox.write("zsh-driver.zsh", ZSH_DRIVER);
    let mut command = sandbox.command("zsh");
    command
        .arg("-f")
        .arg(driver)
        .arg(setup)
        .arg(line)
        .env("SWOP_TEST_FPATH", &fpath)
        .env("SWOP_TEST_OUT", &out);
    success(&with_swop_on_path(sandbox, command).output().unwrap());
    let mut matches: Vec<String> = fs::read_to_string(&out)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("--"))
        .map(str::to_string)
        .collect();
    matches.sort();
    matches
}

fn completes_profiles_and_subcommands(shell: Shell, complete: Completer) {
    if !require(shell.name()) {
        return;
    }
    let sandbox = completion_sandbox();
    for line in [
        "swop exec ",
        "swop use ",
        "swop show ",
        "swop rm ",
        "swop shell --lock shared ",
    ] {
        assert_eq!(
            complete(&sandbox, line),
            ["alpha", "beta"],
            "{shell:?}: {line:?}"
        );
    }
    assert_eq!(complete(&sandbox, "swop env b"), ["beta"], "{shell:?}");
    let subcommands = complete(&sandbox, "swop ");
    for sub in ["add", "exec", "list", "use", "off", "completions"] {
        assert!(
            subcommands.iter().any(|s| s == sub),
            "{shell:?}: no {sub} in {subcommands:?}"
        );
    }
    assert!(
        !subcommands.iter().any(|s| s == "alpha"),
        "{shell:?}: {subcommands:?}"
    );
    let locks = complete(&sandbox, "swop exec --lock ");
    assert_eq!(locks, ["exclusive", "none", "shared"], "{shell:?}");
    // --pick offers profiles and groups, and the rest of a list.
    assert_eq!(
        complete(&sandbox, "swop exec --pick "),
        ["agents", "alpha", "beta"],
        "{shell:?}"
    );
    assert_eq!(
        complete(&sandbox, "swop exec --pick alpha,"),
        ["alpha,beta"],
        "{shell:?}"
    );
    for line in ["swop mv ", "swop cp ", "swop set "] {
        assert_eq!(
            complete(&sandbox, line),
            ["alpha", "beta"],
            "{shell:?}: {line:?}"
        );
    }
    let entries = complete(&sandbox, "swop set alpha --share s");
    assert_eq!(entries, ["sessions"], "{shell:?}");
}

#[test]
fn bash_completes_profiles_and_subcommands() {
    completes_profiles_and_subcommands(Shell::Bash, bash_complete);
}

#[test]
fn zsh_completes_profiles_and_subcommands() {
    completes_profiles_and_subcommands(Shell::Zsh, zsh_complete);
}

#[test]
fn fish_completes_profiles_and_subcommands() {
    completes_profiles_and_subcommands(Shell::Fish, fish_complete);
}

/// After `--`, `exec` completes a command on PATH, then files for its
/// arguments; `add --tool` the catalog's tools and those recorded here;
/// `rm` is offered by its name, its alias `remove` only when typed.
fn completes_commands_tools_and_rm(shell: Shell, complete: Completer) {
    if !require(shell.name()) {
        return;
    }
    let sandbox = completion_sandbox();
    // On the PATH of the completion: the folder swop runs from.
    let program = sandbox.exe.with_file_name("zz-swop-probe");
    fs::write(&program, "#!/bin/sh\n").unwrap();
    fs::set_permissions(&program, fs::Permissions::from_mode(0o755)).unwrap();
    sandbox.write("notes-one.txt", "");
    sandbox.write("notes-two.txt", "");
    fs::create_dir_all(sandbox.path("store/recipes")).unwrap();
    sandbox.write("store/recipes/zz-recorded.toml", "");

    for line in [
        "swop exec alpha -- zz-swop-p",
        "swop exec --lock none beta -- zz-swop-p",
    ] {
        assert_eq!(
            complete(&sandbox, line),
            ["zz-swop-probe"],
            "{shell:?}: {line:?}"
        );
    }
    // Before `--` the word is swop's: no command is offered there.
    assert_eq!(
        complete(&sandbox, "swop exec alpha zz-swop-p"),
        Vec::<String>::new(),
        "{shell:?}"
    );
    for line in [
        "swop exec alpha -- zz-swop-probe notes-",
        "swop exec alpha -- zz-swop-probe --flag notes-",
    ] {
        assert_eq!(
            complete(&sandbox, line),
            ["notes-one.txt", "notes-two.txt"],
            "{shell:?}: {line:?}"
        );
    }
    assert_eq!(
        complete(&sandbox, "swop add x --tool cod"),
        ["codex"],
        "{shell:?}"
    );
    assert_eq!(
        complete(&sandbox, "swop add x --tool zz-"),
        ["zz-recorded"],
        "{shell:?}"
    );
    let tools = complete(&sandbox, "swop add x --tool ");
    for tool in ["aws", "codex", "gh", "zz-recorded"] {
        assert!(
            tools.iter().any(|t| t == tool),
            "{shell:?}: no {tool} in {tools:?}"
        );
    }
    assert_eq!(complete(&sandbox, "swop r"), ["recipes", "rm"], "{shell:?}");
    assert_eq!(complete(&sandbox, "swop rem"), ["remove"], "{shell:?}");
}

#[test]
fn bash_completes_commands_tools_and_rm() {
    completes_commands_tools_and_rm(Shell::Bash, bash_complete);
}

#[test]
fn zsh_completes_commands_tools_and_rm() {
    completes_commands_tools_and_rm(Shell::Zsh, zsh_complete);
}

#[test]
fn fish_completes_commands_tools_and_rm() {
    completes_commands_tools_and_rm(Shell::Fish, fish_complete);
}
