//! `saraban` as a child process, the way an operator runs it: a command that must succeed (its
//! output), and `serve` with its address read from the first line it prints.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// `saraban <args>` as the tests run it: on the database at `url`, its files under `files`,
/// logging only warnings and errors.
pub fn saraban(args: &[&str], url: &str, files: impl AsRef<Path>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_saraban"));
    command
        .args(args)
        .env("SARABAN__DATABASE__URL", url)
        .env("SARABAN__STORAGE__ROOT", files.as_ref())
        .env("SARABAN_LOG", "warn");
    command
}

/// Runs `command` with `input` on its standard input; panics with its errors unless it
/// succeeds; its standard output.
pub fn run_ok(mut command: Command, input: &str) -> String {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run saraban");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("saraban's output");
    assert!(
        out.status.success(),
        "{command:?}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A `serve` child process; killed (SIGKILL) when dropped.
pub struct Serve {
    child: Child,
    /// `http://127.0.0.1:PORT`, as it printed.
    pub base: String,
}

impl Serve {
    /// Starts `command` (a `saraban serve …`) and reads the address from its first line.
    pub fn start(mut command: Command) -> Serve {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("serve's first line");
        let base = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .map(|a| format!("http://{a}"))
            .unwrap_or_else(|| panic!("serve said: {line}"));
        Serve { child, base }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An outbound letter made through the API of the `serve` at `base` (with one PDF when `file`
/// names one and gives its bytes); its id.
pub async fn outbound_letter(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    subject: &str,
    file: Option<(&str, Vec<u8>)>,
) -> i64 {
    let mut form = reqwest::multipart::Form::new()
        .text("register", "outbound")
        .text("to", "สพฐ.")
        .text("subject", subject.to_string());
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("application/pdf")
                .expect("a MIME type"),
        );
    }
    let res = http
        .post(format!("{base}/api/v1/letters"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("POST /api/v1/letters");
    let status = res.status().as_u16();
    let letter: serde_json::Value = res.json().await.expect("the letter as JSON");
    assert_eq!(status, 201, "{letter}");
    letter["id"].as_i64().expect("the letter's id")
}

/// Queues letter `id` to be e-mailed to `to` through the API of the `serve` at `base`.
pub async fn send_by_email(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    id: i64,
    to: &str,
    idempotency_key: &str,
) {
    let res = http
        .post(format!("{base}/api/v1/letters/{id}/send"))
        .bearer_auth(token)
        .json(
            &serde_json::json!({"recipients": [{"email": to}], "idempotency_key": idempotency_key}),
        )
        .send()
        .await
        .expect("POST /api/v1/letters/{id}/send");
    assert_eq!(res.status().as_u16(), 202);
}
