// Reports a provincial traffic police unit files, read from the rollups that triggers keep on cases
// (migration 0410): per camera and day, before/after a date, case outcomes per period and agency, vehicle types,
// reviewers, deadline compliance. Each returns a table (columns, rows, totals) that the UI shows and
// reports/files.ts writes as CSV, XLSX or PDF. Periods are Vietnam days, both ends included.
import type { Queryable } from '@phatnguoi/core/db';
import { UserError } from '@phatnguoi/core/errors';
import { REJECT_REASONS } from '@phatnguoi/core/contracts/api/cases';
import { VIOLATION_TYPES, CASE_VEHICLE_TYPES } from '@phatnguoi/core/contracts/api/common';
import type { ReportAgencyList, ReportKind, ReportQuery, ReportTable } from '@phatnguoi/core/contracts/api/reports';
import { ForbiddenError } from '@phatnguoi/core/errors';
import type { UserPrincipal } from '../domain/principal';
import { fieldError } from '../domain/field-error';
import { agencyName } from '../repositories/agencies';

/**
 * Whose cases a user's reports count: a supervisor's own agency (asking for another is refused); operators and
 * admins see the whole province, or the agency they ask for.
 */
export function reportScope(user: Pick<UserPrincipal, 'role' | 'agencyId'>, requested?: string): string | null {
  if (user.role === 'operator' || user.role === 'admin') return requested ?? null;
  const own = user.agencyId ?? '00000000-0000-0000-0000-000000000000';
  if (requested && requested !== own) throw new ForbiddenError('a supervisor reports on their own agency only');
  return own;
}

/** The agencies reportScope lets the user choose (by name), and whether they may choose all of them at once. */
export async function reportAgencies(q: Queryable, user: Pick<UserPrincipal, 'role' | 'agencyId'>): Promise<ReportAgencyList> {
  const all = user.role === 'operator' || user.role === 'admin';
  const { rows } = await q.query<{ id: string; name: string }>('SELECT id, name FROM agencies WHERE $1 OR id = $2 ORDER BY name', [all, user.agencyId ?? null]);
  return { all, items: rows };
}

/** The unit a report file is headed with: the agency's name, or the provincial police for a province-wide report. */
export async function reportUnit(q: Queryable, agencyId: string | null): Promise<string> {
  return agencyId ? ((await agencyName(q, agencyId)) ?? '') : 'Công an tỉnh';
}

type Cell = string | number | null;
type Column = ReportTable['columns'][number];

/** Longest period one report covers (a year of days per camera is already a long sheet). */
export const MAX_REPORT_DAYS = 366 * 3;

export interface ReportParams {
  from: string;
  to: string;
  split?: string | undefined;
  period?: 'day' | 'month' | 'year' | undefined;
  type?: string | undefined;
  /** null: every agency. */
  agencyId: string | null;
  /** For the deadline report's "still waiting" figures. */
  now: Date;
}

const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
const isDay = (s: string) => Number.isFinite(day(s)) && new Date(day(s)).toISOString().slice(0, 10) === s;
const daysBetween = (from: string, to: string) => Math.round((day(to) - day(from)) / 86_400_000) + 1;
const minusDay = (s: string) => new Date(day(s) - 86_400_000).toISOString().slice(0, 10);
const rate = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const int = (v: unknown) => Number(v ?? 0);

export function checkPeriod(q: Pick<ReportQuery, 'from' | 'to' | 'split'>, kind: ReportKind): void {
  if (!isDay(q.from)) throw fieldError('bad_date', 'from', `${q.from} is not a day`);
  if (!isDay(q.to)) throw fieldError('bad_date', 'to', `${q.to} is not a day`);
  if (q.to < q.from) throw fieldError('bad_period', 'to', 'the period ends before it starts');
  if (daysBetween(q.from, q.to) > MAX_REPORT_DAYS)
    throw fieldError('period_too_long', 'to', `a report covers at most ${MAX_REPORT_DAYS} days`, { max: MAX_REPORT_DAYS });
  if (kind === 'before-after') {
    if (!q.split) throw fieldError('split_required', 'split', 'name the first day of "after"');
    if (!isDay(q.split)) throw fieldError('bad_date', 'split', `${q.split} is not a day`);
    if (q.split <= q.from || q.split > q.to) throw fieldError('bad_split', 'split', 'must fall after the first day of the period and no later than its last');
  }
}

function sumColumns(columns: Column[], rows: Cell[][], label: string): Cell[] {
  return columns.map((c, i) => (i === 0 ? label : c.kind === 'int' ? rows.reduce((s, r) => s + int(r[i]), 0) : null));
}

const SCOPE = '($3::uuid IS NULL OR r.agency_id = $3)';

async function cameraDaily(q: Queryable, p: ReportParams): Promise<Omit<ReportTable, 'kind' | 'from' | 'to'>> {
  const { rows } = await q.query<Record<string, unknown>>(
    `SELECT to_char(r.day, 'YYYY-MM-DD') AS day, cam.name AS camera, ${VIOLATION_TYPES.map((t) => `sum(r.n) FILTER (WHERE r.type = '${t}') AS "${t}"`).join(', ')}, sum(r.n) AS total
       FROM case_camera_daily r JOIN cameras cam ON cam.id = r.camera_id
      WHERE r.day BETWEEN $1 AND $2 AND ${SCOPE}
      GROUP BY r.day, cam.id, cam.name HAVING sum(r.n) > 0 ORDER BY r.day, cam.name`,
    [p.from, p.to, p.agencyId],
  );
  const columns: Column[] = [
    { key: 'day', kind: 'date' },
    { key: 'camera', kind: 'text' },
    ...VIOLATION_TYPES.map((t) => ({ key: t, kind: 'int' as const })),
    { key: 'total', kind: 'int' },
  ];
  const out = rows.map((r) => [r.day as string, r.camera as string, ...VIOLATION_TYPES.map((t) => int(r[t])), int(r.total)]);
  return { columns, rows: out, totals: sumColumns(columns, out, 'total') };
}

async function beforeAfter(q: Queryable, p: ReportParams): Promise<Omit<ReportTable, 'kind' | 'from' | 'to'>> {
  const split = p.split!;
  const { rows } = await q.query<{ camera: string; before: string; after: string }>(
    `SELECT cam.name AS camera, coalesce(sum(r.n) FILTER (WHERE r.day < $4), 0) AS before, coalesce(sum(r.n) FILTER (WHERE r.day >= $4), 0) AS after
       FROM case_camera_daily r JOIN cameras cam ON cam.id = r.camera_id
      WHERE r.day BETWEEN $1 AND $2 AND ${SCOPE} AND ($5::text IS NULL OR r.type = $5)
      GROUP BY cam.id, cam.name HAVING sum(r.n) > 0 ORDER BY cam.name`,
    [p.from, p.to, p.agencyId, split, p.type ?? null],
  );
  const daysBefore = daysBetween(p.from, minusDay(split));
  const daysAfter = daysBetween(split, p.to);
  const perDay = (n: number, d: number) => Math.round((n / d) * 10) / 10;
  const columns: Column[] = [
    { key: 'camera', kind: 'text' },
    { key: 'before', kind: 'int' },
    { key: 'beforePerDay', kind: 'number' },
    { key: 'after', kind: 'int' },
    { key: 'afterPerDay', kind: 'number' },
    { key: 'change', kind: 'share' },
  ];
  const row = (name: string, b: number, a: number): Cell[] => {
    const bd = perDay(b, daysBefore);
    const ad = perDay(a, daysAfter);
    return [name, b, bd, a, ad, bd > 0 ? Math.round(((a / daysAfter - b / daysBefore) / (b / daysBefore)) * 10_000) / 10_000 : null];
  };
  const out = rows.map((r) => row(r.camera, int(r.before), int(r.after)));
  const tb = rows.reduce((s, r) => s + int(r.before), 0);
  const ta = rows.reduce((s, r) => s + int(r.after), 0);
  return { columns, rows: out, totals: row('total', tb, ta) };
}

/** "Confirmed": reviewed and kept (confirmed, approved, noticed, resolved), or lapsed after its notice. */
const CONFIRMED = `r.status IN ('confirmed', 'approved', 'notified', 'escalated', 'resolved') OR (r.status = 'lapsed' AND r.noticed)`;

async function outcomes(q: Queryable, p: ReportParams): Promise<Omit<ReportTable, 'kind' | 'from' | 'to'>> {
  const period = p.period ?? 'month';
  const { rows } = await q.query<Record<string, unknown>>(
    `SELECT to_char(date_trunc('${period}', r.day), 'YYYY-MM-DD') AS period, a.name AS agency, sum(r.n) AS received,
            coalesce(sum(r.n) FILTER (WHERE ${CONFIRMED}), 0) AS confirmed,
            coalesce(sum(r.n) FILTER (WHERE r.status = 'rejected'), 0) AS rejected,
            ${REJECT_REASONS.map((x) => `coalesce(sum(r.n) FILTER (WHERE r.rejected_reason = '${x}'), 0) AS "rejected_${x}"`).join(', ')},
            coalesce(sum(r.n) FILTER (WHERE r.noticed), 0) AS noticed,
            coalesce(sum(r.n) FILTER (WHERE r.status = 'resolved'), 0) AS resolved,
            coalesce(sum(r.n) FILTER (WHERE r.paid), 0) AS paid,
            coalesce(sum(r.n) FILTER (WHERE r.status = 'lapsed'), 0) AS lapsed
       FROM case_outcome_daily r JOIN agencies a ON a.id = r.agency_id
      WHERE r.day BETWEEN $1 AND $2 AND ${SCOPE}
      GROUP BY 1, a.id, a.name HAVING sum(r.n) > 0 ORDER BY 1, a.name`,
    [p.from, p.to, p.agencyId],
  );
  const keys = ['received', 'confirmed', 'rejected', ...REJECT_REASONS.map((x) => `rejected_${x}`), 'noticed', 'resolved', 'paid', 'lapsed'];
  const columns: Column[] = [{ key: 'period', kind: 'date' }, { key: 'agency', kind: 'text' }, ...keys.map((k) => ({ key: k, kind: 'int' as const }))];
  const out = rows.map((r) => [r.period as string, r.agency as string, ...keys.map((k) => int(r[k]))]);
  return { columns, rows: out, totals: sumColumns(columns, out, 'total') };
}

async function vehicleTypes(q: Queryable, p: ReportParams): Promise<Omit<ReportTable, 'kind' | 'from' | 'to'>> {
  const { rows } = await q.query<{ vehicle_type: string; received: string; noticed: string }>(
    `SELECT r.vehicle_type, sum(r.n) AS received, coalesce(sum(r.n) FILTER (WHERE r.noticed), 0) AS noticed
       FROM case_outcome_daily r WHERE r.day BETWEEN $1 AND $2 AND ${SCOPE} GROUP BY r.vehicle_type HAVING sum(r.n) > 0`,
    [p.from, p.to, p.agencyId],
  );
  const total = rows.reduce((s, r) => s + int(r.received), 0);
  const totalNoticed = rows.reduce((s, r) => s + int(r.noticed), 0);
  const order = (t: string) => (CASE_VEHICLE_TYPES as readonly string[]).indexOf(t);
  const columns: Column[] = [
    { key: 'vehicleType', kind: 'text' },
    { key: 'received', kind: 'int' },
    { key: 'share', kind: 'share' },
    { key: 'noticed', kind: 'int' },
    { key: 'noticedShare', kind: 'share' },
  ];
  const out = rows
    .sort((a, b) => order(a.vehicle_type) - order(b.vehicle_type))
    .map((r) => [r.vehicle_type, int(r.received), rate(int(r.received), total), int(r.noticed), rate(int(r.noticed), totalNoticed)]);
  return { columns, rows: out, totals: ['total', total, total > 0 ? 1 : null, totalNoticed, totalNoticed > 0 ? 1 : null] };
}

async function reviewers(q: Queryable, p: ReportParams): Promise<Omit<ReportTable, 'kind' | 'from' | 'to'>> {
  const { rows } = await q.query<{
    username: string;
    display_name: string;
    confirmed: string;
    rejected: string;
    approved: string;
    returned: string;
    days: string;
  }>(
    `SELECT u.username, u.display_name, sum(r.confirmed) AS confirmed, sum(r.rejected) AS rejected, sum(r.approved) AS approved, sum(r.returned) AS returned,
            count(*) FILTER (WHERE r.confirmed + r.rejected + r.approved > 0) AS days
       FROM reviewer_rollup_daily r JOIN users u ON u.id = r.user_id
      WHERE r.day BETWEEN $1 AND $2 AND ${SCOPE} GROUP BY u.id, u.username, u.display_name ORDER BY u.username`,
    [p.from, p.to, p.agencyId],
  );
  const columns: Column[] = [
    { key: 'reviewer', kind: 'text' },
    { key: 'confirmed', kind: 'int' },
    { key: 'rejected', kind: 'int' },
    { key: 'decisions', kind: 'int' },
    { key: 'approvalRate', kind: 'share' },
    { key: 'perActiveDay', kind: 'number' },
    { key: 'approved', kind: 'int' },
    { key: 'returned', kind: 'int' },
  ];
  const row = (name: string, c: number, r: number, a: number, ret: number, days: number): Cell[] => [
    name,
    c,
    r,
    c + r,
    rate(c, c + r),
    days > 0 ? Math.round(((c + r + a) / days) * 10) / 10 : null,
    a,
    ret,
  ];
  const out = rows.map((r) => row(`${r.display_name} (${r.username})`, int(r.confirmed), int(r.rejected), int(r.approved), int(r.returned), int(r.days)));
  const t = (i: number) => out.reduce((s, r) => s + int(r[i]), 0);
  return { columns, rows: out, totals: ['total', t(1), t(2), t(3), rate(t(1), t(3)), null, t(6), t(7)] };
}

async function deadlines(q: Queryable, p: ReportParams): Promise<Omit<ReportTable, 'kind' | 'from' | 'to'>> {
  const period = p.period ?? 'month';
  const { rows } = await q.query<Record<string, unknown>>(
    `SELECT to_char(date_trunc('${period}', r.day), 'YYYY-MM-DD') AS period, a.id AS agency_id, a.name AS agency,
            coalesce(sum(r.n) FILTER (WHERE r.noticed), 0) AS noticed,
            coalesce(sum(r.n) FILTER (WHERE r.noticed AND NOT r.notice_late), 0) AS notice_on_time,
            coalesce(sum(r.n) FILTER (WHERE r.noticed AND r.notice_late), 0) AS notice_late,
            coalesce(sum(r.n) FILTER (WHERE NOT r.noticed AND r.overdue AND r.status IN ('detected', 'confirmed', 'approved')), 0) AS notice_missing,
            coalesce(sum(r.n) FILTER (WHERE r.escalation = 'on_time'), 0) AS escalated_on_time,
            coalesce(sum(r.n) FILTER (WHERE r.escalation = 'late'), 0) AS escalated_late
       FROM case_outcome_daily r JOIN agencies a ON a.id = r.agency_id
      WHERE r.day BETWEEN $1 AND $2 AND ${SCOPE}
      GROUP BY 1, a.id, a.name HAVING sum(r.n) > 0 ORDER BY 1, a.name`,
    [p.from, p.to, p.agencyId],
  );
  // Escalations still owed: the 20-day clock ran out more than a day ago and the case was not escalated (a live
  // figure from the pending response deadlines, which migration 0441 keeps with their case's day and agency).
  const owed = await q.query<{ period: string; agency_id: string; n: string }>(
    `SELECT to_char(date_trunc('${period}', o.day), 'YYYY-MM-DD') AS period, o.agency_id, count(*) AS n
       FROM pending_response_due o
      WHERE o.due_at < $4::timestamptz - interval '1 day' AND o.day BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR o.agency_id = $3)
      GROUP BY 1, 2`,
    [p.from, p.to, p.agencyId, p.now],
  );
  const owedBy = new Map(owed.rows.map((o) => [`${o.period}|${o.agency_id}`, int(o.n)]));
  const columns: Column[] = [
    { key: 'period', kind: 'date' },
    { key: 'agency', kind: 'text' },
    { key: 'noticed', kind: 'int' },
    { key: 'noticeOnTime', kind: 'int' },
    { key: 'noticeLate', kind: 'int' },
    { key: 'noticeOnTimeRate', kind: 'share' },
    { key: 'noticeMissing', kind: 'int' },
    { key: 'escalatedOnTime', kind: 'int' },
    { key: 'escalatedLate', kind: 'int' },
    { key: 'escalationOwed', kind: 'int' },
  ];
  const out = rows.map((r) => [
    r.period as string,
    r.agency as string,
    int(r.noticed),
    int(r.notice_on_time),
    int(r.notice_late),
    rate(int(r.notice_on_time), int(r.noticed)),
    int(r.notice_missing),
    int(r.escalated_on_time),
    int(r.escalated_late),
    owedBy.get(`${r.period as string}|${r.agency_id as string}`) ?? 0,
  ]);
  const totals = sumColumns(columns, out, 'total');
  totals[5] = rate(int(totals[3]), int(totals[2]));
  return { columns, rows: out, totals };
}

const BUILDERS: Record<ReportKind, (q: Queryable, p: ReportParams) => Promise<Omit<ReportTable, 'kind' | 'from' | 'to'>>> = {
  'camera-daily': cameraDaily,
  'before-after': beforeAfter,
  outcomes,
  'vehicle-types': vehicleTypes,
  reviewers,
  deadlines,
};

export async function buildReport(q: Queryable, kind: ReportKind, p: ReportParams): Promise<ReportTable> {
  checkPeriod(p, kind);
  if (p.period && !['day', 'month', 'year'].includes(p.period)) throw new UserError('bad_period', 'period must be day, month or year');
  return { kind, from: p.from, to: p.to, ...(await BUILDERS[kind](q, p)) };
}
