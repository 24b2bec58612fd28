//! One lexical path normaliser for every trace format: join a relative path
//! to its folder and drop `.`, `..` and empty components, without ever
//! looking at the file system (a trace is often read on another machine).

/// `rel` joined to `base` and normalized; `rel` empty means `base` itself.
pub fn join(base: &[u8], rel: &[u8]) -> Vec<u8> {
    if rel.is_empty() && !base.is_empty() {
        return normalize(base);
    }
    let mut joined = Vec::with_capacity(base.len() + rel.len() + 1);
    joined.extend_from_slice(base);
    joined.push(b'/');
    joined.extend_from_slice(rel);
    if is_normal(&joined) {
        joined
    } else {
        normalize_slow(&joined)
    }
}

/// Lexically drop `.`, empty components and `..` (never above the root).
pub fn normalize(path: &[u8]) -> Vec<u8> {
    if is_normal(path) {
        path.to_vec()
    } else {
        normalize_slow(path)
    }
}

/// Whether `normalize` would return `path` unchanged: no `.`, `..` or empty
/// component and no trailing slash (except for `/` itself).
pub fn is_normal(path: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (path.first(), path.last()) else {
        return false;
    };
    if first == b'.' || (last == b'/' && path.len() > 1) {
        return false;
    }
    // No `//` and no `/.`, checked without branches so it vectorizes.
    let odd = path.iter().zip(&path[1..]).fold(0u8, |acc, (&a, &b)| {
        acc | (u8::from(a == b'/') & (u8::from(b == b'/') | u8::from(b == b'.')))
    });
    odd == 0
}

fn normalize_slow(path: &[u8]) -> Vec<u8> {
    let absolute = path.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&c| c == b'/') {
        match part {
            b"" | b"." => {}
            b".." => match parts.last() {
                Some(&last) if last != b".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(part),
            },
            _ => parts.push(part),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    for part in &parts {
        if absolute || !out.is_empty() {
            out.push(b'/');
        }
        out.extend_from_slice(part);
    }
    if out.is_empty() {
        out.push(if absolute { b'/' } else { b'.' });
    }
    out
}

// ---------------------------------------------------------------------------

/// Whether `path` is `dir` or lies under it, comparing bytes (both are
/// normalised): `Path::starts_with` walks components, too slow for traces of
/// a million paths.
pub fn under(path: &std::path::Path, dir: &std::path::Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let (path, dir) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
    match path.strip_prefix(dir) {
        Some(rest) => rest.is_empty() || rest[0] == b'/' || dir.ends_with(b"/"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The normaliser fs_usage had before this one, kept as an oracle.
    fn fs_usage_normalize(path: &[u8]) -> Vec<u8> {
        let mut out: Vec<u8> = Vec::new();
        if path.first() == Some(&b'/') {
            out.push(b'/');
        }
        for component in path.split(|&b| b == b'/') {
            match component {
                b"" | b"." => {}
                b".." => match memchr::memrchr(b'/', &out) {
                    Some(0) => out.truncate(1),
                    Some(i) => out.truncate(i),
                    None if out.is_empty() || out == b".." || out.ends_with(b"/..") => {
                        if !out.is_empty() {
                            out.push(b'/');
                        }
                        out.extend_from_slice(b"..");
                    }
                    None => out.clear(),
                },
                name => {
                    if !out.is_empty() && out.last() != Some(&b'/') {
                        out.push(b'/');
                    }
                    out.extend_from_slice(name);
                }
            }
        }
        if out.is_empty() {
            out.push(b'.');
        }
        out
    }

    /// The join the macOS observation had, kept as an oracle.
    fn components_join(base: &str, rel: &str) -> String {
        use std::path::{Component, Path, PathBuf};
        let mut out = PathBuf::from(base);
        for component in Path::new(rel).components() {
            match component {
                Component::ParentDir => {
                    out.pop();
                }
                Component::Normal(name) => out.push(name),
                _ => {}
            }
        }
        out.to_string_lossy().into_owned()
    }

    fn part() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just(".".to_string()),
            Just("..".to_string()),
            "[a-z]{1,3}",
            Just("…x".to_string()),
        ]
    }

    fn path(absolute: bool) -> impl Strategy<Value = String> {
        proptest::collection::vec(part(), 0..7).prop_map(move |parts| {
            let joined = parts.join("/");
            if absolute {
                format!("/{joined}")
            } else {
                joined
            }
        })
    }

    #[test]
    fn leading_parents_of_a_relative_path_all_stay() {
        assert_eq!(normalize(b"../../.."), b"../../..");
        assert_eq!(normalize(b"a/../../b"), b"../b");
        assert_eq!(normalize(b"/../a"), b"/a");
        assert_eq!(join(b"/w", b"../x/./y/"), b"/x/y");
    }

    proptest! {
        #[test]
        fn agrees_with_the_old_fs_usage_normaliser(p in prop_oneof![path(true), path(false)]) {
            prop_assume!(!p.is_empty());
            let new = normalize(p.as_bytes());
            // The old one popped a `..` when a third one followed two
            // (`../../..` gave `..`): not an answer to keep.
            prop_assume!(!new.starts_with(b"../.."));
            prop_assert_eq!(new, fs_usage_normalize(p.as_bytes()));
        }

        #[test]
        fn agrees_with_the_old_macos_join(base in path(true), rel in path(false)) {
            let base = String::from_utf8(normalize(base.as_bytes())).expect("utf-8");
            let got = String::from_utf8(join(base.as_bytes(), rel.as_bytes())).expect("utf-8");
            prop_assert_eq!(got, components_join(&base, &rel));
        }

        #[test]
        fn normal_paths_stay_as_they_are(p in prop_oneof![path(true), path(false)]) {
            prop_assume!(!p.is_empty());
            let once = normalize(p.as_bytes());
            prop_assert!(is_normal(&once) || once == b"." || once == b"/" || once.starts_with(b".."));
            prop_assert_eq!(normalize(&once), once);
        }
    }
}
