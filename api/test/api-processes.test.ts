// Two api processes behind one port: the real entry (api/src/main.ts) with API_PROCESSES=2, as production
// starts it, against real PostgreSQL and Redis. Both processes answer on the port (each response names its
// process in `x-api-pid`); a session opened on one works on the other; the live stats stream (SSE) works from
// either and carries a camera status published in Redis; a process killed with SIGKILL leaves the port served
// and is replaced by the supervisor; SIGTERM to the supervisor stops them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import { createRedis, type Redis } from '@phatnguoi/core/redis';
import { freePort } from '@phatnguoi/core/embedded/system';
import type { Config } from '@phatnguoi/core/config';
import { createAgency, createCamera, createUser } from '../src/seed/demo';
import { sessionCookie } from './helpers';
import { processAlive } from '@phatnguoi/core/process';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = 'two processes one port';
const STEP_MS = 120_000;

let db: TestDatabase;
let s3: TestS3;
let config: Config;
let redis: Redis;
let api: ChildProcess;
let port = 0;
let channelPrefix = '';
let agencyCamera = '';
const output: string[] = [];

interface Res {
  status: number;
  pid: number;
  body: string;
  setCookie: string[];
}

/** One request on a connection of its own (no keep-alive), so the supervisor hands each to a process in turn. */
function call(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, pid: Number(res.headers['x-api-pid']), body: text, setCookie: res.headers['set-cookie'] ?? [] }),
        );
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Opens the live stats stream; resolves with the serving process and a reader of its events. */
function openStream(token: string): Promise<{ pid: number; res: IncomingMessage; events: { event: string; data: string }[]; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/stats/stream', agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const events: { event: string; data: string }[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const chunk = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? '';
          const data = /^data: (.*)$/m.exec(chunk)?.[1] ?? '';
          events.push({ event, data });
        }
      });
      res.on('error', () => undefined);
      resolve({ pid: Number(res.headers['x-api-pid']), res, events, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = STEP_MS, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${output.join('').slice(-3000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Distinct processes seen over `n` requests on fresh connections. */
async function pidsOver(n: number, path = '/health', token?: string): Promise<{ pids: Set<number>; statuses: number[] }> {
  const pids = new Set<number>();
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await call('GET', path, token ? { token } : {});
    statuses.push(r.status);
    pids.add(r.pid);
  }
  return { pids, statuses };
}

beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
  config = testConfig({ s3: s3.s3 });
  redis = createRedis(config.redisUrl);
  channelPrefix = `${config.queuePrefix}:`;
  const agency = await createAgency(db.pool, { code: 'PC08-TG', name: 'Phòng CSGT Tiền Giang', provinceCode: '63' });
  await createUser(db.pool, { username: 'super1', password: PASSWORD, role: 'supervisor', agencyId: agency });
  // The supervisor's stream carries only their agency's cameras' messages.
  agencyCamera = await createCamera(db.pool, { agencyId: agency, name: 'Ngã tư thử', address: 'Mỹ Tho' });
  port = await freePort();
  api = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      REDIS_URL: config.redisUrl,
      QUEUE_PREFIX: config.queuePrefix,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.s3.accessKey,
      S3_SECRET_KEY: s3.s3.secretKey,
      S3_BUCKET_PREFIX: config.s3.bucketPrefix,
      INGEST_REDIS_PREFIX: channelPrefix,
      API_PORT: String(port),
      API_HOST: '127.0.0.1',
      API_WORKERS: '0',
      API_PROCESSES: '2',
      API_EXPOSE_PID: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [api.stdout!, api.stderr!]) s.on('data', (d: Buffer) => output.push(d.toString()));
  await until('both api processes answering', async () => (await pidsOver(6)).pids.size === 2, STEP_MS, 500);
}, 180_000);

afterAll(async () => {
  if (api && api.exitCode === null && api.signalCode === null) {
    const exited = new Promise((r) => api.once('exit', r));
    api.kill('SIGKILL');
    await exited;
  }
  redis?.disconnect();
  await db?.drop();
  await s3?.stop();
}, 60_000);

describe('two api processes behind one port (API_PROCESSES=2)', () => {
  let token = '';

  it('both answer on the port, each naming its process; neither is the supervisor', async () => {
    const { pids, statuses } = await pidsOver(10);
    console.log(`[api-processes] 10 requests on fresh connections served by pids ${[...pids].join(', ')} (supervisor ${api.pid})`);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(pids.size).toBe(2);
    expect(pids.has(api.pid!)).toBe(false);
  });

  it('a session opened on one process works on the other', async () => {
    const login = await call('POST', '/api/auth/login', { body: { username: 'super1', password: PASSWORD } });
    expect(login.status).toBe(200);
    token = sessionCookie(login.setCookie);
    const { pids, statuses } = await pidsOver(8, '/api/cases', token);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(pids.size).toBe(2);
    expect(pids.has(login.pid)).toBe(true);
  });

  it('the live stats stream works from either process and carries a status published in Redis', async () => {
    const streams: Awaited<ReturnType<typeof openStream>>[] = [];
    try {
      for (let i = 0; i < 8 && new Set(streams.map((s) => s.pid)).size < 2; i++) streams.push(await openStream(token));
      const byPid = new Map(streams.map((s) => [s.pid, s]));
      expect(byPid.size).toBe(2);
      for (const s of byPid.values()) expect(s.res.statusCode).toBe(200);
      await until('a snapshot on both streams', async () => [...byPid.values()].every((s) => s.events.some((e) => e.event === 'snapshot')));
      // a camera status as ingest publishes it: both processes are subscribed and pass it on
      const cameraId = agencyCamera;
      const status = {
        cameraId,
        state: 'online',
        lastError: null,
        lastErrorCode: null,
        fps: 5,
        framesTotal: 10,
        framesDropped: 0,
        restarts: 0,
        lastFrameAt: new Date().toISOString(),
        holder: 'h',
        node: 'n',
        updatedAt: new Date().toISOString(),
      };
      await until(
        'the camera status on both streams',
        async () => {
          await redis.publish(`${channelPrefix}camera-status`, JSON.stringify(status));
          return [...byPid.values()].every((s) => s.events.some((e) => e.event === 'camera' && e.data.includes(cameraId)));
        },
        30_000,
        500,
      );
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('a process killed with SIGKILL leaves the port served and is replaced', async () => {
    const before = (await pidsOver(6)).pids;
    const victim = [...before][0]!;
    process.kill(victim, 'SIGKILL');
    await until('the killed process gone', async () => !processAlive(victim), 10_000, 50);
    // right away: every request is still answered (by the survivor) while the supervisor starts a new process
    const during = await pidsOver(10, '/api/cases', token);
    expect(during.statuses.every((s) => s === 200)).toBe(true);
    expect(during.pids.has(victim)).toBe(false);
    const after = await until(
      'two processes again',
      async () => {
        const r = await pidsOver(6);
        return r.pids.size === 2 ? r.pids : null;
      },
      STEP_MS,
      500,
    );
    console.log(`[api-processes] killed ${victim}; served meanwhile by ${[...during.pids].join(', ')}; now ${[...after].join(', ')}`);
    expect(after.has(victim)).toBe(false);
    expect((await call('GET', '/api/cases', { token })).status).toBe(200);
  });

  it('SIGTERM to the supervisor stops every process', async () => {
    const pids = [...(await pidsOver(6)).pids];
    const exited = new Promise<number | null>((r) => api.once('exit', (code) => r(code)));
    api.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until('no api process left', async () => pids.every((p) => !processAlive(p)), 20_000, 100);
  });
});
