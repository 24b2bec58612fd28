//! Keyrings: a small program that connects to the Unix socket named by
//! DBUS_SESSION_BUS_ADDRESS (where a Secret Service keyring would answer)
//! is reported in the Limitations; the same program without the connection
//! is not.

use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Lab, require, strings};

/// A Python 3 that runs with any HOME: the system's, not a shim of a
/// version manager that looks for its files in the home.
fn python() -> Option<PathBuf> {
    let system = Path::new("/usr/bin/python3");
    if system.exists() {
        return Some(system.to_path_buf());
    }
    require("python3").then(|| PathBuf::from("python3"))
}

const PROGRAM: &str = r#"
import os, socket, sys
state = os.path.join(os.environ["HOME"], ".keyed")
os.makedirs(state, exist_ok=True)
with open(os.path.join(state, "token"), "w") as f:
    f.write("t")
if sys.argv[1:] == ["--keyring"]:
    address = os.environ["DBUS_SESSION_BUS_ADDRESS"]
    path = address.split("unix:path=", 1)[1].split(",")[0]
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.close()
"#;

fn limitations_of(lab: &Lab, python: &Path, bus: &Path, keyring: bool) -> Vec<String> {
    let mut args = vec![python.to_str().expect("path"), "-c", PROGRAM];
    if keyring {
        args.push("--keyring");
    }
    let mut all = vec!["--"];
    all.extend(args);
    let run = lab.discover_cmd(&all).env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={},guid=0123456789abcdef", bus.display()),
    );
    let (f, _): (Value, String) = lab.discover_with(run);
    assert_eq!(f["verified"], true, "{:#}", f["limitations"]);
    strings(&f["limitations"])
}

#[test]
fn a_connection_to_the_session_bus_is_a_keyring_limitation() {
    if !require("strace") {
        return;
    }
    let Some(python) = python() else { return };
    let lab = Lab::new();
    let bus = lab.swop.dir().join("bus");
    // Listening is enough: the kernel completes a connection into the backlog.
    let _listener = UnixListener::bind(&bus).expect("listen");

    let with = limitations_of(&lab, &python, &bus, true);
    let keyring: Vec<&String> = with
        .iter()
        .filter(|l| l.contains("used a keyring"))
        .collect();
    assert_eq!(keyring.len(), 1, "{with:#?}");
    assert!(keyring[0].contains("D-Bus session bus"), "{}", keyring[0]);
    assert!(
        keyring[0].contains(&format!("`{}`", bus.display())),
        "{}",
        keyring[0]
    );
    assert!(keyring[0].contains("in a file instead"), "{}", keyring[0]);

    let without = limitations_of(&lab, &python, &bus, false);
    assert!(
        !without.iter().any(|l| l.contains("used a keyring")),
        "{without:#?}"
    );
}
