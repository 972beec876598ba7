// The seed command the demo and UI tests use: runs against a fresh database, twice (idempotent), and
// leaves an audit chain that verifies.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// Async on purpose: s3rver runs in this process, so a synchronous child would block its answers.
const run = promisify(execFile);
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';

let db: TestDatabase;
let s3: TestS3;
beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
});
afterAll(async () => {
  await db?.drop();
  await s3?.stop();
});

async function runCli(script: string): Promise<string> {
  const c = testConfig({ s3: s3.s3 });
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn',
      S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY: c.s3.accessKey, S3_SECRET_KEY: c.s3.secretKey, S3_BUCKET_PREFIX: c.s3.bucketPrefix,
    },
  });
  return stdout;
}

it('seeds users per role, cameras, registry and cases; a second run adds nothing', async () => {
  const out = await runCli('api/src/cli/seed.ts');
  expect(out).toMatch(/canbo1\s+demo-officer-2025\s+officer/);
  expect(out).toMatch(/quantri\s+demo-admin-2025\s+admin/);
  const roles = (await db.pool.query('SELECT role, count(*)::int AS n FROM users GROUP BY role ORDER BY role')).rows;
  expect(roles).toEqual([{ role: 'admin', n: 1 }, { role: 'officer', n: 2 }, { role: 'operator', n: 1 }, { role: 'supervisor', n: 2 }]);
  const statuses = (await db.pool.query('SELECT status, count(*)::int AS n FROM cases GROUP BY status ORDER BY status')).rows;
  expect(statuses.map((r) => r.status)).toEqual(['approved', 'confirmed', 'detected', 'rejected']);
  const cases = (await db.pool.query('SELECT count(*)::int AS n FROM cases')).rows[0].n;
  expect(cases).toBe(24);
  const withEvidence = (await db.pool.query('SELECT count(DISTINCT case_id)::int AS n FROM case_evidence')).rows[0].n;
  expect(withEvidence).toBe(24);
  await runCli('api/src/cli/seed.ts');
  expect((await db.pool.query('SELECT count(*)::int AS n FROM cases')).rows[0].n).toBe(24);
  expect(await runCli('api/src/cli/audit-verify.ts')).toMatch(/audit chain OK: \d+ entries verified/);
}, 180_000);
