// Two real ingest processes (ingest/src/main.ts) share cameras through leases in PostgreSQL;
// killing one (SIGKILL) moves its cameras to the other within the lease TTL.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { frameRefFromFields, frameStreamKey, type CameraStatus } from '@phatnguoi/core/contracts/frames';
import { createTestDatabase, type TestDatabase } from '@phatnguoi/core/testing/index';
import { cameraStatusChannel } from '../src/camera-status';
import { startTestCamera, type TestCamera } from '../src/test-camera/index';
import { ffmpegPids, waitFor } from './helpers';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const prefix = `pn-test-procs-${randomUUID().slice(0, 8)}:`;
const dataDir = mkdtempSync(join(tmpdir(), 'pn-ingest-procs-'));
let db: TestDatabase;
let redis: Redis;
let sub: Redis;
let camera: TestCamera;
const cameraIds: string[] = [];
const procs: ChildProcess[] = [];
const published: CameraStatus[] = [];

function startIngest(node: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      INGEST_REDIS_PREFIX: prefix,
      DATA_DIR: join(dataDir, node),
      FRAME_RING_DIR: join(dataDir, node, 'ring'),
      NODE_ID: node,
      LOG_LEVEL: 'warn',
      INGEST_LEASE_TTL_MS: '3000',
      INGEST_STATUS_INTERVAL_MS: '500',
      INGEST_BACKOFF_INITIAL_MS: '200',
      INGEST_BACKOFF_MAX_MS: '1000',
      INGEST_WATCHDOG_MS: '4000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  procs.push(child);
  return child;
}

async function leases(): Promise<Map<string, string[]>> {
  const { rows } = await db.pool.query<{ holder: string; camera_id: string }>(
    `SELECT holder, camera_id FROM camera_leases WHERE role = 'ingest' AND expires_at > now() ORDER BY holder, camera_id`,
  );
  const byHolder = new Map<string, string[]>();
  for (const r of rows) byHolder.set(r.holder, [...(byHolder.get(r.holder) ?? []), r.camera_id]);
  return byHolder;
}

async function lastSeq(cameraId: string): Promise<number> {
  const last = await redis.xrevrange(frameStreamKey(cameraId, prefix), '+', '-', 'COUNT', 1);
  return last[0] ? (frameRefFromFields(last[0][1])?.seq ?? -1) : -1;
}

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  sub = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { blocking: true });
  await sub.subscribe(cameraStatusChannel(prefix));
  sub.on('message', (_ch: string, msg: string) => published.push(JSON.parse(msg) as CameraStatus));
  camera = await startTestCamera({ pattern: true, width: 160, height: 120, path: `/procs-${randomUUID().slice(0, 6)}` });
  const { rows } = await db.pool.query<{ id: string }>(`INSERT INTO agencies (code, name, province_code) VALUES ('CSGT-TG', 'CSGT Tiền Giang', '63') RETURNING id`);
  for (let i = 0; i < 4; i++) {
    const cam = await db.pool.query<{ id: string }>(
      `INSERT INTO cameras (agency_id, name, stream_url, sample_fps) VALUES ($1, $2, $3, 5) RETURNING id`,
      [rows[0]!.id, `Ngã tư ${i}`, camera.url],
    );
    cameraIds.push(cam.rows[0]!.id);
  }
});

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await camera?.stop();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  sub.disconnect();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('two ingest processes', () => {
  it('share the cameras, and the survivor takes over a killed process\'s cameras', { timeout: 240_000 }, async () => {
    // One process first, alone: it takes every camera; the second must still get its share.
    const a = startIngest('node-a');
    await waitFor('a holds all four', async () => [...(await leases()).values()][0]?.length === 4, 60_000, 250);
    const b = startIngest('node-b');
    // Balanced: two holders with two cameras each, every camera online.
    const shared = await waitFor('cameras shared 2 + 2', async () => {
      const l = await leases();
      return l.size === 2 && [...l.values()].every((ids) => ids.length === 2) ? l : null;
    }, 60_000, 250);
    await waitFor('all cameras online', async () => {
      const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM camera_status WHERE state = 'online'`);
      return Number(rows[0]!.n) === 4;
    }, 60_000, 250);
    expect(published.some((s) => s.state === 'online')).toBe(true);
    await waitFor('one ffmpeg per camera', () => ffmpegPids(camera.path).length === 4, 20_000, 250);

    // Kill one process hard (no clean-up, leases left to lapse).
    const holderOfA = [...shared.keys()].find((h) => h.startsWith('node-a'))!;
    const moved = shared.get(holderOfA)!;
    const seqBefore = await Promise.all(moved.map(lastSeq));
    a.kill('SIGKILL');
    await waitFor('b holds every camera', async () => {
      const l = await leases();
      return l.size === 1 && [...l.values()][0]!.length === 4 && ![...l.keys()][0]!.startsWith('node-a');
    }, 20_000, 250);
    // Frames flow again for the moved cameras, numbering continued (not reused).
    await waitFor('moved cameras deliver frames', async () => {
      const now = await Promise.all(moved.map(lastSeq));
      return now.every((s, i) => s > seqBefore[i]! + 5);
    }, 30_000, 250);
    const { rows } = await db.pool.query<{ camera_id: string; state: string; node: string }>(`SELECT camera_id, state, node FROM camera_status`);
    expect(rows.filter((r) => moved.includes(r.camera_id)).every((r) => r.node === 'node-b' && r.state === 'online')).toBe(true);
    // The killed process's ffmpeg children died with their pipe: exactly one ffmpeg per camera remains.
    await waitFor('no orphaned ffmpeg', () => ffmpegPids(camera.path).length === 4, 20_000, 250);

    // Graceful stop: exit 0, leases released, every ffmpeg gone.
    const exited = new Promise<number | null>((r) => b.once('exit', (code) => r(code)));
    b.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await leases()).size).toBe(0);
    expect(ffmpegPids(camera.path)).toEqual([]);
    const stopped = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM camera_status WHERE state = 'stopped'`);
    expect(Number(stopped.rows[0]!.n)).toBe(4);
  });
});
