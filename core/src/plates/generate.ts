// Seeded random valid plates: the simulator puts them on vehicles, the plate reader trains on them.
import type { PlateColour, PlateLayout, VehicleClass } from '../contracts/detection';
import { formatPlate, SERIES_LETTERS, SPECIAL_SERIES, type PlateCategory, COLOUR_CATEGORY, type PlateKind, type PlateParts } from './format';

/** Small, fast, seedable PRNG (mulberry32): same seed, same sequence, on every platform. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export type Rng = () => number;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length) % items.length] as T;
}

export interface GeneratedPlate {
  text: string;
  layout: PlateLayout;
  colour: PlateColour;
  category: PlateCategory;
  vehicleClass: VehicleClass;
  kind: PlateKind;
}

export interface GenerateOptions {
  /** Force a vehicle class (otherwise drawn: motorbikes are most traffic). */
  vehicleClass?: VehicleClass;
  layout?: PlateLayout;
  colour?: PlateColour;
  /** Probability of a special series (LD, KT, NG, NN, QT, MĐ); default 0.1. */
  specialRate?: number;
  /** Probability of the older 4-digit number; default 0.15. */
  fourDigitRate?: number;
  /** Probability that a (non-special) motorbike plate has a small-motorbike two-letter series (`81-AA`); default 0 (no draw). */
  letterPairRate?: number;
}

const VEHICLE_WEIGHTS: [VehicleClass, number][] = [
  ['motorbike', 0.55],
  ['car', 0.3],
  ['bus', 0.05],
  ['truck', 0.1],
];
const COLOUR_WEIGHTS: [PlateColour, number][] = [
  ['white', 0.7],
  ['yellow', 0.14],
  ['blue', 0.1],
  ['red', 0.06],
];

function weighted<T>(rng: Rng, table: [T, number][]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [v, w] of table) {
    r -= w;
    if (r < 0) return v;
  }
  return table[table.length - 1]![0];
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rng() * 10));
  return /^0+$/.test(s) ? '1'.padStart(n, '0') : s;
}

/** A random valid plate. Deterministic for a given rng state. */
export function generatePlate(rng: Rng, opts: GenerateOptions = {}): GeneratedPlate {
  const vehicleClass = opts.vehicleClass ?? weighted(rng, VEHICLE_WEIGHTS);
  const kind: PlateKind = vehicleClass === 'motorbike' || vehicleClass === 'bicycle' ? 'motorbike' : 'car';
  // Cars carry long one-line plates; trucks and buses often square two-line plates at the rear.
  const layout: PlateLayout =
    opts.layout && (kind === 'car' || opts.layout === 'two-line')
      ? opts.layout
      : kind === 'motorbike'
        ? 'two-line'
        : vehicleClass === 'car'
          ? rng() < 0.9
            ? 'one-line'
            : 'two-line'
          : rng() < 0.5
            ? 'one-line'
            : 'two-line';
  const colour = opts.colour ?? weighted(rng, COLOUR_WEIGHTS);
  const special = rng() < (opts.specialRate ?? 0.1);
  const province = String(11 + Math.floor(rng() * 89));
  let series: string;
  if (kind === 'car') {
    series = special
      ? pick(
          rng,
          SPECIAL_SERIES.filter((s) => s !== 'MĐ'),
        )
      : pick(rng, [...SERIES_LETTERS]);
  } else {
    const pair = !special && (opts.letterPairRate ?? 0) > 0 && rng() < opts.letterPairRate!;
    series = pair
      ? pick(rng, [...SERIES_LETTERS]) + pick(rng, [...SERIES_LETTERS])
      : (special ? pick(rng, SPECIAL_SERIES) : pick(rng, [...SERIES_LETTERS])) + String(1 + Math.floor(rng() * 9));
  }
  const number = digits(rng, rng() < (opts.fourDigitRate ?? 0.15) ? 4 : 5);
  const parts: PlateParts = { kind, province, series, number };
  return { text: formatPlate(parts), layout, colour, category: COLOUR_CATEGORY[colour], vehicleClass, kind };
}

/** `count` plates from one seed (same seed → same list). */
export function generatePlates(seed: number, count: number, opts: GenerateOptions = {}): GeneratedPlate[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => generatePlate(rng, opts));
}
