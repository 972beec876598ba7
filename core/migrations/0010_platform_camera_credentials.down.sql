ALTER TABLE cameras DROP COLUMN stream_password, DROP COLUMN stream_username;
