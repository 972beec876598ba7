-- How long things are kept (administrator console), applied by the daily retention.purge job
-- (api/src/services/retention.ts). The lower bounds are the legal floors: evidence and clips of a case may be used
-- for one year after the violation (limitation period, Circular 73/2024 Art. 24), so neither goes sooner.
-- The audit log is not purged: it is the append-only, hash-chained record of every decision.
CREATE TABLE retention_settings (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  -- stills and crops of a closed case (resolved, lapsed), counted from the violation
  evidence_days integer NOT NULL DEFAULT 730 CHECK (evidence_days BETWEEN 365 AND 3650),
  -- video clips of a closed case, counted from the violation
  clip_days integer NOT NULL DEFAULT 365 CHECK (clip_days BETWEEN 365 AND 3650),
  -- a rejected case (no violation): its evidence and plate, counted from the rejection
  rejected_days integer NOT NULL DEFAULT 90 CHECK (rejected_days BETWEEN 30 AND 3650),
  -- operational records with personal data: ended sessions, sign-in attempts, the demo outbox
  log_days integer NOT NULL DEFAULT 180 CHECK (log_days BETWEEN 30 AND 3650),
  -- a closed case stays on the public lookup this long after it was closed
  public_days integer NOT NULL DEFAULT 30 CHECK (public_days BETWEEN 1 AND 3650),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id)
);
INSERT INTO retention_settings DEFAULT VALUES;

ALTER TABLE cases
  -- a legal hold (complaint, court, investigation) keeps the case's evidence whatever its age
  ADD COLUMN legal_hold boolean NOT NULL DEFAULT false,
  ADD COLUMN legal_hold_reason text,
  -- when the case left the public lookup (public_days after it was closed)
  ADD COLUMN unpublished_at timestamptz,
  ADD CONSTRAINT cases_legal_hold_reason CHECK (NOT legal_hold OR legal_hold_reason IS NOT NULL);
-- the purge looks for closed cases by age
CREATE INDEX cases_closed_idx ON cases (status, occurred_at) WHERE status IN ('resolved', 'lapsed', 'rejected');
