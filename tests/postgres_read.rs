//! A large PostgreSQL store's members and memberships are read on connections of their own, in
//! the exported snapshot of the reading transaction (src/store/postgres/stream.rs): the snapshot
//! and the export are SQLite's, and a read is one state while a writer commits beside it.

use crate::postgres_support::PgStore;
use crate::support::{apply_file, roster_csv};
use roster::model::{Role, Status};
use roster::store::{Location, Store};
use std::sync::atomic::{AtomicBool, Ordering};

/// Above the 50,000 members from which the reads stream on connections of their own.
const LARGE: usize = 50_100;

/// Each member with its teams, as `roster export` streams them.
fn exported(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    store
        .each_member(&Status::ALL, &mut |m, teams| {
            out.push(format!("{m:?} {teams:?}"));
            Ok(())
        })
        .unwrap();
    out
}

/// Each member of the snapshot with its memberships (team name, role).
fn snapshot_view(store: &Store) -> Vec<String> {
    let snap = store.snapshot().unwrap();
    (0..snap.members.len())
        .map(|i| format!("{:?} {:?}", snap.members[i], snap.team_names_of(i)))
        .collect()
}

#[test]
fn a_large_store_reads_as_sqlite_reads_it() {
    let Some(target) = PgStore::new("a_large_store_reads_as_sqlite_reads_it") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = roster::store::open(&Location::Sqlite(dir.path().join("r.db"))).unwrap();
    let mut pg = roster::store::open(&Location::Postgres(target.url.to_string())).unwrap();
    let text = roster_csv(LARGE, 0);
    apply_file(&mut sqlite, &text);
    apply_file(&mut pg, &text);
    let (read, expected) = (snapshot_view(&pg), snapshot_view(&sqlite));
    assert_eq!(read.len(), LARGE);
    assert!(read == expected, "the snapshots differ");
    let (read, expected) = (exported(&pg), exported(&sqlite));
    assert_eq!(read.len(), LARGE);
    assert!(read == expected, "the exports differ");
}

/// The export reads the memberships, then the members: in one snapshot, a member committed
/// between the two reads is in neither, never a member without its team.
#[test]
fn a_large_read_is_one_state_while_a_writer_commits_beside_it() {
    let Some(target) = PgStore::new("a_large_read_is_one_state_while_a_writer_commits_beside_it")
    else {
        return;
    };
    let mut pg = roster::store::open(&Location::Postgres(target.url.to_string())).unwrap();
    apply_file(&mut pg, &roster_csv(LARGE, 0));
    let stop = AtomicBool::new(false);
    let schema = target.schema.clone();
    let (rounds, added) = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut c = target.client();
            c.batch_execute(&format!("SET search_path TO \"{schema}\""))
                .unwrap();
            let mut added = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = (LARGE + 1 + added) as i64;
                let email = format!("late{id}@example.com");
                let mut tx = c.transaction().unwrap();
                tx.execute(
                    "INSERT INTO members (id, email, email_key, status, created_at, updated_at) \
                     VALUES ($1, $2, $2, 'PROVISIONED', '2026-12-07T00:00:00Z', \
                     '2026-12-07T00:00:00Z')",
                    &[&id, &email],
                )
                .unwrap();
                tx.execute(
                    "INSERT INTO memberships (team_id, member_id, team_role) \
                     SELECT min(id), $1, 'member' FROM teams",
                    &[&id],
                )
                .unwrap();
                tx.commit().unwrap();
                added += 1;
            }
            added
        });
        let mut rounds = Vec::new();
        for _ in 0..6 {
            let mut late = (0, 0);
            pg.each_member(&Status::ALL, &mut |m, teams| {
                if m.values
                    .get(roster::model::Field::Email)
                    .is_some_and(|e| e.starts_with("late"))
                {
                    late.0 += 1;
                    if teams.len() == 1 && teams[0].1 == Role::Member {
                        late.1 += 1;
                    }
                }
                Ok(())
            })
            .unwrap();
            rounds.push(late);
        }
        stop.store(true, Ordering::Relaxed);
        (rounds, writer.join().unwrap())
    });
    // The writer committed while the rounds read: later rounds saw more of its members.
    assert!(
        added > 0 && rounds.last().unwrap().0 > rounds[0].0,
        "{rounds:?}"
    );
    for (members, with_team) in &rounds {
        assert_eq!(
            members, with_team,
            "members without their team in one read: {rounds:?}"
        );
    }
}

/// A login role that may hold one connection, dropped with the test.
struct OneConnectionRole<'a> {
    target: &'a PgStore,
    name: String,
}

impl<'a> OneConnectionRole<'a> {
    fn new(target: &'a PgStore) -> OneConnectionRole<'a> {
        let name = format!("{}_one", target.schema);
        let schema = &target.schema;
        target
            .client()
            .batch_execute(&format!(
                "CREATE ROLE \"{name}\" LOGIN CONNECTION LIMIT 1; \
                 GRANT USAGE ON SCHEMA \"{schema}\" TO \"{name}\"; \
                 GRANT SELECT ON ALL TABLES IN SCHEMA \"{schema}\" TO \"{name}\""
            ))
            .unwrap();
        OneConnectionRole { target, name }
    }
}

impl Drop for OneConnectionRole<'_> {
    fn drop(&mut self) {
        let (name, schema) = (&self.name, &self.target.schema);
        let _ = self.target.client().batch_execute(&format!(
            "REVOKE ALL ON ALL TABLES IN SCHEMA \"{schema}\" FROM \"{name}\"; \
             REVOKE ALL ON SCHEMA \"{schema}\" FROM \"{name}\"; DROP ROLE \"{name}\""
        ));
    }
}

/// When the server refuses the read a connection of its own (here the role's connection
/// limit), the store's connection reads it, in the same transaction.
#[test]
fn a_large_read_refused_a_second_connection_reads_through_the_first() {
    let Some(target) =
        PgStore::new("a_large_read_refused_a_second_connection_reads_through_the_first")
    else {
        return;
    };
    let mut pg = roster::store::open(&Location::Postgres(target.url.to_string())).unwrap();
    apply_file(&mut pg, &roster_csv(LARGE, 0));
    let (expected, expected_snapshot) = (exported(&pg), snapshot_view(&pg));
    drop(pg);
    let role = OneConnectionRole::new(&target);
    let url = crate::postgres_support::with_param(&target.url, "user", &role.name);
    let limited = roster::store::open(&Location::Postgres(url.clone())).unwrap();
    // The limit holds: a second connection as the role is refused.
    let second = roster::store::open(&Location::Postgres(url));
    assert!(second.is_err(), "the role's second connection was let in");
    assert!(exported(&limited) == expected, "the exports differ");
    assert!(
        snapshot_view(&limited) == expected_snapshot,
        "the snapshots differ"
    );
}
