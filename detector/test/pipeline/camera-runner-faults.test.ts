// A camera's frame loop meeting faults of the real servers: its PostgreSQL backends terminated while it saves
// progress (pg_terminate_backend) and its Redis connections killed mid-stream (CLIENT KILL). It resumes by
// itself and every violation of the scene reaches the queue exactly once. A loop that keeps failing (its
// stream key unusable) reports why, gives its camera's lease up and says so on detector-stats.
// Real PostgreSQL, Redis, S3 endpoint and BullMQ; frames through ingest's frame ring, as camera-runner.test.ts.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import { rgbToI420 } from '@phatnguoi/core/camera-node/pixels';
import { createPool, type Db } from '@phatnguoi/core/db';
import { createQueues, type Queues } from '@phatnguoi/core/queue';
import { createRedis, type Redis } from '@phatnguoi/core/redis';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import { frameStreamKey } from '@phatnguoi/core/camera-node/channels';
import { FrameRingWriter } from '@phatnguoi/ingest';
import { CameraRunner, type RunnerLogger } from '../../src/pipeline/camera-runner';
import type { DetectorStatsMessage } from '@phatnguoi/core/camera-node/channels';
import { DetectorWorker } from '../../src/pipeline/detector-worker';
import { TruthReplayDetector } from '../../src/pipeline/truth-replay-detector';
import { H, W, renderFrame, truthFrames, videoGeometry } from '../fixtures/synthetic-video';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const BASE_MS = Date.parse('2026-03-01T01:00:00.000Z');

let db: TestDatabase;
let s3: TestS3;
let storage: Storage;
let redis: Redis;
let ringDir: string;
let prefix: string;
let config: ReturnType<typeof testConfig>;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj: (obj ?? {}) as Record<string, unknown>, msg: msg ?? '' });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as RunnerLogger, lines };
}

async function insertCamera(ingestNode?: string): Promise<string> {
  const agency = await db.pool.query<{ id: string }>(`INSERT INTO agencies (code, name, province_code) VALUES ($1, 'PC08 Test', '79') RETURNING id`, [
    `F${randomUUID().slice(0, 8)}`,
  ]);
  const cam = await db.pool.query<{ id: string }>(
    `INSERT INTO cameras (agency_id, name, address, stream_url, geometry) VALUES ($1, 'Ngã tư Test', 'Quận 1, TP.HCM', 'rtsp://example/cam', $2) RETURNING id`,
    [agency.rows[0]!.id, JSON.stringify(videoGeometry)],
  );
  const id = cam.rows[0]!.id;
  if (ingestNode) {
    await db.pool.query(
      `INSERT INTO camera_leases (camera_id, role, holder, node, expires_at) VALUES ($1, 'ingest', 'ingest-1', $2, now() + interval '10 minutes')`,
      [id, ingestNode],
    );
  }
  return id;
}

async function writeFrames(writer: FrameRingWriter, from: number, to: number) {
  for (let i = from; i < to; i++) {
    const t = i / 5;
    expect(writer.offer({ data: rgbToI420(renderFrame(t), W, H), width: W, height: H }, BASE_MS + t * 1000)).toBe(true);
    await writer.flush();
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ids of the Redis connections whose CLIENT SETNAME starts with `namePrefix`. */
async function redisClients(namePrefix: string): Promise<string[]> {
  const list = (await redis.client('LIST')) as string;
  const ids: string[] = [];
  for (const line of list.split('\n')) {
    const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
    const name = /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '';
    if (id && name.startsWith(namePrefix)) ids.push(id);
  }
  return ids;
}

/** Kills every Redis connection whose CLIENT SETNAME starts with `namePrefix`; how many. */
async function killRedisClients(namePrefix: string): Promise<number> {
  let killed = 0;
  for (const id of await redisClients(namePrefix)) killed += Number(await redis.client('KILL', 'ID', id));
  return killed;
}

beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
  config = testConfig({ s3: s3.s3 });
  storage = createStorage(config);
  await storage.ensureBuckets();
  redis = createRedis(REDIS_URL);
  prefix = `${config.queuePrefix}:`;
  ringDir = await mkdtemp(join(tmpdir(), 'pn-ring-faults-'));
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await s3?.stop();
  await db?.drop();
  await rm(ringDir, { recursive: true, force: true });
});

describe('a camera frame loop under dropped connections', () => {
  it(
    'resumes after its database backends are terminated and its Redis connections killed, with every violation queued once',
    { timeout: 240_000 },
    async () => {
      const cameraId = await insertCamera();
      const tag = `fault-${randomUUID().slice(0, 8)}`;
      // The detector's own pool and connections, named so the test can find and drop them.
      const pool: Db = createPool(db.url, { max: 3, applicationName: tag });
      const producer = createRedis(REDIS_URL, { name: `${tag}-producer` });
      const queues: Queues = createQueues(config, { connection: producer });
      cleanups.push(async () => {
        await queues.obliterateAll().catch(() => undefined);
        await queues.close();
        producer.disconnect();
        await pool.end();
      });
      const events: ViolationEvent[] = [];
      const { logger, lines } = recordingLogger();
      const runner = new CameraRunner(cameraId, {
        db: pool,
        connectRedis: () => createRedis(REDIS_URL, { blocking: true, name: `${tag}-stream` }),
        keyPrefix: prefix,
        holder: 'fault-holder',
        logger,
        detector: new TruthReplayDetector(truthFrames(), { jitterPx: 1.5, seed: 3 }),
        videoStartMs: BASE_MS,
        storage,
        sink: async (e) => {
          await queues.enqueue('violation.created', e);
          events.push(e);
        },
        progressEveryMs: 0,
        blockMs: 100,
        retry: { initialMs: 50, maxMs: 500 },
      });
      const writer = new FrameRingWriter({ rootDir: ringDir, cameraId, slots: 100, redis, keyPrefix: prefix, maxPending: 4 });
      await writer.init();

      await writeFrames(writer, 0, 12);
      expect(await runner.start()).toBe(true);
      await runner.waitForSeq(11);
      await until(
        'progress saved at frame 11',
        async () => Number((await db.pool.query(`SELECT seq FROM detector_progress WHERE camera_id = $1`, [cameraId])).rows[0]?.seq ?? -1) === 11,
      );

      // 1. PostgreSQL: hold the progress row so the runner's next save waits on it, then terminate the runner's
      // backends (the waiting one fails with 57P01, idle ones drop out of its pool).
      const blocker = await db.pool.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query(`SELECT 1 FROM detector_progress WHERE camera_id = $1 FOR UPDATE`, [cameraId]);
        await writeFrames(writer, 12, 16);
        await until(
          'the runner waiting on the held row',
          async () => (await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [tag])).rowCount! > 0,
        );
        const terminated = await db.pool.query<{ ok: boolean }>(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`, [
          tag,
        ]);
        expect(terminated.rows.filter((r) => r.ok).length).toBeGreaterThanOrEqual(1);
      } finally {
        await blocker.query('ROLLBACK');
        blocker.release();
      }
      await until('the runner to report the failure', () => lines.some((l) => l.msg === 'frame stream failed; retrying'));
      const failure = lines.find((l) => l.msg === 'frame stream failed; retrying')!;
      expect(String(failure.obj.err)).toMatch(/terminat/i);
      await writeFrames(writer, 16, 24);
      await runner.waitForSeq(23);
      await until('detecting again', () => runner.health().state === 'detecting');

      // 2. Redis: kill the stream reader's and the queue producer's connections while frames keep coming.
      await writeFrames(writer, 24, 28);
      expect(await killRedisClients(tag)).toBeGreaterThanOrEqual(2);
      await writeFrames(writer, 28, 34);
      await runner.waitForSeq(33, 60_000);
      // Both connections came back by themselves; kill them again, mid-stream.
      await until('the connections back', async () => (await redisClients(tag)).length >= 2);
      expect(await killRedisClients(tag)).toBeGreaterThanOrEqual(2);
      await writeFrames(writer, 34, 40);
      await writeFrames(writer, 40, 50);
      await runner.waitForSeq(49, 60_000);
      await until('frame 49 handled', () => runner.counters.processed === 50);
      await runner.stop();
      // End of input: the violations still waiting for their clip's end go out through the same sink.
      await runner.cameraPipeline!.finish();

      // Every frame handled once, in order, and progress saved to the end.
      expect(runner.counters).toMatchObject({ processed: 50, dropped: 0, corrupt: 0 });
      const saved = await db.pool.query<{ seq: string; frames_processed: string }>(`SELECT seq, frames_processed FROM detector_progress WHERE camera_id = $1`, [
        cameraId,
      ]);
      expect(Number(saved.rows[0]!.seq)).toBe(49);
      expect(Number(saved.rows[0]!.frames_processed)).toBe(50);
      // The scene's three violations (camera-runner.test.ts), each queued exactly once.
      expect(events.map((e) => e.type).sort()).toEqual(['red_light', 'wrong_lane', 'wrong_way']);
      expect(new Set(events.map((e) => e.idempotencyKey)).size).toBe(3);
      const jobs = await queues.queue('violations').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
      const ours = jobs.filter((j) => (j.data as ViolationEvent).cameraId === cameraId);
      expect(ours.map((j) => (j.data as ViolationEvent).type).sort()).toEqual(['red_light', 'wrong_lane', 'wrong_way']);
    },
  );
});

describe('a camera frame loop that keeps failing', () => {
  it('reports why while retrying, then releases its lease and says it gave the camera up', { timeout: 120_000 }, async () => {
    const node = `node-${randomUUID().slice(0, 6)}`;
    const cameraId = await insertCamera(node);
    // The camera's frame stream key holds a string: every XREAD fails (WRONGTYPE), whatever the retry.
    await redis.set(frameStreamKey(cameraId, prefix), 'not a stream');
    const received: DetectorStatsMessage[] = [];
    const sub = createRedis(REDIS_URL, { blocking: true });
    cleanups.push(() => sub.disconnect());
    await sub.subscribe(`${prefix}detector-stats`);
    sub.on('message', (_c: string, text: string) => {
      const m = JSON.parse(text) as DetectorStatsMessage;
      if (m.cameraId === cameraId) received.push(m);
    });
    const { logger, lines } = recordingLogger();
    const worker = new DetectorWorker({
      db: db.pool,
      redisUrl: REDIS_URL,
      keyPrefix: prefix,
      holder: 'det-failing',
      node,
      logger,
      detector: new TruthReplayDetector([]),
      leaseTtlMs: 60_000,
      statsIntervalMs: 200,
      blockMs: 100,
      retry: { initialMs: 50, maxMs: 200, giveUpAfterMs: 2000, giveUpAfterFailures: 3 },
    });
    await worker.start();
    try {
      expect(worker.cameras).toEqual([cameraId]);
      // While it retries: not detecting, with the reason, on detector-stats and in the health answer.
      await until('a retrying report', () => received.some((m) => m.state === 'retrying'));
      expect(received.find((m) => m.state === 'retrying')!.error).toMatch(/WRONGTYPE/);
      expect(await worker.health()).toMatch(new RegExp(`camera ${cameraId} not detecting \\(retrying`));
      // Then it gives the camera up: lease released, one last report saying so, healthy again without it.
      await until('the camera given up', () => worker.cameras.length === 0, 30_000);
      await until('a gave_up report', () => received.some((m) => m.state === 'gave_up'));
      expect(received.find((m) => m.state === 'gave_up')!.error).toMatch(/WRONGTYPE/);
      const leases = await db.pool.query(`SELECT 1 FROM camera_leases WHERE camera_id = $1 AND role = 'detector'`, [cameraId]);
      expect(leases.rowCount).toBe(0);
      expect(lines.some((l) => l.level === 'error' && l.msg.startsWith('detection failed for too long on this camera'))).toBe(true);
      expect(await worker.health()).toBeNull();
      // Not retaken at once by the same worker (another detector may take it meanwhile).
      await worker.tick();
      expect(worker.cameras).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it('a loop hung in a call is reported stalled, then its camera is given up', { timeout: 120_000 }, async () => {
    const node = `node-${randomUUID().slice(0, 6)}`;
    const cameraId = await insertCamera(node);
    const received: DetectorStatsMessage[] = [];
    const sub = createRedis(REDIS_URL, { blocking: true });
    cleanups.push(() => sub.disconnect());
    await sub.subscribe(`${prefix}detector-stats`);
    sub.on('message', (_c: string, text: string) => {
      const m = JSON.parse(text) as DetectorStatsMessage;
      if (m.cameraId === cameraId) received.push(m);
    });
    let calls = 0;
    const worker = new DetectorWorker({
      db: db.pool,
      redisUrl: REDIS_URL,
      keyPrefix: prefix,
      holder: 'det-hung',
      node,
      logger: recordingLogger().logger,
      // The first frame goes through; the second never comes back (a hung model call).
      detector: { name: 'hangs', detect: () => (++calls === 1 ? Promise.resolve([]) : new Promise(() => undefined)), dispose() {} },
      leaseTtlMs: 6000,
      statsIntervalMs: 200,
      blockMs: 100,
      stallMs: 800,
      retry: { giveUpAfterMs: 2500 },
    });
    await worker.start();
    try {
      expect(worker.cameras).toEqual([cameraId]);
      const writer = new FrameRingWriter({ rootDir: ringDir, cameraId, slots: 100, redis, keyPrefix: prefix, maxPending: 4 });
      await writer.init();
      await writeFrames(writer, 0, 3);
      await until('a stalled report', () => received.some((m) => m.state === 'stalled'));
      expect(received.find((m) => m.state === 'stalled')!.error).toMatch(/no frame read or finished for \d+ s/);
      expect(await worker.health()).toMatch(/not detecting \(stalled/);
      await until('the camera given up', () => worker.cameras.length === 0, 30_000);
      await until('a gave_up report', () => received.some((m) => m.state === 'gave_up'));
      // Released once its runner is stopped (a hung call is waited for 5 s at most).
      await until(
        'the lease released',
        async () => (await db.pool.query(`SELECT 1 FROM camera_leases WHERE camera_id = $1 AND role = 'detector'`, [cameraId])).rowCount === 0,
        15_000,
      );
    } finally {
      await worker.stop();
    }
  });
});
