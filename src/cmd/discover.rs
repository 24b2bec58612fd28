use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::Run;
use crate::cli::{DiscoverArgs, Os, Tracer};
use crate::discover::classify::{self, Class, Classifier, StatePaths};
use crate::discover::macos::{self, MacTracer};
use crate::discover::method::{self, Concurrency, Discovery, Options, Step, progress};
use crate::discover::redact;
use crate::discover::report::{CandidateView, Findings, Requirement, RunView, StepView, TestedOn};
use crate::discover::system;
use crate::discover::tracer::{Output, StepTracer, Strace};
use crate::error::{Error, Result, at_path};
use crate::recipe::{self, Recipe, Verified};
use crate::store::Store;
use crate::trace::{self, Format};
use crate::util;

impl Run for Box<DiscoverArgs> {
    fn run(&self) -> Result<()> {
        let here = if macos::host_is_macos() {
            Os::Macos
        } else {
            Os::Linux
        };
        let os = self.os.unwrap_or(here);
        let findings = if let Some(file) = &self.trace_file {
            if !self.command.is_empty() {
                return Err(Error::usage(
                    "--trace-file analyses a trace taken elsewhere; give no command after --",
                ));
            }
            analyse_trace_file(file, self.format, os)?
        } else {
            if os != here {
                return Err(Error::user(capture_instructions(os)));
            }
            if self.command.is_empty() {
                return Err(Error::usage(
                    "no command to trace; usage: swop discover [options] -- CMD [ARGS]...",
                ));
            }
            let tracer: Box<dyn StepTracer> = match (os, self.tracer) {
                (Os::Linux, None | Some(Tracer::Strace)) => Box::new(Strace::find()?),
                (Os::Linux, Some(t)) => {
                    return Err(Error::usage(format!(
                        "{t:?} traces macOS only; on Linux swop uses strace"
                    )));
                }
                (Os::Macos, requested) => Box::new(MacTracer::select(requested)?),
            };
            self.discover_live(tracer.as_ref())?
        };
        if let Some(path) = &self.report {
            util::replace_private_file(path, findings.to_markdown().as_bytes())
                .map_err(at_path("cannot write report", path))?;
            progress(&format!("report written to {}", path.display()));
        }
        if self.json {
            util::print_bytes(findings.to_json().as_bytes())?;
        } else if self.report.is_none() {
            eprintln!();
            eprint!("{}", findings.to_markdown());
        }
        if let Some(tool) = &self.record {
            self.record(tool, &findings)?;
        } else if !findings.verified && self.trace_file.is_none() {
            progress("the result is NOT verified; see Limitations");
        }
        Ok(())
    }
}

impl DiscoverArgs {
    fn steps(&self) -> Result<Vec<Step>> {
        let mut steps = vec![step_from_argv(self.command.clone())];
        for text in &self.steps {
            let words = shell_words::split(text)
                .map_err(|e| Error::usage(format!("cannot split --step {text:?}: {e}")))?;
            if words.is_empty() {
                return Err(Error::usage("--step needs a command"));
            }
            steps.push(step_from_argv(
                words.into_iter().map(OsString::from).collect(),
            ));
        }
        Ok(steps)
    }

    fn discover_live(&self, tracer: &dyn StepTracer) -> Result<Findings> {
        let opts = Options {
            steps: self.steps()?,
            extra_candidates: self.candidates.clone(),
            record: self.record.clone(),
            output: if self.json {
                Output::StderrOnly
            } else {
                Output::Terminal
            },
            keep_traces: self.keep_traces,
        };
        if let Some(tool) = &self.record {
            crate::names::check_profile_name(tool)
                .map_err(|_| Error::usage(format!("invalid tool name {tool:?}")))?;
        }
        let d = method::discover(tracer, &opts)?;
        let tool = tool_name(self.record.as_deref(), &opts.steps, &d);
        let tool_version = tool.as_deref().and_then(|t| tool_version(t, &opts.steps));
        Ok(findings_from(&d, &opts.steps, tool, tool_version, self))
    }

    fn record(&self, tool: &str, findings: &Findings) -> Result<()> {
        if !findings.verified {
            return Err(Error::user(format!(
                "not recorded: the {tool} recipe could not be verified (see the report's Limitations)"
            )));
        }
        let store = Store::open_or_create()?;
        let built_in = Recipe::built_in(tool);
        let mut unset = findings.unset.clone();
        for var in built_in.iter().flat_map(|r| r.unset.iter()) {
            if !unset.contains(var) && !findings.minimal_env.contains(var) {
                unset.push(var.clone());
            }
        }
        let mut notes: Vec<String> = built_in.map(|r| r.notes).unwrap_or_default();
        notes.extend(
            findings
                .limitations
                .iter()
                .filter(|l| l.starts_with("Writes outside"))
                .cloned(),
        );
        let recipe = Recipe {
            tool: tool.to_string(),
            bindings: findings.minimal_env.clone(),
            unset,
            notes,
            verified: Some(Verified {
                tool_version: findings.tool_version.clone().unwrap_or_default(),
                date: today(),
                os: findings
                    .tested_on
                    .os_release
                    .clone()
                    .unwrap_or_else(|| findings.os.clone()),
                command: findings.commands.join(" ; "),
            }),
        };
        let path = recipe.save(&store)?;
        progress(&format!(
            "recorded the {tool} recipe ({}) in {}; use it with: swop add NAME --tool {tool}",
            if recipe.bindings.is_empty() {
                "no bindings".to_string()
            } else {
                recipe.bindings.join(", ")
            },
            path.display()
        ));
        Ok(())
    }
}

fn step_from_argv(argv: Vec<OsString>) -> Step {
    let words: Vec<String> = argv
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let shown = crate::shell::posix_join(
        redact::redact_command(&words)
            .iter()
            .map(|w| std::ffi::OsStr::new(w.as_str())),
    );
    Step { argv, shown }
}

fn findings_from(
    d: &Discovery,
    steps: &[Step],
    tool: Option<String>,
    tool_version: Option<String>,
    args: &DiscoverArgs,
) -> Findings {
    let proof = d.verification.or(d.runs.len().checked_sub(1));
    let mut step_views = Vec::new();
    let mut merged: std::collections::BTreeMap<String, classify::ClassifiedPath> =
        Default::default();
    if let Some(run) = proof.map(|i| &d.runs[i]) {
        for (i, (exit, _)) in run.steps.iter().enumerate() {
            let paths = d.classified(run, i);
            for p in &paths {
                merged
                    .entry(p.path.clone())
                    .and_modify(|m| {
                        for op in &p.ops {
                            if !m.ops.contains(op) {
                                m.ops.push(op);
                            }
                        }
                        m.class = m.class.min(p.class);
                        m.exists |= p.exists;
                    })
                    .or_insert_with(|| p.clone());
            }
            step_views.push(StepView {
                command: steps[i].shown.clone(),
                exit: Some(exit.to_string()),
                paths,
            });
        }
    }
    let mut paths: Vec<_> = merged.into_values().collect();
    paths.sort_by(|a, b| (a.class, &a.path).cmp(&(b.class, &b.path)));

    let touched: BTreeSet<&str> = d
        .runs
        .first()
        .map(|_| {
            d.runs
                .iter()
                .filter(|r| r.label == "explore")
                .flat_map(|r| used_vars(d, r))
                .collect()
        })
        .unwrap_or_default();
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
            used: touched.contains(c.var.as_str()),
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
    let global: Vec<&str> = paths
        .iter()
        .filter(|p| p.class == Class::Global)
        .map(|p| p.path.as_str())
        .collect();
    if !global.is_empty() {
        limitations.push(format!(
            "Writes outside every candidate folder, shared by all accounts: {}",
            global
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let shared_inputs = paths
        .iter()
        .filter(|p| p.class == Class::SharedInput)
        .count();
    if shared_inputs > 0 {
        limitations.push(format!(
            "{shared_inputs} path(s) are read from the shared home or folders every account shares (e.g. global config); they are inputs, not state, and stay shared"
        ));
    }
    if proof.is_some_and(|i| d.runs[i].leaks.iter().any(|_| true)) {
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
    if d.tracer.contains("fs_usage") {
        limitations.push(
            "fs_usage matches processes by name: other processes with the same name are included."
                .into(),
        );
    }
    if let Some(known) = tool.as_deref().and_then(recipe::known) {
        limitations.extend(known.notes.iter().map(|n| n.to_string()));
    }
    limitations.push(
        if macos::host_is_macos() {
            "File tracing sees the file system only: Keychain items, XPC services and server-side sessions are not covered.".into()
        } else {
            "File tracing sees the file system only: keyrings, D-Bus secret services and server-side sessions are not covered.".into()
        },
    );
    let unknown: u64 = d
        .runs
        .iter()
        .flat_map(|r| &r.steps)
        .map(|(_, o)| o.stats.unknown)
        .sum();
    if unknown > 0 {
        limitations.push(format!(
            "{unknown} trace line(s) could not be parsed and were skipped."
        ));
    }

    let mut runbook = vec![redacted_invocation()];
    let profile_cmd = match &args.record {
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

fn used_vars<'a>(_d: &'a Discovery, run: &'a method::Run) -> Vec<&'a str> {
    run.steps
        .iter()
        .flat_map(|(_, obs)| obs.paths.keys())
        .filter_map(|p| match run.layout.locate(p) {
            crate::discover::scratch::Location::Account { var, .. } => run.layout.accounts["A"]
                .get_key_value(&var)
                .map(|(k, _)| k.as_str()),
            _ => None,
        })
        .collect()
}

fn tested_on(tracer: &str) -> TestedOn {
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
fn redacted_invocation() -> String {
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
fn tool_name(record: Option<&str>, steps: &[Step], d: &Discovery) -> Option<String> {
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
fn tool_version(tool: &str, steps: &[Step]) -> Option<String> {
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

fn today() -> String {
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

/// What to run on another OS to capture a trace for --trace-file.
fn capture_instructions(os: Os) -> String {
    match os {
        Os::Macos => "macOS tracing runs on macOS. Capture a trace there and analyse it here with --trace-file:\n\
             \n  # fs_usage (any macOS; root): start it, run the tool in another terminal, then Ctrl-C\n\
             \x20 sudo fs_usage -w -e -f filesys > fs_usage.log\n\
             \x20 swop discover --os macos --trace-file fs_usage.log --json\n\
             \n  # eslogger (macOS 13+; root and Full Disk Access for the terminal)\n\
             \x20 sudo eslogger open create write rename unlink close exec fork exit > eslogger.jsonl\n\
             \x20 swop discover --trace-file eslogger.jsonl --json\n\
             \nOr run swop discover itself on the Mac."
            .to_string(),
        Os::Linux => "Linux tracing runs on Linux (or WSL2). Capture a trace there and analyse it here with --trace-file:\n\
             \n  strace -f -y -e trace=%file -o tool.strace -- TOOL ARGS\n\
             \x20 swop discover --os linux --trace-file tool.strace --json\n\
             \nOr run swop discover itself on the Linux machine."
            .to_string(),
    }
}

/// Analyse a trace captured elsewhere: classify what it touched and suggest the
/// variables whose default folders hold the state it wrote. Nothing is run, so
/// nothing is verified.
fn analyse_trace_file(file: &Path, format: Option<Format>, os: Os) -> Result<Findings> {
    let mut head = Vec::new();
    std::fs::File::open(file)
        .map_err(at_path("cannot open", file))?
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(at_path("cannot read", file))?;
    if head.is_empty() {
        return Err(Error::user(format!(
            "{} is empty: not a trace",
            file.display()
        )));
    }
    let format = match format {
        Some(f) => f,
        None => trace::detect_format(&head).ok_or_else(|| {
            Error::user(format!(
                "cannot tell the format of {}: it looks like no strace, fs_usage or eslogger output; pass --format if it is one",
                file.display()
            ))
        })?,
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    // A capture taken by hand holds every process of the machine: keep the tool's.
    let obs = crate::discover::macos::observe_trace_file(format, file, &cwd)?;
    if obs.paths.is_empty() {
        return Err(Error::user(format!(
            "no file events in {} ({} lines read, {} not understood): is it a truncated or a different trace?",
            file.display(),
            obs.stats.lines,
            obs.stats.unknown
        )));
    }
    // The trace's home: this machine's, when the trace ran under it, else the
    // home folder its paths point at most.
    let home = method::real_home()
        .filter(|h| h != Path::new("/") && obs.paths.keys().any(|p| p.starts_with(h)))
        .or_else(|| classify::guess_home(obs.paths.keys().map(PathBuf::as_path)));
    let program_roots: Vec<PathBuf> = obs
        .execs
        .iter()
        .filter_map(|e| e.parent())
        .filter(|p| !classify::is_system(p) && *p != Path::new("/"))
        .map(Path::to_path_buf)
        .collect();
    let state = StatePaths::new();
    let classifier = Classifier {
        layout: None,
        real_home: home.clone(),
        program_roots,
        state: &state,
    };
    let mut paths: Vec<_> = obs
        .paths
        .iter()
        .map(|(p, info)| classifier.classify(p, info))
        .collect();
    paths.sort_by(|a, b| (a.class, &a.path).cmp(&(b.class, &b.path)));
    paths.dedup_by(|a, b| a.path == b.path);

    let mut minimal = BTreeSet::new();
    let mut reasons: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in &paths {
        let var = if let Some(rest) = p.path.strip_prefix("$HOME/") {
            (p.class == Class::Leak).then(|| classify::default_var_for(Path::new(rest)).to_string())
        } else if p.class == Class::Isolated || p.class == Class::Leak {
            p.path
                .strip_prefix('$')
                .and_then(|s| s.split('/').next())
                .map(str::to_string)
        } else {
            None
        };
        if let Some(var) = var.filter(|_| p.ops.iter().any(|o| *o != "read" && *o != "stat")) {
            reasons.entry(var.clone()).or_default().push(p.path.clone());
            minimal.insert(var);
        }
    }
    let required = reasons
        .iter()
        .map(|(var, paths)| Requirement {
            var: var.clone(),
            reason: format!(
                "the trace writes state in its default folder: {}",
                paths
                    .iter()
                    .take(4)
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect();
    let mut limitations = vec![
        "Analysed a trace taken elsewhere: the variables are suggested from where the state was written, not proved. Run swop discover on that machine to verify them.".to_string(),
    ];
    if format == Format::FsUsage {
        limitations.push(
            "fs_usage matches processes by name: other processes with the same name are included."
                .into(),
        );
        limitations.push(
            "fs_usage shows only the source of a rename, cuts paths to their last 184 bytes and knows threads, not processes: compare before/after trees for anything that matters.".into(),
        );
    }
    let global: Vec<String> = paths
        .iter()
        .filter(|p| p.class == Class::Global)
        .map(|p| format!("`{}`", p.path))
        .collect();
    if !global.is_empty() {
        limitations.push(format!(
            "Writes outside every candidate folder, shared by all accounts: {}",
            global.join(", ")
        ));
    }
    limitations.push(
        "File tracing sees the file system only: keychains and keyrings (macOS Keychain items in particular), D-Bus secret services and server-side sessions are not covered.".into(),
    );
    if obs.stats.unknown > 0 {
        limitations.push(format!(
            "{} trace line(s) could not be parsed and were skipped.",
            obs.stats.unknown
        ));
    }
    let tool = obs
        .execs
        .iter()
        .find_map(|e| recipe::known(&e.to_string_lossy()))
        .map(|k| k.tool.to_string());
    if let Some(known) = tool.as_deref().and_then(recipe::known) {
        limitations.extend(known.notes.iter().map(|n| n.to_string()));
    }
    let minimal: Vec<String> = minimal.into_iter().collect();
    let format_name = match format {
        Format::Strace => "strace",
        Format::FsUsage => "fs_usage",
        Format::Eslogger => "eslogger",
    };
    Ok(Findings {
        tool,
        tool_version: None,
        os: match os {
            Os::Linux => "linux".into(),
            Os::Macos => "macos".into(),
        },
        tested_on: TestedOn {
            os_release: None,
            uname: None,
            wsl: false,
            tracer: format!("{format_name} trace from {}", file.display()),
        },
        commands: Vec::new(),
        minimal_env: minimal.clone(),
        unset: Vec::new(),
        verified: false,
        required,
        candidates: Vec::new(),
        runs: Vec::new(),
        steps: vec![StepView {
            command: format!("(trace file {})", file.display()),
            exit: None,
            paths: paths.clone(),
        }],
        paths,
        concurrency: Concurrency::not_run(),
        limitations,
        runbook: vec![
            redacted_invocation(),
            if minimal.is_empty() {
                "# nothing to bind".into()
            } else {
                format!(
                    "swop add work {}",
                    minimal
                        .iter()
                        .map(|v| format!("--bind {v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            },
        ],
        trace_lines: obs.stats.lines,
        unknown_lines: obs.stats.unknown,
    })
}
