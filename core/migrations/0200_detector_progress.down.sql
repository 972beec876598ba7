DROP TABLE IF EXISTS detector_progress;
