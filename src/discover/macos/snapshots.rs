//! What the before/after snapshots of a step add to its trace.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::super::model::Observation;
use super::super::snapshot::Snapshot;
use crate::trace::{Op, TraceEvent};

/// Add what the snapshots show and the trace does not: files that appeared
/// (creates, and the destination of a rename fs_usage cannot print), files
/// that changed, and entries that went away. The run folder's own files (the
/// traces) and a folder's changed times (its entries are listed themselves)
/// are left out.
pub(super) fn add_snapshot_changes(
    obs: &mut Observation,
    before: &Snapshot,
    after: &Snapshot,
    watch: &Path,
) {
    let existed: HashSet<PathBuf> = before.changes(&Snapshot::default()).into_iter().collect();
    for path in before.changes(after) {
        let swops_own = path.parent() == Some(watch) || path.starts_with(watch.join("traces"));
        if swops_own || obs.info(&path).is_some_and(|i| i.written()) {
            continue;
        }
        let op = match fs::symlink_metadata(&path) {
            Ok(meta) if !existed.contains(&path) => {
                if meta.is_dir() {
                    Op::Mkdir
                } else if meta.file_type().is_symlink() {
                    Op::Link
                } else {
                    Op::Create
                }
            }
            Ok(meta) if meta.is_dir() => continue,
            Ok(_) => Op::Write,
            Err(_) => Op::Delete,
        };
        obs.add(TraceEvent {
            pid: 0,
            syscall: "snapshot".into(),
            op,
            path,
            result: Ok(0),
            comm: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_fill_in_what_the_trace_misses() {
        let dir = tempfile::tempdir().unwrap();
        let watch = dir.path();
        let a = watch.join("A/FOO_HOME");
        fs::create_dir_all(&a).unwrap();
        fs::write(a.join("changed"), "1").unwrap();
        fs::write(a.join("gone"), "1").unwrap();
        fs::write(a.join(".tmp1"), "1").unwrap();
        let before = Snapshot::take(&[watch]);
        fs::rename(a.join(".tmp1"), a.join("token")).unwrap();
        fs::write(a.join("changed"), "22").unwrap();
        fs::remove_file(a.join("gone")).unwrap();
        fs::create_dir(a.join("sub")).unwrap();
        fs::create_dir_all(watch.join("traces")).unwrap();
        fs::write(watch.join("traces/trace-A-1.strace"), "x").unwrap();
        let after = Snapshot::take(&[watch]);
        let mut obs = Observation::default();
        obs.add(TraceEvent {
            pid: 1,
            syscall: "rename".into(),
            op: Op::RenameFrom,
            path: a.join(".tmp1"),
            result: Ok(0),
            comm: Some("footool".into()),
        });
        add_snapshot_changes(&mut obs, &before, &after, watch);
        let ops = |name: &str| -> Vec<Op> {
            obs.info(&a.join(name))
                .map(|i| i.ops.iter().collect())
                .unwrap_or_default()
        };
        assert_eq!(ops("token"), [Op::Create]);
        assert_eq!(ops("changed"), [Op::Write]);
        assert_eq!(ops("gone"), [Op::Delete]);
        assert_eq!(ops("sub"), [Op::Mkdir]);
        assert_eq!(ops(".tmp1"), [Op::RenameFrom]);
        assert!(obs.info(&watch.join("traces/trace-A-1.strace")).is_none());
        assert!(obs.info(&a).is_none());
    }
}
