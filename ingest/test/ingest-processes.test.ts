// Two real ingest processes (ingest/src/main.ts) share cameras through leases in PostgreSQL;
// killing one (SIGKILL) moves its cameras to the other within the lease TTL. Each touches its
// HEALTH_FILE while healthy, as the container probe (core/src/cli/healthcheck.ts --file) expects.
//
// The waits are event-driven: a condition is checked again on every camera-status message and every
// child exit (with a slow poll as a fallback, since lease rows change without a message), fails at once
// when an ingest process dies unexpectedly, and otherwise allows generous time: this test runs on
// small, shared CI machines where two tsx processes and eight ffmpeg take a while to start.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { frameRefFromFields } from '@phatnguoi/core/camera-node/frames';
import { cameraStatusChannel, frameStreamKey, type CameraStatus } from '@phatnguoi/core/camera-node/channels';
import { createTestDatabase, type TestDatabase } from '@phatnguoi/core/testing/index';
import { startTestCamera, type TestCamera } from '../src/test-camera/index';
import { ffmpegPids } from './helpers';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const HEALTHCHECK = fileURLToPath(new URL('../../core/src/cli/healthcheck.ts', import.meta.url));
/** Generous limit for one step (start-up, balancing, take-over) on a loaded 2-core machine. */
const STEP_MS = 120_000;
const prefix = `pn-test-procs-${randomUUID().slice(0, 8)}:`;
const dataDir = mkdtempSync(join(tmpdir(), 'pn-ingest-procs-'));
let db: TestDatabase;
let redis: Redis;
let sub: Redis;
let camera: TestCamera;
const cameraIds: string[] = [];
const procs: ChildProcess[] = [];
const published: CameraStatus[] = [];
/** 'change' on every camera-status message and child exit: the moments a waited-for condition may have become true. */
const changes = new EventEmitter();
changes.setMaxListeners(50);

function healthFile(node: string): string {
  return join(dataDir, node, 'health');
}

function startIngest(node: string): ChildProcess {
  mkdirSync(join(dataDir, node), { recursive: true });
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
      HEALTH_FILE: healthFile(node),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', () => changes.emit('change'));
  procs.push(child);
  return child;
}

function describeExit(p: ChildProcess): string {
  return p.signalCode ? `signal ${p.signalCode}` : `code ${p.exitCode}`;
}

/**
 * Resolves with the first truthy value of `check`, checked at once, on every change event and every
 * `pollMs`. Rejects when one of `alive` exits meanwhile, or after `limitMs`.
 */
function until<T>(
  what: string,
  check: () => T | Promise<T>,
  opts: { alive?: ChildProcess[]; limitMs?: number; pollMs?: number } = {},
): Promise<NonNullable<T>> {
  const { alive = [], limitMs = STEP_MS, pollMs = 1000 } = opts;
  return new Promise<NonNullable<T>>((resolve, reject) => {
    let settled = false;
    let running = false;
    let again = false;
    const cleanup = () => {
      settled = true;
      clearTimeout(limit);
      clearInterval(poll);
      changes.off('change', trigger);
    };
    const fail = (err: Error) => {
      if (settled) return;
      cleanup();
      reject(err);
    };
    const trigger = () => {
      if (settled) return;
      const dead = alive.find((p) => p.exitCode !== null || p.signalCode !== null);
      if (dead) return fail(new Error(`ingest process ${dead.pid} exited (${describeExit(dead)}) while waiting for ${what}`));
      if (running) {
        again = true;
        return;
      }
      running = true;
      void (async () => {
        try {
          const v = await check();
          if (v && !settled) {
            cleanup();
            resolve(v as NonNullable<T>);
          }
        } catch (err) {
          fail(err as Error);
        } finally {
          running = false;
          if (again && !settled) {
            again = false;
            trigger();
          }
        }
      })();
    };
    const limit = setTimeout(() => fail(new Error(`${what}: not reached within ${limitMs / 1000} s`)), limitMs);
    const poll = setInterval(trigger, pollMs);
    changes.on('change', trigger);
    trigger();
  });
}

function exitOf(p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve({ code: p.exitCode, signal: p.signalCode });
  return new Promise((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));
}

function mtimeMs(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** Runs the container probe: exit code of `healthcheck.ts --file F --max-age S`. */
function probe(file: string, maxAgeSeconds: number): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', HEALTHCHECK, '--file', file, '--max-age', String(maxAgeSeconds)], (err) => {
      resolve(err ? (typeof err.code === 'number' ? err.code : 1) : 0);
    });
  });
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
  sub.on('message', (_ch: string, msg: string) => {
    published.push(JSON.parse(msg) as CameraStatus);
    changes.emit('change');
  });
  camera = await startTestCamera({ pattern: true, width: 160, height: 120, path: `/procs-${randomUUID().slice(0, 6)}` });
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO agencies (code, name, province_code) VALUES ('CSGT-TG', 'CSGT Tiền Giang', '63') RETURNING id`,
  );
  for (let i = 0; i < 4; i++) {
    const cam = await db.pool.query<{ id: string }>(`INSERT INTO cameras (agency_id, name, stream_url, sample_fps) VALUES ($1, $2, $3, 5) RETURNING id`, [
      rows[0]!.id,
      `Ngã tư ${i}`,
      camera.url,
    ]);
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
  // The sum of the step limits is far above what a healthy run needs; each step fails on its own limit first.
  it("share the cameras, and the survivor takes over a killed process's cameras", { timeout: 20 * 60_000 }, async () => {
    // One process first, alone: it takes every camera; the second must still get its share.
    const a = startIngest('node-a');
    await until('a holds all four', async () => [...(await leases()).values()][0]?.length === 4, { alive: [a] });

    // Healthy (leases renewed, Redis reachable): the heartbeat file exists, is touched again and again,
    // and the container probe with the deployed 20 s expectation passes.
    const firstTouch = await until('a touches its HEALTH_FILE', () => mtimeMs(healthFile('node-a')), { alive: [a], pollMs: 250 });
    await until('a touches its HEALTH_FILE again', () => (mtimeMs(healthFile('node-a')) ?? 0) > firstTouch, { alive: [a], pollMs: 250 });
    expect(await probe(healthFile('node-a'), 20)).toBe(0);
    expect(await probe(join(dataDir, 'node-a', 'no-such-heartbeat'), 20)).not.toBe(0);

    const b = startIngest('node-b');
    // Balanced: two holders with two cameras each, every camera online.
    const shared = await until(
      'cameras shared 2 + 2',
      async () => {
        const l = await leases();
        return l.size === 2 && [...l.values()].every((ids) => ids.length === 2) ? l : null;
      },
      { alive: [a, b] },
    );
    await until(
      'all cameras online',
      async () => {
        const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM camera_status WHERE state = 'online'`);
        return Number(rows[0]!.n) === 4;
      },
      { alive: [a, b] },
    );
    expect(published.some((s) => s.state === 'online')).toBe(true);
    await until('one ffmpeg per camera', () => ffmpegPids(camera.path).length === 4, { alive: [a, b] });
    await until('b touches its HEALTH_FILE', () => mtimeMs(healthFile('node-b')), { alive: [b], pollMs: 250 });

    // Kill one process hard (no clean-up, leases left to lapse).
    const holderOfA = [...shared.keys()].find((h) => h.startsWith('node-a'))!;
    const moved = shared.get(holderOfA)!;
    const seqBefore = await Promise.all(moved.map(lastSeq));
    a.kill('SIGKILL');
    expect((await exitOf(a)).signal).toBe('SIGKILL');
    await until(
      'b holds every camera',
      async () => {
        const l = await leases();
        return l.size === 1 && [...l.values()][0]!.length === 4 && ![...l.keys()][0]!.startsWith('node-a');
      },
      { alive: [b] },
    );
    // Frames flow again for the moved cameras, numbering continued (not reused).
    await until(
      'moved cameras deliver frames',
      async () => {
        const now = await Promise.all(moved.map(lastSeq));
        return now.every((s, i) => s > seqBefore[i]! + 5);
      },
      { alive: [b] },
    );
    // The moved cameras are reported online by node-b (status rows are written as the state changes).
    await until(
      'moved cameras online on node-b',
      async () => {
        const { rows } = await db.pool.query<{ camera_id: string; state: string; node: string }>(`SELECT camera_id, state, node FROM camera_status`);
        const movedRows = rows.filter((r) => moved.includes(r.camera_id));
        return movedRows.length === moved.length && movedRows.every((r) => r.node === 'node-b' && r.state === 'online');
      },
      { alive: [b] },
    );
    // The killed process's ffmpeg children died with their pipe: exactly one ffmpeg per camera remains.
    await until('no orphaned ffmpeg', () => ffmpegPids(camera.path).length === 4, { alive: [b] });
    // The survivor is still healthy after the take-over.
    const beforeTakeoverCheck = mtimeMs(healthFile('node-b'))!;
    await until('b keeps touching its HEALTH_FILE', () => (mtimeMs(healthFile('node-b')) ?? 0) > beforeTakeoverCheck, { alive: [b], pollMs: 250 });

    // Graceful stop: exit 0, leases released, every ffmpeg gone.
    b.kill('SIGTERM');
    const exit = await Promise.race([
      exitOf(b),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('b did not exit within 60 s of SIGTERM')), 60_000).unref()),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await leases()).size).toBe(0);
    expect(ffmpegPids(camera.path)).toEqual([]);
    const stopped = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM camera_status WHERE state = 'stopped'`);
    expect(Number(stopped.rows[0]!.n)).toBe(4);
  });
});
