-- The RiskProfile each stored assessment was computed from (risk-profile.md JSON, as text like
-- `body`), so that the pedigree exports (GET /api/eligibility/export/{patient_id}) write the same
-- data the assessment used. Null for assessments stored before this column existed.
ALTER TABLE assessments ADD COLUMN profile TEXT;
