// Reports e-mailed on a schedule: each run covers the last whole period (yesterday, the last 7 days, last month) and
// goes out at 06:00 Vietnam time. A sweep enqueues the due runs (job id per schedule and run: never sent twice);
// the job renders the file and mails it to the list, and moves the schedule to its next run.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { NotFoundError, OperationalError } from '@phatnguoi/core/errors';
import type { JobOutcome } from '@phatnguoi/core/queue';
import type { ReportKind, ReportSchedule, ReportScheduleRequest } from '@phatnguoi/core/contracts/api/reports';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import { systemClock } from '../clock';
import type { AppDeps, ApiOptions } from '../deps';
import { defaultOptions } from '../deps';
import type { UserPrincipal } from '../domain/principal';
import { buildReport, reportScope } from './reports';
import { reportFile, reportTitle } from '../reports/files';

type Every = 'day' | 'week' | 'month';
const VN = 7 * 3600_000;
const SEND_HOUR = 6;

/** The Vietnam calendar day of an instant, as a UTC-midnight Date for arithmetic. */
const vnMidnight = (t: Date) => {
  const v = new Date(t.getTime() + VN);
  return new Date(Date.UTC(v.getUTCFullYear(), v.getUTCMonth(), v.getUTCDate()));
};
const iso = (d: Date) => d.toISOString().slice(0, 10);
const DAY = 86_400_000;

/** The first send time after `after`: 06:00 Vietnam time each day, each Monday, or on the 1st of each month. */
export function nextRunAfter(every: Every, after: Date): Date {
  const sendAt = (d: Date) => new Date(d.getTime() + SEND_HOUR * 3600_000 - VN);
  let day = vnMidnight(after);
  for (let i = 0; i < 40; i++, day = new Date(day.getTime() + DAY)) {
    const fits = every === 'day' || (every === 'week' && day.getUTCDay() === 1) || (every === 'month' && day.getUTCDate() === 1);
    if (fits && sendAt(day) > after) return sendAt(day);
  }
  throw new Error(`no ${every} run found after ${after.toISOString()}`);
}

/** The period a run at `runAt` reports: the whole day, week (Monday to Sunday) or month before it. */
export function periodOfRun(every: Every, runAt: Date): { from: string; to: string } {
  const today = vnMidnight(runAt);
  const to = new Date(today.getTime() - DAY);
  if (every === 'day') return { from: iso(to), to: iso(to) };
  if (every === 'week') return { from: iso(new Date(today.getTime() - 7 * DAY)), to: iso(to) };
  return { from: iso(new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1))), to: iso(to) };
}

interface ScheduleRow {
  id: string;
  report: ReportKind;
  params: { split?: string; period?: 'day' | 'month' | 'year' };
  format: 'csv' | 'xlsx' | 'pdf';
  every: Every;
  recipients: string[];
  agency_id: string | null;
  next_run_at: Date;
  last_run_at: Date | null;
  last_error: string | null;
  active: boolean;
}
const toSchedule = (r: ScheduleRow): ReportSchedule => ({
  id: r.id,
  report: r.report,
  format: r.format,
  every: r.every,
  recipients: r.recipients,
  nextRunAt: r.next_run_at.toISOString(),
  lastRunAt: r.last_run_at?.toISOString() ?? null,
  lastError: r.last_error,
});

export async function createSchedule(db: Db, clock: Clock, user: UserPrincipal, b: ReportScheduleRequest): Promise<ReportSchedule> {
  const now = clock.now();
  const params = { ...(b.split ? { split: b.split } : {}), ...(b.period ? { period: b.period } : {}) };
  const recipients = [...new Set(b.recipients.map((r) => r.trim().toLowerCase()))];
  return withTransaction(db, async (tx) => {
    const { rows } = await tx.query<ScheduleRow>(
      `INSERT INTO report_schedules (report, params, format, every, recipients, agency_id, next_run_at, created_by, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
      [b.report, JSON.stringify(params), b.format, b.every, recipients, reportScope(user), nextRunAfter(b.every, now), user.id, now],
    );
    const s = rows[0]!;
    await appendAudit(tx, {
      at: now,
      actorId: user.id,
      actor: user.username,
      action: 'report_schedule.created',
      entity: 'report_schedule',
      entityId: s.id,
      data: { report: b.report, format: b.format, every: b.every, recipients, params },
    });
    return toSchedule(s);
  });
}

export async function listSchedules(q: Queryable, user: UserPrincipal): Promise<ReportSchedule[]> {
  const { rows } = await q.query<ScheduleRow>('SELECT * FROM report_schedules WHERE active AND ($1::uuid IS NULL OR agency_id = $1) ORDER BY created_at', [
    reportScope(user),
  ]);
  return rows.map(toSchedule);
}

export async function stopSchedule(db: Db, clock: Clock, user: UserPrincipal, id: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    const r = await tx.query('UPDATE report_schedules SET active = false WHERE id = $1 AND active AND ($2::uuid IS NULL OR agency_id = $2)', [
      id,
      reportScope(user),
    ]);
    if (!r.rowCount) throw new NotFoundError('no such schedule');
    await appendAudit(tx, {
      at: clock.now(),
      actorId: user.id,
      actor: user.username,
      action: 'report_schedule.stopped',
      entity: 'report_schedule',
      entityId: id,
      data: {},
    });
  });
}

/** Enqueues every run that is due (the job id names schedule and run, so a second sweep adds nothing). */
export async function sweepDueReports(ctx: AppDeps): Promise<number> {
  if (!ctx.queues) return 0;
  const now = (ctx.clock ?? systemClock).now();
  const { rows } = await ctx.db.query<{ id: string; next_run_at: Date }>(
    'SELECT id, next_run_at FROM report_schedules WHERE active AND next_run_at <= $1 LIMIT 500',
    [now],
  );
  for (const r of rows) await ctx.queues.enqueue('report.email', { scheduleId: r.id, runAt: r.next_run_at.toISOString() });
  return rows.length;
}

/** The job: renders the run's report and mails it; the schedule then moves to its next run. */
export async function sendScheduledReport(ctx: AppDeps & { options?: Partial<ApiOptions> }, scheduleId: string, runAt: string): Promise<JobOutcome> {
  const clock = ctx.clock ?? systemClock;
  const opts = { ...defaultOptions, ...ctx.options };
  const { rows } = await ctx.db.query<ScheduleRow>('SELECT * FROM report_schedules WHERE id = $1', [scheduleId]);
  const s = rows[0];
  if (!s || !s.active || s.next_run_at.toISOString() !== runAt) return { status: 'skipped', reason: 'not due' };
  const run = new Date(runAt);
  const period = periodOfRun(s.every, run);
  const agency = s.agency_id ? (await ctx.db.query<{ name: string }>('SELECT name FROM agencies WHERE id = $1', [s.agency_id])).rows[0]?.name : null;
  const unit = agency ?? 'Công an tỉnh';
  try {
    const table = await buildReport(ctx.db, s.report, { ...period, split: s.params.split, period: s.params.period, agencyId: s.agency_id, now: clock.now() });
    const file = await reportFile(table, s.format, 'vi', unit, clock.now());
    await ctx.mailer.sendMail({
      from: opts.mailFrom,
      to: s.recipients.join(', '),
      subject: `Báo cáo: ${reportTitle(s.report, 'vi')} (${period.from} – ${period.to})`,
      text: `${unit}\n${reportTitle(s.report, 'vi')}\nTừ ngày ${period.from} đến ngày ${period.to}.\nBáo cáo gửi tự động theo lịch; tệp đính kèm.`,
      attachments: [{ filename: file.filename, content: file.body, contentType: file.contentType }],
    });
  } catch (err) {
    await ctx.db.query('UPDATE report_schedules SET last_error = $2 WHERE id = $1', [scheduleId, (err as Error).message.slice(0, 500)]);
    throw err instanceof OperationalError ? err : new OperationalError('report_not_sent', (err as Error).message, { cause: err });
  }
  await withTransaction(ctx.db, async (tx) => {
    await tx.query('UPDATE report_schedules SET last_run_at = $2, next_run_at = $3, last_error = NULL WHERE id = $1 AND next_run_at = $2', [
      scheduleId,
      run,
      nextRunAfter(s.every, run),
    ]);
    await appendAudit(tx, {
      at: clock.now(),
      actorId: null,
      actor: 'reports',
      action: 'report.emailed',
      entity: 'report_schedule',
      entityId: scheduleId,
      data: { runAt, ...period, recipients: s.recipients.length, format: s.format },
    });
  });
  return { status: 'done', ...period };
}
