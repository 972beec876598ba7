-- Sealed passwords cannot be opened without CAMERA_SECRET_KEY, so going back loses them: re-enter the cameras'
-- passwords in the console after rolling back.
COMMENT ON COLUMN cameras.stream_password IS NULL;
ALTER TABLE cameras DROP COLUMN stream_password_sealed;
