//! An inherited `SWOP_LOCK_FD` is checked, not believed: it counts only when
//! its descriptor really holds the profile's lock in the mode asked for.

use super::*;

#[test]
fn a_spoofed_lock_fd_on_a_read_only_descriptor_does_not_pass() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let holder = Holder::start(&swop, "A", &[]);
    let lock = lock_file(&swop, "A");
    for mode in ["exclusive", "shared"] {
        let started = Instant::now();
        let out = swop
            .command("sh")
            .args(["-c", "exec 7<\"$1\"; shift; exec \"$@\"", "sh"])
            .arg(&lock)
            .args([
                "swop", "exec", "A", "--lock", mode, "--", "touch", "spoofed",
            ])
            .env("SWOP_LOCK_FD", "7")
            .failure(IN_USE);
        assert!(started.elapsed() < Duration::from_secs(3), "not fast");
        let err = out.stderr_str();
        assert!(
            err.contains(&format!("in use by pid {}", holder.pid())),
            "{mode}: {err}"
        );
        assert!(
            !swop.work().join("spoofed").exists(),
            "{mode}: ran beside the holder"
        );
    }
    holder.release();
}

#[test]
fn exclusive_inside_shared_holders_fails_fast_and_waits_on_request() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let other = Holder::start(&swop, "A", &["--lock", "shared"]);
    // A wrapped tool (exclusive) started in a shared holder while another
    // shared holder runs: the two must not overlap.
    let started = Instant::now();
    let inside = "swop exec A -- touch overlapped; echo inner=$?";
    let out = swop
        .args(["exec", "A", "--lock", "shared", "--", "sh", "-c", inside])
        .success();
    assert!(started.elapsed() < Duration::from_secs(3), "not fast");
    assert_eq!(out.stdout_str(), format!("inner={IN_USE}\n"));
    let err = out.stderr_str();
    assert!(err.contains(&format!("pid {}", other.pid())), "{err}");
    assert!(err.contains("--wait"), "{err}");
    assert!(!swop.work().join("overlapped").exists());

    let inside = "swop exec A --wait -- touch upgraded";
    let waiter = swop
        .args(["exec", "A", "--lock", "shared", "--", "sh", "-c", inside])
        .spawn();
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        !swop.work().join("upgraded").exists(),
        "ran beside the other holder"
    );
    other.release();
    let out = waiter.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(swop.work().join("upgraded").exists());
}

#[test]
fn exclusive_inside_the_only_shared_holder_makes_its_lock_exclusive() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let inside = "swop exec A -- touch inner && touch converted && \
                  i=0; while [ ! -e release ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done";
    let mut shell = swop
        .args(["exec", "A", "--lock", "shared", "--", "sh", "-c", inside])
        .spawn();
    assert!(wait_until(Duration::from_secs(10), || swop
        .work()
        .join("converted")
        .exists()));
    assert!(swop.work().join("inner").exists());
    // The holder's lock stays exclusive: no other shared command may join.
    swop.args(["exec", "A", "--lock", "shared", "--", "true"])
        .failure(IN_USE);
    fs::write(swop.work().join("release"), "").unwrap();
    assert!(shell.wait().unwrap().success());
    swop.args(["exec", "A", "--lock", "shared", "--", "true"])
        .success();
}
