// What follows a case event, decided in one place: a new case arms its legal clock, an issued notice is
// rendered and its deliveries queued, a deadline fires (or is armed again when fired early), and the
// safety nets re-queue what a crash left behind. The job handlers and the routes both call these.
import type { JobOutcome } from '@phatnguoi/core/queue';
import type { DeadlineKind } from '@phatnguoi/core/jobs';
import type { AppDeps, ApiOptions } from '../deps';
import { defaultOptions } from '../deps';
import { createCaseFromEvent } from './cases';
import { renderNotice } from './notices';
import { electronicDeliveries, stuckOutbox } from './delivery';
import { dueDeadlines, fireDueDeadline } from './legal-clock';

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

/** A violation event becomes a case with its legal clock armed (the violations queue and the worker route). */
export async function ingestEvent(ctx: JobContext, event: unknown): Promise<{ caseId: string; created: boolean }> {
  const created = await createCaseFromEvent(ctx.db, ctx.clock, event);
  if (created.created) await scheduleDeadlines(ctx, created.caseId, created.deadlines);
  return { caseId: created.caseId, created: created.created };
}
