DELETE FROM owner_responses WHERE recorded_by IS NULL;
ALTER TABLE owner_responses
  DROP CONSTRAINT owner_responses_recorder,
  DROP COLUMN driver_id_number,
  DROP COLUMN citizen_id_number,
  ALTER COLUMN recorded_by SET NOT NULL;
DROP TABLE citizen_sessions;
DROP TABLE oidc_logins;
ALTER TABLE sessions
  DROP COLUMN refresh_due_at,
  DROP COLUMN idp_refresh_token,
  DROP COLUMN idp_id_token,
  DROP COLUMN idp_subject,
  DROP COLUMN idp_issuer;
DROP TABLE user_identities;
-- Users made by the provider have no password: they cannot sign in locally anyway, so they are deactivated.
UPDATE users SET password_hash = '!', active = false WHERE password_hash IS NULL;
ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL;
