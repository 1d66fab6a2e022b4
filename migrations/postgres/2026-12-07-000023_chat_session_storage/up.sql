-- chat_sessions is rewritten on every answer (issue #8): the whole row, answers and profile
-- included (~1.5 KB compressed mid-interview). Two storage settings make that cheaper:
--
-- * fillfactor 50: inserts leave half of each page free, so an answer's new row version fits on
--   its page and is a HOT update (no new entry in any of the table's seven indexes) whenever no
--   indexed column changed (last_activity is stored in whole seconds; the status changes only at
--   the end). Measured in the bench: 58 % of the updates were HOT at the default 100, 93 % at 50.
--   Pages of ended sessions fill up as usual once nothing rewrites them.
-- * lz4 for the three large columns (answers, extracted_data, assessment) instead of pglz, which
--   was the PostgreSQL server's costliest function in the bench's profile (`perf`). Only where
--   the server was built with lz4 (every PostgreSQL >= 14 package we know of); otherwise pglz stays.
--   Rows already stored keep their compression until rewritten.
ALTER TABLE chat_sessions SET (fillfactor = 50);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE chat_sessions
            ALTER COLUMN answers SET COMPRESSION lz4,
            ALTER COLUMN extracted_data SET COMPRESSION lz4,
            ALTER COLUMN assessment SET COMPRESSION lz4;
    END IF;
END
$$;
