ALTER TABLE patients DROP COLUMN version;
ALTER TABLE audit_log DROP COLUMN query;
ALTER TABLE audit_log DROP COLUMN record_ids;
ALTER TABLE audit_log DROP COLUMN record_count;
