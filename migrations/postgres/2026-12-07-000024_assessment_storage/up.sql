-- assessments: a session's completion inserts one row whose body (~2.4 KB of JSON) and profile
-- (~1.1 KB) PostgreSQL compresses (the row is over its 2 KB threshold). lz4 instead of pglz,
-- as for chat_sessions' large columns (migration 2026-12-07-000023): measured in the journey
-- benchmark (issue #8, pg_stat_statements), the INSERT took 217 µs with pglz and 164 µs with
-- lz4. Only where the server was built with lz4; otherwise pglz stays. Rows already stored keep
-- their compression.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE assessments
            ALTER COLUMN body SET COMPRESSION lz4,
            ALTER COLUMN profile SET COMPRESSION lz4;
    END IF;
END
$$;
