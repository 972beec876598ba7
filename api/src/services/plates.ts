// Plate input from people (officers, citizens): normalise to canonical text with the plate formats.
import { isValidPlate, parseCanonical, formatPlate, type PlateKind } from '@phatnguoi/core/plates/format';

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
