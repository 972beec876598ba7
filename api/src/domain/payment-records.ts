// Payment records as the payment gateway or the National Public Service Portal returns them (format: docs/payments.md),
// parsed as a stream: CSV row by row, JSON record by record, so a large file is never held as parsed objects.
// Pure: no I/O beyond the chunks it is given.
import { DECISION_NUMBER_RE, PAYMENT_CHANNELS, type PaymentChannel } from '@phatnguoi/core/contracts/api/reports';

export interface PaymentRecord {
  decisionNumber: string;
  amount: number;
  paidAt: Date;
  channel: PaymentChannel;
  reference: string;
}
export interface RecordError {
  /** CSV: the line in the file (the header is line 1); JSON: the record's position in the list (from 1). */
  line: number;
  field: string;
  message: string;
}
export type ParsedRecord = { line: number; record: PaymentRecord; errors?: undefined } | { line: number; record?: undefined; errors: RecordError[] };

export const CSV_COLUMNS = ['decision_number', 'amount', 'paid_at', 'channel', 'reference'] as const;
const JSON_KEYS: Record<(typeof CSV_COLUMNS)[number], string> = {
  decision_number: 'decisionNumber',
  amount: 'amount',
  paid_at: 'paidAt',
  channel: 'channel',
  reference: 'reference',
};
const REFERENCE_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,99}$/;
/** ISO 8601 with seconds and an explicit offset: a time without its zone is ambiguous by 7 hours. */
const PAID_AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** Checks one record's fields (values as strings or numbers, as a CSV row or a JSON object gives them). */
export function validateRecord(line: number, raw: Record<string, unknown>, names: (c: (typeof CSV_COLUMNS)[number]) => string): ParsedRecord {
  const errors: RecordError[] = [];
  const err = (col: (typeof CSV_COLUMNS)[number], message: string) => errors.push({ line, field: names(col), message });
  const str = (col: (typeof CSV_COLUMNS)[number]) => {
    const v = raw[names(col)];
    return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : v === undefined || v === null ? '' : null;
  };
  const number = str('decision_number');
  if (!number) err('decision_number', 'missing');
  else if (!DECISION_NUMBER_RE.test(number)) err('decision_number', `"${number.slice(0, 40)}" is not a decision number such as 123/QĐ-XPHC`);
  const amountText = str('amount');
  const amount = amountText && /^\d{1,13}$/.test(amountText) ? Number(amountText) : NaN;
  if (!amountText) err('amount', 'missing');
  else if (!Number.isSafeInteger(amount) || amount <= 0) err('amount', `"${amountText.slice(0, 20)}" is not a whole, positive number of VND`);
  const paidAtText = str('paid_at');
  const paidAt = paidAtText && PAID_AT_RE.test(paidAtText) ? new Date(paidAtText) : null;
  if (!paidAtText) err('paid_at', 'missing');
  else if (!paidAt || Number.isNaN(paidAt.getTime()))
    err('paid_at', `"${paidAtText.slice(0, 40)}" is not a time with its offset such as 2026-03-01T09:15:00+07:00`);
  const channel = str('channel');
  if (!channel) err('channel', 'missing');
  else if (!(PAYMENT_CHANNELS as readonly string[]).includes(channel)) err('channel', `"${channel.slice(0, 20)}" is not one of ${PAYMENT_CHANNELS.join(', ')}`);
  const reference = str('reference');
  if (!reference) err('reference', 'missing');
  else if (!REFERENCE_RE.test(reference)) err('reference', 'must be 1-100 letters, digits or . _ - /');
  if (errors.length) return { line, errors };
  return { line, record: { decisionNumber: number!, amount, paidAt: paidAt!, channel: channel as PaymentChannel, reference: reference! } };
}

/** Splits one CSV line (RFC 4180 quoting within the line). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

async function* lines(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let rest = '';
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, i).replace(/\r$/, '');
      rest = rest.slice(i + 1);
    }
  }
  rest += decoder.decode();
  if (rest.length) yield rest.replace(/\r$/, '');
}

/** How a source's CSV rows become records: the columns it needs (lower case), and the mapping of one row (null: the row is not a payment, such as money going out on a bank statement). */
export interface CsvShape {
  columns: readonly string[];
  toRecord: (line: number, row: Record<string, string | undefined>) => ParsedRecord | null;
}
/** How a source's JSON objects become records: the members that may hold its list (besides a bare list), and the mapping of one object. */
export interface JsonShape {
  listKeys: readonly string[];
  toRecord: (line: number, obj: Record<string, unknown>) => ParsedRecord | null;
}
/** The documented format (docs/payments.md). */
export const STANDARD_CSV: CsvShape = { columns: CSV_COLUMNS, toRecord: (line, row) => validateRecord(line, row, (c) => c) };
export const STANDARD_JSON: JsonShape = { listKeys: ['records'], toRecord: (line, obj) => validateRecord(line, obj, (c) => JSON_KEYS[c]) };
/** A header or key as written, compared case- and normalisation-blind (a file may come in NFD). */
export const normalName = (s: string) => s.normalize('NFC').trim().toLowerCase();

/** CSV records; a wrong header fails the whole file as line 1. */
export async function* csvRecords(chunks: AsyncIterable<string | Buffer>, shape: CsvShape = STANDARD_CSV): AsyncGenerator<ParsedRecord> {
  let n = 0;
  let header: string[] | null = null;
  for await (const text of lines(chunks)) {
    n += 1;
    if (header === null) {
      header = csvFields(text.replace(/^\uFEFF/, '')).map(normalName);
      const missing = shape.columns.filter((c) => !header!.includes(c));
      if (missing.length) {
        yield {
          line: 1,
          errors: [{ line: 1, field: 'header', message: `the first line must name the columns ${shape.columns.join(',')} (missing: ${missing.join(', ')})` }],
        };
        return;
      }
      continue;
    }
    if (text.trim() === '') continue;
    const fields = csvFields(text);
    if (fields.length !== header.length) {
      yield { line: n, errors: [{ line: n, field: 'row', message: `has ${fields.length} fields; the header has ${header.length}` }] };
      continue;
    }
    const rec = shape.toRecord(n, Object.fromEntries(header.map((h, i) => [h, fields[i]])));
    if (rec) yield rec;
  }
  if (header === null) yield { line: 1, errors: [{ line: 1, field: 'header', message: 'the file is empty' }] };
}

/**
 * JSON records: a list of objects, or an object whose `records` member is that list (other members, such as the
 * gateway's `generatedAt`, are ignored). Objects are cut out of the text as they arrive and parsed one at a time.
 */
export async function* jsonRecords(chunks: AsyncIterable<string | Buffer>, shape: JsonShape = STANDARD_JSON): AsyncGenerator<ParsedRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** Depth of the records list once found (1 for a bare list, 2 inside { records: [...] }). */
  let listDepth = -1;
  let seenTop = false;
  let listDone = false;
  let current: string[] | null = null;
  let n = 0;
  let key = '';
  let lastKey = '';
  const bad = (message: string): ParsedRecord => ({ line: Math.max(1, n), errors: [{ line: Math.max(1, n), field: 'file', message }] });
  const notAList = `the file is not a JSON list of records or an object with ${shape.listKeys.map((k) => `"${k}"`).join(' or ')}`;
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = current ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (inString) {
        if (!current && depth === 1 && !escaped && ch !== '"') key += ch;
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') {
          inString = false;
          if (!current && depth === 1) lastKey = key;
        }
        continue;
      }
      if (ch === '"') {
        inString = true;
        key = '';
        continue;
      }
      if (ch === '{' || ch === '[') {
        if (!seenTop) {
          seenTop = true;
          if (ch === '[') listDepth = 1;
        } else if (ch === '[' && listDepth < 0 && depth === 1 && shape.listKeys.includes(lastKey)) listDepth = 2;
        else if (ch === '{' && listDepth > 0 && !listDone && depth === listDepth && !current) {
          current = [];
          start = i;
        } else if (depth === listDepth && !listDone && !current) {
          yield bad(`record ${n + 1} is not an object`);
          return;
        }
        depth += 1;
      } else if (ch === '}' || ch === ']') {
        depth -= 1;
        if (ch === ']' && !current && listDepth > 0 && depth === listDepth - 1) listDone = true;
        if (current && ch === '}' && depth === listDepth) {
          current.push(text.slice(start, i + 1));
          n += 1;
          let obj: unknown;
          try {
            obj = JSON.parse(current.join(''));
          } catch {
            yield bad(`record ${n} is not valid JSON`);
            return;
          }
          current = null;
          start = -1;
          const rec = shape.toRecord(n, obj as Record<string, unknown>);
          if (rec) yield rec;
        }
      } else if (!seenTop && !/\s/.test(ch) && ch !== '\uFEFF') {
        yield bad(notAList);
        return;
      } else if (depth === listDepth && !listDone && !current && !/[\s,]/.test(ch)) {
        yield bad(`record ${n + 1} is not an object`);
        return;
      }
    }
    if (current && start >= 0) current.push(text.slice(start));
  }
  if (!seenTop || listDepth < 0) yield bad(notAList);
  else if (depth !== 0 || inString) yield bad('the file ends in the middle of a record');
}
