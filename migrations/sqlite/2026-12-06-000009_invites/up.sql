-- Invites (issue #8, contract §3.4): a patient's invitation to the screening questionnaire.
-- Only the SHA-256 of the token is stored (32 bytes). `status` is the stored state: `expired` is
-- computed on read from `expires_at`, so a pending row may be past its expiry. The provider's and
-- the strategy's names are copied when the invite is issued, so that a deleted or renamed one
-- still shows. `chat_strategy_id` has no foreign key until strategies exist. `token_gen` is the
-- token generation (+1 on every resend; simplified tokens carry it as `gen`);
-- `failed_attempts` counts failed identity checks since the last (re)issue (5 lock it).

CREATE TABLE invites (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (id),
    patient_id         TEXT NOT NULL REFERENCES patients (id),
    provider_id        TEXT REFERENCES users (id),
    provider_name      TEXT,
    chat_strategy_id   TEXT,
    chat_strategy_name TEXT,
    custom_message     TEXT,
    status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked')),
    token_hash         BLOB NOT NULL,
    token_gen          INTEGER NOT NULL DEFAULT 1,
    failed_attempts    INTEGER NOT NULL DEFAULT 0,
    expires_at         TIMESTAMP NOT NULL,
    accepted_at        TIMESTAMP,
    revoked_at         TIMESTAMP,
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    -- The state and its times agree: pending has neither, accepted has its time, revoked has
    -- its own (and keeps the acceptance time when it was used first).
    CHECK ((status = 'pending' AND accepted_at IS NULL AND revoked_at IS NULL)
        OR (status = 'accepted' AND accepted_at IS NOT NULL AND revoked_at IS NULL)
        OR (status = 'revoked' AND revoked_at IS NOT NULL))
);
-- Lookups by token (verify_invite, simplified_access, register_patient); a hash names one invite.
CREATE UNIQUE INDEX invites_token_hash_uq ON invites (token_hash);
-- Rule 5, enforced by the database too: at most one open (stored pending) invite per patient.
CREATE UNIQUE INDEX invites_one_pending_per_patient_uq ON invites (patient_id) WHERE status = 'pending';
-- Foreign keys, each also serving a read: the account's list (newest first), a patient's
-- invites (newest first) and the patient views' summaries, a provider's pending invites.
CREATE INDEX invites_account_id_created_at_idx ON invites (account_id, created_at);
CREATE INDEX invites_patient_id_created_at_idx ON invites (patient_id, created_at);
CREATE INDEX invites_provider_id_status_idx ON invites (provider_id, status);
CREATE INDEX invites_created_by_idx ON invites (created_by);
-- The status filter (`expired` and `pending` split on expires_at) and the expires_at sort.
CREATE INDEX invites_account_id_status_expires_at_idx ON invites (account_id, status, expires_at);
