//! The token corpus, both ways: every secret of a public token format (and
//! every secret given in a place that says "secret") is redacted wherever it
//! stands, in a command line, a script, a path or a message; every harmless
//! look-alike is kept exactly, so that a runbook still reproduces its run.
//! Then the same secrets through a real `swop discover`: report, JSON,
//! progress lines, recorded recipe and error messages.

use std::fs;

use swop::discover::privacy::private;
use swop::redact::{REDACTED, redact_command, redact_text};

use super::{Lab, read_recipe};
use crate::common::{OutputExt, require};

/// `n` characters of a repeating base62 pattern: random enough to be a key.
fn body(n: usize) -> String {
    "Q7vK2mX9pL4wR8tZ3nB6cH1jF5dS0gYa"
        .chars()
        .cycle()
        .take(n)
        .collect()
}

/// An AWS STS session token's shape: base64 with `/` and `+`, hundreds long.
fn sts_token() -> String {
    format!(
        "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ{}/{}+{}==",
        body(120),
        body(200),
        body(300)
    )
}

/// Tokens in the public formats, each fake.
fn tokens() -> Vec<(&'static str, String)> {
    vec![
        ("OpenAI, legacy", format!("sk-{}", body(48))),
        ("OpenAI, project", format!("sk-proj-{}_{}", body(74), body(80))),
        ("OpenAI, service account", format!("sk-svcacct-{}", body(60))),
        ("Anthropic", format!("sk-ant-api03-{}-{}AA", body(40), body(53))),
        ("Anthropic, OAuth", format!("sk-ant-oat01-{}", body(80))),
        ("GitHub, classic", format!("ghp_{}", body(36))),
        ("GitHub, OAuth", format!("gho_{}", body(36))),
        ("GitHub, app", format!("ghs_{}", body(36))),
        ("GitHub, fine-grained", format!("github_pat_{}_{}", body(22), body(59))),
        ("GitLab, personal", format!("glpat-{}", body(20))),
        ("GitLab, personal 2025", format!("glpat-{}.01.{}", body(27), body(9))),
        ("GitLab, runner", format!("glrt-{}", body(20))),
        ("GitLab, deploy", format!("gldt-{}", body(20))),
        ("GitLab, registration", format!("GR1348941{}", body(20))),
        ("AWS, access key id", "AKIAIOSFODNN7EXAMPLE".to_string()),
        ("AWS, temporary key id", "ASIAQWERTYUIOPASDFGH".to_string()),
        ("AWS, secret key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string()),
        ("AWS, STS session token", sts_token()),
        (
            "AWS, STS session token, older",
            format!("FwoGZXIvYXdzEBYaD{}+{}/{}==", body(90), body(60), body(110)),
        ),
        ("Google, API key", format!("AIza{}", body(35))),
        ("Google, OAuth token", format!("ya29.{}", body(120))),
        ("Google, refresh token", format!("1//0{}", body(100))),
        ("Google, client secret", format!("GOCSPX-{}", body(28))),
        ("Slack, bot", "xoxb-2213456789012-2234567890123-Q7vK2mX9pL4wR8tZ3nB6cH1j".to_string()),
        ("Slack, user", "xoxp-2213456789012-2234567890123-2234567890123-Q7vK2mX9".to_string()),
        ("Slack, app", "xapp-1-A02BCDEF123-2234567890123-Q7vK2mX9pL4wR8tZ".to_string()),
        ("npm", format!("npm_{}", body(36))),
        ("PyPI", format!("pypi-AgEIcHlwaS5vcmc{}", body(140))),
        ("Hugging Face", format!("hf_{}", body(34))),
        ("Stripe", format!("sk_live_{}", body(24))),
        (
            "JWT",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
                .to_string(),
        ),
    ]
}

/// Secrets that have no shape of their own: the place they stand in says it.
/// (command line as words, the secret in it)
fn placed() -> Vec<(Vec<&'static str>, &'static str)> {
    vec![
        (
            vec![
                "git",
                "clone",
                "https://alice:url-pw-4711@git.example.com/r.git",
            ],
            "url-pw-4711",
        ),
        (
            vec!["psql", "postgres://app:db-pw-4712@db:5432/x"],
            "db-pw-4712",
        ),
        (
            vec![
                "npm",
                "config",
                "set",
                "//registry.example.com/:_authToken=opaque-npm-4713",
            ],
            "opaque-npm-4713",
        ),
        (
            vec!["gpg", "--batch", "--passphrase", "correct horse 4714"],
            "correct horse 4714",
        ),
        (
            vec!["gpg", "--passphrase=opaque-pass-4715", "-d", "x.gpg"],
            "opaque-pass-4715",
        ),
        (
            vec![
                "rclone",
                "config",
                "create",
                "r",
                "sftp",
                "host=h",
                "user=u",
                "pass=rclone-4716",
            ],
            "rclone-4716",
        ),
        (
            vec![
                "docker",
                "login",
                "-u",
                "bob",
                "-p",
                "docker-pw-4717",
                "reg.example.com",
            ],
            "docker-pw-4717",
        ),
        (
            vec!["curl", "-u", "bob:curl-pw-4718", "https://example.com"],
            "curl-pw-4718",
        ),
        (
            vec![
                "curl",
                "-H",
                "X-Api-Key: header-key-4719",
                "https://example.com",
            ],
            "header-key-4719",
        ),
        (
            vec!["curl", "https://example.com/x?a=1&token=query-tok-4720"],
            "query-tok-4720",
        ),
        (
            vec!["tool", "--client-secret", "client-secret-4721"],
            "client-secret-4721",
        ),
        (
            vec!["env", "MY_PASSWORD=env-pw-4722", "tool"],
            "env-pw-4722",
        ),
        (
            vec![
                "ssh-add",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU4723\n-----END OPENSSH PRIVATE KEY-----",
            ],
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU4723",
        ),
        (
            vec![
                "curl",
                "https://hooks.slack.com/services/T0001/B0002/slackhook4724",
            ],
            "slackhook4724",
        ),
        (
            vec!["http", "-a", "alice:httpie-pw-4725", "example.org"],
            "httpie-pw-4725",
        ),
        (
            vec!["mysql", "-pmysqlpw4726", "-u", "app", "db"],
            "mysqlpw4726",
        ),
        (vec!["mysql", "-pletters", "db"], "letters"),
        (
            vec!["redis-cli", "-a", "redis-pw-4727", "ping"],
            "redis-pw-4727",
        ),
        (
            vec!["ldapsearch", "-x", "-D", "cn=admin", "-w", "ldap-pw-4728"],
            "ldap-pw-4728",
        ),
        (
            vec!["openssl", "enc", "-aes256", "-k", "openssl-pw-4729"],
            "openssl-pw-4729",
        ),
        (vec!["env", "PGPASSWORD=pg-pw-4730", "psql"], "pg-pw-4730"),
        (
            vec!["env", "MYSQL_PWD=mysql-pwd-4731", "mysql"],
            "mysql-pwd-4731",
        ),
        (
            vec![
                "aws",
                "configure",
                "set",
                "aws_session_token",
                "sts-opaque-4732",
            ],
            "sts-opaque-4732",
        ),
        (
            vec![
                "aws",
                "configure",
                "set",
                "aws_secret_access_key",
                "aws-opaque-4733",
            ],
            "aws-opaque-4733",
        ),
        (
            vec![
                "printf",
                "https://git.example.com\\nQ7vK2mX9pL4wR8tZ3nB6cH1jF5dS0gYa4734\\n",
            ],
            "Q7vK2mX9pL4wR8tZ3nB6cH1jF5dS0gYa4734",
        ),
    ]
}

/// Harmless words that look like secrets: each command line must come back
/// exactly as it was.
fn look_alikes() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "gpg",
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Panel A <a@x>",
        ],
        vec![
            "gpg",
            "--edit-key",
            "alice@example.org",
            "--recv-keys",
            "3AA5C34371567BD2",
        ],
        vec!["gpg", "--default-key", "ABCD1234", "--sign-key", "bob"],
        vec!["ssh", "-p", "2222", "git@github.com"],
        vec!["mkdir", "-p", "out"],
        vec![
            "docker",
            "login",
            "--password-stdin",
            "-u",
            "alice",
            "registry.example.com",
        ],
        vec![
            "tool",
            "--token-file",
            "/home/me/.config/tool/token",
            "--auth-type",
            "basic",
        ],
        vec!["codex", "login", "--with-api-key"],
        vec![
            "tool",
            "--api-key-env",
            "OPENAI_API_KEY",
            "--no-password",
            "x",
        ],
        vec!["git", "checkout", "3f2a1b9"],
        vec!["pip", "install", "scikit-learn", "sk-learn"],
        vec![
            "curl",
            "https://user@example.com/download",
            "https://github.com/openai/codex",
        ],
        vec![
            "env",
            "PATH=/usr/bin:/bin",
            "HOME=/home/me",
            "LANG=C.UTF-8",
            "tool",
        ],
        vec![
            "codex",
            "--model",
            "gpt-5-codex",
            "exec",
            "fix the token refresh bug",
        ],
        vec!["ls", "/usr/lib/x86_64-linux-gnu/libc.so.6", "AKIA", "eyJ"],
        vec![
            "gh",
            "auth",
            "login",
            "--hostname",
            "github.com",
            "--git-protocol",
            "ssh",
        ],
        vec!["sh", "-c", "printf 'hello\\n' | tool --keyring file"],
        vec!["ssh", "-p2222", "git@github.com"],
        vec!["gcc", "-pthread", "-o", "x", "x.c"],
        vec!["cp", "-pR", "a", "b"],
        vec!["docker", "run", "-p8080:80", "nginx"],
        vec!["grep", "-w", "token", "notes.txt"],
        vec!["curl", "-k", "https://self-signed.example.com"],
        vec!["ls", "-a", "/tmp"],
        vec!["ssh-agent", "-a", "/tmp/agent.sock"],
        vec!["http", "-a", "alice", "example.org"],
        vec!["env", "PWD=/home/me", "OLDPWD=/tmp", "tool"],
        vec!["aws", "configure", "set", "region", "eu-west-1"],
        vec!["git", "config", "--global", "user.email", "a@example.com"],
        vec!["find", ".", "-name", "*.json", "-print0"],
        vec!["printf", "https://git.example.com\\nalice\\n"],
        vec![
            "ls",
            "0199a2b3-4c5d-7e8f-9a0b-1c2d3e4f5a6b",
            "3f2a1b9c0d4e5f60718293a4b5c6d7e8f9012345abcdef0123456789abcdef01.json",
        ],
    ]
}

/// swop's own messages about paths whose names hold a word that says
/// "secret" (`passwd`, `token`, `secret`): a path before a `:` is no header,
/// so the words after it are the message's, each kept.
const MESSAGES_ABOUT_PATHS: [&str; 5] = [
    "/etc/passwd: cannot run: Permission denied (os error 13)",
    "cannot read /home/me/.config/tool/token: No such file or directory (os error 2)",
    "/run/secrets/api_token: cannot run: Permission denied (os error 13)",
    "~/.netrc-password: command not found",
    "/srv/app/client_secret: cannot run: Exec format error (os error 8)",
];

/// Paths a tool writes that hold nothing secret.
const HARMLESS_PATHS: [&str; 4] = [
    "$CODEX_HOME/sessions/2025/01/01/rollout-2025-01-01T10-00-00-0199a2b3-4c5d-7e8f-9a0b-1c2d3e4f5a6b.jsonl",
    "$HOME/.cache/pip/http/3/f/2/a/3f2a1b9c0d4e5f60718293a4b5c6d7e8f9012345abcdef0123456789abcdef01",
    "$CODEX_HOME/state_5.sqlite-wal",
    "/usr/share/zoneinfo/Europe/Berlin",
];

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[track_caller]
fn assert_hidden(what: &str, secret: &str, shown: &str) {
    assert!(
        !shown.contains(secret),
        "{what}: {secret:?} survives in {shown:?}"
    );
    assert!(
        shown.contains(REDACTED),
        "{what}: no {REDACTED} in {shown:?}"
    );
}

#[test]
fn every_token_of_a_public_format_is_redacted_wherever_it_stands() {
    let tokens = tokens();
    for (name, token) in &tokens {
        let mut placements = vec![
            redact_command(&owned(&["tool", "login", token])).join(" "),
            redact_command(&owned(&["tool", &format!("--key-from={token}")])).join(" "),
            redact_text(&format!("sh -c 'printf \"{token}\\n\" | tool login'")),
            redact_text(&format!("tool: invalid credentials {token}; try again")),
            private(&format!("{token}: command not found")),
            // After a byte that is no space: URL-encoded quotes, a JSON escape.
            redact_text(&format!("curl 'https://x.example/cb?state=%22{token}%22'")),
            redact_text(&format!("{{\"key\":\"\\u0022{token}\\u0022\"}}")),
            // Glued to another word by an escape.
            redact_text(&format!(
                "printf 'https://git.example.com\\n{token}\\n' | git credential approve"
            )),
        ];
        // As a folder or file name (a name cannot hold a `/`).
        if !token.contains('/') {
            placements.push(redact_text(&format!(
                "$HOME/.config/tool/{token}/hosts.yml"
            )));
            placements.push(redact_text(&format!("$HOME/.aws/{token}.json")));
        }
        for shown in placements {
            assert_hidden(name, token, &shown);
            assert_eq!(redact_text(&shown), shown, "{name}: not idempotent");
        }
    }
    // A file named after a key keeps its extension and folder.
    assert_eq!(
        redact_text("$HOME/.aws/AKIAIOSFODNN7EXAMPLE.json"),
        "$HOME/.aws/<redacted>.json"
    );
    // A random folder name with no known shape.
    let random = format!("$HOME/.tool/{}/state", body(40));
    assert_eq!(redact_text(&random), "$HOME/.tool/<redacted>/state");
    assert!(tokens.len() >= 25, "a corpus of {} tokens", tokens.len());
}

#[test]
fn secrets_in_places_that_say_so_are_redacted() {
    for (words, secret) in placed() {
        let shown = redact_command(&owned(&words)).join(" ");
        assert_hidden(&format!("{words:?}"), secret, &shown);
        // The same command line inside a script.
        let script = swop::shell::posix_join(words.iter().map(std::ffi::OsStr::new));
        let shown = redact_text(&format!("set -e; {script} && echo done"));
        assert_hidden(&format!("script {script}"), secret, &shown);
        assert!(shown.ends_with("&& echo done"), "{shown}");
    }
    // What is not secret around them stays.
    assert_eq!(
        redact_command(&owned(&["curl", "-u", "bob:curl-pw", "https://x"])),
        owned(&["curl", "-u", "bob:<redacted>", "https://x"])
    );
    assert_eq!(
        redact_text("git clone https://alice:pw@git.example.com/r.git"),
        "git clone https://alice:<redacted>@git.example.com/r.git"
    );
}

#[test]
fn every_look_alike_is_kept_exactly() {
    for words in look_alikes() {
        let words = owned(&words);
        assert_eq!(redact_command(&words), words);
        for word in &words {
            assert_eq!(redact_text(word), *word);
        }
    }
    for path in HARMLESS_PATHS {
        assert_eq!(redact_text(path), path);
        assert_eq!(private(path), path);
    }
    for message in MESSAGES_ABOUT_PATHS {
        assert_eq!(redact_text(message), message);
    }
}

#[test]
fn a_header_that_says_secret_still_hides_its_value_beside_a_path() {
    for (text, secret) in [
        (
            "curl -H 'X-Api-Key: header-key-4741' /etc/passwd",
            "header-key-4741",
        ),
        ("X-Auth-Token: header-tok-4742", "header-tok-4742"),
        ("Password: plain-pw-4743", "plain-pw-4743"),
        (
            "/etc/passwd: cannot run; Client-Secret: header-cs-4744",
            "header-cs-4744",
        ),
    ] {
        let shown = redact_text(text);
        assert_hidden(text, secret, &shown);
    }
}

#[test]
fn secrets_never_reach_a_report_its_json_progress_a_recipe_or_an_error() {
    if !require("strace") {
        return;
    }
    let lab = Lab::new();
    let github = format!("ghp_{}", body(36));
    let aws = "AKIAQWERTYUIOP123456";
    let url_pw = "url-pw-e2e-9931";
    let npm = "opaque-npm-e2e-9932";
    let pass = "rclone-e2e-9933";
    let sts = sts_token();
    let session = "sts-opaque-e2e-9934";
    let encoded = format!("sk-proj-{}", body(40));
    let glued = format!("{}9935", body(36));
    // The tool keeps its state in folders and files named after tokens.
    lab.tool(
        "sectool2",
        &format!(
            r#"d="${{XDG_CONFIG_HOME:-$HOME/.config}}/sectool2"; mkdir -p "$d/{github}"
echo t > "$d/{github}/hosts.yml"; echo k > "$d/{aws}.json"; echo "$@" > /dev/null"#
        ),
    );
    let report = lab.swop.dir().join("report.md");
    let out = lab
        .swop(&[
            "discover",
            "--json",
            "--record",
            "sectool2",
            "--report",
            report.to_str().expect("utf-8"),
            "--",
            "sectool2",
            &format!("https://alice:{url_pw}@git.example.com/r.git"),
            &format!("//registry.example.com/:_authToken={npm}"),
            &format!("pass={pass}"),
            &sts,
            "configure",
            "set",
            "aws_session_token",
            session,
            &format!("https://x.example/cb?state=%22{encoded}%22"),
            &format!("https://git.example.com\\n{glued}\\n"),
            "--quick-gen-key",
            "Panel A <a@x>",
        ])
        .success();
    let recipe = lab.swop.root().join("recipes/sectool2.toml");
    let texts = [
        ("json", out.stdout_str()),
        ("progress", out.stderr_str()),
        ("report", fs::read_to_string(&report).expect("report")),
        ("recipe", fs::read_to_string(&recipe).expect("recipe")),
    ];
    for (what, text) in &texts {
        for secret in [
            github.as_str(),
            aws,
            url_pw,
            npm,
            pass,
            &sts[20..],
            session,
            &encoded,
            &glued,
        ] {
            assert!(!text.contains(secret), "{what} holds {secret}:\n{text}");
        }
    }
    let markdown = &texts[2].1;
    assert!(markdown.contains("<redacted>.json"), "{markdown}");
    // The look-alike stays, so that the runbook reproduces the run.
    assert!(
        markdown.contains("--quick-gen-key 'Panel A <a@x>'"),
        "{markdown}"
    );
    assert_eq!(read_recipe(&recipe).bindings, ["XDG_CONFIG_HOME"]);

    // Error messages about commands that are tokens.
    for args in [
        vec!["discover", "--", github.as_str()],
        vec!["discover", "--", &sts],
        vec!["exec", "nope", "--", aws],
        vec!["exec", "--wait", github.as_str(), "nope", "--", "true"],
        vec!["exec", "--wait", &sts, "nope", "--", "true"],
    ] {
        let out = lab.swop(&args).output();
        let err = out.stderr_str();
        assert!(!out.status.success(), "{args:?}");
        for secret in [github.as_str(), aws, &sts[20..]] {
            assert!(!err.contains(secret), "{args:?}: {err}");
        }
    }
}
