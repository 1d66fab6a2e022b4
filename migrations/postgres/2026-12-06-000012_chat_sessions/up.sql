-- Chat sessions (contract §3.5.2): one run of the questionnaire (§3.5.1) for a patient (or
-- unattached: a staff preview, a `user`'s own questionnaire), and its messages.
--
-- `id` is the public id: chosen by the client in POST /api/start_chat (1..64 of [A-Za-z0-9_-]),
-- else a UUID. `ref_id` is always a UUID (the id itself when it is one): audit entries name the
-- session by it. `created_by` is the creating principal: a user id, or the patient id of an
-- invited patient's simplified token (no users row, hence no foreign key). The strategy's name
-- is copied at creation, so a renamed or deleted strategy still shows.
--
-- The questionnaire's state is `answers`: the ordered accepted answers as JSON
-- (`[{question_id, answer, raw, answered_at}]`); `current_question`, `progress_percentage` and
-- `extracted_data` (the RiskProfile so far, frozen at completion) are derived from them and
-- stored so that reads need no replay. `assessment` is the Assessment computed once at
-- completion; for a session with a patient the same assessment (same `assessment_id`) is also a
-- row of `assessments`, written in the completing transaction. `version` +1 on every write
-- (optimistic updates). Answers, profiles and assessments are PHI: never logged.
CREATE TABLE chat_sessions (
    id                  TEXT PRIMARY KEY,
    ref_id              TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    patient_id          TEXT REFERENCES patients (id),
    created_by          TEXT NOT NULL,
    strategy_id         TEXT REFERENCES chat_strategies (id),
    strategy_name       TEXT,
    session_type        TEXT NOT NULL DEFAULT 'screening'
        CHECK (session_type IN ('screening', 'assessment', 'follow_up', 'consultation')),
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'cancelled')),
    chat_context        TEXT,
    answers             TEXT NOT NULL DEFAULT '[]',
    extracted_data      TEXT NOT NULL,
    current_question    INTEGER,
    progress_percentage INTEGER NOT NULL DEFAULT 0,
    message_count       INTEGER NOT NULL DEFAULT 0,
    initial_message     TEXT,
    assessment_id       TEXT,
    assessment          TEXT,
    started_at          TIMESTAMP NOT NULL,
    last_activity       TIMESTAMP NOT NULL,
    completed_at        TIMESTAMP,
    ended_at            TIMESTAMP,
    end_reason          TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    -- The status and what it implies agree: an active session awaits a question; a completed
    -- one has its time and assessment; a cancelled one its end time.
    CHECK ((status = 'active' AND current_question IS NOT NULL AND completed_at IS NULL AND ended_at IS NULL)
        OR (status = 'completed' AND current_question IS NULL AND completed_at IS NOT NULL
            AND assessment_id IS NOT NULL AND assessment IS NOT NULL)
        OR (status = 'cancelled' AND ended_at IS NOT NULL))
);
CREATE UNIQUE INDEX chat_sessions_ref_id_uq ON chat_sessions (ref_id);
-- At most one active session per patient: a second open returns it, a start_chat with a new id
-- ends it first (in the same transaction).
CREATE UNIQUE INDEX chat_sessions_one_active_per_patient_uq ON chat_sessions (patient_id) WHERE status = 'active';
-- Foreign keys, each also serving a read: the account's list and a user's own sessions (by
-- last_activity), a patient's sessions (active, latest completed, the patient views' stages).
CREATE INDEX chat_sessions_account_id_last_activity_idx ON chat_sessions (account_id, last_activity);
CREATE INDEX chat_sessions_patient_id_status_idx ON chat_sessions (patient_id, status);
CREATE INDEX chat_sessions_created_by_last_activity_idx ON chat_sessions (created_by, last_activity);
CREATE INDEX chat_sessions_strategy_id_idx ON chat_sessions (strategy_id);

-- The /ai-chat transcript, in order (`seq` 1, 2, … per session). `extracted_entities` is the
-- normalised answer of a user message (JSON) or null; `metadata` the client's
-- `message_metadata` object.
CREATE TABLE chat_messages (
    id                 TEXT PRIMARY KEY,
    session_id         TEXT NOT NULL REFERENCES chat_sessions (id),
    seq                INTEGER NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    message_type       TEXT NOT NULL CHECK (message_type IN ('question', 'clarification', 'summary', 'answer')),
    content            TEXT NOT NULL,
    question_id        INTEGER,
    extracted_entities TEXT,
    metadata           TEXT,
    created_at         TIMESTAMP NOT NULL
);
-- Also the foreign-key index of session_id, in transcript order.
CREATE UNIQUE INDEX chat_messages_session_id_seq_uq ON chat_messages (session_id, seq);
