//! The strace parser against lines in every form strace prints.

use super::*;
use std::io::{BufReader, Cursor};
use std::path::PathBuf;

type Ev = (u32, String, Op, String, Result<i64, Errno>);

fn run_bytes(input: &[u8], pid: Option<u32>) -> (Vec<TraceEvent>, ParseStats) {
    let mut out = Vec::new();
    let mut session = Session::new(Some(Path::new("/home/u")));
    session
        .read(Cursor::new(input), pid, &mut |e| out.push(e))
        .unwrap();
    (out, session.stats())
}

fn short(events: &[TraceEvent]) -> Vec<Ev> {
    events
        .iter()
        .map(|e| {
            let path = e.path.to_string_lossy().into_owned();
            (e.pid, e.syscall.clone(), e.op, path, e.result.clone())
        })
        .collect()
}

fn run(input: &str) -> (Vec<Ev>, ParseStats) {
    let (events, stats) = run_bytes(input.as_bytes(), None);
    (short(&events), stats)
}

/// Events as (op, path) pairs, for inputs where nothing else matters.
fn ops(input: &str) -> Vec<(Op, String)> {
    run(input)
        .0
        .into_iter()
        .map(|(_, _, op, path, _)| (op, path))
        .collect()
}

fn ev(pid: u32, sc: &str, op: Op, path: &str, result: Result<i64, &str>) -> Ev {
    (
        pid,
        sc.to_owned(),
        op,
        path.to_owned(),
        result.map_err(Errno::from),
    )
}

fn pair(op: Op, path: &str) -> (Op, String) {
    (op, path.to_owned())
}

#[test]
fn pid_prefixed_openat() {
    let (events, stats) = run(
        "12345 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3\n\
         12345 read(3, \"root:x:0:0:root:/root:/bin/bash\\n\"..., 4096) = 1234\n\
         12345 close(3)                          = 0\n",
    );
    assert_eq!(
        events,
        vec![ev(12345, "openat", Op::Read, "/etc/passwd", Ok(3))]
    );
    assert_eq!(
        stats,
        ParseStats {
            lines: 3,
            events: 1,
            unknown: 0
        }
    );
}

#[test]
fn open_flags_pick_the_op() {
    let got = ops(concat!(
        "1 open(\"x\", O_WRONLY|O_APPEND|O_CREAT, 0666) = 3\n",
        "1 openat(AT_FDCWD, \"a\", O_RDONLY|O_CREAT, 0400) = 3\n",
        "1 openat(AT_FDCWD, \"b\", O_WRONLY|O_TRUNC) = 3\n",
        "1 openat(AT_FDCWD, \"c\", O_RDWR|O_CLOEXEC) = 3\n",
        "1 openat(AT_FDCWD, \"d\", O_RDONLY|O_APPEND) = 3\n",
        "1 openat(AT_FDCWD, \"e\", O_RDONLY|O_DIRECTORY|O_NONBLOCK) = 3\n",
        "1 openat(-100, \"f\", 0x241, 0666) = 3\n",
        "1 openat(-100 /* AT_FDCWD */, \"g\", 0x241 /* O_WRONLY|O_CREAT|O_TRUNC */, 0666) = 3\n",
        "1 openat(-100, \"h\", 0) = 3\n",
        "1 openat2(AT_FDCWD, \"i\", {flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS}, 24) = 3\n",
        "1 openat2(AT_FDCWD, \"j\", {flags=O_WRONLY|O_CREAT, mode=0644, resolve=0}, 24) = 3\n",
        "1 openat2(AT_FDCWD, \"k\", {flags=O_RDWR, resolve=0}, 24) = 3\n",
        "1 creat(\"l\", 0644) = 3\n",
        "1 open_by_handle_at(3, {handle_bytes=8, handle_type=1}, O_RDONLY) = 4\n",
    ));
    assert_eq!(
        got,
        vec![
            pair(Op::Create, "/home/u/x"),
            pair(Op::Create, "/home/u/a"),
            pair(Op::Write, "/home/u/b"),
            pair(Op::Write, "/home/u/c"),
            pair(Op::Write, "/home/u/d"),
            pair(Op::Read, "/home/u/e"),
            pair(Op::Create, "/home/u/f"),
            pair(Op::Create, "/home/u/g"),
            pair(Op::Read, "/home/u/h"),
            pair(Op::Read, "/home/u/i"),
            pair(Op::Create, "/home/u/j"),
            pair(Op::Write, "/home/u/k"),
            pair(Op::Create, "/home/u/l"),
        ]
    );
}

#[test]
fn syscall_table() {
    let got = ops(concat!(
        "1 stat(\"a\", {st_mode=S_IFREG|0644, st_size=3, ...}) = 0\n",
        "1 lstat(\"/b\", 0x7ffd) = 0\n",
        "1 newfstatat(AT_FDCWD, \"c\", {st_mode=S_IFREG|0644, st_size=3, ...}, 0) = 0\n",
        "1 statx(AT_FDCWD, \"d\", AT_STATX_SYNC_AS_STAT, STATX_ALL, {stx_mask=STATX_BASIC_STATS, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=3, ...}) = 0\n",
        "1 access(\"e\", R_OK) = 0\n",
        "1 faccessat2(AT_FDCWD, \"f\", X_OK, AT_EACCESS) = 0\n",
        "1 readlink(\"g\", \"target\", 4096) = 6\n",
        "1 readlinkat(AT_FDCWD, \"h\", 0x7ffd, 4095) = -1 EINVAL (Invalid argument)\n",
        "1 statfs(\"i\", {f_type=EXT2_SUPER_MAGIC, ...}) = 0\n",
        "1 getxattr(\"j\", \"user.x\", NULL, 0) = -1 ENODATA (No data available)\n",
        "1 llistxattr(\"k\", NULL, 0) = 0\n",
        "1 utimensat(AT_FDCWD, \"l\", [UTIME_NOW, UTIME_NOW], 0) = 0\n",
        "1 utimes(\"m\", [{tv_sec=0, tv_usec=0}, {tv_sec=0, tv_usec=0}]) = 0\n",
        "1 chmod(\"n\", 0600) = 0\n",
        "1 fchmodat(AT_FDCWD, \"o\", 0600) = 0\n",
        "1 fchownat(AT_FDCWD, \"p\", 0, 0, AT_SYMLINK_NOFOLLOW) = 0\n",
        "1 truncate(\"q\", 0) = 0\n",
        "1 setxattr(\"r\", \"user.x\", \"v\", 1, 0) = 0\n",
        "1 lremovexattr(\"s\", \"user.x\") = 0\n",
        "1 mkdir(\"t\", 0777) = 0\n",
        "1 mkdirat(AT_FDCWD, \"u\", 0700) = 0\n",
        "1 mknod(\"v\", S_IFIFO|0644) = 0\n",
        "1 mknodat(AT_FDCWD, \"w\", S_IFIFO|0644) = 0\n",
        "1 unlink(\"x\") = 0\n",
        "1 unlinkat(AT_FDCWD, \"y\", AT_REMOVEDIR) = 0\n",
        "1 rmdir(\"z\") = 0\n",
        "1 utime(\"za\", NULL) = 0\n",
        "1 lchown(\"zb\", 0, 0) = 0\n",
    ));
    use Op::*;
    let want = [
        (Stat, "a"),
        (Stat, "/b"),
        (Stat, "c"),
        (Stat, "d"),
        (Stat, "e"),
        (Stat, "f"),
        (Stat, "g"),
        (Stat, "h"),
        (Stat, "i"),
        (Stat, "j"),
        (Stat, "k"),
        (Write, "l"),
        (Write, "m"),
        (Write, "n"),
        (Write, "o"),
        (Write, "p"),
        (Write, "q"),
        (Write, "r"),
        (Write, "s"),
        (Mkdir, "t"),
        (Mkdir, "u"),
        (Create, "v"),
        (Create, "w"),
        (Delete, "x"),
        (Delete, "y"),
        (Delete, "z"),
        (Write, "za"),
        (Write, "zb"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(op, p)| {
            let path = if p.starts_with('/') {
                p.to_string()
            } else {
                format!("/home/u/{p}")
            };
            (*op, path)
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn stderr_prefixes_and_given_pid() {
    let input = "openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n\
                 [pid  4130] openat(AT_FDCWD, \"/b\", O_RDONLY) = 3\n\
                 [pid 77] stat(\"/c\", 0x1) = 0\n";
    let (events, _) = run(input);
    let pids: Vec<u32> = events.iter().map(|e| e.0).collect();
    assert_eq!(pids, vec![0, 4130, 77]);

    let (events, stats) = run_bytes(b"openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n", Some(42));
    assert_eq!(events[0].pid, 42);
    assert_eq!(stats.events, 1);
    // In a `-ff` file a leading number is a timestamp, never a pid.
    let (events, _) = run_bytes(
        b"1795607442 openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n",
        Some(7),
    );
    assert_eq!(events[0].pid, 7);
}

#[test]
fn timestamps_and_other_columns_are_skipped() {
    let input = concat!(
        "3732  11:50:42.230418 openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n",
        "3739  1795607442.249731 openat(AT_FDCWD, \"/b\", O_RDONLY) = 3\n",
        "3746       0.000079 openat(AT_FDCWD, \"/c\", O_RDONLY) = 3\n",
        "3753  11:50:42 openat(AT_FDCWD, \"/d\", O_RDONLY) = 3\n",
        "3760  openat(AT_FDCWD, \"/e\", O_RDONLY) = 3 <0.000035>\n",
        "3767  [ 257] openat(AT_FDCWD, \"/f\", O_RDONLY) = 3\n",
        "3781  [00007f2150674ad7] openat(AT_FDCWD, \"/g\", O_RDONLY) = 3\n",
        "1795607442.249731 openat(AT_FDCWD, \"/h\", O_RDONLY) = 3\n",
        "     0.000079 openat(AT_FDCWD, \"/i\", O_RDONLY) = 3\n",
        "[pid  12] 11:50:42.230418 openat(AT_FDCWD, \"/j\", O_RDONLY) = 3\n",
        "28663<sh> openat(AT_FDCWD, \"/y\", O_RDONLY) = 3\n",
        "[pid 28664<a b>] openat(AT_FDCWD, \"/z\", O_RDONLY) = 3\n",
        "11:50:42 openat(AT_FDCWD, \"/k\", O_RDONLY) = 3\n",
    );
    let (events, stats) = run(input);
    let pids: Vec<u32> = events.iter().map(|e| e.0).collect();
    let paths: Vec<&str> = events.iter().map(|e| e.3.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/a", "/b", "/c", "/d", "/e", "/f", "/g", "/h", "/i", "/j", "/y", "/z", "/k"
        ]
    );
    // Once `[pid 12]` shows up, unprefixed lines are taken as that process.
    let want = [
        3732, 3739, 3746, 3753, 3760, 3767, 3781, 0, 0, 12, 28663, 28664, 12,
    ];
    assert_eq!(pids, want);
    assert_eq!(stats.unknown, 0);
}

#[test]
fn split_calls_are_joined_per_pid() {
    let input = concat!(
        "123 openat(AT_FDCWD, \"/x\", O_RDONLY <unfinished ...>\n",
        "124 openat(AT_FDCWD, \"/y\", O_WRONLY|O_CREAT|O_TRUNC, 0666 <unfinished ...>\n",
        "123 <... openat resumed>) = 3\n",
        "124 <... openat resumed> ) = -1 EACCES (Permission denied)\n",
        "125 renameat2(AT_FDCWD, \"A\", AT_FDCWD,  <unfinished ...>\n",
        "126 rename(\"C\", \"D\" <unfinished ...>\n",
        "125 <... renameat2 resumed>\"B\", RENAME_NOREPLACE) = 0\n",
        "126 <... rename resumed>)               = 0\n",
        "127 newfstatat(AT_FDCWD, \"s\",  <unfinished ...>\n",
        "127 <... newfstatat resumed>{st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0\n",
    );
    let (events, stats) = run(input);
    assert_eq!(
        events,
        vec![
            ev(123, "openat", Op::Read, "/x", Ok(3)),
            ev(124, "openat", Op::Create, "/y", Err("EACCES")),
            ev(125, "renameat2", Op::RenameFrom, "/home/u/A", Ok(0)),
            ev(125, "renameat2", Op::RenameTo, "/home/u/B", Ok(0)),
            ev(126, "rename", Op::RenameFrom, "/home/u/C", Ok(0)),
            ev(126, "rename", Op::RenameTo, "/home/u/D", Ok(0)),
            ev(127, "newfstatat", Op::Stat, "/home/u/s", Ok(0)),
        ]
    );
    assert_eq!(stats.unknown, 0);
}

#[test]
fn split_call_lost_halves_are_unknown() {
    let input = concat!(
        "5 <... openat resumed>) = 3\n",
        "6 openat(AT_FDCWD, \"/a\", O_RDONLY <unfinished ...>\n",
        "6 <... stat resumed>) = 0\n",
        "7 read(0,  <unfinished ...>\n",
        "7 <... read resumed>\"\", 10) = 0\n",
        "8 openat(AT_FDCWD, \"/k\", O_RDONLY <unfinished ...>\n",
        "8 +++ killed by SIGKILL +++\n",
    );
    let (events, stats) = run(input);
    assert!(events.is_empty());
    // The orphan resume, and the mismatched pair (two lines).
    assert_eq!(stats.unknown, 3);
}

#[test]
fn return_values() {
    let input = concat!(
        "1 openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n",
        "1 openat(AT_FDCWD, \"/b\", O_RDONLY)       =    4\n",
        "1 openat(AT_FDCWD, \"/c\", O_RDONLY) = -1 ENOENT (No such file or directory)\n",
        "1 execve(\"/d\", [\"d\"], 0x7ffd /* 3 vars */) = ?\n",
        "1 openat(AT_FDCWD, \"/e\", O_RDONLY) = 5</e>\n",
        "1 openat(AT_FDCWD, \"/f\", O_RDONLY) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n",
        "1 openat(AT_FDCWD, \"/g\", O_RDONLY) = -1 (errno 2)\n",
        "1 openat(AT_FDCWD, \"/h\", O_RDONLY) = -1 EACCES (Permission denied) (INJECTED)\n",
        "1 openat(AT_FDCWD, \"/i\", O_RDONLY) = 0x3\n",
    );
    let results: Vec<_> = run(input).0.into_iter().map(|e| e.4).collect();
    let want: Vec<Result<i64, Errno>> = vec![
        Ok(3),
        Ok(4),
        Err("ENOENT".into()),
        Err("?".into()),
        Ok(5),
        Err("ERESTARTSYS".into()),
        Err("-1".into()),
        Err("EACCES".into()),
        Ok(3),
    ];
    assert_eq!(results, want);
}

#[test]
fn string_escapes() {
    let input = concat!(
        "1 openat(AT_FDCWD, \"/q\\\"x\", O_RDONLY) = 3\n",
        "1 openat(AT_FDCWD, \"/back\\\\sl\", O_RDONLY) = 3\n",
        "1 openat(AT_FDCWD, \"/t\\tn\\nv\\vf\\fr\\r\", O_RDONLY) = 3\n",
        "1 openat(AT_FDCWD, \"/\\303\\251\", O_RDONLY) = 3\n",
        "1 openat(AT_FDCWD, \"\\x2f\\x68\\x69\", O_RDONLY) = 3\n",
        "1 openat(AT_FDCWD, \"/\\0011\\1a\\177\", O_RDONLY) = 3\n",
        "1 openat(AT_FDCWD, \"/a, b) = 4\", O_RDONLY) = 3\n",
        "1 openat(AT_FDCWD, \"/long\"..., O_RDONLY) = 3\n",
    );
    let (events, stats) = run_bytes(input.as_bytes(), None);
    use std::os::unix::ffi::OsStrExt;
    let paths: Vec<&[u8]> = events
        .iter()
        .map(|e| e.path.as_os_str().as_bytes())
        .collect();
    let want: Vec<&[u8]> = vec![
        b"/q\"x",
        b"/back\\sl",
        b"/t\tn\nv\x0bf\x0cr\r",
        "/é".as_bytes(),
        b"/hi",
        b"/\x011\x01a\x7f",
        b"/a, b) = 4",
        b"/long",
    ];
    assert_eq!(paths, want);
    assert_eq!(stats.unknown, 0);
}

#[test]
fn y_annotations() {
    let input = concat!(
        "1 openat(3</home/u/dir>, \"name\", O_RDONLY) = 4</home/u/dir/name>\n",
        "1 openat(AT_FDCWD</cwd/dir>, \"rel\", O_RDONLY) = -1 ENOENT (No such file or directory)\n",
        "1 newfstatat(3</x/y>, \"\", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH) = 0\n",
        "1 openat(AT_FDCWD</tmp/st/sub>, \"g>t\", O_RDONLY) = 3</tmp/st/sub/g\\76t>\n",
        "1 newfstatat(3</tmp/st/sub/g\\76t>, \"\", {st_mode=S_IFREG|0644, st_size=0, ...}, AT_EMPTY_PATH) = 0\n",
        "1 newfstatat(3</tmp/a\\74b[c>, \"\", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0\n",
        "1 newfstatat(3<\\x2f\\x74\\xc3\\xa9>, \"\", {st_mode=S_IFREG|0644, ...}, AT_EMPTY_PATH) = 0\n",
        "1 openat(AT_FDCWD</w/x,y>(deleted), \"z\", O_RDONLY) = 3\n",
        "1 newfstatat(4</dev/null<char 1:3>>, \"\", {st_mode=S_IFCHR|0666, ...}, AT_EMPTY_PATH) = 0\n",
        "1 close(4<TCP:[127.0.0.1:34856->127.0.0.1:52515]>) = 0\n",
        "1 unlinkat(5<socket:[77]>, \"s\", 0) = -1 ENOTDIR (Not a directory)\n",
        "1 utimensat(6</f/g>, NULL, [UTIME_NOW, UTIME_NOW], 0) = 0\n",
    );
    let (events, stats) = run_bytes(input.as_bytes(), None);
    use std::os::unix::ffi::OsStrExt;
    let paths: Vec<&[u8]> = events
        .iter()
        .map(|e| e.path.as_os_str().as_bytes())
        .collect();
    let want: Vec<&[u8]> = vec![
        b"/home/u/dir/name",
        b"/cwd/dir/rel",
        b"/x/y",
        b"/tmp/st/sub/g>t",
        b"/tmp/st/sub/g>t",
        b"/tmp/a<b[c",
        "/té".as_bytes(),
        b"/w/x,y/z",
        b"/dev/null",
        // A socket is no directory: the path stays as printed.
        b"s",
        b"/f/g",
    ];
    assert_eq!(paths, want);
    assert_eq!(stats.unknown, 0);
    // The last AT_FDCWD annotation also sets the cwd for calls without one.
    let got = ops("1 openat(AT_FDCWD</a/b>, \"c\", O_RDONLY) = 3\n1 stat(\"d\", 0x1) = 0\n");
    assert_eq!(
        got,
        vec![pair(Op::Read, "/a/b/c"), pair(Op::Stat, "/a/b/d")]
    );
}

#[test]
fn cwd_tracking_without_y() {
    let input = concat!(
        "1 chdir(\"sub\") = 0\n",
        "1 openat(AT_FDCWD, \"a\", O_RDONLY) = 3\n",
        "1 chdir(\"missing\") = -1 ENOENT (No such file or directory)\n",
        "1 stat(\"../b\", 0x1) = 0\n",
        "1 openat(AT_FDCWD, \"/etc\", O_RDONLY|O_DIRECTORY) = 4\n",
        "1 openat(4, \"hosts\", O_RDONLY) = 5\n",
        "1 dup2(4, 9) = 9\n",
        "1 fcntl(9, F_DUPFD_CLOEXEC, 20) = 21\n",
        "1 newfstatat(21, \"passwd\", {st_mode=S_IFREG|0644, ...}, 0) = 0\n",
        "1 fchdir(4) = 0\n",
        "1 openat(AT_FDCWD, \"./group\", O_RDONLY) = 6\n",
        "1 close(4) = 0\n",
        "1 openat(4, \"gone\", O_RDONLY) = -1 EBADF (Bad file descriptor)\n",
        "1 chdir(\"/var/./tmp/..\") = 0\n",
        "1 open(\"log\", O_WRONLY|O_APPEND) = 3\n",
        "1 close_range(3, 4294967295, 0) = 0\n",
        "1 openat(9, \"x\", O_RDONLY) = -1 EBADF (Bad file descriptor)\n",
    );
    let got = ops(input);
    assert_eq!(
        got,
        vec![
            pair(Op::Stat, "/home/u/sub"),
            pair(Op::Read, "/home/u/sub/a"),
            pair(Op::Stat, "/home/u/sub/missing"),
            pair(Op::Stat, "/home/u/b"),
            pair(Op::Read, "/etc"),
            pair(Op::Read, "/etc/hosts"),
            pair(Op::Stat, "/etc/passwd"),
            pair(Op::Read, "/etc/group"),
            pair(Op::Read, "gone"),
            pair(Op::Stat, "/var"),
            pair(Op::Write, "/var/log"),
            pair(Op::Read, "x"),
        ]
    );
}

#[test]
fn children_inherit_cwd() {
    let input = concat!(
        "10 chdir(\"/w\") = 0\n",
        "10 openat(AT_FDCWD, \"d\", O_RDONLY|O_DIRECTORY) = 3\n",
        "10 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 11\n",
        "11 openat(AT_FDCWD, \"a\", O_RDONLY) = 4\n",
        "11 openat(3, \"b\", O_RDONLY) = 5\n",
        "11 chdir(\"/elsewhere\") = 0\n",
        "10 openat(AT_FDCWD, \"c\", O_RDONLY) = 4\n",
        // A thread shares cwd and descriptors with its creator.
        "10 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD, child_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7fff00, tls=0x7f} => {parent_tid=[12]}, 88) = 12\n",
        "12 chdir(\"t\") = 0\n",
        "12 openat(AT_FDCWD, \"/z\", O_RDONLY|O_DIRECTORY) = 7\n",
        "10 openat(7, \"e\", O_RDONLY) = 8\n",
        "10 openat(AT_FDCWD, \"f\", O_RDONLY) = 9\n",
        // The child's first line before the parent's return.
        "10 vfork( <unfinished ...>\n",
        "13 openat(AT_FDCWD, \"g\", O_RDONLY) = 3\n",
        "10 <... vfork resumed>) = 13\n",
        "13 openat(AT_FDCWD, \"h\", O_RDONLY) = 3\n",
        "13 +++ exited with 0 +++\n",
    );
    let got = ops(input);
    assert_eq!(
        got,
        vec![
            pair(Op::Stat, "/w"),
            pair(Op::Read, "/w/d"),
            pair(Op::Read, "/w/a"),
            pair(Op::Read, "/w/d/b"),
            pair(Op::Stat, "/elsewhere"),
            pair(Op::Read, "/w/c"),
            pair(Op::Stat, "/w/t"),
            pair(Op::Read, "/z"),
            pair(Op::Read, "/z/e"),
            pair(Op::Read, "/w/t/f"),
            // Taken as the child of the one process with a fork pending.
            pair(Op::Read, "/w/t/g"),
            pair(Op::Read, "/w/t/h"),
        ]
    );
}

#[test]
fn reused_pid_starts_afresh() {
    // With `-qq` there are no exit lines: pid 11 comes back as 20's child.
    let input = concat!(
        "10 chdir(\"/a\") = 0\n",
        "10 clone(child_stack=NULL, flags=SIGCHLD) = 11\n",
        "11 chdir(\"/b\") = 0\n",
        "20 clone(child_stack=NULL, flags=SIGCHLD) = 11\n",
        "11 openat(AT_FDCWD, \"x\", O_RDONLY) = 3\n",
    );
    let got = ops(input);
    assert_eq!(got.last(), Some(&pair(Op::Read, "/home/u/x")));
}

#[test]
fn renames_links_symlinks() {
    let input = concat!(
        "1 rename(\"a\", \"/b\") = 0\n",
        "1 renameat(AT_FDCWD, \"c\", 3</d>, \"e\") = 0\n",
        "1 renameat2(3</x>, \"a\", AT_FDCWD, \"b\", RENAME_NOREPLACE) = -1 EEXIST (File exists)\n",
        "1 link(\"f\", \"g\") = 0\n",
        "1 linkat(AT_FDCWD, \"h\", AT_FDCWD, \"i\", 0) = 0\n",
        "1 linkat(4</tmpf>, \"\", AT_FDCWD, \"j\", AT_EMPTY_PATH) = 0\n",
        "1 symlink(\"target\", \"k\") = 0\n",
        "1 symlinkat(\"../t\", AT_FDCWD, \"l\") = 0\n",
        "1 symlinkat(\"t\", 5</m>, \"n\") = -1 EEXIST (File exists)\n",
    );
    let (events, _) = run(input);
    let got: Vec<_> = events
        .iter()
        .map(|e| (e.2, e.3.as_str(), e.4.is_ok()))
        .collect();
    use Op::*;
    assert_eq!(
        got,
        vec![
            (RenameFrom, "/home/u/a", true),
            (RenameTo, "/b", true),
            (RenameFrom, "/home/u/c", true),
            (RenameTo, "/d/e", true),
            (RenameFrom, "/x/a", false),
            (RenameTo, "/home/u/b", false),
            (Read, "/home/u/f", true),
            (Link, "/home/u/g", true),
            (Read, "/home/u/h", true),
            (Link, "/home/u/i", true),
            (Read, "/tmpf", true),
            (Link, "/home/u/j", true),
            (Link, "/home/u/k", true),
            (Link, "/home/u/l", true),
            (Link, "/m/n", false),
        ]
    );
}

#[test]
fn exec_lines() {
    let input = concat!(
        "7 execve(\"/bin/x\", [\"x\", \"a, b)\"], 0x7ffd5c89e788 /* 35 vars */) = 0\n",
        "7 execve(\"/usr/local/bin/cat\", [\"cat\"], 0x56 /* 3 vars */) = -1 ENOENT (No such file or directory)\n",
        "7 execve(\"./run\", [\"./run\"], [\"A=1\", \"B=)\"]) = 0\n",
        "7 execveat(3</bin>, \"ls\", [\"ls\"], NULL, 0) = 0\n",
        "7 execveat(4</bin/true>, \"\", [\"true\"], NULL, AT_EMPTY_PATH) = 0\n",
    );
    let (events, stats) = run(input);
    assert_eq!(
        events,
        vec![
            ev(7, "execve", Op::Exec, "/bin/x", Ok(0)),
            ev(7, "execve", Op::Exec, "/usr/local/bin/cat", Err("ENOENT")),
            ev(7, "execve", Op::Exec, "/home/u/run", Ok(0)),
            ev(7, "execveat", Op::Exec, "/bin/ls", Ok(0)),
            ev(7, "execveat", Op::Exec, "/bin/true", Ok(0)),
        ]
    );
    assert_eq!(stats.unknown, 0);
}

#[test]
fn superseded_execve() {
    let input = concat!(
        "21 execve(\"/bin/new\", [\"new\"], 0x1 /* 1 var */ <unfinished ...>\n",
        "20 +++ superseded by execve in pid 21 +++\n",
        "20 <... execve resumed>) = 0\n",
    );
    let (events, stats) = run(input);
    assert_eq!(events, vec![ev(20, "execve", Op::Exec, "/bin/new", Ok(0))]);
    assert_eq!(stats.unknown, 0);
}

#[test]
fn stderr_form_adopts_the_first_process() {
    let input = concat!(
        "chdir(\"/w\")                        = 0\n",
        "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLDstrace: Process 4130 attached\n",
        " <unfinished ...>\n",
        "[pid  4130] openat(AT_FDCWD, \"a\", O_RDONLY <unfinished ...>\n",
        "[pid  4129] <... clone resumed>, child_tidptr=0x7fdf726f5a10) = 4130\n",
        "[pid  4130] <... openat resumed>)       = 3\n",
        "[pid  4129] openat(AT_FDCWD, \"b\", O_RDONLY) = 3\n",
        "[pid  4130] +++ exited with 0 +++\n",
        "openat(AT_FDCWD, \"c\", O_RDONLY) = 3\n",
        "+++ exited with 0 +++\n",
    );
    let (events, stats) = run(input);
    assert_eq!(
        events,
        vec![
            ev(0, "chdir", Op::Stat, "/w", Ok(0)),
            // Handled when resumed, after the clone return gave it a cwd.
            ev(4130, "openat", Op::Read, "/w/a", Ok(3)),
            ev(4129, "openat", Op::Read, "/w/b", Ok(3)),
            ev(4129, "openat", Op::Read, "/w/c", Ok(3)),
        ]
    );
    assert_eq!(stats.unknown, 0);
}

#[test]
fn calls_cut_by_attach_messages() {
    let input = concat!(
        "chdir(\"/w\") = 0\n",
        "openat(AT_FDCWD, strace: Process 9 attached\n",
        "\"a\", O_RDONLY) = 3\n",
        "wait4(-1, strace: Process 10 attached\n",
        "0x7ffe30ce60ac, WNOHANG, NULL) = 0\n",
        "stat(\"b\", strace: Process 11 attached\n",
        " <unfinished ...>\n",
        "[pid 12] <... stat resumed>{st_mode=S_IFREG|0644, ...}) = 0\n",
        "[pid 12] openat(AT_FDCWD, \"c\", strace: Process 13 attached\n",
        "O_RDONLY <unfinished ...>\n",
        "[pid 13] stat(\"/d\", 0x1) = 0\n",
        "[pid 12] <... openat resumed>) = 4\n",
    );
    let (events, stats) = run(input);
    assert_eq!(
        events,
        vec![
            ev(0, "chdir", Op::Stat, "/w", Ok(0)),
            ev(0, "openat", Op::Read, "/w/a", Ok(3)),
            ev(12, "stat", Op::Stat, "/w/b", Ok(0)),
            ev(13, "stat", Op::Stat, "/d", Ok(0)),
            ev(12, "openat", Op::Read, "/w/c", Ok(4)),
        ]
    );
    assert_eq!(stats.unknown, 0);
}

#[test]
fn quiet_lines() {
    let input = concat!(
        "123 +++ exited with 0 +++\n",
        "123 +++ killed by SIGKILL +++\n",
        "+++ killed by SIGSEGV (core dumped) +++\n",
        "123 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n",
        "--- stopped by SIGTSTP ---\n",
        "strace: Process 123 attached\n",
        "strace: Process 123 detached\n",
        "[pid 5] strace: Process 6 attached\n",
        " <unfinished ...>\n",
        "123 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f\n",
        "123 read(0,  <detached ...>\n",
        "123 exit_group(0)                     = ?\n",
        " > /usr/lib/x86_64-linux-gnu/libc.so.6(__open64+0x7b) [0x114e7b]\n",
        "[ Process PID=123 runs in 32 bit mode. ]\n",
        "\n",
        "\r\n",
    );
    let (events, stats) = run(input);
    assert!(events.is_empty());
    assert_eq!(
        stats,
        ParseStats {
            lines: 16,
            events: 0,
            unknown: 0
        }
    );
}

#[test]
fn garbage_is_unknown_and_never_panics() {
    let input = concat!(
        "hello world\n",
        "12345 openat(AT_FDCWD, \"/unterminated\n",
        "12345 openat(AT_FDCWD, \"/x\", O_RDONLY\n",
        "12345 openat(AT_FDCWD, 0x7ffd, O_RDONLY) = -1 EFAULT (Bad address)\n",
        "12345 openat(AT_FDCWD, \"/x\", O_RDONLY) = \n",
        "12345 openat(3<, \"/x\", O_RDONLY) = 3\n",
        "{\"event_type\": 1}\n",
        "12345 openat(AT_FDCWD, \"/x\\",
    );
    let (events, stats) = run(input);
    assert!(events.is_empty());
    assert_eq!(stats.lines, 8);
    assert_eq!(stats.unknown, 8);

    // Pseudo-random bytes, and every prefix of real lines.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut bytes = Vec::new();
    for _ in 0..200_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let alphabet = b"\"\\<>()[]{},= 0123456789abxAT_FDCWD/\n\t|.-+?";
        let pick = (seed >> 32) as usize;
        bytes.push(if pick.is_multiple_of(4) {
            (seed >> 8) as u8
        } else {
            alphabet[pick % alphabet.len()]
        });
    }
    let _ = run_bytes(&bytes, None);
    let lines = concat!(
        "12 openat(3</a\\76b<char 1:3>>, \"x\\303\\251\\x41\", O_RDONLY|O_CREAT, 0666) = 4</p>\n",
        "12 <... renameat2 resumed>\"B\", RENAME_NOREPLACE) = 0\n",
        "[pid 9] 1.5 [  3] clone3({flags=CLONE_FS} => {parent_tid=[1]}, 88) = 13\n",
    );
    for end in 0..lines.len() {
        let _ = run_bytes(&lines.as_bytes()[..end], None);
        let _ = run_bytes(&lines.as_bytes()[end..], Some(1));
    }
}

#[test]
fn huge_and_split_lines() {
    let mut input = Vec::new();
    input.extend_from_slice(b"1 write(1, \"");
    input.resize(input.len() + 3 * MAX_LINE, b'a');
    input.extend_from_slice(b"\", 10) = 10\n");
    input.extend_from_slice(b"1 openat(AT_FDCWD, \"/");
    input.resize(input.len() + 2 * MAX_LINE, b'b');
    input.extend_from_slice(b"\", O_RDONLY) = 3\n");
    input.extend_from_slice(b"1 openat(AT_FDCWD, \"/after\", O_RDONLY) = 3\n");
    let (events, stats) = run_bytes(&input, None);
    assert_eq!(stats.lines, 3);
    assert_eq!(stats.unknown, 1);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].path, PathBuf::from("/after"));

    // The same trace through a tiny buffer gives the same events.
    let trace = concat!(
        "1 openat(AT_FDCWD, \"/a\", O_RDONLY) = 3\n",
        "2 renameat2(AT_FDCWD, \"x\", AT_FDCWD, \"y\", RENAME_NOREPLACE) = 0\n",
        "3 openat(AT_FDCWD</d>, \"b\", O_RDONLY) = 3</d/b>",
    );
    let mut small = Vec::new();
    let reader = BufReader::with_capacity(7, trace.as_bytes());
    let stats_small = parse(reader, Some(Path::new("/home/u")), &mut |e| small.push(e)).unwrap();
    let (big, stats_big) = run_bytes(trace.as_bytes(), None);
    assert_eq!(small, big);
    assert_eq!(stats_small, stats_big);
    assert_eq!(big.len(), 4);
}

#[test]
fn normalizes_lexically() {
    assert_eq!(normalize(b"/a/./b/../c//d/"), b"/a/c/d");
    assert_eq!(normalize(b"/../.."), b"/");
    assert_eq!(normalize(b"a/../../b"), b"../b");
    assert_eq!(normalize(b"./"), b".");
    assert_eq!(join(b"/x", b""), b"/x");
}

#[test]
fn looks_like_strace_lines_only() {
    for line in [
        "12345 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3",
        "[pid  123] openat(AT_FDCWD, \"/x\", O_RDONLY <unfinished ...>",
        "execve(\"/usr/bin/sh\", [\"sh\"], 0x7ffc4ff598c0 /* 39 vars */) = 0",
        "3732  11:50:42.230418 brk(NULL) = 0x5596ac4d2000",
        "123 <... openat resumed>) = 3",
        "123 +++ exited with 0 +++",
        "--- SIGCHLD {si_signo=SIGCHLD} ---",
        "strace: Process 123 attached",
        "exit_group(0)                     = ?",
    ] {
        assert!(looks_like(line), "{line}");
    }
    for line in [
        "00:59:54.600429  open              F=5        (_WC__E)  src/BAD_FILE   0.000039   git.623959",
        "00:59:54.600387  unlink                                 src/BAD_FILE   0.000328 W git.623959",
        "11:02:03.000001  stat64            [  2]           /nope        0.000010   zsh.1234",
        "{\"event_type\":10,\"process\":{}}",
        "hello (world) = 3",
        "",
        "12345",
    ] {
        assert!(!looks_like(line), "{line}");
    }
}

// --- Real strace ---------------------------------------------------------

/// Whether strace can trace here. Without it, tests fail under `CI` and
/// are skipped elsewhere.
fn strace_usable() -> bool {
    use std::process::{Command, Stdio};
    let probe = Command::new("strace")
        .args(["-f", "-o", "/dev/null", "--", "true"])
        .stdin(Stdio::null())
        .output();
    let reason = match probe {
        Err(e) => format!("cannot run strace: {e}"),
        Ok(out) if !out.status.success() => format!(
            "strace cannot trace here (ptrace denied?): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Ok(_) => return true,
    };
    if std::env::var_os("CI").is_some() {
        panic!("strace is required when CI is set: {reason}");
    }
    eprintln!("skipped: {reason}");
    false
}

/// A fresh folder under the temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "swop-strace-{tag}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // `-y` prints real paths: compare against the canonical folder.
        Scratch(std::fs::canonicalize(&dir).unwrap())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Trace `sh -c script` in `dir` with `opts`; the trace goes to `dir/T`
/// (`-o T` is added unless `opts` writes elsewhere). Returns the events and
/// stats of every trace file.
fn trace(dir: &Path, opts: &[&str], script: &str) -> (Vec<TraceEvent>, ParseStats) {
    use std::process::Command;
    let stderr_form = !opts.contains(&"-o");
    let mut cmd = Command::new("strace");
    cmd.args(opts);
    cmd.args(["sh", "-c", script]).current_dir(dir);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "strace {opts:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut events = Vec::new();
    let mut total = ParseStats::default();
    let mut add = |bytes: &[u8], pid: Option<u32>| {
        let mut session = Session::new(Some(dir));
        session
            .read(Cursor::new(bytes), pid, &mut |e| events.push(e))
            .unwrap();
        let stats = session.stats();
        total.lines += stats.lines;
        total.events += stats.events;
        total.unknown += stats.unknown;
    };
    if stderr_form {
        add(&out.stderr, None);
    } else {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("T"))
            })
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let pid = name.strip_prefix("T.").and_then(|p| p.parse().ok());
            add(&std::fs::read(&file).unwrap(), pid);
        }
    }
    (events, total)
}

fn has(events: &[TraceEvent], op: Op, path: &Path) -> bool {
    events
        .iter()
        .any(|e| e.op == op && e.path == path && e.ok())
}

const SCRIPT: &str =
    "cd sub && echo x > rel.txt && mv rel.txt moved.txt && rm moved.txt && mkdir d";

fn check_script(opts: &[&str]) {
    if !strace_usable() {
        return;
    }
    let tmp = Scratch::new("script");
    let root = &tmp.0;
    std::fs::create_dir(root.join("sub")).unwrap();
    let mut all_opts = opts.to_vec();
    if !opts.contains(&"stderr") {
        all_opts.extend(["-o", "T"]);
    }
    all_opts.retain(|o| *o != "stderr");
    let (events, stats) = trace(root, &all_opts, SCRIPT);
    let sub = root.join("sub");
    let want = [
        (Op::Stat, sub.clone()),
        (Op::Create, sub.join("rel.txt")),
        (Op::RenameFrom, sub.join("rel.txt")),
        (Op::RenameTo, sub.join("moved.txt")),
        (Op::Delete, sub.join("moved.txt")),
        (Op::Mkdir, sub.join("d")),
    ];
    for (op, path) in &want {
        assert!(
            has(&events, *op, path),
            "{opts:?}: no {op:?} {} in {:#?}",
            path.display(),
            events
                .iter()
                .filter(|e| e.path.starts_with(root))
                .collect::<Vec<_>>()
        );
    }
    let mv = |e: &TraceEvent| e.op == Op::Exec && e.ok() && e.path.ends_with("mv");
    assert!(events.iter().any(mv), "{opts:?}: no exec of mv");
    // Nothing under the folder may stay relative or land elsewhere.
    for e in &events {
        assert!(e.path.is_absolute(), "{opts:?}: relative {e:?}");
        let name = e.path.file_name().map(|n| n.to_string_lossy().into_owned());
        if matches!(name.as_deref(), Some("rel.txt" | "moved.txt")) {
            assert!(e.path.starts_with(&sub), "{opts:?}: misplaced {e:?}");
        }
    }
    assert!(stats.events > 0);
    assert_eq!(stats.unknown, 0, "{opts:?}");
    if !opts.contains(&"stderr") {
        assert!(
            events.iter().all(|e| e.pid > 0),
            "{opts:?}: pid 0 in a pid-prefixed trace"
        );
    }
}

#[test]
fn real_strace_plain() {
    check_script(&["-f"]);
}

#[test]
fn real_strace_with_y() {
    check_script(&["-f", "-y"]);
}

#[test]
fn real_strace_seccomp_bpf() {
    check_script(&["--seccomp-bpf", "-f"]);
    check_script(&["--seccomp-bpf", "-f", "-e", "trace=%file,%process,%desc"]);
    // What `swop discover` runs.
    check_script(&["-f", "--seccomp-bpf", "-y", "-qq", "-e", "trace=%file"]);
}

#[test]
fn real_strace_timestamps_and_columns() {
    check_script(&["-f", "-tt", "-T"]);
    check_script(&["-f", "-ttt", "-n"]);
    check_script(&["-f", "-r", "-i", "-yy"]);
    check_script(&["-f", "-X", "raw"]);
    check_script(&["-f", "-X", "verbose"]);
    check_script(&["-f", "-Y"]);
}

#[test]
fn real_strace_stderr_form() {
    check_script(&["-f", "stderr"]);
    check_script(&["-f", "-y", "stderr"]);
}

#[test]
fn real_strace_per_process_files() {
    // Each `-ff` file is parsed alone, so a child's cwd comes from `-y`.
    check_script(&["-ff", "-y"]);
}

#[test]
fn real_strace_odd_names() {
    if !strace_usable() {
        return;
    }
    let tmp = Scratch::new("names");
    let root = &tmp.0;
    let sub = root.join("sub");
    std::fs::create_dir(&sub).unwrap();
    let names: [&[u8]; 9] = [
        b"a b",
        b"q\"x",
        b"g>t",
        b"lt<x",
        b"n\nl",
        "é".as_bytes(),
        b"back\\sl",
        b"t\tab[1]",
        b"x,y) = 3",
    ];
    use std::os::unix::ffi::OsStrExt;
    for name in names {
        std::fs::write(sub.join(std::ffi::OsStr::from_bytes(name)), b"x").unwrap();
    }
    let script = "cd sub && for f in *; do cat -- \"$f\" > /dev/null; done";
    for opts in [
        &["-f", "-o", "T"][..],
        &["-f", "-y", "-o", "T"],
        &["-f", "-yy", "-o", "T"],
        &["-f", "-x", "-y", "-o", "T"],
        &["-f", "-xx", "-y", "-o", "T"],
    ] {
        let (events, stats) = trace(root, opts, script);
        for name in names {
            let path = sub.join(std::ffi::OsStr::from_bytes(name));
            assert!(
                has(&events, Op::Read, &path),
                "{opts:?}: {}",
                path.display()
            );
        }
        assert_eq!(stats.unknown, 0, "{opts:?}");
        std::fs::remove_file(root.join("T")).unwrap();
    }
}

#[test]
fn real_strace_fd_relative() {
    if !strace_usable() {
        return;
    }
    let tmp = Scratch::new("fdrel");
    let root = &tmp.0;
    std::fs::create_dir_all(root.join("tree/a/b")).unwrap();
    std::fs::write(root.join("tree/a/b/f"), b"x").unwrap();
    // `rm -r` walks with openat(dirfd, name) and unlinkat(dirfd, name).
    for opts in [&["-f", "-o", "T"][..], &["-f", "-y", "-o", "T"]] {
        let copy = root.join("copy");
        let _ = std::fs::remove_dir_all(&copy);
        std::fs::create_dir_all(copy.join("a/b")).unwrap();
        std::fs::write(copy.join("a/b/f"), b"x").unwrap();
        let (events, stats) = trace(root, opts, "rm -r copy");
        for (op, rel) in [
            (Op::Delete, "copy/a/b/f"),
            (Op::Delete, "copy/a/b"),
            (Op::Delete, "copy/a"),
            (Op::Delete, "copy"),
        ] {
            assert!(
                has(&events, op, &root.join(rel)),
                "{opts:?}: {rel} in {events:#?}"
            );
        }
        assert_eq!(stats.unknown, 0, "{opts:?}");
        std::fs::remove_file(root.join("T")).unwrap();
    }
}

/// Throughput on a synthetic trace: `cargo test --release -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let lines = [
        "12345 openat(AT_FDCWD, \"/usr/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3\n",
        "12345 read(3, \"\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0P\\237\\2\\0\\0\\0\\0\\0\"..., 832) = 832\n",
        "12345 newfstatat(3, \"\", {st_mode=S_IFREG|0755, st_size=1922136, ...}, AT_EMPTY_PATH) = 0\n",
        "12345 mmap(NULL, 1970000, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3, 0) = 0x7f1d2a000000\n",
        "12346 rt_sigaction(SIGINT, {sa_handler=SIG_IGN, sa_mask=[INT], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f661acc1050},  <unfinished ...>\n",
        "12345 close(3)                                = 0\n",
        "12346 <... rt_sigaction resumed>{sa_handler=SIG_DFL, sa_mask=~[KILL STOP RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7f661acc1050}, 8) = 0\n",
        "12345 openat(AT_FDCWD, \"rel/file.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = -1 ENOENT (No such file or directory)\n",
        "12345 write(1, \"hello world\\n\", 12)          = 12\n",
        "12345 futex(0x7f1d2a1b2c3d, FUTEX_WAKE_PRIVATE, 1) = 0\n",
    ];
    let mut trace = Vec::new();
    while trace.len() < 50 << 20 {
        for l in &lines {
            trace.extend_from_slice(l.as_bytes());
        }
    }
    let start = std::time::Instant::now();
    let mut n = 0u64;
    let stats = parse(Cursor::new(&trace), Some(Path::new("/home/u")), &mut |_| {
        n += 1
    })
    .unwrap();
    let secs = start.elapsed().as_secs_f64();
    let mb = trace.len() as f64 / 1e6;
    eprintln!(
        "{mb:.0} MB, {} lines, {n} events in {secs:.3}s: {:.0} MB/s",
        stats.lines,
        mb / secs
    );
    assert_eq!(stats.unknown, 0);
}

#[test]
fn unix_socket_connections_name_the_socket() {
    let got = run(concat!(
        "7 connect(3<socket:[711229]>, {sa_family=AF_UNIX, sun_path=\"/run/user/1000/bus\"}, 21) = 0\n",
        "7 connect(4<socket:[711230]>, {sa_family=AF_UNIX, sun_path=@\"/tmp/dbus-x,guid=1\"}, 15) = 0\n",
        "7 connect(5, {sa_family=AF_UNIX, sun_path=\"rel.sock\"}, 16) = -1 ENOENT (No such file or directory)\n",
        "7 connect(6, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr(\"1.2.3.4\")}, 16) = 0\n",
        "7 connect(7, {sa_family=AF_UNIX, sun_path=\"/s\\303\\251\"}, 8 <unfinished ...>\n",
        "8 close(9) = 0\n",
        "7 <... connect resumed>) = 0\n",
    ))
    .0;
    assert_eq!(
        got,
        vec![
            ev(7, "connect", Op::Connect, "/run/user/1000/bus", Ok(0)),
            ev(7, "connect", Op::Connect, "@/tmp/dbus-x,guid=1", Ok(0)),
            ev(7, "connect", Op::Connect, "/home/u/rel.sock", Err("ENOENT")),
            ev(7, "connect", Op::Connect, "/sé", Ok(0)),
        ]
    );
}

/// Real links made under real strace, read back as the discovery reads a
/// step: a symlink's target is text, not a path written; a write through a
/// link lands at its target.
#[test]
fn a_symlinks_target_is_not_written() {
    use crate::discover::model::Observation;
    if !strace_usable() {
        return;
    }
    let tmp = Scratch::new("links");
    let (within, outside) = (tmp.0.join("scratch"), tmp.0.join("real"));
    std::fs::create_dir_all(within.join("tmp/arg0")).unwrap();
    std::fs::create_dir_all(outside.join("d")).unwrap();
    let binary = outside.join("codex");
    std::fs::write(&binary, "#!/bin/sh\n").unwrap();
    // What codex's launcher does, then a write through another link and
    // through a linked folder.
    let script = format!(
        "ln -s {bin} tmp/arg0/apply_patch && ln -s {real}/note l && echo x > l \
         && ln -s {real}/d dl && echo y > dl/f",
        bin = binary.display(),
        real = outside.display(),
    );
    let (events, _) = trace(&within, &["-f", "-o", "T"], &script);
    let mut obs = Observation::default();
    for event in events {
        obs.add(event);
    }
    obs.add_link_targets(&within);
    let ops = |path: &Path| obs.info(path).map(|info| info.ops.names());
    assert_eq!(
        ops(&within.join("tmp/arg0/apply_patch")),
        Some(vec!["link"])
    );
    assert_eq!(ops(&binary), None, "the link's target was not touched");
    assert!(ops(&outside.join("note")).is_some_and(|o| o.contains(&"create")));
    assert!(!ops(&outside.join("note")).unwrap().contains(&"link"));
    assert!(ops(&outside.join("d/f")).is_some_and(|o| o.contains(&"create")));
}
