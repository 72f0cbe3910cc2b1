-- The SQLite store's 0003_api_keys.sql in PostgreSQL's words: the same tables and columns, so
-- that `roster store copy` carries API keys and kept sync answers, and `roster serve` and
-- `roster keys` run on PostgreSQL (store::postgres::keys).
CREATE TABLE api_keys (
    id BIGINT PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    scope TEXT COLLATE "C" NOT NULL,
    prefix TEXT COLLATE "C" NOT NULL,
    hash TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at TEXT COLLATE "C" NOT NULL,
    last_used_at TEXT COLLATE "C",
    revoked_at TEXT COLLATE "C"
);

CREATE TABLE idempotency (
    key_name TEXT COLLATE "C" NOT NULL,
    idempotency_key TEXT COLLATE "C" NOT NULL,
    request_sha256 TEXT COLLATE "C" NOT NULL,
    status BIGINT NOT NULL,
    content_type TEXT COLLATE "C" NOT NULL,
    body BYTEA NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (key_name, idempotency_key)
);
