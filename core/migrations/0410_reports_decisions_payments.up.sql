-- Penalty decisions (quyết định xử phạt) recorded on a case, payment records imported from the payment gateway or
-- the National Public Service Portal (dichvucong.gov.vn), and the mismatches a person resolves.

-- When the notice went out, when the case was escalated and when its fine was paid: kept on the case so that reports
-- read them from one row (and from the rollups below) instead of joining notices, audit and payments.
ALTER TABLE cases ADD COLUMN noticed_at timestamptz, ADD COLUMN escalated_at timestamptz, ADD COLUMN paid_at timestamptz;
UPDATE cases c SET noticed_at = n.issued_at FROM notices n WHERE n.case_id = c.id;
UPDATE cases c SET escalated_at = a.at FROM (SELECT entity_id, min(at) AS at FROM audit_log WHERE action = 'case.escalate' GROUP BY entity_id) a
 WHERE a.entity_id = c.id::text;

CREATE FUNCTION cases_noticed_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE cases SET noticed_at = NEW.issued_at WHERE id = NEW.case_id AND noticed_at IS NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER notices_set_case_noticed_at AFTER INSERT ON notices FOR EACH ROW EXECUTE FUNCTION cases_noticed_at();

CREATE FUNCTION cases_escalated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'escalated' AND OLD.status IS DISTINCT FROM 'escalated' AND NEW.escalated_at IS NULL THEN
    NEW.escalated_at := NEW.updated_at;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cases_set_escalated_at BEFORE UPDATE OF status ON cases FOR EACH ROW EXECUTE FUNCTION cases_escalated_at();

CREATE SEQUENCE penalty_decision_seq;
CREATE TABLE penalty_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL UNIQUE REFERENCES cases (id),
  -- number / document symbol, e.g. 123/QĐ-XPHC
  number text NOT NULL UNIQUE,
  decided_on date NOT NULL,
  decided_by uuid NOT NULL REFERENCES users (id),
  -- the person with authority who signs the decision, and the title printed above the name
  officer_name text NOT NULL,
  officer_title text NOT NULL,
  fine_schedule_id integer NOT NULL REFERENCES fine_schedule (id),
  amount bigint NOT NULL CHECK (amount > 0),
  points integer NOT NULL CHECK (points >= 0),
  -- Law 15/2012 on Handling Administrative Violations: 10 days to pay (Art. 73), enforceable for 1 year (Art. 74)
  pay_by date NOT NULL,
  lapses_on date NOT NULL,
  status text NOT NULL DEFAULT 'unpaid' CHECK (status IN ('unpaid', 'paid')),
  paid_at timestamptz,
  created_at timestamptz NOT NULL
);

-- One uploaded file of payment records; the background job parses it from here (nothing is lost if a worker dies).
CREATE TABLE payment_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  filename text NOT NULL,
  format text NOT NULL CHECK (format IN ('csv', 'json')),
  content bytea NOT NULL,
  sha256 text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  total integer,
  processed integer NOT NULL DEFAULT 0,
  matched integer NOT NULL DEFAULT 0,
  duplicates integer NOT NULL DEFAULT 0,
  mismatched integer NOT NULL DEFAULT 0,
  -- bad rows ({ line, field, message }): any of them fails the whole import, which then changes nothing
  errors jsonb NOT NULL DEFAULT '[]',
  created_by uuid NOT NULL REFERENCES users (id),
  -- the importer's agency (null: admin); decisions of other agencies are not matched by this import
  agency_id uuid REFERENCES agencies (id),
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);

CREATE TABLE payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  import_id uuid NOT NULL REFERENCES payment_imports (id),
  line integer NOT NULL,
  decision_number text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  paid_at timestamptz NOT NULL,
  channel text NOT NULL CHECK (channel IN ('bank', 'portal', 'app', 'counter', 'post')),
  -- the gateway's transaction reference: the same payment imported twice is one row
  reference text NOT NULL,
  decision_id uuid REFERENCES penalty_decisions (id),
  outcome text NOT NULL CHECK (outcome IN ('matched', 'mismatch')),
  mismatch text CHECK (mismatch IN ('unknown_decision', 'wrong_amount', 'paid_twice', 'paid_after_lapse')),
  resolution text CHECK (resolution IN ('accepted', 'dismissed')),
  resolution_note text,
  resolved_by uuid REFERENCES users (id),
  resolved_at timestamptz,
  UNIQUE (channel, reference),
  CHECK ((outcome = 'mismatch') = (mismatch IS NOT NULL)),
  CHECK (resolution IS NULL OR outcome = 'mismatch')
);
CREATE INDEX payments_decision_idx ON payments (decision_id);
CREATE INDEX payments_open_mismatch_idx ON payments (import_id) WHERE outcome = 'mismatch' AND resolution IS NULL;

-- Report rollups, kept by triggers on cases so that reports over millions of cases read thousands of rows. Two
-- tables keep each small: violations per camera, day and type (what the camera reports group by), and the outcomes
-- per agency and day (every dimension the outcome, vehicle and deadline reports group or filter by); n is the count.
CREATE TABLE case_camera_daily (
  day date NOT NULL,
  agency_id uuid NOT NULL,
  camera_id uuid NOT NULL,
  type text NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (day, agency_id, camera_id, type)
);
CREATE TABLE case_outcome_daily (
  day date NOT NULL,
  agency_id uuid NOT NULL,
  vehicle_type text NOT NULL,
  status text NOT NULL,
  rejected_reason text NOT NULL,
  noticed boolean NOT NULL,
  -- the notice was issued after the 10-day deadline
  notice_late boolean NOT NULL,
  -- the 10-day deadline passed without a delivered notice (set by the legal clock)
  overdue boolean NOT NULL,
  -- '' not escalated; on_time: escalated within a day of the 20-day mark; late: after that
  escalation text NOT NULL,
  paid boolean NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (day, agency_id, vehicle_type, status, rejected_reason, noticed, notice_late, overdue, escalation, paid)
);

-- Reviews per person and Vietnam day: officers' confirmations and rejections, supervisors' approvals, and the
-- confirmations a supervisor returned to the officer.
CREATE TABLE reviewer_rollup_daily (
  day date NOT NULL,
  agency_id uuid NOT NULL,
  user_id uuid NOT NULL,
  confirmed integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  approved integer NOT NULL DEFAULT 0,
  returned integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, agency_id, user_id)
);

CREATE FUNCTION vn_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date $$;
CREATE FUNCTION escalation_timing(noticed timestamptz, escalated timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN escalated IS NULL THEN '' WHEN noticed IS NOT NULL AND escalated <= noticed + interval '21 days' THEN 'on_time' ELSE 'late' END $$;

CREATE FUNCTION case_camera_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE case_camera_daily SET n = n - 1
     WHERE day = vn_day(OLD.occurred_at) AND agency_id = OLD.agency_id AND camera_id = OLD.camera_id AND type = OLD.type;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO case_camera_daily (day, agency_id, camera_id, type, n) VALUES (vn_day(NEW.occurred_at), NEW.agency_id, NEW.camera_id, NEW.type, 1)
    ON CONFLICT (day, agency_id, camera_id, type) DO UPDATE SET n = case_camera_daily.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER cases_camera_rollup_insert_delete AFTER INSERT OR DELETE ON cases FOR EACH ROW EXECUTE FUNCTION case_camera_rollup_apply();
CREATE TRIGGER cases_camera_rollup_update AFTER UPDATE ON cases FOR EACH ROW
  WHEN (OLD.occurred_at IS DISTINCT FROM NEW.occurred_at OR OLD.agency_id IS DISTINCT FROM NEW.agency_id OR OLD.camera_id IS DISTINCT FROM NEW.camera_id
     OR OLD.type IS DISTINCT FROM NEW.type)
  EXECUTE FUNCTION case_camera_rollup_apply();

CREATE FUNCTION case_outcome_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE case_outcome_daily SET n = n - 1
     WHERE day = vn_day(OLD.occurred_at) AND agency_id = OLD.agency_id AND vehicle_type = OLD.vehicle_type AND status = OLD.status
       AND rejected_reason = COALESCE(OLD.rejected_reason, '') AND noticed = (OLD.noticed_at IS NOT NULL)
       AND notice_late = COALESCE(OLD.noticed_at > OLD.notice_due_at, false) AND overdue = OLD.overdue
       AND escalation = escalation_timing(OLD.noticed_at, OLD.escalated_at) AND paid = (OLD.paid_at IS NOT NULL);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO case_outcome_daily (day, agency_id, vehicle_type, status, rejected_reason, noticed, notice_late, overdue, escalation, paid, n)
    VALUES (vn_day(NEW.occurred_at), NEW.agency_id, NEW.vehicle_type, NEW.status, COALESCE(NEW.rejected_reason, ''),
            NEW.noticed_at IS NOT NULL, COALESCE(NEW.noticed_at > NEW.notice_due_at, false), NEW.overdue,
            escalation_timing(NEW.noticed_at, NEW.escalated_at), NEW.paid_at IS NOT NULL, 1)
    ON CONFLICT (day, agency_id, vehicle_type, status, rejected_reason, noticed, notice_late, overdue, escalation, paid)
    DO UPDATE SET n = case_outcome_daily.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER cases_outcome_rollup_insert_delete AFTER INSERT OR DELETE ON cases FOR EACH ROW EXECUTE FUNCTION case_outcome_rollup_apply();
CREATE TRIGGER cases_outcome_rollup_update AFTER UPDATE ON cases FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.vehicle_type IS DISTINCT FROM NEW.vehicle_type OR OLD.rejected_reason IS DISTINCT FROM NEW.rejected_reason
     OR OLD.noticed_at IS DISTINCT FROM NEW.noticed_at OR OLD.overdue IS DISTINCT FROM NEW.overdue OR OLD.escalated_at IS DISTINCT FROM NEW.escalated_at
     OR OLD.paid_at IS DISTINCT FROM NEW.paid_at OR OLD.occurred_at IS DISTINCT FROM NEW.occurred_at OR OLD.agency_id IS DISTINCT FROM NEW.agency_id
     OR OLD.notice_due_at IS DISTINCT FROM NEW.notice_due_at)
  EXECUTE FUNCTION case_outcome_rollup_apply();

CREATE FUNCTION reviewer_rollup_add(d date, agency uuid, who uuid, c integer, r integer, a integer, ret integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO reviewer_rollup_daily (day, agency_id, user_id, confirmed, rejected, approved, returned) VALUES (d, agency, who, c, r, a, ret)
  ON CONFLICT (day, agency_id, user_id) DO UPDATE SET confirmed = reviewer_rollup_daily.confirmed + c, rejected = reviewer_rollup_daily.rejected + r,
    approved = reviewer_rollup_daily.approved + a, returned = reviewer_rollup_daily.returned + ret $$;

CREATE FUNCTION reviewer_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'detected' AND NEW.status = 'confirmed' AND NEW.confirmed_by IS NOT NULL THEN
    PERFORM reviewer_rollup_add(vn_day(COALESCE(NEW.confirmed_at, NEW.updated_at)), NEW.agency_id, NEW.confirmed_by, 1, 0, 0, 0);
  ELSIF OLD.status = 'detected' AND NEW.status = 'rejected' AND NEW.rejected_by IS NOT NULL THEN
    PERFORM reviewer_rollup_add(vn_day(NEW.updated_at), NEW.agency_id, NEW.rejected_by, 0, 1, 0, 0);
  ELSIF OLD.status = 'confirmed' AND NEW.status = 'approved' AND NEW.approved_by IS NOT NULL THEN
    PERFORM reviewer_rollup_add(vn_day(COALESCE(NEW.approved_at, NEW.updated_at)), NEW.agency_id, NEW.approved_by, 0, 0, 1, 0);
  ELSIF OLD.status = 'confirmed' AND NEW.status = 'detected' AND OLD.confirmed_by IS NOT NULL THEN
    PERFORM reviewer_rollup_add(vn_day(NEW.updated_at), NEW.agency_id, OLD.confirmed_by, 0, 0, 0, 1);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER cases_reviewer_rollup AFTER UPDATE OF status ON cases FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION reviewer_rollup_apply();

-- Rebuilds the rollups from the cases (after a bulk load with triggers off, or to check them). Returns are not on the
-- case row, so a rebuild counts only the current confirmation of a returned case.
CREATE FUNCTION report_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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
SELECT report_rollups_rebuild();

-- Reports e-mailed on a schedule to a list of addresses.
CREATE TABLE report_schedules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report text NOT NULL,
  -- the report's parameters besides the period (agency, date of a before/after split)
  params jsonb NOT NULL DEFAULT '{}',
  format text NOT NULL CHECK (format IN ('csv', 'xlsx', 'pdf')),
  every text NOT NULL CHECK (every IN ('day', 'week', 'month')),
  recipients text[] NOT NULL CHECK (cardinality(recipients) BETWEEN 1 AND 50),
  agency_id uuid REFERENCES agencies (id),
  next_run_at timestamptz NOT NULL,
  last_run_at timestamptz,
  last_error text,
  active boolean NOT NULL DEFAULT true,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL
);
CREATE INDEX report_schedules_due_idx ON report_schedules (next_run_at) WHERE active;
