-- Patients of an account. A patient's login user (users.role = 'patient') shares the patient's id.
-- Email and external id are unique per account among live rows; the same person may be a patient
-- of two accounts.

CREATE TABLE patients (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    email         TEXT NOT NULL,
    phone         TEXT,
    date_of_birth DATE,
    external_id   TEXT,
    clinician_id  TEXT REFERENCES users (id),
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'archived', 'pending')),
    notes         TEXT,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    deleted_at    TIMESTAMP
);
CREATE UNIQUE INDEX patients_account_email_live_uq ON patients (account_id, email) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX patients_account_external_id_live_uq ON patients (account_id, external_id) WHERE deleted_at IS NULL;
-- Also the foreign-key index of account_id, in the list order (newest first).
CREATE INDEX patients_account_id_created_at_idx ON patients (account_id, created_at);
CREATE INDEX patients_clinician_id_idx ON patients (clinician_id);
