-- Who read or changed which record, when (contract §1.7). No clinical values, no foreign keys:
-- the log outlives (soft-)deleted rows and must never block a write.

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id   TEXT,
    account_id  TEXT
);
CREATE INDEX audit_log_record_idx ON audit_log (record_type, record_id);
CREATE INDEX audit_log_account_id_at_idx ON audit_log (account_id, at);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id);
