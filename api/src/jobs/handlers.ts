// The api's BullMQ job handlers: case creation, notice rendering, outbox delivery and the legal clock.
// What follows each job (scheduling deadlines, enqueueing deliveries) is decided here in one place.
import type { JobHandlers, JobOutcome } from '@phatnguoi/core/queue';
import type { DeadlineKind } from '@phatnguoi/core/jobs';
import { withTransaction } from '@phatnguoi/core/db';
import { OperationalError } from '@phatnguoi/core/errors';
import type { AppDeps, ApiOptions } from '../deps';
import { defaultOptions } from '../deps';
import { systemClock } from '../clock';
import { appendAudit } from '../audit/chain';
import { applyTransition, createCaseFromEvent, SYSTEM, type CaseRow } from '../services/cases';
import { renderNotice } from '../services/notices';
import { escalationTargets } from '../domain/deadlines';
import { deliver } from '../services/delivery';
import { runRegistryImport } from '../services/registry';

/** Every queue the api's workers serve (apiJobHandlers handles each of their jobs). */
export const API_QUEUES = ['violations', 'notices', 'outbox', 'deadlines', 'imports'] as const;

export interface JobContext extends AppDeps {
  options?: Partial<ApiOptions>;
}

/** Schedules the legal-clock jobs of a case as delayed jobs; the dates themselves are in case_deadlines. */
export async function scheduleDeadlines(ctx: JobContext, caseId: string, deadlines: { kind: DeadlineKind; dueAt: Date }[]): Promise<void> {
  if (!ctx.queues) return;
  const now = (ctx.clock ?? systemClock).now().getTime();
  for (const d of deadlines) {
    await ctx.queues.enqueue('deadline.due', { caseId, kind: d.kind, dueAt: d.dueAt.toISOString() }, { delay: Math.max(0, d.dueAt.getTime() - now) });
  }
}

/** Fires one deadline if it is due by the (possibly controlled) clock; re-checks the case first. */
export async function fireDeadline(ctx: JobContext, caseId: string, kind: DeadlineKind): Promise<JobOutcome> {
  const clock = ctx.clock ?? systemClock;
  const result = await withTransaction(ctx.db, async (tx): Promise<JobOutcome> => {
    const d = await tx.query<{ due_at: Date; status: string }>('SELECT due_at, status FROM case_deadlines WHERE case_id = $1 AND kind = $2 FOR UPDATE', [caseId, kind]);
    const dl = d.rows[0];
    if (!dl || dl.status !== 'pending') return { status: 'skipped', reason: 'not pending' };
    const now = clock.now();
    if (dl.due_at > now) return { status: 'skipped', reason: 'early', dueAt: dl.due_at.toISOString() };
    const cr = await tx.query<CaseRow & { type: string }>(
      `SELECT id, status, agency_id, resolving_agency_id, vehicle_type, plate_text, plate_original, plate_colour, claimed_by, claimed_until,
              confirmed_by, manual_handling, owner_id, occurred_at, type FROM cases WHERE id = $1 FOR UPDATE`, [caseId]);
    const c = cr.rows[0];
    if (!c) return { status: 'skipped', reason: 'no case' };
    let effect = 'none';
    // A notice issued but not delivered by any channel does not meet the 10-day duty either.
    const undelivered = kind === 'notice_due' && c.status === 'notified' && (await tx.query(
      `SELECT 1 FROM deliveries d JOIN notices n ON n.id = d.notice_id WHERE n.case_id = $1 AND d.status IN ('sent', 'batched') LIMIT 1`, [caseId])).rows.length === 0;
    if (kind === 'notice_due' && (['detected', 'confirmed', 'approved'].includes(c.status) || undelivered)) {
      await tx.query('UPDATE cases SET overdue = true, updated_at = $2 WHERE id = $1', [caseId, now]);
      await appendAudit(tx, { at: now, actorId: null, actor: 'clock', action: 'case.notice_overdue', entity: 'case', entityId: caseId, data: { dueAt: dl.due_at.toISOString() } });
      effect = 'overdue';
    } else if (kind === 'response_due' && c.status === 'notified') {
      await applyTransition(tx, clock, c, 'escalate', { id: null, name: 'clock' }, '', [], { dueAt: dl.due_at.toISOString() });
      for (const target of escalationTargets(c.vehicle_type)) {
        await tx.query('INSERT INTO case_warnings (case_id, target, created_at) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING', [caseId, target, now]);
      }
      effect = 'escalated';
    } else if (kind === 'limitation' && ['detected', 'confirmed', 'approved', 'notified', 'escalated'].includes(c.status)) {
      await applyTransition(tx, clock, c, 'lapse', { id: null, name: 'clock' }, '', [], { dueAt: dl.due_at.toISOString() });
      await tx.query(`UPDATE case_deadlines SET status = 'cancelled' WHERE case_id = $1 AND status = 'pending' AND kind <> $2`, [caseId, kind]);
      effect = 'lapsed';
    }
    await tx.query(`UPDATE case_deadlines SET status = 'fired', fired_at = $3 WHERE case_id = $1 AND kind = $2`, [caseId, kind, now]);
    return { status: 'done', effect };
  });
  if (result.reason === 'early' && ctx.queues) {
    // Fired before its time by the clock in use (clock skew, or a job promoted by hand): arm it again.
    const dueAt = new Date(String(result.dueAt));
    await ctx.queues.enqueue('deadline.due', { caseId, kind, dueAt: dueAt.toISOString() }, {
      delay: Math.max(1000, dueAt.getTime() - clock.now().getTime()), jobId: `deadline.${caseId}.${kind}.${clock.now().getTime()}`,
    });
  }
  return result;
}

/** Safety net for lost delayed jobs: fires every pending deadline already due. */
export async function sweepDueDeadlines(ctx: JobContext): Promise<number> {
  const clock = ctx.clock ?? systemClock;
  const { rows } = await ctx.db.query<{ case_id: string; kind: DeadlineKind }>(
    `SELECT case_id, kind FROM case_deadlines WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT 1000`, [clock.now()]);
  let fired = 0;
  for (const r of rows) {
    const out = await fireDeadline(ctx, r.case_id, r.kind);
    if (out.status === 'done') fired += 1;
  }
  return fired;
}

/**
 * Outbox safety net (the process may die between a commit and its enqueue): re-queues electronic deliveries
 * still pending and notices whose PDF is not stored, once they are a minute old. Job ids de-duplicate.
 */
export async function sweepOutbox(ctx: JobContext): Promise<number> {
  if (!ctx.queues) return 0;
  const now = (ctx.clock ?? systemClock).now();
  const cutoff = new Date(now.getTime() - 60_000);
  const d = await ctx.db.query<{ id: string }>(`SELECT id FROM deliveries WHERE status = 'pending' AND channel <> 'post' AND updated_at < $1 LIMIT 1000`, [cutoff]);
  for (const r of d.rows) await ctx.queues.enqueue('outbox.deliver', { outboxId: r.id });
  const n = await ctx.db.query<{ id: string }>('SELECT id FROM notices WHERE sha256 IS NULL AND issued_at < $1 LIMIT 1000', [cutoff]);
  for (const r of n.rows) await ctx.queues.enqueue('notice.render', { noticeId: r.id });
  return d.rows.length + n.rows.length;
}

/** After a notice is issued: render it, arm the response clock, queue the electronic deliveries. */
export async function afterNoticeIssued(ctx: JobContext, issued: { noticeId: string; caseId: string; responseDueAt: Date; deliveryIds: string[] }): Promise<void> {
  const opts = { ...defaultOptions, ...ctx.options };
  try {
    await renderNotice(ctx.db, ctx.clock ?? systemClock, ctx.storage, issued.noticeId, opts.publicBaseUrl);
  } catch (err) {
    if (!ctx.queues) throw err;
    await ctx.queues.enqueue('notice.render', { noticeId: issued.noticeId });
  }
  await scheduleDeadlines(ctx, issued.caseId, [{ kind: 'response_due', dueAt: issued.responseDueAt }]);
  if (ctx.queues) {
    const { rows } = await ctx.db.query<{ id: string }>(`SELECT id FROM deliveries WHERE id = ANY($1::uuid[]) AND channel <> 'post'`, [issued.deliveryIds]);
    for (const r of rows) await ctx.queues.enqueue('outbox.deliver', { outboxId: r.id });
  }
}

export function apiJobHandlers(ctx: JobContext): JobHandlers {
  const clock = ctx.clock ?? systemClock;
  const opts = { ...defaultOptions, ...ctx.options };
  return {
    'violation.created': async (event) => {
      const created = await createCaseFromEvent(ctx.db, clock, event);
      if (created.created) await scheduleDeadlines(ctx, created.caseId, created.deadlines);
      return { status: created.created ? 'done' : 'skipped', caseId: created.caseId };
    },
    'notice.render': async ({ noticeId }) => {
      const out = await renderNotice(ctx.db, clock, ctx.storage, noticeId, opts.publicBaseUrl);
      return out === 'already' ? { status: 'skipped' } : { status: 'done', sha256: out.sha256 };
    },
    'outbox.deliver': async ({ outboxId }, job) => {
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      return deliver(ctx, outboxId, final);
    },
    'deadline.due': async ({ caseId, kind }) => fireDeadline(ctx, caseId, kind),
    'registry.import': async ({ importId }) => {
      if (!ctx.storage) throw new OperationalError('storage_unavailable', 'registry imports need object storage');
      return runRegistryImport({ db: ctx.db, storage: ctx.storage, clock }, importId);
    },
  };
}

/** Used by the violation HTTP route for worker tokens: same path as the queue. */
export async function ingestEvent(ctx: JobContext, event: unknown): Promise<{ caseId: string; created: boolean }> {
  const created = await createCaseFromEvent(ctx.db, ctx.clock ?? systemClock, event);
  if (created.created) await scheduleDeadlines(ctx, created.caseId, created.deadlines);
  return { caseId: created.caseId, created: created.created };
}

export { SYSTEM, OperationalError };
