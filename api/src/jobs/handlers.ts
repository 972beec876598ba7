// The api's BullMQ job handlers: case creation, notice rendering, outbox delivery and the legal clock.
// What follows each job (scheduling deadlines, enqueueing deliveries) is decided here in one place.
import { purgeExpired } from '../services/retention';
import type { JobHandlers, JobOutcome } from '@phatnguoi/core/queue';
import type { DeadlineKind } from '@phatnguoi/core/jobs';
import { OperationalError } from '@phatnguoi/core/errors';
import type { AppDeps, ApiOptions } from '../deps';
import { defaultOptions } from '../deps';
import { createCaseFromEvent, SYSTEM } from '../services/cases';
import { renderNotice } from '../services/notices';
import { deliver, electronicDeliveries, stuckOutbox } from '../services/delivery';
import { dueDeadlines, fireDueDeadline } from '../services/legal-clock';
import { runImport } from '../services/payments';
import { sendScheduledReport } from '../services/report-schedules';
import { runRegistryImport } from '../services/registry';

/** Every queue the api's workers serve (apiJobHandlers handles each of their jobs). */
export const API_QUEUES = ['violations', 'notices', 'outbox', 'deadlines', 'reports', 'imports'] as const;

export interface JobContext extends AppDeps {
  options?: Partial<ApiOptions>;
}

/** Schedules the legal-clock jobs of a case as delayed jobs; the dates themselves are in case_deadlines. */
export async function scheduleDeadlines(ctx: JobContext, caseId: string, deadlines: { kind: DeadlineKind; dueAt: Date }[]): Promise<void> {
  const now = ctx.clock.now().getTime();
  for (const d of deadlines) {
    await ctx.queues.enqueue('deadline.due', { caseId, kind: d.kind, dueAt: d.dueAt.toISOString() }, { delay: Math.max(0, d.dueAt.getTime() - now) });
  }
}

/** Fires one deadline (services/legal-clock.ts); one fired early by the clock in use is armed again. */
export async function fireDeadline(ctx: JobContext, caseId: string, kind: DeadlineKind): Promise<JobOutcome> {
  const clock = ctx.clock;
  const result = await fireDueDeadline(ctx.db, clock, caseId, kind);
  if (result.reason === 'early') {
    // Fired before its time by the clock in use (clock skew, or a job promoted by hand): arm it again.
    const dueAt = new Date(String(result.dueAt));
    await ctx.queues.enqueue(
      'deadline.due',
      { caseId, kind, dueAt: dueAt.toISOString() },
      {
        delay: Math.max(1000, dueAt.getTime() - clock.now().getTime()),
        jobId: `deadline.${caseId}.${kind}.${clock.now().getTime()}`,
      },
    );
  }
  return result;
}

/** Safety net for lost delayed jobs: fires every pending deadline already due. */
export async function sweepDueDeadlines(ctx: JobContext): Promise<number> {
  let fired = 0;
  for (const r of await dueDeadlines(ctx.db, ctx.clock.now())) {
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
  const stuck = await stuckOutbox(ctx.db, new Date(ctx.clock.now().getTime() - 60_000));
  for (const id of stuck.deliveryIds) await ctx.queues.enqueue('outbox.deliver', { outboxId: id });
  for (const id of stuck.noticeIds) await ctx.queues.enqueue('notice.render', { noticeId: id });
  return stuck.deliveryIds.length + stuck.noticeIds.length;
}

/** After a notice is issued: render it, arm the response clock, queue the electronic deliveries. */
export async function afterNoticeIssued(
  ctx: JobContext,
  issued: { noticeId: string; caseId: string; responseDueAt: Date; deliveryIds: string[] },
): Promise<void> {
  const opts = { ...defaultOptions, ...ctx.options };
  try {
    await renderNotice(ctx.db, ctx.clock, ctx.storage, issued.noticeId, opts.publicBaseUrl, opts.noticeFonts);
  } catch {
    // storage away: the notice.render job retries it
    await ctx.queues.enqueue('notice.render', { noticeId: issued.noticeId });
  }
  await scheduleDeadlines(ctx, issued.caseId, [{ kind: 'response_due', dueAt: issued.responseDueAt }]);
  for (const id of await electronicDeliveries(ctx.db, issued.deliveryIds)) await ctx.queues.enqueue('outbox.deliver', { outboxId: id });
}

export function apiJobHandlers(ctx: JobContext): JobHandlers {
  const clock = ctx.clock;
  const opts = { ...defaultOptions, ...ctx.options };
  return {
    'violation.created': async (event) => {
      const created = await createCaseFromEvent(ctx.db, clock, event);
      if (created.created) await scheduleDeadlines(ctx, created.caseId, created.deadlines);
      return { status: created.created ? 'done' : 'skipped', caseId: created.caseId };
    },
    'notice.render': async ({ noticeId }) => {
      const out = await renderNotice(ctx.db, clock, ctx.storage, noticeId, opts.publicBaseUrl, opts.noticeFonts);
      return out === 'already' ? { status: 'skipped' } : { status: 'done', sha256: out.sha256 };
    },
    'outbox.deliver': async ({ outboxId }, job) => {
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      return deliver(ctx, outboxId, final);
    },
    'deadline.due': async ({ caseId, kind }) => fireDeadline(ctx, caseId, kind),
    'payments.import': async ({ importId }, job) => ({
      status: 'done',
      outcome: await runImport(ctx.db, clock, importId, (processed, total) => job.updateProgress({ processed, total })),
    }),
    'report.email': async ({ scheduleId, runAt }) => sendScheduledReport(ctx, scheduleId, runAt),
    'registry.import': async ({ importId }) => runRegistryImport({ db: ctx.db, storage: ctx.storage, clock }, importId),
    'retention.purge': async () => ({ status: 'done', run: await purgeExpired({ db: ctx.db, storage: ctx.storage, clock }) }),
  };
}

/** Used by the violation HTTP route for worker tokens: same path as the queue. */
export async function ingestEvent(ctx: JobContext, event: unknown): Promise<{ caseId: string; created: boolean }> {
  const created = await createCaseFromEvent(ctx.db, ctx.clock, event);
  if (created.created) await scheduleDeadlines(ctx, created.caseId, created.deadlines);
  return { caseId: created.caseId, created: created.created };
}

export { SYSTEM, OperationalError };
