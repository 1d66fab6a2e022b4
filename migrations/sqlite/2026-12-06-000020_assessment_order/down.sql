DROP INDEX assessments_patient_id_seq_uq;
ALTER TABLE assessments DROP COLUMN seq;
CREATE INDEX assessments_patient_id_assessed_at_idx ON assessments (patient_id, assessed_at);
