-- What the last check of each evidence file against its recorded SHA-256 found (issue 22, item 3). The api hashes
-- the stored bytes whenever the file is shown to a reviewer, acted on (confirm, approve, preview, issue) or shown to a citizen,
-- and records the outcome here, so the review queue can flag a case whose evidence was found replaced or gone
-- without reading every file of every listed case. integrity_changed_at: when the recorded outcome last changed.
ALTER TABLE case_evidence
  ADD COLUMN integrity text NOT NULL DEFAULT 'ok' CHECK (integrity IN ('ok', 'tampered', 'missing')),
  ADD COLUMN found_sha256 text CHECK (found_sha256 ~ '^[0-9a-f]{64}$'),
  ADD COLUMN integrity_changed_at timestamptz;
CREATE INDEX case_evidence_not_intact_idx ON case_evidence (case_id) WHERE integrity <> 'ok';
