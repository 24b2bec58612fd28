//! The real AWS CLI: `aws configure set` proves AWS_SHARED_CREDENTIALS_FILE,
//! a file variable, and not HOME, with another account's file exported in
//! the calling shell; the recorded recipe then binds that file.

use std::fs;

use serde_json::Value;

use super::{assert_verified, class_of};
use crate::common::{Lab, OutputExt, aws, program_bin, require, strings};

#[test]
fn aws_configure_set_needs_only_the_shared_credentials_file() {
    if !require("strace") {
        return;
    }
    let Some(aws) = aws() else { return };
    let lab = Lab::new();
    let user_aws = lab.swop.user_home().join(".aws");
    fs::create_dir_all(&user_aws).expect("mkdir");
    fs::write(
        user_aws.join("credentials"),
        "[default]\naws_access_key_id = AKIAREAL\n",
    )
    .expect("write");
    let path = format!(
        "{}:{}",
        program_bin(lab.swop.dir(), "aws", &aws).display(),
        lab.path_var()
    );
    let run = lab
        .discover_cmd(&[
            "--record",
            "aws",
            "--",
            "aws",
            "configure",
            "set",
            "aws_access_key_id",
            "AKIAIOSFODNN7EXAMPLE",
        ])
        .env("PATH", &path)
        .env("AWS_SHARED_CREDENTIALS_FILE", user_aws.join("credentials"));
    let (f, _) = lab.discover_with(run);
    let minimal = strings(&f["minimal_env"]);
    // The config file is read, and bound only if the proof needs it.
    if minimal.iter().any(|v| v == "AWS_CONFIG_FILE") {
        assert_verified(&f, &["AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"]);
    } else {
        assert_verified(&f, &["AWS_SHARED_CREDENTIALS_FILE"]);
    }
    assert!(!minimal.iter().any(|v| v == "HOME"), "{minimal:?}");
    assert!(strings(&f["files"]).contains(&"AWS_SHARED_CREDENTIALS_FILE".to_string()));
    assert_eq!(class_of(&f, "$AWS_SHARED_CREDENTIALS_FILE"), "isolated");
    assert!(
        strings(&f["clean_room"]["removed"]).contains(&"AWS_SHARED_CREDENTIALS_FILE".to_string())
    );
    assert_eq!(
        fs::read_to_string(user_aws.join("credentials")).expect("read"),
        "[default]\naws_access_key_id = AKIAREAL\n"
    );

    lab.swop.add("work", &["--tool", "aws"]);
    let show: Value =
        serde_json::from_slice(&lab.swop.args(["show", "work", "--json"]).success().stdout)
            .expect("json");
    let bound = show["bindings"]["AWS_SHARED_CREDENTIALS_FILE"]
        .as_str()
        .expect("bound");
    assert!(
        bound.ends_with("/AWS_SHARED_CREDENTIALS_FILE/credentials"),
        "{bound}"
    );
    assert!(show["bindings"].get("HOME").is_none(), "{show:#}");
    let recipes = lab.swop.args(["recipes"]).success().stdout_str();
    assert!(
        recipes
            .lines()
            .any(|l| l.starts_with("aws") && l.contains("verified")),
        "{recipes}"
    );
}
