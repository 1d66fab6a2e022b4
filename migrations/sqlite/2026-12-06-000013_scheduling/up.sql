-- Scheduling (issue #9, contract §3.9).
--
-- `account_settings.time_zone`: the clinic's IANA zone (default UTC), where wall-clock times
-- become instants ("in the future", "has started", .ics output).
-- `availability_dates`: a clinician's explicit slot set for one date (comma-separated HH:MM; an
-- empty string closes the date). `availability_patterns`: recurring sets (weekdays 0 = Monday).
-- `appointments`: `appointment_date` + `start_time` are the clinic's wall clock; `starts_at` and
-- `ends_at` hold the same wall clock as timestamps for ordering and overlap queries.
--
-- Race safety: a booking or a move claims the clinician's user row and then the patient's row
-- (a no-op UPDATE) before it checks overlaps and writes, so bookings of one clinician or one
-- patient are serialised (SQLite has one writer anyway); the partial unique index below is a
-- second line for the same start time.

CREATE TABLE account_settings (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    time_zone  TEXT NOT NULL DEFAULT 'UTC'
);

CREATE TABLE availability_dates (
    clinician_id TEXT NOT NULL REFERENCES users (id),
    slot_date    DATE NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    time_slots   TEXT NOT NULL,
    PRIMARY KEY (clinician_id, slot_date)
);
CREATE INDEX availability_dates_account_id_idx ON availability_dates (account_id);

CREATE TABLE availability_patterns (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    clinician_id TEXT NOT NULL REFERENCES users (id),
    start_date   DATE NOT NULL,
    end_date     DATE NOT NULL,
    days         TEXT NOT NULL,
    time_slots   TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX availability_patterns_clinician_id_idx ON availability_patterns (clinician_id, start_date);
CREATE INDEX availability_patterns_account_id_idx ON availability_patterns (account_id);

CREATE TABLE appointments (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id),
    clinician_id      TEXT NOT NULL REFERENCES users (id),
    patient_id        TEXT NOT NULL REFERENCES patients (id),
    appointment_date  DATE NOT NULL,
    start_time        TEXT NOT NULL,
    starts_at         TIMESTAMP NOT NULL,
    ends_at           TIMESTAMP NOT NULL,
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes > 0),
    appointment_type  TEXT NOT NULL CHECK (appointment_type IN ('virtual', 'in-person', 'home-visit')),
    status            TEXT NOT NULL CHECK (status IN ('scheduled', 'confirmed', 'completed', 'canceled', 'rescheduled', 'no-show')),
    notes             TEXT,
    confirmation_code TEXT NOT NULL,
    cancel_reason     TEXT,
    ics_sequence      INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
-- One active appointment per clinician and start time (the second line of race safety).
CREATE UNIQUE INDEX appointments_clinician_slot_uq ON appointments (clinician_id, starts_at)
    WHERE status = 'scheduled' OR status = 'confirmed' OR status = 'rescheduled';
-- Confirmation codes are unique among the account's non-terminal appointments.
CREATE UNIQUE INDEX appointments_confirmation_code_uq ON appointments (account_id, confirmation_code)
    WHERE status = 'scheduled' OR status = 'confirmed' OR status = 'rescheduled';
-- Foreign keys, each also serving a list by time.
CREATE INDEX appointments_clinician_id_starts_at_idx ON appointments (clinician_id, starts_at);
CREATE INDEX appointments_patient_id_starts_at_idx ON appointments (patient_id, starts_at);
CREATE INDEX appointments_account_id_starts_at_idx ON appointments (account_id, starts_at);
