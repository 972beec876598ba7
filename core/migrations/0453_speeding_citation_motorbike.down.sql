UPDATE fine_schedule SET article = 'Điểm a khoản 2 Điều 7'
 WHERE offence = 'speeding' AND vehicle_group = 'motorbike' AND effective_from = '2025-01-01' AND excess_min_kmh = 5
   AND article = 'Điểm b khoản 2 Điều 7';
