//! The first large import into an empty PostgreSQL store copies its rows in with the indexes
//! and the memberships' keys set aside and rebuilds them at the end (store::postgres::rebuild):
//! afterwards the store holds exactly what the SQLite store holds, with every index and key as
//! an ordinary import leaves them; a reader holding a table at that instant makes the import
//! take the ordinary path instead of waiting.

use crate::harness::Roster;
use crate::postgres_cli::on;
use crate::postgres_support::PgStore;
use crate::support::roster_csv;
use std::time::{Duration, Instant};

/// Large enough for the rebuild path (rebuild::MIN_CREATES).
const ROWS: usize = 12_000;

fn import(r: &Roster, db: &str, file: &str) {
    let out = on(r, db, &["import", file, "--max-rows", "100000"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn export(r: &Roster, db: &str) -> Vec<u8> {
    let out = on(r, db, &["export", "--format", "json"]);
    assert!(out.status.success());
    out.stdout
}

/// Every index and constraint of the store's tables, as the catalog prints them.
fn catalog(pg: &PgStore) -> Vec<String> {
    let mut c = pg.client();
    let rows = c
        .query(
            "SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i \
             JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = $1 \
             UNION ALL SELECT 'constraint ' || t.relname || ' ' || k.conname || ' ' || \
             pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class t \
             ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = $1 ORDER BY 1",
            &[&pg.schema],
        )
        .unwrap();
    rows.iter()
        .map(|r| r.get::<_, String>(0).replace(&pg.schema, "<schema>"))
        .collect()
}

#[test]
fn a_first_large_import_leaves_the_sqlite_store_s_rows_and_every_index() {
    let Some(big) = PgStore::new("a_first_large_import_leaves_every_index") else {
        return;
    };
    let small = PgStore::new("a_first_large_import_leaves_every_index").unwrap();
    let r = Roster::new();
    let day0 = r.write("day0.csv", roster_csv(ROWS, 0));
    let few = r.write("few.csv", roster_csv(50, 0));
    let sqlite = r.dir().join("same.db");
    let sqlite = sqlite.to_str().unwrap();
    import(&r, &big.url, &day0);
    import(&r, sqlite, &day0);
    import(&r, &small.url, &few);
    assert_eq!(export(&r, &big.url), export(&r, sqlite));
    let indexes = catalog(&big);
    assert!(
        indexes
            .iter()
            .any(|d| d.contains("memberships_member_id_fkey"))
    );
    assert!(
        indexes
            .iter()
            .any(|d| d.contains("UNIQUE INDEX members_email_key"))
    );
    assert_eq!(indexes, catalog(&small));
    // The rebuilt keys hold: a second import into the now full store takes the ordinary path.
    let day1 = r.write("day1.csv", roster_csv(ROWS, 1));
    import(&r, &big.url, &day1);
    import(&r, sqlite, &day1);
    assert_eq!(export(&r, &big.url), export(&r, sqlite));
}

#[test]
fn a_reader_holding_a_table_makes_the_first_import_take_the_ordinary_path() {
    let Some(pg) = PgStore::new("a_reader_holding_a_table") else {
        return;
    };
    let r = Roster::new();
    let day0 = r.write("day0.csv", roster_csv(ROWS, 0));
    // An empty store (a write that creates it), and a reader in the middle of reading it.
    assert!(on(&r, &pg.url, &["labels", "add", "vip"]).status.success());
    let mut reader = pg.client();
    let mut tx = reader.transaction().unwrap();
    tx.batch_execute(&format!(
        "SET LOCAL search_path TO \"{}\"; SELECT count(*) FROM members",
        pg.schema
    ))
    .unwrap();
    let mut child = crate::postgres_support::command(&r, &pg.url)
        .args(["import", &day0, "--max-rows", "100000", "--quiet"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // It must finish while the reader still holds its lock (bounded: a hang fails the test).
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the import waited for the reader");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    tx.commit().unwrap();
    assert!(status.success());
    let sqlite = r.dir().join("same.db");
    let sqlite = sqlite.to_str().unwrap();
    assert!(on(&r, sqlite, &["labels", "add", "vip"]).status.success());
    import(&r, sqlite, &day0);
    assert_eq!(export(&r, &pg.url), export(&r, sqlite));
}
