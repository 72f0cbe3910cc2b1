-- As the SQLite store's 0010: a token names its invitation's id and is checked against its
-- signature, so an invitation queued from this version keeps nothing of its token. The hashes
-- already stored stay, for the links already sent; the unique index covers only them.
ALTER TABLE invitations ALTER COLUMN token_hash DROP NOT NULL;
DROP INDEX invitations_token_hash;
CREATE UNIQUE INDEX invitations_token_hash ON invitations (token_hash)
    WHERE token_hash IS NOT NULL;
