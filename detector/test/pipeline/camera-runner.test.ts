// The live path: frames written by ingest's frame ring into a Redis stream, read in order by the
// camera runner, with progress in PostgreSQL, a restart in the middle, a corrupt frame, an unknown
// camera and the signal-controller feed. Real PostgreSQL, Redis, S3 endpoint and BullMQ.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import { createQueues, type Queues } from '@phatnguoi/core/queue';
import { createRedis, type Redis } from '@phatnguoi/core/redis';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import { rgbToI420 } from '@phatnguoi/core/camera-node/pixels';
import { SLOT_TRAILER_BYTES } from '@phatnguoi/core/camera-node/frames';
import { FrameRingWriter } from '@phatnguoi/ingest';
import { slotPath } from '@phatnguoi/core/camera-node/frame-ring';
import { CameraRunner, type RunnerLogger } from '../../src/pipeline/camera-runner';
import { TruthReplayDetector } from '../../src/pipeline/truth-replay-detector';
import { signalChannel } from '../../src/signal/controller-feed';
import { H, W, renderFrame, truthFrames, videoGeometry } from '../fixtures/synthetic-video';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const BASE_MS = Date.parse('2026-03-01T01:00:00.000Z');

let db: TestDatabase;
let s3: TestS3;
let storage: Storage;
let queues: Queues;
let redis: Redis;
let ringDir: string;
let prefix: string;
const connections: Redis[] = [];

/** Records log calls so tests can check that bad input is reported clearly. */
function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj: (obj ?? {}) as Record<string, unknown>, msg: msg ?? '' });
  const logger = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as RunnerLogger;
  return { logger, lines };
}

async function insertCamera(geometry: unknown): Promise<string> {
  const agency = await db.pool.query<{ id: string }>(`INSERT INTO agencies (code, name, province_code) VALUES ($1, 'PC08 Test', '79') RETURNING id`, [
    `T${randomUUID().slice(0, 8)}`,
  ]);
  const cam = await db.pool.query<{ id: string }>(
    `INSERT INTO cameras (agency_id, name, address, stream_url, geometry) VALUES ($1, 'Ngã tư Test', 'Quận 1, TP.HCM', 'rtsp://example/cam', $2) RETURNING id`,
    [agency.rows[0]!.id, geometry === undefined ? null : JSON.stringify(geometry)],
  );
  return cam.rows[0]!.id;
}

async function writeFrames(writer: FrameRingWriter, from: number, to: number, corruptAt?: number) {
  for (let i = from; i < to; i++) {
    const t = i / 5;
    const seq = writer.seq;
    expect(writer.offer({ data: rgbToI420(renderFrame(t), W, H), width: W, height: H }, BASE_MS + t * 1000)).toBe(true);
    await writer.flush();
    // A damaged slot: its trailer names the frame, but the pixels are cut short.
    if (i === corruptAt) {
      const path = slotPath(ringDir, writer.cameraId, seq % writer.slots);
      const bytes = await readFile(path);
      await writeFile(path, Buffer.concat([bytes.subarray(0, 500), bytes.subarray(-SLOT_TRAILER_BYTES)]));
    }
  }
}

function newRunner(cameraId: string, sink: (e: ViolationEvent) => Promise<void>, logger: RunnerLogger, subscriber?: Redis) {
  const conn = createRedis(REDIS_URL, { blocking: true });
  connections.push(conn);
  return new CameraRunner(cameraId, {
    db: db.pool,
    redis: conn,
    ...(subscriber ? { subscriber } : {}),
    keyPrefix: prefix,
    holder: 'test-holder',
    logger,
    detector: new TruthReplayDetector(truthFrames(), { jitterPx: 1.5, seed: 3 }),
    videoStartMs: BASE_MS,
    storage,
    sink,
    progressEveryMs: 0,
    blockMs: 100,
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
  const config = testConfig({ s3: s3.s3 });
  storage = createStorage(config);
  await storage.ensureBuckets();
  queues = createQueues(config);
  redis = createRedis(REDIS_URL);
  prefix = `${config.queuePrefix}:`;
  ringDir = await mkdtemp(join(tmpdir(), 'pn-ring-'));
});

afterAll(async () => {
  for (const c of connections) c.disconnect();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await queues?.obliterateAll().catch(() => undefined);
  await queues?.close();
  await s3?.stop();
  await db?.drop();
  await rm(ringDir, { recursive: true, force: true });
});

describe('CameraRunner', () => {
  it('reads frames in order, survives a restart mid-stream and enqueues each violation once', async () => {
    const cameraId = await insertCamera(videoGeometry);
    const writer = new FrameRingWriter({ rootDir: ringDir, cameraId, slots: 100, redis, keyPrefix: prefix, maxPending: 4 });
    await writer.init();
    const events: ViolationEvent[] = [];
    const sink = async (e: ViolationEvent) => {
      events.push(e);
      await queues.enqueue('violation.created', e);
    };
    const { logger } = recordingLogger();

    await writeFrames(writer, 0, 20);
    const first = newRunner(cameraId, sink, logger);
    expect(await first.start()).toBe(true);
    await first.waitForSeq(19);
    await new Promise((r) => setTimeout(r, 200)); // the save after frame 19 lands
    const at19 = await db.pool.query(`SELECT stream_id, seq, state FROM detector_progress WHERE camera_id = $1`, [cameraId]);
    expect(Number(at19.rows[0]!.seq)).toBe(19);
    expect(at19.rows[0]!.state.tracks.length).toBeGreaterThan(0);
    await writeFrames(writer, 20, 30);
    await first.waitForSeq(29);
    await first.stop();
    const saved = await db.pool.query<{ seq: string; frames_processed: string }>(`SELECT seq, frames_processed FROM detector_progress WHERE camera_id = $1`, [
      cameraId,
    ]);
    expect(Number(saved.rows[0]!.seq)).toBe(29);
    expect(Number(saved.rows[0]!.frames_processed)).toBe(30);
    // Crash: the process died after frame 29 but its last save was at frame 19. The next detector
    // processes 20–29 again from the saved tracks: same track ids, so the same idempotency keys.
    await db.pool.query(`UPDATE detector_progress SET stream_id = $2, seq = $3, state = $4 WHERE camera_id = $1`, [
      cameraId,
      at19.rows[0]!.stream_id,
      at19.rows[0]!.seq,
      JSON.stringify(at19.rows[0]!.state),
    ]);
    const firstRunKeys = new Set(events.map((e) => e.idempotencyKey));
    expect(firstRunKeys.size).toBeGreaterThanOrEqual(2);

    await writeFrames(writer, 30, 50);
    const second = newRunner(cameraId, sink, logger);
    expect(await second.start()).toBe(true);
    await second.waitForSeq(49);
    await second.cameraPipeline!.finish().then(async (late) => {
      for (const v of late) await sink(v.event);
    });
    await second.stop();

    const keys = [...new Set(events.map((e) => e.idempotencyKey))];
    for (const k of firstRunKeys) expect(keys).toContain(k);
    expect(
      events
        .map((e) => e.type)
        .filter((t, i, a) => a.indexOf(t) === i)
        .sort(),
    ).toEqual(['red_light', 'wrong_lane', 'wrong_way']);
    expect(keys).toHaveLength(3);
    const jobs = await queues.queue('violations').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    expect(jobs.filter((j) => (j.data as ViolationEvent).cameraId === cameraId)).toHaveLength(3);
    const red = events.find((e) => e.type === 'red_light')!;
    expect(red.occurredAt.startsWith('2026-03-01T01:00:06')).toBe(true);
    expect(red.evidence.map((f) => f.kind)).toEqual(expect.arrayContaining(['scene_before', 'scene_after', 'vehicle_crop']));
  });

  it('skips a corrupt frame with a clear log and keeps going', async () => {
    const cameraId = await insertCamera(videoGeometry);
    const writer = new FrameRingWriter({ rootDir: ringDir, cameraId, slots: 100, redis, keyPrefix: prefix, maxPending: 4 });
    await writer.init();
    await writeFrames(writer, 0, 12, 5);
    const { logger, lines } = recordingLogger();
    const runner = newRunner(cameraId, async () => undefined, logger);
    expect(await runner.start()).toBe(true);
    await runner.waitForSeq(11);
    await runner.stop();
    expect(runner.counters).toMatchObject({ processed: 11, corrupt: 1 });
    expect(lines.some((l) => l.level === 'warn' && l.msg === 'corrupt frame skipped' && l.obj.seq === 5)).toBe(true);
    const row = await db.pool.query<{ frames_corrupt: string }>(`SELECT frames_corrupt FROM detector_progress WHERE camera_id = $1`, [cameraId]);
    expect(Number(row.rows[0]!.frames_corrupt)).toBe(1);
  });

  it('refuses an unknown camera and a camera with invalid geometry, naming the problem', async () => {
    const { logger, lines } = recordingLogger();
    expect(await newRunner(randomUUID(), async () => undefined, logger).start()).toBe(false);
    expect(lines.some((l) => l.level === 'error' && l.msg.startsWith('unknown camera'))).toBe(true);

    const bad = await insertCamera({ ...videoGeometry, lanes: [{ ...videoGeometry.lanes[0]!, signalHeadId: 'NOPE' }] });
    expect(await newRunner(bad, async () => undefined, logger).start()).toBe(false);
    const err = lines.find((l) => l.msg === 'camera geometry is invalid; not processing its frames');
    expect(err?.obj.errors).toEqual([{ path: '$.lanes[0].signalHeadId', message: 'no signal head with id "NOPE"' }]);
  });

  it('lets the signal-controller feed override vision, ignoring malformed messages', async () => {
    const cameraId = await insertCamera(videoGeometry);
    const subscriber = createRedis(REDIS_URL, { blocking: true });
    connections.push(subscriber);
    const { logger, lines } = recordingLogger();
    const runner = newRunner(cameraId, async () => undefined, logger, subscriber);
    expect(await runner.start()).toBe(true);
    const channel = signalChannel(cameraId, prefix);
    await redis.publish(channel, '{"signalHeadId": 42}');
    await redis.publish(channel, JSON.stringify({ signalHeadId: 'H9', round: 'red' }));
    await redis.publish(channel, JSON.stringify({ signalHeadId: 'H1', round: 'red', at: '2026-03-01T01:00:00.000Z' }));
    const until = Date.now() + 5000;
    while (runner.cameraPipeline!.signalHistory('H1')!.at(BASE_MS / 1000 + 1).round !== 'red' && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    await runner.stop();
    expect(runner.cameraPipeline!.signalHistory('H1')!.at(BASE_MS / 1000 + 1)).toMatchObject({ round: 'red', source: 'controller' });
    expect(lines.some((l) => l.msg === 'malformed signal-controller message ignored')).toBe(true);
    expect(lines.some((l) => l.msg === 'signal-controller message for an unknown signal head ignored')).toBe(true);
  });
});
