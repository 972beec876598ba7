// The api's BullMQ job handlers: each job name mapped to the service that does it. What follows a case
// event (arming deadlines, queueing deliveries) is decided in services/case-flow.ts.
import { purgeExpired } from '../services/retention';
import type { JobHandlers } from '@phatnguoi/core/queue';
import { OperationalError } from '@phatnguoi/core/errors';
import { defaultOptions } from '../deps';
import { SYSTEM } from '../services/cases';
import { fireDeadline, ingestEvent, type JobContext } from '../services/case-flow';
import { renderNotice } from '../services/notices';
import { deliver } from '../services/delivery';
import { runImport } from '../services/payments';
import { sendScheduledReport } from '../services/report-schedules';
import { runRegistryImport } from '../services/registry';

/** Every queue the api's workers serve (apiJobHandlers handles each of their jobs). */
export const API_QUEUES = ['violations', 'notices', 'outbox', 'deadlines', 'reports', 'imports'] as const;

export function apiJobHandlers(ctx: JobContext): JobHandlers {
  const clock = ctx.clock;
  const opts = { ...defaultOptions, ...ctx.options };
  return {
    'violation.created': async (event) => {
      const created = await ingestEvent(ctx, event);
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

export { ingestEvent, sweepDueDeadlines, sweepOutbox, type JobContext } from '../services/case-flow';
export { SYSTEM, OperationalError };
