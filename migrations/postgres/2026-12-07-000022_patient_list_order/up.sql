-- The patient list's order (issue #11): newest first, ties by id ascending. The index it replaces,
-- (account_id, created_at), gave the order only up to ties (a sort step after the scan, and an
-- import stores hundreds of patients in one second); this one gives it whole, so a later page's
-- ids are read in index order and the rows before the offset are only counted. Still the
-- foreign-key index of account_id.
DROP INDEX patients_account_id_created_at_idx;
CREATE INDEX patients_account_id_list_order_idx ON patients (account_id, created_at DESC, id);
