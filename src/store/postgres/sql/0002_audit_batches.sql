-- The SQLite store's 0002_audit_batches.sql in PostgreSQL's words (see src/store/audit.rs):
-- the audit log in compressed batches, and each import's original bytes in their own table.
CREATE TABLE audit_batches (
    id BIGINT PRIMARY KEY,
    import_id BIGINT REFERENCES imports(id),
    at TEXT COLLATE "C" NOT NULL,
    operator TEXT COLLATE "C" NOT NULL,
    events BIGINT NOT NULL,
    members TEXT COLLATE "C" NOT NULL,
    data BYTEA NOT NULL
);
CREATE INDEX audit_batches_import ON audit_batches (import_id);

-- Each event of the one-row-per-event table becomes a batch of one, as plain JSON text,
-- keeping its id.
INSERT INTO audit_batches (id, import_id, at, operator, events, members, data)
SELECT id, import_id, at, operator, 1, coalesce(CAST(member_id AS TEXT), ''),
       convert_to(json_build_object('member_id', member_id, 'member', member,
                                    'action', action, 'changes', changes::json)::text, 'UTF8')
FROM audit;
DROP TABLE audit;

CREATE TABLE import_originals (
    import_id BIGINT PRIMARY KEY REFERENCES imports(id),
    -- NULL: the file's bytes as they are; 'zstd': compressed.
    codec TEXT COLLATE "C",
    bytes BYTEA NOT NULL
);
INSERT INTO import_originals (import_id, codec, bytes) SELECT id, NULL, original FROM imports;
ALTER TABLE imports DROP COLUMN original;
