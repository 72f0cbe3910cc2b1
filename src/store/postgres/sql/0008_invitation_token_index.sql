-- The token hash's uniqueness as a named index instead of the table's constraint, as the
-- SQLite store's 0008, so that a bulk import's invitations can build it once after their rows.
ALTER TABLE invitations DROP CONSTRAINT invitations_token_hash_key;
CREATE UNIQUE INDEX invitations_token_hash ON invitations (token_hash);
