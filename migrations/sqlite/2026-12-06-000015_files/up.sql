-- Stored files (contract §3.10): the metadata of objects kept by the FileStore (a local directory
-- or S3) under `file_key`. An object is written before its row and removed when its row cannot be
-- written, so a row always names an object. `attached_kind`/`attached_id` name the record of
-- another capability the file is attached to (`lab_result` + order id): an attached file cannot be
-- deleted (the delete is one conditional statement).
CREATE TABLE files (
    id            TEXT PRIMARY KEY,
    owner_id      TEXT NOT NULL REFERENCES users (id),
    account_id    TEXT REFERENCES accounts (id),
    file_key      TEXT NOT NULL,
    filename      TEXT NOT NULL,
    size          BIGINT NOT NULL,
    content_type  TEXT NOT NULL,
    uploaded_at   TIMESTAMP NOT NULL,
    attached_kind TEXT,
    attached_id   TEXT
);
CREATE UNIQUE INDEX files_file_key_uq ON files (file_key);
-- The owner's list, newest first.
CREATE INDEX files_owner_id_uploaded_at_idx ON files (owner_id, uploaded_at);
CREATE INDEX files_account_id_idx ON files (account_id);
CREATE INDEX files_attached_idx ON files (attached_kind, attached_id);
