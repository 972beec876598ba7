import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../src/db';
import { formatLogLine } from '../src/cli/stack';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('stack CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-stack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the embedded services, migrates, prints the env, and Ctrl-C stops everything', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, NO_COLOR: '1' };
    for (const k of ['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY']) delete env[k];
    const child = spawn(process.execPath, ['--import', 'tsx', 'core/src/cli/stack.ts', 'services'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const exports: Record<string, string> = {};
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stack did not come up:\n${output.join('\n')}`)), 90_000);
      createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        const m = /^export (\w+)=(.*)$/.exec(line);
        if (m) exports[m[1]!] = m[2]!;
        if (line.includes('Ctrl-C stops them')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => reject(new Error(`stack exited early (${code}):\n${output.join('\n')}`)));
    });

    expect(exports.DATABASE_URL).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const pool = createPool(exports.DATABASE_URL!, { max: 1 });
    try {
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
    const redisPort = Number(new URL(exports.REDIS_URL!).port);
    const s3Port = Number(new URL(exports.S3_ENDPOINT!).port);
    expect(await portOpen(redisPort)).toBe(true);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // Nothing left behind: the private redis-server and the S3 endpoint are gone.
    expect(await portOpen(redisPort)).toBe(false);
    expect(await portOpen(s3Port)).toBe(false);
    expect(output.join('\n')).toContain('[stack] stopped');
  }, 180_000);

  it('formats role log lines for the terminal', () => {
    expect(formatLogLine('{"level":"info","time":"2025-01-01T08:09:10.000Z","name":"ingest","msg":"camera online","cameraId":"c1"}')).toBe(
      '08:09:10 INFO  ingest: camera online  cameraId=c1',
    );
    expect(formatLogLine('plain text')).toBe('plain text');
  });
});
