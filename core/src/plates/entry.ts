// Plate input from people (officers, citizens): normalise to canonical text with the plate formats.
import { isValidPlate, parseCanonical, formatPlate, type PlateKind } from './format';

/**
 * Canonical plate text for free-form input (`30a12345`, `30A-123.45`, `29 B1 12345`), or null.
 * The vehicle kind decides ambiguous inputs (`29B11234` is a car plate 29B-112.34 or a motorbike 29-B1 1234).
 */
export function normalisePlateInput(input: string, kind?: PlateKind): string | null {
  const upper = input.normalize('NFC').toUpperCase().trim().replace(/\s+/g, ' ');
  if (isValidPlate(upper)) {
    const p = parseCanonical(upper);
    if (!kind || p?.kind === kind) return upper;
  }
  const chars = upper.replace(/[^0-9A-ZĐ]/g, '');
  const kinds: PlateKind[] = kind ? [kind] : ['car', 'motorbike'];
  for (const k of kinds) {
    const m = k === 'car' ? /^(\d{2})([A-ZĐ]{1,2})(\d{4,5})$/u.exec(chars) : /^(\d{2})([A-ZĐ]{1,2}\d)(\d{4,5})$/u.exec(chars);
    if (!m) continue;
    const text = formatPlate({ kind: k, province: m[1]!, series: m[2]!, number: m[3]! });
    if (isValidPlate(text)) return text;
  }
  return null;
}

export function plateKindOf(vehicleType: string): PlateKind {
  return vehicleType === 'motorbike' ? 'motorbike' : 'car';
}

export type PlateEntry = { ok: true; plate: string } | { ok: false; reason: 'kind_mismatch' | 'format' };

/**
 * A plate an officer typed for a vehicle of `kind`: kept exactly (in canonical form) when it is valid for that kind.
 * Typed with the other kind's shape (`63A-123.45` on a motorbike: the dash after the series letter), it is refused
 * with `kind_mismatch` rather than re-cut into a plate of the right kind (`63-A1 2345`). Bare characters
 * (`63b123456`) are cut the way the kind's format demands.
 */
export function plateForVehicle(input: string, kind: PlateKind): PlateEntry {
  const upper = input.normalize('NFC').toUpperCase().trim().replace(/\s+/g, ' ');
  if (isValidPlate(upper)) {
    return parseCanonical(upper)?.kind === kind ? { ok: true, plate: upper } : { ok: false, reason: 'kind_mismatch' };
  }
  const dash = upper.indexOf('-');
  if (dash >= 0) {
    // characters before the dash: 2 on motorbike plates (NN-), 3 or 4 on car plates (NNL-, NNLD-)
    const before = upper.slice(0, dash).replace(/[^0-9A-ZĐ]/g, '').length;
    const shape: PlateKind = before <= 2 ? 'motorbike' : 'car';
    if (shape !== kind && normalisePlateInput(upper, shape)) return { ok: false, reason: 'kind_mismatch' };
  }
  const plate = normalisePlateInput(upper, kind);
  if (plate) return { ok: true, plate };
  const other: PlateKind = kind === 'car' ? 'motorbike' : 'car';
  return normalisePlateInput(upper, other) ? { ok: false, reason: 'kind_mismatch' } : { ok: false, reason: 'format' };
}
