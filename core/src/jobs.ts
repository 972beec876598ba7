// Every queue, job name and payload type in one place. A worker that takes a queue must handle every job
// name of that queue (checked at start-up by startWorkers). To add a job: add its payload to JobPayloads,
// its queue and default options to JOBS; the compiler then points at every place that must change.
import type { ViolationEvent } from './contracts/violation-event';

/** Queues (BullMQ queue names: no ':' allowed). Separate queues let each role scale and prioritise its work. */
export const QueueName = {
  violations: 'violations',
  notices: 'notices',
  outbox: 'outbox',
  deadlines: 'deadlines',
  reports: 'reports',
  imports: 'imports',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/** Legal clocks of Circular 73/2024 Art. 24 tracked as delayed jobs. */
import type { DeadlineKind } from './contracts/values';
export { DEADLINE_KINDS, type DeadlineKind } from './contracts/values';

/** Payload type of each job name. */
export interface JobPayloads {
  /** The detector found a violation; the api turns it into a case (idempotent on event.idempotencyKey). */
  'violation.created': ViolationEvent;
  /** Render the notice PDF for a case and store it in the notices bucket. */
  'notice.render': { noticeId: string };
  /** Deliver one outbox message (notice to owner, warning to inspection body, routing to another locality). */
  'outbox.deliver': { outboxId: string };
  /** A legal deadline of a case has come; the handler re-checks the case state before acting. */
  'deadline.due': { caseId: string; kind: DeadlineKind; dueAt: string };
  /** Reconcile an uploaded file of payment records (payment_imports row) with the penalty decisions. */
  'payments.import': { importId: string };
  /** Render a scheduled report for its period and e-mail it to the schedule's list; runAt names the run. */
  'report.email': { scheduleId: string; runAt: string };
  /** Read an uploaded registry CSV (registry_imports row) into the registry; resumes from the last committed batch. */
  'registry.import': { importId: string };
  /** Remove what has outlived its retention (api/src/services/retention.ts); one a day (Vietnam date), after 03:00. */
  'retention.purge': { day: string };
}

export type JobName = keyof JobPayloads;

/** Job names as constants, for code that prefers `JobName.violationCreated` to a string literal. */
export const JobName = {
  violationCreated: 'violation.created',
  noticeRender: 'notice.render',
  outboxDeliver: 'outbox.deliver',
  deadlineDue: 'deadline.due',
  paymentsImport: 'payments.import',
  reportEmail: 'report.email',
  registryImport: 'registry.import',
  retentionPurge: 'retention.purge',
} as const satisfies Record<string, JobName>;

export interface JobDefinition<N extends JobName> {
  queue: QueueName;
  /** Attempts before the job fails for good (retries use exponential backoff). */
  attempts: number;
  /** First retry delay in ms; doubles on each attempt. */
  backoffMs: number;
  /** De-duplication: one job per entity, so a re-sent event or a re-armed timer never runs twice. */
  jobId?: (payload: JobPayloads[N]) => string;
}

/** The registry: queue and default options of every job. */
export const JOBS: { [N in JobName]: JobDefinition<N> } = {
  'violation.created': { queue: 'violations', attempts: 10, backoffMs: 1_000, jobId: (p) => p.idempotencyKey },
  'notice.render': { queue: 'notices', attempts: 5, backoffMs: 2_000, jobId: (p) => `notice.${p.noticeId}` },
  'outbox.deliver': { queue: 'outbox', attempts: 12, backoffMs: 5_000, jobId: (p) => `outbox.${p.outboxId}` },
  'deadline.due': { queue: 'deadlines', attempts: 8, backoffMs: 5_000, jobId: (p) => `deadline.${p.caseId}.${p.kind}` },
  'payments.import': { queue: 'reports', attempts: 5, backoffMs: 2_000, jobId: (p) => `payments.${p.importId}` },
  'report.email': { queue: 'reports', attempts: 6, backoffMs: 30_000, jobId: (p) => `report.${p.scheduleId}.${p.runAt}` },
  'registry.import': { queue: 'imports', attempts: 5, backoffMs: 2_000, jobId: (p) => `registry-import.${p.importId}` },
  // one per day however many replicas ask (completed jobs are kept a day); a purge is idempotent anyway
  'retention.purge': { queue: 'reports', attempts: 5, backoffMs: 60_000, jobId: (p) => `retention.${p.day}` },
};

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** Queue of each job name. */
export const QueueOf: { [N in JobName]: QueueName } = Object.fromEntries(JOB_NAMES.map((n) => [n, JOBS[n].queue])) as {
  [N in JobName]: QueueName;
};

export function jobsOfQueue(queue: QueueName): JobName[] {
  return JOB_NAMES.filter((n) => JOBS[n].queue === queue);
}

/** BullMQ rejects custom job ids containing ':' (our idempotency keys use it): map it to '|' one-to-one. */
export function toJobId(key: string): string {
  return key.replaceAll('|', '||').replaceAll(':', '|');
}
