-- Calendar subscription (issue #9 follow-up): a calendar app cannot send a bearer token, so a
-- clinician's feed URL carries one of its own, `?token=…`. Only the SHA-256 of the 32 random
-- bytes is kept, one per clinician: creating a new one replaces (and so revokes) the old. The
-- token is compared in constant time against the row of the clinician named in the path.
CREATE TABLE calendar_feed_tokens (
    user_id    TEXT PRIMARY KEY REFERENCES users (id),
    token_hash BYTEA NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX calendar_feed_tokens_created_by_idx ON calendar_feed_tokens (created_by);
