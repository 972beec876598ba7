-- Live lease holders per role (a heartbeat renewed every lease round). Even shares are computed
-- over these, so a process that holds no camera yet still counts and others give cameras back to it.
CREATE TABLE lease_holders (
  role text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_-]{0,31}$'),
  holder text NOT NULL,
  node text NOT NULL,
  expires_at timestamptz NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (role, holder)
);

CREATE INDEX lease_holders_role_expires_idx ON lease_holders (role, expires_at);
