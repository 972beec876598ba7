DROP INDEX cases_closed_idx;
ALTER TABLE cases DROP CONSTRAINT cases_legal_hold_reason;
ALTER TABLE cases DROP COLUMN unpublished_at, DROP COLUMN legal_hold_reason, DROP COLUMN legal_hold;
DROP TABLE retention_settings;
