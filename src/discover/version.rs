//! The tool's version, as its own `--version` prints it: which arguments
//! to try, and which line of the answer is the version.

/// What to ask a tool for its version, in order: the next is tried only when
/// the one before printed no version line (see [`version_line`]).
///
/// `--version` answers for nearly every tool (all thirteen of poetry, uv,
/// dvc, httpie, kaggle, databricks-cli, s3cmd, huggingface_hub's `hf`,
/// wrangler, pnpm, yarn, git and the earlier panel's npm, pip, aws, cargo,
/// gpg, rclone, codex). OpenSSH knows only `-V`, and prints it on stderr.
/// kubectl and go want a `version` subcommand (`--version` is an unknown
/// flag); it comes last, as for other tools that word is an action.
pub const VERSION_ARGS: &[&str] = &["--version", "-V", "version"];

/// Most words before the version number on a version line: `Google Cloud SDK
/// 460.0.0`. A notice that mentions a version further on (`A new version of
/// huggingface_hub (2.5.0) is available!`) is not the tool's version line.
const VERSION_WORD_LIMIT: usize = 4;

/// The tool's version line in what `--version` printed (stdout and stderr
/// together): colours and other terminal escapes removed, the first line
/// whose version number (`1.22.22`, `v1.32.4`, `OpenSSH_9.2p1`) stands among
/// its first words, else the first line with a version number anywhere.
/// Lines without one (a hint printed before it, a rule of dashes) are passed
/// over. `None` when no line carries a version number.
pub fn version_line(output: &str) -> Option<String> {
    let plain = strip_escapes(output);
    let lines = || {
        plain
            .split(['\n', '\r'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
    };
    let early = lines().find(|l| version_word(l).is_some_and(|i| i < VERSION_WORD_LIMIT));
    early
        .or_else(|| lines().find(|l| version_word(l).is_some()))
        .map(str::to_string)
}

/// The index of the first word of `line` that carries a version number.
fn version_word(line: &str) -> Option<usize> {
    line.split_whitespace().position(carries_version)
}

/// Whether a word holds digits, a dot and digits, not as the tail of a
/// longer number or name: `2.5.1)`, `aws-cli/1.45.11`, `v1.60.1-DEV`,
/// `OpenSSH_9.2p1`.
fn carries_version(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        let starts = b.is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit());
        let starts = starts && (i == 0 || bytes[i - 1] != b'.');
        if !starts {
            return false;
        }
        let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        let rest = &bytes[i + digits..];
        rest.first() == Some(&b'.') && rest.get(1).is_some_and(u8::is_ascii_digit)
    })
}

/// `text` without terminal escapes: CSI sequences (`ESC [ ... m`, colours
/// and cursor moves), OSC sequences (`ESC ] ... BEL` or `ESC \\`, titles and
/// links), character set choices (`ESC ( B`) and two-byte escapes.
fn strip_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                // Parameters and intermediates, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            // `ESC ( B`: intermediates, then one final byte.
            Some(c) if (' '..='/').contains(&c) => {
                for c in chars.by_ref() {
                    if !(' '..='/').contains(&c) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs of the real tools' `--version` (stdout and stderr as a
    /// terminal shows them), with the version line each must give.
    #[test]
    fn version_lines_of_real_tools() {
        let cases = [
            // huggingface_hub 2.4.0 `hf --version` on a terminal: a grey hint first.
            (
                "\u{1b}[90mHint: The `hf-cli` skill is not installed. Run `hf skills add -g` to teach your AI agents how to use the `hf` CLI.\u{1b}[0m\r\n2.4.0\r\n",
                "2.4.0",
            ),
            // ... and with a newer release on PyPI (huggingface_hub/cli/_cli_utils.py).
            (
                "\u{1b}[90mHint: A new version of huggingface_hub (2.5.0) is available! You are using version 2.4.0.\nTo update, run: hf update\u{1b}[0m\n2.4.0\n",
                "2.4.0",
            ),
            // poetry 2.5.1 on a terminal.
            (
                "\u{1b}[39;1mPoetry\u{1b}[39;22m (version \u{1b}[36m2.5.1\u{1b}[39m)\r\n",
                "Poetry (version 2.5.1)",
            ),
            ("codex-cli 0.46.0\n", "codex-cli 0.46.0"),
            (
                "aws-cli/1.45.11 Python/3.11.7 Linux/6.18.44-fc-v1300 botocore/1.43.11\n",
                "aws-cli/1.45.11 Python/3.11.7 Linux/6.18.44-fc-v1300 botocore/1.43.11",
            ),
            ("git version 2.47.3\n", "git version 2.47.3"),
            // OpenSSH 9.2 `ssh -V`, on stderr.
            (
                "OpenSSH_9.2p1 Debian-2+deb12u6, OpenSSL 3.0.19 27 Jan 2026\n",
                "OpenSSH_9.2p1 Debian-2+deb12u6, OpenSSL 3.0.19 27 Jan 2026",
            ),
            (
                "uv 0.13.9 (x86_64-unknown-linux-gnu)\n",
                "uv 0.13.9 (x86_64-unknown-linux-gnu)",
            ),
            ("1.22.22\n", "1.22.22"),
            ("Kaggle CLI 2.2.5\n", "Kaggle CLI 2.2.5"),
            ("Version 0.18.0\n", "Version 0.18.0"),
            // wrangler 4.86 on a terminal: a banner, then a rule of dashes.
            (
                "\r\n \u{26c5}\u{fe0f} wrangler 4.86.0 (update available \u{1b}[32m4.164.0\u{1b}[39m)\r\n\u{1b}[93m\u{2500}\u{2500}\u{2500}\u{1b}[39m\r\n",
                "\u{26c5}\u{fe0f} wrangler 4.86.0 (update available 4.164.0)",
            ),
            // gnupg 2.2.40: the version, then the library's.
            (
                "gpg (GnuPG) 2.2.40\nlibgcrypt 1.10.1\nCopyright (C) 2022 g10 Code GmbH\n",
                "gpg (GnuPG) 2.2.40",
            ),
            (
                "Client Version: v1.32.4-dispatcher\nKustomize Version: v5.5.0\n",
                "Client Version: v1.32.4-dispatcher",
            ),
            // pip 23.2.1: a notice after the version line.
            (
                "pip 23.2.1 from /opt/venv/lib/python3.11/site-packages/pip (python 3.11)\n\n[notice] A new release of pip is available: 23.2.1 -> 24.0\n",
                "pip 23.2.1 from /opt/venv/lib/python3.11/site-packages/pip (python 3.11)",
            ),
            // A title set by OSC, then the version.
            ("\u{1b}]0;tool\u{7}tool 1.0\n", "tool 1.0"),
        ];
        for (output, want) in cases {
            assert_eq!(version_line(output).as_deref(), Some(want), "{output:?}");
        }
    }

    #[test]
    fn a_version_mentioned_late_is_taken_when_no_line_is_better() {
        assert_eq!(
            version_line("Hint: A new version is available: 2.5.0\n").as_deref(),
            Some("Hint: A new version is available: 2.5.0")
        );
    }

    #[test]
    fn no_version_no_line() {
        for output in [
            "",
            "\n\n",
            // git 2.47 `git -V`
            "unknown option: -V\nusage: git [-v | --version] [-h | --help] [-C <path>]\n",
            "\u{1b}[31mError\u{1b}[0m: unknown flag: --version\n",
            "built on 27 Jan 2026, x86_64\n",
            "listening on 127\n",
        ] {
            assert_eq!(version_line(output), None, "{output:?}");
        }
    }

    #[test]
    fn escapes_are_removed_whole() {
        assert_eq!(
            strip_escapes(
                "\u{1b}[1;31mred\u{1b}[0m \u{1b}]8;;https://x\u{1b}\\link\u{1b}]8;;\u{1b}\\ \u{1b}(Bplain"
            ),
            "red link plain"
        );
    }
}
