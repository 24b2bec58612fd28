//! What `swop discover` writes: the report goes where `--report` says the way
//! a shell's `>` would (a device, a FIFO or a link stays what it is); a file
//! name from the traced tool cannot add headings or hide the rest of the
//! rendered page; and no report names the machine or the user.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use pulldown_cmark::{Options, Parser, html};

use super::Lab;
use crate::common::{OutputExt, require, wait_until};

/// The report rendered as a Markdown viewer would (GitHub's tables included).
fn render(markdown: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, Options::ENABLE_TABLES));
    out
}

/// File names a hostile tool (or repository) can give its files.
const HOSTILE_NAMES: [&str; 5] = [
    "x\n## Limitations\n\nNone found.\n<!--",
    "a|b|c",
    "back`tick``s",
    "[click](evil.invalid)",
    "end -->",
];

#[test]
fn file_names_cannot_add_headings_links_or_hide_the_rest_of_a_report() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let mut body = String::from(r#"d="${XDG_CONFIG_HOME:-$HOME/.config}/hostile"; mkdir -p "$d""#);
    for (i, name) in HOSTILE_NAMES.iter().enumerate() {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\'', "'\\''");
        body.push_str(&format!("\nprintf '%s' {i} > \"$d/$(printf '{escaped}')\""));
    }
    lab.tool("hostile", &body);
    let report = lab.swop.dir().join("report.md");
    let out = lab
        .swop(&[
            "discover",
            "--json",
            "--report",
            report.to_str().expect("utf-8"),
            "--",
            "hostile",
        ])
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let paths = json["paths"].to_string();
    assert!(
        paths.contains("## Limitations"),
        "the names reach the JSON as they are: {paths}"
    );

    let markdown = fs::read_to_string(&report).expect("report");
    let page = render(&markdown);
    let headings: Vec<&str> = page
        .match_indices("<h2>")
        .map(|(at, _)| &page[at + 4..at + 4 + page[at + 4..].find("</h2>").unwrap_or(0)])
        .collect();
    assert_eq!(
        headings,
        [
            "Tested on",
            "Runbook",
            "Findings",
            "Required env vars",
            "Concurrency",
            "Limitations"
        ],
        "{page}"
    );
    assert!(
        !page.contains("<!--"),
        "a comment hides part of the page:\n{page}"
    );
    assert!(
        !page.contains("<a href"),
        "a file name made a link:\n{page}"
    );
    assert!(!page.contains("<p>None found.</p>"), "{markdown}");
    // The end of the page is still there, rendered.
    let limitations = &page[page.find("<h2>Limitations</h2>").expect("limitations")..];
    assert!(
        limitations.contains("File tracing sees the file system only"),
        "{page}"
    );
    // Each name is shown once per mention, whole, inside code.
    for name in HOSTILE_NAMES {
        let shown = name
            .replace('\n', "\\n")
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            page.contains(&shown),
            "{name:?} not shown as {shown:?}:\n{page}"
        );
    }
    // Tables keep their three columns.
    for row in markdown
        .lines()
        .filter(|l| l.starts_with("| `") || l.starts_with("| ``"))
    {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 4, "{row}");
    }
}

/// A trace taken by hand of a tool that writes its state under `$HOME`.
fn hand_trace(lab: &Lab, home: &Path, at: &Path) {
    fs::create_dir_all(home).expect("mkdir home");
    fs::create_dir_all(at.parent().expect("parent")).expect("mkdir");
    lab.swop
        .command("strace")
        .args(["-f", "-o"])
        .arg(at)
        .args([
            "sh",
            "-c",
            "mkdir -p \"$HOME/.codex\" && echo k > \"$HOME/.codex/auth.json\"",
        ])
        .env("HOME", home)
        .success();
}

#[test]
fn the_report_is_written_in_place_like_a_redirection() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let dir = lab.swop.dir().to_path_buf();
    let trace = dir.join("t.strace");
    hand_trace(&lab, &lab.swop.user_home(), &trace);
    let discover = |target: &Path| {
        lab.swop(&[
            "discover",
            "--trace-file",
            trace.to_str().expect("utf-8"),
            "--report",
        ])
        .arg(target)
        .success()
    };
    let is_report = |text: &str| text.starts_with("# Isolating") && text.contains("## Limitations");

    // A new file, and a regular file of ours: replaced whole, private.
    let new = dir.join("new.md");
    discover(&new);
    assert_eq!(
        fs::metadata(&new).expect("stat").permissions().mode() & 0o777,
        0o600
    );
    fs::write(&new, "old").expect("write");
    discover(&new);
    assert!(is_report(&fs::read_to_string(&new).expect("read")));

    // A link: it stays a link, and its target gets the report.
    let target = dir.join("target.md");
    fs::write(&target, "old").expect("write");
    let link = dir.join("link.md");
    symlink(&target, &link).expect("link");
    discover(&link);
    assert!(
        fs::symlink_metadata(&link)
            .expect("stat")
            .file_type()
            .is_symlink()
    );
    assert!(is_report(&fs::read_to_string(&target).expect("read")));

    // A second name of a file: both names see the report.
    let other = dir.join("other-name.md");
    fs::hard_link(&target, &other).expect("hard link");
    fs::write(&target, "old").expect("write");
    discover(&other);
    assert_eq!(fs::metadata(&target).expect("stat").nlink(), 2);
    assert!(is_report(&fs::read_to_string(&target).expect("read")));

    // A FIFO: a reader gets the report, and it stays a FIFO.
    let fifo = dir.join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let got = dir.join("from-fifo.md");
    let mut reader = lab
        .swop
        .command("sh")
        .args(["-c", "cat fifo > from-fifo.md"])
        .current_dir(&dir)
        .spawn();
    discover(&fifo);
    assert!(
        wait_until(Duration::from_secs(10), || reader
            .try_wait()
            .is_ok_and(|s| s.is_some())),
        "the reader of the FIFO got nothing"
    );
    assert!(
        fs::symlink_metadata(&fifo)
            .expect("stat")
            .file_type()
            .is_fifo()
    );
    assert!(is_report(&fs::read_to_string(&got).expect("read")));

    // A character device (a null device of our own, as root): it stays one.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        crate::common::skip("making a device node needs root");
        return;
    }
    let null = dir.join("null");
    assert!(
        Command::new("mknod")
            .arg(&null)
            .args(["c", "1", "3"])
            .status()
            .expect("mknod")
            .success()
    );
    discover(&null);
    assert!(
        fs::symlink_metadata(&null)
            .expect("stat")
            .file_type()
            .is_char_device()
    );
}

#[test]
fn reports_name_neither_the_machine_nor_the_user() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.record_tool();
    let out = lab.swop(&["discover", "--json", "--", "rtool"]).success();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    let uname = json["tested_on"]["uname"]
        .as_str()
        .expect("uname")
        .to_string();
    assert!(
        !host.is_empty() && !uname.split_whitespace().any(|word| word == host),
        "the host name {host:?} is in {uname:?}"
    );
    // What "Tested on" needs stays: the kernel and its release, the OS, the tracer.
    let release = lab.swop.command("uname").arg("-r").success().stdout_str();
    assert!(
        uname.contains(release.trim()) && uname.starts_with("Linux"),
        "{uname}"
    );
    assert!(json["tested_on"]["os_release"].is_string(), "{json:#}");
    assert!(
        json["tested_on"]["tracer"]
            .as_str()
            .is_some_and(|t| t.contains("strace"))
    );

    // A trace taken elsewhere and kept under a home folder, named absolutely
    // (under the user's own home) or relatively (under someone else's).
    let alice = lab.swop.dir().join("home/alice");
    let absolute = alice.join("Downloads/t.strace");
    hand_trace(&lab, &alice, &absolute);
    let relative = PathBuf::from("home/bob/t.strace");
    hand_trace(&lab, &alice, &lab.swop.dir().join(&relative));
    for (trace, home) in [(absolute.clone(), alice.clone()), (relative, alice)] {
        let report = lab.swop.dir().join("r.md");
        let out = lab
            .swop(&[
                "discover",
                "--json",
                "--trace-file",
                trace.to_str().expect("utf-8"),
                "--report",
            ])
            .arg(&report)
            .env("HOME", &home)
            .current_dir(lab.swop.dir())
            .success();
        let markdown = fs::read_to_string(&report).expect("report");
        for text in [out.stdout_str(), markdown.clone()] {
            for name in ["alice", "bob"] {
                assert!(!text.contains(name), "{trace:?}: {name:?} in:\n{text}");
            }
        }
        if trace == absolute {
            assert!(
                markdown.contains("\"$HOME\"/Downloads/t.strace"),
                "{markdown}"
            );
        }
    }
}
