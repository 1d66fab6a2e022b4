-- PostgreSQL's storage settings of chat_sessions (fillfactor, lz4; see the PostgreSQL migration
-- of the same name). SQLite has neither: nothing to do; the migration exists so that both
-- backends ship the same list.
SELECT 1;
