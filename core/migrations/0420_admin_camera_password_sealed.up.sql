-- Camera stream passwords sealed at rest (AES-256-GCM under CAMERA_SECRET_KEY, core/src/camera-secrets.ts): the key
-- lives outside PostgreSQL, so this column alone reveals nothing. SQL cannot encrypt without the key: the api seals
-- what 0010's stream_password (and any stream URL with credentials inside) still holds in the clear when it starts,
-- and clears those; until then ingest reads the clear value as before.
ALTER TABLE cameras ADD COLUMN stream_password_sealed bytea;
COMMENT ON COLUMN cameras.stream_password IS 'legacy, clear text: sealed into stream_password_sealed and cleared at api start-up';
