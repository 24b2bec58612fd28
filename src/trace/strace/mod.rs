//! Streaming parser for `strace` text output.
//!
//! Handles `strace -f -o FILE` (pid-prefixed lines), the stderr form
//! (`[pid  123] ` prefixes, unprefixed lines for a lone process), `-ff -o P`
//! files (no prefix; the pid comes from the file name), timestamps (`-t`,
//! `-tt`, `-ttt`, `-r`), `-T`, `-n`, `-i`, `-x`/`-xx`, `-y`/`-yy` and `-X`.
//!
//! Calls split by other processes (`<unfinished ...>` / `<... NAME resumed>`)
//! are joined per pid. Relative paths are resolved against `-y` annotations
//! when present, else against a per-process working directory and file
//! descriptor table rebuilt from `chdir`, `fchdir`, `open*`, `dup*`, `close` and
//! `clone`/`fork`. Resolution is lexical: the file system is never consulted.
//!
//! Memory is bounded by the live processes (one pending call, a working
//! directory and an fd table each) and the longest line kept (`MAX_LINE`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufRead};
use std::path::Path;
use std::rc::Rc;

use memchr::{memchr, memchr2, memchr3, memmem};

use super::bytes::*;
use super::lines;
use super::path::{join, normalize};
use super::{Errno, Op, ParseStats, TraceEvent, path_from_bytes};

mod args;
mod line;
mod state;
mod syscalls;
#[cfg(test)]
mod tests;

use args::*;
use line::*;
use state::*;
use syscalls::*;

/// Longest line kept; the rest of a longer line is read and dropped.
const MAX_LINE: usize = 1 << 20;
/// Arguments kept per call; later ones are never needed.
const MAX_ARGS: usize = 8;

const UNFINISHED: &[u8] = b"<unfinished ...>";
const DETACHED: &[u8] = b"<detached ...>";
const ATTACHED_CUT: &[u8] = b"strace: Process ";

/// Whether `line` is clearly a line of strace output.
pub fn looks_like(line: &str) -> bool {
    let line = trim_end(line.as_bytes());
    let (_, rest) = split_prefix(line, false);
    match classify(rest) {
        Line::Exit | Line::Superseded(_) | Line::Resumed { .. } => true,
        Line::Quiet => rest.starts_with(b"--- SIG") || rest.starts_with(ATTACHED_CUT),
        Line::Call { body, .. } => {
            body.ends_with(UNFINISHED)
                || body.ends_with(DETACHED)
                || split_call(body, &mut Args::new()).is_some()
        }
        Line::Empty | Line::Garbage => false,
    }
}

/// Parse strace output, calling `sink` for every path event. `cwd` is where
/// the traced command started, when known: relative paths whose folder the
/// trace does not show stay relative (unresolved) without it.
pub fn parse<R: BufRead>(
    reader: R,
    cwd: Option<&Path>,
    sink: &mut dyn FnMut(TraceEvent),
) -> io::Result<ParseStats> {
    let mut session = Session::new(cwd);
    session.read(reader, None, sink)?;
    Ok(session.stats())
}

/// One trace read from one or several inputs: the `P.PID` files of
/// `strace -ff -o P` share what the parser knows of each process, so a
/// child's file starts with the working folder its parent had when it forked
/// (give the parents' files first: see [`children`]).
pub struct Session {
    parser: Parser,
}

impl Session {
    pub fn new(cwd: Option<&Path>) -> Session {
        use std::os::unix::ffi::OsStrExt;
        Session {
            parser: Parser::new(cwd.map(|c| c.as_os_str().as_bytes())),
        }
    }

    /// Read one input. `pid` is the process of its unprefixed lines (from a
    /// `-ff` file's name); with `None`, unprefixed lines (strace's stderr form
    /// for a lone process) are pid 0 until a `[pid N]` line shows which
    /// process they are.
    pub fn read<R: BufRead>(
        &mut self,
        reader: R,
        pid: Option<u32>,
        sink: &mut dyn FnMut(TraceEvent),
    ) -> io::Result<()> {
        let parser = &mut self.parser;
        parser.begin_input(pid);
        lines::for_each_line(reader, MAX_LINE, |line, cut| parser.line(line, cut, sink))?;
        Ok(())
    }

    pub fn stats(&self) -> ParseStats {
        self.parser.stats.clone()
    }
}

/// The pids a trace's processes forked (`clone`, `fork`, `vfork` results):
/// read first from each `-ff` file to give parents' files before their
/// children's.
pub fn children<R: BufRead>(reader: R) -> io::Result<Vec<u32>> {
    let mut found = Vec::new();
    lines::for_each_line(reader, MAX_LINE, |line, _| {
        let (_, rest) = split_prefix(trim_end(line), true);
        let (name, body) = match classify(rest) {
            Line::Call { name, body } => (name, body),
            Line::Resumed { name, body } => (name, body),
            _ => return,
        };
        if kind_of(name) != Some(Kind::Fork) {
            return;
        }
        let ret = body
            .iter()
            .rposition(|&b| b == b'=')
            .map(|at| trim_start(&body[at + 1..]));
        if let Some(ret) = ret
            && let Some(pid) = parse_u32(&ret[..leading_digits(ret)])
            && pid > 0
        {
            found.push(pid);
        }
    })?;
    Ok(found)
}
