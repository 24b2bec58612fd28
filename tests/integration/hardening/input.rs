//! Bad input: properties of names, the saved-values record and the shell
//! quoting over any bytes, checked in-process and on a sample in the real
//! shells; the trace parsers fed random and cut lines, with their memory
//! watched; and `--trace-file` given junk.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{BufReader, Cursor, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path};
use std::time::Instant;

use proptest::prelude::*;
use proptest::sample::{Index, select};

use super::Rng;
use crate::common::{OutputExt, Shell, Swop};
use swop::names::{check_profile_name, check_var_name, is_forbidden_var, is_profile_name};
use swop::shell::ShellKind;
use swop::switch::{decode_saved, encode_saved};

// ---------------------------------------------------------------- names

fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9._/-]{0,70}",
        "(\\.|\\.\\.|-|/|_)[A-Za-z0-9._/-]{0,6}",
        "[A-Za-z0-9]{1,3}(/|\\.\\.|\\x00|\\n| )[a-z]{0,3}",
        any::<String>(),
    ]
}

/// `value` as one word of `kind`, which must be able to hold it.
fn quote(kind: ShellKind, value: &[u8]) -> Vec<u8> {
    swop::shell::quote(kind, OsStr::from_bytes(value)).expect("a shell that holds any byte")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn prop_an_admitted_profile_name_is_one_normal_path_component(name in name_like()) {
        if is_profile_name(&name) {
            prop_assert!(!name.contains('/') && !name.contains('\0'));
            prop_assert!(name != "." && name != "..");
            prop_assert!(!name.starts_with('-') && !name.starts_with('.'));
            prop_assert!((1..=64).contains(&name.len()));
            let parts: Vec<Component> = Path::new(&name).components().collect();
            prop_assert_eq!(parts, vec![Component::Normal(OsStr::new(&name))]);
            let base = Path::new("/store/profiles");
            let joined = base.join(&name);
            prop_assert_eq!(joined.parent(), Some(base));
            prop_assert!(check_profile_name(&name).is_ok());
        } else {
            let err = check_profile_name(&name).expect_err("refused").to_string();
            prop_assert!(err.contains("1 to 64 characters"), "{}", err);
        }
    }

    #[test]
    fn prop_an_admitted_variable_is_a_plain_name_and_never_a_loader_variable(
        name in prop_oneof![
            "[A-Za-z_][A-Za-z0-9_]{0,12}",
            "[A-Za-z0-9_=$ .-]{0,16}",
            select(vec!["PATH", "LD_PRELOAD", "DYLD_LIBRARY_PATH", "BASH_ENV", "GCONV_PATH", "SWOP_HOME", "PYTHONPATH", "path", "fpath"])
                .prop_flat_map(|n| proptest::collection::vec(any::<bool>(), n.len())
                    .prop_map(move |upper| n.chars().zip(upper).map(|(c, u)| if u { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect())),
        ]
    ) {
        if check_var_name(&name).is_ok() {
            prop_assert!(!name.is_empty() && name.len() <= 128);
            prop_assert!(!name.as_bytes()[0].is_ascii_digit());
            prop_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            prop_assert!(!is_forbidden_var(&name) && !is_forbidden_var(&name.to_ascii_uppercase()));
        }
        if is_forbidden_var(&name.to_ascii_uppercase()) {
            prop_assert!(check_var_name(&name).is_err(), "{} admitted", name);
        }
    }

    #[test]
    fn prop_the_saved_record_round_trips_any_bytes_without_raw_separators(
        entries in proptest::collection::btree_map(
            "[A-Za-z_][A-Za-z0-9_]{0,10}",
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
            0..8,
        )
    ) {
        let entries: BTreeMap<String, Option<OsString>> = entries
            .into_iter()
            .filter(|(k, _)| k != "SWOP_SAVED" && k != "SWOP_PROFILE")
            // No environment holds a NUL: such an entry is dropped, not restored.
            .filter(|(_, v)| v.as_ref().is_none_or(|v| !v.contains(&0)))
            .map(|(k, v)| (k, v.map(OsString::from_vec)))
            .collect();
        let list: Vec<(&str, Option<OsString>)> =
            entries.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let encoded = encode_saved(&list);
        // No control character or stray byte raw, and `:` only between entries.
        let text = std::str::from_utf8(encoded.as_bytes());
        prop_assert!(text.is_ok_and(|t| !t.chars().any(char::is_control)), "{:?}", encoded);
        prop_assert_eq!(
            encoded.as_bytes().iter().filter(|b| **b == b':').count(),
            list.len().saturating_sub(1)
        );
        prop_assert_eq!(decode_saved(encoded.as_bytes()), entries);
    }

    #[test]
    fn prop_a_damaged_saved_record_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        for (name, _) in decode_saved(&bytes) {
            prop_assert!(swop::names::is_var_name(&name));
        }
    }
}

// ---------------------------------------------------------------- quoting

/// Undo POSIX single quoting the way sh reads it; `None` if a quote is left open.
fn posix_unquote(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut bytes = text.iter();
    while let Some(&b) = bytes.next() {
        match (quoted, b) {
            (false, b'\'') | (true, b'\'') => quoted = !quoted,
            (false, b'\\') => out.push(*bytes.next()?),
            (false, _) => return None,
            (true, _) => out.push(b),
        }
    }
    (!quoted).then_some(out)
}

/// Undo fish quoting the way fish reads it; `None` if a quote is left open.
fn fish_unquote(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match (quoted, b) {
            (_, b'\'') => quoted = !quoted,
            (true, b'\\') if matches!(text.get(i + 1), Some(b'\\' | b'\'')) => {
                out.push(text[i + 1]);
                i += 1;
            }
            (true, _) => out.push(b),
            (false, b'\\') if text.get(i + 1) == Some(&b'x') => {
                let hex = std::str::from_utf8(text.get(i + 2..i + 4)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            (false, _) => return None,
        }
        i += 1;
    }
    (!quoted).then_some(out)
}

fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            select(b"'\"\\$`(){};|&<>*?! \n\t~#%".to_vec()),
            0x80u8..=0xff,
            1u8..0x80,
        ],
        0..48,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn prop_quoting_is_balanced_and_reads_back_to_the_value(value in hostile_bytes()) {
        let posix = quote(ShellKind::Sh, &value);
        prop_assert_eq!(posix_unquote(&posix), Some(value.clone()));
        let fish = quote(ShellKind::Fish, &value);
        prop_assert_eq!(fish_unquote(&fish), Some(value.clone()));
        // A whole `swop env` line keeps its quoting to itself.
        let changes = vec![("HOME".to_string(), Some(OsString::from_vec(value.clone())))];
        let sh = swop::shell::render(swop::shell::ShellKind::Sh, &changes);
        prop_assert!(sh.starts_with(b"export HOME=") && sh.ends_with(b";\n"));
        prop_assert_eq!(posix_unquote(&sh[12..sh.len() - 2]), Some(value.clone()));
        let fish_line = swop::shell::render(swop::shell::ShellKind::Fish, &changes);
        let fish_line = fish_line.strip_suffix(b"builtin true;\n").expect("fish ends in a status of 0");
        prop_assert!(fish_line.starts_with(b"set -gx HOME ") && fish_line.ends_with(b";\n"));
        prop_assert_eq!(fish_unquote(&fish_line[13..fish_line.len() - 2]), Some(value));
    }
}

#[test]
fn quoted_values_read_back_byte_for_byte_in_every_real_shell() {
    let swop = Swop::new();
    let mut rng = Rng::new("quoted_values_in_real_shells");
    let alphabet = b"'\"\\$`(){};|&<>*?! \n\t~#%ab";
    let values: Vec<Vec<u8>> = (0..48)
        .map(|i| {
            let len = rng.below(24) as usize + usize::from(i == 0);
            (0..len)
                .map(|_| match rng.below(4) {
                    0 => 0x80 + rng.below(0x80) as u8,
                    1 => 1 + rng.below(0x7f) as u8,
                    _ => alphabet[rng.below(alphabet.len() as u64) as usize],
                })
                .collect()
        })
        .chain([b"end\\".to_vec(), b"'".to_vec(), Vec::new()])
        .collect();
    for shell in Shell::ALL {
        if !shell.available() {
            continue;
        }
        let dir = swop.work().join(shell.program());
        fs::create_dir(&dir).expect("mkdir");
        let mut script = Vec::new();
        for (i, value) in values.iter().enumerate() {
            script.extend_from_slice(b"printf %s ");
            script.extend_from_slice(&match shell {
                Shell::Fish => quote(ShellKind::Fish, value),
                _ => quote(ShellKind::Sh, value),
            });
            script.extend_from_slice(format!(" > v{i}\n").as_bytes());
        }
        swop.command(shell.program())
            .args(shell.flags())
            .arg("-c")
            .arg(OsStr::from_bytes(&script))
            .current_dir(&dir)
            .success();
        for (i, value) in values.iter().enumerate() {
            let got = fs::read(dir.join(format!("v{i}"))).expect("read back");
            assert_eq!(
                got,
                *value,
                "{}: value {i} {:?}",
                shell.program(),
                String::from_utf8_lossy(value)
            );
        }
    }
}

// ---------------------------------------------------------------- trace parsers

/// strace lines of every shape the parser knows, as `strace -f -y` writes them.
const STRACE_LINES: &[&str] = &[
    "1234  openat(AT_FDCWD</home/u>, \"/home/u/.config/tool/cfg\", O_RDONLY|O_CLOEXEC) = 3</home/u/.config/tool/cfg>",
    "1234  openat(AT_FDCWD, \"rel\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 4",
    "1234  close(4) = 0",
    "1234  mkdir(\"/home/u/.cache/t\", 0700) = 0",
    "1234  renameat2(AT_FDCWD, \"a.tmp\", AT_FDCWD, \"a\", RENAME_NOREPLACE) = 0",
    "1234  rename(\"/x/old\", \"/x/new\") = 0",
    "1234  unlink(\"/tmp/x\") = -1 ENOENT (No such file or directory)",
    "1234  execve(\"/usr/bin/tool\", [\"tool\", \"login\"], 0x7ffd5 /* 20 vars */) = 0",
    "1234  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f) = 1235",
    "1235  chdir(\"/work\") = 0",
    "1235  openat(AT_FDCWD, \"rel/file\", O_RDONLY <unfinished ...>",
    "1234  stat(\"/etc/hosts\", {st_mode=S_IFREG|0644, st_size=220, ...}) = 0",
    "1235  <... openat resumed>) = 5",
    "1235  +++ exited with 0 +++",
    "1234  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1235} ---",
    "1234  newfstatat(AT_FDCWD, \"/home/u/.config\", {st_mode=S_IFDIR|0755, ...}, 0) = 0",
    "1234  access(\"/home/u/.local/share/x\\n\\\"y\", F_OK) = -1 ENOENT (No such file or directory)",
    "1234  openat(AT_FDCWD, \"\\x2f\\x74\\x6d\\x70\", O_RDONLY) = 3",
    "[pid  1236] openat(AT_FDCWD, \"/a\", O_RDONLY) = 3",
    "1234  12:00:01.123456 symlink(\"t\", \"/l\") = 0 <0.000010>",
    "1234  fchdir(3</home/u>) = 0",
    "1234  dup2(3, 7) = 7",
    "strace: Process 1237 attached",
    "1234  +++ killed by SIGKILL +++",
];

/// The trace formats, each with lines to start from and a way to parse.
#[derive(Debug, Clone, Copy)]
enum Format {
    Strace,
    FsUsage,
    Eslogger,
}

impl Format {
    const ALL: [Format; 3] = [Format::Strace, Format::FsUsage, Format::Eslogger];

    fn samples(self) -> Vec<Vec<u8>> {
        let fixture = |name: &str| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/macos")
                .join(name);
            let text = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            text.split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec)
                .collect()
        };
        match self {
            Format::Strace => STRACE_LINES.iter().map(|l| l.as_bytes().to_vec()).collect(),
            Format::FsUsage => fixture("fs_usage_codex_login.log"),
            Format::Eslogger => fixture("eslogger_codex_login.jsonl"),
        }
    }

    /// Parse everything `reader` gives; the number of events.
    fn parse(self, reader: impl std::io::BufRead) -> u64 {
        let mut events = 0u64;
        let mut sink = |_: swop::trace::TraceEvent| events += 1;
        let cwd = Path::new("/work");
        let _ = match self {
            Format::Strace => swop::trace::strace::parse(reader, Some(cwd), &mut sink),
            Format::FsUsage => swop::trace::fs_usage::parse(reader, &mut sink),
            Format::Eslogger => swop::trace::eslogger::parse(reader, Some(1), &mut sink),
        };
        events
    }
}

/// One line as a hostile or broken trace might hold it.
fn damaged_line(samples: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let cut = (select(samples.clone()), any::<Index>())
        .prop_map(|(line, at)| line[..at.index(line.len() + 1)].to_vec());
    let changed = (
        select(samples.clone()),
        proptest::collection::vec((any::<Index>(), any::<u8>()), 1..6),
    )
        .prop_map(|(mut line, edits)| {
            for (at, byte) in edits {
                if !line.is_empty() {
                    let i = at.index(line.len());
                    line[i] = byte;
                }
            }
            line
        });
    prop_oneof![
        3 => select(samples),
        3 => cut,
        3 => changed,
        1 => proptest::collection::vec(any::<u8>(), 0..300),
        1 => "[ -~]{0,200}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn prop_parsers_survive_random_and_cut_lines(
        strace in proptest::collection::vec(damaged_line(Format::Strace.samples()), 0..60),
        fs_usage in proptest::collection::vec(damaged_line(Format::FsUsage.samples()), 0..60),
        eslogger in proptest::collection::vec(damaged_line(Format::Eslogger.samples()), 0..30),
        trailing_newline in any::<bool>(),
    ) {
        for (format, lines) in [
            (Format::Strace, strace),
            (Format::FsUsage, fs_usage),
            (Format::Eslogger, eslogger),
        ] {
            let mut text = lines.join(&b'\n');
            if trailing_newline {
                text.push(b'\n');
            }
            let head = &text[..text.len().min(4096)];
            let _ = swop::trace::detect_format(head);
            for line in String::from_utf8_lossy(&text).lines() {
                let _ = (
                    swop::trace::strace::looks_like(line),
                    swop::trace::fs_usage::looks_like(line),
                    swop::trace::eslogger::looks_like(line),
                );
            }
            let events = format.parse(Cursor::new(&text));
            // A rename names two paths; no line names more.
            prop_assert!(events <= 2 * (lines.len() as u64 + 1), "{:?}: {} events from {} lines", format, events, lines.len());
        }
    }
}

/// Bytes allocated and not yet freed by the current thread, and their peak:
/// the other tests run on other threads and do not count.
struct CountingAlloc;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed on to the system allocator unchanged; the
// bookkeeping touches only const-initialised thread locals, which never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) };
        note(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            note(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// A trace made up on the fly, line by line, so that the input itself takes
/// no memory: damaged sample lines and random ones, with the pids kept to a
/// few live processes and every path new.
struct LineSource {
    rng: Rng,
    samples: Vec<Vec<u8>>,
    left: usize,
    pending: Vec<u8>,
    pos: usize,
}

impl LineSource {
    fn new(format: Format, lines: usize, seed: u64) -> LineSource {
        LineSource {
            rng: Rng(seed | 1),
            samples: format.samples(),
            left: lines,
            pending: Vec::new(),
            pos: 0,
        }
    }

    fn next_line(&mut self) -> Vec<u8> {
        let r = &mut self.rng;
        let mut line = self.samples[r.below(self.samples.len() as u64) as usize].clone();
        // Every path is new: nothing may be kept per path.
        let unique = format!("/n{}", r.next());
        if let Some(at) = line.windows(2).position(|w| w == b"\"/") {
            line.splice(at + 1..at + 1, unique.bytes());
        }
        match r.below(8) {
            0 => line.truncate(r.below(line.len() as u64 + 1) as usize),
            1 => {
                for _ in 0..3 {
                    if !line.is_empty() {
                        let i = r.below(line.len() as u64) as usize;
                        line[i] = r.below(256) as u8;
                    }
                }
            }
            2 => line = (0..r.below(120)).map(|_| r.below(256) as u8).collect(),
            _ => {}
        }
        line.retain(|&b| b != b'\n');
        line.push(b'\n');
        line
    }
}

impl Read for LineSource {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.pending.len() {
            if self.left == 0 {
                return Ok(0);
            }
            self.left -= 1;
            self.pending = self.next_line();
            self.pos = 0;
        }
        let n = buf.len().min(self.pending.len() - self.pos);
        buf[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Events and the peak of memory the parser itself held, reading `lines` lines.
fn parse_generated(format: Format, lines: usize) -> (u64, isize) {
    let reader = BufReader::new(LineSource::new(format, lines, 0x5eed));
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let events = format.parse(reader);
    (events, PEAK.with(Cell::get) - start)
}

#[test]
fn fifty_thousand_hostile_lines_parse_with_bounded_events_and_memory() {
    for format in Format::ALL {
        let started = Instant::now();
        let (small_events, small_peak) = parse_generated(format, 5_000);
        let (events, peak) = parse_generated(format, 50_000);
        let took = started.elapsed();
        eprintln!(
            "{format:?}: 50000 lines -> {events} events in {took:?}; parser peak {} KiB (5000 lines: {} KiB)",
            peak / 1024,
            small_peak / 1024
        );
        assert!(
            events <= 100_000,
            "{format:?}: {events} events from 50000 lines"
        );
        assert!(small_events <= events);
        // Ten times the lines, about the same memory: the state does not grow with the trace.
        assert!(
            peak <= 2 * small_peak + (1 << 20),
            "{format:?}: the parser held {peak} bytes for 50000 lines, {small_peak} for 5000"
        );
    }
}

/// The parser's peak memory for one trace held in memory.
fn parse_peak(format: Format, text: &[u8]) -> isize {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    format.parse(Cursor::new(text));
    PEAK.with(Cell::get) - start
}

#[test]
fn a_new_process_on_every_line_costs_memory_in_proportion_to_lines_only() {
    // What a parser must keep per live process (a call cut in two, a process
    // tree) grows with processes; a trace that starts one per line is the worst case.
    let lines = 50_000;
    let strace: String = (0..lines)
        .map(|i| {
            format!(
                "{} openat(AT_FDCWD, \"/x/{i}\", O_RDONLY <unfinished ...>\n",
                100 + i
            )
        })
        .collect();
    let eslogger: String = (0..lines)
        .map(|i| {
            format!(
                "{{\"event_type\":11,\"event\":{{\"fork\":{{\"child\":{{\"audit_token\":{{\"pid\":{}}}}}}}}},\
                 \"process\":{{\"audit_token\":{{\"pid\":1}},\"ppid\":0}}}}\n",
                100 + i
            )
        })
        .collect();
    for (format, text) in [(Format::Strace, strace), (Format::Eslogger, eslogger)] {
        let peak = parse_peak(format, text.as_bytes());
        eprintln!(
            "{format:?}: {lines} new processes -> parser peak {} KiB",
            peak / 1024
        );
        assert!(
            peak <= 1024 * lines as isize,
            "{format:?}: {peak} bytes for {lines} lines"
        );
    }
}

#[test]
fn a_cut_binary_or_empty_trace_file_is_an_error_not_a_crash() {
    let swop = Swop::new();
    let dir = swop.dir().join("traces");
    fs::create_dir(&dir).expect("mkdir");
    let strace = STRACE_LINES.join("\n");
    let eslogger = Format::Eslogger.samples();
    let fs_usage = Format::FsUsage.samples();
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("newlines".into(), b"\n\n\n".to_vec()),
        ("nul".into(), vec![0; 4096]),
        (
            "binary".into(),
            (0..8192u32).map(|i| (i * 7919 % 256) as u8).collect(),
        ),
        ("long-line".into(), vec![b'a'; 3 << 20]),
        (
            "half-json".into(),
            eslogger[0][..eslogger[0].len() / 2].to_vec(),
        ),
        (
            "half-fs-usage".into(),
            fs_usage[0][..fs_usage[0].len() / 2].to_vec(),
        ),
        (
            "strace-then-junk".into(),
            [strace.as_bytes(), b"\n\xff\xfe\x00junk"].concat(),
        ),
    ];
    for cut in [1, 7, 20, 60, 200, strace.len() / 2, strace.len() - 1] {
        files.push((
            format!("strace-cut-{cut}"),
            strace.as_bytes()[..cut].to_vec(),
        ));
    }
    for (name, bytes) in &files {
        fs::write(dir.join(name), bytes).expect("write");
    }
    let mut runs: Vec<Vec<OsString>> = Vec::new();
    for (name, _) in &files {
        let path = dir.join(name).into_os_string();
        runs.push(vec!["--trace-file".into(), path.clone()]);
        for format in ["strace", "fs-usage", "eslogger"] {
            runs.push(vec![
                "--trace-file".into(),
                path.clone(),
                "--format".into(),
                format.into(),
            ]);
        }
    }
    runs.push(vec!["--trace-file".into(), dir.clone().into_os_string()]);
    runs.push(vec![
        "--trace-file".into(),
        dir.join("missing").into_os_string(),
    ]);
    for args in runs {
        let out = swop.args(["discover", "--json"]).args(&args).output();
        let shown = format!("{args:?}");
        match out.status.code() {
            Some(0) => {
                let _: serde_json::Value = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|e| panic!("{shown}: not JSON ({e})"));
            }
            Some(1) => {
                let err = out.stderr_str();
                assert!(err.starts_with("swop: "), "{shown}: {err}");
                assert!(!err.contains("panicked"), "{shown}: {err}");
            }
            _ => panic!("{shown}: {out:?}"),
        }
    }
}
