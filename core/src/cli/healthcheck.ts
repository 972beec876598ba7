// Container health check for every role (compose `healthcheck`, Kubernetes exec probes).
//   healthcheck.ts --url http://127.0.0.1:8080/health     the HTTP endpoint answers 2xx
//   healthcheck.ts --deps                                 PostgreSQL and Redis answer
//   healthcheck.ts --file /frame-ring/.heartbeat-ingest --max-age 60
//                                                         the role touched its heartbeat file recently
// Checks combine; exit 0 when all pass, 1 with the reasons otherwise.
import { statSync } from 'node:fs';
import pg from 'pg';
import { loadConfig } from '../config';
import { createRedis } from '../redis';

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runChecks(args: string[]): Promise<string[]> {
  const failures: string[] = [];
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const url = value('--url');
  const file = value('--file');
  const maxAge = Number(value('--max-age') ?? 60);

  if (url) {
    try {
      const res = await withTimeout(fetch(url), 4_000, url);
      if (!res.ok) failures.push(`${url} answered ${res.status}`);
    } catch (err) {
      failures.push(`${url}: ${(err as Error).message}`);
    }
  }
  if (file) {
    try {
      const age = (Date.now() - statSync(file).mtimeMs) / 1000;
      if (age > maxAge) failures.push(`heartbeat ${file} is ${Math.round(age)} s old (max ${maxAge})`);
    } catch {
      failures.push(`heartbeat ${file} missing`);
    }
  }
  if (args.includes('--deps')) {
    const config = loadConfig();
    const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 3_000 });
    try {
      await withTimeout(
        client.connect().then(() => client.query('SELECT 1')),
        4_000,
        'postgres',
      );
    } catch (err) {
      failures.push(`postgres: ${(err as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    const redis = createRedis(config.redisUrl);
    try {
      await withTimeout(redis.ping(), 4_000, 'redis');
    } catch (err) {
      failures.push(`redis: ${(err as Error).message}`);
    } finally {
      redis.disconnect();
    }
  }
  return failures;
}

const args = process.argv.slice(2);
if (!args.some((a) => a === '--url' || a === '--deps' || a === '--file')) {
  console.error('usage: healthcheck.ts [--url URL] [--deps] [--file PATH [--max-age SECONDS]]');
  process.exit(2);
}
runChecks(args).then(
  (failures) => {
    if (failures.length) console.error(failures.join('\n'));
    process.exit(failures.length ? 1 : 0);
  },
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
