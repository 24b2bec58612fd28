//! Numbers and sizes at their limits: a `--wait` longer than any clock can
//! hold, and a tool that floods its output in discover's two-account run
//! (kept neither on disk nor in memory).

use std::fs;
use std::time::Duration;

use super::{Lab, scratch_folders};
use crate::common::{Swop, require, wait_until};

#[test]
fn a_wait_beyond_any_clock_waits_instead_of_aborting() {
    let swop = Swop::new();
    swop.add("p", &[]);
    let mut holder = swop
        .args([
            "exec",
            "p",
            "--",
            "sh",
            "-c",
            "touch ready; i=0; while [ ! -e release ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done",
        ])
        .spawn();
    let ready = swop.work().join("ready");
    assert!(
        wait_until(Duration::from_secs(10), || ready.exists()),
        "no holder"
    );
    for wait in ["1e19", "1e300"] {
        let mut waiter = swop
            .args(["exec", "p", "--wait", wait, "--", "true"])
            .spawn();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            waiter.try_wait().expect("try_wait").is_none(),
            "--wait {wait} ended before the holder did: {:?}",
            waiter.wait_with_output()
        );
        if wait == "1e300" {
            fs::write(swop.work().join("release"), "").expect("release");
        } else {
            waiter.kill().expect("kill");
            let _ = waiter.wait();
            continue;
        }
        let out = waiter.wait_with_output().expect("wait");
        assert!(out.status.success(), "{out:?}");
    }
    assert!(holder.wait().expect("wait").success());
}

#[test]
fn a_flood_of_output_in_the_two_account_run_stays_off_the_disk_and_out_of_memory() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    // 64 MB on stdout and stderr each run, a state file in its home.
    lab.tool(
        "floodtool",
        r#"d="${FLOOD_HOME:-$HOME/.flood}"; mkdir -p "$d"; echo t > "$d/token"
head -c 67108864 /dev/zero | tr '\0' x
head -c 1048576 /dev/zero | tr '\0' y >&2"#,
    );
    let mut child = lab
        .swop(&["discover", "--json", "--keep-traces", "--", "floodtool"])
        .into_command()
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run discover");
    let stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout));
    // The high-water mark of swop's memory, read until it ends: the output
    // it keeps of each account is a tail of a few KiB, never the flood.
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    while child.try_wait().expect("try_wait").is_none() {
        if let Some(kib) = fs::read_to_string(&status_file).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        }) {
            peak_kib = peak_kib.max(kib);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(child.wait().expect("wait").success());
    if cfg!(target_os = "linux") {
        assert!(peak_kib > 0, "never read {status_file}");
        assert!(peak_kib < 48 * 1024, "swop held {peak_kib} KiB at its peak");
    }
    let stdout = reader.join().expect("reader").expect("stdout");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(json["concurrency"]["ran"], true, "{json:#}");
    let kept = scratch_folders(&lab.tmpdir());
    assert_eq!(kept.len(), 1, "{kept:?}");
    let on_disk: u64 = crate::common::walk(&kept[0])
        .iter()
        .filter_map(|p| fs::symlink_metadata(p).ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    assert!(
        on_disk < 16 * 1024 * 1024,
        "the scratch folder holds {on_disk} bytes after 64 MB of output"
    );
    fs::remove_dir_all(&kept[0]).expect("remove the kept scratch");
}
