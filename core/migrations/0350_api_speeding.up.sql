-- Speeding: the fine depends on how far over the limit the vehicle was (after the measurement tolerance), so the
-- schedule gets bands of excess speed per vehicle group. A band is [excess_min_kmh, excess_max_kmh] with each end
-- inclusive or not, as the decree words it ("từ 05 km/h đến dưới 10 km/h", "trên 20 km/h đến 35 km/h").
ALTER TABLE fine_schedule
  ADD COLUMN excess_min_kmh numeric,
  ADD COLUMN excess_min_inclusive boolean NOT NULL DEFAULT true,
  ADD COLUMN excess_max_kmh numeric,
  ADD COLUMN excess_max_inclusive boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT fine_schedule_excess_band CHECK (excess_max_kmh IS NULL OR excess_min_kmh IS NULL OR excess_max_kmh > excess_min_kmh);

ALTER TABLE fine_schedule DROP CONSTRAINT fine_schedule_offence_vehicle_group_effective_from_key;
CREATE UNIQUE INDEX fine_schedule_version ON fine_schedule (offence, vehicle_group, effective_from, COALESCE(excess_min_kmh, -1));

-- Decree 168/2024/NĐ-CP, Art. 6 (cars) and Art. 7 (motorbikes), in force from 2025-01-01.
INSERT INTO fine_schedule (offence, vehicle_group, description_vi, legal_basis, article, fine_min, fine_max, points, effective_from,
                           excess_min_kmh, excess_min_inclusive, excess_max_kmh, excess_max_inclusive) VALUES
  ('speeding', 'car', 'Điều khiển xe chạy quá tốc độ quy định từ 05 km/h đến dưới 10 km/h', 'Nghị định 168/2024/NĐ-CP', 'Điểm a khoản 3 Điều 6', 800000, 1000000, 0, '2025-01-01', 5, true, 10, false),
  ('speeding', 'car', 'Điều khiển xe chạy quá tốc độ quy định từ 10 km/h đến 20 km/h', 'Nghị định 168/2024/NĐ-CP', 'Điểm đ khoản 5 Điều 6', 4000000, 6000000, 2, '2025-01-01', 10, true, 20, true),
  ('speeding', 'car', 'Điều khiển xe chạy quá tốc độ quy định trên 20 km/h đến 35 km/h', 'Nghị định 168/2024/NĐ-CP', 'Điểm a khoản 6 Điều 6', 6000000, 8000000, 4, '2025-01-01', 20, false, 35, true),
  ('speeding', 'car', 'Điều khiển xe chạy quá tốc độ quy định trên 35 km/h', 'Nghị định 168/2024/NĐ-CP', 'Điểm a khoản 7 Điều 6', 12000000, 14000000, 6, '2025-01-01', 35, false, NULL, false),
  ('speeding', 'motorbike', 'Điều khiển xe chạy quá tốc độ quy định từ 05 km/h đến dưới 10 km/h', 'Nghị định 168/2024/NĐ-CP', 'Điểm a khoản 2 Điều 7', 400000, 600000, 0, '2025-01-01', 5, true, 10, false),
  ('speeding', 'motorbike', 'Điều khiển xe chạy quá tốc độ quy định từ 10 km/h đến 20 km/h', 'Nghị định 168/2024/NĐ-CP', 'Điểm a khoản 4 Điều 7', 800000, 1000000, 0, '2025-01-01', 10, true, 20, true),
  ('speeding', 'motorbike', 'Điều khiển xe chạy quá tốc độ quy định trên 20 km/h', 'Nghị định 168/2024/NĐ-CP', 'Điểm a khoản 8 Điều 7', 6000000, 8000000, 4, '2025-01-01', 20, false, NULL, false);

INSERT INTO violation_offences (violation_type, offence, label_vi) VALUES ('speeding', 'speeding', 'Chạy quá tốc độ quy định');
