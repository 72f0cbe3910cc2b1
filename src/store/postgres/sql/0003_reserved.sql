-- Version 3 is reserved for the sync server's API keys (issue 13). This placeholder keeps the
-- version numbers of both backends in step until that migration lands here.
SELECT 1;
