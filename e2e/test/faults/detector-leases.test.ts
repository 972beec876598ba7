// Two detector processes (detector/src/main.ts, the production entry with the shipped model and the production
// lease TTL of 15 s) share a node's cameras through 'detector' leases in PostgreSQL; one killed with SIGKILL,
// the other takes its cameras once their leases lapse. Ingest is represented by its lease rows only (the
// detector takes a camera only when that camera's ingest runs on its node; no frames are needed for leasing).
//
// A detector started after another one got every camera gets half of them: each detector announces itself
// (lease_holders) and one holding more than its share of the node's cameras gives one back per lease round.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import type { Config } from '@phatnguoi/core/config';
import { videoGeometry } from '@phatnguoi/detector/test/fixtures/synthetic-video';

const MAIN = fileURLToPath(new URL('../../../detector/src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = 'lease-node';
const CAMERAS = 4;
const STEP_MS = 150_000;

let db: TestDatabase;
let s3: TestS3;
let config: Config;
let redis: Redis;
let prefix = '';
const procs: { child: ChildProcess; out: string[] }[] = [];

function startDetector(): { child: ChildProcess; out: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      REDIS_URL: config.redisUrl,
      QUEUE_PREFIX: config.queuePrefix,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.s3.accessKey,
      S3_SECRET_KEY: s3.s3.secretKey,
      S3_BUCKET_PREFIX: config.s3.bucketPrefix,
      INGEST_REDIS_PREFIX: prefix,
      NODE_ID: NODE,
      DATA_DIR: `/tmp/${prefix.replace(/[^a-z0-9-]/gi, '')}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  for (const s of [child.stdout!, child.stderr!])
    s.on('data', (d: Buffer) => {
      out.push(d.toString());
      if (out.length > 300) out.shift();
    });
  const p = { child, out };
  procs.push(p);
  return p;
}

async function leases(): Promise<Map<string, string[]>> {
  const { rows } = await db.pool.query<{ camera_id: string; holder: string }>(
    `SELECT camera_id, holder FROM camera_leases WHERE role = 'detector' AND expires_at >= now()`,
  );
  const by = new Map<string, string[]>();
  for (const r of rows) by.set(r.holder, [...(by.get(r.holder) ?? []), r.camera_id]);
  return by;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = STEP_MS): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${procs.map((p) => p.out.join('').slice(-1500)).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const holderOf = (p: { child: ChildProcess }) => `${NODE}:${p.child.pid}`;

beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
  config = testConfig({ s3: s3.s3 });
  redis = createRedis(config.redisUrl);
  prefix = `${config.queuePrefix}:`;
  const agency = await db.pool.query<{ id: string }>(`INSERT INTO agencies (code, name, province_code) VALUES ('PC08-TG', 'PC08', '63') RETURNING id`);
  for (let i = 0; i < CAMERAS; i++) {
    const cam = await db.pool.query<{ id: string }>(
      `INSERT INTO cameras (agency_id, name, stream_url, geometry) VALUES ($1, $2, 'rtsp://127.0.0.1:1/none', $3) RETURNING id`,
      [agency.rows[0]!.id, `Cam ${i + 1}`, JSON.stringify(videoGeometry)],
    );
    await db.pool.query(
      `INSERT INTO camera_leases (camera_id, role, holder, node, expires_at) VALUES ($1, 'ingest', 'ingest-on-node', $2, now() + interval '1 hour')`,
      [cam.rows[0]!.id, NODE],
    );
  }
}, 120_000);

afterAll(async () => {
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      const exited = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGKILL');
      await exited;
    }
  }
  if (redis) {
    await deleteKeysWithPrefix(redis, prefix).catch(() => undefined);
    redis.disconnect();
  }
  await db?.drop();
  await s3?.stop();
}, 60_000);

describe('two detector processes share a node’s cameras by lease', () => {
  it('a second detector gets half of the cameras; the survivor of a SIGKILL takes the dead one’s cameras', async () => {
    const a = startDetector();
    await until('the first detector holding every camera', async () => ((await leases()).get(holderOf(a))?.length ?? 0) === CAMERAS);
    const b = startDetector();
    const startedAt = Date.now();
    const split = await until('the cameras split 2 + 2', async () => {
      const l = await leases();
      return l.get(holderOf(a))?.length === CAMERAS / 2 && l.get(holderOf(b))?.length === CAMERAS / 2 ? l : null;
    });
    console.log(
      `[detector-leases] the second detector holds ${CAMERAS / 2} of ${CAMERAS} cameras ${((Date.now() - startedAt) / 1000).toFixed(1)} s after it started`,
    );
    // no camera held twice
    const all = [...split.values()].flat();
    expect(new Set(all).size).toBe(CAMERAS);
    expect([...split.keys()].sort()).toEqual([holderOf(a), holderOf(b)].sort());

    const killedAt = Date.now();
    const exited = new Promise((r) => a.child.once('exit', r));
    a.child.kill('SIGKILL');
    await exited;
    const after = await until('the survivor holding every camera', async () => {
      const l = await leases();
      return (l.get(holderOf(b))?.length ?? 0) === CAMERAS ? l : null;
    });
    console.log(`[detector-leases] survivor holds all ${CAMERAS} cameras ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the SIGKILL (lease TTL 15 s)`);
    expect(after.size).toBe(1);
    expect(b.child.exitCode).toBe(null);
  });
});
