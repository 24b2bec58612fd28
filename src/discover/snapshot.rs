//! Before/after snapshots of folder trees, for the two-account concurrent run.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    kind: u32,
    size: u64,
    mtime: (i64, i64),
    ino: u64,
}

/// Every entry under a root, by path. Symbolic links are recorded, not followed.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    entries: BTreeMap<PathBuf, Entry>,
}

impl Snapshot {
    pub fn take(roots: &[&Path]) -> Snapshot {
        let mut snap = Snapshot::default();
        for root in roots {
            snap.walk(root);
        }
        snap
    }

    fn walk(&mut self, dir: &Path) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            self.entries.insert(
                path.clone(),
                Entry {
                    kind: u32::from(meta.is_dir()) | u32::from(meta.file_type().is_symlink()) << 1,
                    size: meta.len(),
                    mtime: (meta.mtime(), meta.mtime_nsec()),
                    ino: meta.ino(),
                },
            );
            if meta.is_dir() {
                self.walk(&path);
            }
        }
    }

    /// Paths added, changed or removed between `self` (before) and `after`.
    pub fn changes(&self, after: &Snapshot) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = after
            .entries
            .iter()
            .filter(|(p, e)| self.entries.get(*p) != Some(e))
            .map(|(p, _)| p.clone())
            .collect();
        out.extend(
            self.entries
                .keys()
                .filter(|p| !after.entries.contains_key(*p))
                .cloned(),
        );
        out.sort();
        out
    }
}
