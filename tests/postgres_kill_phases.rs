//! SIGKILL of an importer on PostgreSQL at the instants the issue names: after its history row,
//! in the middle of the COPY of its created members, in the middle of the UPDATE of its changed
//! members, and just before its commit. Each instant is found from PostgreSQL, not by a hook in
//! roster: the test holds a lock that the importer's next statement needs, watches
//! `pg_stat_activity` until the importer's connection (named by `application_name`) waits in
//! that statement, and kills it there. The store must hold exactly the before-state, the killed
//! import shows `FAILED` (interrupted), and the next import applies within a few seconds.

use crate::harness::Roster;
use crate::postgres_cli::on;
use crate::postgres_kill::{day0_store, dump, import_args};
use crate::postgres_support::{PgStore, command, with_param};
use crate::support::roster_csv;
use std::time::{Duration, Instant};

const ROWS: usize = 5_000;

/// Where the importer is stopped, and the statement it is seen waiting in there.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    AfterHistoryRow,
    MidCopy,
    MidUpdate,
    BeforeCommit,
}

impl Phase {
    fn statement(self) -> &'static str {
        match self {
            Phase::AfterHistoryRow => "SELECT value FROM meta%FOR UPDATE",
            Phase::MidCopy => "COPY members %",
            Phase::MidUpdate => "UPDATE members m SET %",
            Phase::BeforeCommit => "UPDATE imports SET status = 'COMPLETED'%",
        }
    }
}

/// A member day 1 updates and the email key of one it creates, both from the middle of the
/// list: `rows` are each member's row as text before day 1, `calib` a store that applied it.
struct Targets {
    updated: i64,
    created_key: String,
}

fn rows(calib: &PgStore) -> Vec<(i64, String)> {
    let mut c = client_on(calib);
    let rows = c
        .query("SELECT id, m::text FROM members m ORDER BY id", &[])
        .unwrap();
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
}

fn targets(calib: &PgStore, day0: &[(i64, String)]) -> Targets {
    let day1 = rows(calib);
    let was: std::collections::HashMap<i64, &String> = day0.iter().map(|(i, t)| (*i, t)).collect();
    let updated: Vec<i64> = day1
        .iter()
        .filter(|(id, text)| was.get(id).is_some_and(|t| *t != text))
        .map(|(id, _)| *id)
        .collect();
    let mut c = client_on(calib);
    let keys: Vec<String> = c
        .query(
            "SELECT email_key FROM members WHERE id > $1 ORDER BY id",
            &[&(ROWS as i64)],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        updated.len() > 100 && keys.len() > 100,
        "day 1 changes too little"
    );
    Targets {
        updated: updated[updated.len() / 2],
        created_key: keys[keys.len() / 2].clone(),
    }
}

/// A connection to the server whose search path is the store's schema.
fn client_on(pg: &PgStore) -> postgres::Client {
    let mut c = pg.client();
    c.batch_execute(&format!("SET search_path TO \"{}\"", pg.schema))
        .unwrap();
    c
}

/// Waits (bounded) until the importer named `app` waits for a lock in `statement`.
fn wait_for(watcher: &mut postgres::Client, child: &mut std::process::Child, app: &str, p: Phase) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let waiting: i64 = watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 \
                 AND wait_event_type = 'Lock' AND query LIKE $2",
                &[&app, &p.statement()],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{p:?}: the importer ended ({status}) before it reached the instant");
        }
        assert!(Instant::now() < deadline, "{p:?}: never seen waiting");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn kill_at(r: &Roster, files: (&str, &str), before: &str, after: &str, t: &Targets, p: Phase) {
    let (day0, day1) = files;
    let pg = day0_store(r, day0);
    let app = format!("kill-{}", pg.schema);
    let url = with_param(&pg.url, "application_name", &app);
    let (mut gate, mut blocker, mut watcher) = (client_on(&pg), client_on(&pg), pg.client());
    // The gate holds the generation row: the importer writes its history row, then waits.
    let mut gate_tx = Some(gate.transaction().unwrap());
    if let Some(tx) = gate_tx.as_mut() {
        tx.batch_execute("SELECT 1 FROM meta FOR UPDATE").unwrap();
    }
    let mut child = command(r, &url)
        .args(import_args(day1))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&mut watcher, &mut child, &app, Phase::AfterHistoryRow);
    let mut block = blocker.transaction().unwrap();
    match p {
        Phase::AfterHistoryRow => {}
        // An uncommitted member with the email key of one the COPY creates.
        Phase::MidCopy => {
            block
                .execute(
                    "INSERT INTO members (id, email_key, status, created_at, updated_at) \
                     VALUES (1000000000, $1, 'PROVISIONED', '-', '-')",
                    &[&t.created_key],
                )
                .unwrap();
        }
        Phase::MidUpdate => {
            block
                .execute(
                    "SELECT 1 FROM members WHERE id = $1 FOR UPDATE",
                    &[&t.updated],
                )
                .unwrap();
        }
        // NO KEY: the audit rows' foreign key to the import row still gets its key share.
        Phase::BeforeCommit => {
            block
                .batch_execute("SELECT 1 FROM imports WHERE status = 'RUNNING' FOR NO KEY UPDATE")
                .unwrap();
        }
    }
    if p != Phase::AfterHistoryRow {
        if let Some(tx) = gate_tx.take() {
            tx.rollback().unwrap();
        }
        wait_for(&mut watcher, &mut child, &app, p);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let killed = Instant::now();
    drop(block);
    drop(gate_tx);
    assert_eq!(dump(r, &pg.url), before, "{p:?}: not the before-state");
    // The next import takes the lock and applies within a few seconds of the kill.
    let next = loop {
        let out = on(r, &pg.url, &import_args(day1));
        if out.status.code() != Some(5) {
            break out;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(5),
            "{p:?}: still locked 5 s after the kill"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = killed.elapsed();
    assert!(
        next.status.success(),
        "{p:?}: {}",
        String::from_utf8_lossy(&next.stderr)
    );
    assert_eq!(dump(r, &pg.url), after, "{p:?}: the next import applied");
    let list = on(r, &pg.url, &["imports", "list", "--output", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let statuses: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["status"].to_string(), i["message"].to_string()))
        .collect();
    // Newest first: the next import, the killed one, day 0.
    assert_eq!(statuses.len(), 3, "{p:?}: {statuses:?}");
    assert_eq!(statuses[0].0, "\"COMPLETED\"");
    assert_eq!(
        statuses[1],
        ("\"FAILED\"".into(), "\"interrupted\"".into()),
        "{p:?}"
    );
    eprintln!("{p:?}: killed; the next import applied {took:?} after the kill");
}

#[test]
fn a_kill_at_each_named_instant_leaves_the_before_state_and_blocks_nothing() {
    if crate::postgres_support::server("a_kill_at_each_named_instant").is_none() {
        return;
    }
    let r = Roster::new();
    let day0 = r.write("day0.csv", roster_csv(ROWS, 0));
    let day1 = r.write("day1.csv", roster_csv(ROWS, 1));
    let calib = day0_store(&r, &day0);
    let before = dump(&r, &calib.url);
    let day0_rows = rows(&calib);
    assert!(on(&r, &calib.url, &import_args(&day1)).status.success());
    let after = dump(&r, &calib.url);
    let t = targets(&calib, &day0_rows);
    for p in [
        Phase::AfterHistoryRow,
        Phase::MidCopy,
        Phase::MidUpdate,
        Phase::BeforeCommit,
    ] {
        kill_at(&r, (&day0, &day1), &before, &after, &t, p);
    }
}
