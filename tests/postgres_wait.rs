//! `roster import --wait` on a PostgreSQL store (SPEC §2, §14): the advisory lock is tried, not
//! waited on, so a busy store answers at once and the import's own wait does the waiting; and
//! an import that ends lets go of the lock before it exits, so the next one never finds it held.

use crate::harness::Roster;
use crate::postgres_support::{PgStore, command};
use roster::store::Location;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

const BUSY: &str =
    "error: Another import is being applied. Please wait for it to finish before uploading again.";
const WAITING: &str = "another import is being applied; waiting for it to finish...";

#[test]
fn wait_on_postgres_takes_the_lock_once_it_is_free() {
    let Some(pg) = PgStore::new("wait_on_postgres_takes_the_lock_once_it_is_free") else {
        return;
    };
    let r = Roster::new();
    let path = r.write("a.csv", "email\nann@x.co\nbob@x.co\n");
    let store = roster::store::open(&Location::parse(&pg.url)).expect("open the store");
    let lock = store.try_lock().expect("the lock is free");
    // Without --wait: refused at once. With a bounded wait that runs out: the same refusal.
    let out = command(&r, &pg.url)
        .args(["import", &path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim_end(), BUSY);
    let out = command(&r, &pg.url)
        .args(["import", &path, "--wait=1s"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "another import is being applied; waiting for it to finish (up to 1s)...",
            BUSY
        ]
    );
    // An open wait says it waits, and applies once the holder lets go.
    let mut child = command(&r, &pg.url)
        .args(["import", &path, "--wait", "--output", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert_eq!(first.trim_end(), WAITING);
    let count = |r: &Roster| {
        let out = command(r, &pg.url).args(["export"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).lines().count() - 1
    };
    assert_eq!(count(&r), 0, "nothing applied while the lock was held");
    drop(lock);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["created"], 2);
    assert_eq!(count(&r), 2);
}

#[test]
fn imports_back_to_back_never_find_the_lock_held() {
    let Some(pg) = PgStore::new("imports_back_to_back_never_find_the_lock_held") else {
        return;
    };
    let r = Roster::new();
    for i in 0..20 {
        let path = r.write(&format!("{i}.csv"), format!("email\nm{i}@x.co\n"));
        let out = command(&r, &pg.url)
            .args(["import", &path])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "import {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
