-- Cases made from detector events, their evidence, notices, deliveries (outbox), legal deadlines,
-- owner responses and warnings.
CREATE TABLE cases (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- <cameraId>:<trackId>:<type>:<phaseId>: the same event delivered twice makes one case
  idempotency_key text NOT NULL UNIQUE,
  agency_id uuid NOT NULL REFERENCES agencies (id),
  camera_id uuid NOT NULL REFERENCES cameras (id),
  type text NOT NULL,
  status text NOT NULL DEFAULT 'detected'
    CHECK (status IN ('detected', 'confirmed', 'approved', 'notified', 'resolved', 'escalated', 'lapsed', 'rejected')),
  occurred_at timestamptz NOT NULL,
  track_id text NOT NULL,
  phase_id text NOT NULL,
  vehicle_type text NOT NULL CHECK (vehicle_type IN ('car', 'motorbike', 'bus', 'truck', 'bicycle', 'unknown')),
  plate_text text,
  plate_original text,
  plate_colour text CHECK (plate_colour IN ('white', 'yellow', 'blue', 'red')),
  plate_confidence real NOT NULL DEFAULT 0,
  plate_needs_manual boolean NOT NULL DEFAULT false,
  manual_handling boolean NOT NULL DEFAULT false,
  manual_reason text,
  owner_id uuid REFERENCES registry_owners (id),
  resolving_agency_id uuid REFERENCES agencies (id),
  rule_summary text NOT NULL DEFAULT '',
  event jsonb NOT NULL,
  claimed_by uuid REFERENCES users (id),
  claimed_until timestamptz,
  confirmed_by uuid REFERENCES users (id),
  confirmed_at timestamptz,
  approved_by uuid REFERENCES users (id),
  approved_at timestamptz,
  rejected_by uuid REFERENCES users (id),
  rejected_reason text CHECK (rejected_reason IN ('stopped_before_line', 'emergency_vehicle', 'plate_unreadable', 'image_unclear', 'duplicate', 'not_violation', 'other')),
  rejected_text text,
  notice_due_at timestamptz NOT NULL,
  -- set when the 10-day notice deadline passed without a notice (at risk is computed from notice_due_at)
  overdue boolean NOT NULL DEFAULT false,
  -- the QR code on the notice carries this token; it opens the public view of this case only
  public_token text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'rejected' OR rejected_reason IS NOT NULL),
  CHECK (rejected_reason IS DISTINCT FROM 'other' OR rejected_text IS NOT NULL)
);
-- review queue: per agency and status, by deadline then age
CREATE INDEX cases_queue_idx ON cases (agency_id, status, notice_due_at, occurred_at);
-- public lookup: only published cases
CREATE INDEX cases_lookup_idx ON cases (plate_text, occurred_at DESC)
  WHERE status IN ('approved', 'notified', 'escalated', 'resolved', 'lapsed');
CREATE INDEX cases_stats_idx ON cases (occurred_at);

CREATE TABLE case_evidence (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases (id),
  kind text NOT NULL,
  bucket text NOT NULL,
  key text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL,
  content_type text NOT NULL,
  captured_at timestamptz NOT NULL,
  UNIQUE (case_id, bucket, key)
);

CREATE SEQUENCE notice_number_seq;
CREATE TABLE notices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL UNIQUE REFERENCES cases (id),
  number text NOT NULL UNIQUE,
  issued_by uuid NOT NULL REFERENCES users (id),
  issued_at timestamptz NOT NULL,
  resolve_by timestamptz NOT NULL,
  fine_schedule_id integer REFERENCES fine_schedule (id),
  -- filled when the PDF is rendered (in the request, or by the notice.render job when that failed)
  bucket text,
  key text,
  sha256 text,
  size bigint
);

-- Outbox: one row per channel; BullMQ delivery jobs send and record the outcome.
CREATE TABLE deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  notice_id uuid NOT NULL REFERENCES notices (id),
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'post')),
  recipient text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'batched')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  batch_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (notice_id, channel)
);
CREATE INDEX deliveries_status_idx ON deliveries (status, channel);

CREATE TABLE post_batches (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  bucket text NOT NULL,
  key text NOT NULL,
  sha256 text NOT NULL,
  notices integer NOT NULL
);

-- Legal clock: the dates live here; delayed BullMQ jobs fire them.
CREATE TABLE case_deadlines (
  case_id uuid NOT NULL REFERENCES cases (id),
  kind text NOT NULL CHECK (kind IN ('notice_due', 'response_due', 'limitation')),
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled')),
  fired_at timestamptz,
  PRIMARY KEY (case_id, kind)
);
CREATE INDEX case_deadlines_due_idx ON case_deadlines (due_at) WHERE status = 'pending';

CREATE TABLE owner_responses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id uuid NOT NULL REFERENCES cases (id),
  kind text NOT NULL CHECK (kind IN ('response', 'complaint', 'resolution')),
  driver_name text,
  outcome text,
  text text NOT NULL,
  recorded_by uuid NOT NULL REFERENCES users (id),
  recorded_at timestamptz NOT NULL
);
CREATE INDEX owner_responses_case_idx ON owner_responses (case_id);

-- Warnings after 20 days without response: inspection body, registration agency, commune police (motorbikes).
CREATE TABLE case_warnings (
  case_id uuid NOT NULL REFERENCES cases (id),
  target text NOT NULL CHECK (target IN ('inspection', 'registration', 'commune_police')),
  created_at timestamptz NOT NULL,
  lifted_at timestamptz,
  PRIMARY KEY (case_id, target)
);
