-- Login throttles and the per-client-address limits, shared by every replica (issue #7 §3).
-- One row per attempt: in flight (`failed` false) from when it began until it ends or, left by a
-- crashed process, until `expires_at` (a minute later); failed (`failed` true) for the window
-- of its limit after it failed, then it no longer counts. A success deletes its key's failures.
-- `key_digest` is the SHA-256 (hex) of the limit's name and key (an email and a client
-- address): no address is stored, and every key has the same length whatever was typed.
-- Rows past `expires_at` are deleted by every attempt on their key and, once a minute, by any.
CREATE TABLE login_throttle (
    id          TEXT PRIMARY KEY,
    key_digest  TEXT NOT NULL,
    failed      BOOLEAN NOT NULL,
    at          TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
-- An attempt reads its key's rows.
CREATE INDEX login_throttle_key_idx ON login_throttle (key_digest, at);
-- Pruning.
CREATE INDEX login_throttle_expires_at_idx ON login_throttle (expires_at);
