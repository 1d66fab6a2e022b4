-- Knowledge sources (contract §3.6): an account's reference documents and links for its chat
-- strategies. A document is an object of the FileStore under `file_key`
-- (knowledge/{account_id}/{source_id}/{sanitised filename}); the object is written before its row
-- and removed when the row cannot be written. A delete removes the row and its strategy links in
-- one transaction, then the object. `access_level`: `account` (the account's care team) or
-- `user` (the uploader and the account's admins).
CREATE TABLE knowledge_sources (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts (id),
    name              TEXT NOT NULL,
    description       TEXT,
    source_type       TEXT NOT NULL,
    url               TEXT,
    file_key          TEXT,
    filename          TEXT,
    content_type      TEXT,
    file_size         BIGINT,
    processing_status TEXT NOT NULL,
    access_level      TEXT NOT NULL,
    is_active         BOOLEAN NOT NULL DEFAULT TRUE,
    uploaded_by       TEXT NOT NULL REFERENCES users (id),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX knowledge_sources_file_key_uq ON knowledge_sources (file_key);
-- The account's list, newest first.
CREATE INDEX knowledge_sources_account_id_created_at_idx ON knowledge_sources (account_id, created_at);
CREATE INDEX knowledge_sources_uploaded_by_idx ON knowledge_sources (uploaded_by);

-- A strategy's links to knowledge sources (replaced whole by a strategy update; removed with their
-- source).
CREATE TABLE chat_strategy_knowledge_sources (
    strategy_id TEXT NOT NULL REFERENCES chat_strategies (id),
    source_id   TEXT NOT NULL REFERENCES knowledge_sources (id),
    PRIMARY KEY (strategy_id, source_id)
);
CREATE INDEX chat_strategy_knowledge_sources_source_id_idx ON chat_strategy_knowledge_sources (source_id);
