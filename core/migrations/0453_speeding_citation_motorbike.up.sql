-- Decree 168/2024/NĐ-CP checked against its text (docs/speed.md, "Fines: verified"): a motorbike 05 to under 10 km/h
-- over the limit is point b of clause 2 of Article 7 (point a of that clause is stopping or parking on the roadway
-- outside urban areas). Every other speeding row of 0350 (amounts, points, ends of the bands, citations) matches.
UPDATE fine_schedule SET article = 'Điểm b khoản 2 Điều 7'
 WHERE offence = 'speeding' AND vehicle_group = 'motorbike' AND effective_from = '2025-01-01' AND excess_min_kmh = 5
   AND article = 'Điểm a khoản 2 Điều 7';
