//! Which files are a tool's source, and which names they yield: on installs
//! laid out in a temporary folder like real ones, and on a real Python run
//! traced by real strace.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;

/// Write `text` at `root/rel`, creating the folders.
fn put(root: &Path, rel: &str, text: &str) -> PathBuf {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

/// A Python tool installed in a virtual environment, as pip lays it out.
struct Venv {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Venv {
    fn new() -> Venv {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        Venv { _dir: dir, root }
    }

    fn put(&self, rel: &str, text: &str) -> PathBuf {
        put(&self.root, rel, text)
    }

    fn bin(&self) -> PathBuf {
        self.root.join("venv/bin")
    }
}

#[test]
fn source_is_what_the_install_holds_and_the_standard_library_is_not() {
    let v = Venv::new();
    let entry = v.put(
        "venv/bin/mytool",
        "#!/usr/bin/env python3\nfrom mytool.cli import main\nmain()\n",
    );
    let module = v.put(
        "venv/lib/python3.11/site-packages/mytool/config.py",
        "import os\n",
    );
    let cached = v.put(
        "venv/lib/python3.11/site-packages/mytool/__pycache__/config.cpython-311.pyc",
        "\0bytecode",
    );
    let addon = v.put(
        "venv/lib/python3.11/site-packages/mytool/_speed.cpython-311-x86_64-linux-gnu.so",
        "\x7fELF",
    );
    let bundle = v.put("npm/node_modules/othertool/dist/cli.cjs", "process.env.X\n");
    let stdlib = v.put("venv/lib/python3.11/json/__init__.py", "import os\n");
    let data = v.put("venv/lib/python3.11/site-packages/mytool/data.json", "{}\n");
    let project = v.put("project/setup.py", "import os\n");
    let not_a_script = v.put("venv/bin/README", "no shebang\n");
    let read: Vec<&Path> = vec![
        &entry,
        &cached,
        &addon,
        &bundle,
        &stdlib,
        &data,
        &project,
        &not_a_script,
        Path::new("/etc/passwd"),
        Path::new("relative.py"),
    ];
    let files = source_files(read, &[v.bin()]);
    // Scripts and modules first, then bundles, then shared objects.
    assert_eq!(files, [entry, module, bundle, addon]);
}

#[test]
fn a_prefix_counts_only_beside_a_bin_folder() {
    let v = Venv::new();
    let lib = v.put("opt/tool/lib/tool/main.py", "x = 1\n");
    let elsewhere = v.put("opt/tool/other/main.py", "x = 1\n");
    let inside = v.put("opt/app/main.py", "x = 1\n");
    let roots = [v.root.join("opt/tool/bin"), v.root.join("opt/app")];
    let files = source_files([&*lib, &*elsewhere, &*inside], &roots);
    assert_eq!(files, [inside, lib]);
}

#[test]
fn the_caps_bound_count_and_bytes() {
    let file = |n: u64, size: u64| {
        (
            SourceKind::Text(Language::Python),
            size,
            PathBuf::from(format!("/x/{n}.py")),
        )
    };
    let found = vec![
        file(1, 60),
        file(2, 50),
        file(3, 30),
        file(4, 10),
        file(5, 1),
    ];
    // 60 + 30 + 10 fit in 100; 50 did not after 60, the 1-byte file is past the count.
    assert_eq!(
        within(found.clone(), 3, 100),
        [
            PathBuf::from("/x/1.py"),
            PathBuf::from("/x/3.py"),
            PathBuf::from("/x/4.py")
        ]
    );
    assert_eq!(within(found, 10, 0), Vec::<PathBuf>::new());
}

#[test]
fn scripts_are_known_by_their_interpreter() {
    let v = Venv::new();
    let cases = [
        ("#!/usr/bin/env node\n", Some(Language::JavaScript)),
        (
            "#!/usr/bin/env -S node --no-warnings\n",
            Some(Language::JavaScript),
        ),
        ("#!/opt/venv/bin/python3.11\n", Some(Language::Python)),
        ("#!/bin/sh\n", Some(Language::Shell)),
        ("#!/usr/bin/ruby\n", Some(Language::Ruby)),
        ("#!/usr/bin/perl\n", None),
        ("plain text\n", None),
    ];
    for (i, (head, want)) in cases.into_iter().enumerate() {
        let path = v.put(&format!("bin/s{i}"), head);
        assert_eq!(script_language(&path), want, "{head:?}");
    }
}

#[test]
fn names_come_from_lookups_across_modules() {
    let v = Venv::new();
    let site = "venv/lib/python3.11/site-packages";
    // dvc 3.67.1: the constant in dvc/env.py, the lookup in dvc/dirs.py.
    let env = v.put(
        &format!("{site}/dvc/env.py"),
        "DVC_GLOBAL_CONFIG_DIR = \"DVC_GLOBAL_CONFIG_DIR\"\nDVC_SYSTEM_CONFIG_DIR = \"DVC_SYSTEM_CONFIG_DIR\"\n",
    );
    let dirs = v.put(
        &format!("{site}/dvc/dirs.py"),
        "def global_config_dir():\n    return os.getenv(env.DVC_GLOBAL_CONFIG_DIR) or platformdirs.user_config_dir(\n",
    );
    // platformdirs: a dependency's lookup of a default candidate.
    let platformdirs = v.put(
        &format!("{site}/platformdirs/unix.py"),
        "        path = os.environ.get(\"XDG_CONFIG_HOME\", \"\")\n        tmp = os.environ.get(\"TMPDIR\")\n",
    );
    let mined = mine_sources(&[env, dirs.clone(), platformdirs.clone()], Some("dvc"));
    let got: Vec<(&str, Rank, &Path)> = mined
        .iter()
        .map(|m| (m.var.as_str(), m.rank, m.file.as_path()))
        .collect();
    assert_eq!(
        got,
        [
            ("DVC_GLOBAL_CONFIG_DIR", Rank::MinedLikely, dirs.as_path()),
            ("TMPDIR", Rank::Mined, platformdirs.as_path()),
            ("XDG_CONFIG_HOME", Rank::MinedLikely, platformdirs.as_path()),
        ]
    );
}

#[test]
fn a_name_that_carries_the_tools_ranks_above_another_tools() {
    let v = Venv::new();
    let file = v.put(
        "venv/lib/python3.11/site-packages/tool/x.py",
        "a = os.getenv(\"MYTOOL_DATA_DIR\")\nb = os.getenv(\"OTHER_DATA_DIR\")\n",
    );
    let mined = mine_sources(&[file], Some("mytool"));
    let ranks: Vec<(&str, Rank)> = mined.iter().map(|m| (m.var.as_str(), m.rank)).collect();
    assert_eq!(
        ranks,
        [
            ("MYTOOL_DATA_DIR", Rank::MinedLikely),
            ("OTHER_DATA_DIR", Rank::Mined)
        ]
    );
}

/// Whether strace and python3 can run here; when not, say why (and fail
/// when CI is set).
fn traceable_python() -> bool {
    let works = |program: &str, args: &[&str]| {
        std::process::Command::new(program)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let reason = if !works("python3", &["-c", "pass"]) {
        "python3 cannot run"
    } else if !works("strace", &["-f", "-o", "/dev/null", "--", "true"]) {
        "strace cannot trace here"
    } else {
        return true;
    };
    assert!(std::env::var_os("CI").is_none(), "{reason}, and CI is set");
    eprintln!("skipped: {reason}");
    false
}

/// A tool laid out like httpie 3.2.4 (its config module copied in part),
/// run for real under strace: the trace's reads lead to the module that
/// defines its variable, though the entry point never names it.
#[test]
fn a_traced_python_tool_yields_its_own_variable() {
    if !traceable_python() {
        return;
    }
    let v = Venv::new();
    let site = "venv/lib/python3/site-packages";
    let entry = v.put(
        "venv/bin/mytool",
        "#!/usr/bin/env python3\nimport sys\nsys.path.insert(0, sys.argv[1])\nfrom mytool.core import main\nmain()\n",
    );
    v.put(&format!("{site}/mytool/__init__.py"), "");
    v.put(
        &format!("{site}/mytool/core.py"),
        "from mytool.config import get_default_config_dir\ndef main():\n    get_default_config_dir()\n",
    );
    v.put(
        &format!("{site}/mytool/config.py"),
        "import os\nfrom pathlib import Path\n\nENV_XDG_CONFIG_HOME = 'XDG_CONFIG_HOME'\n\
         ENV_MYTOOL_CONFIG_DIR = 'MYTOOL_CONFIG_DIR'\n\n\
         def get_default_config_dir() -> Path:\n    env_config_dir = os.environ.get(ENV_MYTOOL_CONFIG_DIR)\n\
         \x20   if env_config_dir:\n        return Path(env_config_dir)\n\
         \x20   xdg_config_home_dir = os.environ.get(\n        ENV_XDG_CONFIG_HOME,\n        Path.home() / '.config'\n    )\n\
         \x20   return Path(xdg_config_home_dir) / 'mytool'\n",
    );
    let trace = v.root.join("trace");
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=%file,%process", "-o"])
        .arg(&trace)
        .arg("--")
        .arg("python3")
        .arg(&entry)
        .arg(v.root.join(site))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .status()
        .unwrap();
    assert!(status.success());
    let obs = crate::discover::model::Observation::from_trace(
        crate::trace::Format::Strace,
        &trace,
        &v.root,
        None,
    )
    .unwrap();
    let read = obs
        .paths
        .iter()
        .filter(|(_, info)| info.ok && info.ops.contains(crate::trace::Op::Read))
        .map(|(path, _)| &**path);
    let files = source_files(read, &[v.bin()]);
    assert!(files.contains(&entry), "{files:?}");
    let mined = mine_sources(&files, Some("mytool"));
    let names: Vec<&str> = mined.iter().map(|m| m.var.as_str()).collect();
    assert_eq!(names, ["MYTOOL_CONFIG_DIR", "XDG_CONFIG_HOME"]);
    let own = &mined[0];
    assert_eq!(own.rank, Rank::MinedLikely);
    assert!(own.file.ends_with("mytool/config.py"), "{own:?}");
}
