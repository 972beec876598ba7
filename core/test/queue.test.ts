import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UnrecoverableError, type Job } from 'bullmq';
import { OperationalError, UserError } from '../src/errors';
import { JOB_NAMES, JOBS, QUEUE_NAMES, toJobId } from '../src/jobs';
import { createQueues, startWorkers, type Queues, type Workers } from '../src/queue';
import { testConfig } from '../src/testing/config';
import { createLogger } from '../src/logger';

// Failures below are on purpose; keep their logs out of the test output.
const logger = createLogger('worker', { level: 'silent' });

/** Resolves when a job of the queue reaches a final state (completed, or failed with no attempts left). */
function settled(
  workers: Workers,
  queue: 'notices' | 'outbox' | 'deadlines',
  jobId: string,
): Promise<{ state: 'completed' | 'failed'; job: Job; err?: Error }> {
  const worker = workers.workers.get(queue)!;
  return new Promise((resolve) => {
    worker.on('completed', (job) => {
      if (job.id === jobId) resolve({ state: 'completed', job });
    });
    worker.on('failed', (job, err) => {
      if (job?.id === jobId && (err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1))) resolve({ state: 'failed', job, err });
    });
  });
}

describe('queues on real Redis', () => {
  const config = testConfig();
  const queues: Queues = createQueues(config);
  let workers: Workers | undefined;

  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });
  afterAll(async () => {
    await queues.obliterateAll();
    await queues.close();
  });

  it('declares every job on a known queue', () => {
    for (const name of JOB_NAMES) expect(QUEUE_NAMES).toContain(JOBS[name].queue);
  });

  it('delivers a typed payload to its handler and stores the outcome', async () => {
    const seen: string[] = [];
    workers = await startWorkers(
      config,
      {
        'notice.render': async (payload) => {
          seen.push(payload.noticeId);
          return { status: 'done', pages: 2 };
        },
      },
      { logger },
    );
    const job = await queues.enqueue('notice.render', { noticeId: 'n-42' });
    const result = await settled(workers, 'notices', job.id!);
    expect(result.state).toBe('completed');
    expect(result.job.returnvalue).toEqual({ status: 'done', pages: 2 });
    expect(seen).toEqual(['n-42']);
    await queues.waitUntilDrained();
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    let calls = 0;
    workers = await startWorkers(
      config,
      {
        'outbox.deliver': async () => {
          calls++;
          if (calls < 3) throw new OperationalError('smtp_down', 'mail server unavailable');
          return { status: 'done' };
        },
      },
      { logger },
    );
    const job = await queues.enqueue('outbox.deliver', { outboxId: 'o-1' }, { attempts: 5, backoffMs: 50 });
    const result = await settled(workers, 'outbox', job.id!);
    expect(result.state).toBe('completed');
    expect(calls).toBe(3);
    expect(result.job.attemptsMade).toBe(3);
  });

  it('fails a job for good once its attempts are used up', async () => {
    let calls = 0;
    workers = await startWorkers(
      config,
      {
        'outbox.deliver': async () => {
          calls++;
          throw new Error('always broken');
        },
      },
      { logger },
    );
    const job = await queues.enqueue('outbox.deliver', { outboxId: 'o-2' }, { attempts: 3, backoffMs: 20 });
    const result = await settled(workers, 'outbox', job.id!);
    expect(result.state).toBe('failed');
    expect(calls).toBe(3);
    expect(await queues.queue('outbox').getJobState(job.id!)).toBe('failed');
    expect(result.job.failedReason).toBe('always broken');
  });

  it('does not retry a job rejected with a UserError (bad input)', async () => {
    let calls = 0;
    workers = await startWorkers(
      config,
      {
        'outbox.deliver': async () => {
          calls++;
          throw new UserError('bad_address', 'owner address unusable');
        },
      },
      { logger },
    );
    const job = await queues.enqueue('outbox.deliver', { outboxId: 'o-3' }, { attempts: 5, backoffMs: 20 });
    const result = await settled(workers, 'outbox', job.id!);
    expect(result.state).toBe('failed');
    expect(calls).toBe(1);
  });

  it('de-duplicates by entity id, including idempotency keys that contain ":"', async () => {
    const a = await queues.enqueue('deadline.due', { caseId: 'c-1', kind: 'notice_due', dueAt: '2025-01-10T00:00:00Z' }, { delay: 60_000 });
    const b = await queues.enqueue('deadline.due', { caseId: 'c-1', kind: 'notice_due', dueAt: '2025-01-10T00:00:00Z' }, { delay: 60_000 });
    expect(a.id).toBe('deadline.c-1.notice_due');
    expect(b.id).toBe(a.id);
    expect(await queues.queue('deadlines').getDelayedCount()).toBe(1);
    expect(toJobId('cam-1:17:red_light:p3')).toBe('cam-1|17|red_light|p3');
    expect(toJobId('a|b:c')).not.toBe(toJobId('a:b|c'));
    await queues.queue('deadlines').obliterate({ force: true });
  });

  it('keeps environments apart with the key prefix', async () => {
    const other = createQueues(testConfig());
    try {
      await queues.enqueue('notice.render', { noticeId: 'only-here' }, { delay: 60_000 });
      expect((await other.pending()).notices).toBe(0);
      expect((await queues.pending()).notices).toBeGreaterThanOrEqual(1);
    } finally {
      await other.obliterateAll();
      await other.close();
      await queues.queue('notices').obliterate({ force: true });
    }
  });
});

describe('startWorkers checks handlers at start', () => {
  const config = testConfig();

  it('refuses to start when a job of a chosen queue has no handler', async () => {
    await expect(startWorkers(config, { 'notice.render': async () => undefined }, { queues: ['notices', 'deadlines'] })).rejects.toThrow(
      /job "deadline.due" of queue "deadlines" has no handler/,
    );
  });

  it('refuses handlers for unknown job names', async () => {
    const handlers = { 'notice.render': async () => undefined, 'notice.rendr': async () => undefined } as Parameters<typeof startWorkers>[1];
    await expect(startWorkers(config, handlers)).rejects.toThrow(/unknown job name "notice.rendr"/);
  });

  it('refuses to start with no handlers at all', async () => {
    await expect(startWorkers(config, {})).rejects.toThrow(/no handlers/);
  });
});
