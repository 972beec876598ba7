-- Escalations owed (the deadline report): response deadlines still pending more than a day after they came due. The
-- report counted them by joining the pending deadlines to their cases, one case lookup per deadline; at 10 million
-- cases that join was most of the report's time (docs/reports.md, benchmark). This table keeps, per pending
-- response deadline, what the report groups and filters by (its due time, the case's Vietnam day and agency), kept by
-- triggers on case_deadlines (and on the case, should its time or agency change), so the report reads it alone.
CREATE TABLE pending_response_due (
  case_id uuid PRIMARY KEY,
  due_at timestamptz NOT NULL,
  day date NOT NULL,
  agency_id uuid NOT NULL
);
CREATE INDEX pending_response_due_idx ON pending_response_due (due_at) INCLUDE (day, agency_id);

CREATE FUNCTION pending_response_due_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind = 'response_due' THEN
    DELETE FROM pending_response_due WHERE case_id = OLD.case_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.kind = 'response_due' AND NEW.status = 'pending' THEN
    INSERT INTO pending_response_due (case_id, due_at, day, agency_id)
    SELECT NEW.case_id, NEW.due_at, vn_day(c.occurred_at), c.agency_id FROM cases c WHERE c.id = NEW.case_id
    ON CONFLICT (case_id) DO UPDATE SET due_at = EXCLUDED.due_at, day = EXCLUDED.day, agency_id = EXCLUDED.agency_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER case_deadlines_pending_response_due AFTER INSERT OR UPDATE OR DELETE ON case_deadlines
  FOR EACH ROW EXECUTE FUNCTION pending_response_due_apply();

CREATE FUNCTION pending_response_due_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pending_response_due SET day = vn_day(NEW.occurred_at), agency_id = NEW.agency_id WHERE case_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER cases_pending_response_due AFTER UPDATE ON cases FOR EACH ROW
  WHEN (OLD.occurred_at IS DISTINCT FROM NEW.occurred_at OR OLD.agency_id IS DISTINCT FROM NEW.agency_id)
  EXECUTE FUNCTION pending_response_due_case();

INSERT INTO pending_response_due (case_id, due_at, day, agency_id)
SELECT d.case_id, d.due_at, vn_day(c.occurred_at), c.agency_id
  FROM case_deadlines d JOIN cases c ON c.id = d.case_id WHERE d.kind = 'response_due' AND d.status = 'pending';

-- The rebuild after a bulk load (triggers off) fills it too.
CREATE OR REPLACE FUNCTION report_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE case_camera_daily, case_outcome_daily, reviewer_rollup_daily, pending_response_due IN EXCLUSIVE MODE;
  DELETE FROM case_camera_daily;
  INSERT INTO case_camera_daily (day, agency_id, camera_id, type, n)
  SELECT vn_day(occurred_at), agency_id, camera_id, type, count(*) FROM cases GROUP BY 1, 2, 3, 4;
  DELETE FROM case_outcome_daily;
  INSERT INTO case_outcome_daily (day, agency_id, vehicle_type, status, rejected_reason, noticed, notice_late, overdue, escalation, paid, n)
  SELECT vn_day(occurred_at), agency_id, vehicle_type, status, COALESCE(rejected_reason, ''), noticed_at IS NOT NULL,
         COALESCE(noticed_at > notice_due_at, false), overdue, escalation_timing(noticed_at, escalated_at), paid_at IS NOT NULL, count(*)
    FROM cases GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
  DELETE FROM reviewer_rollup_daily;
  INSERT INTO reviewer_rollup_daily (day, agency_id, user_id, confirmed, rejected, approved, returned)
  SELECT day, agency_id, user_id, sum(c), sum(r), sum(a), 0 FROM (
    SELECT vn_day(confirmed_at) AS day, agency_id, confirmed_by AS user_id, 1 AS c, 0 AS r, 0 AS a FROM cases WHERE confirmed_by IS NOT NULL AND confirmed_at IS NOT NULL
    UNION ALL SELECT vn_day(updated_at), agency_id, rejected_by, 0, 1, 0 FROM cases WHERE status = 'rejected' AND rejected_by IS NOT NULL
    UNION ALL SELECT vn_day(approved_at), agency_id, approved_by, 0, 0, 1 FROM cases WHERE approved_by IS NOT NULL AND approved_at IS NOT NULL
  ) x GROUP BY 1, 2, 3;
  DELETE FROM pending_response_due;
  INSERT INTO pending_response_due (case_id, due_at, day, agency_id)
  SELECT d.case_id, d.due_at, vn_day(c.occurred_at), c.agency_id
    FROM case_deadlines d JOIN cases c ON c.id = d.case_id WHERE d.kind = 'response_due' AND d.status = 'pending';
END $$;
