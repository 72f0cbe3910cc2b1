-- Key rotation and expiry (issue 23): a key made with `--replaces OLD` acts as OLD's operator, so
-- two keys live side by side for one operator name until the old one is revoked; a key may
-- carry an expiry (RFC 3339, UTC) after which it is refused.
ALTER TABLE api_keys ADD COLUMN operator TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at TEXT;
