-- Members missed by full syncs and not yet deactivated (deactivate-after-missing, SPEC §16):
-- how many full syncs in a row missed each, and the first of them.
CREATE TABLE missing_marks (
    member_id INTEGER PRIMARY KEY,
    count INTEGER NOT NULL,
    first_import INTEGER NOT NULL
);
