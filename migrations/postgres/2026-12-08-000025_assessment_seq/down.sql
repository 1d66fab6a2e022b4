-- Back to the adapter's MAX(seq) + 1 (migration 000020's default); stored numbers stay, and they
-- are unique per patient, so MAX(seq) + 1 goes on from them.
ALTER TABLE assessments ALTER COLUMN seq SET DEFAULT 0;
DROP SEQUENCE assessments_seq_seq;
