-- Registry CSV imports run as background jobs: the uploaded file waits in object storage (bucket `imports`) and
-- a job reads it in batches; each batch's rows and the progress below are committed together, so a job that
-- dies resumes after the last committed batch.
CREATE TABLE registry_imports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  file_name text NOT NULL,
  object_key text NOT NULL,
  bytes_total bigint NOT NULL,
  bytes_read bigint NOT NULL DEFAULT 0,
  -- data lines handled so far (the header not counted): where a resumed job starts
  rows_read integer NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  rejected_count integer NOT NULL DEFAULT 0,
  -- the first 100 rejected lines: [{ line, reason }]
  rejected jsonb NOT NULL DEFAULT '[]',
  error text,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX registry_imports_created_idx ON registry_imports (created_at DESC);
