-- SCIM 2.0 (issue 27, SPEC §17): each member an identity provider wrote, with its SCIM
-- userName (unique ignoring case), the resource as last written, and whether it was deleted
-- (deactivated, and no longer found over SCIM); each team written as a SCIM Group; and the
-- times of SCIM deactivations, for the per-hour limit.
CREATE TABLE scim_users (
    member_id BIGINT PRIMARY KEY,
    user_name TEXT COLLATE "C" NOT NULL,
    user_name_key TEXT COLLATE "C" NOT NULL,
    resource TEXT COLLATE "C" NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT false,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX scim_users_user_name ON scim_users (user_name_key);
CREATE TABLE scim_groups (
    team_id BIGINT PRIMARY KEY,
    resource TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL
);
CREATE TABLE scim_deactivations (
    at TEXT COLLATE "C" NOT NULL,
    member_id BIGINT NOT NULL
);
