//! `swop init [SHELL]`: the integration script for one shell (by default the
//! one that runs swop), from `shell/`, or with `direnv` the library that
//! gives an .envrc `use swop NAME`.
//!
//! The templates name the binary `@SWOP_EXE@`, replaced by the quoted path swop
//! runs from, and the shells' hold a `# @SWOP_WRAPPERS@` line, replaced by one
//! function per tool that `config.toml` lists under `wrap`. direnv's library
//! has none: functions defined in an .envrc never reach the shell.

use std::ffi::OsStr;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use super::Run;
use super::print_bytes;
use crate::cli::{InitArgs, InitShell};
use crate::config::{Config, check_tool_name};
use crate::error::{Command, Error, Result, Shell};
use crate::shell::ShellKind;

const BASH: &str = include_str!("../../shell/swop.bash");
const ZSH: &str = include_str!("../../shell/swop.zsh");
const FISH: &str = include_str!("../../shell/swop.fish");
const BASH_WRAPPER: &str = include_str!("../../shell/wrapper.bash");
const ZSH_WRAPPER: &str = include_str!("../../shell/wrapper.zsh");
const FISH_WRAPPER: &str = include_str!("../../shell/wrapper.fish");
const ELVISH: &str = include_str!("../../shell/swop.elv");
const ELVISH_WRAPPER: &str = include_str!("../../shell/wrapper.elv");
const XONSH: &str = include_str!("../../shell/swop.xsh");
const XONSH_WRAPPER: &str = include_str!("../../shell/wrapper.xsh");
const NU: &str = include_str!("../../shell/swop.nu");
const NU_WRAPPER: &str = include_str!("../../shell/wrapper.nu");
const TCSH: &str = include_str!("../../shell/swop.tcsh");
const TCSH_WRAPPER: &str = include_str!("../../shell/wrapper.tcsh");
const DIRENV: &str = include_str!("../../shell/direnv.sh");

const EXE: &[u8] = b"@SWOP_EXE@";
const TOOL: &str = "@TOOL@";
const WRAPPERS: &str = "# @SWOP_WRAPPERS@";
const COMMANDS: &str = "@SWOP_COMMANDS@";
const NAME_PATTERNS: &str = "@SWOP_NAME_PATTERNS@";

impl Run for InitArgs {
    fn run(&self) -> Result<()> {
        let shell = match self.shell {
            Some(shell) => shell,
            None => detected()?,
        };
        // A typo in config.toml must not take the integration away from
        // every new shell: it loads without wrapped tools, and says why.
        let config = Config::load().unwrap_or_else(|error| {
            eprintln!(
                "swop: warning: {}; swop init gives the integration without wrapped tools until it is fixed",
                crate::output::printable_line(&error.to_string())
            );
            Config::default()
        });
        // Without a path of its own, swop is found on PATH when the shell runs it.
        let exe = std::env::current_exe()
            .map(|p| p.into_os_string().into_vec())
            .unwrap_or_else(|_| b"swop".to_vec());
        print_bytes(&render(shell, &exe, &config.wrap)?)?;
        if self.shell.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            let name = clap::ValueEnum::to_possible_value(&shell)
                .map_or_else(String::new, |v| v.get_name().to_string());
            eprintln!(
                "swop: that is the integration for {name}, the shell that runs swop \
                 (swop init SHELL for another)"
            );
        }
        Ok(())
    }
}

/// The integration for the shell that runs swop, as `swop env` finds it.
fn detected() -> Result<InitShell> {
    let shells = || -> Vec<String> {
        <InitShell as clap::ValueEnum>::value_variants()
            .iter()
            .filter_map(clap::ValueEnum::to_possible_value)
            .map(|v| v.get_name().to_string())
            .collect()
    };
    let kind = crate::shell::detect().map_err(|undetected| Shell::InitWhich {
        undetected,
        shells: shells(),
    })?;
    Ok(match kind {
        ShellKind::Bash => InitShell::Bash,
        ShellKind::Zsh => InitShell::Zsh,
        ShellKind::Fish => InitShell::Fish,
        ShellKind::Elvish => InitShell::Elvish,
        ShellKind::Xonsh => InitShell::Xonsh,
        ShellKind::Nu => InitShell::Nu,
        ShellKind::Tcsh => InitShell::Tcsh,
        ShellKind::Sh | ShellKind::Json => return Err(Shell::InitSh.into()),
    })
}

/// `swop use` and `swop off` run by the binary: they change the calling
/// shell, which only the shell function of `swop init` can do.
pub fn needs_shell_integration(word: &str, name: Option<&str>) -> Error {
    let env_args = match (word, name) {
        ("off", _) => "--off",
        (_, Some(name)) if crate::names::is_profile_name(name) => name,
        _ => "NAME",
    };
    let kind = crate::shell::detect()
        .ok()
        .or_else(|| crate::shell::login_shell(std::env::var_os("SHELL").as_deref()));
    Shell::NeedsIntegration {
        word: word.to_string(),
        shell: kind,
        env_args: env_args.to_string(),
    }
    .into()
}

/// The integration script for `shell`, calling the binary at `exe` and wrapping `tools`.
pub fn render(shell: InitShell, exe: &[u8], tools: &[String]) -> Result<Vec<u8>> {
    let (template, wrapper) = match shell {
        InitShell::Bash => (BASH, BASH_WRAPPER),
        InitShell::Zsh => (ZSH, ZSH_WRAPPER),
        InitShell::Fish => (FISH, FISH_WRAPPER),
        InitShell::Elvish => (ELVISH, ELVISH_WRAPPER),
        InitShell::Xonsh => (XONSH, XONSH_WRAPPER),
        InitShell::Nu => (NU, NU_WRAPPER),
        InitShell::Tcsh => (TCSH, TCSH_WRAPPER),
        InitShell::Direnv => {
            // direnv evaluates an .envrc and its libraries in bash.
            let quoted = quote_exe(ShellKind::Bash, exe)?;
            return Ok(replace_all(DIRENV.as_bytes(), EXE, &quoted));
        }
    };
    let mut wrappers = String::new();
    for tool in tools {
        check_tool_name(tool)?;
        wrappers.push_str(&wrapper.replace(TOOL, tool));
    }
    let mut script = String::with_capacity(template.len() + wrappers.len());
    for line in template.split_inclusive('\n') {
        if line.trim() == WRAPPERS {
            script.push_str(&wrappers);
        } else {
            script.push_str(line);
        }
    }
    let kind = match shell {
        InitShell::Bash => ShellKind::Bash,
        InitShell::Zsh => ShellKind::Zsh,
        InitShell::Fish => ShellKind::Fish,
        InitShell::Elvish => ShellKind::Elvish,
        InitShell::Xonsh => ShellKind::Xonsh,
        InitShell::Nu => ShellKind::Nu,
        InitShell::Tcsh => ShellKind::Tcsh,
        InitShell::Direnv => ShellKind::Bash,
    };
    let quoted = quote_exe(kind, exe)?;
    let script = script
        .replace(COMMANDS, &subcommands(false).join(" "))
        .replace(
            NAME_PATTERNS,
            &subcommands(true)
                .iter()
                .map(|c| format!("'n/{c}/`__swop_names`/'"))
                .collect::<Vec<_>>()
                .join(" "),
        );
    let script = replace_all(script.as_bytes(), EXE, &quoted);
    Ok(match shell {
        InitShell::Tcsh => one_line(&script),
        _ => script,
    })
}

/// swop's path, quoted for a script of `kind`.
fn quote_exe(kind: ShellKind, exe: &[u8]) -> Result<Vec<u8>> {
    crate::shell::quote(kind, OsStr::from_bytes(exe))
        .map_err(|why| Command::InitPath { shell: kind, why }.into())
}

/// A csh script as one line of commands, without its comments: inside
/// ``eval "`...`"`` the lines of a command substitution become words of one.
fn one_line(script: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(script.len());
    for line in script.split(|&b| b == b'\n') {
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        if !out.is_empty() {
            out.extend_from_slice(b"; ");
        }
        out.extend_from_slice(line);
    }
    out.push(b'\n');
    out
}

/// swop's subcommands, or only those whose first argument completes to a
/// profile name,
/// for the shells whose completion is a static table.
fn subcommands(naming_a_profile: bool) -> Vec<String> {
    crate::cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .filter(|c| {
            !naming_a_profile
                || c.get_positionals()
                    .next()
                    .is_some_and(|a| a.get::<clap_complete::ArgValueCompleter>().is_some())
        })
        .map(|c| c.get_name().to_string())
        .collect()
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len() + 4 * with.len());
    let mut rest = haystack;
    while let Some(at) = memchr::memmem::find(rest, needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(shell: InitShell, exe: &[u8], tools: &[&str]) -> String {
        let tools: Vec<String> = tools.iter().map(|t| t.to_string()).collect();
        String::from_utf8(render(shell, exe, &tools).unwrap()).unwrap()
    }

    #[test]
    fn every_placeholder_is_replaced() {
        for shell in [InitShell::Bash, InitShell::Zsh, InitShell::Fish] {
            let script = text(shell, b"/opt/swop", &["codex", "gh"]);
            assert!(!script.contains("@SWOP"), "{shell:?}:\n{script}");
            assert!(!script.contains("@TOOL"), "{shell:?}:\n{script}");
            assert!(script.contains("function codex"), "{shell:?}");
            assert!(script.contains("function gh"), "{shell:?}");
            let bare = text(shell, b"/opt/swop", &[]);
            assert!(!bare.contains("@SWOP"), "{shell:?}");
            assert!(!bare.contains("swop exec"), "{shell:?}");
        }
    }

    #[test]
    fn the_path_is_quoted_for_each_shell() {
        let exe = b"/it's \\ $(x)/swop";
        assert!(text(InitShell::Bash, exe, &[]).contains(r#"'/it'\''s \ $(x)/swop' "$@""#));
        assert!(text(InitShell::Zsh, exe, &[]).contains(r#"'/it'\''s \ $(x)/swop' "$@""#));
        assert!(text(InitShell::Fish, exe, &[]).contains(r"'/it\'s \\ $(x)/swop' $argv"));
        assert!(text(InitShell::Direnv, exe, &[]).contains(r"__swop_exe='/it'\''s \ $(x)/swop' "));
    }

    #[test]
    fn the_direnv_library_defines_use_swop_and_wraps_nothing() {
        let library = text(InitShell::Direnv, b"/opt/swop", &["codex"]);
        assert!(library.contains("use_swop() {"), "{library}");
        assert!(!library.contains("@SWOP"), "{library}");
        assert!(!library.contains("codex"), "{library}");
    }

    #[test]
    fn a_bad_tool_name_is_refused() {
        let err = render(InitShell::Bash, b"swop", &["a;b".to_string()]).unwrap_err();
        assert!(
            matches!(&err, Error::Name(crate::error::Name::NotWrappable(name)) if name == "a;b"),
            "{err:?}"
        );
    }
}
