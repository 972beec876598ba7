// Nothing lost, nothing duplicated: a private stack (redis-server, PostgreSQL cluster, s3rver of its own),
// the api's case worker as a child process, and a producer running the detector's emit path over a list of
// events. Mid-run, one fault per scenario: the case worker killed with SIGKILL and restarted, Redis
// restarted, PostgreSQL crashed (immediate stop) and restarted, object storage away for 30 s. After each:
// cases == distinct idempotency keys == events produced, every case has its evidence row, and the evidence
// objects are in storage with the hash the case recorded. Figures are printed, not asserted on time.
// Run with `npm run test:faults` (not part of `npm test`: minutes long, and it kills processes).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Db } from '@phatnguoi/core/db';
import { migrate } from '@phatnguoi/core/migrate';
import { createQueues, type Queues } from '@phatnguoi/core/queue';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import type { Config } from '@phatnguoi/core/config';
import { createAgency, createCamera } from '@phatnguoi/api/seed/demo';
import { CaseWorker, PrivatePostgres, PrivateRedis, PrivateS3, removeRoot, tempRoot } from '../../src/faults/stack';
import { eventList, produce, type ProducerStats } from '../../src/faults/producer';
import { processAlive } from '@phatnguoi/core/process';

const N = Number(process.env.FAULT_EVENTS ?? 40);
const GAP_MS = 150;

let root = '';
let redis: PrivateRedis;
let pg: PrivatePostgres;
let s3: PrivateS3;
let pool: Db;
let queues: Queues;
let storage: Storage;
let worker: CaseWorker;
let cameras: string[] = [];
const figures: Record<string, unknown>[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A query that waits out a PostgreSQL restart. */
async function q<T extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
  for (let i = 0; ; i++) {
    try {
      return (await pool.query<T>(sql, params)).rows;
    } catch (err) {
      if (i > 100) throw err;
      await sleep(500);
    }
  }
}

async function caseCounts(keys: string[]): Promise<{ cases: number; distinct: number; evidence: number }> {
  const [r] = await q<{ cases: string; distinct: string; evidence: string }>(
    `SELECT count(*) AS cases, count(DISTINCT c.idempotency_key) AS distinct,
            (SELECT count(*) FROM case_evidence e JOIN cases c2 ON c2.id = e.case_id WHERE c2.idempotency_key = ANY($1)) AS evidence
       FROM cases c WHERE c.idempotency_key = ANY($1)`,
    [keys],
  );
  return { cases: Number(r!.cases), distinct: Number(r!.distinct), evidence: Number(r!.evidence) };
}

/**
 * Produces N events; once a third of them are out, applies the fault; then waits until every expected case
 * exists and the violations queue is drained, and checks counts and evidence.
 */
async function scenario(name: string, fault: () => Promise<Record<string, unknown>>): Promise<void> {
  const t0 = Date.now();
  const events = eventList(`${name}-${Date.now().toString(36)}`, cameras, N, new Date(Date.now() - 3600_000));
  const keys = events.map((e) => e.idempotencyKey);
  const stats: ProducerStats = { produced: 0, storageRetries: 0, enqueueRetries: 0 };
  const producing = produce(events, { storage, queues }, { gapMs: GAP_MS, stats });
  while (stats.produced < Math.ceil(N / 3)) await sleep(50);
  const atFault = { produced: stats.produced, cases: (await caseCounts(keys)).cases };
  const faultInfo = await fault();
  await producing;
  const producedAt = Date.now();
  let counts = await caseCounts(keys);
  const deadline = Date.now() + 240_000;
  while (counts.cases < N && Date.now() < deadline) {
    await sleep(500);
    counts = await caseCounts(keys);
  }
  // drained: nothing waiting, active or delayed that could still add a duplicate
  const violations = queues.queue('violations');
  for (;;) {
    const c = await violations.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(c).every((n) => n === 0) || Date.now() > deadline) break;
    await sleep(500);
  }
  counts = await caseCounts(keys);
  const failed = await violations.getJobCounts('failed');
  // evidence objects are in storage with the hash the case recorded
  const ev = await q<{ key: string; sha256: string }>(
    'SELECT e.key, e.sha256 FROM case_evidence e JOIN cases c ON c.id = e.case_id WHERE c.idempotency_key = ANY($1)',
    [keys],
  );
  let evidenceOk = 0;
  for (const e of ev) {
    const body = await storage.get('evidence', e.key);
    if (createHash('sha256').update(body).digest('hex') === e.sha256) evidenceOk++;
  }
  const row = {
    scenario: name,
    expected: N,
    produced: stats.produced,
    cases: counts.cases,
    distinctKeys: counts.distinct,
    duplicates: counts.cases - counts.distinct,
    missing: N - counts.distinct,
    evidenceRows: counts.evidence,
    evidenceVerified: evidenceOk,
    failedJobs: failed.failed,
    producerRetries: { storage: stats.storageRetries, enqueue: stats.enqueueRetries },
    atFault,
    ...faultInfo,
    secondsAfterLastEvent: Math.round((Date.now() - producedAt) / 100) / 10,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  figures.push(row);
  console.log(`[faults] ${JSON.stringify(row)}`);
  if (counts.cases !== N) console.log(`[faults] worker output:\n${worker.output.join('').slice(-3000)}`);
  expect(stats.produced).toBe(N);
  expect(counts.distinct).toBe(N);
  expect(counts.cases).toBe(N);
  expect(counts.evidence).toBe(N);
  expect(evidenceOk).toBe(N);
  expect(failed.failed).toBe(0);
}

beforeAll(async () => {
  root = tempRoot();
  [redis, pg, s3] = await Promise.all([PrivateRedis.start(root), PrivatePostgres.start(root), PrivateS3.start(root)]);
  pool = createPool(pg.url, { max: 4, applicationName: 'faults-test' });
  await migrate(pool);
  const agency = await createAgency(pool, { code: 'PC08-TG', name: 'Phòng CSGT Tiền Giang', provinceCode: '63' });
  cameras = [
    await createCamera(pool, { agencyId: agency, name: 'Cam 1', address: 'Mỹ Tho' }),
    await createCamera(pool, { agencyId: agency, name: 'Cam 2', address: 'Mỹ Tho' }),
  ];
  const config: Pick<Config, 'redisUrl' | 'queuePrefix' | 's3'> = {
    redisUrl: redis.url,
    queuePrefix: 'pn-faults',
    s3: { endPoint: '127.0.0.1', port: s3.port, useSSL: false, accessKey: 'S3RVER', secretKey: 'S3RVER', region: 'us-east-1', bucketPrefix: 'faults-' },
  };
  storage = createStorage(config);
  await storage.ensureBuckets();
  queues = createQueues(config);
  worker = new CaseWorker({
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: config.queuePrefix,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    S3_BUCKET_PREFIX: 'faults-',
    NODE_ENV: 'development',
    DATA_DIR: root,
  });
  worker.start();
}, 180_000);

afterAll(async () => {
  console.log('[faults] figures');
  console.table(
    figures.map((f) => ({
      scenario: f.scenario,
      expected: f.expected,
      cases: f.cases,
      duplicates: f.duplicates,
      missing: f.missing,
      evidenceVerified: f.evidenceVerified,
      seconds: f.seconds,
    })),
  );
  await worker?.kill('SIGTERM').catch(() => undefined);
  await queues?.close().catch(() => undefined);
  await pool?.end().catch(() => undefined);
  await s3?.down().catch(() => undefined);
  await redis?.down().catch(() => undefined);
  await pg?.down('fast').catch(() => undefined);
  if (root) removeRoot(root);
}, 120_000);

describe('nothing lost, nothing duplicated', () => {
  it('case worker killed with SIGKILL mid-run and restarted', async () => {
    await scenario('worker-kill', async () => {
      const pid = worker.pid;
      // Make sure the kill lands mid-job: a transaction of ours holds a lock that blocks case inserts, so the
      // worker's jobs are active (inside their own transactions) when it dies. BullMQ's stalled-job check hands them
      // to the restarted worker once their lock (30 s) has expired.
      const violations = queues.queue('violations');
      const blocker = await pool.connect();
      let active = 0;
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE cases IN SHARE ROW EXCLUSIVE MODE');
        const end = Date.now() + 20_000;
        while (Date.now() < end && (active = (await violations.getJobCounts('active')).active ?? 0) === 0) await sleep(20);
        await sleep(300);
        active = (await violations.getJobCounts('active')).active ?? 0;
        await worker.kill('SIGKILL');
      } finally {
        await blocker.query('ROLLBACK').catch(() => undefined);
        blocker.release();
      }
      expect(active, 'jobs in progress when the worker was killed').toBeGreaterThan(0);
      expect(pid !== undefined && processAlive(pid), 'the killed worker process is gone').toBe(false);
      await sleep(2_000);
      worker.start();
      return { killedPid: pid, activeJobsAtKill: active, workerStarts: worker.starts };
    });
  });

  it('Redis restarted mid-run', async () => {
    await scenario('redis-restart', async () => {
      await redis.down('SIGTERM');
      await sleep(3_000);
      await redis.up();
      return { redisDownSeconds: 3 };
    });
  });

  it('Redis killed with SIGKILL mid-run (AOF, appendfsync everysec) and restarted', async () => {
    await scenario('redis-kill', async () => {
      await redis.down('SIGKILL');
      await sleep(3_000);
      await redis.up();
      return { redisDownSeconds: 3 };
    });
  });

  it('PostgreSQL crashed (immediate stop) and restarted mid-run', async () => {
    await scenario('postgres-restart', async () => {
      await pg.down('immediate');
      await sleep(3_000);
      await pg.up();
      return { postgresDownSeconds: 3 };
    });
  });

  it('object storage away for 30 s mid-run', async () => {
    await scenario('s3-away-30s', async () => {
      await s3.down();
      await sleep(30_000);
      await s3.up();
      return { storageDownSeconds: 30 };
    });
  });
});
