//! The text of one call: its arguments, strings, `-y` annotations and result.

use super::*;

/// Items whose strings and annotations `split_call` keeps what it learnt of:
/// paths and directories come no later.
pub(super) const MAX_SEEN: usize = 4;

pub(super) struct Args<'a> {
    pub(super) items: [&'a [u8]; MAX_ARGS],
    /// What `split_call` read at the start of the first items, with offsets
    /// into the item, so that it is not read again.
    pub(super) seen: [Seen; MAX_SEEN],
    pub(super) len: usize,
}

/// The first string or `-y` annotation `split_call` skipped in an item.
#[derive(Clone, Copy)]
pub(super) enum Seen {
    Nothing,
    /// A string without escapes starting the item, and its closing quote.
    Plain {
        close: usize,
    },
    /// An annotation at `at` and what `read_annotation` found.
    Annotation {
        at: usize,
        path: Option<AnnotatedPath>,
    },
}

pub(super) enum PathArg<'a> {
    Str(Cow<'a, [u8]>),
    Null,
}

impl<'a> Args<'a> {
    pub(super) fn new() -> Self {
        Args {
            items: [&[]; MAX_ARGS],
            seen: [Seen::Nothing; MAX_SEEN],
            len: 0,
        }
    }

    pub(super) fn seen(&self, i: usize) -> Seen {
        match self.seen.get(i) {
            Some(&seen) if i < self.len => seen,
            _ => Seen::Nothing,
        }
    }

    pub(super) fn get(&self, i: usize) -> &'a [u8] {
        if i < self.len { self.items[i] } else { &[] }
    }

    pub(super) fn path(&self, i: usize) -> Option<PathArg<'a>> {
        let arg = self.get(i);
        if arg == b"NULL" {
            return Some(PathArg::Null);
        }
        if arg.first() != Some(&b'"') {
            return None;
        }
        if let Seen::Plain { close } = self.seen(i) {
            return Some(PathArg::Str(Cow::Borrowed(&arg[1..close])));
        }
        // A trailing `...` marks a cut string: kept as printed.
        decode_quoted(arg).map(PathArg::Str)
    }

    /// Argument `i` as a directory descriptor.
    pub(super) fn dirfd(&self, i: usize) -> DirArg<'a> {
        let known = match self.seen(i) {
            Seen::Annotation { at, path } => Some((at, path)),
            _ => None,
        };
        parse_dirfd(self.get(i), known)
    }

    /// Keep `body[start..end]`, trimmed, as the next item; `seen` has offsets
    /// into `body`.
    pub(super) fn push(&mut self, body: &'a [u8], start: usize, end: usize, seen: Seen) {
        if self.len >= MAX_ARGS {
            return;
        }
        let raw = &body[start..end];
        let lead = raw.len() - trim_start(raw).len();
        self.items[self.len] = trim_end(&raw[lead..]);
        if let Some(slot) = self.seen.get_mut(self.len) {
            let first = start + lead;
            *slot = match seen {
                Seen::Plain { close } if close > first => Seen::Plain {
                    close: close - first,
                },
                Seen::Annotation { at, path } if at >= first => Seen::Annotation {
                    at: at - first,
                    path,
                },
                _ => Seen::Nothing,
            };
        }
        self.len += 1;
    }

    /// Whether a flag word appears in any argument but the strings.
    pub(super) fn has_flag(&self, flag: &memmem::Finder) -> bool {
        self.items[..self.len]
            .iter()
            .any(|a| a.first() != Some(&b'"') && has_flag(a, flag))
    }
}

pub(super) enum Res<'a> {
    Val(i64),
    Errno(&'a [u8]),
    ErrNum(i64),
    Unknown,
}

pub(super) struct Ret<'a> {
    pub(super) res: Res<'a>,
    /// The value carries a `-y` annotation (`= 3</path>`).
    pub(super) annotated: bool,
    /// The text from the annotation's `<` on, when there is one.
    pub(super) annotation: &'a [u8],
}

impl<'a> Ret<'a> {
    /// The path the returned descriptor names (`= 3</real/path>`): where a
    /// path through symbolic links really led.
    pub(super) fn fd_path(&self) -> Option<Cow<'a, [u8]>> {
        if self.annotated {
            annotation_path(self.annotation)
        } else {
            None
        }
    }
}

impl Ret<'_> {
    pub(super) fn result(&self) -> Result<i64, Errno> {
        match self.res {
            Res::Val(n) => Ok(n),
            Res::Errno(name) => Err(String::from_utf8_lossy(name).into_owned().into()),
            Res::ErrNum(n) => Err(n.to_string().into()),
            Res::Unknown => Err("?".into()),
        }
    }
}

/// Bytes that `split_call` has to look at (1); all others are skipped (0).
pub(super) const CALL_SPECIAL: [u8; 256] = {
    let mut table = [0; 256];
    let special = b"\"<([{)]},";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = 1;
        i += 1;
    }
    table
};

/// Index of the first byte of `CALL_SPECIAL` in `s`.
pub(super) fn find_call_special(s: &[u8]) -> Option<usize> {
    let special = |c: u8| CALL_SPECIAL[usize::from(c)];
    let mut at = 0;
    // Four bytes per branch.
    while let Some(&[a, b, c, d]) = s.get(at..).and_then(<[u8]>::first_chunk::<4>) {
        if special(a) | special(b) | special(c) | special(d) != 0 {
            break;
        }
        at += 4;
    }
    s[at..]
        .iter()
        .position(|&c| special(c) != 0)
        .map(|i| at + i)
}

/// Split `args) = result` (the text after `NAME(`) into arguments and result.
pub(super) fn split_call<'a>(body: &'a [u8], args: &mut Args<'a>) -> Option<Ret<'a>> {
    // Offsets into `body` until the item is pushed.
    let mut seen = Seen::Nothing;
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    loop {
        i += find_call_special(body.get(i..)?)?;
        match body[i] {
            b'"' => {
                let (end, escaped) = skip_quoted(body, i)?;
                if matches!(seen, Seen::Nothing)
                    && !escaped
                    && trim_start(&body[start..i]).is_empty()
                {
                    seen = Seen::Plain { close: end - 1 };
                }
                i = end;
                continue;
            }
            b'<' if i > 0 && is_annotated(body[i - 1]) => {
                let (path, used) = read_annotation(&body[i..])?;
                if matches!(seen, Seen::Nothing) {
                    seen = Seen::Annotation { at: i, path };
                }
                i += used;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' if depth == 0 => {
                args.push(body, start, i, seen);
                return parse_ret(&body[i + 1..]);
            }
            b')' | b']' | b'}' => depth = depth.checked_sub(1)?,
            b',' if depth == 0 => {
                args.push(body, start, i, seen);
                seen = Seen::Nothing;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
}

/// A `<` right after these starts a `-y` annotation (`3</x>`, `AT_FDCWD</x>`).
pub(super) fn is_annotated(prev: u8) -> bool {
    prev.is_ascii_digit() || prev == b'D'
}

/// ` = 3`, ` = -1 ENOENT (...)`, ` = ?`, ` = 3</path>`, with `-T` times after.
pub(super) fn parse_ret(s: &[u8]) -> Option<Ret<'_>> {
    let s = trim_start(s).strip_prefix(b"=")?;
    let s = trim_start(s);
    if let Some(rest) = s.strip_prefix(b"?") {
        let rest = trim_start(rest);
        let n = errno_len(rest);
        let res = if n > 0 {
            Res::Errno(&rest[..n])
        } else {
            Res::Unknown
        };
        return Some(Ret {
            res,
            annotated: false,
            annotation: &[],
        });
    }
    let (value, used) = parse_int(s)?;
    let rest = &s[used..];
    if value < 0 {
        let rest = trim_start(rest);
        let n = errno_len(rest);
        let res = if n > 0 {
            Res::Errno(&rest[..n])
        } else {
            Res::ErrNum(value)
        };
        return Some(Ret {
            res,
            annotated: false,
            annotation: &[],
        });
    }
    let annotated = rest.starts_with(b"<");
    Some(Ret {
        res: Res::Val(value),
        annotated,
        annotation: if annotated { rest } else { &[] },
    })
}

pub(super) fn errno_len(s: &[u8]) -> usize {
    if !s.first().is_some_and(u8::is_ascii_uppercase) {
        return 0;
    }
    s.iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_')
        .count()
}

/// A signed decimal or `0x` hex integer at the start of `s`, and its length.
pub(super) fn parse_int(s: &[u8]) -> Option<(i64, usize)> {
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let sign = usize::from(neg);
    let (value, used) = if let Some(hex) = body.strip_prefix(b"0x") {
        let n = hex.iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if n == 0 {
            return None;
        }
        // Values past i64::MAX wrap, as the 64-bit register would.
        let v = parse_radix(&hex[..n], 16)?;
        (v as i64, n + 2)
    } else {
        let mut v: i64 = 0;
        let mut n = 0;
        for &c in body {
            if !c.is_ascii_digit() {
                break;
            }
            v = v.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
            n += 1;
        }
        if n == 0 {
            return None;
        }
        (v, n)
    };
    Some((if neg { value.wrapping_neg() } else { value }, used + sign))
}

pub(super) fn leading_int(arg: &[u8]) -> Option<i64> {
    parse_int(arg).map(|(v, _)| v)
}

pub(super) enum DirArg<'a> {
    Cwd,
    /// `AT_FDCWD</path>`: the cwd, as `-y` showed it.
    CwdIs(Cow<'a, [u8]>),
    Fd(i64),
    /// `N</path>`.
    FdIs(Cow<'a, [u8]>),
    Unknown,
}

/// Read a dirfd argument; `known` is an annotation already read in it (where
/// it starts in `arg`, and what it held).
pub(super) fn parse_dirfd(arg: &[u8], known: Option<(usize, Option<AnnotatedPath>)>) -> DirArg<'_> {
    // The path of the annotation at `arg[at..]`.
    let annotation_path = |at: usize| match known {
        Some((k, path)) if k == at => path_of(&arg[at..], path?),
        _ => annotation_path(&arg[at..]),
    };
    if let Some(rest) = arg.strip_prefix(b"AT_FDCWD") {
        return match rest.first() {
            Some(b'<') => match annotation_path(8) {
                Some(p) => DirArg::CwdIs(p),
                None => DirArg::Cwd,
            },
            _ => DirArg::Cwd,
        };
    }
    let Some((fd, used)) = parse_int(arg) else {
        return DirArg::Unknown;
    };
    // -100 is AT_FDCWD (`-X raw`); 0xffffff9c is its 32-bit form.
    if fd == -100 || fd == 0xffff_ff9c {
        return DirArg::Cwd;
    }
    if arg.get(used) == Some(&b'<')
        && let Some(p) = annotation_path(used)
    {
        return DirArg::FdIs(p);
    }
    DirArg::Fd(fd)
}

/// The path inside a `-y` annotation starting at `<`; `None` for sockets,
/// pipes and other descriptors without a path.
pub(super) fn annotation_path(s: &[u8]) -> Option<Cow<'_, [u8]>> {
    let (path, _) = read_annotation(s)?;
    path_of(s, path?)
}

/// The path of the annotation at the start of `s`, as `read_annotation` found it.
pub(super) fn path_of(s: &[u8], path: AnnotatedPath) -> Option<Cow<'_, [u8]>> {
    match path {
        AnnotatedPath::Plain(end) => Some(Cow::Borrowed(&s[1..end])),
        AnnotatedPath::Escaped(end) => unescaped(s, 1, end),
    }
}

/// Where the path in a `-y` annotation ends, and whether it has escapes.
#[derive(Clone, Copy)]
pub(super) enum AnnotatedPath {
    Plain(usize),
    Escaped(usize),
}

/// Read `<...>` at the start of `s`: where the path ends when it is a path,
/// and the bytes used. Paths escape `<` and `>`; `-yy` adds a nested
/// `<char 1:3>`; sockets print `TCP:[a->b]` with a bare `>` inside brackets.
pub(super) fn read_annotation(s: &[u8]) -> Option<(Option<AnnotatedPath>, usize)> {
    let is_path = matches!(s.get(1), Some(b'/' | b'\\'));
    let mut depth = 1usize;
    let mut i = 1;
    if is_path {
        let mut path = None;
        let mut escaped = false;
        loop {
            i += memchr3(b'\\', b'<', b'>', s.get(i..)?)?;
            match s[i] {
                b'\\' => {
                    escaped |= path.is_none();
                    i += 2;
                    continue;
                }
                b'<' => depth += 1,
                _ => depth -= 1,
            }
            if path.is_none() {
                path = Some(if escaped {
                    AnnotatedPath::Escaped(i)
                } else {
                    AnnotatedPath::Plain(i)
                });
            }
            if depth == 0 {
                return Some((path, i + 1));
            }
            i += 1;
        }
    }
    let mut brackets = 0usize;
    while i < s.len() {
        match s[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'[' => brackets += 1,
            b']' => brackets = brackets.saturating_sub(1),
            b'<' if brackets == 0 => depth += 1,
            b'>' if brackets == 0 => {
                depth -= 1;
                if depth == 0 {
                    return Some((None, i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `s[start..end]` with its escapes decoded; borrowed when it has none. No
/// escape may run past `end`.
pub(super) fn unescaped(s: &[u8], start: usize, end: usize) -> Option<Cow<'_, [u8]>> {
    let text = &s[start..end];
    let Some(first) = memchr(b'\\', text) else {
        return Some(Cow::Borrowed(text));
    };
    let mut out = Vec::with_capacity(text.len());
    out.extend_from_slice(&text[..first]);
    let mut i = start + first;
    while i < end {
        if s[i] == b'\\' {
            i = unescape(s, i + 1, &mut out)?;
        } else {
            let run = memchr(b'\\', &s[i..end]).unwrap_or(end - i);
            out.extend_from_slice(&s[i..i + run]);
            i += run;
        }
    }
    Some(Cow::Owned(out))
}

/// Index just past the closing quote of the string starting at `at`, and
/// whether the string has escapes.
pub(super) fn skip_quoted(s: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut i = at + 1;
    let mut escaped = false;
    loop {
        i += memchr2(b'"', b'\\', s.get(i..)?)?;
        if s[i] == b'"' {
            return Some((i + 1, escaped));
        }
        escaped = true;
        i += 2;
    }
}

/// Decode the quoted string at the start of `s`; borrowed when it has no
/// escapes.
pub(super) fn decode_quoted(s: &[u8]) -> Option<Cow<'_, [u8]>> {
    let mut i = 1;
    let run = memchr2(b'"', b'\\', s.get(i..)?)?;
    if s[i + run] == b'"' {
        return Some(Cow::Borrowed(&s[i..i + run]));
    }
    let mut out = Vec::with_capacity(s.len());
    loop {
        let run = memchr2(b'"', b'\\', s.get(i..)?)?;
        out.extend_from_slice(&s[i..i + run]);
        i += run;
        if s[i] == b'"' {
            return Some(Cow::Owned(out));
        }
        i = unescape(s, i + 1, &mut out)?;
    }
}

/// Decode the escape whose letter is at `i` (just after a `\`); returns the
/// index after it.
pub(super) fn unescape(s: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    let c = *s.get(i)?;
    let simple = match c {
        b'n' => Some(b'\n'),
        b't' => Some(b'\t'),
        b'r' => Some(b'\r'),
        b'v' => Some(0x0b),
        b'f' => Some(0x0c),
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'e' => Some(0x1b),
        _ => None,
    };
    if let Some(b) = simple {
        out.push(b);
        return Some(i + 1);
    }
    if c == b'x' {
        let hi = s.get(i + 1).copied().and_then(hex_val);
        let lo = s.get(i + 2).copied().and_then(hex_val);
        if let (Some(hi), Some(lo)) = (hi, lo) {
            out.push(hi << 4 | lo);
            return Some(i + 3);
        }
        out.push(b'x');
        return Some(i + 1);
    }
    if (b'0'..=b'7').contains(&c) {
        let mut v: u32 = 0;
        let mut j = i;
        while j < s.len() && j < i + 3 && (b'0'..=b'7').contains(&s[j]) {
            v = v * 8 + u32::from(s[j] - b'0');
            j += 1;
        }
        out.push((v & 0xff) as u8);
        return Some(j);
    }
    out.push(c);
    Some(i + 1)
}

pub(super) fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// What an open's flags say it may do.
pub(super) fn open_op(flags: &[u8]) -> Op {
    const O_WRONLY: u64 = 0o1;
    const O_RDWR: u64 = 0o2;
    const O_CREAT: u64 = 0o100;
    const O_TRUNC: u64 = 0o1000;
    const O_APPEND: u64 = 0o2000;
    let (mut create, mut write) = (false, false);
    for word in flags.split(|&c| c == b'|' || c == b' ') {
        match word {
            b"O_CREAT" => create = true,
            b"O_WRONLY" | b"O_RDWR" | b"O_TRUNC" | b"O_APPEND" => write = true,
            _ => {
                let bits = if let Some(hex) = word.strip_prefix(b"0x") {
                    parse_radix(hex, 16)
                } else if word.len() > 1 && word[0] == b'0' {
                    parse_radix(word, 8)
                } else {
                    None
                };
                if let Some(bits) = bits {
                    create |= bits & O_CREAT != 0;
                    write |= bits & (O_WRONLY | O_RDWR | O_TRUNC | O_APPEND) != 0;
                }
            }
        }
    }
    if create {
        Op::Create
    } else if write {
        Op::Write
    } else {
        Op::Read
    }
}

/// The value of `key` (e.g. `flags=`) inside `{key=value, ...}`.
pub(super) fn struct_field<'a>(arg: &'a [u8], key: &[u8]) -> &'a [u8] {
    let Some(at) = memmem::find(arg, key) else {
        return &[];
    };
    let value = &arg[at + key.len()..];
    let end = value
        .iter()
        .position(|&c| c == b',' || c == b'}')
        .unwrap_or(value.len());
    &value[..end]
}

/// Whether `flag` appears in `hay` as a whole word.
pub(super) fn has_flag(hay: &[u8], flag: &memmem::Finder) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let len = flag.needle().len();
    let mut from = 0;
    while let Some(found) = hay.get(from..).and_then(|rest| flag.find(rest)) {
        let at = from + found;
        let before = at.checked_sub(1).map(|i| hay[i]);
        let after = hay.get(at + len).copied();
        if !before.is_some_and(word) && !after.is_some_and(word) {
            return true;
        }
        from = at + len;
    }
    false
}

// ---------------------------------------------------------------------------
