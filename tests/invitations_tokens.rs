//! Invitation tokens since schema version 10 (issue 25): a token names its invitation's id and
//! is checked against its signature, so the store keeps nothing of it; the hashes kept by an
//! older store still find the links it sent.

use crate::harness::{Roster, members_csv};

/// More invitations than one statement writes, as a large `import --invite` queues them.
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

/// The token a store older than version 10 sent for invitation `id`: the signature alone.
fn old_token(r: &Roster, id: i64) -> String {
    let token = token(r, id);
    let (_, signature) = token.split_once('-').expect("an addressed token");
    signature.to_string()
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

/// The index names a store of this kind lists (SQLite's rowid table has no primary key index).
fn expected_indexes() -> Vec<String> {
    [
        "invitations_member",
        "invitations_pkey",
        "invitations_state",
        "invitations_token_hash",
    ]
    .iter()
    .filter(|n| Roster::on_postgres() || !n.ends_with("pkey"))
    .map(|n| n.to_string())
    .collect()
}

/// The definition of the index on the kept hashes.
fn token_index(r: &Roster) -> String {
    r.sql_text(if Roster::on_postgres() {
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'invitations_token_hash' \
         AND schemaname = current_schema()"
    } else {
        "SELECT sql FROM sqlite_master WHERE name = 'invitations_token_hash'"
    })
}

fn schema_version(r: &Roster) -> String {
    r.sql_text(if Roster::on_postgres() {
        "SELECT CAST(version AS TEXT) FROM schema_version"
    } else {
        "SELECT CAST(user_version AS TEXT) FROM pragma_user_version"
    })
}

fn accepts(r: &Roster, token: &str, member: usize) {
    r.args(&["invitations", "accept", token])
        .stdout(format!("m{member}@example.com: INVITED -> ACTIVE\n"))
        .run();
}

#[test]
fn a_bulk_import_invite_keeps_nothing_of_its_tokens_and_each_accepts_its_invitation() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv(1..=BULK))
        .args(&["--invite"])
        .run();
    assert_eq!(indexes(&r), expected_indexes());
    assert!(token_index(&r).contains("WHERE"), "{}", token_index(&r));
    assert_eq!(count(&r, "SELECT id FROM invitations"), BULK as i64);
    assert_eq!(
        count(
            &r,
            "SELECT id FROM invitations WHERE token_hash IS NOT NULL"
        ),
        0
    );
    let last = token(&r, BULK as i64);
    assert!(!r.dump().contains(&old_token(&r, BULK as i64)));
    accepts(&r, &last, BULK);
    accepts(&r, &format!("  {}\n", token(&r, 1)), 1);
    r.args(&["invitations", "accept", &last])
        .status(1)
        .stderr_line("error: This invitation has already been accepted.")
        .run();
}

#[test]
fn a_token_works_only_with_the_signature_of_its_own_invitation() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv(1..=3))
        .args(&["--invite"])
        .run();
    let signature_of_2 = old_token(&r, 2);
    for forged in [
        format!("1-{signature_of_2}"),
        format!("99-{}", old_token(&r, 99)),
        old_token(&r, 1),
        format!("1-{}", "0".repeat(64)),
        "1-".to_string(),
        "not a token".to_string(),
    ] {
        r.args(&["invitations", "accept", &forged])
            .status(1)
            .stderr_line("error: This invitation link is not valid.")
            .unchanged()
            .run();
    }
    accepts(&r, &format!("2-{signature_of_2}"), 2);
}

#[test]
fn a_token_on_a_store_that_never_invited_is_refused_and_makes_no_keys() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv(1..=1)).run();
    r.args(&["invitations", "accept", &format!("1-{}", "ab".repeat(32))])
        .status(1)
        .stderr_line("error: This invitation link is not valid.")
        .unchanged()
        .run();
    assert_eq!(count(&r, "SELECT id FROM invitation_keys"), 0);
}

/// Gives each invitation the hash a store older than version 10 kept: its old token's.
fn keep_old_hashes(r: &Roster) {
    let ids = r.sql_text(if Roster::on_postgres() {
        "SELECT string_agg(CAST(id AS TEXT), ',') FROM invitations"
    } else {
        "SELECT group_concat(id, ',') FROM invitations"
    });
    for id in ids.split(',').map(|id| id.parse::<i64>().expect("an id")) {
        let hash = roster::invitations::token::hash(&old_token(r, id));
        let hex = roster::invitations::token::hex(&hash);
        let literal = match Roster::on_postgres() {
            true => format!("decode('{hex}', 'hex')"),
            false => format!("X'{hex}'"),
        };
        r.sql(&format!(
            "UPDATE invitations SET token_hash = {literal} WHERE id = {id}"
        ));
    }
}

/// Makes the store one of schema version 9: every invitation's hash kept, NOT NULL, and unique
/// by an index over all rows.
fn as_version_9(r: &Roster) {
    keep_old_hashes(r);
    if Roster::on_postgres() {
        r.sql(
            "ALTER TABLE invitations ALTER COLUMN token_hash SET NOT NULL; \
             DROP INDEX invitations_token_hash; \
             CREATE UNIQUE INDEX invitations_token_hash ON invitations (token_hash); \
             UPDATE schema_version SET version = 9;",
        );
        return;
    }
    rebuild_sqlite_invitations(r, "token_hash BLOB NOT NULL", "token_hash", 9);
    r.sql("CREATE UNIQUE INDEX invitations_token_hash ON invitations (token_hash);");
}

/// Makes the store one of schema version 7: the hashes in hex, unique by the table's constraint.
fn as_version_7(r: &Roster) {
    as_version_9(r);
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
    rebuild_sqlite_invitations(
        r,
        "token_hash TEXT NOT NULL UNIQUE",
        "lower(hex(token_hash))",
        7,
    );
}

/// Rebuilds SQLite's invitations table with the column `token_hash` declared as `column` and
/// filled from `value`, at schema version `version` (the index on the hashes left to the caller).
fn rebuild_sqlite_invitations(r: &Roster, column: &str, value: &str, version: i64) {
    r.sql(&format!(
        "BEGIN; \
         CREATE TABLE old AS SELECT * FROM invitations; \
         DROP TABLE invitations; \
         CREATE TABLE invitations ( \
             id INTEGER PRIMARY KEY, \
             member_id INTEGER NOT NULL REFERENCES members(id), \
             {column}, \
             state TEXT NOT NULL, \
             attempts INTEGER NOT NULL DEFAULT 0, \
             last_error TEXT, \
             next_attempt_at TEXT, \
             created_at TEXT NOT NULL, \
             sent_at TEXT, \
             accepted_at TEXT, \
             message_id TEXT); \
         INSERT INTO invitations SELECT id, member_id, {value}, state, attempts, \
             last_error, next_attempt_at, created_at, sent_at, accepted_at, message_id FROM old; \
         DROP TABLE old; \
         CREATE INDEX invitations_state ON invitations (state, id); \
         CREATE INDEX invitations_member ON invitations (member_id); \
         PRAGMA user_version = {version}; \
         COMMIT;"
    ));
}

/// Three invitations (the third cancelled), then the store made older by `downgrade`.
fn older_store(downgrade: fn(&Roster)) -> (Roster, String) {
    let r = Roster::new();
    r.import_json("a.csv", members_csv(1..=3))
        .args(&["--invite"])
        .run();
    r.args(&["members", "ban", "m3@example.com"]).run();
    let listed = r
        .args(&["invitations", "list", "--output", "json"])
        .run()
        .stdout;
    downgrade(&r);
    (r, listed)
}

/// Opened by this version, an older store keeps every invitation as it was, the links it sent
/// (the signature alone) work once, and so do the tokens sent from now on.
fn migrated_store_keeps_its_links(r: &Roster, listed: &str) {
    let now_listed = r
        .args(&["invitations", "list", "--output", "json"])
        .run()
        .stdout;
    assert_eq!(now_listed, listed);
    assert_eq!(schema_version(r), "10");
    assert_eq!(indexes(r), expected_indexes());
    assert!(token_index(r).contains("WHERE"), "{}", token_index(r));
    assert_eq!(
        count(r, "SELECT id FROM invitations WHERE token_hash IS NOT NULL"),
        3
    );
    accepts(r, &old_token(r, 2), 2);
    r.args(&["invitations", "accept", &old_token(r, 2)])
        .status(1)
        .stderr_line("error: This invitation has already been accepted.")
        .run();
    r.args(&["invitations", "accept", &token(r, 3)])
        .status(1)
        .stderr_line("error: This invitation was cancelled.")
        .run();
    // A link sent before, in the form sent from now on, works too.
    accepts(r, &token(r, 1), 1);
    r.import_json("b.csv", members_csv(4..=4))
        .args(&["--invite"])
        .run();
    assert_eq!(
        count(
            r,
            "SELECT id FROM invitations WHERE id = 4 AND token_hash IS NULL"
        ),
        1
    );
    accepts(r, &token(r, 4), 4);
}

#[test]
fn a_version_9_store_keeps_its_invitations_and_the_links_it_sent() {
    let (r, listed) = older_store(as_version_9);
    assert!(!token_index(&r).contains("WHERE"), "{}", token_index(&r));
    migrated_store_keeps_its_links(&r, &listed);
}

#[test]
fn a_version_7_store_keeps_its_invitations_and_the_links_it_sent() {
    let (r, listed) = older_store(as_version_7);
    let v7_unique = if Roster::on_postgres() {
        "invitations_token_hash_key"
    } else {
        "sqlite_autoindex_invitations_1"
    };
    assert!(indexes(&r).contains(&v7_unique.to_string()));
    migrated_store_keeps_its_links(&r, &listed);
}
