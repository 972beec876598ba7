// Vietnamese messages of the speeding fields a citizen sees (public lookup, the notice's QR page, own cases).
// Spread into `vi` (vi.ts); en-speed.ts has the same keys.
export const viSpeed = {
  'citizen.speed': 'Tốc độ',
  'citizen.speedMeasured':
    'Đo được {measured} km/h (± {sigma} km/h); trừ sai số {tolerance} km/h, tốc độ xử lý là {reduced} km/h; tốc độ tối đa cho phép {limit} km/h',
};
