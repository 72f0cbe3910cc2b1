-- The SQLite store's 0001_initial.sql in PostgreSQL's words: the same tables and columns.
-- Every text column compares and sorts by bytes (COLLATE "C"), as SQLite's BINARY does,
-- whatever the database's own collation: outputs are byte-identical to the SQLite store's.
CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO meta (key, value) VALUES ('generation', 0);

CREATE TABLE members (
    id BIGINT PRIMARY KEY,
    email TEXT COLLATE "C",
    email_key TEXT COLLATE "C",
    external_id TEXT COLLATE "C",
    phone TEXT COLLATE "C",
    first_name TEXT COLLATE "C",
    last_name TEXT COLLATE "C",
    name TEXT COLLATE "C",
    job_title TEXT COLLATE "C",
    date_of_birth TEXT COLLATE "C",
    description TEXT COLLATE "C",
    labels TEXT COLLATE "C",
    notify_email TEXT COLLATE "C",
    notify_sms TEXT COLLATE "C",
    notify_voice TEXT COLLATE "C",
    organization_role TEXT COLLATE "C",
    forms TEXT COLLATE "C",
    status TEXT COLLATE "C" NOT NULL,
    prior_status TEXT COLLATE "C",
    protected BOOLEAN NOT NULL DEFAULT false,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);

CREATE UNIQUE INDEX members_email_key ON members (email_key);
CREATE UNIQUE INDEX members_external_id ON members (external_id);
CREATE UNIQUE INDEX members_phone ON members (phone);

CREATE TABLE teams (
    id BIGINT PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE memberships (
    team_id BIGINT NOT NULL REFERENCES teams(id),
    member_id BIGINT NOT NULL REFERENCES members(id),
    team_role TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (team_id, member_id)
);
-- The snapshot and export read memberships by member.
CREATE INDEX memberships_member ON memberships (member_id);

CREATE TABLE labels (slug TEXT COLLATE "C" PRIMARY KEY);
CREATE TABLE form_fields (key TEXT COLLATE "C" PRIMARY KEY);
CREATE TABLE settings (key TEXT COLLATE "C" PRIMARY KEY, value TEXT COLLATE "C" NOT NULL);

CREATE TABLE imports (
    id BIGINT PRIMARY KEY,
    status TEXT COLLATE "C" NOT NULL,
    operator TEXT COLLATE "C" NOT NULL,
    file_name TEXT COLLATE "C" NOT NULL,
    sha256 TEXT COLLATE "C" NOT NULL,
    bytes BIGINT NOT NULL,
    encoding TEXT COLLATE "C" NOT NULL,
    mode TEXT COLLATE "C" NOT NULL,
    options TEXT COLLATE "C" NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C",
    summary TEXT COLLATE "C",
    message TEXT COLLATE "C",
    original BYTEA NOT NULL,
    errors_csv BYTEA
);

CREATE TABLE audit (
    id BIGINT PRIMARY KEY,
    import_id BIGINT REFERENCES imports(id),
    at TEXT COLLATE "C" NOT NULL,
    operator TEXT COLLATE "C" NOT NULL,
    member_id BIGINT,
    member TEXT COLLATE "C" NOT NULL,
    action TEXT COLLATE "C" NOT NULL,
    changes TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_member ON audit (member_id);
CREATE INDEX audit_import ON audit (import_id);
