//! The parsers against what real Macs printed: every line of every capture in
//! tests/fixtures/macos/corpus (provenance in its README.md) is parsed on its
//! own and its outcome compared with the `.expected` file beside it, one row
//! per event: call, operation, path, result, process name, pid, and whether
//! the path was cut or relative. Lines that give no event say why: `skip` (a
//! call without a path), `unknown`, or `narrow` (fs_usage without `-w`).

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use swop::trace::{Printed, TraceEvent, eslogger, fs_usage};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/macos/corpus")
}

/// One event as a row of the `.expected` files.
fn row(event: &TraceEvent, printed: Printed) -> String {
    let flag = if printed.is_cut() {
        "truncated"
    } else if event.path.is_relative() {
        "relative"
    } else {
        "-"
    };
    let result = match &event.result {
        Ok(n) => format!("ok {n}"),
        Err(e) => format!("err {e}"),
    };
    format!(
        "event\t{}\t{}\t{}\t{result}\t{}\t{}\t{flag}",
        event.syscall,
        event.op.as_str(),
        event.path.display(),
        event.comm.as_deref().unwrap_or("-"),
        event.pid,
    )
}

/// What one line of a capture gives.
fn outcome(eslogger_format: bool, line: &[u8]) -> Vec<String> {
    let mut rows = Vec::new();
    let mut sink = |event: TraceEvent, printed: Printed| rows.push(row(&event, printed));
    let (stats, narrow) = if eslogger_format {
        let stats = eslogger::read(Cursor::new(line), None, &mut sink).expect("read");
        (stats, 0)
    } else {
        let summary = fs_usage::read(Cursor::new(line), &mut sink).expect("read");
        (summary.stats, summary.narrow)
    };
    if rows.is_empty() {
        rows.push(
            if narrow > 0 {
                "narrow"
            } else if stats.unknown > 0 {
                "unknown"
            } else {
                "skip"
            }
            .to_string(),
        );
    }
    rows
}

#[test]
fn every_line_of_every_real_capture_parses_as_expected() {
    let mut captures: Vec<PathBuf> = fs::read_dir(corpus())
        .expect("the corpus folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "log" || e == "jsonl"))
        .collect();
    captures.sort();
    assert!(captures.len() >= 6, "{captures:?}");
    let mut lines_checked = 0;
    for capture in captures {
        let text = fs::read(&capture).expect("capture");
        let is_eslogger = capture.extension().is_some_and(|e| e == "jsonl");
        let mut got = Vec::new();
        for (n, line) in text.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            lines_checked += 1;
            for row in outcome(is_eslogger, line) {
                got.push(format!("{}\t{row}", n + 1));
            }
        }
        let expected_path = capture.with_extension("expected");
        let expected = fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let expected: Vec<&str> = expected.lines().filter(|l| !l.starts_with('#')).collect();
        let got_lines: Vec<&str> = got.iter().map(String::as_str).collect();
        assert_eq!(
            got_lines,
            expected,
            "{}: outcomes differ; got:\n{}",
            capture.display(),
            got.join("\n")
        );
    }
    assert!(lines_checked > 80, "{lines_checked} lines");
}

/// Every capture is described in the provenance file.
#[test]
fn every_capture_has_its_provenance() {
    let readme = fs::read_to_string(corpus().join("README.md")).expect("README.md");
    for entry in fs::read_dir(corpus()).expect("corpus").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".log") || name.ends_with(".jsonl") {
            assert!(
                readme.contains(&format!("`{name}`")),
                "{name} is not in the corpus README"
            );
        }
    }
}

/// The eslogger message of macOS 26 (version 10, audit tokens as arrays): a
/// fork by the process being followed takes the child into its tree.
#[test]
fn a_macos_26_fork_takes_its_child_into_the_tree() {
    let text = fs::read_to_string(corpus().join("eslogger_mullvad.jsonl")).expect("capture");
    let fork = text
        .lines()
        .find(|l| l.contains("\"version\":10"))
        .expect("the version 10 line");
    // What the child (pid 21497, element 5 of child.audit_token) does next:
    // an event written for this test in the same shape.
    let next = r#"{"version":10,"event":{"open":{"fflag":1,"file":{"path":"\/Users\/mullvad\/x","path_truncated":false}}},"process":{"audit_token":[501,501,20,501,20,21497,100013,38282],"ppid":19745,"executable":{"path":"\/Applications\/Mullvad VPN.app\/Contents\/MacOS\/Mullvad VPN"}}}"#;
    let other = r#"{"version":10,"event":{"open":{"fflag":1,"file":{"path":"\/Users\/mullvad\/y"}}},"process":{"audit_token":[501,501,20,501,20,30000,100013,1],"ppid":1,"executable":{"path":"\/bin\/zsh"}}}"#;
    let input = format!("{fork}\n{next}\n{other}\n");
    let mut paths = Vec::new();
    let stats = eslogger::parse(Cursor::new(input.as_bytes()), Some(19745), &mut |e| {
        paths.push((e.pid, e.path))
    })
    .expect("parse");
    assert_eq!(stats.unknown, 0);
    assert_eq!(paths, [(21497, PathBuf::from("/Users/mullvad/x"))]);
}
