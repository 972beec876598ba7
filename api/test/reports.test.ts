// Penalty decisions, payment reconciliation and reports against real PostgreSQL, Redis/BullMQ and S3: seeded cases
// whose figures are known, each report checked to the unit (JSON, CSV, XLSX, PDF), the rollups against a rebuild
// from the cases, a decision recorded and printed, payment files with every kind of mismatch imported by the job,
// imported again (nothing changes), refused when a row is bad (nothing changes), mismatches resolved; a scheduled
// report e-mailed once per run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { bearer, startHarness, waitFor, type Harness } from './helpers';
import { newToken, tokenHash } from '../src/domain/tokens';
import { createCamera } from '../src/seed/demo';
import { demoEvent } from '../src/seed/demo';
import { ingestEvent } from '../src/jobs/handlers';
import { solveChallenge } from '../src/services/pow';
import { sweepDueReports } from '../src/services/report-schedules';
import { createImport, requeueStalledImports } from '../src/services/payments';
import { verifyAuditChain } from '../src/audit/chain';

let h: Harness;
const tokens: Record<string, string> = {};
let cameraB = '';
/** A session for a seeded user, made as the login route makes one (logging in is tested elsewhere; this skips argon2). */
async function sessionOf(username: string): Promise<string> {
  const token = newToken();
  await h.db.pool.query(`INSERT INTO sessions (token_hash, user_id, expires_at) SELECT $1, id, now() + interval '30 days' FROM users WHERE username = $2`, [
    tokenHash(token),
    username,
  ]);
  return token;
}

beforeAll(async () => {
  h = await startHarness();
  for (const u of ['officer1', 'officer2', 'super1', 'operator1', 'admin1', 'superhn']) tokens[u] = await sessionOf(u);
  cameraB = await createCamera(h.db.pool, { agencyId: h.ids.agency, name: 'Cầu Quay', address: 'TP Mỹ Tho' });
});
afterAll(async () => h?.close());

const get = (user: string, url: string) => h.app.inject({ method: 'GET', url, headers: bearer(tokens[user]!) });
const post = (user: string, url: string, payload?: unknown) =>
  h.app.inject({ method: 'POST', url, headers: bearer(tokens[user]!), ...(payload !== undefined ? { payload: payload as object } : {}) });
const DAY = 86_400_000;

interface Spec {
  camera: 'A' | 'B' | 'C';
  day: string;
  type: string;
  vehicle: 'car' | 'motorbike';
  status: string;
  reason?: string;
  /** days from the violation to the notice */
  noticed?: number;
  /** days from the notice to the escalation */
  escalated?: number;
  paid?: boolean;
  overdue?: boolean;
}
/** Inserts a case as the workflow would have left it (the rollup triggers see the insert). */
async function insertCase(s: Spec): Promise<string> {
  const camera = s.camera === 'A' ? h.ids.camera : s.camera === 'B' ? cameraB : h.ids.otherCamera;
  const agency = s.camera === 'C' ? h.ids.otherAgency : h.ids.agency;
  const at = new Date(`${s.day}T09:00:00+07:00`);
  const noticed = s.noticed === undefined ? null : new Date(at.getTime() + s.noticed * DAY);
  const escalated = s.escalated === undefined || !noticed ? null : new Date(noticed.getTime() + s.escalated * DAY);
  const { rows } = await h.db.pool.query<{ id: string }>(
    `INSERT INTO cases (idempotency_key, agency_id, camera_id, type, status, occurred_at, track_id, phase_id, vehicle_type, plate_text, event,
                        notice_due_at, public_token, rejected_reason, rejected_text, noticed_at, escalated_at, paid_at, overdue)
     VALUES ($1,$2,$3,$4,$5,$6,'t','p',$7,$8,'{}',$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id`,
    [
      randomUUID(),
      agency,
      camera,
      s.type,
      s.status,
      at,
      s.vehicle,
      s.vehicle === 'car' ? '63A-555.55' : '63-B1 555.55',
      new Date(at.getTime() + 10 * DAY),
      randomUUID(),
      s.reason ?? null,
      s.reason === 'other' ? 'khác' : null,
      noticed,
      escalated,
      s.paid ? new Date(at.getTime() + 15 * DAY) : null,
      s.overdue ?? false,
    ],
  );
  return rows[0]!.id;
}
/** A status change as the workflow makes it (the update triggers see it). */
async function review(id: string, set: string, params: unknown[]): Promise<void> {
  await h.db.pool.query(`UPDATE cases SET ${set} WHERE id = $1`, [id, ...params]);
}

describe('reports', () => {
  beforeAll(async () => {
    // Tiền Giang (agency of cameras A and B), March 2022; see each report's expected figures below.
    await insertCase({ camera: 'A', day: '2022-03-01', type: 'red_light', vehicle: 'motorbike', status: 'notified', noticed: 2 });
    await insertCase({ camera: 'A', day: '2022-03-01', type: 'red_light', vehicle: 'motorbike', status: 'resolved', noticed: 2, paid: true });
    const r3 = await insertCase({ camera: 'A', day: '2022-03-01', type: 'red_light', vehicle: 'motorbike', status: 'detected' });
    const r4 = await insertCase({ camera: 'A', day: '2022-03-01', type: 'red_light', vehicle: 'motorbike', status: 'detected' });
    await insertCase({ camera: 'A', day: '2022-03-01', type: 'red_light', vehicle: 'car', status: 'escalated', noticed: 3, escalated: 20 });
    await insertCase({ camera: 'A', day: '2022-03-01', type: 'wrong_lane', vehicle: 'car', status: 'lapsed', noticed: 12, escalated: 25 });
    const r7 = await insertCase({ camera: 'A', day: '2022-03-02', type: 'red_light', vehicle: 'motorbike', status: 'detected' });
    const r8 = await insertCase({ camera: 'A', day: '2022-03-02', type: 'red_light', vehicle: 'motorbike', status: 'detected' });
    const r9 = await insertCase({ camera: 'A', day: '2022-03-02', type: 'red_light', vehicle: 'motorbike', status: 'detected' });
    await insertCase({ camera: 'A', day: '2022-03-03', type: 'red_light', vehicle: 'motorbike', status: 'resolved', noticed: 11 });
    const r11 = await insertCase({ camera: 'A', day: '2022-03-03', type: 'red_light', vehicle: 'motorbike', status: 'detected' });
    const r12 = await insertCase({ camera: 'A', day: '2022-03-04', type: 'red_light', vehicle: 'car', status: 'notified', noticed: 1 });
    await insertCase({ camera: 'A', day: '2022-03-04', type: 'speeding', vehicle: 'car', status: 'detected' });
    await insertCase({ camera: 'B', day: '2022-03-01', type: 'wrong_way', vehicle: 'motorbike', status: 'notified', noticed: 5 });
    await insertCase({ camera: 'B', day: '2022-03-01', type: 'wrong_way', vehicle: 'motorbike', status: 'rejected', reason: 'other' });
    await insertCase({ camera: 'B', day: '2022-03-04', type: 'red_light', vehicle: 'motorbike', status: 'detected' });
    // Hà Nội: four cars on 2 March, not in Tiền Giang's reports.
    for (let i = 0; i < 4; i++) await insertCase({ camera: 'C', day: '2022-03-02', type: 'red_light', vehicle: 'car', status: 'detected' });

    const u = h.ids.users;
    const at = (s: string) => new Date(`${s}+07:00`);
    await review(r3, `status = 'rejected', rejected_by = $2, rejected_reason = 'duplicate', updated_at = $3`, [u.officer2, at('2022-03-01T10:00:00')]);
    await review(r4, `status = 'rejected', rejected_by = $2, rejected_reason = 'plate_unreadable', updated_at = $3`, [u.officer2, at('2022-03-01T11:00:00')]);
    await review(r8, `status = 'confirmed', confirmed_by = $2, confirmed_at = $3, updated_at = $3`, [u.officer1, at('2022-03-02T10:00:00')]);
    await review(r9, `status = 'confirmed', confirmed_by = $2, confirmed_at = $3, updated_at = $3`, [u.officer1, at('2022-03-02T10:05:00')]);
    await review(r9, `status = 'approved', approved_by = $2, approved_at = $3, updated_at = $3`, [u.super1, at('2022-03-03T08:00:00')]);
    await review(r11, `status = 'rejected', rejected_by = $2, rejected_reason = 'duplicate', updated_at = $3`, [u.officer1, at('2022-03-03T09:00:00')]);
    // officer2's confirmation of r7 returned by the supervisor; r7 then passed its notice deadline
    await review(r7, `status = 'confirmed', confirmed_by = $2, confirmed_at = $3, updated_at = $3`, [u.officer2, at('2022-03-02T09:00:00')]);
    await review(r7, `status = 'detected', confirmed_by = NULL, confirmed_at = NULL, updated_at = $2`, [at('2022-03-02T15:00:00')]);
    await review(r7, 'overdue = true', []);
    // r12's 20-day clock ran out long ago without an escalation: an escalation owed
    await h.db.pool.query(`INSERT INTO case_deadlines (case_id, kind, due_at) VALUES ($1, 'response_due', $2)`, [r12, at('2022-03-25T09:00:00')]);
  });

  const q = 'from=2022-03-01&to=2022-03-31';
  type Table = { columns: { key: string }[]; rows: (string | number | null)[][]; totals: (string | number | null)[] };
  const report = async (user: string, kind: string, query: string) => {
    const res = await get(user, `/api/reports/${kind}?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Table;
  };

  it('per camera per day by violation type', async () => {
    const t = await report('super1', 'camera-daily', q);
    expect(t.columns.map((c) => c.key)).toEqual(['day', 'camera', 'red_light', 'wrong_lane', 'wrong_way', 'speeding', 'total']);
    expect(t.rows).toEqual([
      ['2022-03-01', 'Cầu Quay', 0, 0, 2, 0, 2],
      ['2022-03-01', 'Ngã tư Lê Lợi - Hùng Vương', 5, 1, 0, 0, 6],
      ['2022-03-02', 'Ngã tư Lê Lợi - Hùng Vương', 3, 0, 0, 0, 3],
      ['2022-03-03', 'Ngã tư Lê Lợi - Hùng Vương', 2, 0, 0, 0, 2],
      ['2022-03-04', 'Cầu Quay', 1, 0, 0, 0, 1],
      ['2022-03-04', 'Ngã tư Lê Lợi - Hùng Vương', 1, 0, 0, 1, 2],
    ]);
    expect(t.totals).toEqual(['total', null, 12, 1, 2, 1, 16]);
    // an operator sees the province: Hà Nội's four cases too; a supervisor asking for another agency is refused
    expect((await report('operator1', 'camera-daily', q)).totals).toEqual(['total', null, 16, 1, 2, 1, 20]);
    expect((await report('operator1', 'camera-daily', `${q}&agencyId=${h.ids.otherAgency}`)).totals).toEqual(['total', null, 4, 0, 0, 0, 4]);
    expect((await get('super1', `/api/reports/camera-daily?${q}&agencyId=${h.ids.otherAgency}`)).statusCode).toBe(403);
    expect((await report('superhn', 'camera-daily', q)).totals).toEqual(['total', null, 4, 0, 0, 0, 4]);
  });

  it('the agency picker offers what the user may ask for; a supervisor asking for another agency is refused, file or not', async () => {
    const tg = { id: h.ids.agency, name: 'Phòng CSGT Công an tỉnh Tiền Giang' };
    const hn = { id: h.ids.otherAgency, name: 'Phòng CSGT Công an TP Hà Nội' };
    expect((await get('super1', '/api/report-agencies')).json()).toEqual({ all: false, items: [tg] });
    expect((await get('superhn', '/api/report-agencies')).json()).toEqual({ all: false, items: [hn] });
    for (const u of ['operator1', 'admin1']) {
      const res = await get(u, '/api/report-agencies');
      expect(res.statusCode).toBe(200);
      expect(res.json().all).toBe(true);
      expect(res.json().items).toEqual(expect.arrayContaining([tg, hn]));
    }
    expect((await get('officer1', '/api/report-agencies')).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/report-agencies' })).statusCode).toBe(401);
    // the supervisor's own agency named explicitly is the same as none; another one is refused in every format
    expect((await report('super1', 'outcomes', `${q}&agencyId=${h.ids.agency}`)).totals).toEqual((await report('super1', 'outcomes', q)).totals);
    for (const format of ['json', 'csv', 'xlsx', 'pdf']) {
      const res = await get('super1', `/api/reports/outcomes?${q}&agencyId=${h.ids.otherAgency}&format=${format}`);
      expect(res.statusCode, format).toBe(403);
    }
    expect((await get('superhn', `/api/reports/vehicle-types?${q}&agencyId=${h.ids.agency}`)).statusCode).toBe(403);
    expect((await report('admin1', 'outcomes', `${q}&agencyId=${h.ids.otherAgency}`)).totals[2]).toBe(4);
  });

  it('before and after a date, per camera, per day', async () => {
    const t = await report('super1', 'before-after', 'from=2022-03-01&to=2022-03-04&split=2022-03-03&type=red_light');
    expect(t.rows).toEqual([
      ['Cầu Quay', 0, 0, 1, 0.5, null],
      ['Ngã tư Lê Lợi - Hùng Vương', 8, 4, 3, 1.5, -0.625],
    ]);
    expect(t.totals).toEqual(['total', 8, 4, 4, 2, -0.5]);
  });

  it('cases received, confirmed, rejected by reason, noticed, resolved, paid, lapsed per period and agency', async () => {
    const t = await report('super1', 'outcomes', `${q}&period=month`);
    expect(t.columns.map((c) => c.key)).toEqual([
      'period',
      'agency',
      'received',
      'confirmed',
      'rejected',
      'rejected_stopped_before_line',
      'rejected_emergency_vehicle',
      'rejected_plate_unreadable',
      'rejected_image_unclear',
      'rejected_duplicate',
      'rejected_not_violation',
      'rejected_other',
      'noticed',
      'resolved',
      'paid',
      'lapsed',
    ]);
    expect(t.rows).toEqual([['2022-03-01', 'Phòng CSGT Công an tỉnh Tiền Giang', 16, 9, 4, 0, 0, 1, 0, 2, 0, 1, 7, 2, 1, 1]]);
    const byDay = await report('operator1', 'outcomes', 'from=2022-03-01&to=2022-03-02&period=day');
    expect(byDay.rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['2022-03-01', 'Phòng CSGT Công an tỉnh Tiền Giang', 8],
      ['2022-03-02', 'Phòng CSGT Công an TP Hà Nội', 4],
      ['2022-03-02', 'Phòng CSGT Công an tỉnh Tiền Giang', 3],
    ]);
  });

  it('by vehicle type', async () => {
    const t = await report('super1', 'vehicle-types', q);
    expect(t.rows).toEqual([
      ['car', 4, 0.25, 3, 0.4286],
      ['motorbike', 12, 0.75, 4, 0.5714],
    ]);
    expect(t.totals).toEqual(['total', 16, 1, 7, 1]);
    expect((await report('admin1', 'vehicle-types', q)).rows).toEqual([
      ['car', 8, 0.4, 3, 0.4286],
      ['motorbike', 12, 0.6, 4, 0.5714],
    ]);
  });

  it('reviewer throughput and approval rate', async () => {
    const t = await report('super1', 'reviewers', q);
    expect(t.rows).toEqual([
      ['officer1 (officer1)', 2, 1, 3, 0.6667, 1.5, 0, 0],
      ['officer2 (officer2)', 1, 2, 3, 0.3333, 1.5, 0, 1],
      ['super1 (super1)', 0, 0, 0, null, 1, 1, 0],
    ]);
    expect(t.totals).toEqual(['total', 3, 3, 6, 0.5, null, 1, 1]);
  });

  it('deadline compliance: notices within 10 days, escalations at 20 days', async () => {
    const t = await report('super1', 'deadlines', q);
    expect(t.rows).toEqual([['2022-03-01', 'Phòng CSGT Công an tỉnh Tiền Giang', 7, 5, 2, 0.7143, 1, 1, 1, 1]]);
    // the owed escalation follows its deadline: fired, it is no longer owed; pending again, it is
    const owed = async () => (await report('super1', 'deadlines', q)).rows[0]![9];
    await h.db.pool.query(`UPDATE case_deadlines SET status = 'fired' WHERE kind = 'response_due' AND status = 'pending'`);
    expect(await owed()).toBe(0);
    await h.db.pool.query(`UPDATE case_deadlines SET status = 'pending' WHERE kind = 'response_due' AND status = 'fired'`);
    expect(await owed()).toBe(1);
  });

  it('the rollups the triggers kept equal a rebuild from the cases', async () => {
    const snapshot = async () => [
      (await h.db.pool.query(`SELECT day::text, agency_id, camera_id, type, n::int FROM case_camera_daily WHERE n > 0 ORDER BY 1,2,3,4`)).rows,
      (
        await h.db.pool.query(`SELECT day::text, agency_id, vehicle_type, status, rejected_reason, noticed, notice_late, overdue, escalation, paid, n::int
                                FROM case_outcome_daily WHERE n > 0 ORDER BY 1,2,3,4,5,6,7,8,9,10`)
      ).rows,
      (await h.db.pool.query(`SELECT case_id, due_at, day::text, agency_id FROM pending_response_due ORDER BY 1`)).rows,
    ];
    const kept = await snapshot();
    const cases = Number((await h.db.pool.query('SELECT count(*) FROM cases')).rows[0].count);
    for (const table of kept.slice(0, 2)) expect(table.reduce((s, r) => s + (r.n as number), 0)).toBe(cases);
    expect(kept[2]).toHaveLength(1);
    await h.db.pool.query('SELECT report_rollups_rebuild()');
    expect(await snapshot()).toEqual(kept);
  });

  it('writes CSV, XLSX and PDF files with the same figures; bad periods are refused on their field', async () => {
    const csv = await get('super1', `/api/reports/camera-daily?${q}&format=csv`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="bao-cao-camera-daily-2022-03-01-2022-03-31.csv"');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Ngày,Camera,Vượt đèn đỏ,Sai làn đường,Đi ngược chiều,Quá tốc độ,Tổng cộng');
    expect(lines.at(-1)).toBe('Tổng cộng,,12,1,2,1,16');
    const en = await get('super1', `/api/reports/vehicle-types?${q}&format=csv&lang=en`);
    expect(
      en.body
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .slice(0, 3),
    ).toEqual(['Vehicle type,Received,Share,Notices sent,Share of notices', 'Car,4,0.25,3,0.4286', 'Motorbike,12,0.75,4,0.5714']);

    const xlsx = await get('super1', `/api/reports/outcomes?${q}&format=xlsx`);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(3).value).toBe('Tiếp nhận');
    expect(ws.getRow(2).values).toEqual([undefined, '2022-03-01', 'Phòng CSGT Công an tỉnh Tiền Giang', 16, 9, 4, 0, 0, 1, 0, 2, 0, 1, 7, 2, 1, 1]);
    expect(ws.getRow(3).getCell(1).value).toBe('Tổng cộng');

    const pdf = await get('super1', `/api/reports/deadlines?${q}&format=pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'report-pdf-'));
    writeFileSync(join(dir, 'r.pdf'), pdf.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), '-']).toString();
    expect(text).toContain('TUÂN THỦ THỜI HẠN');
    expect(text).toContain('PHÒNG CSGT CÔNG AN TỈNH TIỀN GIANG');
    expect(text).toMatch(/2022-03-01\s+Phòng CSGT\s+7\s+5\s+2\s+71,4\s?%\s+1\s+1\s+1\s+1\n/);

    const bad = await get('super1', '/api/reports/before-after?from=2022-03-01&to=2022-03-04');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'split_required', errors: [{ path: '/split' }] });
    expect((await get('super1', '/api/reports/outcomes?from=2022-03-05&to=2022-03-01')).json()).toMatchObject({
      error: 'bad_period',
      errors: [{ path: '/to' }],
    });
    expect((await get('super1', '/api/reports/outcomes?from=2022-02-30&to=2022-03-01')).json()).toMatchObject({
      error: 'bad_date',
      errors: [{ path: '/from' }],
    });
    expect((await get('super1', '/api/reports/nope?from=2022-03-01&to=2022-03-01')).statusCode).toBe(400);
  });

  it('a scheduled report is e-mailed once per run, with the period before it, and audited', async () => {
    const res = await post('super1', '/api/report-schedules', {
      report: 'camera-daily',
      format: 'xlsx',
      every: 'day',
      recipients: ['doi.truong@csgt.example.vn', 'Doi.Truong@csgt.example.vn'],
    });
    expect(res.statusCode, res.body).toBe(201);
    const s = res.json() as { id: string; nextRunAt: string; recipients: string[] };
    expect(s.recipients).toEqual(['doi.truong@csgt.example.vn']);
    expect(
      (await post('super1', '/api/report-schedules', { report: 'camera-daily', format: 'xlsx', every: 'day', recipients: ['not-an-address'] })).statusCode,
    ).toBe(400);
    const start = h.clock.now();
    h.clock.set(new Date(Date.parse(s.nextRunAt) + 60_000));
    try {
      expect(await sweepDueReports(h.deps)).toBe(1);
      expect(await sweepDueReports(h.deps)).toBe(1); // the same run again: the job id de-duplicates it
      await waitFor(async () => h.sentMail.some((m) => m.to === 'doi.truong@csgt.example.vn'));
      await h.queues.waitUntilDrained();
      expect(h.sentMail.filter((m) => m.to === 'doi.truong@csgt.example.vn')).toHaveLength(1);
      expect(h.sentMail.at(-1)!.subject).toMatch(/^Báo cáo: Vi phạm theo camera, theo ngày và loại vi phạm \(\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}\)$/);
      const list = (await get('super1', '/api/report-schedules')).json() as { items: { id: string; nextRunAt: string; lastRunAt: string }[] };
      expect(list.items[0]).toMatchObject({ id: s.id, lastRunAt: s.nextRunAt, nextRunAt: new Date(Date.parse(s.nextRunAt) + DAY).toISOString() });
      expect(await sweepDueReports(h.deps)).toBe(0);
      const audit = await h.db.pool.query(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY seq`, [s.id]);
      expect(audit.rows.map((r) => r.action)).toEqual(['report_schedule.created', 'report.emailed']);
      expect((await post('superhn', `/api/report-schedules/${s.id}/stop`)).statusCode).toBe(404);
      expect((await post('super1', `/api/report-schedules/${s.id}/stop`)).statusCode).toBe(200);
      expect(((await get('super1', '/api/report-schedules')).json() as { items: unknown[] }).items).toEqual([]);
    } finally {
      h.clock.set(start);
    }
  });
});

describe('penalty decisions and payment reconciliation', () => {
  let first = '';
  const decisions: Record<string, { id: string; number: string; caseId: string }> = {};

  /** A notified motorbike red-light case (fine 4–6 M VND, 4 points) as the notice left it. */
  async function notifiedCase(occurredAt: Date, status = 'notified'): Promise<string> {
    const { rows } = await h.db.pool.query<{ id: string }>(
      `INSERT INTO cases (idempotency_key, agency_id, camera_id, type, status, occurred_at, track_id, phase_id, vehicle_type, plate_text, event, notice_due_at, public_token, noticed_at)
       VALUES ($1,$2,$3,'red_light',$4,$5,'t','p','motorbike','63-B1 234.56','{}',$6,$7,$5) RETURNING id`,
      [randomUUID(), h.ids.agency, h.ids.camera, status, occurredAt, new Date(occurredAt.getTime() + 10 * DAY), randomUUID()],
    );
    return rows[0]!.id;
  }

  it("records a decision on a notified case within the schedule's range and prints it", async () => {
    const ev = demoEvent({
      cameraId: h.ids.camera,
      plate: '63-B1 234.56',
      vehicleClass: 'motorbike',
      occurredAt: new Date(h.clock.now().getTime() - 3600_000),
    });
    first = (await ingestEvent(h.deps, ev)).caseId;
    const officer2 = tokens.officer2!;
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${first}/claim`, headers: bearer(officer2) })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${first}/confirm`, headers: bearer(officer2), payload: {} })).statusCode).toBe(200);
    // not yet notified: no decision
    expect((await post('super1', `/api/cases/${first}/decision`, { amount: 5_000_000 })).json()).toMatchObject({ error: 'illegal_transition' });
    expect((await post('super1', `/api/cases/${first}/approve`, {})).statusCode).toBe(200);
    expect((await post('super1', `/api/cases/${first}/notice`)).statusCode).toBe(200);
    const noticed = await h.db.pool.query('SELECT noticed_at, status FROM cases WHERE id = $1', [first]);
    expect(noticed.rows[0]).toMatchObject({ status: 'notified' });
    expect(noticed.rows[0].noticed_at).toBeInstanceOf(Date);

    const out = await post('super1', `/api/cases/${first}/decision`, { amount: 3_000_000 });
    expect(out.statusCode).toBe(400);
    expect(out.json()).toMatchObject({ error: 'amount_out_of_range', errors: [{ path: '/amount' }] });
    expect(out.json().message).toContain('4000000–6000000');
    expect((await post('super1', `/api/cases/${first}/decision`, { amount: 5_000_000, points: 5 })).json()).toMatchObject({
      error: 'points_out_of_range',
      errors: [{ path: '/points' }],
    });
    expect((await post('super1', `/api/cases/${first}/decision`, { amount: 5_000_000, number: '12/ABC' })).json()).toMatchObject({
      error: 'bad_number',
      errors: [{ path: '/number' }],
    });
    expect((await post('super1', `/api/cases/${first}/decision`, { amount: 5_000_000, decidedOn: '2099-01-01' })).json()).toMatchObject({
      error: 'future_date',
    });
    expect((await post('officer1', `/api/cases/${first}/decision`, { amount: 5_000_000 })).statusCode).toBe(403);
    expect((await post('superhn', `/api/cases/${first}/decision`, { amount: 5_000_000 })).statusCode).toBe(404);
    expect(await h.db.pool.query('SELECT 1 FROM penalty_decisions')).toMatchObject({ rowCount: 0 });

    const ok = await post('super1', `/api/cases/${first}/decision`, { amount: 5_000_000, officerName: 'Lê Văn Trưởng', officerTitle: 'Trưởng phòng' });
    expect(ok.statusCode, ok.body).toBe(201);
    const d = ok.json() as {
      id: string;
      number: string;
      amount: number;
      points: number;
      fineMin: number;
      fineMax: number;
      status: string;
      payBy: string;
      decidedOn: string;
    };
    expect(d).toMatchObject({ amount: 5_000_000, points: 4, fineMin: 4_000_000, fineMax: 6_000_000, status: 'unpaid' });
    expect(d.number).toMatch(/^\d+\/QĐ-XPHC$/);
    expect(Date.parse(d.payBy) - Date.parse(d.decidedOn)).toBe(10 * DAY);
    decisions.first = { id: d.id, number: d.number, caseId: first };
    expect((await post('super1', `/api/cases/${first}/decision`, { amount: 5_000_000 })).json()).toMatchObject({ error: 'decision_exists' });
    expect((await get('officer1', `/api/cases/${first}/decision`)).json()).toMatchObject({ decision: { id: d.id, number: d.number } });
    // the owner came forward: no escalation any more
    expect((await h.db.pool.query(`SELECT status FROM case_deadlines WHERE case_id = $1 AND kind = 'response_due'`, [first])).rows[0].status).toBe('cancelled');

    const pdf = await get('officer1', `/api/decisions/${d.id}/pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'decision-pdf-'));
    writeFileSync(join(dir, 'd.pdf'), pdf.rawPayload);
    const text = execFileSync('pdftotext', [join(dir, 'd.pdf'), '-']).toString();
    for (const s of [
      'QUYẾT ĐỊNH',
      `Số: ${d.number}`,
      '5.000.000 đ',
      'trừ điểm giấy phép lái xe: 4 điểm',
      'Trần Thị Mô Tô',
      '63-B1 234.56',
      'Lê Văn Trưởng',
      'TRƯỞNG PHÒNG',
    ])
      expect(text).toContain(s);
    expect((await get('superhn', `/api/decisions/${d.id}/pdf`)).statusCode).toBe(404);
    const audit = await h.db.pool.query(`SELECT actor, data FROM audit_log WHERE action = 'decision.recorded' AND entity_id = $1`, [first]);
    expect(audit.rows).toEqual([{ actor: 'super1', data: expect.objectContaining({ number: d.number, amount: 5_000_000, points: 4 }) }]);
  });

  it('imports a payment file with every kind of mismatch as a job, closes paid cases, and lists the rest', async () => {
    const recent = new Date(h.clock.now().getTime() - 5 * DAY);
    for (const k of ['second', 'third', 'fourth', 'fifth']) {
      const caseId = await notifiedCase(recent);
      const r = await post('super1', `/api/cases/${caseId}/decision`, { amount: 5_000_000 });
      expect(r.statusCode, r.body).toBe(201);
      decisions[k] = { ...(r.json() as { id: string; number: string }), caseId };
    }
    // decided on 20 Jan 2025, enforceable until 20 Jan 2026; paid on 1 Mar 2026
    const oldCase = await notifiedCase(new Date('2025-01-10T09:00:00+07:00'));
    const old = await post('super1', `/api/cases/${oldCase}/decision`, { amount: 4_000_000, decidedOn: '2025-01-20' });
    expect(old.json()).toMatchObject({ lapsesOn: '2026-01-20' });
    decisions.old = { ...(old.json() as { id: string; number: string }), caseId: oldCase };
    // the first case was escalated meanwhile, with its warnings out
    await h.db.pool.query(`UPDATE cases SET status = 'escalated' WHERE id = $1`, [first]);
    await h.db.pool.query(`INSERT INTO case_warnings (case_id, target, created_at) VALUES ($1, 'registration', now()), ($1, 'commune_police', now())`, [first]);

    const csv = [
      'decision_number,amount,paid_at,channel,reference',
      `${decisions.first!.number},5000000,2026-03-01T09:15:00+07:00,bank,VCB-0001`,
      '999999/QĐ-XPHC,5000000,2026-03-01T09:20:00+07:00,bank,VCB-0002',
      `${decisions.second!.number},4500000,2026-03-01T10:00:00+07:00,portal,DVC-0001`,
      `${decisions.first!.number},5000000,2026-03-02T08:00:00+07:00,app,APP-0001`,
      `${decisions.old!.number},4000000,2026-03-01T11:00:00+07:00,counter,QUAY-0001`,
      `${decisions.first!.number},5000000,2026-03-01T09:15:00+07:00,bank,VCB-0001`,
    ].join('\n');
    const up = await h.app.inject({
      method: 'POST',
      url: '/api/payments/imports?filename=vcb-2026-03-01.csv',
      headers: { ...bearer(tokens.super1!), 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(up.statusCode, up.body).toBe(202);
    const importId = (up.json() as { id: string }).id;
    await waitFor(async () => ((await get('super1', `/api/payments/imports/${importId}`)).json() as { status: string }).status === 'done');
    expect((await get('super1', `/api/payments/imports/${importId}`)).json()).toMatchObject({
      status: 'done',
      total: 6,
      processed: 6,
      matched: 1,
      mismatched: 4,
      duplicates: 1,
      errors: [],
    });

    const c1 = await h.db.pool.query('SELECT status, paid_at FROM cases WHERE id = $1', [first]);
    expect(c1.rows[0].status).toBe('resolved');
    expect(c1.rows[0].paid_at.toISOString()).toBe('2026-03-01T02:15:00.000Z');
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM case_warnings WHERE case_id = $1 AND lifted_at IS NULL', [first])).rows[0].n).toBe(0);
    expect((await h.db.pool.query(`SELECT count(*)::int AS n FROM case_deadlines WHERE case_id = $1 AND status = 'pending'`, [first])).rows[0].n).toBe(0);
    expect((await h.db.pool.query(`SELECT outcome FROM owner_responses WHERE case_id = $1 AND kind = 'resolution'`, [first])).rows).toEqual([
      { outcome: 'fine_paid' },
    ]);
    expect((await get('officer1', `/api/cases/${first}/decision`)).json()).toMatchObject({ decision: { status: 'paid', paidAt: '2026-03-01T02:15:00.000Z' } });
    // the public entry says resolved
    const ch = (await h.app.inject({ method: 'GET', url: '/api/public/challenge' })).json() as { challenge: string; difficulty: number };
    const pub = await h.app.inject({
      method: 'POST',
      url: '/api/public/lookup',
      payload: { plate: '63-B1 234.56', vehicleType: 'motorbike', challenge: ch.challenge, nonce: solveChallenge(ch.challenge, ch.difficulty) },
    });
    const firstOccurred = (await h.db.pool.query('SELECT occurred_at FROM cases WHERE id = $1', [first])).rows[0].occurred_at.toISOString();
    expect((pub.json() as { items: { occurredAt: string; status: string }[] }).items.find((i) => i.occurredAt === firstOccurred)?.status).toBe('resolved');
    // the others are unchanged
    expect((await h.db.pool.query('SELECT status, paid_at FROM cases WHERE id = ANY($1)', [[decisions.second!.caseId, decisions.old!.caseId]])).rows).toEqual([
      { status: 'notified', paid_at: null },
      { status: 'notified', paid_at: null },
    ]);

    const m = (await get('super1', '/api/payments/mismatches')).json() as {
      items: { kind: string; reference: string; line: number; expectedAmount: number | null }[];
    };
    expect(m.items.map((x) => [x.line, x.kind, x.reference, x.expectedAmount])).toEqual([
      [3, 'unknown_decision', 'VCB-0002', null],
      [4, 'wrong_amount', 'DVC-0001', 5_000_000],
      [5, 'paid_twice', 'APP-0001', 5_000_000],
      [6, 'paid_after_lapse', 'QUAY-0001', 4_000_000],
    ]);
    expect(((await get('superhn', '/api/payments/mismatches')).json() as { items: unknown[] }).items).toEqual([]);
    const audit = await h.db.pool.query(
      `SELECT action, count(*)::int AS n FROM audit_log WHERE action LIKE 'payment%' OR action = 'case.paid' GROUP BY action ORDER BY action`,
    );
    expect(audit.rows).toEqual([
      { action: 'case.paid', n: 1 },
      { action: 'payment.mismatch', n: 4 },
      { action: 'payment_import.created', n: 1 },
      { action: 'payment_import.done', n: 1 },
    ]);
  });

  const counts = async () =>
    (
      await h.db.pool.query(
        `SELECT (SELECT count(*) FROM payments)::int AS payments, (SELECT count(*) FROM penalty_decisions WHERE status = 'paid')::int AS paid,
            (SELECT count(*) FROM cases WHERE paid_at IS NOT NULL)::int AS cases_paid, (SELECT count(*) FROM audit_log WHERE action IN ('case.paid', 'payment.mismatch'))::int AS audited`,
      )
    ).rows[0];
  const upload = async (body: string, type: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/payments/imports',
      headers: { ...bearer(tokens.super1!), 'content-type': type },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = (res.json() as { id: string }).id;
    await waitFor(async () => ['done', 'failed'].includes(((await get('super1', `/api/payments/imports/${id}`)).json() as { status: string }).status));
    return (await get('super1', `/api/payments/imports/${id}`)).json() as {
      status: string;
      total: number;
      matched: number;
      mismatched: number;
      duplicates: number;
      errors: { line: number; field: string; message: string }[];
    };
  };

  it('is idempotent: the same records again, as CSV or JSON, change nothing', async () => {
    const before = await counts();
    const json = JSON.stringify({
      generatedAt: '2026-03-03T00:00:00+07:00',
      records: [
        { decisionNumber: decisions.first!.number, amount: 5000000, paidAt: '2026-03-01T09:15:00+07:00', channel: 'bank', reference: 'VCB-0001' },
        { decisionNumber: decisions.second!.number, amount: 4500000, paidAt: '2026-03-01T10:00:00+07:00', channel: 'portal', reference: 'DVC-0001' },
      ],
    });
    expect(await upload(json, 'application/json')).toMatchObject({ status: 'done', total: 2, matched: 0, mismatched: 0, duplicates: 2 });
    expect(await counts()).toEqual(before);
  });

  it('an import stored but never queued (the process died in between) is picked up by the sweep', async () => {
    const u = {
      kind: 'user' as const,
      id: h.ids.users.super1!,
      username: 'super1',
      displayName: 'super1',
      role: 'supervisor' as const,
      agencyId: h.ids.agency,
    };
    const id = await createImport(h.db.pool, h.clock, u, {
      filename: 'lost.csv',
      format: 'csv',
      content: Buffer.from(`decision_number,amount,paid_at,channel,reference\n${decisions.fifth!.number},5000000,2026-03-05T08:00:00+07:00,post,VNPOST-1\n`),
    });
    expect(await requeueStalledImports(h.deps)).toBe(0); // not a minute old yet
    const start = h.clock.now();
    h.clock.advance(120_000);
    try {
      expect(await requeueStalledImports(h.deps)).toBe(1);
      await waitFor(async () => ((await get('super1', `/api/payments/imports/${id}`)).json() as { status: string }).status === 'done');
    } finally {
      h.clock.set(start);
    }
    expect((await get('super1', `/api/payments/imports/${id}`)).json()).toMatchObject({ matched: 1 });
    expect((await h.db.pool.query('SELECT status FROM cases WHERE id = $1', [decisions.fifth!.caseId])).rows[0].status).toBe('resolved');
  });

  it('refuses a file with a bad row, naming line and field, and changes nothing', async () => {
    const before = await counts();
    const imports = async () => Number((await h.db.pool.query('SELECT count(*) FROM payment_imports')).rows[0].count);
    const importsBefore = await imports();
    const send = (body: string, type: string) =>
      h.app.inject({ method: 'POST', url: '/api/payments/imports', headers: { ...bearer(tokens.super1!), 'content-type': type }, payload: body });
    const bad = await send(
      [
        'decision_number,amount,paid_at,channel,reference',
        `${decisions.third!.number},5000000,2026-03-01T09:15:00+07:00,bank,VCB-0100`,
        `${decisions.fourth!.number},năm triệu,2026-03-01T09:15:00+07:00,bank,VCB-0101`,
        `${decisions.fourth!.number},5000000,01/03/2026,bank,VCB-0102`,
      ].join('\n'),
      'text/csv',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: 'bad_records',
      message:
        '2 of 3 records are bad (nothing was imported): line 3 amount: "năm triệu" is not a whole, positive number of VND; line 4 paid_at: "01/03/2026" is not a time with its offset such as 2026-03-01T09:15:00+07:00',
      errors: [{ path: '/line/3/amount' }, { path: '/line/4/paid_at' }],
    });
    expect((await send('[{"decisionNumber": "1/QĐ-XPHC"', 'application/json')).json()).toMatchObject({
      error: 'bad_records',
      errors: [{ path: '/line/1/file' }],
    });
    expect((await send('[]', 'application/json')).json()).toMatchObject({ error: 'no_records' });
    expect((await send('x', 'text/plain')).json()).toMatchObject({ error: 'bad_content_type' });
    expect(await imports()).toBe(importsBefore);
    expect(await counts()).toEqual(before);
    expect((await h.db.pool.query('SELECT status FROM penalty_decisions WHERE id = $1', [decisions.third!.id])).rows[0].status).toBe('unpaid');

    // A reference imported before with another amount: the job refuses the whole file (the good line too).
    const reused = await upload(
      [
        'decision_number,amount,paid_at,channel,reference',
        `${decisions.third!.number},5000000,2026-03-01T09:15:00+07:00,bank,VCB-0100`,
        `${decisions.first!.number},6000000,2026-03-01T09:15:00+07:00,bank,VCB-0001`,
      ].join('\n'),
      'text/csv',
    );
    expect(reused).toMatchObject({
      status: 'failed',
      total: 2,
      errors: [{ line: 3, field: 'reference', message: 'VCB-0001 (bank) was imported before with another decision, amount or time' }],
    });
    expect(await counts()).toEqual(before);
    expect((await h.db.pool.query('SELECT status FROM penalty_decisions WHERE id = $1', [decisions.third!.id])).rows[0].status).toBe('unpaid');
  });

  it('a person resolves each mismatch: accept settles the decision, dismiss does not; both audited', async () => {
    const open = (await get('super1', '/api/payments/mismatches')).json() as { items: { id: string; kind: string }[] };
    const by = (k: string) => open.items.find((i) => i.kind === k)!.id;
    const resolve = (id: string, body: unknown, user = 'super1') => post(user, `/api/payments/mismatches/${id}/resolve`, body);

    expect((await resolve(by('paid_twice'), { action: 'accept', note: 'thử' })).json()).toMatchObject({ error: 'already_paid' });
    expect((await resolve(by('unknown_decision'), { action: 'accept', note: 'ghi nhầm số' })).json()).toMatchObject({
      error: 'decision_required',
      errors: [{ path: '/decisionNumber' }],
    });
    expect((await resolve(by('wrong_amount'), { action: 'accept', note: 'x' })).statusCode).toBe(400); // note too short
    expect((await resolve(by('wrong_amount'), { action: 'accept', note: 'Thiếu 500.000 đ đã nộp bổ sung tại quầy' }, 'superhn')).statusCode).toBe(404);

    const acc = await resolve(by('wrong_amount'), { action: 'accept', note: 'Thiếu 500.000 đ đã nộp bổ sung tại quầy' });
    expect(acc.json()).toMatchObject({ kind: 'wrong_amount', resolution: 'accepted' });
    expect((await h.db.pool.query('SELECT status FROM cases WHERE id = $1', [decisions.second!.caseId])).rows[0].status).toBe('resolved');
    expect((await resolve(by('wrong_amount'), { action: 'dismiss', note: 'lại lần nữa' })).json()).toMatchObject({ error: 'already_resolved' });

    const unk = await resolve(by('unknown_decision'), { action: 'accept', decisionNumber: decisions.fourth!.number, note: 'Người nộp ghi nhầm số quyết định' });
    expect(unk.json()).toMatchObject({ resolution: 'accepted' });
    expect((await h.db.pool.query('SELECT status FROM penalty_decisions WHERE id = $1', [decisions.fourth!.id])).rows[0].status).toBe('paid');
    expect((await resolve(by('paid_twice'), { action: 'dismiss', note: 'Nộp trùng, đã hoàn tiền' })).json()).toMatchObject({ resolution: 'dismissed' });
    expect((await resolve(by('paid_after_lapse'), { action: 'dismiss', note: 'Hết thời hiệu thi hành, hoàn trả' })).json()).toMatchObject({
      resolution: 'dismissed',
    });
    expect((await h.db.pool.query('SELECT status, paid_at FROM cases WHERE id = $1', [decisions.old!.caseId])).rows[0]).toEqual({
      status: 'notified',
      paid_at: null,
    });

    expect(((await get('super1', '/api/payments/mismatches')).json() as { items: unknown[] }).items).toEqual([]);
    expect(((await get('super1', '/api/payments/mismatches?all=true')).json() as { items: unknown[] }).items).toHaveLength(4);
    const audit = await h.db.pool.query(`SELECT action, actor FROM audit_log WHERE action IN ('payment.accepted', 'payment.dismissed') ORDER BY seq`);
    expect(audit.rows).toEqual([
      { action: 'payment.accepted', actor: 'super1' },
      { action: 'payment.accepted', actor: 'super1' },
      { action: 'payment.dismissed', actor: 'super1' },
      { action: 'payment.dismissed', actor: 'super1' },
    ]);
    expect((await verifyAuditChain(h.db.pool)).ok).toBe(true);
  });

  it('imports the gateway, portal and bank statement examples of docs/payment-examples, detected or named, into the same records', async () => {
    const recent = new Date(h.clock.now().getTime() - 5 * DAY);
    const ids: Record<string, string> = {};
    for (const n of ['9101', '9102', '9103']) {
      const r = await post('super1', `/api/cases/${await notifiedCase(recent)}/decision`, { amount: 5_000_000, number: `${n}/QĐ-XPHC` });
      expect(r.statusCode, r.body).toBe(201);
      ids[n] = (r.json() as { id: string }).id;
    }
    const file = (name: string) => readFileSync(new URL(`../../docs/payment-examples/${name}`, import.meta.url));
    const send = (name: string, type: string, query = '') =>
      h.app.inject({
        method: 'POST',
        url: `/api/payments/imports?filename=${name}${query}`,
        headers: { ...bearer(tokens.super1!), 'content-type': type },
        payload: file(name),
      });
    const done = async (res: Awaited<ReturnType<typeof send>>) => {
      expect(res.statusCode, res.body).toBe(202);
      const id = (res.json() as { id: string }).id;
      await waitFor(async () => ['done', 'failed'].includes(((await get('super1', `/api/payments/imports/${id}`)).json() as { status: string }).status));
      return (await get('super1', `/api/payments/imports/${id}`)).json();
    };
    // a statement sent as JSON, or a gateway file with a bad amount: refused on the field, nothing stored
    const before = await counts();
    const wrongFormat = await send('bank-statement.csv', 'application/json', '&source=bank-statement');
    expect(wrongFormat.statusCode).toBe(400);
    expect(wrongFormat.json()).toMatchObject({ error: 'bad_source_format', errors: [{ path: '/source' }] });
    const badGateway = await h.app.inject({
      method: 'POST',
      url: '/api/payments/imports',
      headers: { ...bearer(tokens.super1!), 'content-type': 'application/json' },
      payload: file('gateway.json').toString().replace('"500000000"', '"5000000.5"'),
    });
    expect(badGateway.json()).toMatchObject({ error: 'bad_records', errors: [{ path: '/line/1/vnp_Amount' }] });
    expect(await counts()).toEqual(before);

    expect(await done(await send('gateway.json', 'application/json'))).toMatchObject({ source: 'gateway', status: 'done', total: 1, matched: 1 });
    expect(await done(await send('portal.json', 'application/json', '&source=portal'))).toMatchObject({
      source: 'portal',
      status: 'done',
      total: 1,
      matched: 1,
    });
    // the statement's debit line (an account fee) is not a payment
    expect(await done(await send('bank-statement.csv', 'text/csv'))).toMatchObject({ source: 'bank-statement', status: 'done', total: 1, matched: 1 });
    const { rows } = await h.db.pool.query(
      `SELECT decision_id, decision_number, amount::int, paid_at, channel, reference, outcome FROM payments WHERE decision_id = ANY($1) ORDER BY decision_number`,
      [Object.values(ids)],
    );
    expect(rows).toEqual([
      {
        decision_id: ids['9101'],
        decision_number: '9101/QĐ-XPHC',
        amount: 5_000_000,
        paid_at: new Date('2026-03-01T02:15:00Z'),
        channel: 'app',
        reference: '14226112',
        outcome: 'matched',
      },
      {
        decision_id: ids['9102'],
        decision_number: '9102/QĐ-XPHC',
        amount: 5_000_000,
        paid_at: new Date('2026-03-01T03:00:00Z'),
        channel: 'portal',
        reference: 'DVC-260301-000077',
        outcome: 'matched',
      },
      {
        decision_id: ids['9103'],
        decision_number: '9103/QĐ-XPHC',
        amount: 5_000_000,
        paid_at: new Date('2026-03-01T04:02:41Z'),
        channel: 'bank',
        reference: 'FT26060912345678',
        outcome: 'matched',
      },
    ]);
    expect(
      (await h.db.pool.query(`SELECT count(*)::int AS n FROM penalty_decisions WHERE id = ANY($1) AND status = 'paid'`, [Object.values(ids)])).rows[0].n,
    ).toBe(3);
    // the same gateway file again changes nothing
    expect(await done(await send('gateway.json', 'application/json'))).toMatchObject({ status: 'done', matched: 0, duplicates: 1 });
  });
});
