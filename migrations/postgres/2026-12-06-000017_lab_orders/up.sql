-- Lab orders (contract §3.8): a test ordered for a patient by a clinician or physician of its
-- account, its status per the table of §3.8, and its current result. `shipping_address` and
-- `results` are JSON text (the address object; the map of analyte keys to interpretations).
-- `report_file_id` names an uploaded report (the files capability's id; no foreign key, so the
-- two capabilities migrate independently). `reviewed_at`/`reviewed_by`: the care team's review
-- of the current final result, which makes it visible to the patient (cleared by an amendment).
-- `version`: optimistic concurrency (+1 on every change).
CREATE TABLE lab_orders (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts (id),
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    provider_id      TEXT NOT NULL REFERENCES users (id),
    test_type        TEXT NOT NULL,
    status           TEXT NOT NULL,
    shipping_address TEXT NOT NULL,
    notes            TEXT,
    lab_reference    TEXT,
    reason           TEXT,
    results          TEXT,
    result_status    TEXT,
    report_url       TEXT,
    report_file_id   TEXT,
    performed_at     TIMESTAMP,
    result_notes     TEXT,
    reported_at      TIMESTAMP,
    reviewed_at      TIMESTAMP,
    reviewed_by      TEXT REFERENCES users (id),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    completed_at     TIMESTAMP,
    version          INTEGER NOT NULL DEFAULT 1
);
-- The work list of an account, newest first; a patient's and a provider's orders.
CREATE INDEX lab_orders_account_id_created_at_idx ON lab_orders (account_id, created_at);
CREATE INDEX lab_orders_patient_id_idx ON lab_orders (patient_id);
CREATE INDEX lab_orders_provider_id_idx ON lab_orders (provider_id);
CREATE INDEX lab_orders_reviewed_by_idx ON lab_orders (reviewed_by);
-- "Is this file attached to a lab result?" (a file delete asks).
CREATE INDEX lab_orders_report_file_id_idx ON lab_orders (report_file_id);
-- A lab's reference names one order of an account.
CREATE UNIQUE INDEX lab_orders_lab_reference_uq ON lab_orders (account_id, lab_reference);
