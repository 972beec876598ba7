// A camera that keeps failing on ingest's own side (here its segment folder cannot be created) is retried, then
// given up: its status says offline and why, its lease is released, and another ingest process takes it.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@phatnguoi/core/logger';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { createTestDatabase, type TestDatabase } from '@phatnguoi/core/testing/index';
import { IngestService } from '../src/ingest-service';
import { fastSettings, removeTempDirs, waitFor } from './helpers';

const prefix = `pn-test-giveup-${randomUUID().slice(0, 8)}:`;
const dir = mkdtempSync(join(tmpdir(), 'pn-giveup-'));
let db: TestDatabase;
let redis: Redis;
let cameraId: string;
const services: IngestService[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  // The camera: a small H.264 file, which ingest plays in a loop at its native rate.
  const video = join(dir, 'camera.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=10',
    '-t',
    '4',
    '-c:v',
    'libx264',
    '-g',
    '10',
    '-pix_fmt',
    'yuv420p',
    '-y',
    video,
  ]);
  const { rows } = await db.pool.query<{ id: string }>(`INSERT INTO agencies (code, name, province_code) VALUES ('CSGT-GU', 'CSGT', '65') RETURNING id`);
  cameraId = (
    await db.pool.query<{ id: string }>(`INSERT INTO cameras (agency_id, name, stream_url) VALUES ($1, 'Cầu', $2) RETURNING id`, [rows[0]!.id, video])
  ).rows[0]!.id;
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  await db?.drop();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

const status = async () =>
  (
    await db.pool.query<{ state: string; last_error: string | null; holder: string }>(
      `SELECT state, last_error, holder FROM camera_status WHERE camera_id = $1`,
      [cameraId],
    )
  ).rows[0];

describe('ingest giving a camera up', () => {
  it('reports why, releases the lease, and another process takes the camera', async () => {
    // A regular file where the segment ring's folder should be: every run fails before ffmpeg starts.
    const blocked = join(dir, 'not-a-folder');
    writeFileSync(blocked, 'x');
    const failing = new IngestService({
      db: db.pool,
      redis,
      log: createLogger('giveup.test', { level: 'silent' }),
      settings: fastSettings({ leaseTtlMs: 1500, redisKeyPrefix: prefix, segmentDir: join(blocked, 'segments'), giveUpAfterMs: 1500 }),
      frameRingDir: join(dir, 'ring-a'),
      nodeId: 'node-g',
      holder: 'ingest-failing',
    });
    services.push(failing);
    await failing.start();
    expect(failing.cameraIds()).toEqual([cameraId]);
    // While it retries, the reason is visible.
    await waitFor('the failure reported', async () => /ingest failed: .*(ENOTDIR|not a directory)/i.test((await status())?.last_error ?? ''), 15_000, 100);
    // Then it gives up: offline with the reason, lease released, not retaken by the same process.
    await waitFor('given up', () => failing.cameraIds().length === 0, 20_000, 100);
    await waitFor(
      'lease released',
      async () => (await db.pool.query(`SELECT 1 FROM camera_leases WHERE camera_id = $1 AND holder = 'ingest-failing'`, [cameraId])).rowCount === 0,
      10_000,
      100,
    );
    const after = await status();
    expect(after).toMatchObject({ state: 'offline', holder: 'ingest-failing' });
    expect(after!.last_error).toMatch(/ingest failed/);
    await failing.tick();
    expect(failing.cameraIds()).toEqual([]);

    // A healthy process takes it and brings it online.
    const healthy = new IngestService({
      db: db.pool,
      redis,
      log: createLogger('giveup.test', { level: 'silent' }),
      settings: fastSettings({ leaseTtlMs: 1500, redisKeyPrefix: prefix }),
      frameRingDir: join(dir, 'ring-b'),
      nodeId: 'node-g',
      holder: 'ingest-healthy',
    });
    services.push(healthy);
    await healthy.start();
    await waitFor(
      'online on the other process',
      async () => {
        const s = await status();
        return s?.state === 'online' && s.holder === 'ingest-healthy';
      },
      30_000,
      200,
    );
    expect(failing.cameraIds()).toEqual([]);
  });
});
