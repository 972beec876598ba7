// Vietnamese licence plate formats (Circular 24/2023/TT-BCA as simplified by the design brief):
//   car, one line            NNS-NNN.NN   30A-123.45      older 4-digit NNS-NNNN   30A-1234
//   car, two lines (square)  NNS / NNN.NN (same text as one line, layout two-line; trucks, buses)
//   motorbike, two lines     NN-SD NNN.NN 29-B1 123.45    4-digit            59-T1 2024
//   small motorbike (≤50 cc) NN-SS NNN.NN 81-AA 048.92   4-digit            50-CA 5874
// S is a series: one civil letter, or a special two-letter series (LD, KT, NG, NN, QT, MĐ); small
// motorbikes carry two civil letters and no digit.
// Province codes 11–99. Colours: white = private, yellow = commercial, blue = state, red = military.
// Pure functions only: validation, canonical text, and repair of OCR confusions where the format
// demands a letter or a digit (never elsewhere).
import type { PlateColour, PlateLayout, VehicleClass } from '../contracts/detection';

/** Letters used as civil series (I, J, O, Q, W are never issued: they look like digits or each other). */
export const SERIES_LETTERS = 'ABCDEFGHKLMNPRSTUVXYZ';
/** Special two-letter series: joint venture, economic zone, diplomatic, foreign, international, electric motorbike. */
export const SPECIAL_SERIES = ['LD', 'KT', 'NG', 'NN', 'QT', 'MĐ'] as const;
export type SpecialSeries = (typeof SPECIAL_SERIES)[number];

/** Every character a plate reader may emit (punctuation excluded: it is implied by the format). */
export const PLATE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZĐ';

export type PlateCategory = 'private' | 'commercial' | 'state' | 'military';
export const COLOUR_CATEGORY: Record<PlateColour, PlateCategory> = {
  white: 'private',
  yellow: 'commercial',
  blue: 'state',
  red: 'military',
};
export function plateCategory(colour: PlateColour): PlateCategory {
  return COLOUR_CATEGORY[colour];
}

/** `car` = NNS-NNN.NN / NNS-NNNN; `motorbike` = NN-SD NNN.NN / NN-SD NNNN. */
export type PlateKind = 'car' | 'motorbike';

export interface PlateParts {
  kind: PlateKind;
  province: string; // two digits, 11–99
  series: string; // 'A', 'LD', 'B1', 'MĐ1'
  number: string; // '12345' or '1234'
}

/** Canonical text of a plate: `30A-123.45`, `30A-1234`, `29-B1 123.45`, `59-T1 2024`. */
export function formatPlate(p: PlateParts): string {
  const num = p.number.length === 5 ? `${p.number.slice(0, 3)}.${p.number.slice(3)}` : p.number;
  return p.kind === 'car' ? `${p.province}${p.series}-${num}` : `${p.province}-${p.series} ${num}`;
}

/** The two printed lines of a plate on a two-line plate (or the single line on a one-line plate). */
export function plateLines(text: string, layout: PlateLayout): string[] {
  if (layout === 'one-line') return [text];
  const p = parseCanonical(text);
  if (!p) throw new Error(`not a valid plate: ${text}`);
  const num = p.number.length === 5 ? `${p.number.slice(0, 3)}.${p.number.slice(3)}` : p.number;
  return p.kind === 'car' ? [`${p.province}${p.series}`, num] : [`${p.province}-${p.series}`, num];
}

/** Characters a reader sees, punctuation removed: `30A-123.45` → `30A12345`. */
export function plateChars(text: string): string {
  return text.replace(/[^0-9A-ZĐ]/g, '');
}

const CAR_RE = /^(\d{2})([A-Z]|LD|KT|NG|NN|QT)-(\d{3}\.\d{2}|\d{4})$/u;
const MOTO_RE = /^(\d{2})-([A-Z]\d|[A-Z]{2}|LD\d|KT\d|NG\d|NN\d|QT\d|MĐ\d)\s(\d{3}\.\d{2}|\d{4})$/u;

function validProvince(code: string): boolean {
  const n = Number(code);
  return n >= 11 && n <= 99;
}
function validSeries(series: string, kind: PlateKind): boolean {
  if (kind === 'car') {
    return series.length === 1 ? SERIES_LETTERS.includes(series) : (SPECIAL_SERIES as readonly string[]).includes(series);
  }
  if (/^[A-Z]{2}$/.test(series)) return SERIES_LETTERS.includes(series[0]!) && SERIES_LETTERS.includes(series[1]!);
  const head = series.slice(0, -1);
  const digit = series.at(-1) ?? '';
  if (!/[1-9]/.test(digit)) return false;
  return head.length === 1 ? SERIES_LETTERS.includes(head) : (SPECIAL_SERIES as readonly string[]).includes(head);
}

/** Parse canonical text; null when it is not a valid plate. */
export function parseCanonical(text: string): PlateParts | null {
  const car = CAR_RE.exec(text);
  if (car) {
    const [, province = '', series = '', num = ''] = car;
    const parts: PlateParts = { kind: 'car', province, series, number: num.replace('.', '') };
    return validProvince(province) && validSeries(series, 'car') && !/^0+$/.test(parts.number) ? parts : null;
  }
  const moto = MOTO_RE.exec(text);
  if (moto) {
    const [, province = '', series = '', num = ''] = moto;
    const parts: PlateParts = { kind: 'motorbike', province, series, number: num.replace('.', '') };
    return validProvince(province) && validSeries(series, 'motorbike') && !/^0+$/.test(parts.number) ? parts : null;
  }
  return null;
}

export function isValidPlate(text: string): boolean {
  return parseCanonical(text) !== null;
}

/** Which layouts a plate kind may be printed in: motorbikes only two-line; cars either. */
export function layoutAllowed(kind: PlateKind, layout: PlateLayout): boolean {
  return kind === 'car' || layout === 'two-line';
}

/** The usual layout per vehicle class (trucks and buses also carry square two-line plates at the rear). */
export function kindForVehicle(cls: VehicleClass): PlateKind {
  return cls === 'motorbike' || cls === 'bicycle' ? 'motorbike' : 'car';
}

// ---------------------------------------------------------------------------------------------
// Repair: a read is a string of plate characters (no punctuation), split into lines for two-line
// plates. Each candidate format is a list of slots; a slot demands a digit, a series letter or one
// of the special series. A character that does not fit its slot is replaced only by its usual
// look-alike of the demanded kind. The candidate with the fewest repairs wins; none fits → null.

/** Letter read where a digit is required → digit. */
const TO_DIGIT: Record<string, string> = { O: '0', Q: '0', D: '0', Đ: '0', I: '1', Z: '2', B: '8', S: '5', G: '6' };
/** Digit read where a letter is required → letter. */
const TO_LETTER: Record<string, string> = { '0': 'D', '2': 'Z', '8': 'B', '5': 'S', '6': 'G' };

type Slot = 'd' | 'L' | 'S2' | 'p'; // digit, civil series letter, special series (2 chars), province (2 digits)
type SeriesShape = 'letter' | 'special' | 'letters'; // A / LD (+ digit on motorbikes) / AA (small motorbikes, no digit)

interface Candidate {
  kind: PlateKind;
  top: Slot[]; // slots on the first line (or the whole line)
  bottom: Slot[] | null; // second line for two-line reads
}

function slotsFor(kind: PlateKind, shape: SeriesShape, digits: 4 | 5): { top: Slot[]; num: Slot[] } {
  const series: Slot[] = shape === 'special' ? ['S2'] : shape === 'letters' ? ['L', 'L'] : ['L'];
  const top: Slot[] = kind === 'car' || shape === 'letters' ? ['p', ...series] : ['p', ...series, 'd'];
  return { top, num: Array<Slot>(digits).fill('d') };
}

export interface RepairResult {
  text: string;
  parts: PlateParts;
  /** How many characters were changed to fit the format. */
  repairs: number;
}

function fitDigit(c: string): [string, number] | null {
  if (/[0-9]/.test(c)) return [c, 0];
  const d = TO_DIGIT[c];
  return d ? [d, 1] : null;
}
function fitLetter(c: string): [string, number] | null {
  if (SERIES_LETTERS.includes(c)) return [c, 0];
  if (c === 'O') return ['D', 1]; // O is never issued; D is the letter it is read for
  const l = TO_LETTER[c];
  return l ? [l, 1] : null;
}
function fitSpecial(a: string, b: string): [string, number] | null {
  let best: [string, number] | null = null;
  for (const s of SPECIAL_SERIES) {
    const [s0 = '', s1 = ''] = [...s];
    let cost = 0;
    let ok = true;
    for (const [want, got] of [
      [s0, a],
      [s1, b],
    ] as const) {
      if (want === got) continue;
      if (TO_LETTER[got] === want || (want === 'Đ' && (got === 'D' || got === '0'))) cost++;
      else ok = false;
    }
    if (ok && (!best || cost < best[1])) best = [s, cost];
  }
  return best;
}

/** Fit a run of characters to a run of slots; returns the fitted string and cost. */
function fitSlots(chars: string[], slots: Slot[]): [string, number] | null {
  let out = '';
  let cost = 0;
  let i = 0;
  for (const slot of slots) {
    if (slot === 'p') {
      const a = fitDigit(chars[i] ?? '');
      const b = fitDigit(chars[i + 1] ?? '');
      if (!a || !b) return null;
      out += a[0] + b[0];
      cost += a[1] + b[1];
      i += 2;
    } else if (slot === 'S2') {
      const s = fitSpecial(chars[i] ?? '', chars[i + 1] ?? '');
      if (!s) return null;
      out += s[0];
      cost += s[1];
      i += 2;
    } else {
      const f = slot === 'd' ? fitDigit(chars[i] ?? '') : fitLetter(chars[i] ?? '');
      if (!f) return null;
      out += f[0];
      cost += f[1];
      i += 1;
    }
  }
  return i === chars.length ? [out, cost] : null;
}

function slotLength(slots: Slot[]): number {
  return slots.reduce((n, s) => n + (s === 'p' || s === 'S2' ? 2 : 1), 0);
}

function candidates(layout: PlateLayout, kind?: PlateKind): Candidate[] {
  const out: Candidate[] = [];
  const kinds: PlateKind[] = layout === 'one-line' ? ['car'] : kind ? [kind] : ['car', 'motorbike'];
  for (const kind of kinds) {
    const shapes: SeriesShape[] = kind === 'car' ? ['letter', 'special'] : ['letter', 'special', 'letters'];
    for (const shape of shapes) {
      for (const digits of [5, 4] as const) {
        const { top, num } = slotsFor(kind, shape, digits);
        out.push(layout === 'one-line' ? { kind, top: [...top, ...num], bottom: null } : { kind, top, bottom: num });
      }
    }
  }
  return out;
}

/**
 * Validate and repair a raw read. `lines` holds the characters read per printed line (one entry for a
 * one-line plate, two for a two-line plate); punctuation and spaces are ignored. Returns the canonical
 * plate with the number of repaired characters, or null when no format fits. `kind`, when the vehicle
 * is known, is the only plate kind tried: a motorbike plate that lost a character is never "repaired"
 * into a valid car plate (or the other way round). Motorbike plates are never one-line, so a one-line
 * read of a motorbike is null.
 */
export function repairPlateRead(lines: string[], layout: PlateLayout, kind?: PlateKind): RepairResult | null {
  if (kind === 'motorbike' && layout === 'one-line') return null;
  const clean = lines.map((l) => [...l.toUpperCase().replace(/[^0-9A-ZĐ]/gu, '')]);
  let best: RepairResult | null = null;
  for (const cand of candidates(layout, kind)) {
    let fitted: string[] | null = null;
    let cost = 0;
    if (cand.bottom === null) {
      const all = clean.flat();
      if (all.length !== slotLength(cand.top)) continue;
      const f = fitSlots(all, cand.top);
      if (!f) continue;
      fitted = [f[0]];
      cost = f[1];
    } else {
      const [top = [], bottom = []] = clean.length >= 2 ? clean : splitSingle(clean[0] ?? [], cand);
      if (top.length !== slotLength(cand.top) || bottom.length !== slotLength(cand.bottom)) continue;
      const a = fitSlots(top, cand.top);
      const b = fitSlots(bottom, cand.bottom);
      if (!a || !b) continue;
      fitted = [a[0], b[0]];
      cost = a[1] + b[1];
    }
    const joined = fitted.join('');
    const province = joined.slice(0, 2);
    // Everything on the first line after the province is the series (motorbikes: with its digit).
    const series = cand.bottom === null ? joined.slice(2, 2 + (cand.top.includes('S2') ? 2 : 1)) : fitted[0]!.slice(2);
    const number = joined.slice(2 + series.length);
    const parts: PlateParts = { kind: cand.kind, province, series, number };
    const text = formatPlate(parts);
    if (!isValidPlate(text)) continue;
    if (!best || cost < best.repairs) best = { text, parts, repairs: cost };
  }
  return best;
}

/** A two-line read that arrived as one string: split it where the candidate's first line ends. */
function splitSingle(chars: string[], cand: Candidate): [string[], string[]] {
  const n = slotLength(cand.top);
  return [chars.slice(0, n), chars.slice(n)];
}

/** A canonical plate's layout compatibility check, used before a read is passed on. */
export function isValidRead(text: string, layout: PlateLayout): boolean {
  const p = parseCanonical(text);
  return p !== null && layoutAllowed(p.kind, layout);
}
