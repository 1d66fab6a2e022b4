DROP INDEX patients_account_id_list_order_idx;
CREATE INDEX patients_account_id_created_at_idx ON patients (account_id, created_at);
