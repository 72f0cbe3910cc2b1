//! Issue 23 (item 9): a run of `roster invitations send` cannot stall. A server that accepts
//! the connection and never answers costs one timeout for the whole run, its error names the
//! timeout, and nothing is lost: the invitations not tried stay PENDING, due, for the next run.
//! The run's deadline leaves the rest PENDING too; one connection serves a whole run.

use crate::harness::{Roster, members_csv};
use crate::invitations_smtp::Smtp;
use crate::mail_server::Aiosmtpd;
use std::net::TcpListener;
use std::time::{Duration, Instant};

#[derive(Debug, serde::Deserialize)]
struct Listed {
    state: String,
    attempts: u32,
    last_error: Option<String>,
}

fn configured(url: &str, n: usize) -> Roster {
    let r = Roster::new();
    for (key, value) in [
        ("smtp-url", url.to_string()),
        ("smtp-from", "roster@example.org".to_string()),
        ("invite-link", "https://example.org/i/{token}".to_string()),
    ] {
        r.args(&["config", "set", key, &value]).run();
    }
    r.import_json("a.csv", members_csv(1..=n))
        .args(&["--invite"])
        .run();
    r
}

fn list(r: &Roster) -> Vec<Listed> {
    r.args(&["invitations", "list", "--output", "json"])
        .run()
        .decode()
}

/// A server that accepts every connection and never says a word; the sockets are held.
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

#[test]
fn a_server_that_never_answers_costs_one_timeout_and_loses_nothing() {
    let port = silent_server();
    let r = configured(&format!("smtp://127.0.0.1:{port}"), 20);
    let started = Instant::now();
    let run = r
        .args(&["invitations", "send", "--timeout", "1", "--output", "json"])
        .stderr_line("warning: smtp://127.0.0.1:{port} did not answer: 19 more invitations stay PENDING for the next run".replace("{port}", &port.to_string()))
        .run();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "took {took:?}");
    let doc = run.json();
    assert_eq!(
        (
            doc["sent"].as_u64(),
            doc["failed"].as_u64(),
            doc["pending"].as_u64()
        ),
        (Some(0), Some(0), Some(20))
    );
    let listed = list(&r);
    assert_eq!(listed.len(), 20);
    assert!(listed.iter().all(|i| i.state == "PENDING"), "{listed:?}");
    assert_eq!(listed[0].attempts, 1);
    let error = listed[0].last_error.as_deref().unwrap();
    assert_eq!(
        error,
        format!("timed out after 1 s waiting for an answer from smtp://127.0.0.1:{port}")
    );
    assert!(!error.contains("os error"));
    assert!(
        listed[1..]
            .iter()
            .all(|i| i.attempts == 0 && i.last_error.is_none())
    );
    // The next run is bounded the same way, and tries the next invitation, not the first.
    r.args(&["invitations", "send", "--timeout", "1"]).run();
    let listed = list(&r);
    assert_eq!(
        (listed[0].attempts, listed[1].attempts, listed[2].attempts),
        (1, 1, 0)
    );
}

#[test]
fn a_refused_connection_says_so_and_the_rest_wait() {
    let port = crate::mail_server::free_port();
    let r = configured(&format!("smtp://127.0.0.1:{port}"), 3);
    r.args(&["invitations", "send"])
        .stderr_line(format!("[1/3] retry m1@example.com: could not connect to smtp://127.0.0.1:{port}: Connection error: Connection refused (os error 111)"))
        .run();
    let listed = list(&r);
    assert_eq!(
        listed.iter().map(|i| i.attempts).collect::<Vec<_>>(),
        [1, 0, 0]
    );
}

#[test]
fn the_deadline_leaves_the_rest_pending() {
    let smtp = Smtp::start(vec![]);
    let r = configured(&smtp.url(), 3);
    r.args(&["invitations", "send", "--deadline", "0"])
        .stderr_line("warning: the run's deadline of 0 s has passed: 3 more invitations stay PENDING for the next run")
        .run();
    assert!(smtp.received().is_empty());
    assert!(
        list(&r)
            .iter()
            .all(|i| i.state == "PENDING" && i.attempts == 0)
    );
    r.args(&["invitations", "send"]).run();
    assert_eq!(smtp.received().len(), 3);
}

#[test]
fn one_connection_carries_a_whole_run() {
    let Some(smtp) = Aiosmtpd::start() else {
        return;
    };
    let r = configured(&smtp.url(), 30);
    r.args(&["invitations", "send"]).run();
    let messages = smtp.messages(30);
    let peers: std::collections::BTreeSet<&str> = messages
        .iter()
        .map(|m| m["envelope"]["peer"].as_str().unwrap())
        .collect();
    assert_eq!(
        peers.len(),
        1,
        "one connection (one client port): {peers:?}"
    );
    assert!(list(&r).iter().all(|i| i.state == "SENT"));
}

#[test]
fn a_server_silent_after_the_data_is_sent_again_with_the_same_message_id() {
    // It keeps the message but answers after the timeout: the sender cannot know it has it.
    let smtp = Smtp::start(vec![]);
    smtp.set_delay(Duration::from_millis(2500));
    let r = configured(&smtp.url(), 3);
    let started = Instant::now();
    r.args(&["invitations", "send", "--timeout", "1"])
        .stderr_line(format!(
            "warning: smtp://127.0.0.1:{} did not answer: 2 more invitations stay PENDING for the next run",
            smtp.port
        ))
        .run();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let listed = list(&r);
    assert_eq!(listed[0].state, "PENDING");
    assert!(
        listed[0]
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("timed out after 1 s")
    );
    smtp.set_delay(Duration::ZERO);
    r.args(&["invitations", "send", "--now"]).run();
    assert!(list(&r).iter().all(|i| i.state == "SENT"));
    // The first run's copy is kept when the server's late answer comes.
    let waited = Instant::now();
    while smtp.received().len() < 4 && waited.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let got = smtp.received();
    let first: Vec<String> = got
        .iter()
        .filter(|m| m.rcpt == "m1@example.com")
        .map(|m| m.header("Message-ID"))
        .collect();
    assert_eq!(first.len(), 2, "delivered twice: at least once");
    assert_eq!(first[0], first[1], "with one Message-ID");
}
