//! Small byte helpers the trace parsers share: trimming, skipping the spaces
//! of padded columns, finding bytes, counting digits and reading numbers,
//! without going through `str`.

/// Bytes of a syscall name: ASCII letters, digits and `_`.
pub const NAME_CHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric() || b == b'_';
        c += 1;
    }
    table
};

pub fn name_len(s: &[u8]) -> usize {
    s.iter()
        .position(|&c| !NAME_CHAR[usize::from(c)])
        .unwrap_or(s.len())
}

pub fn leading_digits(s: &[u8]) -> usize {
    s.iter().take_while(|c| c.is_ascii_digit()).count()
}

pub fn all_digits(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_digit)
}

/// A decimal number made of `digits` only; `None` when empty or too big.
pub fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !all_digits(digits) {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// [`parse_u64`], for a number that must fit 32 bits.
pub fn parse_u32(digits: &[u8]) -> Option<u32> {
    u32::try_from(parse_u64(digits)?).ok()
}

/// An unsigned number in `radix`, as `u64::from_str_radix` reads it.
pub fn parse_radix(text: &[u8], radix: u32) -> Option<u64> {
    let digits = match text {
        [b'+', rest @ ..] if !rest.is_empty() => rest,
        _ => text,
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        let d = char::from(c).to_digit(radix)?;
        v = v.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(v)
}

pub fn trim_start(mut s: &[u8]) -> &[u8] {
    // strace pads results to a column: skip runs of spaces a word at a time.
    while let Some((chunk, rest)) = s.split_first_chunk::<8>()
        && *chunk == [b' '; 8]
    {
        s = rest;
    }
    let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &s[n..]
}

pub fn trim_end(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    &s[..s.len() - n]
}

/// Both ends of `s` trimmed of whitespace.
pub fn trim(s: &[u8]) -> &[u8] {
    trim_end(trim_start(s))
}

/// Eight spaces, to compare a word of a line at once.
const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);

/// The first position at or after `from` that does not hold a space, or the
/// length of `bytes`.
pub fn skip_spaces(bytes: &[u8], mut from: usize) -> usize {
    while let Some(chunk) = bytes.get(from..from + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([b' '; 8]));
        let diff = word ^ SPACES;
        if diff != 0 {
            return from + (diff.trailing_zeros() / 8) as usize;
        }
        from += 8;
    }
    while from < bytes.len() && bytes[from] == b' ' {
        from += 1;
    }
    from
}

/// The position after the last byte before `end` that is not a space, or 0.
pub fn skip_spaces_back(bytes: &[u8], mut end: usize) -> usize {
    while end >= 8 {
        let word = u64::from_le_bytes(bytes[end - 8..end].try_into().unwrap_or([b' '; 8]));
        let diff = word ^ SPACES;
        if diff != 0 {
            return end - (diff.leading_zeros() / 8) as usize;
        }
        end -= 8;
    }
    while end > 0 && bytes[end - 1] == b' ' {
        end -= 1;
    }
    end
}

pub fn strip_suffix<'a>(bytes: &'a [u8], suffix: &[u8]) -> &'a [u8] {
    bytes.strip_suffix(suffix).unwrap_or(bytes)
}

pub fn find_within(bytes: &[u8], needle: u8, limit: usize) -> Option<usize> {
    find_byte(&bytes[..bytes.len().min(limit)], needle)
}

/// `memchr` for the short slices of one line, where a plain loop is faster.
pub fn find_byte(bytes: &[u8], needle: u8) -> Option<usize> {
    bytes.iter().position(|&b| b == needle)
}

/// A decimal number, negative or not; `None` when it is no number or too big.
pub fn parse_i64(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix(b"-") {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.len() > 18 {
        return None;
    }
    let n = i64::try_from(parse_u64(digits)?).ok()?;
    Some(if negative { -n } else { n })
}
