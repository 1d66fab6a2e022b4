-- PostgreSQL's compression of assessments' large columns (lz4; see the PostgreSQL migration of
-- the same name). SQLite has none: nothing to do; the migration exists so that both backends
-- ship the same list.
SELECT 1;
