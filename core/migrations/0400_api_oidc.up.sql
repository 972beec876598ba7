-- Sign-in through OpenID Connect (issue 26): staff accounts linked to the province's identity provider, the
-- login state between the redirect and the callback, provider tokens kept with a session (refresh, end session),
-- citizen sessions (VNeID-backed: the identity number the provider asserts), and responses citizens record.

-- A user who signs in only through the provider has no password (local sign-in always fails for them).
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

-- Which provider account is which user: created or linked at the first sign-in.
CREATE TABLE user_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  last_sign_in_at timestamptz NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE UNIQUE INDEX user_identities_user_idx ON user_identities (user_id, issuer);

-- A staff session started through the provider keeps the provider's tokens: the refresh token re-checks the
-- account (and re-maps roles) when refresh_due_at passes; the ID token is the hint of the provider's end session.
ALTER TABLE sessions
  ADD COLUMN idp_issuer text,
  ADD COLUMN idp_subject text,
  ADD COLUMN idp_id_token text,
  ADD COLUMN idp_refresh_token text,
  ADD COLUMN refresh_due_at timestamptz;

-- One row per sign-in started: state (hashed), nonce and PKCE verifier; consumed by the callback (single use).
CREATE TABLE oidc_logins (
  state_hash text PRIMARY KEY,
  audience text NOT NULL CHECK (audience IN ('staff', 'citizen')),
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);

-- Citizens are not users: their sessions carry the identity number the provider asserted, nothing else.
CREATE TABLE citizen_sessions (
  token_hash text PRIMARY KEY,
  issuer text NOT NULL,
  subject text NOT NULL,
  id_number text NOT NULL,
  display_name text NOT NULL,
  id_token text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

-- A response the owner recorded online (signed in as a citizen) rather than at the desk.
ALTER TABLE owner_responses
  ALTER COLUMN recorded_by DROP NOT NULL,
  ADD COLUMN citizen_id_number text,
  ADD COLUMN driver_id_number text,
  ADD CONSTRAINT owner_responses_recorder CHECK (recorded_by IS NOT NULL OR citizen_id_number IS NOT NULL);
