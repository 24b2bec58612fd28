use super::{ParseStats, TraceEvent};
use std::io::BufRead;
use std::path::Path;

pub fn looks_like(_line: &str) -> bool {
    false
}

pub fn parse<R: BufRead>(
    _reader: R,
    _cwd: &Path,
    _sink: &mut dyn FnMut(TraceEvent),
) -> std::io::Result<ParseStats> {
    Ok(ParseStats::default())
}
