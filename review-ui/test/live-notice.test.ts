// The live path in the browser (Debian Chromium via playwright-core) against the REAL api with its job workers
// (PostgreSQL, Redis/BullMQ, S3): a violation event of a simulated vehicle whose plate the detector misread arrives
// through the violation queue while the officer's queue is open; the officer sees it appear, finds the vehicle in the
// registry by partial plate, confirms; a supervisor approves, previews, confirms and issues the notice; the PDF is
// read with pdftotext; the e-mail (real SMTP to the mail catcher) and the SMS show on the outbox page; the citizen
// opens the QR link. No console error and no failed request on the way.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { channelSubscriber, createRedis, type Redis } from '@phatnguoi/core/redis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createStorage, type Storage } from '@phatnguoi/core/storage';
import { createQueues, startWorkers, type Queues, type Workers } from '@phatnguoi/core/queue';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import type { ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import { buildApp } from '@phatnguoi/api/app';
import type { AppDeps, Mailer } from '@phatnguoi/api/deps';
import { API_QUEUES, apiJobHandlers } from '@phatnguoi/api/jobs/handlers';
import { systemClock } from '@phatnguoi/api/clock';
import { createAgency, createCamera, createUser } from '@phatnguoi/api/seed/demo';
import { seedSimulatedOwners, simulatedVehicles, demoOwnerOf } from '@phatnguoi/api/seed/demo-registry';
import { smsSink, startMailCatcher, type MailCatcher } from '@phatnguoi/api/outbox/catcher';
import { buildUi, evidenceFixtures, GEOMETRY, launchBrowser, PASSWORD, screenshot, USERS } from './harness';

let browser: Browser;
let app: FastifyInstance;
let db: TestDatabase;
let s3: TestS3;
let storage: Storage;
let queues: Queues;
let workers: Workers;
let catcher: MailCatcher;
let redis: Redis;
let sub: Redis;
let baseUrl = '';
let cameraId = '';
const contexts: BrowserContext[] = [];
/** Every console error and failed request (status >= 400) seen by any page. */
const problems: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  return page;
}

async function login(page: Page, who: keyof typeof USERS): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/Tên đăng nhập/).fill(USERS[who].username);
  await page.getByLabel(/Mật khẩu/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByTestId('who').waitFor();
}

/** The detector's event for a simulated vehicle, through the same queue the detector uses. */
async function violation(plateRead: string, vehicleClass: 'motorbike' | 'car'): Promise<string> {
  const f = evidenceFixtures();
  const occurredAt = new Date(Date.now() - 30_000);
  const trackId = `sim-${randomUUID().slice(0, 8)}`;
  const put = async (kind: ViolationEvent['evidence'][number]['kind'], bucket: 'clips' | 'evidence', body: Buffer, contentType: string, ext: string) => {
    const key = `${cameraId}/${trackId}/${kind}.${ext}`;
    const r = await storage.put(bucket, key, body, contentType);
    return { kind, bucket, key, sha256: r.sha256, size: r.size, contentType, capturedAt: occurredAt.toISOString() };
  };
  const phaseId = `head-1@${occurredAt.getTime()}`;
  const event: ViolationEvent = {
    idempotencyKey: `${cameraId}:${trackId}:red_light:${phaseId}`,
    cameraId,
    trackId,
    type: 'red_light',
    phaseId,
    occurredAt: occurredAt.toISOString(),
    vehicleClass,
    box: [260, 180, 340, 260],
    signalState: { signalHeadId: 'head-1', round: 'red', arrows: [], since: new Date(occurredAt.getTime() - 3000).toISOString(), source: 'vision' },
    plate: {
      text: plateRead,
      layout: vehicleClass === 'motorbike' ? 'two-line' : 'one-line',
      colour: 'white',
      confidence: 0.71,
      needsManualEntry: false,
      reads: 4,
    },
    evidence: [
      await put('clip', 'clips', f.clip, 'video/mp4', 'mp4'),
      await put('scene_before', 'evidence', f.stillBefore, 'image/jpeg', 'jpg'),
      await put('scene_after', 'evidence', f.stillAfter, 'image/jpeg', 'jpg'),
      await put('vehicle_crop', 'evidence', f.vehicle, 'image/jpeg', 'jpg'),
      await put('plate_crop', 'evidence', f.plate, 'image/jpeg', 'jpg'),
    ],
    ruleDetail: {
      rule: 'redLightRule',
      summary: 'Vượt vạch dừng khi đèn đỏ 1,4 s',
      laneId: 'lane-1',
      stopLineId: 'stop-1',
      secondsAfterRed: 1.4,
      frameSize: [640, 360],
      frameSeq: 4321,
    },
    detector: 'sim-camera',
    createdAt: new Date().toISOString(),
  };
  await queues.enqueue('violation.created', event);
  for (let i = 0; i < 200; i++) {
    const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM cases WHERE idempotency_key = $1', [event.idempotencyKey]);
    if (rows[0]) return rows[0].id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the case was not created');
}

beforeAll(async () => {
  const uiDir = await buildUi();
  db = await createTestDatabase();
  s3 = await startTestS3();
  const config = testConfig({ s3: s3.s3 });
  storage = createStorage(config);
  await storage.ensureBuckets();
  queues = createQueues(config);
  catcher = await startMailCatcher(db.pool);
  redis = createRedis(config.redisUrl);
  sub = createRedis(config.redisUrl, { blocking: true });
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const deps: AppDeps = {
    db: db.pool,
    redis,
    subscribe: channelSubscriber(sub),
    storage,
    queues,
    clock: systemClock,
    mailer: nodemailer.createTransport(catcher.url) as unknown as Mailer,
    sms: smsSink(db.pool),
    options: {
      uiDir,
      logger: false,
      powDifficulty: 8,
      loginRatePerMinute: 10_000,
      lookupRatePerMinute: 10_000,
      signingSecret: randomUUID(),
      publicBaseUrl: baseUrl,
      rateLimitNamespace: `${config.queuePrefix}:rl:`,
      channelPrefix: `${config.queuePrefix}:`,
    },
  };
  workers = await startWorkers(config, apiJobHandlers(deps), { queues: API_QUEUES });
  const agencyId = await createAgency(db.pool, {
    code: 'PC08-TG',
    name: 'Phòng CSGT Công an tỉnh Tiền Giang',
    provinceCode: '63',
    phone: '0273 3872 000',
    address: '1 Lê Lợi, phường 1, TP Mỹ Tho, Tiền Giang',
  });
  cameraId = await createCamera(db.pool, { agencyId, name: 'Camera mô phỏng 1 (red-light-runners)', address: 'TP Mỹ Tho, Tiền Giang' });
  await db.pool.query('UPDATE cameras SET geometry = $2 WHERE id = $1', [cameraId, JSON.stringify(GEOMETRY)]);
  for (const u of Object.values(USERS)) {
    await createUser(db.pool, {
      username: u.username,
      password: PASSWORD,
      role: u.role,
      displayName: u.displayName,
      agencyId: u.role === 'officer' || u.role === 'supervisor' ? agencyId : null,
    });
  }
  await seedSimulatedOwners(db.pool, ['red-light-runners']);
  app = await buildApp(deps);
  await app.listen({ port, host: '127.0.0.1' });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await app?.close();
  await workers?.close();
  await queues?.obliterateAll().catch(() => undefined);
  await queues?.close();
  await catcher?.close();
  redis?.disconnect();
  sub?.disconnect();
  await db?.drop();
  await s3?.stop();
});

describe('live case to a delivered notice, in the browser', () => {
  it('an unknown plate is identified, confirmed, approved, previewed, issued, delivered and opened by the citizen', async () => {
    const vehicle = (await simulatedVehicles(['red-light-runners'], '/nonexistent')).find(
      (v) => v.vehicleType === 'motorbike' && /\d{3}\.\d{2}$/.test(v.plate),
    )!;
    const owner = demoOwnerOf(vehicle);
    // the reader got the last digit wrong: not in the registry
    const lastDigit = Number(vehicle.plate.at(-1));
    const misread = `${vehicle.plate.slice(0, -1)}${(lastDigit + 1) % 10}`;

    // Officer: the queue is open when the case arrives, and shows it without a reload.
    const officer = await newPage();
    await login(officer, 'officer');
    await officer.getByTestId('queue-live').waitFor();
    const caseId = await violation(misread, 'motorbike');
    await officer.locator(`tr[data-case-id="${caseId}"]`).waitFor({ timeout: 20_000 });
    await officer.getByTestId('queue-news').waitFor();
    await screenshot(officer, 'live-queue');
    await officer.locator(`tr[data-case-id="${caseId}"] a`).click();
    await officer.waitForURL(`**/officer/cases/${caseId}`);
    const ident = officer.getByTestId('identification');
    await expect.poll(() => ident.getAttribute('data-state')).toBe('not_in_registry');
    await expect(ident.getByRole('alert').innerText()).resolves.toContain('Biển số không có trong CSDL đăng ký');

    // A car plate on a motorbike case is refused with the reason, before anything is sent.
    const plateInput = officer.locator('#plate-input');
    await plateInput.fill('63A-123.45');
    await expect(officer.getByTestId('plate-check').innerText()).resolves.toContain('đây là dạng biển ô tô');
    await plateInput.fill(misread);

    // Registry search by partial plate, then pick the vehicle: identified, the registered description beside the crop.
    await ident.getByRole('button', { name: 'Tra cứu CSDL đăng ký' }).click();
    await ident.getByRole('search').getByRole('button', { name: 'Tìm' }).click();
    const hit = ident.getByTestId('registry-results').locator('tr', { hasText: vehicle.plate });
    await hit.waitFor();
    await expect(hit.innerText()).resolves.toContain(owner.fullName);
    await hit.getByRole('button', { name: 'Chọn phương tiện này' }).click();
    await expect.poll(() => ident.getAttribute('data-state')).toBe('identified');
    await expect(officer.getByTestId('registry-vehicle').innerText()).resolves.toContain(owner.brand);
    await expect.poll(() => plateInput.inputValue()).toBe(vehicle.plate);
    await screenshot(officer, 'live-identified');
    await officer.getByRole('button', { name: /Xác nhận vi phạm/ }).click();
    await officer.getByText('Đã xác nhận hồ sơ.').waitFor();
    // the next case opens clean: nothing of the last decision carries over
    const second = await violation(vehicle.plate, 'motorbike');
    await officer
      .getByRole('button', { name: /Hồ sơ tiếp theo/ })
      .first()
      .click();
    await officer.waitForURL(`**/officer/cases/${second}`);
    await officer.getByTestId('identification').waitFor();
    expect(await officer.getByText('Đã xác nhận hồ sơ.').count()).toBe(0);

    // Supervisor: approve, then preview, confirm and issue.
    const sup = await newPage();
    await login(sup, 'supervisor');
    await sup.goto(`${baseUrl}/supervisor/approvals?case=${caseId}`);
    await sup.getByRole('button', { name: 'Phê duyệt', exact: true }).click();
    await sup.getByText('Đã phê duyệt.').waitFor();
    await sup.goto(`${baseUrl}/supervisor/notices?case=${caseId}`);
    await sup.getByRole('button', { name: 'Xem trước và phát hành…' }).click();
    const dialog = sup.getByRole('dialog', { name: 'Xác nhận phát hành thông báo' });
    await dialog.waitFor();
    await expect(dialog.getByTestId('notice-issue').isDisabled()).resolves.toBe(true);
    const preview = await sup.request.get(`${baseUrl}/api/cases/${caseId}/notice/preview`);
    expect(preview.status()).toBe(200);
    await screenshot(sup, 'live-notice-confirm');
    await dialog.getByTestId('notice-checked').check();
    await dialog.getByTestId('notice-issue').click();
    await sup.getByText(/Đã phát hành thông báo số \d{6}\/TB-PC08-TG/).waitFor();

    // The PDF as a clerk reads it.
    const href = await sup.getByTestId('notice-download').getAttribute('href');
    const pdf = Buffer.from(await (await sup.request.get(`${baseUrl}${href}`)).body());
    const dir = mkdtempSync(join(tmpdir(), 'live-notice-'));
    writeFileSync(join(dir, 'n.pdf'), pdf);
    const text = execFileSync('pdftotext', [join(dir, 'n.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const s of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      vehicle.plate,
      owner.fullName,
      'Mô tô, xe gắn máy',
      'Điểm c khoản 7 Điều 7',
      USERS.supervisor.displayName,
    ]) {
      expect(text).toContain(s);
    }
    const qr = /(http:\/\/127\.0\.0\.1:\d+\/tra-cuu\/[A-Za-z0-9_-]+)/.exec(text)?.[1];
    expect(qr).toBeTruthy();

    // Delivery happened: the outbox shows the e-mail with the PDF and the SMS; the case says delivered.
    await sup.goto(`${baseUrl}/outbox`);
    await sup.getByTestId('outbox-emails').getByText(owner.email).waitFor({ timeout: 30_000 });
    await sup.getByTestId('outbox-sms').getByText(owner.phone).waitFor({ timeout: 30_000 });
    await sup.getByRole('button', { name: 'Lập lô gửi bưu điện' }).click();
    await sup.getByText('Đã lập lô gồm 1 thông báo.').waitFor();
    await sup.getByTestId('outbox-post').getByText('1 thông báo').waitFor();
    await screenshot(sup, 'live-outbox');
    await sup.goto(`${baseUrl}/supervisor/responses?case=${caseId}`);
    await expect(sup.getByTestId('delivery-summary').innerText()).resolves.toMatch(/Đã gửi tới chủ xe qua: .*(Thư điện tử|Tin nhắn)/);
    await expect(sup.locator('.sup-case').innerText()).resolves.toContain('đã hoàn thành đúng hạn');

    // The citizen opens the QR link.
    const citizen = await newPage();
    await citizen.goto(qr!);
    await citizen.getByRole('heading', { name: 'Thông tin vi phạm' }).waitFor();
    // Under a loaded machine the page may show before its data; read it again until the case is there.
    await expect
      .poll(
        async () => {
          const text = await citizen.locator('main').innerText();
          if (!text.includes(vehicle.plate)) await citizen.reload();
          return text;
        },
        { timeout: 30_000, interval: 2_000 },
      )
      .toContain(vehicle.plate);
    await screenshot(citizen, 'live-citizen');

    expect(problems).toEqual([]);
  }, 240_000);
});
