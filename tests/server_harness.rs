//! A real `roster serve` on 127.0.0.1:0 for the server tests: started on a test's store, its
//! address read from the `listening on` line, its stderr kept for assertions, a real HTTP
//! client (reqwest), and SIGTERM or SIGKILL on demand. Killed when dropped.

#![allow(dead_code)]

use crate::harness::Roster;
use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct Server {
    child: Child,
    pub base: String,
    stderr: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// `roster serve --listen 127.0.0.1:0` with `extra` flags, on `roster`'s store.
    pub fn start(roster: &Roster, extra: &[&str]) -> Server {
        Server::spawn(roster.args(&Server::serve_args(extra)).spawn())
    }

    /// The same on the store `db` (another file, or a PostgreSQL URL).
    pub fn start_on(roster: &Roster, db: &str, extra: &[&str]) -> Server {
        Server::spawn(roster.args(&Server::serve_args(extra)).db(db).spawn())
    }

    fn serve_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        args
    }

    fn spawn(mut child: Child) -> Server {
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        let kept = Arc::clone(&stderr);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    tx.send(addr.to_string()).ok();
                }
                let mut all = kept.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no listening line: {}", stderr.lock().unwrap()));
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Server {
            child,
            base,
            stderr,
            reader: Some(reader),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Everything the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Sends `signal` and waits for the exit; returns the exit code (None: killed by a signal).
    pub fn stop(mut self, signal: &str) -> Option<i32> {
        self.signal(signal);
        let status = self.child.wait().expect("wait for roster serve");
        if let Some(r) = self.reader.take() {
            r.join().ok();
        }
        status.code()
    }

    pub fn get(&self, path: &str, key: &str) -> Reply {
        Reply::from(client().get(self.url(path)).bearer_auth(key).send())
    }

    /// `POST /v1/sync?query` with a CSV body.
    pub fn sync(&self, query: &str, key: &str, csv: &str) -> Reply {
        self.post(query, key, "text/csv", csv.as_bytes().to_vec(), &[])
    }

    /// `POST /v1/sync` of a CSV body from a thread of its own, while the test goes on; join
    /// the handle for the answer.
    pub fn sync_on_a_thread(&self, key: &str, csv: String) -> std::thread::JoinHandle<Reply> {
        let (url, key) = (self.url("/v1/sync"), key.to_string());
        std::thread::spawn(move || {
            let sent = client()
                .post(url)
                .bearer_auth(key)
                .header("content-type", "text/csv")
                .body(csv)
                .send();
            Reply::from(sent)
        })
    }

    pub fn post(
        &self,
        query: &str,
        key: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = client()
            .post(self.url(&format!("/v1/sync{query}")))
            .bearer_auth(key)
            .header("content-type", content_type)
            .body(body);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        Reply::from(request.send())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("http client")
}

/// An answer, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn from(sent: reqwest::Result<reqwest::blocking::Response>) -> Reply {
        let response = sent.expect("send request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().expect("read body").to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_string())
    }

    /// Asserts a problem+json answer: the status, and `detail` exactly.
    #[track_caller]
    pub fn problem(&self, status: u16, detail: &str) -> &Reply {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let doc = self.json();
        assert_eq!(doc["status"], status);
        crate::schema_check::assert_valid("problem", &doc);
        let code = doc["code"].as_str().unwrap_or_default();
        assert_eq!(doc["type"], format!("/problems/{code}"));
        assert!(doc["title"].is_string());
        assert_eq!(doc["detail"], detail, "{}", self.text());
        self
    }
}

/// A new key made by `roster keys create NAME --scope SCOPE`.
#[track_caller]
pub fn create_key(roster: &Roster, name: &str, scope: &str) -> String {
    let run = roster
        .args(&["keys", "create", name, "--scope", scope])
        .run();
    let key = run.stdout.trim().to_string();
    assert!(key.starts_with("rst_") && key.len() == 40, "{key}");
    key
}

/// A raw HTTP/1.1 exchange on a fresh connection: writes `head`, then each piece of `pieces`
/// (stopping at the first the server no longer reads), then reads the answer as text.
pub fn raw(server: &Server, head: &str, pieces: &[&[u8]]) -> String {
    use std::io::{Read, Write};
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    stream.write_all(head.as_bytes()).expect("write head");
    for piece in pieces {
        if stream.write_all(piece).is_err() {
            break;
        }
    }
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok();
    String::from_utf8_lossy(&answer).into_owned()
}
