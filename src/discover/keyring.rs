//! Keyrings: where a tool keeps credentials that no folder binding covers.
//!
//! On Linux the Secret Service (gnome-keyring, KWallet) answers on the D-Bus
//! session bus, so a tool that talks to a keyring connects to the bus's Unix
//! socket: the address in `DBUS_SESSION_BUS_ADDRESS`, else
//! `$XDG_RUNTIME_DIR/bus`; gnome-keyring's own sockets live in
//! `$XDG_RUNTIME_DIR/keyring/`. strace shows the `connect`. On macOS the
//! tracers show file access only, and the Keychain is a file under
//! `~/Library/Keychains` or `/Library/Keychains`. Either way every account
//! meets in the same keyring; the Limitation says what was seen and, from
//! the catalog, how to keep accounts apart.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::model::Observation;
use super::{markdown, privacy};

/// Where the session bus listens, as far as the environment says.
#[derive(Debug, Default, Clone)]
pub struct SessionBus {
    /// Socket paths (`unix:path=`), and abstract names written `@name`.
    sockets: Vec<PathBuf>,
    /// Folders the bus makes its socket in (`unix:dir=`, `unix:tmpdir=`).
    dirs: Vec<PathBuf>,
    runtime_dir: Option<PathBuf>,
}

impl SessionBus {
    /// The bus of an environment: `var` gives a variable's value.
    pub fn from_env(var: impl Fn(&str) -> Option<OsString>) -> SessionBus {
        let mut bus = SessionBus {
            runtime_dir: var("XDG_RUNTIME_DIR")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute()),
            ..SessionBus::default()
        };
        let address = var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
        for entry in address.as_bytes().split(|&b| b == b';') {
            let Some(keys) = entry.strip_prefix(b"unix:") else {
                continue;
            };
            for pair in keys.split(|&b| b == b',') {
                let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                    continue;
                };
                let value = unescape(&pair[eq + 1..]);
                match &pair[..eq] {
                    b"path" => bus.sockets.push(path_of(&value)),
                    b"abstract" => bus.sockets.push(path_of(&[b"@", &value[..]].concat())),
                    b"dir" | b"tmpdir" => bus.dirs.push(path_of(&value)),
                    _ => {}
                }
            }
        }
        bus
    }

    /// Whether a socket is the session bus or a keyring daemon's own.
    fn is_keyring_socket(&self, socket: &Path) -> bool {
        if self.sockets.iter().any(|s| s == socket) {
            return true;
        }
        let abstract_in = |dir: &Path| {
            socket
                .as_os_str()
                .as_bytes()
                .strip_prefix(b"@")
                .is_some_and(|name| Path::new(OsStr::from_bytes(name)).starts_with(dir))
        };
        if self
            .dirs
            .iter()
            .any(|d| socket.starts_with(d) || abstract_in(d))
        {
            return true;
        }
        // The default places, and any login's runtime folder in a trace
        // captured elsewhere: /run/user/UID/bus and /run/user/UID/keyring/*.
        let runtime =
            |dir: &Path| socket == dir.join("bus") || socket.starts_with(dir.join("keyring"));
        if self.runtime_dir.as_deref().is_some_and(runtime) {
            return true;
        }
        let mut parts = socket.iter();
        let user_dir = matches!(
            (parts.next(), parts.next(), parts.next(), parts.next()),
            (Some(r), Some(run), Some(user), Some(uid))
                if r == "/" && run == "run" && user == "user"
                    && uid.as_bytes().iter().all(u8::is_ascii_digit)
        );
        user_dir && socket.parent().is_some_and(runtime)
    }
}

/// `%XX` escapes of a D-Bus address value, decoded.
fn unescape(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        let hex = value
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (value[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn path_of(bytes: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(bytes))
}

/// Whether a path is in a Keychain folder: `/Library/Keychains` or a
/// home's `Library/Keychains`, on this machine or the one a trace came from.
fn in_keychains(path: &Path) -> bool {
    let bytes = path.as_os_str().as_bytes();
    bytes.ends_with(b"/Library/Keychains")
        || memchr::memmem::find(bytes, b"/Library/Keychains/").is_some()
}

/// What the steps did with keyrings: one description per place, in the
/// order first seen (already fit for a report).
pub fn seen<'a>(
    observations: impl IntoIterator<Item = &'a Observation>,
    bus: &SessionBus,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |line: String| {
        if !out.contains(&line) {
            out.push(line);
        }
    };
    for obs in observations {
        for (socket, connected) in &obs.sockets {
            if *connected && bus.is_keyring_socket(socket) {
                add(format!(
                    "a connection to the D-Bus session bus, where the Secret Service keyring answers ({})",
                    shown(socket)
                ));
            }
        }
        for (path, info) in &obs.paths {
            if info.ok && in_keychains(path) {
                add(format!("access to the Keychain ({})", shown(path)));
            }
        }
    }
    out
}

fn shown(path: &Path) -> String {
    privacy::private(&markdown::code(&path.to_string_lossy()))
}

/// The Limitation for what [`seen`] found, with the catalog's advice for
/// `tool`; when nothing was seen, the catalog's keyring fact alone.
pub fn limitation(seen: &[String], tool: Option<&str>) -> Option<String> {
    let advice = tool.and_then(crate::recipe::known).and_then(|k| k.keyring);
    if seen.is_empty() {
        return advice.map(str::to_string);
    }
    Some(format!(
        "The tool used a keyring, which no folder of a profile covers: {}. Secrets kept there are shared by every account. {}",
        seen.join("; "),
        advice.unwrap_or(
            "Look for the tool's option to keep its credentials in a file instead (often called plaintext, file or insecure storage) and use it inside each profile."
        )
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Op, TraceEvent};

    fn bus(address: &str, runtime: Option<&str>) -> SessionBus {
        SessionBus::from_env(|name| match name {
            "DBUS_SESSION_BUS_ADDRESS" => Some(address.into()),
            "XDG_RUNTIME_DIR" => runtime.map(Into::into),
            _ => None,
        })
    }

    #[test]
    fn the_bus_is_found_in_every_form_of_its_address() {
        let b = bus(
            "unix:path=/tmp/a%20b/bus,guid=1;unix:abstract=/tmp/dbus-XYZ;unix:tmpdir=/var/dbus",
            Some("/run/user/1000"),
        );
        for socket in [
            "/tmp/a b/bus",
            "@/tmp/dbus-XYZ",
            "/var/dbus/dbus-123",
            "@/var/dbus/dbus-456",
            "/run/user/1000/bus",
            "/run/user/1000/keyring/control",
            "/run/user/501/bus",
        ] {
            assert!(b.is_keyring_socket(Path::new(socket)), "{socket}");
        }
        for socket in [
            "/tmp/a b/other",
            "@/tmp/dbus-XYZW",
            "/run/user/1000/pulse/native",
            "/run/user/x/bus",
            "/run/dbus/system_bus_socket",
        ] {
            assert!(!b.is_keyring_socket(Path::new(socket)), "{socket}");
        }
    }

    fn observed(events: &[(Op, &str, bool)]) -> Observation {
        let mut obs = Observation::default();
        for (op, path, ok) in events {
            obs.add(TraceEvent {
                pid: 1,
                syscall: "x".into(),
                op: *op,
                path: PathBuf::from(path),
                result: if *ok { Ok(0) } else { Err("ENOENT".into()) },
                comm: None,
            });
        }
        obs
    }

    #[test]
    fn only_a_connection_that_succeeded_counts() {
        let b = bus("unix:path=/tmp/s/bus", None);
        let tried = observed(&[(Op::Connect, "/tmp/s/bus", false)]);
        assert!(seen([&tried], &b).is_empty());
        let talked = observed(&[
            (Op::Connect, "/tmp/s/bus", true),
            (Op::Read, "/tmp/s/bus", true),
        ]);
        let found = seen([&talked, &talked], &b);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("D-Bus session bus"), "{found:?}");
        assert!(talked.paths.is_empty() || !talked.paths.keys().any(|p| p.starts_with("@")));
    }

    #[test]
    fn keychain_files_count_on_macos() {
        let obs = observed(&[(
            Op::Read,
            "/Users/me/Library/Keychains/login.keychain-db",
            true,
        )]);
        let found = seen([&obs], &SessionBus::default());
        assert_eq!(found.len(), 1);
        let elsewhere = observed(&[(Op::Read, "/Users/me/Library/KeychainsX/a", true)]);
        assert!(seen([&elsewhere], &SessionBus::default()).is_empty());
        assert!(found[0].starts_with("access to the Keychain"), "{found:?}");
    }

    #[test]
    fn the_limitation_carries_the_catalogs_advice() {
        let seen = vec!["a connection".to_string()];
        let gh = limitation(&seen, Some("gh")).unwrap_or_default();
        assert!(gh.contains("--insecure-storage"), "{gh}");
        let other = limitation(&seen, Some("nosuchtool")).unwrap_or_default();
        assert!(other.contains("in a file instead"), "{other}");
        assert_eq!(limitation(&[], Some("nosuchtool")), None);
        assert!(limitation(&[], Some("gh")).is_some_and(|l| l.contains("keyed by host")));
    }
}
