-- Where each camera's detector is in its frame stream, so a restarted (or taken-over) detector resumes
-- instead of skipping or re-reading everything. `stream_id` is the last entry of `frames:<cameraId>`
-- processed, and `state` the pipeline's state right after it (live tracks with their ids, signal
-- history, violations sent per track, violations waiting for their clip): the next detector continues
-- with the same track ids, so frames processed again after a crash give the same idempotency keys.
CREATE TABLE detector_progress (
  camera_id uuid PRIMARY KEY REFERENCES cameras (id) ON DELETE CASCADE,
  stream_id text NOT NULL CHECK (stream_id ~ '^[0-9]+-[0-9]+$'),
  seq bigint NOT NULL,
  frames_processed bigint NOT NULL DEFAULT 0,
  frames_dropped bigint NOT NULL DEFAULT 0,
  frames_corrupt bigint NOT NULL DEFAULT 0,
  violations bigint NOT NULL DEFAULT 0,
  state jsonb,
  holder text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
