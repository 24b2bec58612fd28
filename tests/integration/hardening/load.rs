//! Many swop processes at once on one store: no lost update, no half profile,
//! no error but the expected ones. `scripts/stress.sh` runs the 64-way version.

use std::collections::BTreeSet;
use std::fs;
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::whole_profiles;
use crate::common::{EXISTS, IN_USE, NOT_FOUND, OutputExt, Swop};

const WAYS: usize = 16;

#[test]
fn sixteen_waiting_execs_on_one_profile_lose_no_update() {
    let swop = Swop::new();
    swop.add("A", &[]);
    fs::write(swop.work().join("counter"), "0\n").expect("write counter");
    let script = "n=$(cat counter); sleep 0.02; echo $((n+1)) > counter";
    let started = Instant::now();
    let children: Vec<Child> = (0..WAYS)
        .map(|_| {
            swop.args(["exec", "A", "--wait", "--", "sh", "-c", script])
                .spawn()
        })
        .collect();
    // Readers beside them must neither block nor disturb the holders.
    for _ in 0..10 {
        swop.args(["list"]).success();
        swop.args(["show", "A", "--json"]).success();
    }
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{out:?}");
    }
    let counter = fs::read_to_string(swop.work().join("counter")).expect("counter");
    assert_eq!(counter.trim(), WAYS.to_string(), "updates were lost");
    eprintln!("{WAYS} serialised execs in {:?}", started.elapsed());
}

/// Whether a failed add or rm failed for one of the reasons a race allows.
fn expected_failure(out: &Output) -> bool {
    let err = String::from_utf8_lossy(&out.stderr);
    err.starts_with("swop: ")
        && [
            (EXISTS, "already exists"),
            (IN_USE, "in use"),
            (NOT_FOUND, "not found"),
        ]
        .iter()
        .any(|(code, reason)| out.status.code() == Some(*code) && err.contains(reason))
}

#[test]
fn sixteen_concurrent_adds_and_removes_keep_the_store_consistent() {
    let swop = Swop::new();
    swop.add("seed", &[]);
    let failures = std::sync::Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|s| {
        for i in 0..WAYS {
            let swop = &swop;
            let failures = &failures;
            s.spawn(move || {
                // Half the workers on a name of their own, half on one shared name.
                let name = if i % 2 == 0 {
                    format!("own-{i}")
                } else {
                    "same".to_string()
                };
                for round in 0..4 {
                    let args: Vec<&str> = if (round + i) % 2 == 0 {
                        vec!["add", &name, "--bind", "CODEX_HOME"]
                    } else {
                        vec!["rm", &name]
                    };
                    let out = swop.args(&args).output();
                    if !out.status.success() {
                        failures.lock().expect("lock").push((args.join(" "), out));
                    }
                }
            });
        }
        // A reader through all of it: every listing parses and names whole profiles.
        let swop = &swop;
        s.spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(2);
            while Instant::now() < deadline {
                let out = swop.args(["list", "--json"]).success();
                let _: Value = serde_json::from_slice(&out.stdout).expect("list --json");
            }
        });
    });
    let failures = failures.into_inner().expect("lock");
    for (args, out) in &failures {
        assert!(expected_failure(out), "swop {args}: {out:?}");
    }
    let (names, leftovers) = whole_profiles(&swop.root());
    assert_eq!(leftovers, 0, "an add or rm that finished left a leftover");
    let list: Value =
        serde_json::from_slice(&swop.args(["list", "--json"]).success().stdout).expect("json");
    let listed: BTreeSet<String> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_string())
        .collect();
    assert_eq!(listed, names.iter().cloned().collect::<BTreeSet<_>>());
    for name in &names {
        swop.args(["exec", name, "--", "true"]).success();
        swop.args(["rm", name]).success();
    }
    let out = swop.args(["list"]).success();
    assert!(out.stdout_str().is_empty(), "{}", out.stdout_str());
    eprintln!(
        "{} adds and removes in {:?}, {} refused as expected",
        WAYS * 4,
        started.elapsed(),
        failures.len()
    );
}
