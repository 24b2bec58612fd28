//! Turning a discovery into findings: what the report and the JSON say.

use super::super::Tracer;
use super::super::candidates::Shape;
use super::super::classify::{self, Class, ClassifiedPath};
use super::super::markdown;
use super::super::method::Discovery;
use super::super::model::Step;
use super::super::privacy;
use super::super::trial::describe_end;
use super::{CandidateView, Findings, PathCounts, Requirement, RunView, StepView, TestedOn};
use crate::recipe;
use crate::redact;

pub fn findings_from(
    d: &Discovery,
    steps: &[Step],
    record: Option<&str>,
    all_paths: bool,
) -> Findings {
    let proof = d.verification.or(d.runs.len().checked_sub(1));
    let mut step_views = Vec::new();
    let mut all = Vec::new();
    let mut counts = PathCounts::default();
    if let Some(run) = proof.map(|i| &d.runs[i]) {
        for (i, result) in run.steps.iter().enumerate() {
            let classified = d.classified(run, i);
            let mut step_counts = PathCounts::default();
            for p in &classified {
                step_counts.add(p.class);
            }
            let paths: Vec<ClassifiedPath> = classified
                .into_iter()
                .filter(|p| all_paths || p.class != Class::System || p.truncated || p.relative)
                .collect();
            all.extend(paths.iter().cloned());
            step_views.push(StepView {
                command: steps[i].shown.clone(),
                exit: Some(describe_end(&result.ended)),
                paths,
                path_counts: step_counts,
            });
        }
        let every = run.steps.iter().flat_map(|s| s.obs.paths.iter());
        let classifier = d.classifier(run);
        let mut seen = std::collections::HashSet::new();
        for (path, info) in every {
            if seen.insert(path) {
                counts.add(classifier.class_of(path, info));
            }
        }
    }
    let paths = classify::merge_by_path(all);

    let required = d
        .minimal
        .iter()
        .map(|var| Requirement {
            var: var.clone(),
            reason: requirement_reason(d, var),
        })
        .collect();

    let candidates = d
        .candidates
        .all()
        .iter()
        .map(|c| CandidateView {
            var: c.var.clone(),
            source: c.source.clone(),
            file: c.shape == Shape::File,
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
            leaks: r
                .escapes
                .iter()
                .chain(&r.leaks)
                .chain(&r.changed_exits)
                .cloned()
                .collect(),
            exits: r.exits(),
        })
        .collect();

    let limitations = limitations(d, &paths);
    let mut runbook = vec![redacted_invocation()];
    let profile_cmd = match record {
        Some(tool) if d.verified() => format!("--tool {tool}"),
        _ => d
            .minimal
            .iter()
            .map(|v| match d.candidates.get(v).map(|c| c.shape) {
                Some(Shape::File) => format!("--bind-file {v}"),
                _ => format!("--bind {v}"),
            })
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
    let stats = d.runs.iter().flat_map(|r| &r.steps).map(|s| &s.obs.stats);
    let (trace_lines, unknown_lines) = stats.fold((0, 0), |(l, u), s| (l + s.lines, u + s.unknown));

    Findings {
        tool: d.tool.clone(),
        tool_version: d.tool_version.clone(),
        os: if crate::sys::machine::host_is_macos() {
            "macos".into()
        } else {
            "linux".into()
        },
        tested_on: tested_on(&d.tracer),
        world: Some(d.world),
        commands: steps.iter().map(|s| s.shown.clone()).collect(),
        programs: d.programs.clone(),
        minimal_env: d.minimal.clone(),
        files: d
            .minimal
            .iter()
            .filter(|v| d.candidates.get(v).is_some_and(|c| c.shape == Shape::File))
            .cloned()
            .collect(),
        unset: d.unset.clone(),
        verified: d.verified(),
        problems: d.problems.clone(),
        required,
        candidates,
        runs,
        steps: step_views,
        paths,
        path_counts: counts,
        concurrency: d.concurrency.clone(),
        clean_room: d.clean_room.clone(),
        stopped: d.stopped.clone(),
        limitations,
        runbook,
        trace_lines,
        unknown_lines,
    }
}

/// Why `var` is required: what went wrong in the run without it.
fn requirement_reason(d: &Discovery, var: &str) -> String {
    let label = format!("without-{var}");
    let Some(run) = d.runs.iter().rev().find(|r| r.label == label) else {
        return "the tool keeps its state there".to_string();
    };
    let quoted = |items: &[String]| {
        let mut text = items
            .iter()
            .take(4)
            .map(|l| markdown::code(l))
            .collect::<Vec<_>>()
            .join(", ");
        if items.len() > 4 {
            text.push_str(", ...");
        }
        text
    };
    if !run.escapes.is_empty() {
        format!(
            "without it the tool writes your own files: {}",
            quoted(&run.escapes)
        )
    } else if !run.leaks.is_empty() {
        format!("without it the accounts meet: {}", quoted(&run.leaks))
    } else if !run.changed_exits.is_empty() {
        format!(
            "without it the tool behaves differently (and the same steps end as before when it is bound): {}",
            run.changed_exits.join("; ")
        )
    } else {
        "the tool keeps its state there".to_string()
    }
}

/// Everything the report must say the result does not cover, reasons it is
/// not verified first.
fn limitations(d: &Discovery, paths: &[ClassifiedPath]) -> Vec<String> {
    let mut out: Vec<String> = d.problems.iter().map(|p| p.message()).collect();
    if d.problems.is_empty() && d.verification.is_some() && d.concurrency.ran {
        if !d.concurrency.shared_changed.is_empty() {
            out.push(format!(
                "The two-account run changed shared folders: {}",
                d.concurrency.shared_changed.join(", ")
            ));
        }
        for difference in &d.concurrency.differences {
            out.push(format!(
                "The two-account run (no terminal, stdin from /dev/null) ended otherwise: {difference}. \
                 A step that needs a person cannot be proved unattended: pipe its input instead."
            ));
        }
    }
    let shared_inputs = paths
        .iter()
        .filter(|p| p.class == Class::SharedInput)
        .count();
    if shared_inputs > 0 {
        out.push(format!(
            "{shared_inputs} path(s) are read from the shared home or folders every account shares (e.g. global config); they are inputs, not state, and stay shared"
        ));
    }
    if !d.stopped.is_empty() {
        out.push(format!(
            "Processes outlived their step and were stopped after a grace period: {}. \
             Such a daemon goes on using the account's folders after the command returns.",
            d.stopped.join("; ")
        ));
    }
    if !d.clean_room.removed.is_empty() {
        out.push(format!(
            // The names come first: text after "credentials:" reads as a secret to the redaction.
            "The runs did not inherit {} from your environment: each could redirect the tool's state or carry an account's secrets.",
            d.clean_room.removed.join(", ")
        ));
    }
    if let Some(why) = &d.why_stand_in {
        out.push(format!(
            "The runs saw empty stand-ins for your home and its folders, not your real files ({why}). \
             A tool that prefers a folder when it exists in your real home (kaggle's ~/.kaggle, httpie's ~/.httpie, \
             a ~/.gitconfig with a credential helper) may behave otherwise in real use than it did here."
        ));
    }
    if let Some(why) = &d.clean_room.unprotected {
        out.push(format!(
            "Your home was not read-only while the tool ran ({why}): a write there was reported, not prevented."
        ));
    }
    if !d.clean_room.pinned.is_empty() {
        out.push(format!(
            "Toolchain folders were kept where they are, so that the tool runs with HOME moved: {}.",
            d.clean_room.pinned.join(", ")
        ));
    }
    if !d.mined_dropped.is_empty() {
        out.push(format!(
            "Binding the names mined from the tool's strings made a step fail, so they were left out: {}.",
            d.mined_dropped.join(", ")
        ));
    }
    if d.mined_unused > 0 {
        out.push(format!(
            "{} other name(s) found in the tool's strings were bound in the exploration and never used.",
            d.mined_unused
        ));
    }
    let steps = || d.runs.iter().flat_map(|r| &r.steps);
    let renames: u64 = steps().map(|s| s.obs.renames_without_destination).sum();
    if renames > 0 {
        out.push(rename_limitation(renames));
    }
    let bus = super::super::keyring::SessionBus::from_env(|name| std::env::var_os(name));
    let keyrings = super::super::keyring::seen(steps().map(|s| &s.obs), &bus);
    out.extend(super::super::keyring::limitation(
        &keyrings,
        d.tool.as_deref(),
    ));
    let unknown: u64 = steps().map(|s| s.obs.stats.unknown).sum();
    out.extend(tracing_limitations(
        d.tracer_kind == Tracer::FsUsage,
        crate::sys::machine::host_is_macos(),
        unknown,
        d.tool.as_deref(),
    ));
    out
}

/// The Limitation every report has when the tool wrote outside the candidates.
pub fn global_writes(paths: &[ClassifiedPath]) -> Option<String> {
    let global: Vec<String> = paths
        .iter()
        .filter(|p| p.class == Class::Global)
        .map(|p| markdown::code(&p.path))
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
    let on_macos = crate::sys::machine::host_is_macos();
    TestedOn {
        os_release: crate::sys::machine::os_release(),
        uname: crate::sys::machine::uname(),
        wsl: !on_macos && crate::sys::machine::is_wsl(),
        tracer: tracer.to_string(),
    }
}

/// The `swop discover ...` command line as typed, redacted.
pub fn redacted_invocation() -> String {
    let words: Vec<String> = std::env::args_os()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let mut words = words;
    if let Some(first) = words.first_mut() {
        "swop".clone_into(first);
    }
    shown_command(&words)
}

/// A command line as a report shows it: redacted, the user's home as
/// `"$HOME"`, others' homes without their names, quoted to run as shown.
pub fn shown_command(words: &[String]) -> String {
    redact::redact_command(words)
        .iter()
        .map(|w| privacy::shown_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Today's date in UTC, `2026-12-06`.
pub fn today() -> String {
    let now = crate::usage::clock::rfc3339(crate::usage::clock::now());
    now[..10].to_string()
}

/// The Limitation of a trace whose tracer printed renames without their
/// destination (fs_usage).
pub fn rename_limitation(renames: u64) -> String {
    format!(
        "fs_usage prints only the source of a rename ({renames} in this trace), never its destination: the renamed-to files are missing unless snapshots of the folders before and after were compared (swop discover on the Mac does that for its scratch folders)."
    )
}
