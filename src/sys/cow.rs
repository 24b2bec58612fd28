//! A copy-on-write view of the whole file system for one process tree.
//!
//! The tree runs in a user and mount namespace of its own where every
//! writable folder that holds files is an overlay: the real folder is the
//! lower layer, read as it is, and an upper layer in a folder of swop's
//! takes every write. The tree sees the real home with its legacy folders
//! and dotfiles, `/etc`, `/usr/local` and the rest exactly as they are;
//! nothing it writes reaches a real file; and afterwards the upper layers
//! say what it changed ([`Layer::changes`]), whether or not a tracer saw it.
//!
//! Some folders must stay real for the tree: the *holes* (a discovery's
//! account folders and traces), bound back on top of the overlays. Landlock
//! then allows writes only beneath the overlays, the holes and a few
//! devices, so no other path (`/proc/PID/root`, a remount, a folder the
//! plan missed) reaches a real file for writing, as root too.
//!
//! Writable mounts with other mounts inside them (`/` itself, `/dev`) cannot
//! be overlaid whole; their folders are, one by one, and the mount itself
//! becomes read-only in the view: a file right at its top (`/x`) cannot be
//! written.

use std::collections::BTreeSet;
use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use super::landlock::{self, DEVICE_FOLDERS, DEVICES, WriteRules};
use super::mountinfo::{self, Mount};
use super::namespace::{self, IdMap, c_path};

/// A folder of the view with the flags of the mount it is on.
#[derive(Debug, Clone)]
struct Place {
    path: PathBuf,
    c: CString,
    kept: libc::c_ulong,
}

impl Place {
    fn new(path: &Path) -> io::Result<Place> {
        Ok(Place {
            c: c_path(path)?,
            kept: namespace::mount_flags(path)?,
            path: path.to_path_buf(),
        })
    }
}

/// What every view of this machine shares: the Landlock ABI and the ids to
/// map. Where overlays go is read from the mount table for each view, as
/// mounts come and go.
#[derive(Debug, Clone)]
pub struct Plan {
    abi: u32,
    ids: IdMap,
}

/// Why the copy-on-write view cannot be had here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Plan {
    /// The plan for this machine, proved by a test run in `scratch` (an
    /// empty folder of swop's), or why the view cannot be had.
    pub fn new(scratch: &Path) -> Result<Plan, Unavailable> {
        if !cfg!(target_os = "linux") {
            return Err(Unavailable(
                "a copy-on-write view needs Linux namespaces and overlayfs".into(),
            ));
        }
        let abi = landlock::abi().ok_or_else(|| {
            Unavailable("this kernel has no Landlock (Linux 5.13 or later, enabled at boot)".into())
        })?;
        let plan = Plan {
            abi,
            ids: IdMap::of_caller(),
        };
        plan.probe(scratch)?;
        Ok(plan)
    }

    /// Run `true` in a view, to find out whether namespaces, overlays and
    /// Landlock work here.
    fn probe(&self, scratch: &Path) -> Result<(), Unavailable> {
        let layer = self
            .layer(&scratch.join("probe"))
            .map_err(|e| Unavailable(format!("cannot make the layers: {e}")))?;
        let mut cmd = Command::new("true");
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let status = layer.apply(&mut cmd, &[], None).and_then(|()| cmd.status());
        let _ = remove_layer_dir(&scratch.join("probe"));
        match status {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(Unavailable(format!(
                "a test run in the view ended with {s}"
            ))),
            Err(e) => Err(Unavailable(format!(
                "user namespaces or overlay mounts are not allowed here ({e})"
            ))),
        }
    }

    /// Upper layers for one view in `dir` (made, 0700), over the folders
    /// the mount table shows now.
    pub fn layer(&self, dir: &Path) -> io::Result<Layer> {
        let mounts = mountinfo::mounts()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot read the mount table: {e}")))?;
        let (targets, spines) = places(&mounts);
        let sockets = sockets(&targets)
            .iter()
            .filter_map(|p| c_path(p).ok())
            .collect();
        let place = |paths: Vec<PathBuf>| -> Vec<Place> {
            paths.iter().filter_map(|p| Place::new(p).ok()).collect()
        };
        let (targets, spines) = (place(targets), place(spines));
        let mut overlays = Vec::new();
        for (i, target) in targets.iter().enumerate() {
            let upper = dir.join(i.to_string()).join("upper");
            let work = dir.join(i.to_string()).join("work");
            crate::files::create_private_dir_all(&upper)?;
            crate::files::create_private_dir_all(&work)?;
            let data = format!(
                "lowerdir={},upperdir={},workdir={},userxattr",
                escape(&target.path),
                escape(&upper),
                escape(&work)
            );
            overlays.push(Overlay {
                target: target.clone(),
                upper,
                data: CString::new(data).map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidInput, "a path holds a NUL byte")
                })?,
            });
        }
        // The upper folders are found by path when an overlay is mounted:
        // the folder that holds them is overlaid last, after they are found.
        overlays.sort_by_key(|o| dir.starts_with(&o.target.path));
        Ok(Layer {
            sockets: Arc::new(sockets),
            overlays: Arc::new(overlays),
            spines: Arc::new(spines),
            abi: self.abi,
            ids: self.ids.clone(),
        })
    }
}

/// The targets and spines for a mount table: every writable mount that
/// holds files is overlaid whole if no other mount lies inside it, else
/// folder by folder around the mounts inside it (and is then a spine).
fn places(mounts: &[Mount]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    // The last mount on a point is the one in view.
    let mut visible: Vec<&Mount> = Vec::new();
    for m in mounts {
        visible.retain(|v| v.point != m.point);
        visible.push(m);
    }
    let points: BTreeSet<&Path> = visible.iter().map(|m| m.point.as_path()).collect();
    let mut targets = Vec::new();
    let mut spines = Vec::new();
    for m in &visible {
        let real_files = m.holds_files() || m.fs_type == "devtmpfs";
        if !m.writable || !real_files {
            continue;
        }
        let inside = points
            .iter()
            .any(|p| *p != m.point && p.starts_with(&m.point));
        // Device nodes cannot be opened through an overlay a user
        // namespace mounted (it is `nodev`): /dev stays as it is, read-only.
        if !inside && m.fs_type != "devtmpfs" {
            targets.push(m.point.clone());
            continue;
        }
        if m.fs_type != "devtmpfs" {
            split(&m.point, &points, &mut targets);
        }
        spines.push(m.point.clone());
    }
    targets.sort();
    targets.dedup();
    (targets, spines)
}

/// Most sockets bound back real: past this, a folder is a socket farm.
const MAX_SOCKETS: usize = 256;

/// The Unix sockets a tool may connect to under the overlays: those the
/// environment names (`SSH_AUTH_SOCK`, the session bus), and those in the
/// folders where services keep them (`/run`, `/tmp`, the runtime folder,
/// the home's dot folders such as `~/.gnupg`).
fn sockets(targets: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = BTreeSet::new();
    for (_, value) in std::env::vars_os() {
        let text = value.to_string_lossy();
        // `unix:path=/run/user/1000/bus,guid=...`
        let path = text
            .split_once("unix:path=")
            .map(|(_, rest)| rest.split(',').next().unwrap_or(rest).to_string())
            .unwrap_or_else(|| text.to_string());
        let path = PathBuf::from(path);
        if path.is_absolute() && is_socket(&path) {
            found.insert(path);
        }
    }
    let mut roots: Vec<(PathBuf, usize)> = vec![("/run".into(), 4), ("/tmp".into(), 2)];
    roots.extend(std::env::var_os("XDG_RUNTIME_DIR").map(|d| (PathBuf::from(d), 3)));
    if let Some(home) = std::env::var_os("HOME") {
        roots.push((PathBuf::from(home), 2));
    }
    for (root, depth) in roots {
        scan_sockets(&root, depth, &mut found);
    }
    found
        .into_iter()
        .filter(|s| targets.iter().any(|t| s.starts_with(t)))
        .take(MAX_SOCKETS)
        .collect()
}

fn is_socket(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

/// Sockets in `dir`, `depth` levels down.
fn scan_sockets(dir: &Path, depth: usize, found: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()).take(4096) {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_socket() {
            found.insert(entry.path());
        } else if kind.is_dir() && depth > 1 && found.len() < MAX_SOCKETS {
            scan_sockets(&entry.path(), depth - 1, found);
        }
    }
}

/// Overlay each folder of `dir` that holds no mount point; go into those
/// that do.
fn split(dir: &Path, points: &BTreeSet<&Path>, targets: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let path = entry.path();
        if points.contains(path.as_path()) {
            continue;
        }
        if points.iter().any(|p| p.starts_with(&path)) {
            split(&path, points, targets);
        } else {
            targets.push(path);
        }
    }
}

/// A path in overlayfs's option syntax: `,`, `:` and `\` escaped.
fn escape(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        if matches!(c, ',' | ':' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[derive(Debug)]
struct Overlay {
    target: Place,
    upper: PathBuf,
    data: CString,
}

/// One view: its upper layers, reused by every process tree it is applied
/// to, so that a later command sees what an earlier one wrote.
#[derive(Debug, Clone)]
pub struct Layer {
    sockets: Arc<Vec<CString>>,
    overlays: Arc<Vec<Overlay>>,
    spines: Arc<Vec<Place>>,
    abi: u32,
    ids: IdMap,
}

/// What the child needs, prepared before the fork.
struct Prepared {
    overlays: Arc<Vec<Overlay>>,
    spines: Arc<Vec<Place>>,
    ids: IdMap,
    /// Folders and sockets bound back real, on top of the overlays.
    holes: Vec<CString>,
    /// Their descriptors in the child: room made before the fork.
    hole_fds: Vec<libc::c_int>,
    rules: WriteRules,
    cwd: Option<CString>,
}

impl Layer {
    /// Make `cmd` (and everything it starts) run in the view, with `holes`
    /// (existing folders) real and writable, in the folder `cwd` as the
    /// view shows it.
    pub fn apply(
        &self,
        cmd: &mut Command,
        holes: &[PathBuf],
        cwd: Option<&Path>,
    ) -> io::Result<()> {
        let mut rules = WriteRules::new(self.abi);
        for overlay in self.overlays.iter() {
            rules.allow_folder(&overlay.target.path);
        }
        let mut prepared_holes = Vec::new();
        for hole in holes {
            rules.allow_folder(hole);
            prepared_holes.push(c_path(hole)?);
        }
        prepared_holes.extend(self.sockets.iter().cloned());
        for device in DEVICES {
            rules.allow_file(Path::new(device));
        }
        for folder in DEVICE_FOLDERS {
            rules.allow_folder(Path::new(folder));
        }
        rules.allow_standard_files();
        let prepared = Prepared {
            overlays: self.overlays.clone(),
            spines: self.spines.clone(),
            ids: self.ids.clone(),
            hole_fds: vec![-1; prepared_holes.len()],
            holes: prepared_holes,
            rules,
            cwd: cwd.map(c_path).transpose()?,
        };
        #[cfg(target_os = "linux")]
        // SAFETY: `enter_view` makes only system calls on data prepared here.
        unsafe {
            use std::os::unix::process::CommandExt;
            let mut prepared = prepared;
            cmd.pre_exec(move || enter_view(&mut prepared));
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (cmd, prepared);
        Ok(())
    }

    /// The folders this view overlays.
    pub fn targets(&self) -> impl Iterator<Item = &Path> {
        self.overlays.iter().map(|o| o.target.path.as_path())
    }

    /// What the process trees run in this view changed, by real path: each
    /// path created, changed or removed. A file opened for writing and left
    /// as it was, or only given new times or modes, did not change; a
    /// file created and removed again left nothing.
    pub fn changes(&self) -> Vec<(PathBuf, Change)> {
        let mut out = Vec::new();
        for overlay in self.overlays.iter() {
            walk_upper(&overlay.upper, &overlay.target.path, &mut out);
        }
        out.sort();
        out
    }
}

/// In the child: the namespace, the overlays, the holes, the read-only
/// spines, Landlock, and the working folder again (the old one is the
/// real folder under the overlay).
#[cfg(target_os = "linux")]
fn enter_view(p: &mut Prepared) -> io::Result<()> {
    // SAFETY: between fork and exec, system calls on prepared data only.
    unsafe {
        namespace::enter(&p.ids)?;
        // A bind mount takes its source from this namespace: the holes are
        // opened here, before the overlays hide them, and bound by descriptor.
        for (fd, hole) in p.hole_fds.iter_mut().zip(&p.holes) {
            // A socket that went away since the plan was made is skipped.
            *fd = libc::open(hole.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
        }
        for overlay in p.overlays.iter() {
            let mounted = namespace::mount(
                Some(c"overlay"),
                &overlay.target.c,
                Some(c"overlay"),
                overlay.target.kept & (libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC),
                Some(&overlay.data),
            );
            // A folder removed since the view was made has nothing to keep.
            match mounted {
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
                other => other?,
            }
        }
        for (fd, target) in p.hole_fds.iter().zip(&p.holes) {
            if *fd < 0 {
                continue;
            }
            let mut buf = [0u8; 32];
            let source = fd_path(*fd, &mut buf);
            namespace::mount(Some(source), target, None, libc::MS_BIND, None)?;
            libc::close(*fd);
        }
        for spine in p.spines.iter() {
            // A mount gone since the view was planned (another program's
            // tmpfs, unmounted) leaves nothing to make read-only; Landlock
            // still refuses writes there.
            match namespace::read_only(&spine.c, spine.kept, false) {
                Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::EINVAL)) => {}
                other => other?,
            }
        }
        p.rules.apply()?;
        if let Some(cwd) = &p.cwd
            && libc::chdir(cwd.as_ptr()) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// `/proc/self/fd/N` in `buf`, without allocating.
fn fd_path(fd: libc::c_int, buf: &mut [u8; 32]) -> &std::ffi::CStr {
    const PREFIX: &[u8] = b"/proc/self/fd/";
    buf[..PREFIX.len()].copy_from_slice(PREFIX);
    let mut digits = [0u8; 10];
    let mut n = fd.max(0) as u32;
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        buf[PREFIX.len() + i] = digits[len - 1 - i];
    }
    buf[PREFIX.len() + len] = 0;
    std::ffi::CStr::from_bytes_until_nul(&buf[..]).unwrap_or(c"/proc/self/fd")
}

/// How a path differs from the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Created,
    Modified,
    Removed,
}

/// The changes an upper layer holds for the real folder `real`.
fn walk_upper(upper: &Path, real: &Path, out: &mut Vec<(PathBuf, Change)>) {
    let Ok(entries) = fs::read_dir(upper) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let up = entry.path();
        let here = real.join(entry.file_name());
        let Ok(meta) = fs::symlink_metadata(&up) else {
            continue;
        };
        let lower = fs::symlink_metadata(&here).ok();
        if is_whiteout(&up, &meta) {
            if lower.is_some() {
                out.push((here, Change::Removed));
            }
            continue;
        }
        let ft = meta.file_type();
        match lower {
            None => {
                out.push((here.clone(), Change::Created));
                if ft.is_dir() {
                    walk_upper(&up, &here, out);
                }
            }
            Some(lower) if ft.is_dir() && lower.is_dir() => walk_upper(&up, &here, out),
            Some(lower) => {
                if !same_content(&up, &meta, &here, &lower) {
                    out.push((here.clone(), Change::Modified));
                }
                if ft.is_dir() {
                    walk_upper(&up, &here, out);
                }
            }
        }
    }
}

/// overlayfs marks a removed path with a character device 0/0, or (as a
/// user namespace may do) a file with the `overlay.whiteout` attribute.
fn is_whiteout(path: &Path, meta: &fs::Metadata) -> bool {
    if meta.file_type().is_char_device() && meta.rdev() == 0 {
        return true;
    }
    meta.is_file() && meta.len() == 0 && has_xattr(path, c"user.overlay.whiteout")
}

/// Whether `path` itself (not a link's target) has the attribute `name`;
/// overlayfs and its attributes are Linux's only.
fn has_xattr(path: &Path, name: &std::ffi::CStr) -> bool {
    let Ok(c) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    #[cfg(target_os = "linux")]
    // SAFETY: a size query: no buffer.
    let size = unsafe { libc::lgetxattr(c.as_ptr(), name.as_ptr(), std::ptr::null_mut(), 0) };
    #[cfg(not(target_os = "linux"))]
    let size = {
        let _ = (c, name);
        -1
    };
    size >= 0
}

/// Whether the upper copy holds what the real path holds: same kind, same
/// link target, or same bytes (compared by digest, never kept).
fn same_content(up: &Path, up_meta: &fs::Metadata, real: &Path, real_meta: &fs::Metadata) -> bool {
    let (a, b) = (up_meta.file_type(), real_meta.file_type());
    if a.is_symlink() || b.is_symlink() {
        return a.is_symlink()
            && b.is_symlink()
            && fs::read_link(up).ok() == fs::read_link(real).ok();
    }
    if a.is_file() && b.is_file() {
        return up_meta.len() == real_meta.len()
            && digest(up).is_some_and(|d| Some(d) == digest(real));
    }
    a.is_dir() == b.is_dir() && a.is_file() == b.is_file()
}

/// SHA-256 of a file's bytes.
fn digest(path: &Path) -> Option<[u8; 32]> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = fs::File::open(path).ok()?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Some(hasher.finalize().into()),
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
}

/// Remove a folder of layers: overlayfs leaves its work folders without
/// permissions, which stops an unprivileged `remove_dir_all`.
pub fn remove_layer_dir(dir: &Path) -> io::Result<()> {
    fn open_up(dir: &Path) {
        use std::os::unix::fs::PermissionsExt;
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = fs::set_permissions(entry.path(), fs::Permissions::from_mode(0o700));
                open_up(&entry.path());
            }
        }
    }
    if fs::remove_dir_all(dir).is_ok() {
        return Ok(());
    }
    open_up(dir);
    fs::remove_dir_all(dir)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::process::Stdio;

    use super::*;

    /// The plan, or a skip outside CI where the machine cannot have it.
    fn plan(scratch: &Path) -> Option<Plan> {
        match Plan::new(scratch) {
            Ok(plan) => Some(plan),
            Err(why) if std::env::var_os("CI").is_none() => {
                crate::test_skips::skip(&format!("no copy-on-write view here: {why}"));
                None
            }
            Err(why) => panic!("the copy-on-write view must work in CI: {why}"),
        }
    }

    #[test]
    fn writes_land_in_the_upper_layer_and_nothing_escapes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dir = fs::canonicalize(dir.path()).expect("canonical");
        let home = dir.join("home");
        let hole = dir.join("hole");
        let layers = dir.join("layers");
        for d in [&home, &hole, &layers] {
            fs::create_dir_all(d).expect("mkdir");
        }
        fs::write(home.join("cred"), "REAL").expect("write");
        fs::write(home.join("gone"), "x").expect("write");
        fs::write(home.join("same"), "same").expect("write");
        let Some(plan) = plan(&layers) else {
            return;
        };
        let layer = plan.layer(&layers.join("A")).expect("layer");
        let script = r#"set -u
echo stolen > "$1/cred" || exit 10
echo new > "$1/new" || exit 11
rm "$1/gone" || exit 12
: >> "$1/same" || exit 13
echo t > "$1/tmpfile" && rm "$1/tmpfile" || exit 14
echo real > "$2/x" || exit 15
# Another way to the real files: the root of a process outside the view.
if echo escaped > "/proc/$3/root$1/escaped" 2>/dev/null; then exit 16; fi
if umount -l "$1" 2>/dev/null || umount -l / 2>/dev/null; then exit 17; fi
[ "$(cat "$1/cred")" = stolen ] || exit 18
"#;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg("sh")
            .arg(&home)
            .arg(&hole)
            .arg(std::process::id().to_string())
            .stdin(Stdio::null());
        layer
            .apply(&mut cmd, std::slice::from_ref(&hole), Some(&dir))
            .expect("apply");
        let status = cmd.status().expect("run");
        assert!(status.success(), "{status:?}");
        assert_eq!(fs::read_to_string(home.join("cred")).expect("read"), "REAL");
        assert!(home.join("gone").exists() && !home.join("new").exists());
        assert!(!home.join("escaped").exists());
        assert_eq!(fs::read_to_string(hole.join("x")).expect("read"), "real\n");
        let changes = layer.changes();
        assert_eq!(
            changes,
            [
                (home.join("cred"), Change::Modified),
                (home.join("gone"), Change::Removed),
                (home.join("new"), Change::Created),
            ]
        );
        remove_layer_dir(&layers).expect("remove layers");
    }

    #[test]
    fn mounts_inside_a_writable_mount_split_it() {
        let mounts = mountinfo::parse(
            b"1 0 8:1 / / rw - ext4 /dev/sda rw\n\
2 1 0:5 / /proc rw - proc proc rw\n\
3 1 0:6 / /dev rw - devtmpfs udev rw\n\
4 3 0:7 / /dev/shm rw - tmpfs tmpfs rw\n\
5 1 8:2 / /home rw - ext4 /dev/sdb rw\n\
6 1 0:8 / /media/cd ro - iso9660 /dev/sr0 ro\n",
        );
        let (targets, spines) = places(&mounts);
        assert!(targets.contains(&PathBuf::from("/dev/shm")), "{targets:?}");
        assert!(targets.contains(&PathBuf::from("/home")), "{targets:?}");
        assert!(!targets.contains(&PathBuf::from("/proc")));
        assert!(
            !targets
                .iter()
                .any(|t| t == Path::new("/") || t == Path::new("/dev"))
        );
        assert_eq!(spines, [PathBuf::from("/"), PathBuf::from("/dev")]);
    }
}
