//! The PostgreSQL store through the library: the same plans applied to an SQLite and a
//! PostgreSQL store leave the same members, memberships, history and audit log (the per-row
//! path and the COPY path alike); the import lock; the generation check.

use crate::postgres_support::PgStore;
use crate::support::{original, plan_for, roster_csv, test_meta};
use roster::plan::Mode;
use roster::store::Store;

fn full_sync() -> Mode {
    Mode {
        full_sync: true,
        ..Mode::default()
    }
}

/// Everything a reader sees, times aside: members with memberships, history, audit log.
fn view(s: &Store) -> String {
    let mut out = String::new();
    s.each_member(&roster::model::Status::ALL, &mut |m, teams| {
        out.push_str(&format!("{m:?} {teams:?}\n"));
        Ok(())
    })
    .unwrap();
    let snap = s.snapshot().unwrap();
    out.push_str(&format!("generation {}\n", snap.generation));
    for r in s.imports().unwrap() {
        out.push_str(&format!(
            "{} {} {:?} {:?}\n",
            r.id, r.status, r.summary, r.message
        ));
    }
    for e in s.audit(roster::store::AuditQuery::default()).unwrap() {
        out.push_str(&format!(
            "{} {:?} {} {} {}\n",
            e.id,
            e.import_id,
            e.member.as_deref().unwrap_or("-"),
            e.action,
            e.changes
        ));
    }
    out
}

fn apply_both(sqlite: &mut Store, pg: &mut Store, text: &str, mode: &Mode) {
    let snap = sqlite.snapshot().unwrap();
    let plan = plan_for(&snap, text, mode);
    let id = sqlite
        .record_import(&test_meta("full_sync"), original(text))
        .unwrap();
    let summary = serde_json::json!({"changes": plan.changes.len()});
    sqlite
        .apply(id, &plan, &snap, &summary, "test", &mut |_| {}, &|| {})
        .unwrap();

    let snap = pg.snapshot().unwrap();
    let plan = plan_for(&snap, text, mode);
    let _lock = pg.lock_imports().unwrap();
    let id = pg
        .record_import(&test_meta("full_sync"), original(text))
        .unwrap();
    pg.apply(id, &plan, &snap, &summary, "test", &mut |_| {}, &|| {})
        .unwrap();
    assert_eq!(pg.import_original(id).unwrap().unwrap(), text.as_bytes());
}

#[test]
fn plans_leave_the_same_store_on_both_kinds() {
    let Some(target) = PgStore::new("plans_leave_the_same_store_on_both_kinds") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = roster::store::open(&roster::store::Location::Sqlite(
        dir.path().join("roster.db"),
    ))
    .unwrap();
    let mut pg =
        roster::store::open(&roster::store::Location::Postgres(target.url.to_string())).unwrap();
    // 1 200 rows: the COPY path; then a next day; then 50 rows (the per-row path); then a
    // few hundred changes among 3 000 members (the COPY path, updates looked up by id).
    for (text, mode) in [
        (roster_csv(1200, 0), full_sync()),
        (roster_csv(1200, 1), full_sync()),
        (roster_csv(50, 0), Mode::default()),
        (roster_csv(50, 1), full_sync()),
        (roster_csv(3000, 0), Mode::default()),
        (roster_csv(2000, 1), Mode::default()),
    ] {
        apply_both(&mut sqlite, &mut pg, &text, &mode);
        assert_eq!(view(&pg), view(&sqlite));
    }
    assert!(
        view(&pg).contains("deactivate"),
        "full sync deactivated some"
    );
}

#[test]
fn one_import_lock_per_store() {
    let Some(a) = PgStore::new("one_import_lock_per_store") else {
        return;
    };
    let b = PgStore::on(&std::env::var("ROSTER_TEST_PG").unwrap()).unwrap();
    let first = roster::store::open(&roster::store::Location::Postgres(a.url.to_string())).unwrap();
    let second =
        roster::store::open(&roster::store::Location::Postgres(a.url.to_string())).unwrap();
    let other = roster::store::open(&roster::store::Location::Postgres(b.url.to_string())).unwrap();
    let held = first.lock_imports().unwrap();
    let refused = second.lock_imports().unwrap_err();
    assert_eq!(
        refused.to_string(),
        "Another import is being applied. Please wait for it to finish before uploading again."
    );
    let _other_schema = other
        .lock_imports()
        .expect("another schema has its own lock");
    drop(held);
    second.lock_imports().expect("free again once dropped");
}

#[test]
fn a_write_after_the_snapshot_refuses_the_plan() {
    let Some(target) = PgStore::new("a_write_after_the_snapshot_refuses_the_plan") else {
        return;
    };
    let mut pg =
        roster::store::open(&roster::store::Location::Postgres(target.url.to_string())).unwrap();
    let snap = pg.snapshot().unwrap();
    let text = roster_csv(10, 0);
    let plan = plan_for(&snap, &text, &Mode::default());
    let mut other =
        roster::store::open(&roster::store::Location::Postgres(target.url.to_string())).unwrap();
    other
        .set_setting("seat-limit", Some("100"), "test")
        .unwrap();
    let id = pg
        .record_import(&test_meta("full_sync"), original(&text))
        .unwrap();
    let e = pg
        .apply(
            id,
            &plan,
            &snap,
            &serde_json::json!({}),
            "test",
            &mut |_| {},
            &|| {},
        )
        .unwrap_err();
    assert!(matches!(e, roster::error::StoreError::Changed), "{e}");
    let mut members = 0;
    pg.each_member(&roster::model::Status::ALL, &mut |_, _| {
        members += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(members, 0, "nothing applied");
}

#[test]
fn a_non_c_collation_database_orders_by_bytes() {
    let Some(server) =
        crate::postgres_support::server("a_non_c_collation_database_orders_by_bytes")
    else {
        return;
    };
    let icu = crate::postgres_support::non_c_database(&server);
    let mut c = crate::postgres_support::client(&icu);
    let sorted: String = c
        .query_one(
            "SELECT string_agg(x, ' ' ORDER BY x) FROM (VALUES ('a'), ('B'), ('_')) t(x)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(sorted, "_ a B", "the database really collates otherwise");
    let target = PgStore::on(&icu).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = roster::store::open(&roster::store::Location::Sqlite(
        dir.path().join("roster.db"),
    ))
    .unwrap();
    let mut pg =
        roster::store::open(&roster::store::Location::Postgres(target.url.to_string())).unwrap();
    let text = "email,first_name,team,team_role\n\
        zed@example.com,Zed,alpha,owner\nzed@example.com,Zed,Beta,member\n\
        zed@example.com,Zed,_ops,admin\nzed@example.com,Zed,Émile,member\n\
        ann@example.com,Ann,Zulu,owner\nann@example.com,Ann,alpha,member\n\
        Bob@example.com,Bob,émile,owner\n";
    apply_both(&mut sqlite, &mut pg, text, &Mode::default());
    assert_eq!(view(&pg), view(&sqlite));
    let names: Vec<String> = pg
        .snapshot()
        .unwrap()
        .teams
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Beta", "Zulu", "_ops", "alpha", "Émile", "émile"]);
}

/// The originals and audit batches are zstd's already: the server keeps them as they are
/// (`STORAGE EXTERNAL`, migration 0009) instead of trying its own compression on each (0.34 s
/// for a 1M-row file's original).
#[test]
fn compressed_originals_and_audit_batches_are_stored_as_they_are() {
    let Some(target) = PgStore::new("compressed_originals_and_audit_batches_are_stored") else {
        return;
    };
    let mut pg =
        roster::store::open(&roster::store::Location::Postgres(target.url.to_string())).unwrap();
    crate::support::apply_file(&mut pg, &roster_csv(20_000, 0));
    let mut c = target.client();
    let schema = &target.schema;
    let storage: Vec<(String, i8)> = c
        .query(
            "SELECT c.relname::text, a.attstorage FROM pg_attribute a \
             JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND (c.relname, a.attname) IN \
             (('import_originals', 'bytes'), ('audit_batches', 'data')) ORDER BY 1",
            &[schema],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let external = b'e' as i8;
    assert_eq!(
        storage,
        [
            ("audit_batches".to_string(), external),
            ("import_originals".to_string(), external)
        ]
    );
    // Large enough to go out of line, and stored at its own size: not compressed again.
    for table in ["import_originals", "audit_batches"] {
        let column = if table == "audit_batches" {
            "data"
        } else {
            "bytes"
        };
        let (largest, stored): (i32, i32) = {
            let r = c
                .query_one(
                    &format!(
                        "SELECT octet_length({column}), pg_column_size({column}) \
                         FROM \"{schema}\".{table} ORDER BY 1 DESC LIMIT 1"
                    ),
                    &[],
                )
                .unwrap();
            (r.get(0), r.get(1))
        };
        assert!(largest > 8_000, "{table}: {largest} bytes");
        assert_eq!(stored, largest, "{table}");
    }
}
