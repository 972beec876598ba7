// Browser-test harness: the REAL api (buildApp) on a free port, a fresh PostgreSQL database cloned from
// core's migrated template, a real S3 endpoint, and the UI built by Vite into a private folder that the
// api serves. Chromium is the Debian one, driven by playwright-core.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { inject } from 'vitest';
import '@phatnguoi/core/testing/provided';
import type { FastifyInstance } from 'fastify';
import { createQueues } from '@phatnguoi/core/queue';
import { channelSubscriber, createRedis } from '@phatnguoi/core/redis';
import { catcherOutbox } from '@phatnguoi/api/outbox/catcher';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import type { Queues } from '@phatnguoi/core/queue';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import type { ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import { buildApp } from '@phatnguoi/api/app';
import type { AppDeps } from '@phatnguoi/api/deps';
import { systemClock } from '@phatnguoi/api/clock';
import { createAgency, createCamera, createRegistryEntry, createUser } from '@phatnguoi/api/seed/demo';
import { createCaseFromEvent } from '@phatnguoi/api/services/cases';

const here = dirname(fileURLToPath(import.meta.url));
export const UI_ROOT = join(here, '..');
export const OUTPUT_DIR = join(UI_ROOT, 'test-output');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The UI as it ships, built by Vite. Under `vitest run` every browser test file of the run shares one build (the
 * first one to ask builds it, the others wait for it); elsewhere (benchmarks) each call builds into a folder of its own.
 * TEST_UI_DIST names a build made just before the run (CI sets it to review-ui/dist after `npm run build`, the same
 * production build), which the tests then use instead of building the UI again.
 */
export async function buildUi(): Promise<string> {
  const prebuilt = process.env.TEST_UI_DIST;
  if (prebuilt) {
    if (!existsSync(join(prebuilt, 'index.html'))) throw new Error(`TEST_UI_DIST=${prebuilt} has no index.html: run \`npm run build\` first, or unset it`);
    return prebuilt;
  }
  const root = runBuildRoot();
  if (!root) return viteBuild(mkdtempSync(join(tmpdir(), 'phatnguoi-ui-')));
  const outDir = join(root, 'dist');
  const done = join(root, 'built');
  const lock = join(root, 'lock');
  for (;;) {
    if (existsSync(done)) return outDir;
    try {
      mkdirSync(lock);
    } catch {
      await new Promise((r) => setTimeout(r, 250)); // another test file is building it
      continue;
    }
    try {
      await viteBuild(outDir);
      writeFileSync(done, '');
      return outDir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function runBuildRoot(): string | undefined {
  try {
    return inject('uiBuildRoot');
  } catch {
    return undefined; // not inside a vitest run
  }
}

async function viteBuild(outDir: string): Promise<string> {
  // Vitest sets NODE_ENV=test, which would give a development build of React; test what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: UI_ROOT, configFile: join(UI_ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export const PASSWORD = 'correct-horse-battery';
export const USERS: Record<'officer' | 'officer2' | 'supervisor' | 'operator' | 'admin', { username: string; role: Role; displayName: string }> = {
  officer: { username: 'officer.an', role: 'officer', displayName: 'Nguyễn Văn An' },
  officer2: { username: 'officer.binh', role: 'officer', displayName: 'Trần Thị Bình' },
  supervisor: { username: 'sup.cuong', role: 'supervisor', displayName: 'Lê Văn Cường' },
  operator: { username: 'ops.dung', role: 'operator', displayName: 'Phạm Dũng' },
  admin: { username: 'admin.em', role: 'admin', displayName: 'Hoàng Em' },
};

/** A camera view 640x360 with one stop line, one lane and one signal head, valid under the shared schema. */
export const GEOMETRY: CameraGeometry = {
  version: 1,
  reference: { width: 640, height: 360 },
  stopLines: [{ id: 'stop-1', approach: 'Lê Lợi', a: [100, 200], b: [540, 200], beforePoint: [320, 300] }],
  lanes: [
    {
      id: 'lane-1',
      polygon: [
        [120, 355],
        [520, 355],
        [420, 120],
        [220, 120],
      ],
      direction: [0, -1],
      allowedClasses: ['motorbike', 'car'],
      turns: ['straight'],
      stopLineId: 'stop-1',
      signalHeadId: 'head-1',
    },
  ],
  solidLines: [],
  signalHeads: [
    {
      id: 'head-1',
      lamps: [
        { id: 'red', colour: 'red', shape: 'round', region: [590, 20, 610, 40] },
        { id: 'yellow', colour: 'yellow', shape: 'round', region: [590, 42, 610, 62] },
        { id: 'green', colour: 'green', shape: 'round', region: [590, 64, 610, 84] },
      ],
    },
  ],
};

interface Fixtures {
  clip: Buffer;
  stillBefore: Buffer;
  stillAfter: Buffer;
  vehicle: Buffer;
  plate: Buffer;
}

let fixtures: Fixtures | null = null;
/** Real media made by ffmpeg: a 3 s H.264 clip at 10 fps and JPEG stills. */
export function evidenceFixtures(): Fixtures {
  if (fixtures) return fixtures;
  const dir = mkdtempSync(join(tmpdir(), 'phatnguoi-media-'));
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: 'pipe' });
  ff([
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=640x360:rate=10',
    '-t',
    '3',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-movflags',
    '+faststart',
    join(dir, 'clip.mp4'),
  ]);
  ff(['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=1', '-frames:v', '1', join(dir, 'before.jpg')]);
  ff(['-f', 'lavfi', '-i', 'smptebars=size=640x360:rate=1', '-frames:v', '1', join(dir, 'after.jpg')]);
  ff(['-f', 'lavfi', '-i', 'color=c=gray:size=160x120:rate=1', '-frames:v', '1', join(dir, 'vehicle.jpg')]);
  ff(['-f', 'lavfi', '-i', 'color=c=white:size=120x40:rate=1', '-frames:v', '1', join(dir, 'plate.jpg')]);
  const read = (f: string) => readFileSync(join(dir, f));
  fixtures = { clip: read('clip.mp4'), stillBefore: read('before.jpg'), stillAfter: read('after.jpg'), vehicle: read('vehicle.jpg'), plate: read('plate.jpg') };
  rmSync(dir, { recursive: true, force: true });
  return fixtures;
}

export interface Stack {
  baseUrl: string;
  app: FastifyInstance;
  /** What the app was built with (workers a test starts get the same). */
  deps: AppDeps;
  db: TestDatabase;
  storage: Storage;
  agencyId: string;
  cameraId: string;
  /** Adds a violation the way the detector does (evidence in S3, event through the api's case creation). */
  addCase(
    opts?: Partial<{
      plate: string | null;
      /** With `plate: null`: the detector's uncertain read offered to the officer. */
      plateSuggestion: string;
      vehicleClass: ViolationEvent['vehicleClass'];
      confidence: number;
      occurredAt: Date;
      type: ViolationEvent['type'];
      cameraId: string;
      ruleDetail: Partial<ViolationEvent['ruleDetail']>;
    }>,
  ): Promise<string>;
  close(): Promise<void>;
}

/**
 * `port`: listen there (a test that must know the address before the app is built, e.g. to register callbacks at an
 * identity provider); `deps`: more of the app's dependencies (sign-in settings, a clock), `options` merged in.
 */
export async function startStack(opts: { uiDir: string; port?: number; deps?: Partial<AppDeps>; queues?: Queues }): Promise<Stack> {
  const db = await createTestDatabase();
  const s3: TestS3 = await startTestS3();
  const config = testConfig({ s3: s3.s3 });
  const storage = createStorage(config);
  await storage.ensureBuckets();
  const pool = db.pool;

  // Seeded with the api's own seed helpers (the same ones `npm run -w api seed` uses).
  const agencyId = await createAgency(pool, {
    code: 'PC08-HN',
    name: 'Phòng CSGT Hà Nội',
    provinceCode: '29',
    phone: '069 219 2222',
    address: '86 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội',
  });
  const cameraId = await createCamera(pool, { agencyId, name: 'CAM Lê Lợi – Hai Bà Trưng', address: 'Ngã tư Lê Lợi – Hai Bà Trưng, Hoàn Kiếm' });
  await pool.query('UPDATE cameras SET geometry = $2 WHERE id = $1', [cameraId, JSON.stringify(GEOMETRY)]);
  for (const u of Object.values(USERS)) {
    await createUser(pool, {
      username: u.username,
      password: PASSWORD,
      role: u.role,
      displayName: u.displayName,
      agencyId: u.role === 'officer' || u.role === 'supervisor' ? agencyId : null,
    });
  }
  // Registry: the owners of the plates the tests use (the case gets its owner, so a notice can be issued).
  await createRegistryEntry(pool, {
    plate: '29-B1 123.45',
    vehicleType: 'motorbike',
    ownerName: 'Đỗ Thị Hoa',
    idNumber: '001190000001',
    address: '12 Hàng Bài, Hoàn Kiếm, Hà Nội',
    provinceCode: '29',
  });
  await createRegistryEntry(pool, {
    plate: '30A-999.99',
    vehicleType: 'car',
    ownerName: 'Vũ Văn Khánh',
    idNumber: '001190000002',
    address: '12 Hàng Bài, Hoàn Kiếm, Hà Nội',
    provinceCode: '29',
  });

  // No job workers: jobs the pages cause (notice rendering, delivery) wait in this file's own queues.
  const queues = createQueues(config);
  // Real Redis (rate limits, used challenges) and the demo's outbox (SMTP to a mail catcher, the SMS sink).
  const redis = createRedis(config.redisUrl);
  const sub = createRedis(config.redisUrl, { blocking: true });
  const outbox = await catcherOutbox(pool);
  const deps: AppDeps = {
    redis,
    subscribe: channelSubscriber(sub),
    mailer: outbox.mailer,
    sms: outbox.sms,
    ...opts.deps,
    db: pool,
    storage,
    queues: opts.queues ?? queues,
    clock: opts.deps?.clock ?? systemClock,
    options: {
      uiDir: opts.uiDir,
      logger: false,
      powDifficulty: 8,
      loginRatePerMinute: 10_000,
      lookupRatePerMinute: 10_000,
      signingSecret: randomUUID(),
      // this stack's own rate-limit and sign-in counters and live channels in the shared Redis
      rateLimitNamespace: `${config.queuePrefix}:rl:`,
      channelPrefix: `${config.queuePrefix}:`,
      ...opts.deps?.options,
    },
  };
  const app = await buildApp(deps);
  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  let track = 0;
  const addCase: Stack['addCase'] = async (o = {}) => {
    const f = evidenceFixtures();
    const occurredAt = o.occurredAt ?? new Date(Date.now() - 60_000);
    const trackId = `t${++track}-${randomUUID().slice(0, 8)}`;
    const cam = o.cameraId ?? cameraId;
    const type = o.type ?? 'red_light';
    const phaseId = `head-1@${occurredAt.getTime()}`;
    const put = async (kind: ViolationEvent['evidence'][number]['kind'], bucket: 'clips' | 'evidence', body: Buffer, contentType: string, ext: string) => {
      const key = `${cam}/${trackId}/${kind}.${ext}`;
      const r = await storage.put(bucket, key, body, contentType);
      return { kind, bucket, key, sha256: r.sha256, size: r.size, contentType, capturedAt: occurredAt.toISOString() };
    };
    const evidence = [
      await put('clip', 'clips', f.clip, 'video/mp4', 'mp4'),
      await put('scene_before', 'evidence', f.stillBefore, 'image/jpeg', 'jpg'),
      await put('scene_after', 'evidence', f.stillAfter, 'image/jpeg', 'jpg'),
      await put('vehicle_crop', 'evidence', f.vehicle, 'image/jpeg', 'jpg'),
      await put('plate_crop', 'evidence', f.plate, 'image/jpeg', 'jpg'),
    ];
    const plate = o.plate === undefined ? '29-B1 123.45' : o.plate;
    const event: ViolationEvent = {
      idempotencyKey: `${cam}:${trackId}:${type}:${phaseId}`,
      cameraId: cam,
      trackId,
      type,
      phaseId,
      occurredAt: occurredAt.toISOString(),
      vehicleClass: o.vehicleClass ?? 'motorbike',
      box: [260, 180, 340, 260],
      signalState: { signalHeadId: 'head-1', round: 'red', arrows: [], since: new Date(occurredAt.getTime() - 4000).toISOString(), source: 'vision' },
      plate: {
        text: plate,
        layout: plate ? (plate.includes(' ') ? 'two-line' : 'one-line') : null,
        colour: plate ? 'white' : null,
        confidence: o.confidence ?? 0.93,
        needsManualEntry: plate === null,
        reads: 5,
        ...(o.plateSuggestion ? { suggestion: o.plateSuggestion } : {}),
      },
      evidence,
      ruleDetail: {
        rule: 'redLightRule',
        summary: 'Vượt vạch dừng khi đèn đỏ 1,2 s',
        laneId: 'lane-1',
        stopLineId: 'stop-1',
        secondsAfterRed: 1.2,
        frameSize: [640, 360],
        frameSeq: 1000 + track,
        ...o.ruleDetail,
      },
      detector: 'test-fixture',
      createdAt: new Date().toISOString(),
    };
    const created = await createCaseFromEvent(pool, systemClock, event);
    return created.caseId;
  };

  return {
    baseUrl,
    app,
    deps,
    db,
    storage,
    agencyId,
    cameraId,
    addCase,
    async close() {
      await app.close();
      await queues.obliterateAll();
      await queues.close();
      await outbox.close();
      redis.disconnect();
      sub.disconnect();
      await db.drop();
      await s3.stop();
    },
  };
}

/** Logs in through the login form, as a user would. */
export async function loginAs(page: Page, baseUrl: string, who: keyof typeof USERS): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Tên đăng nhập|Username/).fill(USERS[who].username);
  await page.getByLabel(/Mật khẩu|Password/).fill(PASSWORD);
  await page.getByRole('button', { name: /Đăng nhập|Log in/ }).click();
  await page.getByTestId('who').waitFor();
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

export function ensureDir(p: string): string {
  if (!existsSync(p)) mkdirSync(p, { recursive: true });
  return p;
}
