//! `--trace-file` on captures others took: `strace -ff` per-process files
//! given as a prefix, a list or a folder, standard input, and what is said
//! when a capture cannot resolve a relative path.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Lab, OutputExt, require, strings};

/// A shell that changes folder, then starts a child that writes a relative
/// path: only the parent's `chdir` and `fork` say where the write went.
const SCRIPT: &str = r#"cd "$1"; sh -c 'echo x > rel-file; true'; true"#;

/// Run the script under strace with `opts`, in a folder of its own; the
/// capture's folder and the folder the script changes to.
fn capture(lab: &Lab, name: &str, opts: &[&str]) -> (PathBuf, PathBuf) {
    let dir = lab.swop.dir().join(name);
    let target = dir.join("target");
    fs::create_dir_all(&target).expect("mkdir");
    lab.swop
        .command("strace")
        .args(opts)
        .args(["-o"])
        .arg(dir.join("cap.strace"))
        .args(["sh", "-c", SCRIPT, "sh"])
        .arg(&target)
        .current_dir(&dir)
        .success();
    (dir, target)
}

fn analyse(lab: &Lab, files: &[&Path]) -> Value {
    let mut run = lab.swop.args(["discover", "--json"]);
    for file in files {
        run = run.arg("--trace-file").arg(file);
    }
    let out = run.success();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout_str()))
}

/// The paths of a finding that are not system files, as (path, class).
fn listed(f: &Value) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = f["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .map(|p| {
            (
                p["path"].as_str().expect("path").to_string(),
                p["class"].as_str().expect("class").to_string(),
            )
        })
        .collect();
    all.sort();
    all
}

fn ff_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("cap.strace."))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 2, "one file per process: {files:?}");
    files
}

#[test]
fn per_process_files_resolve_a_childs_relative_write() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let (ff, target) = capture(&lab, "ff", &["-ff", "-e", "trace=%file,%process"]);
    let written = target.join("rel-file").display().to_string();
    let files = ff_files(&ff);

    // The prefix, the files, the folder: one trace, the same findings.
    let folder = lab.swop.dir().join("ff-only");
    fs::create_dir(&folder).expect("mkdir");
    for file in &files {
        fs::copy(file, folder.join(file.file_name().expect("name"))).expect("copy");
    }
    let by_prefix = analyse(&lab, &[&ff.join("cap.strace")]);
    let file_refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let by_list = analyse(&lab, &file_refs);
    let by_folder = analyse(&lab, &[&folder]);
    let listed_prefix = listed(&by_prefix);
    assert!(
        listed_prefix.contains(&(written.clone(), "global".to_string())),
        "the child's write at its absolute path: {listed_prefix:?}"
    );
    assert_eq!(listed(&by_list), listed_prefix);
    assert_eq!(listed(&by_folder), listed_prefix);

    // The same command captured with -f into one file.
    let (f_dir, f_target) = capture(&lab, "f", &["-f", "-e", "trace=%file,%process"]);
    let single = analyse(&lab, &[&f_dir.join("cap.strace")]);
    let rename = |list: Vec<(String, String)>, from: &Path| -> Vec<(String, String)> {
        list.into_iter()
            .map(|(p, c)| (p.replace(&from.display().to_string(), "<target>"), c))
            .collect()
    };
    assert_eq!(
        rename(listed(&single), &f_target),
        rename(listed_prefix, &target)
    );
    assert_eq!(
        strings(&single["minimal_env"]),
        strings(&by_prefix["minimal_env"])
    );
}

#[test]
fn without_process_calls_a_relative_path_is_unresolved_and_says_how_to_capture() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let (ff, _) = capture(&lab, "ff", &["-ff", "-e", "trace=%file"]);
    let f = analyse(&lab, &[&ff.join("cap.strace")]);
    let entry = f["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .find(|p| p["path"] == "rel-file")
        .unwrap_or_else(|| panic!("rel-file as printed: {:#}", f["paths"]));
    assert_eq!(entry["relative"], true, "{entry}");
    let limitations = f["limitations"].to_string();
    assert!(
        limitations.contains("trace=%file,%process,fchdir"),
        "{limitations}"
    );
    assert!(
        !f["paths"]
            .to_string()
            .contains(&lab.swop.work().display().to_string())
    );
}

#[test]
fn a_trace_on_standard_input_is_read_whole() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let (dir, target) = capture(&lab, "f", &["-f", "-e", "trace=%file,%process"]);
    let mut text = fs::read_to_string(dir.join("cap.strace")).expect("read");
    // More than the 64 KiB read to tell the format, the write at the end.
    let filler =
        "99999 access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)\n";
    text = filler.repeat(70 * 1024 / filler.len() + 1) + &text;
    let out = lab
        .swop
        .args(["discover", "--json", "--trace-file", "-"])
        .stdin(text)
        .success();
    let f: Value = serde_json::from_slice(&out.stdout).expect("json");
    let written = target.join("rel-file").display().to_string();
    assert!(
        listed(&f).contains(&(written, "global".to_string())),
        "{:#}",
        f["paths"]
    );
}

#[test]
fn files_of_different_formats_are_refused() {
    let lab = Lab::new();
    let strace = lab.swop.dir().join("a.strace");
    fs::write(&strace, "123 openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n").expect("write");
    let eslogger = lab.swop.dir().join("b.jsonl");
    fs::write(
        &eslogger,
        r#"{"event_type":10,"version":7,"process":{"audit_token":{"pid":5},"ppid":1,"executable":{"path":"/bin/x"}},"event":{"open":{"file":{"path":"/y"},"fflag":1}}}"#,
    )
    .expect("write");
    let out = lab
        .swop
        .args(["discover", "--json", "--trace-file"])
        .arg(&strace)
        .arg("--trace-file")
        .arg(&eslogger)
        .failure(1);
    assert!(
        out.stderr_str().contains("different formats"),
        "{}",
        out.stderr_str()
    );
}

#[test]
fn print_capture_and_a_machine_without_strace_give_the_capture_command() {
    let lab = Lab::new();
    let out = lab
        .swop
        .args(["discover", "--print-capture", "--", "mytool", "login"])
        .success();
    assert_eq!(
        out.stdout_str(),
        "strace -f -y -e trace=%file,%process,fchdir,connect -o tool.strace -- mytool login\n"
    );
    let out = lab
        .swop
        .args(["discover", "--", "true"])
        .env("PATH", &lab.tools)
        .failure(1);
    assert!(
        out.stderr_str().contains("-e trace=%file,%process,fchdir"),
        "{}",
        out.stderr_str()
    );
}
