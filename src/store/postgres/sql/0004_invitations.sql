-- The invitation outbox (SPEC §13), as the SQLite store's 0004: the same tables and columns in
-- PostgreSQL's words (the store's key row first).
CREATE TABLE invitation_keys (id INTEGER PRIMARY KEY CHECK (id = 1), store_id TEXT NOT NULL, secret BYTEA NOT NULL);
CREATE TABLE invitations (
    id BIGINT PRIMARY KEY, member_id BIGINT NOT NULL REFERENCES members(id),
    token_hash TEXT COLLATE "C" NOT NULL UNIQUE, state TEXT COLLATE "C" NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
    next_attempt_at TEXT COLLATE "C", created_at TEXT COLLATE "C" NOT NULL,
    sent_at TEXT COLLATE "C", accepted_at TEXT COLLATE "C", message_id TEXT
);
CREATE INDEX invitations_state ON invitations (state, id);
CREATE INDEX invitations_member ON invitations (member_id);
