//! `roster store copy --to DEST` both ways and `roster backup` on PostgreSQL (SPEC §14): a store
//! with teams, labels, forms, settings, a refused and a failed import (with its error report),
//! administrative changes and the audit log goes SQLite -> PostgreSQL -> SQLite, and every read
//! of each copy equals the source's, byte for byte.

use crate::harness::{Roster, fixture};
use crate::postgres_support::{PgStore, command, ok, run};
use std::path::Path;

/// Every read command's output on the store `db`.
fn reads(r: &Roster, db: &Path) -> Vec<(String, Vec<u8>)> {
    let all = "PROVISIONED,INVITED,ACTIVE,INACTIVE,BANNED";
    let commands: &[&[&str]] = &[
        &["export", "--status", all],
        &["export", "--format", "json", "--status", all],
        &["export", "--format", "ndjson", "--status", all],
        &["export"],
        &["imports", "list", "--output", "json"],
        &["imports", "list"],
        &["imports", "show", "1", "--output", "json"],
        &["imports", "show", "3"],
        &["imports", "errors", "3"],
        &["imports", "original", "1"],
        &["imports", "original", "3"],
        &["log", "--output", "json"],
        &["log", "--member", "ann@example.com", "--output", "json"],
        &["members", "list", "--output", "json"],
        &["labels", "list"],
        &["forms", "list"],
        &["config", "get"],
        &["invitations", "list", "--output", "json"],
    ];
    commands
        .iter()
        .map(|args| {
            let out = command(r, db).args(*args).output().expect("run roster");
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            (args.join(" "), out.stdout)
        })
        .collect()
}

/// An SQLite store with something in every table.
fn rich_store(r: &Roster) {
    ok(r, &["labels", "add", "vip", "--operator", "ana"]);
    ok(r, &["forms", "add", "shirt.size"]);
    ok(r, &["config", "set", "seat-limit", "500"]);
    ok(r, &["import", &fixture("valid/teams.csv")]);
    let staff = r.write(
        "staff.csv",
        "email,first_name,labels,form.shirt.size\nann@example.com,Ann,vip,M\nbo@example.com,Bo,,L\n",
    );
    ok(r, &["import", &staff]);
    let bad = r.write(
        "bad.csv",
        "email,first_name\nnot-an-email,X\ncy@example.com,Cy\n",
    );
    let ran = run(r, &["import", &bad]);
    ran.code(1);
    ok(r, &["members", "ban", "bo@example.com"]);
    ok(r, &["members", "protect", "ann@example.com"]);
    let invited = r.write("invited.csv", "email\ndee@example.com\nem@example.com\n");
    ok(r, &["import", &invited, "--invite"]);
}

/// Accepts invitation `id` of the store `db` by its token, derived from the source's keys: the
/// stored token hashes survived the copies.
fn accept(r: &Roster, db: &Path, id: i64, member: &str) {
    let secret = r.sql_text("SELECT hex(secret) FROM invitation_keys");
    let secret: Vec<u8> = (0..secret.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&secret[i..i + 2], 16).unwrap())
        .collect();
    let store_id = r.sql_text("SELECT store_id FROM invitation_keys");
    let token = roster::invitations::token::derive(&secret, &store_id, id);
    let out = command(r, db)
        .args(["invitations", "accept", &token])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{member}: INVITED -> ACTIVE\n"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn store_copy_both_ways_answers_every_read_as_the_source() {
    if Roster::sqlite_only("store_copy_both_ways_answers_every_read_as_the_source") {
        return;
    }
    let Some(pg) = PgStore::new("store_copy_both_ways_answers_every_read_as_the_source") else {
        return;
    };
    let r = Roster::new();
    rich_store(&r);
    let source = reads(&r, r.db());
    let ran = run(&r, &["store", "copy", "--to", &pg.url]);
    ran.code(0);
    let back = r.path("back.db");
    let out = command(&r, &pg.url)
        .args(["store", "copy", "--to"])
        .arg(&back)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let backup = r.path("backup.db");
    let out = command(&r, &pg.url)
        .arg("backup")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for copy in [&back, &backup] {
        let copied = reads(&r, copy);
        for ((cmd, want), (_, got)) in source.iter().zip(&copied) {
            assert_eq!(
                String::from_utf8_lossy(got),
                String::from_utf8_lossy(want),
                "{cmd} on {}",
                copy.display()
            );
        }
    }
    // The PostgreSQL store itself, read through the library, holds the same members.
    let store =
        roster::store::open(&roster::store::Location::Postgres(pg.url.to_string())).unwrap();
    let sqlite = roster::store::open(&roster::store::Location::Sqlite(r.db().into())).unwrap();
    let (a, b) = (store.snapshot().unwrap(), sqlite.snapshot().unwrap());
    assert_eq!(a.members, b.members);
    assert_eq!(a.generation, b.generation);
    assert_eq!(a.teams, b.teams);
    accept(&r, &back, 1, "dee@example.com");
    accept(&r, Path::new(&pg.url), 2, "em@example.com");
}

#[test]
fn a_copy_into_a_store_that_holds_anything_is_refused() {
    if Roster::sqlite_only("a_copy_into_a_store_that_holds_anything_is_refused") {
        return;
    }
    let Some(pg) = PgStore::new("a_copy_into_a_store_that_holds_anything_is_refused") else {
        return;
    };
    let r = Roster::new();
    rich_store(&r);
    run(&r, &["store", "copy", "--to", &pg.url]).code(0);
    let ran = run(&r, &["store", "copy", "--to", &pg.url]);
    ran.code(1);
    assert!(ran.stderr.contains("is not empty"), "{}", ran.stderr);
    // Back into the non-empty SQLite source: refused too, and the source is unchanged.
    let before = reads(&r, r.db());
    let out = command(&r, &pg.url)
        .args(["store", "copy", "--to"])
        .arg(r.db())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(reads(&r, r.db()), before);
}

#[test]
fn the_password_is_never_printed() {
    let Some(server) = crate::postgres_support::server("the_password_is_never_printed") else {
        return;
    };
    let r = Roster::new();
    rich_store(&r);
    // A server that is not there: the error names the URL, password masked.
    let url = "postgresql://ann:pa55word-xyz@127.0.0.1:1/rosters?schema=a";
    let ran = run(&r, &["store", "copy", "--to", url]);
    ran.code(1);
    assert!(!ran.stderr.contains("pa55word-xyz"), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("postgresql://ann:***@127.0.0.1:1/rosters?schema=a"),
        "{}",
        ran.stderr
    );
    // A server that is there: the success line masks it too.
    let pg = PgStore::on(&server).unwrap();
    let with_password = pg.url.replacen("roster@", "roster:pa55word-xyz@", 1);
    let ran = run(&r, &["store", "copy", "--to", &with_password]);
    ran.code(0);
    assert!(!ran.stdout.contains("pa55word-xyz"), "{}", ran.stdout);
    assert!(ran.stdout.contains("roster:***@"), "{}", ran.stdout);
}
