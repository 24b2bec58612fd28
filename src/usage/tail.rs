//! The lines of a log, newest first: read backwards from the end in chunks,
//! so that finding the last record of a long session costs the size of its
//! tail, not of the whole file.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// Bytes read at a time.
const CHUNK: usize = 64 * 1024;
/// A line longer than this is skipped: no record swop reads is that long
/// (codex's rollouts hold whole tool outputs and images on other lines).
const LONGEST_LINE: usize = 1024 * 1024;

/// Call `each` with every complete line of `file`, last first, reading at
/// most `budget` bytes from the end; `each` returns `true` to stop. The last
/// line may still be being written: it is handed over as it is, and a
/// reader that cannot parse it moves on.
pub fn lines_backwards(
    file: &File,
    budget: u64,
    mut each: impl FnMut(&[u8]) -> bool,
) -> io::Result<()> {
    let mut pos = file.metadata()?.len();
    let floor = pos.saturating_sub(budget);
    // The start of a line whose end was read already, carried to the next
    // (earlier) chunk.
    let mut carried: Vec<u8> = Vec::new();
    let mut chunk = vec![0; CHUNK];
    while pos > floor {
        let n = usize::try_from((pos - floor).min(CHUNK as u64)).unwrap_or(CHUNK);
        pos -= n as u64;
        file.read_exact_at(&mut chunk[..n], pos)?;
        let mut data = chunk[..n].to_vec();
        data.extend_from_slice(&carried);
        let Some(first) = memchr::memchr(b'\n', &data) else {
            carried = data;
            if carried.len() > LONGEST_LINE {
                carried.clear();
            }
            continue;
        };
        for line in data[first + 1..].rsplit(|b| *b == b'\n') {
            if !line.is_empty() && each(line) {
                return Ok(());
            }
        }
        data.truncate(first);
        carried = data;
    }
    // The file's first line, when the budget reached the start of the file.
    if pos == 0 && !carried.is_empty() {
        each(&carried);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &[u8], budget: u64) -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log");
        std::fs::write(&path, text).expect("write");
        let file = File::open(&path).expect("open");
        let mut lines = Vec::new();
        lines_backwards(&file, budget, |line| {
            lines.push(String::from_utf8_lossy(line).into_owned());
            false
        })
        .expect("read");
        lines
    }

    #[test]
    fn lines_come_newest_first_across_chunks() {
        let mut text = Vec::new();
        for i in 0..20_000 {
            text.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        let lines = collect(&text, u64::MAX);
        assert_eq!(lines.len(), 20_000);
        assert_eq!(lines[0], "line 19999");
        assert_eq!(lines[19_999], "line 0");
        assert!(lines.windows(2).all(|w| w[0] != w[1]));
    }

    #[test]
    fn an_unfinished_last_line_and_a_small_budget() {
        assert_eq!(collect(b"a\nb\nhalf", u64::MAX), ["half", "b", "a"]);
        // Only whole lines inside the budget: "b" and the unfinished one.
        assert_eq!(collect(b"aaaa\nb\nhalf", 7), ["half", "b"]);
        assert!(collect(b"", u64::MAX).is_empty());
    }

    #[test]
    fn a_line_longer_than_any_record_is_skipped() {
        let mut text = b"first\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', LONGEST_LINE + CHUNK * 2));
        text.extend_from_slice(b"\nlast\n");
        let lines = collect(&text, u64::MAX);
        assert_eq!(lines.first().map(String::as_str), Some("last"));
        assert!(
            lines.iter().all(|l| l.len() <= LONGEST_LINE + CHUNK),
            "{}",
            lines.len()
        );
    }
}
