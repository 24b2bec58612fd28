//! Names in a program's bytes: the strings of an executable or a shared
//! object, where nothing says which of them the program reads from its
//! environment. Only the shape of a name and the bytes around it are there
//! to go by, so the rules below say what a variable's name looks like in a
//! binary, and what the look-alikes are: parts of longer identifiers, C
//! constants in assertion text, labels of scripts, templates' placeholders,
//! and literals that sit back to back.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::{likely, minable};

/// Programs whose strings are noise for this purpose: shells, interpreters and
/// the tracer itself, whose variables belong to everything they run.
const NOT_MINED: &[&str] = &[
    "sh", "bash", "dash", "zsh", "fish", "env", "node", "nodejs", "python", "python3", "perl",
    "ruby", "busybox", "strace", "sudo", "timeout", "nice", "nohup", "cat", "printf", "echo",
    "true", "false", "sleep", "ls", "cp", "mv", "rm", "mkdir", "sed", "grep", "awk", "tr", "head",
    "tail", "tee", "xargs", "uname", "ln", "id", "date", "dirname", "basename",
];

/// Most names kept from one program: past this, its strings are a dictionary
/// rather than a tool's own variables.
const MAX_MINED: usize = 200;

/// Names in an executable's strings that may name a folder or file of the
/// tool's state; names that may never be bound are left out.
pub fn mine(path: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let base = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if NOT_MINED.contains(&base) || base.starts_with("python") {
        return found;
    }
    let Ok(mut file) = File::open(path) else {
        return found;
    };
    if file.metadata().map(|m| !m.is_file()).unwrap_or(true) {
        return found;
    }
    // Read in chunks with an overlap, so memory stays small for huge binaries.
    const CHUNK: usize = 4 << 20;
    const OVERLAP: usize = 128;
    let mut buf = vec![0u8; CHUNK + OVERLAP];
    let mut carried = 0;
    loop {
        let n = match file.read(&mut buf[carried..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(_) => break,
        };
        let filled = carried + n;
        scan(&buf[..filled], &mut found);
        let keep = OVERLAP.min(filled);
        buf.copy_within(filled - keep..filled, 0);
        carried = keep;
        if found.len() > MAX_MINED * 4 {
            break;
        }
    }
    found.retain(|v| minable(v));
    if found.len() > MAX_MINED {
        // Keep the likeliest: `_HOME` and `_DIR` names first, then by length.
        let mut ranked: Vec<String> = found.into_iter().collect();
        ranked.sort_by_key(|v| (!likely(v, None), v.len()));
        ranked.truncate(MAX_MINED);
        found = ranked.into_iter().collect();
    }
    found
}

const SUFFIXES: [&[u8]; 5] = [b"HOME", b"DIR", b"PATH", b"FILE", b"CONFIG"];

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
}

/// Bytes that end an expression's operand on their right: `flag & REF_DIR`,
/// `mode == S_IFDIR`, `x=VALUE_DIR`. A name after one is a constant or a
/// value in code, not a variable looked up.
const OPERATORS: &[u8] = b"&|=<>!+*/^~";

/// Bytes that may stand before a one-word name (`GNUPGHOME`, `KUBECONFIG`)
/// as the start of a literal or a variable reference. Anything else (a
/// letter, a space, a dash, a colon) leaves its start unknown: it may be the
/// tail of a longer word or of a literal just before it (`ENDIFVHOME`,
/// `CERTIFICATE REQUESTECHCONFIG`).
fn starts_a_word(before: Option<u8>) -> bool {
    match before {
        None => true,
        Some(b) => b < b' ' || matches!(b, b'"' | b'\'' | b'`' | b'$' | b'{' | b'%'),
    }
}

/// Every name in `hay` that ends in one of [`SUFFIXES`] and passes the rules
/// of a variable's name in a binary (see [`one_name`]).
pub(super) fn scan(hay: &[u8], found: &mut BTreeSet<String>) {
    for suffix in SUFFIXES {
        for end in memchr::memmem::find_iter(hay, suffix) {
            if let Some(name) = one_name(hay, end, end + suffix.len()) {
                found.insert(name.to_string());
            }
        }
    }
}

/// The name that ends at `stop` (its suffix starts at `end`), if the bytes
/// around it say it is one:
///
/// - it ends there: the next byte is not part of a name, nor a `(` (a macro
///   or a function: `S_ISSPARSEDIR(mode)`);
/// - it starts a word: not glued to a lower-case letter or a `_` before it
///   (`getHOME`, `_OLD_VIRTUAL_PYTHONHOME`, `sysconfig._PIP_USE_SYSCONFIG`:
///   parts of longer identifiers); digits before it are the end of another
///   literal and are left out;
/// - its first word has two characters at least: one-letter namespaces are
///   C's (`S_IFDIR`), and shorter stems are fragments (`H_DIR`);
/// - it is not an operand (`flag & REF_DIR`), a script's label (`:ENDIFVHOME`
///   at the start of a line) or a template's placeholder (`{WORKDIR}`, where
///   `${WORKDIR}` is a variable);
/// - a name of one word stands where a literal or a reference starts (see
///   [`starts_a_word`]): without an `_` nothing else shows where it begins.
fn one_name(hay: &[u8], end: usize, stop: usize) -> Option<&str> {
    let next = hay.get(stop).copied();
    if next.is_some_and(|b| is_name_byte(b) || b.is_ascii_lowercase() || b == b'(') {
        return None;
    }
    let mut start = end;
    while start > 0 && is_name_byte(hay[start - 1]) {
        start -= 1;
    }
    let glued = start.checked_sub(1).map(|i| hay[i]);
    if glued.is_some_and(|b| b.is_ascii_lowercase()) {
        return None;
    }
    while start < end && hay[start].is_ascii_digit() {
        start += 1;
    }
    if !hay[start].is_ascii_uppercase() || stop - start > 64 {
        return None;
    }
    let mut name = std::str::from_utf8(&hay[start..stop]).ok()?;
    // Literals sit back to back in binaries: "...BUS_ADDRESSXDG_RUNTIME_DIR".
    if let Some(pos) = name.rfind("XDG_").filter(|p| *p > 0) {
        name = &name[pos..];
        start += pos;
    }
    let before = start.checked_sub(1).map(|i| hay[i]);
    let stem = name[..end - start].trim_end_matches('_');
    let first_word = name.split('_').next().unwrap_or(name);
    let fragment = stem.len() < 2 || (name.contains('_') && first_word.len() < 2);
    // `PROFILE` names an account, not a file.
    if fragment || name.ends_with("PROFILE") {
        return None;
    }
    let operand = operand(hay, start);
    let label =
        before == Some(b':') && matches!(start.checked_sub(2).map(|i| hay[i]), None | Some(b'\n'));
    let placeholder = before == Some(b'{')
        && next == Some(b'}')
        && start.checked_sub(2).map(|i| hay[i]) != Some(b'$');
    let one_word = !name.contains('_');
    if operand || label || placeholder || (one_word && !starts_a_word(before)) {
        return None;
    }
    Some(name)
}

/// Whether the name starting at `start` is an operand: an operator before
/// it (`flag & REF_DIR`), or a comparison before its quote
/// (`n.code!=="ENOTDIR"`: a value compared, not a variable read).
fn operand(hay: &[u8], start: usize) -> bool {
    let before = hay[..start].iter().rposition(|b| *b != b' ');
    let Some(i) = before else {
        return false;
    };
    if OPERATORS.contains(&hay[i]) {
        return true;
    }
    let quote = matches!(hay[i], b'"' | b'\'');
    let compared = hay[..i].ends_with(b"==") || hay[..i].ends_with(b"!=");
    quote && compared
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(hay: &[u8]) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        scan(hay, &mut found);
        found
    }

    #[test]
    fn mines_folder_and_file_variables_from_bytes() {
        let found = scanned(
            b"\0getenv FOO_HOME\0BAR_CONFIG_DIR=x lower_HOME Z_HOMEX H_DIR ADDRXDG_DATA_HOME\0\
              GNUPGHOME\0CARGO_HOME\0AWS_SHARED_CREDENTIALS_FILE\0KUBECONFIG\0getHOMEDIR\0\
              RCLONE_CONFIG\0GOPATH\0",
        );
        for want in [
            "FOO_HOME",
            "BAR_CONFIG_DIR",
            "XDG_DATA_HOME",
            "GNUPGHOME",
            "CARGO_HOME",
            "AWS_SHARED_CREDENTIALS_FILE",
            "KUBECONFIG",
            "RCLONE_CONFIG",
            "GOPATH",
        ] {
            assert!(found.contains(want), "{want} in {found:?}");
        }
        for junk in ["Z_HOMEX", "H_DIR", "HOMEDIR"] {
            assert!(!found.contains(junk), "{junk} in {found:?}");
        }
        assert!(found.iter().all(|v| !v.starts_with("lower")));
    }

    /// Real names as they stand in real binaries (the bytes around them
    /// copied from the programs named).
    #[test]
    fn real_names_are_kept_where_they_stand() {
        let cases: &[(&[u8], &str)] = &[
            // gnupg 2.2.40 (/usr/bin/gpg): a C string.
            (b"\0GNUPGHOME\0", "GNUPGHOME"),
            // Literals back to back, the one before ending in a digit.
            (
                b"\x0121600AWS_WEB_IDENTITY_TOKEN_FILE\0",
                "AWS_WEB_IDENTITY_TOKEN_FILE",
            ),
            // uv 0.13.9: clap's help text.
            (b"`.env` file [env: UV_NO_ENV_FILE=]", "UV_NO_ENV_FILE"),
            // rclone 1.60 (Debian 12): a shell reference in help text.
            (
                b"variables such as `${RCLONE_CONFIG_DIR}`.",
                "RCLONE_CONFIG_DIR",
            ),
            // cargo's xdg-open script inside rustup 1.28: a default.
            (
                b"search=\"${XDG_DATA_HOME:-$HOME/.local/share",
                "XDG_DATA_HOME",
            ),
            // git 2.47: a message naming the variable.
            (b"files-backend $GIT_COMMONDIR\0", "GIT_COMMONDIR"),
            // A literal at the very start of what was read.
            (b"TMPDIR\0", "TMPDIR"),
        ];
        for (hay, want) in cases {
            let found = scanned(hay);
            assert!(
                found.contains(*want),
                "{want} in {found:?} from {:?}",
                String::from_utf8_lossy(hay)
            );
        }
    }

    /// Look-alikes as they stand in real binaries: none is a variable.
    #[test]
    fn look_alikes_are_dropped() {
        let cases: &[(&[u8], &str)] = &[
            // uv 0.13.9: virtualenv's activate.bat, a label and its gotos.
            (
                b"@if defined _OLD_VIRTUAL_PYTHONHOME @goto ENDIFVHOME\r\n:ENDIFVHOME\r\n",
                "ENDIFVHOME",
            ),
            // ... and the private variable it tests.
            (
                b"@if defined _OLD_VIRTUAL_PYTHONHOME @goto",
                "OLD_VIRTUAL_PYTHONHOME",
            ),
            // uv 0.13.9: pip's code, an attribute of a module.
            (b"sysconfig._PIP_USE_SYSCONFIG = True", "PIP_USE_SYSCONFIG"),
            // uv 0.13.9: PEM labels back to back.
            (b"CERTIFICATE REQUESTECHCONFIG-----", "REQUESTECHCONFIG"),
            // git 2.47: assertion text.
            (b"\0entry->flag & REF_DIR\0", "REF_DIR"),
            (b"ci->merged.result.mode == S_IFDIR\0", "S_IFDIR"),
            (b"\0S_ISSPARSEDIR(ce->ce_mode)\0", "S_ISSPARSEDIR"),
            // rclone 1.60: template placeholders in help text.
            (b"history files (default: {WORKDIR})\n", "WORKDIR"),
            // rclone 1.60: an HTTP header.
            (b"X-Origin-HostX-SEAFILE-OTP", "SEAFILE"),
            // pnpm 12 (a binary with JavaScript inside): errno names compared.
            (
                b"catch(n){if(n.code!==\"ENOENT\"&&n.code!==\"ENOTDIR\")throw n}",
                "ENOTDIR",
            ),
            (b"m&&(m.code===\"EMFILE\"||m.code===\"ENFILE\"", "ENFILE"),
            // The tail of a longer identifier.
            (b"getHOMEDIR\0", "HOMEDIR"),
        ];
        for (hay, junk) in cases {
            let found = scanned(hay);
            assert!(
                !found.contains(*junk),
                "{junk} in {found:?} from {:?}",
                String::from_utf8_lossy(hay)
            );
        }
    }
}
