DELETE FROM violation_offences WHERE violation_type = 'speeding';
DELETE FROM fine_schedule WHERE offence = 'speeding';
DROP INDEX fine_schedule_version;
ALTER TABLE fine_schedule ADD CONSTRAINT fine_schedule_offence_vehicle_group_effective_from_key UNIQUE (offence, vehicle_group, effective_from);
ALTER TABLE fine_schedule DROP CONSTRAINT fine_schedule_excess_band,
  DROP COLUMN excess_min_kmh, DROP COLUMN excess_min_inclusive, DROP COLUMN excess_max_kmh, DROP COLUMN excess_max_inclusive;
