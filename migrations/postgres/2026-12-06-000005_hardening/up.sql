-- Issue #6, items 1, 2 and 6.
-- A list read or an import is one audit row whatever its size: the records it touched go into
-- `record_ids` (16 bytes per id, concatenated; no index, so no B-tree entry limit), with their
-- number in `record_count` and the list's filters (never a search term: it may be a name) in
-- `query`. `record_id` keeps single records only, and stays indexed.
ALTER TABLE audit_log ADD COLUMN record_count INTEGER;
ALTER TABLE audit_log ADD COLUMN record_ids BYTEA;
ALTER TABLE audit_log ADD COLUMN query TEXT;

-- Optimistic concurrency for patient edits (ETag / If-Match): +1 on every change.
ALTER TABLE patients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

