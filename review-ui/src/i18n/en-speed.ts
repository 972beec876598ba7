import type { viSpeed } from './vi-speed';

// English for vi-speed.ts (same keys; the type makes a missing one a compile error).
export const enSpeed: Record<keyof typeof viSpeed, string> = {
  'citizen.speed': 'Speed',
  'citizen.speedMeasured': 'Measured {measured} km/h (± {sigma} km/h); less the {tolerance} km/h tolerance, judged at {reduced} km/h; limit {limit} km/h',
};
