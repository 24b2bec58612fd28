//! The files of a trace given with `--trace-file`: files, folders of files,
//! and the prefix given to `strace -ff -o` (its `PREFIX.<pid>` files), read
//! as one trace of one format. Input that is not a regular file (a pipe,
//! `/dev/stdin`, `<(zcat ...)`) is first copied to a private file: a trace is
//! read more than once (to tell its format, to find the tool's processes).

use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Discover, Result, Trace, at_path};
use crate::files;
use crate::trace::{self, Format};

/// One file of a trace.
#[derive(Debug, Clone)]
pub struct TraceInput {
    /// The file to read.
    pub path: PathBuf,
    /// The name to show for it (as given).
    pub shown: PathBuf,
    /// The process its unprefixed lines belong to, from a `PREFIX.<pid>` name.
    pub pid: Option<u32>,
}

/// Every file of a trace, of one format.
pub struct TraceInputs {
    pub format: Format,
    pub files: Vec<TraceInput>,
    /// Copies of inputs that were not regular files, deleted on drop.
    spool: Option<PathBuf>,
}

impl Drop for TraceInputs {
    fn drop(&mut self) {
        if let Some(dir) = &self.spool {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

/// Bytes read to tell a file's format.
const HEAD: u64 = 64 * 1024;

impl TraceInputs {
    /// Gather the files `given` names, in order, and check they are of one
    /// format (`format` when the user named it).
    pub fn gather(given: &[PathBuf], format: Option<Format>) -> Result<TraceInputs> {
        let mut inputs = TraceInputs {
            format: format.unwrap_or(Format::Strace),
            files: Vec::new(),
            spool: None,
        };
        for value in given {
            for file in expand(value)? {
                let path = if is_regular(&file) {
                    file.clone()
                } else {
                    inputs.spool_copy(&file)?
                };
                let pid = pid_of(&file);
                inputs.files.push(TraceInput {
                    path,
                    shown: file,
                    pid,
                });
            }
        }
        inputs
            .files
            .retain(|f| fs::metadata(&f.path).is_ok_and(|m| m.len() > 0));
        if inputs.files.is_empty() {
            return Err(Discover::Trace(Trace::Empty(shown_list(given))).into());
        }
        inputs.format = match format {
            Some(format) => format,
            None => inputs.detect()?,
        };
        if inputs.format != Format::Strace {
            // Parts of one capture, in the order of their names.
            inputs.files.iter_mut().for_each(|f| f.pid = None);
        }
        Ok(inputs)
    }

    /// Tell every file's format; they must agree.
    fn detect(&self) -> Result<Format> {
        let mut found: Vec<(Format, &Path)> = Vec::new();
        for file in &self.files {
            let mut head = Vec::new();
            fs::File::open(&file.path)
                .and_then(|f| f.take(HEAD).read_to_end(&mut head))
                .map_err(at_path("cannot read", &file.shown))?;
            let format = trace::detect_format(&head)
                .ok_or_else(|| Discover::Trace(Trace::UnknownFormat(file.shown.clone())))?;
            found.push((format, &file.shown));
        }
        let first = found[0].0;
        if let Some((other, path)) = found.iter().find(|(f, _)| *f != first) {
            return Err(Discover::Trace(Trace::Mixed {
                first: found[0].1.to_path_buf(),
                first_format: first,
                other: path.to_path_buf(),
                other_format: *other,
            })
            .into());
        }
        Ok(first)
    }

    /// Copy a pipe or device to a private file under the temp folder.
    fn spool_copy(&mut self, file: &Path) -> Result<PathBuf> {
        let dir = match &self.spool {
            Some(dir) => dir.clone(),
            None => {
                let dir = std::env::temp_dir().join(format!(
                    "swop-trace-{}-{:x}",
                    std::process::id(),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos())
                        .unwrap_or(0)
                ));
                files::create_private_dir(&dir).map_err(at_path("cannot create", &dir))?;
                self.spool = Some(dir.clone());
                dir
            }
        };
        let copy = dir.join(format!("input-{}", self.files.len()));
        let mut from = fs::File::open(file).map_err(at_path("cannot open", file))?;
        let mut to = private_file(&copy)?;
        io::copy(&mut from, &mut to).map_err(at_path("cannot read", file))?;
        Ok(copy)
    }

    /// All files, one after the other, as one reader: the parts of one
    /// fs_usage or eslogger capture.
    pub fn chained(&self) -> Result<Box<dyn BufRead>> {
        let mut reader: Box<dyn Read> = Box::new(io::empty());
        for file in &self.files {
            let f =
                fs::File::open(&file.path).map_err(at_path("cannot read trace", &file.shown))?;
            reader = Box::new(reader.chain(f));
        }
        Ok(Box::new(BufReader::with_capacity(1 << 20, reader)))
    }

    /// How the trace is named in messages.
    pub fn describe(&self) -> String {
        match self.files.as_slice() {
            [one] => one.shown.display().to_string(),
            many => format!("{} files ({} ...)", many.len(), many[0].shown.display()),
        }
    }
}

impl super::super::model::Source for TraceInputs {
    fn open(&self) -> Result<Box<dyn BufRead>> {
        self.chained()
    }

    fn name(&self) -> String {
        self.describe()
    }
}

fn shown_list(given: &[PathBuf]) -> String {
    given
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The files one `--trace-file` value names: itself, the files of a folder,
/// or the `PREFIX.<pid>` files of a prefix.
fn expand(value: &Path) -> Result<Vec<PathBuf>> {
    match fs::metadata(value) {
        Ok(meta) if meta.is_dir() => {
            let mut files: Vec<PathBuf> = fs::read_dir(value)
                .map_err(at_path("cannot read", value))?
                .filter_map(|e| e.ok())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            files.sort_by_key(|p| sort_key(p));
            if files.is_empty() {
                return Err(Discover::Trace(Trace::EmptyFolder(value.to_path_buf())).into());
            }
            Ok(files)
        }
        Ok(_) => Ok(vec![value.to_path_buf()]),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let files = prefixed(value);
            if files.is_empty() {
                return Err(Discover::Trace(Trace::Missing(value.to_path_buf())).into());
            }
            Ok(files)
        }
        Err(e) => Err(at_path("cannot read", value)(e)),
    }
}

/// `PREFIX.<digits>` files beside `prefix`, by pid.
fn prefixed(prefix: &Path) -> Vec<PathBuf> {
    let Some(name) = prefix.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let dir = match prefix.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_prefix(name)?.strip_prefix('.'))
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|e| dir.join(e.file_name()))
        .collect();
    files.sort_by_key(|p| sort_key(p));
    files
}

/// Files by name, `P.9` before `P.10`.
fn sort_key(path: &Path) -> (String, u64) {
    let name = path.to_string_lossy().into_owned();
    match pid_of(path) {
        Some(pid) => (
            name[..name.rfind('.').unwrap_or(0)].to_string(),
            u64::from(pid),
        ),
        None => (name, 0),
    }
}

/// The pid in a `PREFIX.<pid>` file name.
fn pid_of(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    let (_, pid) = name.rsplit_once('.')?;
    (!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pid.parse().ok())
        .flatten()
}

fn is_regular(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file())
}

fn private_file(path: &Path) -> Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(at_path("cannot create", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_come_from_ff_names_only() {
        assert_eq!(pid_of(Path::new("/t/log.strace.1234")), Some(1234));
        assert_eq!(pid_of(Path::new("/t/log.strace")), None);
        assert_eq!(pid_of(Path::new("/t/log.")), None);
        let mut names = vec![
            PathBuf::from("p.10"),
            PathBuf::from("p.9"),
            PathBuf::from("p.100"),
        ];
        names.sort_by_key(|p| sort_key(p));
        assert_eq!(names, [PathBuf::from("p.9"), "p.10".into(), "p.100".into()]);
    }
}
