// Adapters from what each payment source returns to the one payment record (decision number, amount, paid at, channel,
// reference): the documented format, a payment gateway's transaction export (VNPAY-shaped), the National Public
// Service Portal's payment results, and a bank account statement. Each is described with an example in
// docs/payments.md. A bad value is reported on the source's own line and field name. Pure: no I/O.
import { DECISION_NUMBER_RE, type PaymentSource } from '@phatnguoi/core/contracts/api/reports';
import {
  CSV_COLUMNS,
  STANDARD_CSV,
  STANDARD_JSON,
  csvFields,
  csvRecords,
  jsonRecords,
  normalName,
  validateRecord,
  type CsvShape,
  type JsonShape,
  type ParsedRecord,
  type RecordError,
} from './payment-records';

type Column = (typeof CSV_COLUMNS)[number];
/** One field of the record as a source gives it: its name in the file, the value in the documented form, or why it has none. */
type Field = { name: string; value?: string | undefined; error?: string | undefined };

/**
 * A record from a source's fields: the source's own complaints first, then the documented format's checks on the
 * values it converted; every error carries the source's field name.
 */
export function adaptRecord(line: number, fields: Record<Column, Field>, extra: RecordError[] = []): ParsedRecord {
  const own: RecordError[] = CSV_COLUMNS.filter((c) => fields[c].error).map((c) => ({ line, field: fields[c].name, message: fields[c].error! }));
  const checked = validateRecord(line, Object.fromEntries(CSV_COLUMNS.map((c) => [c, fields[c].value])), (c) => c);
  const flagged = new Set(own.map((e) => e.field));
  const rest = (checked.errors ?? []).map((e) => ({ ...e, field: fields[e.field as Column].name })).filter((e) => !flagged.has(e.field));
  const errors = [...own, ...rest, ...extra];
  return errors.length || !checked.record ? { line, errors: errors.length ? errors : checked.errors! } : checked;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const pad = (n: string) => n.padStart(2, '0');

/**
 * A decision number inside free text (a transfer's description, a gateway's order info), which banks and gateways
 * write without diacritics and in any case: "NOP PHAT QD 12/QD-XPHC" is 12/QĐ-XPHC.
 */
export function decisionNumberIn(s: string): string | null {
  const m = /(\d{1,9})\s*\/\s*Q[ĐD]\s*-\s*([A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*)/u.exec(s.normalize('NFC').toUpperCase());
  if (!m) return null;
  const n = `${m[1]}/QĐ-${m[2]}`;
  return DECISION_NUMBER_RE.test(n) ? n : null;
}

/** "dd/MM/yyyy[ HH:mm[:ss]]", Vietnam time (how Vietnamese banks and the portal print times), as ISO 8601 with +07:00. */
export function vnDateTime(s: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s.trim());
  if (!m) return null;
  const iso = `${m[3]}-${pad(m[2]!)}-${pad(m[1]!)}T${pad(m[4] ?? '0')}:${m[5] ?? '00'}:${m[6] ?? '00'}+07:00`;
  const d = new Date(iso);
  // 31/02 and 25:00 are not times
  return !Number.isNaN(d.getTime()) && new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 19) === iso.slice(0, 19) ? iso : null;
}

/**
 * Payment gateway (VNPAY-shaped transaction query / IPN results): a JSON list, or its "data" member. vnp_Amount is the
 * amount times 100, vnp_PayDate is yyyyMMddHHmmss in Vietnam time, vnp_TransactionNo the gateway's reference, and
 * vnp_OrderInfo the order text holding the decision number. Only successful transactions (vnp_ResponseCode and
 * vnp_TransactionStatus "00") belong in a reconciliation file; any other is refused on its line. Paid through the
 * traffic app, whose payments the gateway collects: channel app.
 */
export const GATEWAY_JSON: JsonShape = {
  listKeys: ['data'],
  toRecord(line, o) {
    const info = text(o.vnp_OrderInfo);
    const number = decisionNumberIn(info);
    const amount100 = text(o.vnp_Amount);
    const payDate = text(o.vnp_PayDate);
    const pd = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(payDate);
    const extra: RecordError[] = [];
    for (const f of ['vnp_ResponseCode', 'vnp_TransactionStatus'])
      if (text(o[f]) !== '00')
        extra.push({ line, field: f, message: `"${text(o[f]).slice(0, 10)}" is not a successful transaction ("00"); export successful ones only` });
    return adaptRecord(
      line,
      {
        decision_number: {
          name: 'vnp_OrderInfo',
          value: number ?? undefined,
          error: info && !number ? `no decision number such as 12/QĐ-XPHC in "${info.slice(0, 60)}"` : undefined,
        },
        amount: {
          name: 'vnp_Amount',
          value: /^\d+00$/.test(amount100) ? amount100.slice(0, -2) : undefined,
          error: amount100 && !/^\d+00$/.test(amount100) ? `"${amount100.slice(0, 20)}" is not an amount times 100 (whole VND)` : undefined,
        },
        paid_at: {
          name: 'vnp_PayDate',
          value: pd ? `${pd[1]}-${pd[2]}-${pd[3]}T${pd[4]}:${pd[5]}:${pd[6]}+07:00` : undefined,
          error: payDate && !pd ? `"${payDate.slice(0, 20)}" is not yyyyMMddHHmmss` : undefined,
        },
        channel: { name: 'channel', value: 'app' },
        reference: { name: 'vnp_TransactionNo', value: text(o.vnp_TransactionNo) },
      },
      extra,
    );
  },
};

/**
 * National Public Service Portal (dichvucong.gov.vn) payment results: a JSON list, or its "DanhSach" member, of
 * { MaHoSo, SoQuyetDinh, SoTien, NgayThanhToan "dd/MM/yyyy HH:mm:ss" (Vietnam time), MaGiaoDich, TrangThaiThanhToan
 * (1: paid) }. Channel portal; MaHoSo (the portal's file number) and KenhThanhToan (the bank or wallet used) are not kept.
 */
export const PORTAL_JSON: JsonShape = {
  listKeys: ['DanhSach'],
  toRecord(line, o) {
    const at = text(o.NgayThanhToan);
    const iso = vnDateTime(at);
    const status = text(o.TrangThaiThanhToan);
    return adaptRecord(
      line,
      {
        decision_number: { name: 'SoQuyetDinh', value: text(o.SoQuyetDinh).normalize('NFC') },
        amount: { name: 'SoTien', value: text(o.SoTien) },
        paid_at: {
          name: 'NgayThanhToan',
          value: iso ?? undefined,
          error: at && !iso ? `"${at.slice(0, 30)}" is not a time such as 01/03/2026 09:15:00` : undefined,
        },
        channel: { name: 'channel', value: 'portal' },
        reference: { name: 'MaGiaoDich', value: text(o.MaGiaoDich) },
      },
      status === '1' ? [] : [{ line, field: 'TrangThaiThanhToan', message: `"${status.slice(0, 10)}" is not a completed payment (1)` }],
    );
  },
};

const BANK_COLUMNS = ['ngày giao dịch', 'số tham chiếu', 'ghi có', 'nội dung'] as const;
/** Whole VND as a bank prints it: 5000000, 5,000,000 or 5.000.000. */
const bankAmount = (s: string) => (/^\d{1,3}([.,]\d{3})+$|^\d+$/.test(s) ? s.replace(/[.,]/g, '') : null);

/**
 * Bank account statement (sao kê tài khoản) exported as CSV from internet banking: the columns Ngày giao dịch
 * (dd/MM/yyyy [HH:mm[:ss]], Vietnam time), Số tham chiếu, Ghi nợ, Ghi có, Nội dung (other columns such as STT and
 * Số dư are ignored). Each credit is a fine paid into the unit's collection account, its decision number written in
 * the description; debits (money out, fees) are passed over. Channel bank.
 */
export const BANK_STATEMENT_CSV: CsvShape = {
  columns: BANK_COLUMNS,
  toRecord(line, row) {
    const credit = (row['ghi có'] ?? '').trim();
    const debit = (row['ghi nợ'] ?? '').trim();
    if ((credit === '' || /^0+$/.test(credit)) && debit !== '' && !/^0+$/.test(debit)) return null;
    const description = (row['nội dung'] ?? '').trim();
    const number = decisionNumberIn(description);
    const amount = bankAmount(credit);
    const at = (row['ngày giao dịch'] ?? '').trim();
    const iso = vnDateTime(at);
    return adaptRecord(line, {
      decision_number: {
        name: 'Nội dung',
        value: number ?? undefined,
        error: description && !number ? `no decision number such as 12/QĐ-XPHC in "${description.slice(0, 60)}"` : undefined,
      },
      amount: {
        name: 'Ghi có',
        value: amount ?? undefined,
        error: credit && !amount ? `"${credit.slice(0, 20)}" is not a whole number of VND such as 5,000,000` : undefined,
      },
      paid_at: {
        name: 'Ngày giao dịch',
        value: iso ?? undefined,
        error: at && !iso ? `"${at.slice(0, 30)}" is not a day such as 01/03/2026 09:15:00` : undefined,
      },
      channel: { name: 'channel', value: 'bank' },
      reference: { name: 'Số tham chiếu', value: (row['số tham chiếu'] ?? '').trim() },
    });
  },
};

/** The file format each source sends. */
export const SOURCE_FORMAT: Record<PaymentSource, 'csv' | 'json' | 'both'> = { standard: 'both', gateway: 'json', portal: 'json', 'bank-statement': 'csv' };

/**
 * The source of a file not named by the uploader, from its first 64 KiB: a CSV header with the statement's columns, a
 * JSON record with vnp_ keys (gateway) or SoQuyetDinh (portal); otherwise the documented format (whose own checks then
 * explain what is wrong).
 */
export function detectSource(format: 'csv' | 'json', content: Buffer): PaymentSource {
  const head = content
    .subarray(0, 65_536)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (format === 'csv') {
    const header = csvFields(head.split(/\r?\n/, 1)[0] ?? '').map(normalName);
    return BANK_COLUMNS.every((c) => header.includes(c)) ? 'bank-statement' : 'standard';
  }
  if (/"vnp_[A-Za-z]+"\s*:/.test(head)) return 'gateway';
  if (/"SoQuyetDinh"\s*:/.test(head)) return 'portal';
  return 'standard';
}

/** The records of a file from the given source, parsed as a stream of chunks. */
export function sourceRecords(source: PaymentSource, format: 'csv' | 'json', chunks: AsyncIterable<Buffer>): AsyncGenerator<ParsedRecord> {
  if (format === 'csv') return csvRecords(chunks, source === 'bank-statement' ? BANK_STATEMENT_CSV : STANDARD_CSV);
  return jsonRecords(chunks, source === 'gateway' ? GATEWAY_JSON : source === 'portal' ? PORTAL_JSON : STANDARD_JSON);
}
