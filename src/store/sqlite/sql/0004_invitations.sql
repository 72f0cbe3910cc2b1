-- The invitation outbox (SPEC §13): a row is written in the transaction that makes a member
-- INVITED. The token itself is never stored: only its SHA-256 (see src/invitations/token.rs).
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    token_hash TEXT NOT NULL UNIQUE,
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
CREATE INDEX invitations_state ON invitations (state, id);
CREATE INDEX invitations_member ON invitations (member_id);

-- One row: the store's id (in each Message-ID) and the secret tokens are derived from.
CREATE TABLE invitation_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    store_id TEXT NOT NULL,
    secret BLOB NOT NULL
);
