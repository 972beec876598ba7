-- Back-office users, sessions and API tokens; agencies get a kind and the contact the public lookup shows.
ALTER TABLE agencies
  ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'traffic_police'
    CHECK (kind IN ('traffic_police', 'commune_police', 'inspection', 'registration')),
  ADD COLUMN IF NOT EXISTS parent_id uuid REFERENCES agencies (id),
  ADD COLUMN IF NOT EXISTS email text;

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
  display_name text NOT NULL,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('officer', 'supervisor', 'operator', 'admin')),
  -- officers and supervisors belong to one agency and see only its cases; admins and operators may have none
  agency_id uuid REFERENCES agencies (id),
  active boolean NOT NULL DEFAULT true,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (role NOT IN ('officer', 'supervisor') OR agency_id IS NOT NULL)
);

-- Opaque session tokens; only their SHA-256 is stored.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Tokens for worker roles (detector posting events over HTTP, scripts).
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('worker')),
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
