// BullMQ queues and workers over the job registry in ./jobs. Producers call enqueue(name, payload); a worker
// process calls startWorkers(config, handlers), which refuses to start when a job name of a chosen queue has
// no handler. Failures retry with exponential backoff; UserErrors (bad input) fail for good at once.
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Config } from './config';
import { InternalError, faultOf, isRetryable } from './errors';
import { JOBS, JOB_NAMES, QUEUE_NAMES, jobsOfQueue, toJobId, type JobName, type JobPayloads, type QueueName } from './jobs';
import { createLogger, type Logger } from './logger';
import { createRedis, deleteKeysWithPrefix, type Redis } from './redis';

export type QueueConfig = Pick<Config, 'redisUrl' | 'queuePrefix'>;

export interface EnqueueOptions {
  /** Overrides the registry's de-duplication id (':' is allowed; it is mapped for BullMQ). */
  jobId?: string;
  /** Run no earlier than this many ms from now (legal clocks, retries scheduled by the caller). */
  delay?: number;
  priority?: number;
  attempts?: number;
  /** First retry delay in ms (doubles each attempt). */
  backoffMs?: number;
}

/** What a handler reports; the return value is stored as the job's result. */
export type JobOutcome = { status: 'done' | 'skipped'; [key: string]: unknown };

export type JobHandler<N extends JobName> = (payload: JobPayloads[N], job: Job<JobPayloads[N], unknown, N>) => Promise<JobOutcome | void>;
export type JobHandlers = { [N in JobName]?: JobHandler<N> };

export interface Queues {
  enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts?: EnqueueOptions): Promise<Job<JobPayloads[N], unknown, N>>;
  /** The BullMQ queue behind a queue name (created on first use). */
  queue(name: QueueName): Queue;
  /** Counts of waiting + active + delayed jobs (+ prioritized + waiting-children) per queue. */
  pending(): Promise<Record<QueueName, number>>;
  /** Resolves when no queue has pending jobs (for tests and end-to-end checks). */
  waitUntilDrained(opts?: { timeoutMs?: number; pollMs?: number }): Promise<void>;
  /** Deletes every key of this prefix (tests only). */
  obliterateAll(): Promise<void>;
  close(): Promise<void>;
}

/** Default options of a job: registry retries, capped history, de-duplication id per entity. */
export function jobOptions<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): JobsOptions {
  const def = JOBS[name];
  const id = opts.jobId ?? def.jobId?.(payload);
  return {
    attempts: opts.attempts ?? def.attempts,
    backoff: { type: 'exponential', delay: opts.backoffMs ?? def.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
    ...(id !== undefined ? { jobId: toJobId(id) } : {}),
    ...(opts.delay !== undefined ? { delay: Math.max(0, Math.round(opts.delay)) } : {}),
    ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
  };
}

export function createQueues(config: QueueConfig, opts: { connection?: Redis; logger?: Logger } = {}): Queues {
  const log = opts.logger ?? createLogger('queue');
  const ownConnection = !opts.connection;
  const connection = opts.connection ?? createRedis(config.redisUrl, { name: `${config.queuePrefix}:producer` });
  const queues = new Map<QueueName, Queue>();

  const queue = (name: QueueName): Queue => {
    let q = queues.get(name);
    if (!q) {
      if (!QUEUE_NAMES.includes(name)) throw new InternalError('unknown_queue', `unknown queue ${name}`);
      q = new Queue(name, { connection, prefix: config.queuePrefix });
      // Connection trouble is reported here, not thrown: the connection reconnects by itself (core/redis).
      q.on('error', (err) => log.warn({ err, queue: name }, 'queue connection error'));
      queues.set(name, q);
    }
    return q;
  };

  const pending = async (): Promise<Record<QueueName, number>> => {
    const out = {} as Record<QueueName, number>;
    for (const name of QUEUE_NAMES) {
      const counts = await queue(name).getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      out[name] = Object.values(counts).reduce((a, b) => a + b, 0);
    }
    return out;
  };

  return {
    async enqueue(name, payload, enqueueOpts) {
      const def = JOBS[name];
      if (!def) throw new InternalError('unknown_job', `unknown job name ${String(name)}`);
      return (await queue(def.queue).add(name, payload, jobOptions(name, payload, enqueueOpts))) as Job<JobPayloads[typeof name], unknown, typeof name>;
    },
    queue,
    pending,
    async waitUntilDrained({ timeoutMs = 30_000, pollMs = 100 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const counts = await pending();
        if (Object.values(counts).every((n) => n === 0)) return;
        if (Date.now() > deadline) throw new InternalError('queue_not_drained', `queues not drained after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    async obliterateAll() {
      await deleteKeysWithPrefix(connection, `${config.queuePrefix}:`);
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
      if (ownConnection) await connection.quit().catch(() => connection.disconnect());
    },
  };
}

export interface StartWorkersOptions {
  /** Queues this process works on; default: the queues of the handlers given. Every job of these queues needs a handler. */
  queues?: readonly QueueName[];
  /** Jobs processed at once per queue. */
  concurrency?: number | Partial<Record<QueueName, number>>;
  logger?: Logger;
}

export interface Workers {
  readonly workers: ReadonlyMap<QueueName, Worker>;
  /** Stops taking jobs, waits for running ones to finish, and closes connections. */
  close(): Promise<void>;
}

/**
 * Checks handlers against the registry: unknown names, and job names of the chosen queues without a handler,
 * are reported together. Throws InternalError (a deployment bug), so a worker never starts half-wired.
 */
export function checkHandlers(handlers: JobHandlers, queues: readonly QueueName[]): void {
  const problems: string[] = [];
  for (const name of Object.keys(handlers)) {
    if (!(JOB_NAMES as string[]).includes(name)) problems.push(`handler for unknown job name "${name}"`);
    else if (!queues.includes(JOBS[name as JobName].queue))
      problems.push(`handler for "${name}" but its queue "${JOBS[name as JobName].queue}" is not started`);
  }
  for (const q of queues) {
    if (!QUEUE_NAMES.includes(q)) {
      problems.push(`unknown queue "${q}"`);
      continue;
    }
    for (const name of jobsOfQueue(q)) {
      if (typeof handlers[name] !== 'function') problems.push(`job "${name}" of queue "${q}" has no handler`);
    }
  }
  if (problems.length) throw new InternalError('missing_job_handlers', `Cannot start workers:\n  ${problems.join('\n  ')}`);
}

export async function startWorkers(config: QueueConfig, handlers: JobHandlers, opts: StartWorkersOptions = {}): Promise<Workers> {
  const chosen = opts.queues ?? [
    ...new Set(
      Object.keys(handlers)
        .filter((n) => n in JOBS)
        .map((n) => JOBS[n as JobName].queue),
    ),
  ];
  if (chosen.length === 0) throw new InternalError('missing_job_handlers', 'Cannot start workers: no handlers and no queues given');
  checkHandlers(handlers, chosen);

  const log = opts.logger ?? createLogger('worker');
  const connection = createRedis(config.redisUrl, { blocking: true, name: `${config.queuePrefix}:worker` });
  const workers = new Map<QueueName, Worker>();

  const processor = async (job: Job): Promise<unknown> => {
    const handler = handlers[job.name as JobName] as JobHandler<JobName> | undefined;
    // Unreachable after checkHandlers unless someone enqueued a name outside the registry.
    if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
    try {
      return (await handler(job.data as JobPayloads[JobName], job as Job<JobPayloads[JobName], unknown, JobName>)) ?? { status: 'done' };
    } catch (err) {
      if (!isRetryable(err)) {
        const e = new UnrecoverableError((err as Error).message);
        (e as Error & { code?: string }).code = (err as { code?: string }).code;
        throw e;
      }
      throw err;
    }
  };

  try {
    for (const q of chosen) {
      const concurrency = typeof opts.concurrency === 'number' ? opts.concurrency : (opts.concurrency?.[q] ?? 1);
      const worker = new Worker(q, processor, { connection, prefix: config.queuePrefix, concurrency, autorun: true });
      worker.on('failed', (job, err) => {
        if (!job) return;
        const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
        const level = final ? 'error' : faultOf(err) === 'bug' ? 'warn' : 'info';
        log[level]({ err, queue: q, job: job.name, jobId: job.id, attempt: job.attemptsMade, final }, final ? 'job failed for good' : 'job failed; will retry');
      });
      worker.on('error', (err) => log.warn({ err, queue: q }, 'worker error'));
      workers.set(q, worker);
    }
    await Promise.all([...workers.values()].map((w) => w.waitUntilReady()));
  } catch (err) {
    await Promise.all([...workers.values()].map((w) => w.close(true)));
    connection.disconnect();
    throw err;
  }
  log.info({ queues: chosen, prefix: config.queuePrefix }, 'workers started');

  return {
    workers,
    async close() {
      await Promise.all([...workers.values()].map((w) => w.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
