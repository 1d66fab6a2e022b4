-- An assessment's `seq` from a sequence (issue #8). Migration 000020 numbered a patient's
-- assessments 1, 2, 3... by claiming the patient's row (SELECT ... FOR UPDATE) and reading
-- MAX(seq) + 1: two more round trips in every session's completion, and a statement that could
-- not join the completion's one statement (its snapshot predates the lock). `seq` only orders a
-- patient's assessments ("latest" is the highest (assessed_at, seq)); numbers from one sequence
-- are unique and grow in insertion order for every patient alike, so the order holds without
-- the claim. The sequence starts above every stored `seq`, so new rows sort after old ones.
CREATE SEQUENCE assessments_seq_seq AS BIGINT OWNED BY assessments.seq;
SELECT setval('assessments_seq_seq', COALESCE((SELECT MAX(seq) FROM assessments), 0) + 1, false);
ALTER TABLE assessments ALTER COLUMN seq SET DEFAULT nextval('assessments_seq_seq');
