-- roster serve (SPEC §12): API keys, kept as the SHA-256 of the key, never the key.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    -- `rst_` and the first characters of the key, to tell keys apart in `roster keys list`.
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

-- The response of each sync sent with an Idempotency-Key, per key name, so that a repeat
-- returns it instead of applying again. `request_sha256` identifies the options and the body.
CREATE TABLE idempotency (
    key_name TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (key_name, idempotency_key)
);
