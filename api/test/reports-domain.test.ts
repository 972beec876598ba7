// Pure parts of reconciliation and reports: streamed CSV/JSON payment records (cut at any chunk boundary), the
// mismatch rule, and the periods of scheduled reports.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { csvRecords, jsonRecords, type ParsedRecord } from '../src/domain/payment-records';
import { decisionNumberIn, detectSource, sourceRecords, vnDateTime } from '../src/domain/payment-sources';
import { mismatchOf } from '../src/services/payments';
import { nextRunAfter, periodOfRun } from '../src/services/report-schedules';

async function all(gen: AsyncGenerator<ParsedRecord>): Promise<ParsedRecord[]> {
  const out: ParsedRecord[] = [];
  for await (const r of gen) out.push(r);
  return out;
}
/** The text in chunks of `size` bytes, as a socket might deliver it (multi-byte characters split too). */
async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const b = Buffer.from(text, 'utf8');
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

const CSV =
  '\uFEFFdecision_number,amount,paid_at,channel,reference\r\n' +
  '12/QĐ-XPHC,5000000,2026-03-01T09:15:00+07:00,bank,VCB-0001\r\n' +
  '"13/QĐ-XPHC","800000",2026-03-02T10:00:00Z,portal,DVC/2026/77\r\n\r\n';

describe('payment records', () => {
  it('reads CSV row by row whatever the chunk size, with the BOM, CRLF, quotes and a blank line', async () => {
    for (const size of [1, 3, 7, 4096]) {
      const rows = await all(csvRecords(chunks(CSV, size)));
      expect(rows.map((r) => r.record)).toEqual([
        { decisionNumber: '12/QĐ-XPHC', amount: 5_000_000, paidAt: new Date('2026-03-01T02:15:00Z'), channel: 'bank', reference: 'VCB-0001' },
        { decisionNumber: '13/QĐ-XPHC', amount: 800_000, paidAt: new Date('2026-03-02T10:00:00Z'), channel: 'portal', reference: 'DVC/2026/77' },
      ]);
      expect(rows.map((r) => r.line)).toEqual([2, 3]);
    }
  });

  it('names the line and field of every bad value', async () => {
    const rows = await all(
      csvRecords(chunks('decision_number,amount,paid_at,channel,reference\n12/QĐ,5e6,2026-03-01 09:15,cash,\n1/QĐ-XPHC,1,2026-03-01T09:15:00+07:00,bank\n', 5)),
    );
    expect(rows[0]!.errors).toEqual([
      { line: 2, field: 'decision_number', message: '"12/QĐ" is not a decision number such as 123/QĐ-XPHC' },
      { line: 2, field: 'amount', message: '"5e6" is not a whole, positive number of VND' },
      { line: 2, field: 'paid_at', message: '"2026-03-01 09:15" is not a time with its offset such as 2026-03-01T09:15:00+07:00' },
      { line: 2, field: 'channel', message: '"cash" is not one of bank, portal, app, counter, post' },
      { line: 2, field: 'reference', message: 'missing' },
    ]);
    expect(rows[1]!.errors).toEqual([{ line: 3, field: 'row', message: 'has 4 fields; the header has 5' }]);
    expect((await all(csvRecords(chunks('so_qd,tien\n1,2\n', 4))))[0]!.errors![0]).toMatchObject({ line: 1, field: 'header' });
    expect((await all(csvRecords(chunks('', 4))))[0]!.errors![0]).toMatchObject({ line: 1, message: 'the file is empty' });
  });

  it('reads JSON records one object at a time, as a bare list or under "records", ignoring other members', async () => {
    const list = [
      {
        decisionNumber: '12/QĐ-XPHC',
        amount: 5000000,
        paidAt: '2026-03-01T09:15:00+07:00',
        channel: 'app',
        reference: 'APP-1',
        extra: { nested: [1, { a: '}' }] },
      },
      { decisionNumber: '13/QĐ-XPHC', amount: '800000', paidAt: '2026-03-02T10:00:00Z', channel: 'counter', reference: 'Q-"2"' },
    ];
    const wrapped = JSON.stringify({ generatedAt: '2026-03-03T00:00:00Z', meta: [{ x: 1 }], records: list, trailer: [{ decisionNumber: 'ignored' }] }, null, 1);
    for (const text of [JSON.stringify(list), wrapped]) {
      for (const size of [1, 5, 64 * 1024]) {
        const rows = await all(jsonRecords(chunks(text, size)));
        expect(rows.map((r) => r.line)).toEqual([1, 2]);
        expect(rows[0]!.record).toEqual({
          decisionNumber: '12/QĐ-XPHC',
          amount: 5_000_000,
          paidAt: new Date('2026-03-01T02:15:00Z'),
          channel: 'app',
          reference: 'APP-1',
        });
        expect(rows[1]!.errors).toEqual([{ line: 2, field: 'reference', message: 'must be 1-100 letters, digits or . _ - /' }]);
      }
    }
  });

  it('refuses JSON that is not a list of records', async () => {
    expect((await all(jsonRecords(chunks('{"items": []}', 3))))[0]!.errors![0]!.message).toMatch(/not a JSON list/);
    expect((await all(jsonRecords(chunks('[1, 2]', 3))))[0]!.errors![0]!.message).toBe('record 1 is not an object');
    expect((await all(jsonRecords(chunks('[{"decisionNumber": "1/QĐ-XPHC"', 3))))[0]!.errors![0]!.message).toBe('the file ends in the middle of a record');
    expect((await all(jsonRecords(chunks('decision_number,amount', 3))))[0]!.errors![0]!.message).toMatch(/not a JSON list/);
  });
});

describe('payment sources (adapters; examples from docs/payment-examples)', () => {
  const example = (name: string) => readFileSync(new URL(`../../docs/payment-examples/${name}`, import.meta.url));
  const parse = async (source: Parameters<typeof sourceRecords>[0], format: 'csv' | 'json', text: string | Buffer, size = 5) =>
    all(sourceRecords(source, format, chunks(text.toString(), size)));
  const gatewayRow = {
    vnp_Amount: '500000000',
    vnp_OrderInfo: 'Nop phat QD 9101/QD-XPHC',
    vnp_PayDate: '20260301091500',
    vnp_TransactionNo: '14226112',
    vnp_ResponseCode: '00',
    vnp_TransactionStatus: '00',
  };
  const portalRow = { SoQuyetDinh: '9102/QĐ-XPHC', SoTien: 5000000, NgayThanhToan: '01/03/2026 10:00:00', MaGiaoDich: 'DVC-1', TrangThaiThanhToan: '1' };
  const bankHeader = 'STT,Ngày giao dịch,Số tham chiếu,Ghi nợ,Ghi có,Số dư,Nội dung\n';

  it('finds the decision number in free text and reads Vietnamese day-first times', () => {
    expect(decisionNumberIn('NGUYEN VAN A NOP PHAT QD 9103/QD-XPHC')).toBe('9103/QĐ-XPHC');
    expect(decisionNumberIn('nộp phạt qđ số 12 / QĐ-XPHC ngày 1/3')).toBe('12/QĐ-XPHC');
    expect(decisionNumberIn('Phi quan ly tai khoan')).toBeNull();
    expect(vnDateTime('01/03/2026 09:15:00')).toBe('2026-03-01T09:15:00+07:00');
    expect(vnDateTime('1/3/2026')).toBe('2026-03-01T00:00:00+07:00');
    expect(vnDateTime('31/02/2026 10:00')).toBeNull();
    expect(vnDateTime('2026-03-01')).toBeNull();
  });

  it('tells the sources apart from the file', () => {
    expect(detectSource('json', example('gateway.json'))).toBe('gateway');
    expect(detectSource('json', example('portal.json'))).toBe('portal');
    expect(detectSource('csv', example('bank-statement.csv'))).toBe('bank-statement');
    // a header written in decomposed Unicode (NFD) is the same header
    expect(detectSource('csv', Buffer.from(bankHeader.normalize('NFD')))).toBe('bank-statement');
    expect(detectSource('csv', Buffer.from(CSV))).toBe('standard');
    expect(detectSource('json', Buffer.from('[{"decisionNumber": "1/QĐ-XPHC"}]'))).toBe('standard');
  });

  it('gateway: amount ÷ 100, yyyyMMddHHmmss in Vietnam time, the number out of the order info; bad values named by their vnp_ field', async () => {
    for (const size of [3, 4096]) {
      expect((await parse('gateway', 'json', example('gateway.json'), size)).map((r) => r.record)).toEqual([
        { decisionNumber: '9101/QĐ-XPHC', amount: 5_000_000, paidAt: new Date('2026-03-01T02:15:00Z'), channel: 'app', reference: '14226112' },
      ]);
    }
    const bad = await parse(
      'gateway',
      'json',
      JSON.stringify([
        { ...gatewayRow, vnp_Amount: '500000050', vnp_PayDate: '2026-03-01', vnp_OrderInfo: 'Thanh toan don hang' },
        { ...gatewayRow, vnp_ResponseCode: '24', vnp_TransactionNo: undefined },
      ]),
    );
    expect(bad.map((r) => r.errors)).toEqual([
      [
        { line: 1, field: 'vnp_OrderInfo', message: 'no decision number such as 12/QĐ-XPHC in "Thanh toan don hang"' },
        { line: 1, field: 'vnp_Amount', message: '"500000050" is not an amount times 100 (whole VND)' },
        { line: 1, field: 'vnp_PayDate', message: '"2026-03-01" is not yyyyMMddHHmmss' },
      ],
      [
        { line: 2, field: 'vnp_TransactionNo', message: 'missing' },
        { line: 2, field: 'vnp_ResponseCode', message: '"24" is not a successful transaction ("00"); export successful ones only' },
      ],
    ]);
    expect((await parse('gateway', 'json', '{"records": []}'))[0]!.errors![0]!.message).toBe('the file is not a JSON list of records or an object with "data"');
  });

  it('portal: SoQuyetDinh, SoTien, NgayThanhToan day-first, MaGiaoDich; only completed payments', async () => {
    expect((await parse('portal', 'json', example('portal.json'))).map((r) => r.record)).toEqual([
      { decisionNumber: '9102/QĐ-XPHC', amount: 5_000_000, paidAt: new Date('2026-03-01T03:00:00Z'), channel: 'portal', reference: 'DVC-260301-000077' },
    ]);
    const bad = await parse(
      'portal',
      'json',
      JSON.stringify({ DanhSach: [{ ...portalRow, SoTien: 'năm triệu', NgayThanhToan: '31/02/2026 10:00:00', TrangThaiThanhToan: '0', SoQuyetDinh: '9102' }] }),
    );
    expect(bad[0]!.errors).toEqual([
      { line: 1, field: 'NgayThanhToan', message: '"31/02/2026 10:00:00" is not a time such as 01/03/2026 09:15:00' },
      { line: 1, field: 'SoQuyetDinh', message: '"9102" is not a decision number such as 123/QĐ-XPHC' },
      { line: 1, field: 'SoTien', message: '"năm triệu" is not a whole, positive number of VND' },
      { line: 1, field: 'TrangThaiThanhToan', message: '"0" is not a completed payment (1)' },
    ]);
  });

  it('bank statement: credits are payments (thousands separators, number in the description), debits passed over; lines as in the file', async () => {
    for (const size of [2, 4096]) {
      const rows = await parse('bank-statement', 'csv', example('bank-statement.csv'), size);
      expect(rows).toEqual([
        {
          line: 2,
          record: {
            decisionNumber: '9103/QĐ-XPHC',
            amount: 5_000_000,
            paidAt: new Date('2026-03-01T04:02:41Z'),
            channel: 'bank',
            reference: 'FT26060912345678',
          },
        },
      ]);
    }
    const bad = await parse(
      'bank-statement',
      'csv',
      `${bankHeader}1,01/03/2026,FT1,,"5,00,000",,NOP PHAT QD 9103/QD-XPHC\n2,2026-03-01,FT 2,,5.000.000,,Chuyen tien\n3,01/03/2026,FT3,,,,NOP PHAT QD 9104/QD-XPHC\n`,
    );
    expect(bad.map((r) => r.errors)).toEqual([
      [{ line: 2, field: 'Ghi có', message: '"5,00,000" is not a whole number of VND such as 5,000,000' }],
      [
        { line: 3, field: 'Nội dung', message: 'no decision number such as 12/QĐ-XPHC in "Chuyen tien"' },
        { line: 3, field: 'Ngày giao dịch', message: '"2026-03-01" is not a day such as 01/03/2026 09:15:00' },
        { line: 3, field: 'Số tham chiếu', message: 'must be 1-100 letters, digits or . _ - /' },
      ],
      [{ line: 4, field: 'Ghi có', message: 'missing' }],
    ]);
    expect((await parse('bank-statement', 'csv', 'decision_number,amount\n'))[0]!.errors![0]).toMatchObject({ line: 1, field: 'header' });
  });
});

describe('mismatch rule', () => {
  const paid = { amount: 5_000_000, paidAt: new Date('2026-03-01T02:00:00Z') };
  const d = { amount: 5_000_000, status: 'unpaid', lapsesOn: '2027-01-01', caseStatus: 'notified' };
  it('settles a payment of the right amount in time, and names every other case', () => {
    expect(mismatchOf(d, paid)).toBeNull();
    expect(mismatchOf(null, paid)).toBe('unknown_decision');
    expect(mismatchOf({ ...d, status: 'paid' }, paid)).toBe('paid_twice');
    expect(mismatchOf(d, { ...paid, amount: 4_000_000 })).toBe('wrong_amount');
    expect(mismatchOf({ ...d, lapsesOn: '2026-02-28' }, paid)).toBe('paid_after_lapse');
    expect(mismatchOf({ ...d, caseStatus: 'lapsed' }, paid)).toBe('paid_after_lapse');
    // the day that counts is Vietnam's: 2026-02-28T17:30Z is already 1 March there
    expect(mismatchOf({ ...d, lapsesOn: '2026-02-28' }, { ...paid, paidAt: new Date('2026-02-28T16:59:00Z') })).toBeNull();
    expect(mismatchOf({ ...d, lapsesOn: '2026-02-28' }, { ...paid, paidAt: new Date('2026-02-28T17:30:00Z') })).toBe('paid_after_lapse');
  });
});

describe('report schedules', () => {
  it('sends at 06:00 Vietnam time after the period and reports the whole period before the run', () => {
    const at = new Date('2026-12-07T10:00:00Z'); // Monday 7 Dec, 17:00 in Vietnam
    expect(nextRunAfter('day', at).toISOString()).toBe('2026-12-07T23:00:00.000Z');
    expect(nextRunAfter('week', at).toISOString()).toBe('2026-12-13T23:00:00.000Z');
    expect(nextRunAfter('month', at).toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(nextRunAfter('day', new Date('2026-12-07T22:59:00Z')).toISOString()).toBe('2026-12-07T23:00:00.000Z');
    expect(periodOfRun('day', new Date('2026-12-07T23:00:00Z'))).toEqual({ from: '2026-12-07', to: '2026-12-07' });
    expect(periodOfRun('week', new Date('2026-12-13T23:00:00Z'))).toEqual({ from: '2026-12-07', to: '2026-12-13' });
    expect(periodOfRun('month', new Date('2026-12-31T23:00:00Z'))).toEqual({ from: '2026-12-01', to: '2026-12-31' });
  });
});
