//! The invitations' schema since migration 0008 (issue 25): the token hash unique by a named
//! index, which a bulk `import --invite` drops and builds again after its rows; a store of
//! version 7 migrates with every invitation kept and accepted by its token.

use crate::harness::{Output, Roster, members_csv};

/// More invitations than one queue keeps its indexes for (`BULK_FROM` in the store).
const BULK: usize = 1500;

/// The store's invitation secret and id, read as the sender reads them.
fn keys_of(r: &Roster) -> (Vec<u8>, String) {
    let secret = r.sql_text(if Roster::on_postgres() {
        "SELECT encode(secret, 'hex') FROM invitation_keys"
    } else {
        "SELECT hex(secret) FROM invitation_keys"
    });
    let secret = (0..secret.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&secret[i..i + 2], 16).expect("hex"))
        .collect();
    (secret, r.sql_text("SELECT store_id FROM invitation_keys"))
}

/// The token of invitation `id`, derived as the sender derives it.
fn token(r: &Roster, id: i64) -> String {
    let (secret, store_id) = keys_of(r);
    roster::invitations::token::derive(&secret, &store_id, id)
}

/// The stored hash of invitation `id`'s token as an SQL literal of the store's kind.
fn hash_literal(r: &Roster, id: i64) -> String {
    let hash = roster::invitations::token::hash(&token(r, id));
    let hex = roster::invitations::token::hex(&hash);
    if Roster::on_postgres() {
        format!("decode('{hex}', 'hex')")
    } else {
        format!("X'{hex}'")
    }
}

fn count(r: &Roster, sql: &str) -> i64 {
    r.sql_text(&format!("SELECT CAST(count(*) AS TEXT) FROM ({sql}) AS t"))
        .parse()
        .expect("a count")
}

/// The invitations' index names, sorted.
fn indexes(r: &Roster) -> Vec<String> {
    let sql = if Roster::on_postgres() {
        "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes \
         WHERE tablename = 'invitations' AND schemaname = current_schema()"
    } else {
        "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master \
         WHERE type = 'index' AND tbl_name = 'invitations' ORDER BY name)"
    };
    r.sql_text(sql).split(',').map(String::from).collect()
}

const INDEXES: [&str; 4] = [
    "invitations_member",
    "invitations_pkey",
    "invitations_state",
    "invitations_token_hash",
];

/// The index names a store of this kind lists (SQLite's rowid table has no primary key index).
fn expected_indexes() -> Vec<String> {
    INDEXES
        .iter()
        .filter(|n| Roster::on_postgres() || !n.ends_with("pkey"))
        .map(|n| n.to_string())
        .collect()
}

#[test]
fn a_bulk_import_invite_leaves_every_invitation_found_by_its_token() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv(1..=BULK))
        .args(&["--invite"])
        .run();
    assert_eq!(indexes(&r), expected_indexes());
    assert_eq!(count(&r, "SELECT id FROM invitations"), BULK as i64);
    assert_eq!(
        count(&r, "SELECT DISTINCT token_hash FROM invitations"),
        BULK as i64
    );
    // Each invitation's stored hash is its own token's (spot checks across the whole run).
    for id in [1, 2, 700, BULK as i64 - 1, BULK as i64] {
        let found = r.sql_text(&format!(
            "SELECT CAST(id AS TEXT) FROM invitations WHERE token_hash = {}",
            hash_literal(&r, id)
        ));
        assert_eq!(found, id.to_string());
    }
    r.args(&["invitations", "accept", &token(&r, BULK as i64)])
        .stdout(format!("m{BULK}@example.com: INVITED -> ACTIVE\n"))
        .run();
    // A second bulk queue, smaller than the stored invitations, keeps the indexes as they are.
    r.import_json("b.csv", members_csv(BULK + 1..=BULK + 1200))
        .args(&["--invite"])
        .run();
    assert_eq!(indexes(&r), expected_indexes());
    r.args(&["invitations", "accept", &token(&r, BULK as i64 + 1200)])
        .stdout(format!("m{}@example.com: INVITED -> ACTIVE\n", BULK + 1200))
        .run();
}

#[test]
fn a_duplicate_token_hash_fails_the_bulk_import_and_changes_nothing() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv(1..=1)).run();
    // A forged invitation (id 1) holding the hash the bulk queue derives for its invitation 2.
    r.args(&["invite", "m1@example.com"]).run();
    r.sql(&format!(
        "UPDATE invitations SET token_hash = {} WHERE id = 1",
        hash_literal(&r, 2)
    ));
    let out = r
        .import_json("b.csv", members_csv(2..=BULK + 1))
        .args(&["--invite"])
        .any_status()
        .unchanged()
        .run();
    assert_refused_for_the_token_hash(&out);
    assert_eq!(count(&r, "SELECT id FROM invitations"), 1);
    assert_eq!(indexes(&r), expected_indexes());
    // The unique index refuses the duplicate when one invitation is queued, too.
    let one = r
        .args(&["invite", "--resend", "m1@example.com"])
        .any_status()
        .unchanged()
        .run();
    assert_refused_for_the_token_hash(&one);
    assert_eq!(count(&r, "SELECT id FROM invitations"), 1);
}

/// The run failed on the token hash's unique index.
fn assert_refused_for_the_token_hash(out: &Output) {
    assert!(
        out.code != 0 && out.stderr.contains("token_hash"),
        "{}",
        out.stderr
    );
}

/// Makes the store one of schema version 7: the token hash in hex, unique by the table's
/// constraint.
fn as_version_7(r: &Roster) {
    if Roster::on_postgres() {
        r.sql(
            "DROP INDEX invitations_token_hash; \
             ALTER TABLE invitations ALTER COLUMN token_hash TYPE TEXT COLLATE \"C\" \
                 USING encode(token_hash, 'hex'); \
             ALTER TABLE invitations ADD CONSTRAINT invitations_token_hash_key UNIQUE (token_hash); \
             UPDATE schema_version SET version = 7;",
        );
        return;
    }
    r.sql(
        "BEGIN; \
         CREATE TABLE v7 AS SELECT * FROM invitations; \
         DROP TABLE invitations; \
         CREATE TABLE invitations ( \
             id INTEGER PRIMARY KEY, \
             member_id INTEGER NOT NULL REFERENCES members(id), \
             token_hash TEXT NOT NULL UNIQUE, \
             state TEXT NOT NULL, \
             attempts INTEGER NOT NULL DEFAULT 0, \
             last_error TEXT, \
             next_attempt_at TEXT, \
             created_at TEXT NOT NULL, \
             sent_at TEXT, \
             accepted_at TEXT, \
             message_id TEXT); \
         INSERT INTO invitations SELECT id, member_id, lower(hex(token_hash)), state, attempts, \
             last_error, next_attempt_at, created_at, sent_at, accepted_at, message_id FROM v7; \
         DROP TABLE v7; \
         CREATE INDEX invitations_state ON invitations (state, id); \
         CREATE INDEX invitations_member ON invitations (member_id); \
         PRAGMA user_version = 7; \
         COMMIT;",
    );
}

#[test]
fn a_version_7_store_keeps_its_invitations_and_their_tokens() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv(1..=3))
        .args(&["--invite"])
        .run();
    r.args(&["members", "ban", "m3@example.com"]).run();
    let listed = |r: &Roster| {
        r.args(&["invitations", "list", "--output", "json"])
            .run()
            .stdout
    };
    let before = listed(&r);
    as_version_7(&r);
    let v7_unique = if Roster::on_postgres() {
        "invitations_token_hash_key"
    } else {
        "sqlite_autoindex_invitations_1"
    };
    assert!(indexes(&r).contains(&v7_unique.to_string()));
    // Opened by this version: migrated, every invitation as it was.
    assert_eq!(listed(&r), before);
    assert_eq!(indexes(&r), expected_indexes());
    let version = if Roster::on_postgres() {
        "SELECT CAST(version AS TEXT) FROM schema_version"
    } else {
        "SELECT CAST(user_version AS TEXT) FROM pragma_user_version"
    };
    assert_eq!(r.sql_text(version), "9");
    r.args(&["invitations", "accept", &token(&r, 2)])
        .stdout("m2@example.com: INVITED -> ACTIVE\n")
        .run();
    r.args(&["invitations", "accept", &token(&r, 3)])
        .status(1)
        .stderr_line("error: This invitation was cancelled.")
        .run();
    // New invitations after the migration take the next ids and work too.
    r.import_json("b.csv", members_csv(4..=4))
        .args(&["--invite"])
        .run();
    r.args(&["invitations", "accept", &token(&r, 4)])
        .stdout("m4@example.com: INVITED -> ACTIVE\n")
        .run();
}
