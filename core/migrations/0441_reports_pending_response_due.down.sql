DROP TRIGGER cases_pending_response_due ON cases;
DROP FUNCTION pending_response_due_case();
DROP TRIGGER case_deadlines_pending_response_due ON case_deadlines;
DROP FUNCTION pending_response_due_apply();
-- the rebuild as 0410 defined it
CREATE OR REPLACE FUNCTION report_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE case_camera_daily, case_outcome_daily, reviewer_rollup_daily IN EXCLUSIVE MODE;
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
END $$;
DROP TABLE pending_response_due;
