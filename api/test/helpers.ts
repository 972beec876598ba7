// Test harness: a migrated database clone, a real S3 endpoint, real Redis/BullMQ with a unique prefix,
// the api's workers, and the app built with a controllable clock.
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import { createQueues, startWorkers, type Queues, type Workers } from '@phatnguoi/core/queue';
import { channelSubscriber, createRedis, type Redis } from '@phatnguoi/core/redis';
import type { Config } from '@phatnguoi/core/config';
import { buildApp } from '../src/app';
import { ControllableClock } from '../src/clock';
import type { ApiOptions, AppDeps, Mailer, SmsGateway } from '../src/deps';
import { API_QUEUES, apiJobHandlers } from '../src/jobs/handlers';
import { createAgency, createCamera, createRegistryEntry, createUser } from '../src/seed/demo';

export const PASSWORD = 'correct horse battery';
/** What the harness's Prometheus would send to /metrics. */
export const METRICS_TOKEN = 'test-metrics-token-0123456789';

export interface Harness {
  app: FastifyInstance;
  db: TestDatabase;
  s3: TestS3;
  config: Config;
  storage: Storage;
  queues: Queues;
  workers: Workers;
  redis: Redis;
  clock: ControllableClock;
  /** Prefix of this harness's Redis pub/sub channels. */
  channelPrefix: string;
  deps: AppDeps;
  sentMail: { to: string; subject: string }[];
  sentSms: { to: string; text: string }[];
  /** When set, the SMS gateway fails with this message (delivery failures must be retried and visible). */
  smsFailure: { message: string | null };
  ids: { agency: string; otherAgency: string; camera: string; otherCamera: string; users: Record<string, string> };
  close(): Promise<void>;
}

export async function startHarness(options: Partial<ApiOptions> = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const s3 = await startTestS3();
  const config = testConfig({ s3: s3.s3 });
  const storage = createStorage(config);
  await storage.ensureBuckets();
  const queues = createQueues(config);
  const redis = createRedis(config.redisUrl);
  const clock = new ControllableClock(new Date());
  const sentMail: { to: string; subject: string }[] = [];
  const mailer: Mailer = {
    async sendMail(m) {
      sentMail.push({ to: m.to, subject: m.subject });
      return {};
    },
  };
  const sentSms: { to: string; text: string }[] = [];
  const smsFailure: { message: string | null } = { message: null };
  const sms: SmsGateway = {
    async send(to, text) {
      if (smsFailure.message) throw new Error(smsFailure.message);
      sentSms.push({ to, text });
      return { id: String(sentSms.length) };
    },
  };
  const opts: Partial<ApiOptions> = {
    metricsToken: METRICS_TOKEN,
    powDifficulty: 8,
    lookupRatePerMinute: 10_000,
    loginRatePerMinute: 10_000,
    publicBaseUrl: 'https://phatnguoi.test',
    ...options,
  };
  // Live stats subscription on a channel prefix unique to this test file.
  const channelPrefix = `${config.queuePrefix}:`;
  const sub = createRedis(config.redisUrl, { blocking: true });
  const subscribe: AppDeps['subscribe'] = channelSubscriber(sub);
  const deps: AppDeps = {
    db: db.pool,
    redis,
    storage,
    queues,
    clock,
    mailer,
    sms,
    subscribe,
    options: { ...opts, channelPrefix, rateLimitNamespace: `${config.queuePrefix}:rl:` },
  };
  const workers = await startWorkers(config, apiJobHandlers(deps), { queues: API_QUEUES });
  const app = await buildApp(deps);

  const agency = await createAgency(db.pool, {
    code: 'PC08-TG',
    name: 'Phòng CSGT Công an tỉnh Tiền Giang',
    provinceCode: '63',
    phone: '0273 3872 000',
    address: '1 Lê Lợi, Mỹ Tho',
  });
  const otherAgency = await createAgency(db.pool, {
    code: 'PC08-HN',
    name: 'Phòng CSGT Công an TP Hà Nội',
    provinceCode: '29',
    phone: '024 0000 0000',
    address: 'Hà Nội',
  });
  const camera = await createCamera(db.pool, { agencyId: agency, name: 'Ngã tư Lê Lợi - Hùng Vương', address: 'TP Mỹ Tho, Tiền Giang' });
  const otherCamera = await createCamera(db.pool, { agencyId: otherAgency, name: 'Ngã tư Kim Mã', address: 'Ba Đình, Hà Nội' });
  const users: Record<string, string> = {};
  for (const [username, role, ag] of [
    ['officer1', 'officer', agency],
    ['officer2', 'officer', agency],
    ['super1', 'supervisor', agency],
    ['super2', 'supervisor', agency],
    ['operator1', 'operator', null],
    ['admin1', 'admin', null],
    ['officerhn', 'officer', otherAgency],
    ['superhn', 'supervisor', otherAgency],
  ] as const) {
    users[username] = await createUser(db.pool, { username, password: PASSWORD, role, agencyId: ag });
  }
  await createRegistryEntry(db.pool, {
    plate: '63A-123.45',
    vehicleType: 'car',
    ownerName: 'Nguyễn Văn Chủ Xe',
    idNumber: '082090000001',
    address: '12 Ấp Bắc, Mỹ Tho, Tiền Giang',
    provinceCode: '63',
    email: 'chuxe@example.vn',
    phone: '0900000001',
  });
  await createRegistryEntry(db.pool, {
    plate: '63-B1 234.56',
    vehicleType: 'motorbike',
    ownerName: 'Trần Thị Mô Tô',
    idNumber: '082090000002',
    address: '5 Trưng Trắc, Mỹ Tho',
    provinceCode: '63',
  });

  return {
    app,
    db,
    s3,
    config,
    storage,
    queues,
    workers,
    redis,
    clock,
    channelPrefix,
    deps,
    sentMail,
    sentSms,
    smsFailure,
    ids: { agency, otherAgency, camera, otherCamera, users },
    async close() {
      await app.close();
      await workers.close();
      await queues.obliterateAll();
      await queues.close();
      redis.disconnect();
      sub.disconnect();
      await db.drop();
      await s3.stop();
    },
  };
}

export async function loginAs(app: FastifyInstance, username: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return sessionCookie(res.headers['set-cookie']);
}

/** The session token of a login answer: only in the HttpOnly `pn_session` cookie, never in the body. */
export function sessionCookie(setCookie: string | string[] | undefined | null): string {
  const m = /(?:^|\n)pn_session=([^;]+)/.exec([setCookie ?? []].flat().join('\n'));
  if (!m) throw new Error('no pn_session cookie in the login answer');
  return m[1]!;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export async function demoJpeg(text = 'evidence'): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180"><rect width="320" height="180" fill="#446"/><text x="20" y="90" font-size="24" fill="#fff">${text}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg().toBuffer();
}

/** Moves every delayed job of a queue to waiting (the clock was advanced) and waits for the workers. */
export async function promoteDelayed(h: Harness, queue: 'deadlines' | 'outbox'): Promise<void> {
  const q = h.queues.queue(queue);
  for (const job of await q.getDelayed()) await job.promote();
  await waitFor(async () => (await q.getJobCounts('waiting', 'active')).waiting === 0 && (await q.getJobCounts('active')).active === 0);
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Uploads a registry CSV as an administrator and waits for its background job to finish; the import as listed. */
export async function importRegistryCsv(
  h: Harness,
  token: string,
  csv: string,
  name = 'registry.csv',
): Promise<{
  status: string;
  accepted: number;
  rejected: { line: number; reason: string }[];
  rejectedCount: number;
  error: string | null;
  rowsRead: number;
  bytesRead: number;
  bytesTotal: number;
}> {
  const res = await h.app.inject({
    method: 'POST',
    url: `/api/admin/registry/imports?name=${encodeURIComponent(name)}`,
    headers: { ...bearer(token), 'content-type': 'text/csv' },
    payload: csv,
  });
  if (res.statusCode !== 202) throw new Error(`import refused: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const id = (res.json() as { id: string }).id;
  let imp: Awaited<ReturnType<typeof importRegistryCsv>> | null = null;
  await waitFor(async () => {
    imp = (await h.app.inject({ method: 'GET', url: `/api/admin/registry/imports/${id}`, headers: bearer(token) })).json();
    return imp!.status === 'done' || imp!.status === 'failed';
  }, 60_000);
  return imp!;
}
