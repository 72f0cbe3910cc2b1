-- As the SQLite store's 0008: the token hash as its 32 bytes (it was 64 hex digits) and unique
-- by a named index instead of the table's constraint, so that a bulk import's invitations can
-- build it once after their rows. A hash that is not hex is kept as its bytes.
ALTER TABLE invitations DROP CONSTRAINT invitations_token_hash_key;
ALTER TABLE invitations ALTER COLUMN token_hash TYPE BYTEA USING CASE
    WHEN token_hash ~ '^[0-9a-fA-F]{64}$' THEN decode(token_hash, 'hex')
    ELSE convert_to(token_hash, 'UTF8') END;
CREATE UNIQUE INDEX invitations_token_hash ON invitations (token_hash);
