//! Names from the tool's own source: a tool written in Python, JavaScript,
//! Ruby or shell defines its variables in library code the entry point only
//! imports (`POETRY_CONFIG_DIR` in `poetry/locations.py`,
//! `DATABRICKS_CONFIG_FILE` in `databricks_cli/configure/provider.py`). The
//! trace shows which files the tool loaded; those under its install are its
//! source, and the names they look up in the environment are candidates.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::lookups::{self, Language, Lookups};
use super::{Rank, likely, minable, strings};

/// Most source files one discovery reads: an install of thousands of
/// modules must not make it slow.
const MAX_FILES: usize = 3000;

/// Most bytes of source one discovery reads, all files together.
const MAX_BYTES: u64 = 96 << 20;

/// A file larger than this is data, not source (wrangler's bundle, the
/// largest seen, is 12 MiB; a shared object can be hundreds).
const MAX_FILE_BYTES: u64 = 32 << 20;

/// What a source file is, which decides how its names are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SourceKind {
    /// Text with environment lookups to read.
    Text(Language),
    /// A shared object (`.so`, a Node addon): only its strings can be read.
    Shared,
}

/// A name mined from a tool's source: where it was looked up, and how
/// strongly its shape speaks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinedName {
    pub var: String,
    pub rank: Rank,
    /// The first file (in the order given) that looks it up.
    pub file: PathBuf,
}

/// Among the files a traced run read successfully, those that are the tool's
/// own source: Python modules (a `__pycache__/*.pyc` stands for its `.py`),
/// JavaScript (`.js`, `.mjs`, `.cjs`), Ruby, shell and other scripts with a
/// `#!` line, and shared objects, found under a package folder
/// (`site-packages`, `dist-packages`, `node_modules`, `gems`) or under the
/// install of the programs the tool ran (`program_roots`, the folders that
/// hold them: `/opt/venv/bin` makes `/opt/venv/lib` part of it). A language's
/// standard library (`lib/python3.11/os.py`) is not the tool's.
///
/// At most [`MAX_FILES`] files and [`MAX_BYTES`] bytes are returned, scripts
/// and modules before bundles and shared objects; a file over
/// [`MAX_FILE_BYTES`] is left out.
pub fn source_files<'a>(
    read: impl IntoIterator<Item = &'a Path>,
    program_roots: &[PathBuf],
) -> Vec<PathBuf> {
    let installs = Installs::new(program_roots);
    let mut seen = BTreeSet::new();
    let mut found: Vec<(SourceKind, u64, PathBuf)> = Vec::new();
    for path in read {
        let path = python_source(path).unwrap_or_else(|| path.to_path_buf());
        if !path.is_absolute() || !seen.insert(path.clone()) || !installs.holds(&path) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            continue;
        }
        if let Some(kind) = source_kind(&path) {
            found.push((kind, meta.len(), path));
        }
    }
    found.sort_by(|a, b| (priority(a.0), &a.2).cmp(&(priority(b.0), &b.2)));
    within(found, MAX_FILES, MAX_BYTES)
}

/// The first files, in order, that fit `max_files` and `max_bytes`; a file
/// too big for what is left is passed over for smaller ones after it.
fn within(
    found: Vec<(SourceKind, u64, PathBuf)>,
    max_files: usize,
    max_bytes: u64,
) -> Vec<PathBuf> {
    let mut bytes = 0;
    let mut files = Vec::new();
    for (_, size, path) in found {
        if files.len() == max_files {
            break;
        }
        if bytes + size <= max_bytes {
            bytes += size;
            files.push(path);
        }
    }
    files
}

/// Small text first, then bundles, then shared objects: when the caps bite,
/// the files most likely to hold the tool's own lookups are kept.
fn priority(kind: SourceKind) -> u8 {
    match kind {
        SourceKind::Text(Language::JavaScript) => 1,
        SourceKind::Text(_) => 0,
        SourceKind::Shared => 2,
    }
}

/// The names `files` (from [`source_files`]) look up in the environment and
/// that are shaped like a place and no switch (see [`minable`]), each once,
/// sorted. A lookup through a constant (`getenv(ENV_VAR)` with
/// `ENV_VAR = "X"`) is resolved against the constants of every file. A
/// shared object's lookups cannot be read, so only its names shaped like a
/// state variable are kept (see [`likely`]). Names that carry the tool's name
/// or a state folder's shape rank [`Rank::MinedLikely`], the others
/// [`Rank::Mined`].
pub fn mine_sources(files: &[PathBuf], tool: Option<&str>) -> Vec<MinedName> {
    let mut texts: Vec<(&Path, Lookups)> = Vec::new();
    let mut constants: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut found: BTreeMap<String, &Path> = BTreeMap::new();
    for file in files {
        match source_kind(file) {
            Some(SourceKind::Text(language)) => {
                let Some(text) = read_capped(file) else {
                    continue;
                };
                let mut lookups = lookups::read(&text, language);
                for (ident, names) in std::mem::take(&mut lookups.constants) {
                    constants.entry(ident).or_default().extend(names);
                }
                texts.push((file, lookups));
            }
            Some(SourceKind::Shared) => {
                for var in strings::mine(file) {
                    if likely(&var, tool) {
                        found.entry(var).or_insert(file);
                    }
                }
            }
            None => {}
        }
    }
    for (file, lookups) in &texts {
        for var in lookups.resolve(&constants) {
            if minable(var) && !found.contains_key(var) {
                found.insert(var.to_string(), file);
            }
        }
    }
    found
        .into_iter()
        .map(|(var, file)| MinedName {
            rank: if likely(&var, tool) {
                Rank::MinedLikely
            } else {
                Rank::Mined
            },
            var,
            file: file.to_path_buf(),
        })
        .collect()
}

/// Whether `path` is a script or module whose lookups can be read (by its
/// name or its `#!` line), rather than a binary.
pub(super) fn is_script(path: &Path) -> bool {
    matches!(source_kind(path), Some(SourceKind::Text(_)))
}

/// A file's bytes, up to [`MAX_FILE_BYTES`].
fn read_capped(path: &Path) -> Option<Vec<u8>> {
    let mut text = Vec::new();
    File::open(path)
        .ok()?
        .take(MAX_FILE_BYTES)
        .read_to_end(&mut text)
        .ok()?;
    Some(text)
}

/// `pkg/__pycache__/mod.cpython-311.pyc` -> `pkg/mod.py`, when that exists:
/// Python reads the cached bytecode, whose lookups cannot be read, and only
/// looks at the source's date.
fn python_source(path: &Path) -> Option<PathBuf> {
    if path.extension()? != "pyc" {
        return None;
    }
    let cache = path.parent()?;
    if cache.file_name()? != "__pycache__" {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let module = name.split('.').next()?;
    let source = cache.parent()?.join(format!("{module}.py"));
    source.is_file().then_some(source)
}

fn source_kind(path: &Path) -> Option<SourceKind> {
    let name = path.file_name()?.to_str()?;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let kind = match extension {
        "py" => SourceKind::Text(Language::Python),
        "js" | "mjs" | "cjs" => SourceKind::Text(Language::JavaScript),
        "rb" => SourceKind::Text(Language::Ruby),
        "sh" | "bash" => SourceKind::Text(Language::Shell),
        "so" | "node" | "dylib" => SourceKind::Shared,
        _ if name.contains(".so.") => SourceKind::Shared,
        _ => SourceKind::Text(script_language(path)?),
    };
    Some(kind)
}

/// The language of a script, from its `#!` line (`#!/usr/bin/env node`,
/// `#!/opt/venv/bin/python3`).
fn script_language(path: &Path) -> Option<Language> {
    let mut head = [0u8; 256];
    let mut file = File::open(path).ok()?;
    let n = file.read(&mut head).ok()?;
    let line = head[..n].strip_prefix(b"#!")?;
    let line = &line[..memchr::memchr(b'\n', line).unwrap_or(line.len())];
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split_whitespace();
    let mut program = words.next()?.rsplit('/').next()?;
    if program == "env" {
        program = words.find(|w| !w.starts_with('-'))?;
    }
    interpreter_language(program)
}

fn interpreter_language(program: &str) -> Option<Language> {
    let family = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    match family {
        "python" | "pypy" => Some(Language::Python),
        "node" | "nodejs" | "bun" | "deno" => Some(Language::JavaScript),
        "ruby" => Some(Language::Ruby),
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "mksh" => Some(Language::Shell),
        _ => None,
    }
}

/// Where a tool is installed: the folders of the programs it ran, and the
/// library folders beside a `bin` folder among them.
struct Installs {
    roots: Vec<PathBuf>,
    libraries: Vec<PathBuf>,
}

/// Folders of an install prefix that hold its libraries and data.
const LIBRARY_FOLDERS: [&str; 4] = ["lib", "lib64", "libexec", "share"];

/// Folders of packages installed for a language, wherever they are.
const PACKAGE_FOLDERS: [&str; 4] = ["site-packages", "dist-packages", "node_modules", "gems"];

impl Installs {
    fn new(program_roots: &[PathBuf]) -> Installs {
        let mut libraries = Vec::new();
        for root in program_roots {
            let is_bin = root
                .file_name()
                .is_some_and(|n| n == "bin" || n == "sbin" || n == ".bin");
            if let Some(prefix) = root.parent().filter(|_| is_bin) {
                libraries.extend(LIBRARY_FOLDERS.iter().map(|l| prefix.join(l)));
            }
        }
        Installs {
            roots: program_roots.to_vec(),
            libraries,
        }
    }

    /// Whether `path` is part of a tool's install and not of a language's
    /// standard library.
    fn holds(&self, path: &Path) -> bool {
        let packaged = path
            .components()
            .any(|c| PACKAGE_FOLDERS.iter().any(|p| c.as_os_str() == *p));
        let installed = || {
            self.roots
                .iter()
                .chain(&self.libraries)
                .any(|root| path.starts_with(root))
        };
        (packaged || installed()) && !in_standard_library(path)
    }
}

/// `lib/python3.11/json/__init__.py` or `lib/ruby/3.1.0/set.rb`: a language's
/// own library, outside any package folder.
fn in_standard_library(path: &Path) -> bool {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    let packaged = parts
        .iter()
        .any(|p| PACKAGE_FOLDERS.contains(p) || *p == "vendor_ruby");
    let language_lib = parts.windows(2).any(|w| {
        matches!(w[0], "lib" | "lib64")
            && (w[1].starts_with("python") || w[1] == "ruby" || w[1] == "perl5")
    });
    language_lib && !packaged
}

#[cfg(test)]
mod tests;
