-- The token hash as its 32 bytes (it was 64 hex digits) and unique by a named index (it was
-- declared in the table, where SQLite cannot drop it), so that a bulk import's invitations
-- build it once after their rows (src/store/invitations.rs). SQLite cannot drop a column
-- constraint: the table is rebuilt, its rows and ids kept. A hash that is not hex (never
-- written by roster) is kept as its bytes, and matches no token, as before.
CREATE TABLE invitations_new (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    token_hash BLOB NOT NULL,
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
SELECT id, member_id, coalesce(unhex(token_hash), CAST(token_hash AS BLOB)), state, attempts,
    last_error, next_attempt_at, created_at, sent_at, accepted_at, message_id
FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_new RENAME TO invitations;
CREATE UNIQUE INDEX invitations_token_hash ON invitations (token_hash);
CREATE INDEX invitations_state ON invitations (state, id);
CREATE INDEX invitations_member ON invitations (member_id);
