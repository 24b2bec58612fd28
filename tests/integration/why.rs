//! "Why am I on this profile?": `swop show` without a name says which
//! profile this shell is on and how it was chosen, and `swop doctor` says
//! whether the integration is loaded here and whether `config.toml` parses.

use std::fs;

use serde_json::Value;

use crate::common::*;

fn chosen(out: &std::process::Output) -> Value {
    let text = out.stdout_str();
    let start = text.find('{').unwrap_or_else(|| panic!("no JSON: {text}"));
    let view: Value = serde_json::from_str(&text[start..]).expect("show's JSON");
    view
}

#[test]
fn show_without_a_name_says_how_the_profile_was_chosen() {
    if !require("bash") {
        return;
    }
    let swop = Swop::new();
    swop.add("A", &[]);
    let exe = swop_exe();
    let exe = exe.to_str().expect("utf-8");

    // Not switched.
    let view = chosen(&swop.args(["show", "--json"]).success());
    assert_eq!(view["profile"], Value::Null, "{view}");

    // A command run by swop exec.
    let view = chosen(
        &swop
            .args(["exec", "A", "--", exe, "show", "--json"])
            .success(),
    );
    assert_eq!(
        (&view["profile"], &view["chosen_by"]["how"]),
        (&"A".into(), &"exec".into()),
        "{view}"
    );
    assert_eq!(view["details"]["name"], "A");

    // A shell started by swop shell.
    let view = chosen(
        &swop
            .args(["shell", "A"])
            .env("SHELL", which_program("bash"))
            .stdin(format!("'{exe}' show --json\n"))
            .success(),
    );
    assert_eq!(view["chosen_by"]["how"], "shell", "{view}");

    // swop use, a .swop the shell followed, and a switch typed by hand.
    let project = swop.work().join("project");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(project.join(".swop"), "A\n").expect("write");
    swop.args(["allow", project.to_str().expect("utf-8")])
        .success();
    let out = swop
        .shell(
            Shell::Bash,
            &format!(
                r#"eval "$(swop init bash)"
swop use A; swop show --json > use.json; swop off
cd '{}'; __swop_folder_hook; swop show --json > ../folder.json; cd ..; __swop_folder_hook
eval "$(swop env A)"; swop show --json > hand.json
"#,
                project.display()
            ),
        )
        .success();
    let read = |name: &str| -> Value {
        serde_json::from_slice(&fs::read(swop.work().join(name)).expect(name)).expect("json")
    };
    assert_eq!(read("use.json")["chosen_by"]["how"], "use", "{out:?}");
    let folder = read("folder.json");
    assert_eq!(folder["chosen_by"]["how"], "folder", "{folder}");
    assert!(
        folder["chosen_by"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("project/.swop")),
        "{folder}"
    );
    assert_eq!(
        read("hand.json")["chosen_by"]["how"],
        "by-hand-or-inherited"
    );
}

#[test]
fn doctor_says_whether_the_integration_is_loaded_and_the_configuration_parses() {
    if !require("bash") {
        return;
    }
    let swop = Swop::new();
    swop.add("A", &[]);
    let line = |text: &str, what: &str| -> String {
        text.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(what))
            .unwrap_or_else(|| panic!("no {what} line: {text}"))
            .to_string()
    };
    let direct = swop.args(["doctor"]).success().stdout_str();
    assert!(line(&direct, "integration").starts_with("--"), "{direct}");
    let through = swop
        .shell(
            Shell::Bash,
            "eval \"$(swop init bash)\"\nswop use A\nswop doctor",
        )
        .success()
        .stdout_str();
    assert!(line(&through, "integration").starts_with("ok"), "{through}");
    assert!(
        line(&through, "profile").contains("swop use A"),
        "{through}"
    );

    fs::write(
        swop.root().join("config.toml"),
        "wrap = []\nwrapp = [\"x\"]\n",
    )
    .expect("write");
    let out = swop.args(["doctor"]).success().stdout_str();
    let config = line(&out, "config");
    assert!(
        config.starts_with("--") && config.contains("line 2"),
        "{config}"
    );
}

#[test]
fn what_the_integration_tells_swop_stays_out_of_the_command() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let out = swop
        .args(["exec", "A", "--", "env"])
        .env("SWOP_INTEGRATION", "bash")
        .env("SWOP_CHOICE", "use")
        .env("SWOP_WRAPPED", "1")
        .success();
    let env = out.stdout_str();
    assert!(env.contains("SWOP_PROFILE=A"), "{env}");
    for marker in ["SWOP_INTEGRATION", "SWOP_CHOICE", "SWOP_WRAPPED"] {
        assert!(!env.contains(marker), "{marker} reached the command: {env}");
    }
}
