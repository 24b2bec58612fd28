use super::{ParseStats, TraceEvent};
use std::io::BufRead;

pub fn looks_like(_line: &str) -> bool {
    false
}

pub fn parse<R: BufRead>(
    _reader: R,
    _root: Option<u32>,
    _sink: &mut dyn FnMut(TraceEvent),
) -> std::io::Result<ParseStats> {
    Ok(ParseStats::default())
}
