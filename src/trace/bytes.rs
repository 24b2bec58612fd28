//! Small byte helpers the trace parsers share: trimming, counting digits,
//! reading numbers, without going through `str`.

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

/// A decimal number made of `digits` only; `None` when empty or too big.
pub fn parse_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    let mut v: u32 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some(v)
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
