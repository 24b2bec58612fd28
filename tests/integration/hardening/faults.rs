//! Faults: `kill -9` at random points, a full disk and a read-only store.
//! Afterwards every profile is whole or absent, nothing that was there is
//! lost, and swop works without repair. `scripts/faults.sh` runs 200+ kills.

use std::fs;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use super::{Lab, Rng, Tmpfs, contents, read_recipe, scratch_folders, whole_profiles};
use crate::common::{OutputExt, Swop, require};

const KILLS: usize = 40;

/// Kill `child` after a random delay below `range` microseconds; whether the
/// kill landed before it ended. The range adapts so that about half land,
/// which spreads the kills over the command's whole run.
fn kill_at_random(mut child: Child, rng: &mut Rng, range: &mut u64) -> bool {
    std::thread::sleep(Duration::from_micros(rng.below(*range + 1)));
    let _ = child.kill();
    let landed = child
        .wait()
        .is_ok_and(|s| s.signal() == Some(libc::SIGKILL));
    *range = if landed {
        *range * 11 / 10 + 1
    } else {
        *range * 9 / 10 + 1
    };
    landed
}

#[test]
fn kill_9_during_add_and_rm_leaves_every_profile_whole_or_absent() {
    let swop = Swop::new();
    swop.add("keep", &[]);
    let mut rng = Rng::new("kill_9_during_add_and_rm");
    let (mut range, mut landed, mut midway) = (2000, 0, 0);
    for i in 0..KILLS {
        let name = format!("p{}", rng.below(4));
        let args: Vec<&str> = match i % 3 {
            0 => vec!["add", &name],
            1 => vec![
                "add",
                &name,
                "--bind",
                "CODEX_HOME",
                "--bind",
                "GH_CONFIG_DIR",
            ],
            _ => vec!["rm", &name],
        };
        // Each add makes a profile and each rm deletes one.
        let prepare = if args[0] == "add" {
            ["rm", &name]
        } else {
            ["add", &name]
        };
        let _ = swop.args(prepare).output();
        if kill_at_random(swop.args(&args).spawn(), &mut rng, &mut range) {
            landed += 1;
        }
        let (_, leftovers) = whole_profiles(&swop.root());
        midway += usize::from(leftovers > 0);
    }
    // Leftovers are invisible to list, and the next add sweeps them.
    let (names, _) = whole_profiles(&swop.root());
    let listed = swop.args(["list", "--names"]).success().stdout_str();
    assert_eq!(listed.lines().collect::<Vec<_>>(), names);
    swop.add("after", &[]);
    let (names, leftovers) = whole_profiles(&swop.root());
    assert_eq!(leftovers, 0, "add did not sweep the leftovers");
    for name in &names {
        swop.args(["exec", name, "--", "true"]).success();
        swop.args(["rm", name]).success();
    }
    eprintln!(
        "{KILLS} kills, {landed} before the command ended, a leftover present after {midway}; all swept"
    );
}

#[test]
fn kill_9_during_discover_record_leaves_the_recipe_whole_or_absent() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    lab.record_tool();
    let record = ["discover", "--record", "rtool", "--json", "--", "rtool"];
    let started = std::time::Instant::now();
    lab.swop(&record).success();
    let full_run = started.elapsed();
    let recipe = lab.swop.root().join("recipes/rtool.toml");
    let mut rng = Rng::new("kill_9_during_discover_record");
    let mut range = full_run.as_micros() as u64;
    let mut landed = 0;
    let kills = KILLS / 2;
    for i in 0..kills {
        if i % 4 == 0 {
            // Start again without a recipe (an earlier kill may have left none).
            let _ = fs::remove_file(&recipe);
        }
        if kill_at_random(lab.swop(&record).spawn(), &mut rng, &mut range) {
            landed += 1;
        }
        if recipe.exists() {
            assert_eq!(read_recipe(&recipe).bindings, ["RT_HOME"]);
        }
    }
    lab.swop(&record).success();
    lab.swop(&["add", "w", "--tool", "rtool"]).success();
    let show = lab.swop(&["show", "w", "--json"]).success().stdout_str();
    assert!(show.contains("RT_HOME"), "{show}");
    // kill -9 gives swop no chance to delete its scratch folder; say how many stayed.
    let left = scratch_folders(&lab.tmpdir());
    eprintln!(
        "{kills} kills of discover --record (a full run takes {full_run:?}), {landed} before it ended; \
         {} scratch folders left behind in TMPDIR",
        left.len()
    );
}

/// Fill a file system until it says it is full.
fn fill(dir: &std::path::Path) {
    let mut file = fs::File::create(dir.join("fill")).expect("create fill");
    let block = [0u8; 4096];
    loop {
        if let Err(e) = file.write_all(&block).and_then(|()| file.sync_all()) {
            assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
            return;
        }
    }
}

/// A store on a small tmpfs of its own, with profile A holding a file of
/// data and, when strace is here, a recorded recipe.
struct Disk {
    lab: Lab,
    disk: PathBuf,
    mount: Tmpfs,
    home: PathBuf,
    strace: bool,
}

impl Disk {
    fn prepare(size: &str) -> Option<Disk> {
        let lab = Lab::with(Swop::with_store("disk/store"));
        let disk = lab.swop.dir().join("disk");
        let mount = Tmpfs::mount(&disk, size)?;
        lab.swop.add("A", &[]);
        let home = lab.swop.profile_dir("A").join("HOME");
        fs::write(home.join("data"), "precious").expect("write data");
        let strace = require("strace");
        if strace {
            lab.record_tool();
            lab.swop(&["discover", "--record", "rtool", "--json", "--", "rtool"])
                .success();
        }
        Some(Disk {
            lab,
            disk,
            mount,
            home,
            strace,
        })
    }
}

/// What was there still runs: exec reads the profile's data.
#[track_caller]
fn assert_still_runs(lab: &Lab, home: &Path) {
    let data = home.join("data");
    let out = lab
        .swop
        .args(["exec", "A", "--", "cat", data.to_str().expect("utf-8")])
        .success();
    assert_eq!(out.stdout_str(), "precious");
}

#[test]
fn a_full_disk_gives_a_clear_error_and_loses_nothing() {
    let Some(Disk {
        lab,
        disk,
        mount: _mount,
        home,
        strace,
    }) = Disk::prepare("64k")
    else {
        return;
    };
    let before = contents(lab.swop.store());
    fill(&disk);

    let out = lab.swop.args(["add", "B"]).failure(1);
    let err = out.stderr_str();
    let profiles = lab.swop.root().join("profiles");
    for needle in [
        "swop: ",
        "No space left",
        "free some space",
        profiles.to_str().expect("utf-8"),
    ] {
        assert!(err.contains(needle), "no {needle:?} in: {err}");
    }
    // What was there still works, on the full disk.
    assert_still_runs(&lab, &home);
    lab.swop.args(["env", "A", "--shell", "sh"]).success();
    lab.swop.args(["list"]).success();
    if strace {
        let recipe = lab.swop.root().join("recipes/rtool.toml");
        let out = lab
            .swop(&["discover", "--record", "rtool", "--json", "--", "rtool"])
            .failure(1);
        let err = out.stderr_str();
        assert!(
            err.contains(recipe.to_str().expect("utf-8")) && err.contains("free some space"),
            "{err}"
        );
    }
    let (names, leftovers) = whole_profiles(lab.swop.store());
    assert_eq!((names, leftovers), (vec!["A".to_string()], 0));
    let mut after = contents(lab.swop.store());
    // exec writes its holder record into the lock file when it can.
    after.retain(|p, _| !p.ends_with("lock"));
    let mut before = before;
    before.retain(|p, _| !p.ends_with("lock"));
    assert_eq!(after, before, "something changed on the full disk");

    fs::remove_file(disk.join("fill")).expect("free the disk");
    lab.swop.add("B", &[]);
    lab.swop.args(["rm", "A"]).success();
}

#[test]
fn a_read_only_store_gives_a_clear_error_and_loses_nothing() {
    let Some(Disk {
        lab,
        disk: _,
        mount,
        home,
        strace,
    }) = Disk::prepare("1m")
    else {
        return;
    };
    let before = contents(lab.swop.store());
    mount.remount("ro");

    let profiles = lab.swop.root().join("profiles");
    for (args, path) in [
        (vec!["add", "B"], profiles.clone()),
        (vec!["rm", "A"], profiles.join("A")),
    ] {
        let out = lab.swop.args(&args).failure(1);
        let err = out.stderr_str();
        for needle in [
            "swop: ",
            "read-only",
            "remount",
            path.to_str().expect("utf-8"),
        ] {
            assert!(err.contains(needle), "{args:?}: no {needle:?} in: {err}");
        }
    }
    // Reading and running need no writes: they keep working.
    assert_still_runs(&lab, &home);
    lab.swop.args(["env", "A", "--shell", "sh"]).success();
    lab.swop.args(["show", "A"]).success();
    assert_eq!(
        lab.swop.args(["list", "--names"]).success().stdout_str(),
        "A\n"
    );
    if strace {
        let out = lab
            .swop(&["discover", "--record", "rtool", "--json", "--", "rtool"])
            .failure(1);
        let err = out.stderr_str();
        assert!(
            err.contains("read-only") && err.contains("recipes"),
            "{err}"
        );
    }
    assert_eq!(
        contents(lab.swop.store()),
        before,
        "the read-only store changed"
    );

    mount.remount("rw");
    lab.swop.args(["rm", "A"]).success();
    lab.swop.add("B", &[]);
}
