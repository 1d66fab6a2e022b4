-- Identity: accounts (tenants), users, refresh tokens, denied access-token ids, reset tokens.
-- Portable types only (the same diesel queries run on PostgreSQL and SQLite): ids are TEXT
-- (lowercase hyphenated uuid), timestamps are TIMESTAMP (naive, always UTC, whole seconds).
-- Soft delete: `deleted_at`; uniqueness holds among live rows only (partial unique indexes).

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    domain      TEXT,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    deleted_at  TIMESTAMP
);
CREATE UNIQUE INDEX accounts_domain_live_uq ON accounts (domain) WHERE deleted_at IS NULL;
CREATE INDEX accounts_name_idx ON accounts (name);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT REFERENCES accounts (id),
    email               TEXT NOT NULL,
    name                TEXT NOT NULL,
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('super_admin', 'admin', 'clinician', 'physician', 'lab_tech', 'patient', 'user')),
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    clinician_id        TEXT REFERENCES users (id),
    phone               TEXT,
    password_hash       TEXT,
    password_changed_at TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    deleted_at          TIMESTAMP
);
-- Emails are stored lower-cased, so this is the case-insensitive rule; reusable after soft delete.
CREATE UNIQUE INDEX users_email_live_uq ON users (email) WHERE deleted_at IS NULL;
CREATE INDEX users_account_id_idx ON users (account_id);
CREATE INDEX users_clinician_id_idx ON users (clinician_id);

CREATE TABLE refresh_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    family_id    TEXT NOT NULL,
    token_digest TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    used_at      TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE UNIQUE INDEX refresh_tokens_token_digest_uq ON refresh_tokens (token_digest);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);

CREATE TABLE denied_jtis (
    jti        TEXT PRIMARY KEY,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX denied_jtis_expires_at_idx ON denied_jtis (expires_at);

CREATE TABLE password_reset_tokens (
    token_digest TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    used_at      TIMESTAMP
);
CREATE INDEX password_reset_tokens_user_id_idx ON password_reset_tokens (user_id);
