//! A model provider on 127.0.0.1 for the real codex, so that `codex exec`
//! runs a whole turn offline: it answers the Responses API with one
//! assistant message, streamed as server-sent events, and with the
//! rate-limit headers ChatGPT's backend sends (`x-codex-primary-used-percent`,
//! `-window-minutes`, `-reset-at`, and the `secondary` twins), which codex
//! records in the session's rollout as a `token_count` event. The header
//! names are those codex-rs parses (openai/codex `codex-rs/codex-api`,
//! rate-limit parsing); the event names those of the Responses API
//! (`response.created`, `response.output_item.done`, `response.completed`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// One turn of the real codex against the provider, ended if it hangs: the
/// words after `swop exec NAME --`, before the prompt.
pub const CODEX_EXEC: [&str; 5] = ["timeout", "60", "codex", "exec", "--skip-git-repo-check"];

/// The windows the provider reports: (used percent, window minutes, reset at).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub primary: (f64, i64, i64),
    pub secondary: (f64, i64, i64),
}

/// A running provider; it stops with the test process.
pub struct Provider {
    pub port: u16,
    limits: Arc<Mutex<Limits>>,
    prompts: Arc<Mutex<Vec<String>>>,
}

impl Provider {
    pub fn start(limits: Limits) -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a port");
        let port = listener.local_addr().expect("address").port();
        let limits = Arc::new(Mutex::new(limits));
        let prompts = Arc::new(Mutex::new(Vec::new()));
        let (l, p) = (limits.clone(), prompts.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (l, p) = (l.clone(), p.clone());
                std::thread::spawn(move || serve(stream, &l, &p));
            }
        });
        Provider {
            port,
            limits,
            prompts,
        }
    }

    pub fn set_limits(&self, limits: Limits) {
        *self.limits.lock().expect("limits") = limits;
    }

    /// The request bodies received so far.
    pub fn requests(&self) -> Vec<String> {
        self.prompts.lock().expect("prompts").clone()
    }

    /// A `config.toml` for CODEX_HOME that sends codex here, without retries.
    pub fn configure(&self, codex_home: &Path) {
        std::fs::create_dir_all(codex_home).expect("CODEX_HOME");
        std::fs::write(
            codex_home.join("config.toml"),
            format!(
                "model = \"mock-model\"\nmodel_provider = \"mock\"\n\n\
                 [model_providers.mock]\nname = \"mock\"\n\
                 base_url = \"http://127.0.0.1:{}/v1\"\nwire_api = \"responses\"\n\
                 request_max_retries = 0\nstream_max_retries = 0\n",
                self.port
            ),
        )
        .expect("write config.toml");
    }
}

fn serve(stream: TcpStream, limits: &Mutex<Limits>, prompts: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let response = if request_line.starts_with("POST") && request_line.contains("/responses") {
            prompts
                .lock()
                .expect("prompts")
                .push(String::from_utf8_lossy(&body).into_owned());
            answer(*limits.lock().expect("limits"))
        } else {
            let body = "{\"data\":[],\"models\":[]}";
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
        };
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn answer(limits: Limits) -> String {
    let events = [
        (
            "response.created",
            r#"{"type":"response.created","response":{"id":"resp_1"}}"#.to_string(),
        ),
        (
            "response.output_item.done",
            r#"{"type":"response.output_item.done","item":{"type":"message","role":"assistant","id":"msg_1","content":[{"type":"output_text","text":"hello from the test provider"}]}}"#.to_string(),
        ),
        (
            "response.completed",
            r#"{"type":"response.completed","response":{"id":"resp_1","usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":0},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":15}}}"#.to_string(),
        ),
    ];
    let body: String = events
        .iter()
        .map(|(event, data)| format!("event: {event}\ndata: {data}\n\n"))
        .collect();
    let (p, s) = (limits.primary, limits.secondary);
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
         x-codex-primary-used-percent: {}\r\nx-codex-primary-window-minutes: {}\r\n\
         x-codex-primary-reset-at: {}\r\n\
         x-codex-secondary-used-percent: {}\r\nx-codex-secondary-window-minutes: {}\r\n\
         x-codex-secondary-reset-at: {}\r\n\
         content-length: {}\r\n\r\n{body}",
        p.0,
        p.1,
        p.2,
        s.0,
        s.1,
        s.2,
        body.len()
    )
}
