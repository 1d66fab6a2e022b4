-- PostgreSQL numbers assessments from a sequence (see the PostgreSQL migration of the same
-- name). SQLite keeps MAX(seq) + 1 (its writes take turns on the write lane): nothing to do; the
-- migration exists so that both backends ship the same list.
SELECT 1;
