-- The originals and the audit batches are zstd-compressed before they are stored: PostgreSQL's
-- own compression of a large value (pglz, tried on every value over about 2 kB) gains nothing on
-- them and cost a 1M-row import 0.34 s for its 31 MB original and about as much again for its
-- 60 MB of audit batches. EXTERNAL keeps them out of line, as they are. Only new values change;
-- a value already stored stays as it is.
ALTER TABLE import_originals ALTER COLUMN bytes SET STORAGE EXTERNAL;
ALTER TABLE audit_batches ALTER COLUMN data SET STORAGE EXTERNAL;
