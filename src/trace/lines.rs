//! One capped line reader for every trace format.
//!
//! Lines are handed out of the reader's own buffer whenever they fit in it,
//! so the common case copies nothing; a line spanning two reads is gathered
//! in a buffer of its own, keeping at most `max` bytes. A longer line is read
//! to its end all the same and handed out cut, marked so: memory stays
//! bounded whatever the input.

use std::io::{self, BufRead};

use memchr::memchr;

/// Call `line` with every line of `reader`, without its `\n`, and whether it
/// was longer than `max` (then only its first `max` bytes are given). The
/// last line needs no `\n`. Returns the number of lines.
pub fn for_each_line<R: BufRead>(
    mut reader: R,
    max: usize,
    mut line: impl FnMut(&[u8], bool),
) -> io::Result<u64> {
    let mut count = 0u64;
    // A line that spans several reads of `reader`'s buffer.
    let mut long: Vec<u8> = Vec::new();
    let mut in_long = false;
    let mut long_cut = false;
    loop {
        let avail = match reader.fill_buf() {
            Ok(avail) => avail,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            if in_long {
                count += 1;
                line(&long, long_cut);
            }
            return Ok(count);
        }
        let mut start = 0;
        if in_long {
            match memchr(b'\n', avail) {
                Some(end) => {
                    long_cut |= push_capped(&mut long, &avail[..end], max);
                    count += 1;
                    line(&long, long_cut);
                    long.clear();
                    in_long = false;
                    long_cut = false;
                    start = end + 1;
                }
                None => {
                    long_cut |= push_capped(&mut long, avail, max);
                    let used = avail.len();
                    reader.consume(used);
                    continue;
                }
            }
        }
        let rest = &avail[start..];
        let mut from = 0;
        for end in memchr::memchr_iter(b'\n', rest) {
            let whole = &rest[from..end];
            count += 1;
            if whole.len() > max {
                line(&whole[..max], true);
            } else {
                line(whole, false);
            }
            from = end + 1;
        }
        if from < rest.len() {
            long_cut |= push_capped(&mut long, &rest[from..], max);
            in_long = true;
        }
        let used = avail.len();
        reader.consume(used);
    }
}

/// Append up to `max` bytes in total; true when bytes were dropped.
fn push_capped(buf: &mut Vec<u8>, bytes: &[u8], max: usize) -> bool {
    let room = max.saturating_sub(buf.len());
    buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
    bytes.len() > room
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn lines(input: &[u8], buffer: usize, max: usize) -> Vec<(Vec<u8>, bool)> {
        let mut out = Vec::new();
        let reader = BufReader::with_capacity(buffer, input);
        let n = for_each_line(reader, max, |l, cut| out.push((l.to_vec(), cut))).expect("read");
        assert_eq!(n as usize, out.len());
        out
    }

    #[test]
    fn lines_across_buffers_and_overlong_ones_are_whole_or_cut() {
        let input = b"one\ntwo two\n\nthree three three\nlast";
        for buffer in [1, 2, 3, 5, 8, 64] {
            let got = lines(input, buffer, 64);
            let want: Vec<(Vec<u8>, bool)> = ["one", "two two", "", "three three three", "last"]
                .iter()
                .map(|l| (l.as_bytes().to_vec(), false))
                .collect();
            assert_eq!(got, want, "buffer {buffer}");
            let cut = lines(input, buffer, 4);
            assert_eq!(cut[3], (b"thre".to_vec(), true), "buffer {buffer}");
            assert_eq!(cut[0], (b"one".to_vec(), false));
        }
    }

    #[test]
    fn a_trailing_newline_makes_no_empty_line() {
        assert_eq!(lines(b"a\nb\n", 4, 10).len(), 2);
        assert!(lines(b"", 4, 10).is_empty());
    }
}
