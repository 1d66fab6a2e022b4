-- The transactional outbox (issue #7 §5): everything that leaves the process (mail now; lab
-- notifications and webhooks later) is a row written in the same transaction as the change that
-- causes it, and delivered by a worker with retries. `payload` is JSON text and holds live
-- secrets (an email body carries a reset link): never log it; it is blanked once sent.
-- Times keep sub-second precision (backoff and claim leases are short in tests).
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP,
    last_error      TEXT,
    sent_at         TIMESTAMP,
    dead_at         TIMESTAMP
);
-- What the worker claims: undelivered, not dead, by due time.
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL AND dead_at IS NULL;
-- Purging delivered rows, and the dead-letter count.
CREATE INDEX outbox_sent_at_idx ON outbox (sent_at);
CREATE INDEX outbox_dead_at_idx ON outbox (dead_at);
