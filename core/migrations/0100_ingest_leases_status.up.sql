-- Camera leases: which process (holder) on which node works a camera in a role (ingest, detector).
-- A lease is renewed every TTL/3; one that lapsed is taken over by another process with a single
-- INSERT ... ON CONFLICT DO UPDATE ... WHERE expires_at < now() statement.
CREATE TABLE camera_leases (
  camera_id uuid NOT NULL REFERENCES cameras (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_-]{0,31}$'),
  holder text NOT NULL,
  node text NOT NULL,
  expires_at timestamptz NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (camera_id, role)
);

CREATE INDEX camera_leases_role_holder_idx ON camera_leases (role, holder);
CREATE INDEX camera_leases_role_expires_idx ON camera_leases (role, expires_at);

-- Latest known state of each camera's stream, written by the ingest process that holds it
-- (also published on Redis channel `camera-status` for the live dashboard).
CREATE TABLE camera_status (
  camera_id uuid PRIMARY KEY REFERENCES cameras (id) ON DELETE CASCADE,
  state text NOT NULL CHECK (state IN ('starting', 'online', 'reconnecting', 'offline', 'stopped')),
  last_error text,
  last_error_code text,
  fps real NOT NULL DEFAULT 0,
  frames_total bigint NOT NULL DEFAULT 0,
  frames_dropped bigint NOT NULL DEFAULT 0,
  restarts integer NOT NULL DEFAULT 0,
  last_frame_at timestamptz,
  holder text,
  node text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX camera_status_state_idx ON camera_status (state);
