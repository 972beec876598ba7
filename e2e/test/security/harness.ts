// Security test harness: the real api (buildApp) on a migrated test database with two agencies, each with
// an officer, a supervisor and cases; an operator, an admin, a worker token; expired, revoked and forged
// credentials; a state fingerprint of every table (row count + checksum) to prove requests changed nothing.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import { createStorage } from '@phatnguoi/core/storage';
import { createQueues, type Queues } from '@phatnguoi/core/queue';
import { channelSubscriber, createRedis, type Redis } from '@phatnguoi/core/redis';
import { catcherOutbox } from '@phatnguoi/api/outbox/catcher';
import { buildApp } from '@phatnguoi/api/app';
import { ControllableClock } from '@phatnguoi/api/clock';
import type { ApiOptions, AppDeps } from '@phatnguoi/api/deps';
import { createAgency, createCamera, createRegistryEntry, createUser, demoEvent } from '@phatnguoi/api/seed/demo';
import { ingestEvent } from '@phatnguoi/api/jobs/handlers';
import { tokenHash, newToken } from '@phatnguoi/api/domain/tokens';

export const PASSWORD = 'Mật-khẩu-rất-bí-mật-2025!';

/** Who sends a request: nobody, a broken credential, or a signed-in principal. */
export type Who = 'none' | 'forged' | 'expired' | 'revoked' | 'officerA' | 'supervisorA' | 'officerB' | 'supervisorB' | 'operator' | 'admin' | 'worker';
export const PRINCIPALS: Who[] = ['none', 'forged', 'expired', 'revoked', 'officerA', 'supervisorA', 'officerB', 'supervisorB', 'operator', 'admin', 'worker'];

/** Credentials that must never authenticate anybody. */
export const FORGED_TOKENS = [
  'not-a-real-token',
  "' OR '1'='1",
  "x'; UPDATE users SET role='admin'; --",
  'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJyb2xlIjoiYWRtaW4iLCJzdWIiOiJhZG1pbjEifQ.',
  'A'.repeat(201),
  'A'.repeat(10_000),
  '../../../../etc/passwd',
  '\u0000\u0001\u0002',
  '%00',
  'Bearer Bearer',
];

export interface SecurityHarness {
  app: FastifyInstance;
  db: TestDatabase;
  deps: AppDeps;
  clock: ControllableClock;
  /** Bearer token per principal (the broken ones included). */
  tokens: Record<Exclude<Who, 'none' | 'forged'>, string>;
  ids: {
    agencyA: string;
    agencyB: string;
    cameraA: string;
    cameraB: string;
    caseA: string;
    caseB: string;
    confirmedB: string;
    users: Record<string, string>;
  };
  /** Log lines written by the app (pino JSON), newest last. */
  logs: string[];
  uiDir: string;
  close(): Promise<void>;
}

/** A writable stream collecting pino's JSON lines. */
export function captureStream(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(l);
      cb();
    },
  });
}

export async function startSecurityHarness(options: Partial<ApiOptions> = {}): Promise<SecurityHarness> {
  const db = await createTestDatabase();
  let s3: TestS3 | null = null;
  let redis: Redis | null = null;
  let sub: Redis | null = null;
  let outbox: Awaited<ReturnType<typeof catcherOutbox>> | null = null;
  let queues: Queues | null = null;
  const uiDir = mkdtempSync(join(tmpdir(), 'pn-sec-ui-'));
  try {
    s3 = await startTestS3();
    const config = testConfig({ s3: s3.s3 });
    const storage = createStorage(config);
    await storage.ensureBuckets();
    queues = createQueues(config);
    redis = createRedis(config.redisUrl);
    sub = createRedis(config.redisUrl, { blocking: true });
    // A built UI stand-in, so the SPA route (and its headers) is served whether or not review-ui was built.
    mkdirSync(join(uiDir, 'assets'));
    writeFileSync(
      join(uiDir, 'index.html'),
      '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>',
    );
    writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log("ui")');
    const clock = new ControllableClock(new Date());
    const logs: string[] = [];
    outbox = await catcherOutbox(db.pool);
    const deps: AppDeps = {
      db: db.pool,
      redis,
      subscribe: channelSubscriber(sub),
      mailer: outbox.mailer,
      sms: outbox.sms,
      storage,
      queues,
      clock,
      options: {
        powDifficulty: 4,
        lookupRatePerMinute: 1_000_000,
        loginRatePerMinute: 1_000_000,
        publicBaseUrl: 'https://phatnguoi.test',
        rateLimitNamespace: `${config.queuePrefix}:rl:`,
        channelPrefix: `${config.queuePrefix}:`,
        uiDir,
        logger: true,
        logDestination: captureStream(logs),
        ...options,
      },
    };
    const app = await buildApp(deps);
    await app.ready();

    const agencyA = await createAgency(db.pool, {
      code: 'PC08-TG',
      name: 'Phòng CSGT Công an tỉnh Tiền Giang',
      provinceCode: '63',
      phone: '0273 3872 000',
      address: '1 Lê Lợi, Mỹ Tho',
    });
    const agencyB = await createAgency(db.pool, {
      code: 'PC08-HN',
      name: 'Phòng CSGT Công an TP Hà Nội',
      provinceCode: '29',
      phone: '024 0000 0000',
      address: 'Hà Nội',
    });
    const cameraA = await createCamera(db.pool, { agencyId: agencyA, name: 'Ngã tư Lê Lợi - Hùng Vương', address: 'TP Mỹ Tho' });
    const cameraB = await createCamera(db.pool, { agencyId: agencyB, name: 'Ngã tư Kim Mã', address: 'Ba Đình, Hà Nội' });
    const users: Record<string, string> = {};
    for (const [username, role, ag] of [
      ['officer.a', 'officer', agencyA],
      ['super.a', 'supervisor', agencyA],
      ['officer.b', 'officer', agencyB],
      ['super.b', 'supervisor', agencyB],
      ['operator1', 'operator', null],
      ['admin1', 'admin', null],
      ['gone.user', 'officer', agencyA],
    ] as const) {
      users[username] = await createUser(db.pool, { username, password: PASSWORD, role, agencyId: ag });
    }
    await createRegistryEntry(db.pool, {
      plate: '63A-123.45',
      vehicleType: 'car',
      ownerName: 'Nguyễn Văn Chủ Xe',
      idNumber: '082090000001',
      address: '12 Ấp Bắc, Mỹ Tho',
      provinceCode: '63',
      email: 'chuxe@example.vn',
      phone: '0900000001',
    });
    await createRegistryEntry(db.pool, {
      plate: '29A-888.88',
      vehicleType: 'car',
      ownerName: 'Lê Thị Hà Nội',
      idNumber: '001090000002',
      address: '1 Kim Mã, Hà Nội',
      provinceCode: '29',
      phone: '0900000002',
    });
    const ago = (s: number) => new Date(clock.now().getTime() - s * 1000);
    const caseA = (await ingestEvent(deps, demoEvent({ cameraId: cameraA, plate: '63A-123.45', occurredAt: ago(600) }))).caseId;
    const caseB = (await ingestEvent(deps, demoEvent({ cameraId: cameraB, plate: '29A-888.88', occurredAt: ago(500) }))).caseId;
    const confirmedB = (await ingestEvent(deps, demoEvent({ cameraId: cameraB, plate: '29A-888.88', occurredAt: ago(400) }))).caseId;

    const login = async (username: string): Promise<string> => {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      return res.cookies.find((c) => c.name === 'pn_session')!.value;
    };
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    const tokens = {
      officerA: await login('officer.a'),
      supervisorA: await login('super.a'),
      officerB: await login('officer.b'),
      supervisorB: await login('super.b'),
      operator: await login('operator1'),
      admin: await login('admin1'),
      worker: '',
      expired: newToken(),
      revoked: await login('gone.user'),
    };
    // A case of agency B confirmed by B's officer: approvable by B's supervisor, never by A's.
    for (const step of ['claim', 'confirm'] as const) {
      const res = await app.inject({ method: 'POST', url: `/api/cases/${confirmedB}/${step}`, headers: auth(tokens.officerB), payload: {} });
      if (res.statusCode !== 200) throw new Error(`${step}: ${res.statusCode} ${res.body}`);
    }
    const wt = await app.inject({ method: 'POST', url: '/api/admin/tokens', headers: auth(tokens.admin), payload: { name: 'detector-1', role: 'worker' } });
    tokens.worker = (wt.json() as { token: string }).token;
    // An expired session (valid token, past its expiry) and a revoked one (logged out).
    await db.pool.query('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1,$2,$3,$4)', [
      tokenHash(tokens.expired),
      users['officer.a'],
      ago(9 * 3600),
      ago(3600),
    ]);
    await app.inject({ method: 'POST', url: '/api/auth/logout', headers: auth(tokens.revoked) });

    return {
      app,
      db,
      deps,
      clock,
      tokens,
      logs,
      uiDir,
      ids: { agencyA, agencyB, cameraA, cameraB, caseA, caseB, confirmedB, users },
      async close() {
        await app.close();
        await queues?.obliterateAll();
        await queues?.close();
        redis?.disconnect();
        sub?.disconnect();
        await outbox?.close();
        await db.drop();
        await s3?.stop();
        rmSync(uiDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await queues?.close();
    redis?.disconnect();
    await db.drop();
    await s3?.stop();
    rmSync(uiDir, { recursive: true, force: true });
    throw err;
  }
}

/** Row count and content checksum of every table (the audit log included): equal fingerprints mean nothing changed. */
export async function stateFingerprint(h: SecurityHarness): Promise<Record<string, string>> {
  const { rows } = await h.db.pool.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY tablename`,
  );
  const out: Record<string, string> = {};
  for (const { tablename } of rows) {
    const q = `"${tablename.replace(/"/g, '""')}"`;
    const r = await h.db.pool.query<{ n: string; sum: string | null }>(
      `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS sum FROM ${q} t`,
    );
    out[tablename] = `${r.rows[0]!.n}:${r.rows[0]!.sum ?? '-'}`;
  }
  return out;
}

export function randomId(): string {
  return randomUUID();
}
