//! `swop discover` in the user's own world: the real home with its legacy
//! folders in view, variables already exported to places outside the home,
//! tools that write absolute paths, throwaway temp files, links. Every run
//! sees the real files through a copy-on-write view; none of them changes.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{assert_verified, class_of};
use crate::common::{Lab, require, strings};

/// The kinds of the reasons a result is not verified.
fn problem_kinds(f: &Value) -> Vec<String> {
    f["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["kind"].as_str().expect("kind").to_string())
        .collect()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_legacy_folder_in_the_real_home_is_seen_and_moved() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let home = lab.swop.user_home();
    // Like kaggle and httpie: ~/.legtool when it exists, else the XDG folder.
    fs::create_dir_all(home.join(".legtool")).expect("mkdir");
    fs::write(home.join(".legtool/config.json"), "{\"token\": \"REAL\"}").expect("write");
    let body = r#"if [ -n "${LEGTOOL_CONFIG_DIR-}" ]; then d="$LEGTOOL_CONFIG_DIR"
elif [ -d "$HOME/.legtool" ]; then d="$HOME/.legtool"
else d="${XDG_CONFIG_HOME:-$HOME/.config}/legtool"; fi
mkdir -p "$d"; echo "{\"token\": \"$1\"}" > "$d/config.json""#;
    // Without a variable of its own, only HOME moves the legacy folder. An
    // empty stand-in home would have proved XDG_CONFIG_HOME, which in this
    // home leaves both accounts on ~/.legtool/config.json.
    lab.tool(
        "legtool",
        &body.replace("LEGTOOL_CONFIG_DIR", "UNSET_IN_THIS_TEST"),
    );
    let (f, _) = lab.discover(&["--", "legtool", "new"]);
    assert_verified(&f, &["HOME"]);
    assert_eq!(f["world"], "copy-on-write");
    let reason = f["required"][0]["reason"].to_string();
    assert!(reason.contains("$HOME/.legtool/config.json"), "{reason}");

    // The tool's own variable, found in its strings, keeps HOME real.
    lab.tool("legtool", body);
    let (f, _) = lab.discover(&["--", "legtool", "new"]);
    assert_verified(&f, &["LEGTOOL_CONFIG_DIR"]);
    assert_eq!(
        fs::read_to_string(home.join(".legtool/config.json")).expect("read"),
        "{\"token\": \"REAL\"}"
    );
}

#[test]
fn the_stand_in_world_says_so_and_names_the_legacy_folder_risk() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.tool(
        "xdgonly",
        r#"d="${XDG_CONFIG_HOME:-$HOME/.config}/xdgonly"; mkdir -p "$d"; echo t > "$d/token""#,
    );
    let run = lab
        .discover_cmd(&["--", "xdgonly"])
        .env("SWOP_DISCOVER_WORLD", "stand-in");
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["XDG_CONFIG_HOME"]);
    assert_eq!(f["world"], "stand-in");
    let limitations = f["limitations"].to_string();
    assert!(limitations.contains("empty stand-ins"), "{limitations}");
    assert!(limitations.contains("~/.kaggle"), "{limitations}");
}

#[test]
fn an_exported_variable_naming_a_file_outside_the_home_is_a_candidate() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    // Like DATABRICKS_CONFIG_FILE or POETRY_CONFIG_DIR exported to a shared
    // folder: followed as it is, both accounts rewrite the user's token.
    let outside = lab.swop.dir().join("srv");
    fs::create_dir_all(&outside).expect("mkdir");
    let real = outside.join("dbtool.cfg");
    fs::write(&real, "token=REAL\n").expect("write");
    lab.tool(
        "dbtool",
        r#"f="${DBTOOL_CONFIG_FILE:-$HOME/.dbtool.cfg}"; echo "token=$1" > "$f""#,
    );
    let run = lab
        .discover_cmd(&["--", "dbtool", "new"])
        .env("DBTOOL_CONFIG_FILE", &real);
    let (f, _) = lab.discover_with(run);
    assert_verified(&f, &["DBTOOL_CONFIG_FILE"]);
    let candidate = f["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .find(|c| c["var"] == "DBTOOL_CONFIG_FILE")
        .expect("a candidate")
        .clone();
    assert_eq!(candidate["source"], "inherited", "{candidate}");
    assert_eq!(fs::read_to_string(&real).expect("read"), "token=REAL\n");
}

#[test]
fn state_written_to_an_absolute_path_is_not_isolated_and_never_lands() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let tag = format!("swop-world-{}", std::process::id());
    // Like yarn as root writing /usr/local/share/.yarnrc: a fixed place no
    // variable moves. A root run writes a system folder; others a folder of
    // the lab's.
    let target = if is_root() {
        PathBuf::from("/usr/local/share").join(format!(".{tag}rc"))
    } else {
        lab.swop.dir().join(format!(".{tag}rc"))
    };
    lab.tool(
        "abstool",
        &format!(
            r#"d="${{XDG_STATE_HOME:-$HOME/.local/state}}/abstool"; mkdir -p "$d"; echo s > "$d/state"
echo "registry=$1" > '{}'"#,
            target.display()
        ),
    );
    let (f, _) = lab.discover(&["--", "abstool", "x"]);
    assert_eq!(f["verified"], false, "{:#}", f["limitations"]);
    assert_eq!(problem_kinds(&f), ["shared-write"]);
    let shown = target.display().to_string();
    assert!(
        strings(&f["problems"][0]["paths"]).contains(&shown),
        "{:#}",
        f["problems"]
    );
    assert!(!target.exists(), "the write reached {shown}");
}

#[test]
fn a_write_only_the_first_run_would_make_is_reported() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    // An absolute path no variable moves (the real home's, not $HOME).
    let marker = lab.swop.user_home().join(".installed-once");
    // Written only when missing: in the real world the first run leaves it
    // behind and every later run only reads it.
    lab.tool(
        "oncewriter",
        &format!(
            r#"d="${{XDG_DATA_HOME:-$HOME/.local/share}}/oncewriter"; mkdir -p "$d"; echo k > "$d/key"
[ -e '{m}' ] || echo 1 > '{m}'"#,
            m = marker.display()
        ),
    );
    let (f, _) = lab.discover(&["--", "oncewriter"]);
    assert_eq!(f["verified"], false, "{:#}", f["limitations"]);
    assert_eq!(problem_kinds(&f), ["shared-write"]);
    assert!(!marker.exists(), "the first run's write was left behind");
}

#[test]
fn throwaway_temp_files_do_not_make_tmpdir_required() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    // A mktemp file made and removed, and one left behind under a random
    // name, as poetry, dvc and yarn do.
    lab.tool(
        "temptool",
        r#"t=$(mktemp); echo x > "$t"; rm "$t"
k=$(mktemp "${TMPDIR:-/tmp}/temptool-XXXXXXXX"); echo y > "$k"
d="${XDG_CONFIG_HOME:-$HOME/.config}/temptool"; mkdir -p "$d"; echo t > "$d/token""#,
    );
    let (f, _) = lab.discover(&["--", "temptool"]);
    assert_verified(&f, &["XDG_CONFIG_HOME"]);

    // State that outlives the run under a chosen name is state.
    lab.tool(
        "cachetool",
        r#"echo t > "${TMPDIR:-/tmp}/cachetool-login.json""#,
    );
    let (f, _) = lab.discover(&["--", "cachetool"]);
    assert_verified(&f, &["TMPDIR"]);
}

#[test]
fn a_link_the_tool_makes_is_not_a_write_of_its_target() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    // Like codex's launcher: its own binary linked under its home.
    lab.tool(
        "linkself",
        r#"d="${LINKSELF_HOME:-$HOME/.linkself}"; mkdir -p "$d/tmp"; echo t > "$d/token"
ln -sf "$(command -v sh)" "$d/tmp/apply_patch""#,
    );
    let (f, _) = lab.discover(&["--", "linkself"]);
    assert_verified(&f, &["LINKSELF_HOME"]);
    let sh = fs::canonicalize(crate::common::which_program("sh")).expect("sh");
    let shown = sh.display().to_string();
    let class = f["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .find(|p| p["path"] == shown.as_str())
        .map(|p| p["class"].as_str().unwrap_or_default().to_string());
    assert!(
        !matches!(class.as_deref(), Some("global" | "leak")),
        "{shown} counted as written: {class:?}"
    );
    assert_eq!(class_of(&f, "$LINKSELF_HOME/tmp/apply_patch"), "isolated");
}

/// Every file under `dir` with its size and modification time, symbolic
/// links not followed; missing folders are empty.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, i64, i64)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path.clone());
            }
            out.insert(path, (meta.len(), meta.mtime(), meta.mtime_nsec()));
        }
    }
    out
}

#[test]
fn no_file_outside_the_scratch_folder_changes_whatever_the_tool_tries() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let home = lab.swop.user_home();
    fs::write(home.join("credentials"), "REAL").expect("write");
    let tag = format!("swop-escape-{}", std::process::id());
    let swop_pid = "$(ps -o ppid= -p $PPID | tr -d ' ')";
    // Every way out a tool could take: the system folders, the real home,
    // /tmp, the root of a process outside the view, and (as root) undoing
    // the view's mounts.
    lab.tool(
        "escaper",
        &format!(
            r#"d="${{XDG_STATE_HOME:-$HOME/.local/state}}/escaper"; mkdir -p "$d"; echo s > "$d/state"
for p in /etc/{tag} /usr/local/{tag} /tmp/{tag} '{home}/{tag}' '{home}/credentials'; do
  echo stolen > "$p" 2>/dev/null || true
done
for pid in 1 $PPID {swop_pid}; do
  (echo stolen > "/proc/$pid/root/tmp/{tag}-proc") 2>/dev/null || true
  (echo stolen > "/proc/$pid/root{home}/credentials") 2>/dev/null || true
done
umount -l /tmp 2>/dev/null || true
umount -l '{home}' 2>/dev/null || true
mount -o remount,rw / 2>/dev/null || true
(echo stolen > /tmp/{tag}-after-umount) 2>/dev/null || true
true"#,
            home = home.display(),
        ),
    );
    let etc = snapshot(Path::new("/etc"));
    let local = snapshot(Path::new("/usr/local"));
    let (f, _) = lab.discover(&["--", "escaper"]);
    assert_eq!(f["verified"], false, "the writes are shared state");
    assert_eq!(snapshot(Path::new("/etc")), etc, "/etc changed");
    assert_eq!(
        snapshot(Path::new("/usr/local")),
        local,
        "/usr/local changed"
    );
    assert_eq!(
        fs::read_to_string(home.join("credentials")).expect("read"),
        "REAL"
    );
    for name in [
        tag.clone(),
        format!("{tag}-proc"),
        format!("{tag}-after-umount"),
    ] {
        assert!(
            !Path::new("/tmp").join(&name).exists(),
            "/tmp/{name} exists"
        );
    }
    assert!(!home.join(&tag).exists());
}

#[test]
fn a_mined_name_that_breaks_the_tool_is_dropped_alone() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    // BRK_PLUGIN_DIR names the tool's plugins: bound to an empty folder,
    // the tool fails. The state variable beside it must stay a candidate.
    lab.tool(
        "brktool",
        r#"if [ -n "${BRK_PLUGIN_DIR-}" ] && [ -z "$(ls -A "$BRK_PLUGIN_DIR")" ]; then
  echo "no plugins in $BRK_PLUGIN_DIR" >&2; exit 3
fi
d="${BRK_STATE_DIR:-$HOME/.brk}"; mkdir -p "$d"; echo t > "$d/token""#,
    );
    let (f, _) = lab.discover(&["--candidate", "BRK_STATE_DIR", "--", "brktool"]);
    assert_verified(&f, &["BRK_STATE_DIR"]);
    let limitations = f["limitations"].to_string();
    assert!(limitations.contains("BRK_PLUGIN_DIR"), "{limitations}");
}
