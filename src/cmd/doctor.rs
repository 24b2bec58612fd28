//! `swop doctor`: where the store is, whether its configuration parses,
//! whether the calling shell has the integration and which profile it is
//! on, which shells, tracers and completions this machine has, whether
//! sealing and discover's copy-on-write world work here: what will work,
//! before something fails; and whether two profiles hold one login, which
//! fails later and for both.

use std::path::{Path, PathBuf};

use super::Run;
use super::current::{INTEGRATION_VAR, current};
use super::print_bytes;
use crate::config::Config;
use crate::error::Result;
use crate::output::printable_text;
use crate::store::Store;

pub struct Doctor;

impl Run for Doctor {
    fn run(&self) -> Result<()> {
        let mut out = String::new();
        let mut line = |ok: bool, what: &str, detail: String| {
            out.push_str(&format!(
                "{} {what:<12} {detail}\n",
                if ok { "ok " } else { "-- " }
            ));
        };
        match Store::default_root() {
            Ok(root) => {
                let exists = root.is_dir();
                let source = if std::env::var_os("SWOP_HOME").is_some_and(|v| !v.is_empty()) {
                    "from SWOP_HOME"
                } else {
                    "default"
                };
                let store = Store::open();
                let problem = match &store {
                    Ok(s) if exists => s.check_owned(s.root()).err().map(|e| e.to_string()),
                    Ok(_) => None,
                    Err(e) => Some(e.to_string()),
                };
                let count = store.and_then(|s| s.names()).map(|n| n.len()).unwrap_or(0);
                if let Some(problem) = problem {
                    line(false, "store", problem.to_string());
                } else {
                    line(
                        true,
                        "store",
                        format!(
                            "{} ({source}; {})",
                            root.display(),
                            if exists {
                                format!("{count} profile(s)")
                            } else {
                                "not created yet".into()
                            }
                        ),
                    );
                }
            }
            Err(e) => line(false, "store", e.to_string()),
        }
        match (Config::path(), Config::load()) {
            (_, Err(e)) => line(false, "config", e.to_string()),
            (Ok(path), Ok(config)) if path.exists() => line(
                true,
                "config",
                format!(
                    "{} parses ({} wrapped tool(s){})",
                    path.display(),
                    config.wrap.len(),
                    if config.quiet { ", quiet" } else { "" }
                ),
            ),
            _ => line(true, "config", "none: the defaults".into()),
        }
        match std::env::var_os(INTEGRATION_VAR).map(|s| s.to_string_lossy().into_owned()) {
            Some(shell) if !shell.is_empty() => line(
                true,
                "integration",
                format!(
                    "loaded in this {}: swop use and swop off switch it",
                    crate::output::printable_line(&shell)
                ),
            ),
            _ => line(
                false,
                "integration",
                "not loaded in the shell that ran swop doctor (or swop was run past it): \
                 swop use and swop off need it (README: Shell integration)"
                    .into(),
            ),
        }
        let store = Store::open().ok();
        match current(|name| store.as_ref().and_then(|s| s.load(name).ok())) {
            Some((name, chosen)) => line(
                true,
                "profile",
                format!(
                    "{}, chosen by {}",
                    crate::output::printable_line(&name),
                    chosen.describe(&name)
                ),
            ),
            None => line(true, "profile", "none: this shell is on no profile".into()),
        }
        for shell in [
            "bash", "zsh", "fish", "dash", "sh", "elvish", "xonsh", "nu", "tcsh",
        ] {
            let found = which::which(shell);
            line(
                found.is_ok(),
                shell,
                found.map_or("not found".into(), |p| p.display().to_string()),
            );
        }
        match crate::seal::strength() {
            crate::seal::Strength::Full { detail } => line(
                true,
                "seal",
                format!("swop exec --seal works here ({detail}): every rule holds"),
            ),
            crate::seal::Strength::Unavailable(why) => line(
                false,
                "seal",
                format!("swop exec --seal refuses to run here: {why}"),
            ),
        }
        match copy_on_write() {
            Ok(()) => line(
                true,
                "discover",
                "its runs see your real files through a copy-on-write view".into(),
            ),
            Err(why) => line(
                false,
                "discover",
                format!("its runs get empty stand-ins for your home, not your real files: {why}"),
            ),
        }
        for tracer in crate::discover::describe_tracers() {
            line(tracer.usable, &tracer.name, tracer.detail);
        }
        let installed = completions();
        line(
            !installed.is_empty(),
            "completions",
            if installed.is_empty() {
                "none installed (swop completions SHELL; README: Completions and man pages)".into()
            } else {
                installed
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        );
        line(true, "platform", crate::sys::machine::platform_summary());
        if let Ok(store) = Store::open() {
            let profiles: Vec<_> = store
                .names()
                .unwrap_or_default()
                .iter()
                .filter_map(|name| store.load(name).ok())
                .collect();
            let shared = crate::logins::shared_logins(&store, &profiles);
            if shared.is_empty() {
                line(
                    true,
                    "logins",
                    "no two profiles hold the same login (compared by digest)".into(),
                );
            }
            for login in shared {
                line(
                    false,
                    "logins",
                    printable_text(&login.warning()).into_owned(),
                );
            }
        }
        print_bytes(out.as_bytes())
    }
}

/// Whether discover's runs can see the real file system through a
/// copy-on-write view here, as its own test run in a scratch folder finds.
fn copy_on_write() -> std::result::Result<(), String> {
    let scratch = std::env::temp_dir().join(format!("swop-doctor-{}", std::process::id()));
    crate::files::create_private_dir(&scratch).map_err(|e| e.to_string())?;
    let plan = crate::sys::cow::Plan::new(&scratch);
    let _ = crate::sys::cow::remove_layer_dir(&scratch);
    plan.map(|_| ()).map_err(|why| why.to_string())
}

/// The completion scripts installed where the README's lines put them, or
/// where packages do.
fn completions() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".local/share"));
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"));
    let mut found: Vec<PathBuf> = [
        data.join("bash-completion/completions/swop"),
        PathBuf::from("/usr/share/bash-completion/completions/swop"),
        PathBuf::from("/etc/bash_completion.d/swop"),
        home.join(".zfunc/_swop"),
        PathBuf::from("/usr/share/zsh/vendor-completions/_swop"),
        config.join("fish/completions/swop.fish"),
        PathBuf::from("/usr/share/fish/vendor_completions.d/swop.fish"),
    ]
    .into_iter()
    .filter(|p| p.is_file())
    .collect();
    let elvish = config.join("elvish/rc.elv");
    if holds(&elvish, b"arg-completer[swop]") {
        found.push(elvish);
    }
    found
}

fn holds(path: &Path, needle: &[u8]) -> bool {
    std::fs::read(path).is_ok_and(|text| memchr::memmem::find(&text, needle).is_some())
}
