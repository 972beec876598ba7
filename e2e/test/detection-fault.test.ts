// "Online but not detecting" across roles: a detector (in-process DetectorWorker) whose camera's frame loop fails,
// the api (in-process, real clock) fed by the same Redis channels, and ingest's status messages saying the camera
// is online. The operator's /api/stats and /metrics show the fault with its reason within 30 s, clear it once the
// loop recovers by itself, and show it again within 30 s once the detector is gone. Real PostgreSQL and Redis.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameStreamKey } from '@phatnguoi/core/camera-node/channels';
import { rgbToI420 } from '@phatnguoi/core/camera-node/pixels';
import { FrameRingWriter } from '@phatnguoi/ingest';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { createQueues, type Queues } from '@phatnguoi/core/queue';
import { createStorage } from '@phatnguoi/core/storage';
import { createTestDatabase, testConfig, type TestDatabase } from '@phatnguoi/core/testing/index';
import { buildApp } from '@phatnguoi/api/app';
import { systemClock } from '@phatnguoi/api/clock';
import type { AppDeps } from '@phatnguoi/api/deps';
import { catcherOutbox } from '@phatnguoi/api/outbox/catcher';
import { createAgency, createCamera, createUser } from '@phatnguoi/api/seed/demo';
import { DetectorWorker } from '@phatnguoi/detector/pipeline/detector-worker';
import type { RunnerLogger } from '@phatnguoi/detector/pipeline/camera-runner';
import { TruthReplayDetector } from '@phatnguoi/detector/pipeline/truth-replay-detector';
import { planScenario } from '@phatnguoi/sim/render/video';

const METRICS_TOKEN = 'detection-fault-metrics-token-0123';
import { CATALOGUE } from '@phatnguoi/sim/scenario/catalogue';

const PASSWORD = 'correct horse battery';
const config = testConfig();
const prefix = `${config.queuePrefix}:`;
let db: TestDatabase;
let redis: Redis;
let sub: Redis;
let outbox: Awaited<ReturnType<typeof catcherOutbox>> | undefined;
let queues: Queues | undefined;
let app: FastifyInstance;
let token = '';
let cameraId = '';
let ingestTimer: NodeJS.Timeout | undefined;
let worker: DetectorWorker | undefined;
let framesTimer: NodeJS.Timeout | undefined;
const ringDir = mkdtempSync(join(tmpdir(), 'pn-detfault-'));

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(config.redisUrl);
  sub = createRedis(config.redisUrl, { blocking: true });
  const handlers = new Map<string, (m: string) => void>();
  sub.on('message', (channel: string, message: string) => handlers.get(channel)?.(message));
  // The camera board needs no storage or jobs; the app still gets the real ones (storage is never reached here).
  queues = createQueues(config);
  outbox = await catcherOutbox(db.pool);
  const deps: AppDeps = {
    db: db.pool,
    redis,
    mailer: outbox.mailer,
    sms: outbox.sms,
    storage: createStorage(config),
    queues,
    clock: systemClock,
    subscribe: async (channel, onMessage) => {
      handlers.set(channel, onMessage);
      await sub.subscribe(channel);
      return async () => {
        handlers.delete(channel);
        await sub.unsubscribe(channel).catch(() => undefined);
      };
    },
    options: { channelPrefix: prefix, rateLimitNamespace: `${prefix}rl:`, loginRatePerMinute: 10_000, metricsToken: METRICS_TOKEN },
  };
  app = await buildApp(deps);
  const agency = await createAgency(db.pool, { code: `PC08-${randomUUID().slice(0, 4)}`, name: 'Phòng CSGT', provinceCode: '63' });
  cameraId = await createCamera(db.pool, { agencyId: agency, name: 'Ngã tư Lê Lợi', address: 'Mỹ Tho' });
  await db.pool.query(`UPDATE cameras SET geometry = $2 WHERE id = $1`, [cameraId, JSON.stringify(planScenario(CATALOGUE[0]!).geometry)]);
  await createUser(db.pool, { username: 'ops1', password: PASSWORD, role: 'operator', agencyId: null });
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ops1', password: PASSWORD } });
  token = /pn_session=([^;]+)/.exec([login.headers['set-cookie'] ?? []].flat().join('\n'))?.[1] ?? '';
  expect(token).not.toBe('');
  // Ingest: the camera is leased on node-e and reported online every 2 s, as ingest does.
  await db.pool.query(
    `INSERT INTO camera_leases (camera_id, role, holder, node, expires_at) VALUES ($1, 'ingest', 'ingest-e', 'node-e', now() + interval '10 minutes')`,
    [cameraId],
  );
  const online = () =>
    void redis.publish(
      `${prefix}camera-status`,
      JSON.stringify({ cameraId, state: 'online', fps: 5, framesDropped: 0, lastError: null, lastErrorCode: null, framesTotal: 0, restarts: 0 }),
    );
  online();
  ingestTimer = setInterval(online, 2000);
});

afterAll(async () => {
  clearInterval(ingestTimer);
  clearInterval(framesTimer);
  await worker?.stop().catch(() => undefined);
  await app?.close();
  await queues?.close();
  await outbox?.close();
  sub?.disconnect();
  if (redis) {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  }
  await db?.drop();
  rmSync(ringDir, { recursive: true, force: true });
});

type Live = { cameraId: string; online: boolean; detectionFault: string | null; detectionError: string | null };
async function camera(): Promise<Live> {
  const res = await app.inject({ method: 'GET', url: '/api/stats', headers: { authorization: `Bearer ${token}` } });
  return (res.json() as { cameras: Live[] }).cameras.find((c) => c.cameraId === cameraId)!;
}

describe('a camera online at ingest whose detection stopped', () => {
  it('is a fault on the board and in /metrics within 30 s, with the reason, until detection resumes', { timeout: 180_000 }, async () => {
    // The camera's frame stream key is unusable: the detector's frame loop fails on every read.
    await redis.set(frameStreamKey(cameraId, prefix), 'not a stream');
    const quiet = () => undefined;
    worker = new DetectorWorker({
      db: db.pool,
      redisUrl: config.redisUrl,
      keyPrefix: prefix,
      holder: 'det-e',
      node: 'node-e',
      logger: { info: quiet, warn: quiet, error: quiet, debug: quiet } as unknown as RunnerLogger,
      detector: new TruthReplayDetector([]),
      leaseTtlMs: 15_000,
    });
    await worker.start();
    expect(worker.cameras).toEqual([cameraId]);
    // The detector's reports (every 5 s) say it retries, and why.
    await expect.poll(camera, { timeout: 30_000, interval: 500 }).toMatchObject({ online: true, detectionFault: 'retrying' });
    expect((await camera()).detectionError).toMatch(/WRONGTYPE/);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).body;
    expect(metrics).toContain(`camera_detecting{camera_id="${cameraId}"} 0`);
    expect(metrics).toContain(`camera_detection_fault{camera_id="${cameraId}",reason="retrying"} 1`);

    // The cause goes away and ingest's frames flow (5 a second into the frame ring): the loop resumes by itself
    // and the fault clears.
    await redis.del(frameStreamKey(cameraId, prefix));
    const writer = new FrameRingWriter({ rootDir: ringDir, cameraId, slots: 32, redis, keyPrefix: prefix, maxPending: 4 });
    await writer.init();
    const frame = { data: rgbToI420(new Uint8Array(320 * 240 * 3).fill(90), 320, 240), width: 320, height: 240 };
    framesTimer = setInterval(() => {
      writer.offer(frame, Date.now());
      void writer.flush();
    }, 200);
    await expect.poll(camera, { timeout: 30_000, interval: 500 }).toMatchObject({ online: true, detectionFault: null });
    expect(worker.cameras).toEqual([cameraId]);
    expect(await worker.health()).toBeNull();

    // The detector is gone (its process stopped): no more reports, a fault within 30 s.
    await worker.stop();
    worker = undefined;
    await expect.poll(camera, { timeout: 30_000, interval: 500 }).toMatchObject({ online: true, detectionFault: 'no_report' });
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).body).toContain(
      `camera_detection_fault{camera_id="${cameraId}",reason="no_report"} 1`,
    );
  });
});
