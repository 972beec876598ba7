// The ingest service in-process: follows camera changes in the database (disable, re-enable, new URL).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@phatnguoi/core/logger';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { createTestDatabase, type TestDatabase } from '@phatnguoi/core/testing/index';
import { IngestService } from '../src/ingest-service';
import { startTestCamera, type TestCamera } from '../src/test-camera/index';
import { fastSettings, ffmpegPids, removeTempDirs, waitFor } from './helpers';

const prefix = `pn-test-svc-${randomUUID().slice(0, 8)}:`;
const ringDir = mkdtempSync(join(tmpdir(), 'pn-ring-'));
let db: TestDatabase;
let redis: Redis;
let first: TestCamera;
let second: TestCamera;
let service: IngestService;
let cameraId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  first = await startTestCamera({ pattern: true, width: 160, height: 120, path: '/first' });
  second = await startTestCamera({ pattern: true, width: 160, height: 120, path: '/second' });
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO agencies (code, name, province_code) VALUES ('CSGT-CT', 'CSGT Cần Thơ', '65') RETURNING id`,
  );
  const cam = await db.pool.query<{ id: string }>(`INSERT INTO cameras (agency_id, name, stream_url) VALUES ($1, 'Cầu Hưng Lợi', $2) RETURNING id`, [
    rows[0]!.id,
    first.url,
  ]);
  cameraId = cam.rows[0]!.id;
  service = new IngestService({
    db: db.pool,
    redis,
    log: createLogger('svc.test', { level: 'silent' }),
    settings: fastSettings({ leaseTtlMs: 1500, redisKeyPrefix: prefix }),
    frameRingDir: ringDir,
    nodeId: 'node-t',
  });
  await service.start();
});

afterAll(async () => {
  await service?.stop();
  await Promise.all([first?.stop(), second?.stop()]);
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  await db?.drop();
  removeTempDirs();
  rmSync(ringDir, { recursive: true, force: true });
});

const state = async () => (await db.pool.query<{ state: string }>(`SELECT state FROM camera_status WHERE camera_id = $1`, [cameraId])).rows[0]?.state;

describe('ingest service', () => {
  it('follows camera changes: disabled, enabled again, new stream URL', async () => {
    await waitFor('online', async () => (await state()) === 'online', 30_000, 200);
    expect(service.cameraIds()).toEqual([cameraId]);

    await db.pool.query(`UPDATE cameras SET enabled = false WHERE id = $1`, [cameraId]);
    await waitFor('released', async () => service.cameraIds().length === 0 && (await state()) === 'stopped', 15_000, 200);
    expect((await db.pool.query(`SELECT 1 FROM camera_leases WHERE camera_id = $1`, [cameraId])).rowCount).toBe(0);
    await waitFor('first stream closed', () => ffmpegPids('/first').length === 0, 10_000, 200);

    await db.pool.query(`UPDATE cameras SET enabled = true, stream_url = $2 WHERE id = $1`, [cameraId, second.url]);
    await waitFor('online on the new URL', async () => (await state()) === 'online' && ffmpegPids('/second').length === 1, 30_000, 200);
    expect(ffmpegPids('/first')).toEqual([]);

    await db.pool.query(`UPDATE cameras SET stream_url = $2 WHERE id = $1`, [cameraId, first.url]);
    await waitFor('restarted on the changed URL', () => ffmpegPids('/first').length === 1 && ffmpegPids('/second').length === 0, 30_000, 200);
    expect(service.supervisor(cameraId)?.camera.streamUrl).toBe(first.url);
  });
});
