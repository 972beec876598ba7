// The liveness heartbeat: the file is touched while the check passes, left alone while it fails,
// hangs or throws, and with a real Redis the reachability check tells a live server from a dead port.
import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, type Redis } from '../../src/redis';
import { leasesFresh, redisReachable, startHealthHeartbeat } from '../../src/camera-node/health-heartbeat';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pn-health-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function mtime(file: string): Promise<number | null> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return null;
  }
}

/** A TCP port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('health heartbeat', () => {
  it('touches the file while healthy and stops touching it while unhealthy', async () => {
    const file = join(dir, 'beat-1');
    let reason: string | null = null;
    const changes: [boolean, string | null][] = [];
    const hb = startHealthHeartbeat({ file, intervalMs: 60_000, check: async () => reason, onChange: (h, r) => changes.push([h, r]) });
    try {
      expect(await hb.beat()).toBe(true);
      const first = await mtime(file);
      expect(first).not.toBeNull();

      reason = 'leases not renewed';
      // Age the file so that a touch would be visible whatever the file system's time resolution.
      await utimes(file, new Date(1_000_000), new Date(1_000_000));
      expect(await hb.beat()).toBe(false);
      expect(await mtime(file)).toBe(1_000_000);

      reason = null;
      expect(await hb.beat()).toBe(true);
      expect((await mtime(file))!).toBeGreaterThan(1_000_000);
      expect(changes).toEqual([
        [true, null],
        [false, 'leases not renewed'],
        [true, null],
      ]);
    } finally {
      hb.stop();
    }
  });

  it('a check that throws or hangs does not touch the file', async () => {
    const throwing = startHealthHeartbeat({ file: join(dir, 'beat-2'), intervalMs: 60_000, check: () => Promise.reject(new Error('db down')) });
    const hanging = startHealthHeartbeat({
      file: join(dir, 'beat-3'),
      intervalMs: 60_000,
      checkTimeoutMs: 200,
      check: () => new Promise<null>(() => undefined),
    });
    try {
      expect(await throwing.beat()).toBe(false);
      expect(await hanging.beat()).toBe(false);
      expect(await mtime(join(dir, 'beat-2'))).toBeNull();
      expect(await mtime(join(dir, 'beat-3'))).toBeNull();
    } finally {
      throwing.stop();
      hanging.stop();
    }
  });

  it('beats on its own timer', async () => {
    const file = join(dir, 'beat-4');
    let checks = 0;
    const hb = startHealthHeartbeat({
      file,
      intervalMs: 50,
      check: async () => {
        checks++;
        return null;
      },
    });
    try {
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (checks >= 3) {
            clearInterval(t);
            resolve();
          }
        }, 20);
      });
      expect(await mtime(file)).not.toBeNull();
    } finally {
      hb.stop();
    }
  });

  it('redisReachable: null for a live Redis, a reason for a dead port', async () => {
    const live: Redis = createRedis(REDIS_URL);
    const dead: Redis = createRedis(`redis://127.0.0.1:${await deadPort()}`);
    dead.on('error', () => undefined);
    try {
      expect(await redisReachable(live)).toBeNull();
      expect(await redisReachable(dead, 1500)).toMatch(/redis/);
    } finally {
      live.disconnect();
      dead.disconnect();
    }
  });

  it('leasesFresh: within the TTL or not', () => {
    expect(leasesFresh(10_000, 15_000, 20_000)).toBeNull();
    expect(leasesFresh(1_000, 15_000, 20_000)).toMatch(/not renewed for 19 s/);
    expect(leasesFresh(null, 15_000, 20_000)).toMatch(/no lease round/);
  });
});
