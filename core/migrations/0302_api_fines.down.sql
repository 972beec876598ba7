DROP TABLE IF EXISTS violation_offences;
DROP TABLE IF EXISTS fine_schedule;
