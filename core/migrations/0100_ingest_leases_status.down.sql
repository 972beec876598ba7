DROP TABLE IF EXISTS camera_status;
DROP TABLE IF EXISTS camera_leases;
