-- Stored assessments (contract §3.7): the Assessment JSON computed for a patient, kept as text so
-- that both backends store it alike. Never logged; read through the audited patient routes only.

CREATE TABLE assessments (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    patient_id  TEXT NOT NULL REFERENCES patients (id),
    created_by  TEXT REFERENCES users (id),
    assessed_at TIMESTAMP NOT NULL,
    body        TEXT NOT NULL
);
-- Also the foreign-key index of patient_id, in "latest first" order.
CREATE INDEX assessments_patient_id_assessed_at_idx ON assessments (patient_id, assessed_at);
CREATE INDEX assessments_account_id_idx ON assessments (account_id);
CREATE INDEX assessments_created_by_idx ON assessments (created_by);
