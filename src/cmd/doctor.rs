//! `swop doctor`: where the store is and which shells and tracers this
//! machine has, so a user sees what will work before something fails; and
//! whether two profiles hold one login, which fails later and for both.

use super::Run;
use super::print_bytes;
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
        for tracer in crate::discover::describe_tracers() {
            line(tracer.usable, &tracer.name, tracer.detail);
        }
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
