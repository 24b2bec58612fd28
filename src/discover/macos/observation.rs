//! From a Mac's raw trace to an [`Observation`]: what fs_usage and eslogger
//! say beyond the event (a cut path, a relative one, a rename without its
//! destination), and the count of the tool's own events that tells an empty
//! trace from a quiet tool.

use std::fs;
use std::path::Path;

use super::super::model::Observation;
use super::super::model::Source;
use crate::error::Result;
use crate::trace::{self, Op, ParseStats, Printed, TraceEvent};

/// Add one event, keeping the mark of a path the tracer cut.
pub(super) fn add(obs: &mut Observation, event: TraceEvent, printed: Printed) {
    let path = event.path.clone();
    obs.add(event);
    if printed.is_cut()
        && let Some(info) = obs.info_mut(&path)
    {
        info.truncated = true;
    }
}

/// Whether an event is a rename whose destination the trace does not show.
pub(super) fn rename_without_destination(event: &TraceEvent) -> bool {
    event.op == Op::RenameFrom && event.syscall.starts_with("rename")
}

/// Where the live tracer's relative paths lead. fs_usage prints a path
/// relative to the working directory and one relative to a symbolic link's
/// folder alike (`A/Resources/Info.plist` in a framework), so a relative path
/// is joined to the tool's working directory only when the joined path exists
/// (checked after the run); otherwise it stays relative, and is shown so.
/// A cut path (`…tail`) is never joined.
pub(super) fn resolve_relative(event: &mut TraceEvent, printed: Printed, cwd: &Path) {
    if printed.is_cut() || event.path.is_absolute() || event.path.as_os_str().is_empty() {
        return;
    }
    let joined = {
        use std::os::unix::ffi::OsStrExt;
        let bytes = crate::trace::path::join(
            cwd.as_os_str().as_bytes(),
            event.path.as_os_str().as_bytes(),
        );
        crate::trace::path_from_bytes(bytes)
    };
    if fs::symlink_metadata(&joined).is_ok() {
        event.path = joined;
    }
}

/// The events of an eslogger trace, of the process tree rooted at `root`
/// when given; `stats.events` counts those events.
pub(super) fn eslogger_observation<S: Source + ?Sized>(
    trace: &S,
    root: Option<u32>,
) -> Result<Observation> {
    let mut obs = Observation::default();
    let stats: ParseStats = trace::eslogger::read(trace.open()?, root, &mut |event, printed| {
        add(&mut obs, event, printed)
    })
    .map_err(|e| crate::error::Error::Io {
        action: "cannot read trace",
        path: Some(trace.name().into()),
        source: e,
    })?;
    obs.stats = stats;
    Ok(obs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn event(path: &str, op: Op, syscall: &str) -> TraceEvent {
        TraceEvent {
            pid: 1,
            syscall: syscall.into(),
            op,
            path: PathBuf::from(path),
            result: Ok(0),
            comm: Some("tool".into()),
        }
    }

    #[test]
    fn relative_paths_join_the_working_directory_only_where_they_exist() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("rel")).unwrap();
        fs::write(dir.path().join("rel/state"), "x").unwrap();
        let mut there = event("rel/./state", Op::Write, "open");
        resolve_relative(&mut there, Printed::Whole, dir.path());
        assert_eq!(there.path, dir.path().join("rel/state"));
        // After a relative symbolic link in a framework: not in the cwd.
        let mut framework = event("A/Resources/Info.plist", Op::Read, "open");
        resolve_relative(&mut framework, Printed::Whole, dir.path());
        assert_eq!(framework.path, Path::new("A/Resources/Info.plist"));
        let mut cut = event("…rel/state", Op::Write, "open");
        resolve_relative(&mut cut, Printed::Tail, dir.path());
        assert_eq!(cut.path, Path::new("…rel/state"));
        let mut up = event("../x", Op::Read, "stat64");
        resolve_relative(&mut up, Printed::Whole, &dir.path().join("rel"));
        assert_eq!(up.path, Path::new("../x"));
    }

    #[test]
    fn cut_paths_keep_their_mark_through_a_merge() {
        let mut group = Observation::default();
        add(
            &mut group,
            event("…/auth.json", Op::Write, "open"),
            Printed::Tail,
        );
        add(&mut group, event("/a/b", Op::Read, "open"), Printed::Whole);
        group.renames_without_destination = 2;
        let mut all = Observation::default();
        all.merge(group);
        assert!(
            all.info(Path::new("…/auth.json"))
                .expect("cut path")
                .truncated
        );
        assert!(!all.info(Path::new("/a/b")).expect("path").truncated);
        assert_eq!(all.renames_without_destination, 2);
        assert!(rename_without_destination(&event(
            "/a",
            Op::RenameFrom,
            "renameatx_np"
        )));
        assert!(!rename_without_destination(&event(
            "/a",
            Op::RenameFrom,
            "snapshot"
        )));
    }
}
