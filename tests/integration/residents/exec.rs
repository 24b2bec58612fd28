//! What every `swop exec` guarantees the census and the lock: the mark in its
//! command's environment, and a lock that never lands on a closed standard
//! descriptor.

use super::*;

#[test]
fn every_exec_marks_its_command_and_an_unlocked_one_names_no_lock() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let out = swop
        .args(["exec", "A", "--lock", "none", "--", "env", "-0"])
        .env("SWOP_LOCK_FD", "5")
        .success();
    let env = parse_env0(&out.stdout);
    assert_eq!(
        env.get(std::ffi::OsStr::new("SWOP_PROFILE")),
        Some(&"A".into())
    );
    assert_eq!(
        env.get(std::ffi::OsStr::new("SWOP_HOME")),
        Some(&swop.root().into_os_string())
    );
    assert!(
        !env.contains_key(std::ffi::OsStr::new("SWOP_LOCK_FD")),
        "{env:?}"
    );
}

#[test]
fn exec_with_standard_descriptors_closed_keeps_the_lock_off_them() {
    let swop = Swop::new();
    swop.add("A", &[]);
    let lock = swop.profile_dir("A").join("lock");
    // The output is computed, so that it is not in the command line swop
    // records in the lock file.
    let inner = "echo $((40+2))-out; echo $((40+2))-err >&2; echo \"$SWOP_LOCK_FD\" > lock-fd; \
                 swop exec A -- true && echo nested-ok > nested";
    for closing in ["<&- >&- 2>&-", ">&-", "2>&-"] {
        for file in ["lock-fd", "nested"] {
            let _ = fs::remove_file(swop.work().join(file));
        }
        let script = format!("exec swop exec A -- sh -c '{inner}' {closing}");
        swop.shell(Shell::Dash, &script).output();
        let fd: i32 = fs::read_to_string(swop.work().join("lock-fd"))
            .unwrap_or_else(|e| panic!("{closing}: the command did not run: {e}"))
            .trim()
            .parse()
            .unwrap();
        assert!(fd > 2, "{closing}: the lock became descriptor {fd}");
        let held = fs::read(&lock).unwrap();
        assert!(
            !String::from_utf8_lossy(&held).contains("42-"),
            "{closing}: output went into the lock file"
        );
        assert_eq!(
            fs::read_to_string(swop.work().join("nested"))
                .ok()
                .as_deref(),
            Some("nested-ok\n"),
            "{closing}: a nested exec was refused"
        );
    }
}
