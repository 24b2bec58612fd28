//! The layout of macOS's `sysctl(KERN_PROCARGS2)`: a process's arguments and
//! environment as the kernel keeps them. Parsed on every platform so that its
//! tests run everywhere.

/// A native `int` argc, the executable's path, NUL padding, then argc
/// arguments and the environment, each NUL-terminated; the environment ends
/// at an empty string (what follows is the loader's, not the process's).
/// Returns the arguments and the environment block.
pub fn split(buf: &[u8]) -> Option<(Vec<&[u8]>, &[u8])> {
    let argc = usize::try_from(i32::from_ne_bytes(buf.get(..4)?.try_into().ok()?)).ok()?;
    let mut rest = &buf[4..];
    rest = &rest[memchr::memchr(0, rest)?..];
    rest = &rest[rest.iter().position(|&b| b != 0).unwrap_or(rest.len())..];
    let mut args = Vec::with_capacity(argc.min(64));
    for _ in 0..argc {
        let end = memchr::memchr(0, rest).unwrap_or(rest.len());
        args.push(&rest[..end]);
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    let env_end = memchr::memmem::find(rest, b"\0\0").map_or(rest.len(), |at| at + 1);
    let env = if rest.first() == Some(&0) {
        &rest[..0]
    } else {
        &rest[..env_end]
    };
    Some((args, env))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_and_environment_come_apart() {
        let mut buf = 2i32.to_ne_bytes().to_vec();
        buf.extend_from_slice(b"/bin/sleep\0\0\0\0sleep\x0030\0A=1\0SWOP_HOME=/s\0\0ptr_munge=x\0");
        let (args, env) = split(&buf).expect("parses");
        assert_eq!(args, [&b"sleep"[..], b"30"]);
        assert_eq!(env, b"A=1\0SWOP_HOME=/s\0");
    }

    #[test]
    fn no_environment_and_short_buffers() {
        let mut buf = 1i32.to_ne_bytes().to_vec();
        buf.extend_from_slice(b"/x\0x\0\0");
        let (args, env) = split(&buf).expect("parses");
        assert_eq!(args, [&b"x"[..]]);
        assert!(env.is_empty());
        assert!(split(b"\x01\0").is_none());
        assert!(split(&(-1i32).to_ne_bytes()).is_none());
    }
}
