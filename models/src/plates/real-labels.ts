// Labels of real plate images for `npm run eval:plates -- --real <folder> --csv <labels.csv>`.
// The CSV is RFC 4180 (quoted fields, doubled quotes, CRLF or LF) with a header line naming the columns;
// columns are found by name, so extra columns (compact, source, licence, note...) are ignored.
//   file      (required) image path relative to the folder
//   text      (required) plate text; only its characters count (`29-B1 123.45` = `29B112345`)
//   layout    (optional) `1line` / `one-line` or `2line` / `two-line`; when empty, a space in the text means two-line
//   vehicle   (optional) car, motorbike, truck, bus, bicycle: passed to the reader as the detector's vehicle class
//   box       (optional) plate box in the image, `x1 y1 x2 y2` pixels (spaces, commas or semicolons): the image is cut
//             there first. Without it the image is a plate crop, or with --vehicle-crops a vehicle crop / photo to localise in.
//   status    (optional) rows other than `ok` (e.g. `ambiguous`) are skipped and counted
//   in_holdout (optional) rows marked `YES` are skipped and counted (they belong to the acceptance set)
// A file that cannot be parsed, lacks a required column, or has a bad value is refused with the line number.
import type { Box, PlateLayout, VehicleClass } from '@phatnguoi/core/contracts/detection';
import { plateChars } from '@phatnguoi/core/plates/format';

export interface RealLabel {
  /** 1-based line of the CSV the row came from. */
  line: number;
  file: string;
  text: string;
  /** `text` reduced to plate characters (upper case, no punctuation). */
  compact: string;
  layout: PlateLayout;
  vehicle?: VehicleClass;
  box?: Box;
}

export interface RealLabels {
  rows: RealLabel[];
  /** Rows left out: status other than ok, or in the acceptance holdout. */
  skipped: { line: number; file: string; reason: string }[];
}

export class LabelsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelsError';
  }
}

/** RFC 4180 CSV → rows of fields. Throws on an unterminated quote or text after a closing quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === ',') {
      row.push(field);
      field = '';
      afterQuote = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      afterQuote = false;
      line++;
    } else if (afterQuote) {
      throw new LabelsError(`line ${line}: text after a closing quote`);
    } else if (ch === '"') {
      if (field !== '') throw new LabelsError(`line ${line}: a quote inside an unquoted field`);
      quoted = true;
    } else field += ch;
  }
  if (quoted) throw new LabelsError('unterminated quoted field at the end of the file');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const VEHICLES: readonly VehicleClass[] = ['car', 'motorbike', 'truck', 'bus', 'bicycle'];

function parseLayout(value: string, text: string, line: number): PlateLayout {
  const v = value.trim().toLowerCase();
  if (v === '1line' || v === 'one-line') return 'one-line';
  if (v === '2line' || v === 'two-line') return 'two-line';
  if (v === '') return /\s/.test(text.trim()) ? 'two-line' : 'one-line';
  throw new LabelsError(`line ${line}: layout must be 1line, 2line, one-line or two-line, not "${value}"`);
}

function parseBox(value: string, line: number): Box | undefined {
  if (value.trim() === '') return undefined;
  const n = value
    .trim()
    .split(/[\s,;]+/)
    .map(Number);
  if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || n[2]! <= n[0]! || n[3]! <= n[1]!) {
    throw new LabelsError(`line ${line}: box must be "x1 y1 x2 y2" pixels with x2 > x1 and y2 > y1, not "${value}"`);
  }
  return n as Box;
}

/** Parses a labels CSV (see the header of this file); throws LabelsError on anything it cannot use. */
export function parseRealLabels(csvText: string): RealLabels {
  const rows = parseCsv(csvText.replace(/^\uFEFF/, '')).filter((r) => r.some((f) => f.trim() !== ''));
  const header = rows[0]?.map((h) => h.trim().toLowerCase());
  if (!header) throw new LabelsError('the labels file is empty');
  const col = (name: string): number => header.indexOf(name);
  for (const required of ['file', 'text']) {
    if (col(required) < 0) {
      throw new LabelsError(
        `the header line must name the columns file and text (optional: layout, vehicle, box, status, in_holdout); got: ${header.join(',')}`,
      );
    }
  }
  const out: RealLabels = { rows: [], skipped: [] };
  const get = (r: string[], name: string): string => (col(name) >= 0 ? (r[col(name)] ?? '').trim() : '');
  rows.slice(1).forEach((r, i) => {
    const line = i + 2;
    if (r.length !== header.length) throw new LabelsError(`line ${line}: ${r.length} fields, the header has ${header.length}`);
    const status = get(r, 'status').toLowerCase();
    if (status !== '' && status !== 'ok') return void out.skipped.push({ line, file: get(r, 'file'), reason: `status ${status}` });
    if (get(r, 'in_holdout').toUpperCase() === 'YES') return void out.skipped.push({ line, file: get(r, 'file'), reason: 'in the acceptance holdout' });
    const file = get(r, 'file');
    const text = get(r, 'text');
    if (!file) throw new LabelsError(`line ${line}: empty file`);
    const compact = plateChars(text.toUpperCase());
    if (!/^\d{2}[A-ZĐ][0-9A-ZĐ]{4,7}$/u.test(compact) || /[^0-9A-ZĐ .-]/iu.test(text)) {
      throw new LabelsError(`line ${line}: "${text}" is not a plate text (province digits, series, number; - . or space allowed)`);
    }
    const vehicle = get(r, 'vehicle').toLowerCase();
    if (vehicle !== '' && !VEHICLES.includes(vehicle as VehicleClass)) {
      throw new LabelsError(`line ${line}: vehicle must be one of ${VEHICLES.join(', ')}, not "${vehicle}"`);
    }
    out.rows.push({
      line,
      file,
      text,
      compact,
      layout: parseLayout(get(r, 'layout'), text, line),
      ...(vehicle ? { vehicle: vehicle as VehicleClass } : {}),
      ...(col('box') >= 0 ? { box: parseBox(get(r, 'box'), line) } : {}),
    });
  });
  if (out.rows.length === 0) throw new LabelsError('no rows to score (every row skipped, or none given)');
  return out;
}
