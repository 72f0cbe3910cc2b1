//! SIGKILL of an importer on PostgreSQL at instants spread over a large import (SPEC §2, §14):
//! the store holds exactly the before- or the after-state, the killed import shows `FAILED`
//! (interrupted), and the next import takes the lock and applies within about two seconds
//! (the server notices the dead client: its lock connection closes, and
//! `client_connection_check_interval` stops its running statement).

use crate::harness::Roster;
use crate::postgres_cli::on;
use crate::postgres_support::{PgStore, command};
use crate::support::{env_count, roster_csv};
use std::time::{Duration, Instant};

pub fn import_args(file: &str) -> Vec<&str> {
    vec![
        "import",
        file,
        "--full-sync",
        "--max-deactivations",
        "100%",
        "--max-rows",
        "10000000",
        "--max-bytes",
        "1000000000",
    ]
}

pub fn dump(r: &Roster, url: &str) -> String {
    let all = "PROVISIONED,INVITED,ACTIVE,INACTIVE,BANNED";
    let out = on(r, url, &["export", "--format", "json", "--status", all]);
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits until nobody holds the store's import lock (taken and let go at once), for at most two
/// seconds after `since`.
fn wait_for_import_lock(url: &str, since: Instant) {
    let store = roster::store::open(&roster::store::Location::parse(url)).expect("open");
    while let Err(e) = store.lock_imports() {
        assert!(
            since.elapsed() < Duration::from_secs(2),
            "still locked 2 s after the kill: {e}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A fresh store holding day 0.
pub fn day0_store(r: &Roster, day0: &str) -> PgStore {
    let pg = PgStore::on(&std::env::var("ROSTER_TEST_PG").unwrap()).unwrap();
    assert!(on(r, &pg.url, &import_args(day0)).status.success());
    pg
}

#[test]
fn a_killed_importer_leaves_all_or_nothing_and_blocks_nothing() {
    if crate::postgres_support::server("a_killed_importer_leaves_all_or_nothing").is_none() {
        return;
    }
    let kills = env_count("ROSTER_KILL_COUNT", 4);
    let rows = env_count("ROSTER_KILL_ROWS", 5_000);
    let r = Roster::new();
    let day0 = r.write("day0.csv", roster_csv(rows, 0));
    let day1 = r.write("day1.csv", roster_csv(rows, 1));

    // The before- and after-states, and how long an uninterrupted import takes.
    let calib = day0_store(&r, &day0);
    let before = dump(&r, &calib.url);
    let started = Instant::now();
    assert!(on(&r, &calib.url, &import_args(&day1)).status.success());
    let full = started.elapsed();
    let after = dump(&r, &calib.url);
    assert_ne!(before, after);

    let (mut befores, mut afters) = (0, 0);
    for k in 0..kills {
        let pg = day0_store(&r, &day0);
        let at = full.mul_f64((k as f64 + 0.5) / kills as f64);
        let mut child = command(&r, &pg.url)
            .args(import_args(&day1))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        child.kill().unwrap();
        child.wait().unwrap();
        let killed = Instant::now();
        // A COMMIT the client sent just before it died still completes on the server: the
        // store's state is final once the dead session has let go of the import lock.
        wait_for_import_lock(&pg.url, killed);
        let state = dump(&r, &pg.url);
        if state == before {
            befores += 1;
        } else {
            assert_eq!(state, after, "kill {k} at {at:?}: neither before nor after");
            afters += 1;
        }
        // The next import gets the lock within about two seconds of the kill, and applies.
        let next = loop {
            let out = on(&r, &pg.url, &import_args(&day1));
            if out.status.code() != Some(5) {
                break out;
            }
            assert!(
                killed.elapsed() < Duration::from_secs(2),
                "still locked 2 s after the kill"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(
            next.status.success(),
            "{}",
            String::from_utf8_lossy(&next.stderr)
        );
        assert_eq!(
            dump(&r, &pg.url),
            after,
            "kill {k}: the next import applied"
        );
        let list = on(&r, &pg.url, &["imports", "list", "--output", "json"]);
        let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        let list = list.as_array().unwrap();
        assert_eq!(list[0]["status"], "COMPLETED");
        // Between day 0 (last) and the next import (first): the killed one, if it got as far
        // as its history row: interrupted when it left the before-state, else completed.
        for import in &list[1..list.len() - 1] {
            if state == before {
                assert_eq!(import["status"], "FAILED", "kill {k}: {import}");
                assert_eq!(import["message"], "interrupted", "kill {k}: {import}");
            } else {
                assert_eq!(import["status"], "COMPLETED", "kill {k}: {import}");
            }
        }
    }
    eprintln!("{kills} kills: {befores} left the before-state, {afters} the after-state");
}
