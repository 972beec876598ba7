// Live detector figures on Redis channel `<prefix>detector-stats` (the channel and prefix the api's
// operations wall subscribes to: `${INGEST_REDIS_PREFIX}detector-stats`, api/src/routes/ops.ts), and the
// worker's health answer behind the HEALTH_FILE heartbeat. Real PostgreSQL and Redis.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection, VehicleDetector } from '@phatnguoi/core/contracts/detection';
import { createRedis, type Redis } from '@phatnguoi/core/redis';
import { createTestDatabase, testConfig, type TestDatabase } from '@phatnguoi/core/testing/index';
import { rgbToI420 } from '@phatnguoi/core/camera-node/pixels';
import { FrameRingWriter } from '@phatnguoi/ingest';
import { startHealthHeartbeat } from '@phatnguoi/core/camera-node/health-heartbeat';
import type { RunnerLogger } from '../../src/pipeline/camera-runner';
import { RateMeter, startDetectorStats } from '../../src/pipeline/detector-stats';
import { detectorStatsChannel, type DetectorStatsMessage } from '@phatnguoi/core/camera-node/channels';
import { DetectorWorker } from '../../src/pipeline/detector-worker';
import { initTf } from '../../src/tf/runtime';
import { H, W, renderFrame, videoGeometry } from '../fixtures/synthetic-video';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
let db: TestDatabase;
let redis: Redis;
let sub: Redis;
let prefix: string;
let ringDir: string;
const received: { channel: string; message: DetectorStatsMessage }[] = [];
const waiters = new Set<() => void>();

/** Resolves with the first received message matching `pred` (checked on every message); rejects after `limitMs`. */
function nextMessage(pred: (m: DetectorStatsMessage) => boolean, limitMs = 60_000): Promise<DetectorStatsMessage> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = received.find((r) => pred(r.message));
      if (!hit) return false;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(hit.message);
      return true;
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`no matching detector-stats message within ${limitMs / 1000} s (got ${received.length})`));
    }, limitMs);
    if (!check()) waiters.add(check);
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  prefix = `${testConfig().queuePrefix}:`;
  redis = createRedis(REDIS_URL);
  sub = createRedis(REDIS_URL, { blocking: true });
  await sub.subscribe(`${prefix}detector-stats`);
  sub.on('message', (channel: string, text: string) => {
    received.push({ channel, message: JSON.parse(text) as DetectorStatsMessage });
    for (const w of [...waiters]) w();
  });
  ringDir = await mkdtemp(join(tmpdir(), 'pn-stats-ring-'));
});

afterAll(async () => {
  sub?.disconnect();
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await db?.drop();
  await rm(ringDir, { recursive: true, force: true });
});

describe('RateMeter', () => {
  it('gives rates over the time since the previous sample, from the camera start for the first one', () => {
    const m = new RateMeter();
    expect(m.sample([{ cameraId: 'c1', frames: 10, detections: 30, startedAt: 0 }], 5000)).toEqual([
      { cameraId: 'c1', detectionsPerSecond: 6, framesPerSecond: 2 },
    ]);
    expect(m.sample([{ cameraId: 'c1', frames: 35, detections: 30, startedAt: 0 }], 10_000)).toEqual([
      { cameraId: 'c1', detectionsPerSecond: 0, framesPerSecond: 5 },
    ]);
    // A restarted pipeline (totals went back) counts from its own start again.
    expect(m.sample([{ cameraId: 'c1', frames: 4, detections: 8, startedAt: 12_000 }], 14_000)).toEqual([
      { cameraId: 'c1', detectionsPerSecond: 4, framesPerSecond: 2 },
    ]);
    expect(m.sample([], 15_000)).toEqual([]);
  });
});

describe('detector-stats publisher', () => {
  it('publishes one JSON message per camera on <prefix>detector-stats, on demand and on its timer', async () => {
    expect(detectorStatsChannel(prefix)).toBe(`${prefix}detector-stats`);
    let t = 1000;
    const pub = startDetectorStats({
      redis,
      channelPrefix: prefix,
      intervalMs: 100,
      now: () => t,
      counters: () => [
        { cameraId: 'cam-pub', frames: t / 100, detections: t / 50, startedAt: 0 },
        { cameraId: 'cam-failing', frames: 0, detections: 0, startedAt: 0, state: 'retrying', error: 'Connection terminated unexpectedly' },
      ],
      backend: 'wasm',
    });
    try {
      expect(await pub.publishNow()).toEqual([
        { cameraId: 'cam-pub', detectionsPerSecond: 20, framesPerSecond: 10, backend: 'wasm', state: 'detecting', error: null },
        {
          cameraId: 'cam-failing',
          detectionsPerSecond: 0,
          framesPerSecond: 0,
          backend: 'wasm',
          state: 'retrying',
          error: 'Connection terminated unexpectedly',
        },
      ]);
      const first = await nextMessage((m) => m.cameraId === 'cam-pub');
      expect(first).toEqual({ cameraId: 'cam-pub', detectionsPerSecond: 20, framesPerSecond: 10, backend: 'wasm', state: 'detecting', error: null });
      expect(await nextMessage((m) => m.cameraId === 'cam-failing')).toMatchObject({ state: 'retrying', error: 'Connection terminated unexpectedly' });
      t = 3000; // the timer's next sample sees 2 s more at the same rates
      const timed = await nextMessage((m) => m.cameraId === 'cam-pub' && received.filter((r) => r.message.cameraId === 'cam-pub').length >= 2);
      expect(Object.keys(timed).sort()).toEqual(['backend', 'cameraId', 'detectionsPerSecond', 'error', 'framesPerSecond', 'state']);
      expect(received.filter((r) => r.message.cameraId === 'cam-pub').every((r) => r.channel === `${prefix}detector-stats`)).toBe(true);
    } finally {
      pub.stop();
    }
  });
});

/** Two fixed detections per frame, so detections per second are exactly twice the frames per second. */
const twoPerFrame: VehicleDetector = {
  name: 'two-per-frame',
  async detect(): Promise<Detection[]> {
    return [
      { box: [80, 250, 120, 300], cls: 'car', score: 0.9 },
      { box: [200, 250, 230, 290], cls: 'motorbike', score: 0.8 },
    ];
  },
  dispose() {},
};

describe('DetectorWorker', () => {
  it('publishes frames and detections per second for its camera and reports itself healthy while running', { timeout: 180_000 }, async () => {
    const agency = await db.pool.query<{ id: string }>(`INSERT INTO agencies (code, name, province_code) VALUES ($1, 'PC08', '79') RETURNING id`, [
      `S${randomUUID().slice(0, 6)}`,
    ]);
    const cam = await db.pool.query<{ id: string }>(
      `INSERT INTO cameras (agency_id, name, stream_url, geometry) VALUES ($1, 'stats', 'rtsp://x/y', $2) RETURNING id`,
      [agency.rows[0]!.id, JSON.stringify(videoGeometry)],
    );
    const cameraId = cam.rows[0]!.id;
    await db.pool.query(
      `INSERT INTO camera_leases (camera_id, role, holder, node, expires_at) VALUES ($1, 'ingest', 'ingest-1', 'node-s', now() + interval '10 minutes')`,
      [cameraId],
    );
    const logger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as RunnerLogger;
    const worker = new DetectorWorker({
      db: db.pool,
      redisUrl: REDIS_URL,
      keyPrefix: prefix,
      holder: 'det-stats',
      node: 'node-s',
      logger,
      detector: twoPerFrame,
      leaseTtlMs: 60_000,
      statsIntervalMs: 300,
    });
    const backend = await initTf();
    expect(await worker.health()).toMatch(/no lease round/);
    await worker.start();
    // What detector/src/main.ts runs when HEALTH_FILE is set.
    const healthFile = join(ringDir, '.heartbeat-detector');
    const heartbeat = startHealthHeartbeat({ file: healthFile, intervalMs: 60_000, check: () => worker.health() });
    try {
      expect(worker.cameras).toEqual([cameraId]);
      expect(await worker.health()).toBeNull();
      expect(await heartbeat.beat()).toBe(true);
      expect(existsSync(healthFile)).toBe(true);
      // Idle camera: messages say so.
      await nextMessage(
        (m) => m.cameraId === cameraId && m.framesPerSecond === 0 && m.detectionsPerSecond === 0 && m.state === 'detecting' && m.error === null,
      );

      const writer = new FrameRingWriter({ rootDir: ringDir, cameraId, slots: 100, redis, keyPrefix: prefix, maxPending: 4 });
      await writer.init();
      const frame = { data: rgbToI420(renderFrame(0), W, H), width: W, height: H };
      const base = Date.now();
      for (let i = 0; i < 30; i++) {
        expect(writer.offer(frame, base + i * 200)).toBe(true);
        await writer.flush();
      }
      const busy = await nextMessage((m) => m.cameraId === cameraId && m.framesPerSecond > 0);
      expect(Math.abs(busy.detectionsPerSecond - 2 * busy.framesPerSecond)).toBeLessThanOrEqual(0.03);
      // The backend this process initialised (the api shows it in /metrics).
      expect(busy.backend).toBe(backend);
      // Every frame was detected on: the totals behind the rates.
      await worker.runner(cameraId)!.waitForSeq(29, 60_000);
      // waitForSeq resolves when the last frame is being handled; its detection follows shortly.
      for (let i = 0; i < 600 && worker.counters()[0]!.frames < 30; i++) await new Promise((r) => setTimeout(r, 100));
      expect(worker.counters()).toEqual([expect.objectContaining({ cameraId, frames: 30, detections: 60 })]);
    } finally {
      await worker.stop();
    }
    expect(await worker.health()).toBe('stopped');
    expect(await heartbeat.beat()).toBe(false);
    heartbeat.stop();
  });
});
