-- "Latest assessment" without ties. `assessed_at` is stored in whole seconds, so two
-- assessments of one patient stored in the same second tied and the random id decided which was
-- "latest". `seq` numbers a patient's assessments 1, 2, 3... in insertion order: the adapter
-- claims the patient's row (a no-op UPDATE) and writes MAX(seq) + 1 in the same transaction; the
-- unique index makes a duplicate impossible rather than unlikely. "Latest" is the highest
-- (assessed_at, seq). Existing rows are numbered by (assessed_at, id), the old order.
ALTER TABLE assessments ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE assessments SET seq = (
    SELECT count(*) FROM assessments b
     WHERE b.patient_id = assessments.patient_id
       AND (b.assessed_at < assessments.assessed_at
            OR (b.assessed_at = assessments.assessed_at AND b.id <= assessments.id)));
DROP INDEX assessments_patient_id_assessed_at_idx;
-- Also the foreign-key index of patient_id.
CREATE UNIQUE INDEX assessments_patient_id_seq_uq ON assessments (patient_id, seq);
