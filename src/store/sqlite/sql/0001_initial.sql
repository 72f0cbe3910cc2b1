CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (key, value) VALUES ('generation', 0);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    email TEXT,
    email_key TEXT,
    external_id TEXT,
    phone TEXT,
    first_name TEXT,
    last_name TEXT,
    name TEXT,
    job_title TEXT,
    date_of_birth TEXT,
    description TEXT,
    labels TEXT,
    notify_email TEXT,
    notify_sms TEXT,
    notify_voice TEXT,
    organization_role TEXT,
    forms TEXT,
    status TEXT NOT NULL,
    prior_status TEXT,
    protected INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Identifiers are unique when present. Separate indexes (not inline UNIQUE) so that a bulk
-- import can rebuild them after inserting, inside the same transaction.
CREATE UNIQUE INDEX members_email_key ON members (email_key);
CREATE UNIQUE INDEX members_external_id ON members (external_id);
CREATE UNIQUE INDEX members_phone ON members (phone);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE memberships (
    team_id INTEGER NOT NULL REFERENCES teams(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    team_role TEXT NOT NULL,
    PRIMARY KEY (team_id, member_id)
) WITHOUT ROWID;

CREATE TABLE labels (slug TEXT PRIMARY KEY);
CREATE TABLE form_fields (key TEXT PRIMARY KEY);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    operator TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    encoding TEXT NOT NULL,
    mode TEXT NOT NULL,
    options TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT,
    message TEXT,
    original BLOB NOT NULL,
    errors_csv BLOB
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    import_id INTEGER REFERENCES imports(id),
    at TEXT NOT NULL,
    operator TEXT NOT NULL,
    member_id INTEGER,
    member TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX audit_member ON audit (member_id);
CREATE INDEX audit_import ON audit (import_id);
