//! Turning a discovery into findings: what the report and the JSON say.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::classify::{self, Class, ClassifiedPath};
use super::macos;
use super::method::{Discovery, Step};
use super::redact;
use super::report::{CandidateView, Findings, Requirement, RunView, StepView, TestedOn};
use super::system;
use crate::recipe;
use crate::util;

pub fn findings_from(
    d: &Discovery,
    steps: &[Step],
    tool: Option<String>,
    tool_version: Option<String>,
    record: Option<&str>,
) -> Findings {
    let proof = d.verification.or(d.runs.len().checked_sub(1));
    let mut step_views = Vec::new();
    let mut all = Vec::new();
    if let Some(run) = proof.map(|i| &d.runs[i]) {
        for (i, (exit, _)) in run.steps.iter().enumerate() {
            let paths = d.classified(run, i);
            all.extend(paths.iter().cloned());
            step_views.push(StepView {
                command: steps[i].shown.clone(),
                exit: Some(exit.to_string()),
                paths,
            });
        }
    }
    let paths = classify::merge_by_path(all);

    let required = d
        .minimal
        .iter()
        .map(|var| {
            let without = d
                .runs
                .iter()
                .rev()
                .find(|r| r.label == format!("without-{var}"));
            let reason = match without {
                Some(run) if !run.leaks.is_empty() => {
                    format!(
                        "without it the accounts meet: {}",
                        run.leaks
                            .iter()
                            .take(4)
                            .map(|l| format!("`{l}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ) + if run.leaks.len() > 4 { ", ..." } else { "" }
                }
                Some(run) if !run.changed_exits.is_empty() => {
                    format!(
                        "without it the tool behaves differently: {}",
                        run.changed_exits.join("; ")
                    )
                }
                _ => "the tool keeps its state there".to_string(),
            };
            Requirement {
                var: var.clone(),
                reason,
            }
        })
        .collect();

    let candidates = d
        .candidates
        .all()
        .iter()
        .map(|c| CandidateView {
            var: c.var.clone(),
            source: c.source.clone(),
            used: d.used.contains(&c.var),
            required: d.minimal.contains(&c.var),
        })
        .collect();
    let explore_count = d.runs.iter().filter(|r| r.label == "explore").count();
    let runs = d
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| RunView {
            label: r.label.clone(),
            bound: r.bound.iter().cloned().collect(),
            passed: (i >= explore_count).then(|| r.passed()),
            leaks: r.leaks.iter().chain(&r.changed_exits).cloned().collect(),
            exits: r.steps.iter().map(|(e, _)| e.to_string()).collect(),
        })
        .collect();

    let mut limitations = Vec::new();
    limitations.extend(global_writes(&paths));
    let shared_inputs = paths
        .iter()
        .filter(|p| p.class == Class::SharedInput)
        .count();
    if shared_inputs > 0 {
        limitations.push(format!(
            "{shared_inputs} path(s) are read from the shared home or folders every account shares (e.g. global config); they are inputs, not state, and stay shared"
        ));
    }
    if proof.is_some_and(|i| !d.runs[i].leaks.is_empty()) {
        limitations.push("Even the final set leaks; see the runs table.".into());
    }
    if d.verification.is_none() {
        limitations.push("No run with the final set passed: the result is not verified.".into());
    } else if !d.concurrency.passed {
        limitations.push(format!(
            "The two-account run changed shared folders: {}",
            d.concurrency.shared_changed.join(", ")
        ));
    }
    let explore_exits: Vec<String> = d
        .runs
        .iter()
        .rfind(|r| r.label == "explore")
        .map(|r| r.steps.iter().map(|(e, _)| e.to_string()).collect())
        .unwrap_or_default();
    if d.concurrency.ran
        && (d.concurrency.a_exits != explore_exits || d.concurrency.b_exits != explore_exits)
    {
        limitations.push(format!(
            "In the concurrent run (no terminal, stdin closed) the steps ended differently ({}; traced: {}): interactive steps cannot run twice at once unattended",
            d.concurrency.a_exits.join(", "),
            explore_exits.join(", ")
        ));
    }
    let unknown: u64 = d
        .runs
        .iter()
        .flat_map(|r| &r.steps)
        .map(|(_, o)| o.stats.unknown)
        .sum();
    limitations.extend(tracing_limitations(
        d.tracer.contains("fs_usage"),
        macos::host_is_macos(),
        unknown,
        tool.as_deref(),
    ));

    let mut runbook = vec![redacted_invocation()];
    let profile_cmd = match record {
        Some(tool) if d.verified() => format!("--tool {tool}"),
        _ => d
            .minimal
            .iter()
            .map(|v| format!("--bind {v}"))
            .collect::<Vec<_>>()
            .join(" "),
    };
    if !d.minimal.is_empty() {
        runbook.push(format!("swop add work {profile_cmd}"));
        runbook.push(format!("swop add personal {profile_cmd}"));
        if let Some(first) = steps.first() {
            runbook.push(format!("swop exec work -- {}", first.shown));
            runbook.push(format!("swop exec personal -- {}", first.shown));
        }
    }
    let trace_lines = d
        .runs
        .iter()
        .flat_map(|r| &r.steps)
        .map(|(_, o)| o.stats.lines)
        .sum();

    Findings {
        tool,
        tool_version,
        os: if macos::host_is_macos() {
            "macos".into()
        } else {
            "linux".into()
        },
        tested_on: tested_on(&d.tracer),
        commands: steps.iter().map(|s| s.shown.clone()).collect(),
        minimal_env: d.minimal.clone(),
        unset: d.unset.clone(),
        verified: d.verified(),
        required,
        candidates,
        runs,
        steps: step_views,
        paths,
        concurrency: d.concurrency.clone(),
        limitations,
        runbook,
        trace_lines,
        unknown_lines: unknown,
    }
}

/// The Limitation every report has when the tool wrote outside the candidates.
pub fn global_writes(paths: &[ClassifiedPath]) -> Option<String> {
    let global: Vec<String> = paths
        .iter()
        .filter(|p| p.class == Class::Global)
        .map(|p| format!("`{}`", p.path))
        .collect();
    (!global.is_empty()).then(|| {
        format!(
            "Writes outside every candidate folder, shared by all accounts: {}",
            global.join(", ")
        )
    })
}

/// What the trace could not show: the tracer's blind spots, lines it could not
/// read, and what the catalog knows about the tool.
pub fn tracing_limitations(
    by_name: bool,
    macos: bool,
    unknown_lines: u64,
    tool: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    if by_name {
        out.push(
            "fs_usage matches processes by name: other processes with the same name are included."
                .to_string(),
        );
    }
    if let Some(known) = tool.and_then(recipe::known) {
        out.extend(known.notes.iter().map(|n| n.to_string()));
    }
    out.push(if macos {
        "File tracing sees the file system only: Keychain items, XPC services and server-side sessions are not covered.".to_string()
    } else {
        "File tracing sees the file system only: keyrings, D-Bus secret services and server-side sessions are not covered.".to_string()
    });
    if unknown_lines > 0 {
        out.push(format!(
            "{unknown_lines} trace line(s) could not be parsed and were skipped."
        ));
    }
    out
}

pub fn tested_on(tracer: &str) -> TestedOn {
    let on_macos = macos::host_is_macos();
    TestedOn {
        os_release: if on_macos {
            macos::os_release()
        } else {
            system::os_release()
        },
        uname: system::uname(),
        wsl: !on_macos && system::is_wsl(),
        tracer: tracer.to_string(),
    }
}

/// The `swop discover ...` command line as typed, redacted.
pub fn redacted_invocation() -> String {
    let words: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let mut out = String::from("swop");
    for w in redact::redact_command(&words) {
        out.push(' ');
        out.push_str(&crate::shell::posix_join([std::ffi::OsStr::new(&w)]));
    }
    out
}

/// The tool a discovery is about: the recorded name, else a catalogued program
/// the steps ran, else the first program that is not a shell.
pub fn tool_name(record: Option<&str>, steps: &[Step], d: &Discovery) -> Option<String> {
    if let Some(tool) = record {
        return Some(tool.to_string());
    }
    let execs = d
        .runs
        .iter()
        .flat_map(|r| &r.steps)
        .flat_map(|(_, o)| o.execs.iter())
        .map(|p| p.to_string_lossy().into_owned());
    let firsts = steps
        .iter()
        .filter_map(|s| s.argv.first())
        .map(|w| w.to_string_lossy().into_owned());
    let all: Vec<String> = firsts.chain(execs).collect();
    if let Some(k) = all.iter().find_map(|p| recipe::known(p)) {
        return Some(k.tool.to_string());
    }
    steps
        .first()
        .and_then(|s| s.argv.first())
        .map(|w| {
            Path::new(w)
                .file_name()
                .unwrap_or(w.as_ref())
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| !matches!(n.as_str(), "sh" | "bash" | "dash" | "zsh" | "env"))
}

/// `TOOL --version`, run with every home-like variable in a throwaway folder so
/// that nothing is written to the real home.
pub fn tool_version(tool: &str, steps: &[Step]) -> Option<String> {
    let program = steps
        .iter()
        .filter_map(|s| s.argv.first())
        .find(|w| Path::new(w).file_name().is_some_and(|n| n == tool))
        .map(PathBuf::from)
        .or_else(|| which::which(tool).ok())?;
    let dir = std::env::temp_dir().join(format!("swop-version-{}", std::process::id()));
    util::create_private_dir(&dir).ok()?;
    let mut cmd = std::process::Command::new(&program);
    cmd.arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut vars: Vec<&str> = vec![
        "HOME",
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
    ];
    if let Some(k) = recipe::known(tool) {
        vars.extend(k.candidates);
    }
    for v in vars {
        cmd.env(v, &dir);
    }
    let out = run_with_timeout(cmd, std::time::Duration::from_secs(15));
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out?)
        .trim()
        .lines()
        .next()?
        .to_string();
    Some(redact::redact_text(&text))
}

fn run_with_timeout(mut cmd: std::process::Command, limit: std::time::Duration) -> Option<Vec<u8>> {
    let mut child = cmd.spawn().ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let start = std::time::Instant::now();
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    reader.join().ok()
}

pub fn today() -> String {
    // Days since the epoch to a civil date (Howard Hinnant's algorithm).
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
