DROP TABLE outbox_catcher;
ALTER TABLE registry_vehicles DROP COLUMN entered_by;
ALTER TABLE registry_vehicles DROP COLUMN source;
UPDATE case_deadlines SET status = 'cancelled' WHERE status = 'met';
ALTER TABLE case_deadlines DROP CONSTRAINT case_deadlines_status_check;
ALTER TABLE case_deadlines ADD CONSTRAINT case_deadlines_status_check CHECK (status IN ('pending', 'fired', 'cancelled'));
