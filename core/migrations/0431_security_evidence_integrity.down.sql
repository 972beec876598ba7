DROP INDEX case_evidence_not_intact_idx;
ALTER TABLE case_evidence DROP COLUMN integrity_changed_at, DROP COLUMN found_sha256, DROP COLUMN integrity;
