-- The audit log in compressed batches (see src/store/audit.rs): one row per batch of events,
-- its events one zstd frame of NDJSON lines. An event's id is the batch id plus its position.
-- `members`: the batch's member ids, sorted, as comma-separated differences ("5,1,1,2": 5, 6,
-- 7 and 9), so `roster log --member` opens only the batches that name the member.
CREATE TABLE audit_batches (
    id INTEGER PRIMARY KEY,
    import_id INTEGER REFERENCES imports(id),
    at TEXT NOT NULL,
    operator TEXT NOT NULL,
    events INTEGER NOT NULL,
    members TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX audit_batches_import ON audit_batches (import_id);

-- Each event of the one-row-per-event table becomes a batch of one, as plain JSON text,
-- keeping its id.
INSERT INTO audit_batches (id, import_id, at, operator, events, members, data)
SELECT id, import_id, at, operator, 1, coalesce(CAST(member_id AS TEXT), ''),
       json_object('member_id', member_id, 'member', member, 'action', action,
                   'changes', json(changes))
FROM audit;
DROP TABLE audit;

-- Each import's original bytes in their own table: finishing an import (an UPDATE of its
-- imports row) then does not read and rewrite the whole file.
CREATE TABLE import_originals (
    import_id INTEGER PRIMARY KEY REFERENCES imports(id),
    -- NULL: the file's bytes as they are; 'zstd': compressed.
    codec TEXT,
    bytes BLOB NOT NULL
);
INSERT INTO import_originals (import_id, codec, bytes) SELECT id, NULL, original FROM imports;
ALTER TABLE imports DROP COLUMN original;
