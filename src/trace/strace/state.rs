//! What the parser remembers between lines: each process's working folder
//! and descriptors, and calls split by other processes' lines.

use super::*;

/// Hash for pid and fd keys: a multiply, folded so the low bits see the high ones.
#[derive(Default)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

pub(super) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

pub(super) type FdTable = IdMap<i64, Vec<u8>>;

/// What one process (strace's pid, really a thread id) knows about paths.
pub(super) struct Proc {
    pub(super) cwd: Rc<RefCell<Vec<u8>>>,
    /// False while the working directory is only the default guess.
    pub(super) cwd_known: bool,
    pub(super) fds: Rc<RefCell<FdTable>>,
    /// Line on which this state was made (to tell a reused pid from a child
    /// seen before its parent's `clone` returned).
    pub(super) since: u64,
}

impl Proc {
    /// A process whose start is not in the trace: its working folder is the
    /// command's (a guess) when that is known, else unknown (empty).
    pub(super) fn new(cwd: Option<&[u8]>, since: u64) -> Self {
        Proc {
            cwd: Rc::new(RefCell::new(cwd.unwrap_or_default().to_vec())),
            cwd_known: false,
            fds: Rc::new(RefCell::new(FdTable::default())),
            since,
        }
    }

    /// The state a new child starts with.
    pub(super) fn child(&self, share_fs: bool, share_files: bool, since: u64) -> Proc {
        let cwd = if share_fs {
            self.cwd.clone()
        } else {
            Rc::new(RefCell::new(self.cwd.borrow().clone()))
        };
        let fds = if share_files {
            self.fds.clone()
        } else {
            Rc::new(RefCell::new(self.fds.borrow().clone()))
        };
        Proc {
            cwd,
            cwd_known: self.cwd_known,
            fds,
            since,
        }
    }
}

/// A call seen up to `<unfinished ...>`, waiting for its resumed half.
pub(super) struct Pending {
    /// The call's name, then its first half from just after `NAME(`.
    pub(super) buf: Vec<u8>,
    pub(super) name_len: usize,
    pub(super) kind: Kind,
    /// Line on which the call started.
    pub(super) since: u64,
}

impl Pending {
    pub(super) fn name(&self) -> &[u8] {
        &self.buf[..self.name_len]
    }

    pub(super) fn text(&self) -> &[u8] {
        &self.buf[self.name_len..]
    }
}

/// Buffers of finished pending calls kept for the next ones, and the largest
/// kept.
pub(super) const SPARE_BUFFERS: usize = 16;
pub(super) const SPARE_CAPACITY: usize = 4096;

/// Searchers for the words looked for inside calls, built once.
pub(super) struct Words {
    pub(super) empty_path: memmem::Finder<'static>,
    pub(super) clone_fs: memmem::Finder<'static>,
    pub(super) clone_files: memmem::Finder<'static>,
    pub(super) attached: memmem::Finder<'static>,
}

impl Words {
    pub(super) fn new() -> Self {
        Words {
            empty_path: memmem::Finder::new(b"AT_EMPTY_PATH"),
            clone_fs: memmem::Finder::new(b"CLONE_FS"),
            clone_files: memmem::Finder::new(b"CLONE_FILES"),
            attached: memmem::Finder::new(ATTACHED_CUT),
        }
    }
}

pub(super) struct Parser {
    pub(super) stats: ParseStats,
    pub(super) words: Words,
    /// Where the traced command started, when known.
    pub(super) start_cwd: Option<Vec<u8>>,
    pub(super) pid_given: bool,
    /// Pid reported for lines without a pid prefix.
    pub(super) unprefixed_pid: u32,
    /// True until the real pid behind unprefixed stderr lines is known.
    pub(super) unprefixed_pseudo: bool,
    pub(super) procs: IdMap<u32, Proc>,
    pub(super) pending: IdMap<u32, Pending>,
    pub(super) spare: Vec<Vec<u8>>,
    pub(super) join: Vec<u8>,
    /// The previous line ended with strace's `... attached` message.
    pub(super) after_attach: bool,
    /// The process whose call that message cut in two.
    pub(super) cut_pid: Option<u32>,
    /// Line on which the call being handled started.
    pub(super) call_since: u64,
}

/// The directory a relative path is taken from.
pub(super) enum Dir<'a> {
    Cwd,
    Fd(i64),
    Known(Cow<'a, [u8]>),
    Unknown,
}

impl Parser {
    pub(super) fn new(cwd: Option<&[u8]>) -> Self {
        Parser {
            stats: ParseStats::default(),
            words: Words::new(),
            start_cwd: cwd.map(normalize),
            pid_given: false,
            unprefixed_pid: 0,
            unprefixed_pseudo: true,
            procs: IdMap::default(),
            pending: IdMap::default(),
            spare: Vec::new(),
            join: Vec::new(),
            after_attach: false,
            cut_pid: None,
            call_since: 0,
        }
    }

    /// Start reading another input: `pid` owns its unprefixed lines (a
    /// `-ff` file), or the lone process of the stderr form does (`None`).
    /// What is known of processes carries over; a call cut at the end of the
    /// previous input does not.
    pub(super) fn begin_input(&mut self, pid: Option<u32>) {
        self.pid_given = pid.is_some();
        self.unprefixed_pid = pid.unwrap_or(0);
        self.unprefixed_pseudo = pid.is_none();
        self.stats.unknown += self.pending.len() as u64;
        self.pending.clear();
        self.after_attach = false;
        self.cut_pid = None;
    }

    pub(super) fn line(&mut self, raw: &[u8], cut: bool, sink: &mut dyn FnMut(TraceEvent)) {
        self.stats.lines += 1;
        let line = trim_end(raw);
        let after_attach = std::mem::replace(&mut self.after_attach, line.ends_with(b" attached"));
        let (line_pid, rest) = split_prefix(line, self.pid_given);
        let prefixed = line_pid.is_some();
        let pid = line_pid.unwrap_or(self.unprefixed_pid);
        match classify(rest) {
            Line::Empty | Line::Quiet => {}
            Line::Garbage if after_attach => {
                // The rest of a call cut by `strace: Process N attached`.
                if let Some(cut_pid) = self.cut_pid.take()
                    && let Some(name) = self.pending.get(&cut_pid).map(|p| p.name().to_vec())
                {
                    self.resumed(cut_pid, false, &name, trim_start(line), cut, sink);
                }
            }
            Line::Garbage => self.stats.unknown += 1,
            Line::Exit => self.exit(pid, prefixed),
            Line::Superseded(old) => {
                if let Some(p) = self.pending.remove(&old) {
                    self.pending.insert(pid, p);
                }
                if let Some(p) = self.procs.remove(&old) {
                    self.procs.insert(pid, p);
                }
            }
            Line::Call { name, body } => {
                if !self.pending.is_empty() && self.pending.remove(&pid).is_some() {
                    // A new call while one was pending: its other half was lost.
                    self.stats.unknown += 1;
                }
                let Some(kind) = kind_of(name) else { return };
                self.adopt_by_call(pid, prefixed);
                if let Some(first) = body.strip_suffix(UNFINISHED) {
                    self.defer(pid, name, kind, first);
                } else if body.ends_with(DETACHED) {
                    // strace let go of the process mid-call.
                } else {
                    self.call_since = self.stats.lines;
                    self.whole(pid, name, kind, body, cut, sink);
                }
            }
            Line::Resumed { name, body } => self.resumed(pid, prefixed, name, body, cut, sink),
        }
    }

    pub(super) fn exit(&mut self, pid: u32, prefixed: bool) {
        self.pending.remove(&pid);
        self.procs.remove(&pid);
        if prefixed
            && pid == self.unprefixed_pid
            && !self.unprefixed_pseudo
            && self.procs.len() == 1
        {
            // strace drops the prefix again when a single process is left.
            if let Some(&only) = self.procs.keys().next() {
                self.unprefixed_pid = only;
            }
        }
    }

    pub(super) fn defer(&mut self, pid: u32, name: &[u8], kind: Kind, first: &[u8]) {
        let first = trim_end(first);
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.clear();
        buf.reserve(name.len() + first.len() + 32);
        buf.extend_from_slice(name);
        buf.extend_from_slice(first);
        let pending = Pending {
            buf,
            name_len: name.len(),
            kind,
            since: self.stats.lines,
        };
        if let Some(old) = self.pending.insert(pid, pending) {
            self.recycle(old.buf);
        }
    }

    pub(super) fn recycle(&mut self, buf: Vec<u8>) {
        if self.spare.len() < SPARE_BUFFERS && buf.capacity() <= SPARE_CAPACITY {
            self.spare.push(buf);
        }
    }

    pub(super) fn resumed(
        &mut self,
        pid: u32,
        prefixed: bool,
        name: &[u8],
        body: &[u8],
        cut: bool,
        sink: &mut dyn FnMut(TraceEvent),
    ) {
        let kind = kind_of(name);
        let mut pending = if self.pending.is_empty() {
            None
        } else {
            self.pending.remove(&pid)
        };
        if pending.is_none() && kind.is_some() && prefixed {
            pending = self.adopt_by_resume(pid, name);
        }
        let Some(p) = pending else {
            if kind.is_some() {
                self.stats.unknown += 1;
            }
            return;
        };
        if p.name() != name {
            // The pending call's end went missing.
            self.stats.unknown += 1;
            if kind.is_some() {
                self.stats.unknown += 1;
            }
            return;
        }
        let mut rest = trim_start(body);
        if let Some(r) = rest.strip_prefix(UNFINISHED) {
            rest = trim_start(r);
        }
        if rest.ends_with(DETACHED) {
            return;
        }
        let mut joined = std::mem::take(&mut self.join);
        joined.clear();
        joined.extend_from_slice(p.text());
        if joined.last() == Some(&b',') {
            joined.push(b' ');
        }
        joined.extend_from_slice(rest);
        if let Some(first) = joined.strip_suffix(UNFINISHED) {
            // Still not done (after a cut by an `attached` message).
            self.defer(pid, p.name(), p.kind, first);
        } else {
            self.call_since = p.since;
            self.whole(pid, p.name(), p.kind, &joined, cut, sink);
        }
        if joined.capacity() <= MAX_LINE {
            self.join = joined;
        }
        self.recycle(p.buf);
    }

    /// Handle a call's whole text (after `NAME(`); `call_since` is set.
    pub(super) fn whole(
        &mut self,
        pid: u32,
        name: &[u8],
        kind: Kind,
        text: &[u8],
        cut: bool,
        sink: &mut dyn FnMut(TraceEvent),
    ) {
        if !cut && self.call(pid, name, kind, text, sink) {
            return;
        }
        if let Some(at) = self.words.attached.find(text) {
            // `clone(...strace: Process N attached`, then on the next line
            // ` <unfinished ...>` or the rest of the call.
            self.defer(pid, name, kind, &text[..at]);
            self.cut_pid = Some(pid);
        } else {
            self.stats.unknown += 1;
        }
    }

    /// In the stderr form, lines of a lone process carry no pid. When the
    /// first `[pid N]` resumes the call that unprefixed lines left pending, N
    /// is that process.
    pub(super) fn adopt_by_resume(&mut self, pid: u32, name: &[u8]) -> Option<Pending> {
        if !self.unprefixed_pseudo || pid == self.unprefixed_pid {
            return None;
        }
        let matches = self
            .pending
            .get(&self.unprefixed_pid)
            .is_some_and(|p| p.name() == name);
        if !matches {
            return None;
        }
        let p = self.pending.remove(&self.unprefixed_pid);
        self.alias_unprefixed(pid);
        p
    }

    /// The first prefixed pid that is not a known child, while nothing of the
    /// unprefixed process is pending, is the unprefixed process.
    pub(super) fn adopt_by_call(&mut self, pid: u32, prefixed: bool) {
        if !prefixed || !self.unprefixed_pseudo || pid == self.unprefixed_pid {
            return;
        }
        let old = self.unprefixed_pid;
        if !self.procs.contains_key(&old)
            || self.procs.contains_key(&pid)
            || self.pending.contains_key(&old)
        {
            return;
        }
        self.alias_unprefixed(pid);
    }

    pub(super) fn alias_unprefixed(&mut self, pid: u32) {
        let old = self.unprefixed_pid;
        if let Some(state) = self.procs.remove(&old) {
            self.procs.entry(pid).or_insert(state);
        }
        self.unprefixed_pid = pid;
        self.unprefixed_pseudo = false;
    }

    pub(super) fn proc(&mut self, pid: u32) -> &mut Proc {
        if !self.procs.contains_key(&pid) {
            let fresh = self.fresh_proc(pid);
            self.procs.insert(pid, fresh);
        }
        let (start, line) = (self.start_cwd.as_deref(), self.stats.lines);
        self.procs
            .entry(pid)
            .or_insert_with(|| Proc::new(start, line))
    }

    /// State for a pid seen for the first time. A child often shows up before
    /// its parent's `clone`/`fork` returns: when exactly one process has such a
    /// call pending, it is taken as the parent.
    pub(super) fn fresh_proc(&self, pid: u32) -> Proc {
        let mut parent = None;
        for (&ppid, p) in &self.pending {
            if p.kind != Kind::Fork || ppid == pid {
                continue;
            }
            if parent.is_some() {
                return Proc::new(self.start_cwd.as_deref(), self.stats.lines);
            }
            parent = Some((ppid, p));
        }
        let Some((ppid, pending)) = parent else {
            return Proc::new(self.start_cwd.as_deref(), self.stats.lines);
        };
        let Some(p) = self.procs.get(&ppid) else {
            return Proc::new(self.start_cwd.as_deref(), self.stats.lines);
        };
        p.child(
            has_flag(pending.text(), &self.words.clone_fs),
            has_flag(pending.text(), &self.words.clone_files),
            self.stats.lines,
        )
    }

    pub(super) fn set_cwd(&mut self, pid: u32, dir: &[u8]) {
        let p = self.proc(pid);
        let mut cwd = p.cwd.borrow_mut();
        cwd.clear();
        cwd.extend_from_slice(dir);
        drop(cwd);
        p.cwd_known = true;
    }

    pub(super) fn set_fd(&mut self, pid: u32, fd: i64, path: Option<Vec<u8>>) {
        let p = self.proc(pid);
        let mut fds = p.fds.borrow_mut();
        match path {
            Some(path) => {
                fds.insert(fd, path);
            }
            None => {
                fds.remove(&fd);
            }
        }
    }

    /// The path `fd` was opened with, if known.
    pub(super) fn fd_path(&self, pid: u32, fd: i64) -> Option<Vec<u8>> {
        let p = self.procs.get(&pid)?;
        p.fds.borrow().get(&fd).cloned()
    }

    /// Absolute path for `path` relative to `dir`; as printed when `dir` is
    /// unknown; `None` for an empty path whose directory is unknown.
    pub(super) fn resolve(&mut self, pid: u32, dir: &Dir<'_>, path: &[u8]) -> Option<Vec<u8>> {
        if path.first() == Some(&b'/') {
            return Some(normalize(path));
        }
        let joined = match dir {
            Dir::Known(base) => Some(join(base, path)),
            Dir::Cwd => {
                let guess = self.start_cwd.is_some();
                let p = self.proc(pid);
                // A folder neither the trace nor the caller knows: the path
                // stays as printed (relative, unresolved).
                (p.cwd_known || guess).then(|| join(&p.cwd.borrow(), path))
            }
            Dir::Fd(fd) => self
                .procs
                .get(&pid)
                .and_then(|p| p.fds.borrow().get(fd).map(|base| join(base, path))),
            Dir::Unknown => None,
        };
        joined.or_else(|| (!path.is_empty()).then(|| path.to_vec()))
    }

    /// Read a dirfd argument, noting what a `-y` annotation tells about the cwd.
    pub(super) fn dirfd<'a>(&mut self, pid: u32, args: &Args<'a>, i: usize) -> Dir<'a> {
        let dir = args.dirfd(i);
        if let DirArg::CwdIs(path) = dir {
            self.set_cwd(pid, &path);
            return Dir::Known(path);
        }
        match dir {
            DirArg::Cwd => Dir::Cwd,
            DirArg::Fd(fd) => Dir::Fd(fd),
            DirArg::FdIs(path) => Dir::Known(path),
            DirArg::CwdIs(_) | DirArg::Unknown => Dir::Unknown,
        }
    }

    pub(super) fn emit(
        &mut self,
        sink: &mut dyn FnMut(TraceEvent),
        pid: u32,
        name: &[u8],
        op: Op,
        path: Vec<u8>,
        result: &Result<i64, Errno>,
    ) {
        self.stats.events += 1;
        sink(TraceEvent {
            pid,
            syscall: match std::str::from_utf8(name) {
                Ok(name) => name.to_owned(),
                Err(_) => String::from_utf8_lossy(name).into_owned(),
            },
            op,
            path: path_from_bytes(path),
            result: result.clone(),
            comm: None,
        });
    }

    /// Handle one whole call; false when it cannot be understood (nothing is
    /// emitted then).
    pub(super) fn call(
        &mut self,
        pid: u32,
        name: &[u8],
        kind: Kind,
        body: &[u8],
        sink: &mut dyn FnMut(TraceEvent),
    ) -> bool {
        let mut args = Args::new();
        let Some(ret) = split_call(body, &mut args) else {
            return false;
        };
        let result = ret.result();
        match kind {
            Kind::Open(form) => {
                let (dir_i, path_i) = if form == OpenForm::Plain {
                    (None, 0)
                } else {
                    (Some(0), 1)
                };
                let Some(PathArg::Str(path)) = args.path(path_i) else {
                    return false;
                };
                if path.is_empty() {
                    return true;
                }
                let flags = args.get(path_i + 1);
                let flags = if form == OpenForm::At2 {
                    struct_field(flags, b"flags=")
                } else {
                    flags
                };
                let op = open_op(flags);
                let dir = match dir_i {
                    Some(i) => self.dirfd(pid, &args, i),
                    None => Dir::Cwd,
                };
                let Some(full) = self.resolve(pid, &dir, &path) else {
                    return true;
                };
                // With `-y` every later use of the fd names its path itself.
                if let Ok(fd) = result
                    && !ret.annotated
                {
                    self.set_fd(pid, fd, Some(full.clone()));
                }
                let target = ret
                    .fd_path()
                    .filter(|t| t.first() == Some(&b'/') && **t != full[..]);
                if let Some(target) = target {
                    // Through a symbolic link: what was really opened counts too.
                    self.emit(sink, pid, name, op, normalize(&target), &result);
                }
                self.emit(sink, pid, name, op, full, &result);
            }
            Kind::Creat => {
                let Some(PathArg::Str(path)) = args.path(0) else {
                    return false;
                };
                if path.is_empty() {
                    return true;
                }
                let Some(full) = self.resolve(pid, &Dir::Cwd, &path) else {
                    return true;
                };
                // With `-y` every later use of the fd names its path itself.
                if let Ok(fd) = result
                    && !ret.annotated
                {
                    self.set_fd(pid, fd, Some(full.clone()));
                }
                self.emit(sink, pid, name, Op::Create, full, &result);
            }
            Kind::File(op) | Kind::FileAt(op) => {
                let at = matches!(kind, Kind::FileAt(_));
                let path_i = usize::from(at);
                let Some(path) = args.path(path_i) else {
                    return false;
                };
                let dir = if at {
                    self.dirfd(pid, &args, 0)
                } else {
                    Dir::Cwd
                };
                let path = match path {
                    PathArg::Str(p) if !p.is_empty() => p,
                    // The dirfd itself: `fstatat(fd, "", ..., AT_EMPTY_PATH)`,
                    // `utimensat(fd, NULL, ...)`.
                    PathArg::Str(_) if at && args.has_flag(&self.words.empty_path) => {
                        Cow::Borrowed(&[][..])
                    }
                    PathArg::Null if at => Cow::Borrowed(&[][..]),
                    PathArg::Str(_) | PathArg::Null => return true,
                };
                if let Some(full) = self.resolve(pid, &dir, &path) {
                    self.emit(sink, pid, name, op, full, &result);
                }
            }
            Kind::Rename { at } | Kind::Link { at } => {
                let (old_i, new_i) = if at { (1, 3) } else { (0, 1) };
                let (Some(PathArg::Str(old)), Some(PathArg::Str(new))) =
                    (args.path(old_i), args.path(new_i))
                else {
                    return false;
                };
                let (old_dir, new_dir) = if at {
                    (self.dirfd(pid, &args, 0), self.dirfd(pid, &args, 2))
                } else {
                    (Dir::Cwd, Dir::Cwd)
                };
                let (from_op, to_op) = if matches!(kind, Kind::Rename { .. }) {
                    (Op::RenameFrom, Op::RenameTo)
                } else {
                    (Op::Read, Op::Link)
                };
                let old_ok = !old.is_empty() || (at && args.has_flag(&self.words.empty_path));
                if old_ok && let Some(full) = self.resolve(pid, &old_dir, &old) {
                    self.emit(sink, pid, name, from_op, full, &result);
                }
                if !new.is_empty()
                    && let Some(full) = self.resolve(pid, &new_dir, &new)
                {
                    self.emit(sink, pid, name, to_op, full, &result);
                }
            }
            Kind::Symlink { at } => {
                let link_i = if at { 2 } else { 1 };
                let Some(PathArg::Str(link)) = args.path(link_i) else {
                    return false;
                };
                let dir = if at {
                    self.dirfd(pid, &args, 1)
                } else {
                    Dir::Cwd
                };
                // The target is text stored in the link, not a path the call
                // touches: only the link's own path is made.
                if !link.is_empty()
                    && let Some(full) = self.resolve(pid, &dir, &link)
                {
                    self.emit(sink, pid, name, Op::Link, full, &result);
                }
            }
            Kind::Exec { at } => {
                let path_i = usize::from(at);
                let Some(PathArg::Str(path)) = args.path(path_i) else {
                    return false;
                };
                let dir = if at {
                    self.dirfd(pid, &args, 0)
                } else {
                    Dir::Cwd
                };
                if (!path.is_empty() || (at && args.has_flag(&self.words.empty_path)))
                    && let Some(full) = self.resolve(pid, &dir, &path)
                {
                    self.emit(sink, pid, name, Op::Exec, full, &result);
                }
            }
            Kind::Chdir => {
                let Some(PathArg::Str(path)) = args.path(0) else {
                    return false;
                };
                if path.is_empty() {
                    return true;
                }
                if let Some(full) = self.resolve(pid, &Dir::Cwd, &path) {
                    if result.is_ok() {
                        self.set_cwd(pid, &full);
                    }
                    self.emit(sink, pid, name, Op::Stat, full, &result);
                }
            }
            Kind::Fchdir => {
                let dir = match args.dirfd(0) {
                    DirArg::Fd(fd) => self.fd_path(pid, fd).map(Cow::Owned),
                    DirArg::FdIs(p) => Some(p),
                    DirArg::Cwd | DirArg::CwdIs(_) | DirArg::Unknown => None,
                };
                if result.is_ok()
                    && let Some(dir) = dir
                {
                    self.set_cwd(pid, &dir);
                }
            }
            Kind::Close => {
                let Some(fd) = leading_int(args.get(0)) else {
                    return false;
                };
                if let Some(p) = self.procs.get(&pid) {
                    p.fds.borrow_mut().remove(&fd);
                }
            }
            Kind::CloseRange => {
                let Some(lo) = leading_int(args.get(0)) else {
                    return false;
                };
                let hi = leading_int(args.get(1)).unwrap_or(i64::MAX);
                if result.is_ok()
                    && let Some(p) = self.procs.get(&pid)
                {
                    p.fds.borrow_mut().retain(|&fd, _| fd < lo || fd > hi);
                }
            }
            Kind::Dup | Kind::Fcntl => {
                if kind == Kind::Fcntl && !args.get(1).starts_with(b"F_DUPFD") {
                    return true;
                }
                let Ok(new) = result else { return true };
                if let DirArg::Fd(old) = args.dirfd(0) {
                    let path = self.fd_path(pid, old);
                    self.set_fd(pid, new, path);
                }
            }
            Kind::Connect => {
                // Only Unix sockets have a path; an abstract one prints `@"name"`.
                let addr = args.get(1);
                let Some(at) = memmem::find(addr, b"sun_path=") else {
                    return true;
                };
                let rest = &addr[at + b"sun_path=".len()..];
                let (is_abstract, rest) = match rest.strip_prefix(b"@") {
                    Some(rest) => (true, rest),
                    None => (false, rest),
                };
                let Some(path) = decode_quoted(rest) else {
                    return false;
                };
                let full = if is_abstract {
                    [&b"@"[..], &path].concat()
                } else {
                    match self.resolve(pid, &Dir::Cwd, &path) {
                        Some(full) => full,
                        None => return true,
                    }
                };
                self.emit(sink, pid, name, Op::Connect, full, &result);
            }
            Kind::Fork => {
                if let Ok(child) = result
                    && let Ok(child) = u32::try_from(child)
                    && child > 0
                {
                    let share_fs = has_flag(body, &self.words.clone_fs);
                    let share_files = has_flag(body, &self.words.clone_files);
                    self.inherit(pid, child, share_fs, share_files);
                }
            }
        }
        true
    }

    /// Give `child` its parent's working directory and descriptors.
    pub(super) fn inherit(&mut self, parent: u32, child: u32, share_fs: bool, share_files: bool) {
        let (started, line) = (self.call_since, self.stats.lines);
        let born = self.proc(parent).child(share_fs, share_files, line);
        match self.procs.get_mut(&child) {
            // Absent, or left by an earlier process with this pid.
            None => {
                self.procs.insert(child, born);
            }
            Some(c) if c.since <= started => {
                *c = born;
            }
            Some(c) => {
                // The child's first lines came before the parent's return.
                if !c.cwd_known && !Rc::ptr_eq(&c.cwd, &born.cwd) {
                    let dir = born.cwd.borrow().clone();
                    *c.cwd.borrow_mut() = dir;
                    c.cwd_known = born.cwd_known;
                }
                if !Rc::ptr_eq(&c.fds, &born.fds) {
                    let parent_fds = born.fds.borrow();
                    let mut mine = c.fds.borrow_mut();
                    for (fd, path) in parent_fds.iter() {
                        mine.entry(*fd).or_insert_with(|| path.clone());
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
