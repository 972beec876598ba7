-- Versioned fine schedule: one row per offence, vehicle group and period of validity, with its legal citation.
-- A case uses the row in force at the time of the violation.
CREATE TABLE fine_schedule (
  id serial PRIMARY KEY,
  offence text NOT NULL,
  vehicle_group text NOT NULL CHECK (vehicle_group IN ('car', 'motorbike')),
  description_vi text NOT NULL,
  legal_basis text NOT NULL,
  article text NOT NULL,
  fine_min bigint NOT NULL CHECK (fine_min >= 0),
  fine_max bigint NOT NULL CHECK (fine_max >= fine_min),
  points integer NOT NULL DEFAULT 0 CHECK (points >= 0),
  effective_from date NOT NULL,
  effective_to date,
  CHECK (effective_to IS NULL OR effective_to > effective_from),
  UNIQUE (offence, vehicle_group, effective_from)
);

-- Which offence a detected violation type is charged as.
CREATE TABLE violation_offences (
  violation_type text PRIMARY KEY,
  offence text NOT NULL,
  label_vi text NOT NULL
);

INSERT INTO fine_schedule (offence, vehicle_group, description_vi, legal_basis, article, fine_min, fine_max, points, effective_from) VALUES
  ('red_light', 'car', 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông', 'Nghị định 168/2024/NĐ-CP', 'Điểm b khoản 9 Điều 6', 18000000, 20000000, 4, '2025-01-01'),
  ('red_light', 'motorbike', 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông', 'Nghị định 168/2024/NĐ-CP', 'Điểm c khoản 7 Điều 7', 4000000, 6000000, 4, '2025-01-01'),
  ('wrong_lane', 'car', 'Đi không đúng phần đường, làn đường quy định', 'Nghị định 168/2024/NĐ-CP', 'Điểm b khoản 5 Điều 6', 4000000, 6000000, 2, '2025-01-01'),
  ('wrong_lane', 'motorbike', 'Đi không đúng phần đường, làn đường quy định', 'Nghị định 168/2024/NĐ-CP', 'Điểm d khoản 3 Điều 7', 600000, 800000, 0, '2025-01-01'),
  ('signs_markings', 'car', 'Không chấp hành hiệu lệnh, chỉ dẫn của biển báo hiệu, vạch kẻ đường', 'Nghị định 168/2024/NĐ-CP', 'Điểm a khoản 1 Điều 6', 400000, 600000, 0, '2025-01-01'),
  ('signs_markings', 'motorbike', 'Không chấp hành hiệu lệnh, chỉ dẫn của biển báo hiệu, vạch kẻ đường', 'Nghị định 168/2024/NĐ-CP', 'Điểm a khoản 1 Điều 7', 200000, 400000, 0, '2025-01-01');

-- Wrong way is charged under signs and road markings until the schedule gets its own row.
INSERT INTO violation_offences (violation_type, offence, label_vi) VALUES
  ('red_light', 'red_light', 'Vượt đèn đỏ'),
  ('wrong_lane', 'wrong_lane', 'Đi sai làn đường'),
  ('wrong_way', 'signs_markings', 'Đi ngược chiều (không chấp hành biển báo, vạch kẻ đường)');
