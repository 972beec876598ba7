-- Camera stream credentials apart from the stream URL: the back office never returns them, and ingest puts
-- them into the URL only when it starts ffmpeg. A URL stored earlier with credentials inside keeps working
-- (the admin console moves them here on the camera's next edit).
ALTER TABLE cameras
  ADD COLUMN stream_username text,
  ADD COLUMN stream_password text;
