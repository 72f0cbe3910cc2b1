-- PostgreSQL's 0009 stops its server compressing the already compressed originals and audit
-- batches; SQLite never compresses a value, so there is nothing to change here. The version
-- exists so that both kinds of store keep the same numbers (a store copy carries rows between
-- them).
SELECT 1;
