-- A token now names its invitation's id and is checked against its signature
-- (src/store/token.rs), so an invitation queued from this version keeps nothing of its token:
-- `token_hash` may be NULL. The hashes already stored stay, so that the links already sent
-- still work; the unique index covers only them. SQLite cannot drop a NOT NULL constraint: the
-- table is rebuilt, its rows and ids kept.
CREATE TABLE invitations_new (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    -- The SHA-256 of the token of an invitation queued before version 10; NULL since.
    token_hash BLOB,
    -- PENDING, SENT, FAILED or CANCELLED
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    accepted_at TEXT,
    message_id TEXT
);
INSERT INTO invitations_new (id, member_id, token_hash, state, attempts, last_error,
    next_attempt_at, created_at, sent_at, accepted_at, message_id)
SELECT id, member_id, token_hash, state, attempts, last_error, next_attempt_at, created_at,
    sent_at, accepted_at, message_id
FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE UNIQUE INDEX invitations_token_hash ON invitations (token_hash)
    WHERE token_hash IS NOT NULL;
CREATE INDEX invitations_state ON invitations (state, id);
CREATE INDEX invitations_member ON invitations (member_id);
