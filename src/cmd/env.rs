//! `swop env NAME` and `swop env --off`: the exports that switch a shell, in
//! the syntax of the shell that will read them.

use std::ffi::OsString;

use clap::ValueEnum;

use super::{Run, print_bytes};
use crate::cli::EnvArgs;
use crate::error::Result;
use crate::shell::ShellKind;

impl Run for EnvArgs {
    fn run(&self) -> Result<()> {
        let name = self.name.as_deref().filter(|_| !self.off);
        match &self.folder {
            Some(file) => super::folder::switch(name, file, self.told, self.shell),
            None => print_bytes(&crate::entry::switch_text(name, self.shell, None)?),
        }
    }
}

/// `swop env NAME`, `swop env --off` and their `--shell X` forms, parsed without
/// clap. Anything else (help, errors, unusual spellings) returns `None` and goes
/// through clap, so behaviour never differs.
pub fn fast_path(args: &[OsString]) -> Option<EnvArgs> {
    let mut words = args.get(1..)?.iter().map(|a| a.to_str());
    if words.next()? != Some("env") {
        return None;
    }
    let mut parsed = EnvArgs {
        name: None,
        off: false,
        shell: None,
        folder: None,
        told: false,
    };
    while let Some(word) = words.next() {
        let word = word?;
        if word == "--off" && !parsed.off {
            parsed.off = true;
        } else if word == "--told" && !parsed.told {
            parsed.told = true;
        } else if let Some(value) = word.strip_prefix("--shell=") {
            parsed.shell = Some(shell_kind(value, parsed.shell)?);
        } else if word == "--shell" {
            parsed.shell = Some(shell_kind(words.next()??, parsed.shell)?);
        } else if let Some(value) = word.strip_prefix("--folder=") {
            parsed.folder = Some(folder(value, &parsed.folder)?);
        } else if word == "--folder" {
            parsed.folder = Some(folder(words.next()??, &parsed.folder)?);
        } else if !word.starts_with('-') && parsed.name.is_none() && !word.is_empty() {
            parsed.name = Some(word.to_string());
        } else {
            return None;
        }
    }
    let whole = parsed.off != parsed.name.is_some() && (!parsed.told || parsed.folder.is_some());
    whole.then_some(parsed)
}

/// The value of `--folder`, the first time, as clap reads one: not empty,
/// not a flag.
fn folder(value: &str, previous: &Option<std::path::PathBuf>) -> Option<std::path::PathBuf> {
    let plain = previous.is_none() && !value.is_empty() && !value.starts_with('-');
    plain.then(|| std::path::PathBuf::from(value))
}

fn shell_kind(value: &str, previous: Option<ShellKind>) -> Option<ShellKind> {
    if previous.is_some() {
        return None;
    }
    ShellKind::from_str(value, false).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn fast(args: &[&str]) -> Option<EnvArgs> {
        let args: Vec<OsString> = std::iter::once("swop")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        fast_path(&args)
    }

    #[test]
    fn fast_path_agrees_with_clap() {
        let cases: &[&[&str]] = &[
            &["env", "work"],
            &["env", "work", "--shell", "fish"],
            &["env", "--shell=zsh", "work"],
            &["env", "--off"],
            &["env", "--off", "--shell", "json"],
            &["env", "work", "--shell", "csh"],
            &["env", "work", "--shell=nu"],
            &["env", "--shell", "bash", "--folder", "/p/.swop", "work"],
            &[
                "env", "--shell", "bash", "--folder", "/p/.swop", "--told", "work",
            ],
            &["env", "--off", "--shell", "fish", "--folder=/p/.swop"],
        ];
        for case in cases {
            let got = fast(case).unwrap_or_else(|| panic!("{case:?} should take the fast path"));
            let argv = std::iter::once("swop").chain(case.iter().copied());
            let crate::cli::Command::Env(want) = crate::cli::Cli::parse_from(argv).command else {
                panic!("not env");
            };
            assert_eq!(
                (got.name, got.off, got.shell, got.folder, got.told),
                (want.name, want.off, want.shell, want.folder, want.told),
                "{case:?}"
            );
        }
        for slow in [
            &["env"][..],
            &["env", "--help"],
            &["env", "a", "b"],
            &["env", "a", "--off"],
            &["env", "a", "--shell", "pwsh"],
            &["env", "a", "--shell"],
            &["env", "a", "--shell", "sh", "--shell", "sh"],
            &["env", "a", "--told"],
            &["env", "a", "--folder"],
            &["env", "a", "--folder", "/x", "--folder", "/y"],
            &["list"],
        ] {
            assert!(fast(slow).is_none(), "{slow:?} must go through clap");
        }
    }
}
