-- Chat strategies (contract §3.6): an account's configuration of the questionnaire's chat. The
-- engine is the same for every strategy (§3.5.1); a strategy contributes its name and the
-- `patient_introduction` that opens /ai-chat sessions. Targeting rules and outcome actions are
-- stored and returned, never evaluated: they are JSON arrays of their contract objects (each with
-- its own id and sequence), replaced whole by an update. `name_key` is the trimmed, lower-cased
-- name: unique among the account's live strategies. Soft delete: `deleted_at` (sessions and invites
-- that use a deleted strategy keep working and keep its name).
CREATE TABLE chat_strategies (
    id                   TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES accounts (id),
    name                 TEXT NOT NULL,
    name_key             TEXT NOT NULL,
    description          TEXT,
    goal                 TEXT,
    patient_introduction TEXT,
    specialty            TEXT,
    is_active            BOOLEAN NOT NULL DEFAULT TRUE,
    targeting_rules      TEXT NOT NULL DEFAULT '[]',
    outcome_actions      TEXT NOT NULL DEFAULT '[]',
    version              INTEGER NOT NULL DEFAULT 1,
    created_by           TEXT REFERENCES users (id),
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    deleted_at           TIMESTAMP
);
CREATE UNIQUE INDEX chat_strategies_live_name_uq ON chat_strategies (account_id, name_key) WHERE deleted_at IS NULL;
-- The account's list (by updated_at desc) and its default (the oldest active strategy).
CREATE INDEX chat_strategies_account_id_updated_at_idx ON chat_strategies (account_id, updated_at);
CREATE INDEX chat_strategies_account_id_created_at_idx ON chat_strategies (account_id, created_at);
CREATE INDEX chat_strategies_created_by_idx ON chat_strategies (created_by);
