ALTER TABLE assessments DROP COLUMN profile;
