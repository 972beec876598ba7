-- Vehicle identification as a workflow step, deadlines met by delivery, and the demo's outbox catcher.
-- 'met': the deadline's duty was done in time (the notice was delivered before notice_due), as opposed to
-- 'cancelled' (the case was rejected or resolved, so the duty no longer applies).
ALTER TABLE case_deadlines DROP CONSTRAINT case_deadlines_status_check;
ALTER TABLE case_deadlines ADD CONSTRAINT case_deadlines_status_check CHECK (status IN ('pending', 'fired', 'cancelled', 'met'));

-- Where a registry row came from: the registration agency's import, or an officer who entered the owner by hand.
ALTER TABLE registry_vehicles ADD COLUMN source text NOT NULL DEFAULT 'import' CHECK (source IN ('import', 'manual', 'demo'));
ALTER TABLE registry_vehicles ADD COLUMN entered_by uuid REFERENCES users (id);

-- The local mail catcher and SMS sink of the demo (development only): what the outbox actually delivered.
CREATE TABLE outbox_catcher (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  sender text NOT NULL DEFAULT '',
  recipient text NOT NULL,
  subject text,
  body text NOT NULL,
  -- the message as received over SMTP (headers and MIME parts); null for SMS
  raw text,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_catcher_received_idx ON outbox_catcher (received_at DESC);
