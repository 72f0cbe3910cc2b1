-- SCIM 2.0 (issue 27, SPEC §17): each member an identity provider wrote, with its SCIM
-- userName (unique ignoring case), the resource as last written, and whether it was deleted
-- (deactivated, and no longer found over SCIM); each team written as a SCIM Group; and the
-- times of SCIM deactivations, for the per-hour limit.
CREATE TABLE scim_users (
    member_id INTEGER PRIMARY KEY,
    user_name TEXT NOT NULL,
    user_name_key TEXT NOT NULL,
    resource TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE UNIQUE INDEX scim_users_user_name ON scim_users (user_name_key);
CREATE TABLE scim_groups (
    team_id INTEGER PRIMARY KEY,
    resource TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE scim_deactivations (
    at TEXT NOT NULL,
    member_id INTEGER NOT NULL
);
