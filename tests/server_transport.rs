//! The sync server against real clients and a real CLI (issue 13): a CLI import waiting at its
//! question holds the lock a sync meets (409), eight concurrent syncs end in one of their
//! serial orders, a body that pauses too long is cut off (408), and a running import shows
//! its progress on `GET /v1/imports/{id}`.

use crate::harness::{Roster, members_csv};
use crate::server_harness::{Reply, Server, create_key};
use crate::support::{at_a_terminal, roster_csv, wait_until};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BUSY: &str =
    "Another import is being applied. Please wait for it to finish before uploading again.";

#[test]
fn a_cli_import_waiting_at_its_question_makes_a_sync_409() {
    let r = Roster::new();
    let all = r.write("all.csv", members_csv(1..=3));
    r.args(&["import", &all]).run();
    let one = r.write("one.csv", members_csv(1..=1));
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    // A full sync that deactivates two members asks first, holding the lock while it asks.
    let mut cli = r
        .args(&["import", &one, "--full-sync", "--max-deactivations", "5"])
        .wrapper(&at_a_terminal())
        .spawn();
    let screen = collect(cli.stdout.take().expect("stdout"));
    wait_until(
        || {
            screen
                .lock()
                .unwrap()
                .contains("Apply these changes? [y/N]")
        },
        "the question",
    );
    let newcomers = members_csv(10..=12);
    let refused = server.sync("", &key, &newcomers);
    refused.problem(409, BUSY);
    assert_eq!(refused.header("retry-after").as_deref(), Some("5"));
    // A dry run takes no lock.
    let dry_run = server.sync("?dry_run=true", &key, &newcomers);
    assert_eq!(dry_run.status, 200, "{}", dry_run.text());

    let mut answer = cli.stdin.take().expect("stdin");
    answer.write_all(b"y\n").expect("answer");
    assert!(
        cli.wait().expect("wait").success(),
        "{}",
        screen.lock().unwrap()
    );
    assert_eq!(r.status("m2@example.com"), "INACTIVE");
    // The lock is free again: the same sync applies now.
    let applied = server.sync("", &key, &newcomers);
    assert_eq!(applied.status, 200, "{}", applied.text());
    assert_eq!(applied.json()["summary"]["created"], 3);
}

/// Sync `i` of eight: the same 200 shared members titled `T<i>`, and 300 of its own.
fn contender(i: usize) -> String {
    let mut csv = String::from("email,first_name,job_title\n");
    for m in 0..200 {
        csv.push_str(&format!("shared{m}@example.com,Shared{m},T{i}\n"));
    }
    for m in 0..300 {
        csv.push_str(&format!("own{i}x{m}@example.com,Own{m},T{i}\n"));
    }
    csv
}

#[test]
fn eight_concurrent_syncs_end_in_one_of_their_serial_orders() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let handles: Vec<_> = (0..8)
        .map(|i| server.sync_on_a_thread(&key, contender(i)))
        .collect();
    let replies: Vec<(usize, Reply)> = handles
        .into_iter()
        .enumerate()
        .map(|(i, h)| (i, h.join().unwrap()))
        .collect();
    let mut applied: Vec<(i64, usize)> = Vec::new();
    for (i, reply) in &replies {
        match reply.status {
            200 => applied.push((reply.json()["import_id"].as_i64().expect("id"), *i)),
            _ => {
                reply.problem(409, BUSY);
            }
        }
    }
    assert!(!applied.is_empty());
    // The serial order is the order of the import ids: the last one titled the shared members.
    applied.sort();
    let last = applied.last().expect("one applied").1;
    let members = r.members();
    assert_eq!(members.len(), 200 + 300 * applied.len());
    for m in &members {
        let email = m.email.as_deref().expect("email");
        let title = m.job_title.as_deref().expect("title");
        match email.strip_prefix("own") {
            None => assert_eq!(title, format!("T{last}"), "{email}"),
            Some(rest) => {
                let i: usize = rest.split('x').next().unwrap().parse().unwrap();
                assert!(
                    applied.iter().any(|a| a.1 == i),
                    "{email} of a refused sync"
                );
                assert_eq!(title, format!("T{i}"), "{email}");
            }
        }
    }
    let history = r.args(&["imports", "list", "--output", "json"]).run();
    let statuses: Vec<String> = history
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(statuses, vec!["COMPLETED"; applied.len()]);
}

#[test]
fn a_body_that_pauses_longer_than_the_timeout_is_408_and_changes_nothing() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &["--body-timeout", "1"]);
    let body = members_csv(1..=100);
    let head = format!(
        "POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    stream.write_all(head.as_bytes()).expect("head");
    stream
        .write_all(&body.as_bytes()[..body.len() / 2])
        .expect("half the body");
    // Then nothing: the server stops waiting after a second.
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(
        answer
            .contains("The request body arrived too slowly and was cut off; nothing was changed."),
        "{answer}"
    );
    assert!(r.members().is_empty());
    let history = r.args(&["imports", "list", "--output", "json"]).run();
    assert_eq!(history.json(), serde_json::json!([]));
}

#[test]
fn a_running_import_shows_its_progress() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &["--rate-limit", "100000/s"]);
    let sending = server.sync_on_a_thread(&key, roster_csv(30_000, 0));
    let mut seen: Vec<serde_json::Value> = Vec::new();
    while !sending.is_finished() {
        let latest = server.get("/v1/imports?limit=1", &key).json();
        if let Some(id) = latest[0]["import_id"].as_i64() {
            let import = server.get(&format!("/v1/imports/{id}"), &key).json();
            if import["status"] == "RUNNING" && import.get("progress").is_some() {
                seen.push(import["progress"].clone());
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let applied = sending.join().unwrap();
    assert_eq!(applied.status, 200, "{}", applied.text());
    assert!(!seen.is_empty(), "no progress seen while the import ran");
    for p in &seen {
        let stage = p["stage"].as_str().expect("stage");
        assert!(
            ["parse", "validate", "plan", "apply"].contains(&stage),
            "{p}"
        );
        let (done, total) = (p["done"].as_u64().unwrap(), p["total"].as_u64().unwrap());
        assert!(done <= total && total > 0, "{p}");
    }
    let id = applied.json()["import_id"].as_i64().unwrap();
    let done = server.get(&format!("/v1/imports/{id}"), &key).json();
    assert_eq!(done["status"], "COMPLETED");
    assert!(done.get("progress").is_none(), "{done}");
}

/// Everything `pipe` says, gathered on a thread as it comes.
fn collect(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let kept = Arc::clone(&text);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            kept.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}
