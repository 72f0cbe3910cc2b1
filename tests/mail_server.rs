//! A real SMTP server for the invitation tests: aiosmtpd (from PyPI) on a free loopback port,
//! with `tests/mail/smtp_sink.py` keeping each message byte for byte, and Python's `email`
//! package (`tests/mail/mime_parse.py`) parsing them back.
//!
//! `ROSTER_PYTHON` names a Python with aiosmtpd (.ci/run makes one in a venv). Without it the
//! tests print a notice and pass as skipped, unless `ROSTER_REQUIRE_SMTP=1` (set by .ci/run).

use serde_json::Value;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(20);

fn mail_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail")
}

/// The Python to run, or `None` (with a notice) when the tests skip.
pub fn python() -> Option<String> {
    let found = std::env::var("ROSTER_PYTHON")
        .ok()
        .filter(|p| !p.is_empty());
    if found.is_none() {
        let required = std::env::var("ROSTER_REQUIRE_SMTP").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "ROSTER_REQUIRE_SMTP=1 but ROSTER_PYTHON is not set (see .ci/run)"
        );
        eprintln!("skipped: ROSTER_PYTHON (a Python with aiosmtpd) is not set; see .ci/run");
    }
    found
}

pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// aiosmtpd, stopped when dropped.
pub struct Aiosmtpd {
    pub port: u16,
    python: String,
    folder: tempfile::TempDir,
    child: Child,
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Aiosmtpd {
    /// A server that keeps every message; `None` when the tests skip.
    pub fn start() -> Option<Aiosmtpd> {
        let python = python()?;
        let folder = tempfile::tempdir().expect("a mail folder");
        let port = free_port();
        let target = folder.path().display().to_string();
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "smtp_sink.Sink", &target])
            .env("PYTHONPATH", mail_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python -m aiosmtpd");
        let server = Aiosmtpd {
            port,
            python,
            folder,
            child,
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < PATIENCE, "aiosmtpd did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received, once there are `n`, parsed by Python's `email` package.
    pub fn messages(&self, n: usize) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let count = std::fs::read_dir(self.folder.path())
                .expect("the mail folder")
                .filter(|e| {
                    let name = e.as_ref().unwrap().file_name();
                    name.to_string_lossy().ends_with(".json")
                })
                .count();
            if count >= n {
                break;
            }
            assert!(start.elapsed() < PATIENCE, "{count} messages, not {n}");
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = Command::new(&self.python)
            .arg(mail_dir().join("mime_parse.py"))
            .arg(self.folder.path())
            .output()
            .expect("mime_parse.py");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let parsed: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(parsed.len(), n);
        parsed
    }
}

/// A message's header values named `name` (any case).
pub fn headers<'a>(message: &'a Value, name: &str) -> Vec<&'a str> {
    message["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter(|h| h[0].as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        .map(|h| h[1].as_str().unwrap())
        .collect()
}

/// The first leaf part of type `content_type` under `part`.
pub fn find<'a>(part: &'a Value, content_type: &str) -> Option<&'a Value> {
    if part["content_type"] == content_type {
        return Some(part);
    }
    part["parts"]
        .as_array()?
        .iter()
        .find_map(|p| find(p, content_type))
}

/// Every defect Python's parser found, in any part.
pub fn defects(part: &Value) -> Vec<String> {
    let mut all: Vec<String> = part["defects"]
        .as_array()
        .map(|d| d.iter().map(|v| v.to_string()).collect())
        .unwrap_or_default();
    for p in part["parts"].as_array().into_iter().flatten() {
        all.extend(defects(p));
    }
    all
}
