// Dropped connections come back unaided: PostgreSQL backends terminated under a pool (idle clients and a client
// inside a transaction) and Redis connections killed under a BullMQ producer and worker. Real PostgreSQL and Redis.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, withTransaction, type Db } from '../src/db';
import { createLogger } from '../src/logger';
import { createQueues, startWorkers } from '../src/queue';
import { createRedis, type Redis } from '../src/redis';
import { testConfig } from '../src/testing/config';
import { createTestDatabase, type TestDatabase } from '../src/testing/index';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
let db: TestDatabase;
let admin: Redis;

beforeAll(async () => {
  db = await createTestDatabase();
  admin = createRedis(REDIS_URL);
});
afterAll(async () => {
  admin?.disconnect();
  await db?.drop();
});

async function terminate(applicationName: string): Promise<number> {
  const r = await db.pool.query<{ ok: boolean }>(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`, [applicationName]);
  return r.rows.filter((x) => x.ok).length;
}

async function killRedis(namePrefix: string): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  let killed = 0;
  for (const line of list.split('\n')) {
    const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
    const name = /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '';
    if (id && name.startsWith(namePrefix)) killed += Number(await admin.client('KILL', 'ID', id));
  }
  return killed;
}

describe('PostgreSQL pool', () => {
  it('survives its backends being terminated, idle or inside a transaction, and answers again', async () => {
    const app = `conn-test-${randomUUID().slice(0, 8)}`;
    const pool: Db = createPool(db.url, { max: 3, applicationName: app });
    try {
      // Idle clients: the pool drops them and opens new ones.
      await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 2'), pool.query('SELECT 3')]);
      expect(await terminate(app)).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 200));
      expect((await pool.query<{ n: number }>('SELECT 41 + 1 AS n')).rows[0]!.n).toBe(42);

      // A transaction whose backend goes between two queries: the transaction fails (nothing committed), the
      // process lives on (without a listener pg's 'error' event would kill it), and the pool works afterwards.
      await pool.query('CREATE TABLE IF NOT EXISTS conn_test (v int)');
      const tx = withTransaction(pool, async (c) => {
        await c.query('INSERT INTO conn_test VALUES (1)');
        await terminate(app);
        await new Promise((r) => setTimeout(r, 300));
        await c.query('INSERT INTO conn_test VALUES (2)');
      });
      await expect(tx).rejects.toThrow(/terminat|not queryable|Connection terminated/i);
      expect((await pool.query<{ n: string }>('SELECT count(*) AS n FROM conn_test')).rows[0]!.n).toBe('0');
    } finally {
      await pool.end();
    }
  });
});

describe('BullMQ over killed Redis connections', () => {
  it('a producer and a worker reconnect by themselves and every job is processed', async () => {
    const config = testConfig();
    const logger = createLogger('worker', { level: 'silent' });
    const queues = createQueues(config, { logger });
    const done: string[] = [];
    const workers = await startWorkers(config, { 'notice.render': async (p) => void done.push(p.noticeId) }, { logger });
    try {
      const ids = Array.from({ length: 6 }, () => randomUUID());
      await queues.enqueue('notice.render', { noticeId: ids[0]! });
      await expect.poll(() => done.length, { timeout: 20_000 }).toBe(1);
      // Both the producer's and the worker's connections are named after the queue prefix.
      expect(await killRedis(config.queuePrefix)).toBeGreaterThanOrEqual(2);
      for (const id of ids.slice(1, 3)) await queues.enqueue('notice.render', { noticeId: id });
      await expect.poll(() => done.length, { timeout: 30_000 }).toBe(3);
      expect(await killRedis(config.queuePrefix)).toBeGreaterThanOrEqual(1);
      for (const id of ids.slice(3)) await queues.enqueue('notice.render', { noticeId: id });
      await expect.poll(() => [...done].sort(), { timeout: 30_000 }).toEqual([...ids].sort());
    } finally {
      await workers.close();
      await queues.obliterateAll().catch(() => undefined);
      await queues.close();
    }
  });
});
