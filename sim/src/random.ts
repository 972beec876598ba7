// Seeded randomness for the simulator (mulberry32 via the plates module, so plates and scenes share one generator).
import { createRng, type Rng } from '@phatnguoi/core/plates/generate';

export type { Rng };
export { createRng };

/** Derive an independent stream from a seed and a label (FNV-1a of the label mixed into the seed). */
export function subRng(seed: number, label: string): Rng {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return createRng(h >>> 0);
}

export function uniform(rng: Rng, a: number, b: number): number {
  return a + (b - a) * rng();
}

export function pickOne<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length) % items.length]!;
}

/** Exponential inter-arrival time for a Poisson process of `perMin` events per minute. */
export function nextArrival(rng: Rng, perMin: number): number {
  return -Math.log(1 - rng()) * (60 / perMin);
}
