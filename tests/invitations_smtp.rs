//! A scripted SMTP server on loopback for the invitation tests: it speaks enough SMTP for
//! lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every message it accepted, and
//! answers each DATA as its script says (accept, a 4xx, a 5xx, or drop the connection in the
//! middle of the data), then accepts.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server does at the end of one message's DATA.
#[derive(Debug, Clone)]
pub enum Answer {
    Accept,
    /// A reply line such as `451 4.3.0 try later`.
    Reply(&'static str),
    /// Close the connection after part of the data, answering nothing.
    DropMidData,
}

/// A message the server answered 250 to.
#[derive(Debug, Clone)]
pub struct Received {
    pub rcpt: String,
    pub data: String,
}

impl Received {
    /// A header's value (the first with that name).
    pub fn header(&self, name: &str) -> String {
        header_of(&self.data, name)
    }

    /// The text/plain part's text, decoded (the first, in a multipart message).
    pub fn body(&self) -> String {
        text_part(&self.data).unwrap_or_default()
    }
}

/// A header of `entity` (headers, a blank line, a body), its folded lines unfolded.
fn header_of(entity: &str, name: &str) -> String {
    let head = entity.split_once("\r\n\r\n").map_or(entity, |(h, _)| h);
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let prefix = format!("{}:", name.to_lowercase());
    unfolded
        .lines()
        .find(|l| l.to_lowercase().starts_with(&prefix))
        .map(|l| l[prefix.len()..].trim().to_string())
        .unwrap_or_default()
}

/// The decoded text of the first text/plain entity in `entity`, looking into multiparts.
fn text_part(entity: &str) -> Option<String> {
    let content_type = header_of(entity, "Content-Type").to_lowercase();
    let body = entity.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    if content_type.starts_with("multipart/") {
        let original = header_of(entity, "Content-Type");
        let start = original.find("boundary=")? + "boundary=".len();
        let boundary = original[start..].trim_matches('"');
        let boundary = boundary.split(['"', ';']).next()?;
        let delimiter = format!("--{boundary}");
        return body
            .split(delimiter.as_str())
            .skip(1)
            .map(|p| p.strip_prefix("\r\n").unwrap_or(p))
            .find_map(text_part);
    }
    if !(content_type.is_empty() || content_type.starts_with("text/plain")) {
        return None;
    }
    let encoding = header_of(entity, "Content-Transfer-Encoding").to_lowercase();
    Some(match encoding.as_str() {
        "quoted-printable" => quoted_printable(body),
        _ => body.to_string(),
    })
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let mut out = Vec::new();
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = joined
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => (out.push(b), i += 3),
            (b, _) => (out.push(b), i += 1),
        };
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Default)]
struct State {
    script: VecDeque<Answer>,
    received: Vec<Received>,
    /// Waited before each 250 for DATA: a window for kills.
    delay: Duration,
}

#[derive(Clone)]
pub struct Smtp {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl Smtp {
    pub fn start(script: Vec<Answer>) -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            ..State::default()
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || session(stream, &state));
            }
        });
        Smtp { port, state }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }
}

fn session(stream: TcpStream, state: &Mutex<State>) -> Option<()> {
    let mut out = stream.try_clone().ok()?;
    let mut lines = BufReader::new(stream);
    let mut say = |text: &str| out.write_all(format!("{text}\r\n").as_bytes()).ok();
    say("220 test.invalid ESMTP")?;
    let mut rcpt = String::new();
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let verb = line.get(..4).unwrap_or("").to_uppercase();
        match verb.as_str() {
            "EHLO" => say("250-test.invalid\r\n250 8BITMIME")?,
            "RCPT" => {
                rcpt = line[line.find('<')? + 1..line.rfind('>')?].to_string();
                say("250 ok")?
            }
            "DATA" => {
                say("354 go ahead")?;
                let answer = state.lock().unwrap().script.pop_front();
                let answer = answer.unwrap_or(Answer::Accept);
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if lines.read_line(&mut l).ok()? == 0 {
                        return None;
                    }
                    if l == ".\r\n" {
                        break;
                    }
                    if matches!(answer, Answer::DropMidData) {
                        return None; // the connection closes here, mid-DATA
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                }
                match answer {
                    Answer::Reply(reply) => say(reply)?,
                    _ => {
                        let delay = state.lock().unwrap().delay;
                        std::thread::sleep(delay);
                        let rcpt = rcpt.clone();
                        state.lock().unwrap().received.push(Received { rcpt, data });
                        say("250 2.0.0 queued")?
                    }
                }
            }
            "QUIT" => {
                say("221 bye");
                return Some(());
            }
            _ => say("250 ok")?,
        }
    }
}
