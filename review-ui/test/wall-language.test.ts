// The operations wall on a 1920×1080 screen, and every page read in both languages for untranslated text:
// Debian Chromium against the REAL api (buildApp), a fresh PostgreSQL database, a real S3 endpoint and the UI
// built by Vite; one server and one browser for the whole file. Screenshots go to review-ui/test-output/.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createCamera } from '@phatnguoi/api/seed/demo';
import { buildUi, launchBrowser, loginAs, screenshot, startStack, USERS, type Stack } from './harness';

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const cams = { main: '', stalled: '', broken: '' };
const cases = { redLight: '', wrongLane: '', wrongWay: '' };

async function newPage(who?: keyof typeof USERS, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const ctx = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  if (who) await loginAs(page, stack.baseUrl, who);
  return page;
}

/** What ingest and the detector would have reported, given to the api's own status board (as its Redis subscriptions do). */
function report(cameraId: string, ingest: Record<string, unknown>, detector?: Record<string, unknown>) {
  const now = new Date();
  stack.app.cameraBoard.updateFromIngest(JSON.stringify({ cameraId, fps: 0, framesDropped: 0, lastError: null, lastErrorCode: null, ...ingest }), now);
  if (detector)
    stack.app.cameraBoard.updateFromDetector(JSON.stringify({ cameraId, detectionsPerSecond: 0, framesPerSecond: 5, backend: 'wasm', ...detector }), now);
}

beforeAll(async () => {
  const uiDir = await buildUi();
  stack = await startStack({ uiDir });
  browser = await launchBrowser();
  const pool = stack.db.pool;
  cams.main = stack.cameraId;
  await pool.query('UPDATE cameras SET lat = 21.0245, lng = 105.8412 WHERE id = $1', [cams.main]);
  cams.stalled = await createCamera(pool, { agencyId: stack.agencyId, name: 'CAM Tràng Tiền', address: 'Tràng Tiền, Hoàn Kiếm', lat: 21.025, lng: 105.856 });
  cams.broken = await createCamera(pool, { agencyId: stack.agencyId, name: 'CAM Kim Mã', address: 'Kim Mã, Ba Đình', lat: 21.0315, lng: 105.819 });
  cases.redLight = await stack.addCase({ plate: '29-B1 123.45' });
  cases.wrongLane = await stack.addCase({
    plate: '30A-999.99',
    vehicleClass: 'car',
    type: 'wrong_lane',
    ruleDetail: { rule: 'laneClassRule', summary: 'car in lane lane-1, which allows motorbike', stopLineId: undefined, secondsAfterRed: undefined },
  });
  cases.wrongWay = await stack.addCase({
    plate: '29-B1 123.45',
    type: 'wrong_way',
    ruleDetail: {
      rule: 'wrongWayRule',
      summary: 'Drove 113 px against the direction of lane lane-1',
      distancePx: 113,
      stopLineId: undefined,
      secondsAfterRed: undefined,
    },
  });
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

describe('operations wall at 1920×1080', () => {
  it('fills the screen with live camera pictures, states in words, the latest violations, a map, ageing and a drill-down', async () => {
    // reported every 3 s, as ingest and the detector do (a detector silent for 15 s is a fault of its own)
    const reportAll = () => {
      report(cams.main, { state: 'online', fps: 5 }, { state: 'detecting', detectionsPerSecond: 2.5 });
      report(cams.stalled, { state: 'online', fps: 5 }, { state: 'stalled', framesPerSecond: 0, error: 'frame loop hangs in tf.execute' });
      report(cams.broken, { state: 'reconnecting', lastError: 'method DESCRIBE failed: 404 Not Found' });
    };
    reportAll();
    const reporting = setInterval(reportAll, 3000);
    onTestFinished(() => clearInterval(reporting));
    const page = await newPage('operator');
    await page.waitForURL((u) => u.pathname === '/ops');
    const grid = page.getByTestId('wall-grid');
    await grid.locator('li').nth(2).waitFor();
    // the grid uses the width of the screen (not a narrow column), three tiles side by side
    const box = (await grid.boundingBox())!;
    expect(box.width).toBeGreaterThan(1920 * 0.7);
    // and nothing spills past the screen's width
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(1920);
    const tops = await grid.locator('li').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    // the operator sees the camera's picture (here: the latest case's still, the snapshot fallback)
    const picture = page.locator(`li[data-camera-id="${cams.main}"] img.thumb`);
    await expect.poll(() => picture.evaluate((e) => (e as HTMLImageElement).naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
    // states in words; a camera that stopped detecting is a fault, not normal; the raw ffmpeg text only as a tooltip
    const state = (id: string) => page.locator(`li[data-camera-id="${id}"] [data-testid="camera-state"]`);
    await expect(state(cams.main).getAttribute('data-state')).resolves.toBe('online');
    await expect(state(cams.stalled).getAttribute('data-state')).resolves.toBe('not_detecting');
    await expect(page.locator(`li[data-camera-id="${cams.stalled}"]`).innerText()).resolves.toContain('bộ phát hiện bị treo, không xử lý khung hình');
    await expect(state(cams.broken).getAttribute('data-state')).resolves.toBe('reconnecting');
    const broken = page.locator(`li[data-camera-id="${cams.broken}"]`);
    await expect(broken.innerText()).resolves.toContain('Camera không có luồng video ở đường dẫn đã cấu hình');
    await expect(broken.innerText()).resolves.not.toContain('DESCRIBE');
    await expect(broken.getByTestId('camera-reason').getAttribute('title')).resolves.toBe('method DESCRIBE failed: 404 Not Found');
    await expect(page.getByTestId('tile-cameras').getAttribute('data-state')).resolves.toBe('bad');
    await expect(page.getByTestId('tile-cameras').locator('.tile-value').innerText()).resolves.toBe('1/3');
    await expect(page.getByTestId('tile-detection').getAttribute('data-state')).resolves.toBe('bad');
    // every hour of the last 24 on the hourly chart's axis; the map plots the three cameras by state
    const hourly = page.locator('figure', { hasText: 'Vi phạm theo giờ, theo loại' });
    await expect(hourly.locator('tbody tr').count()).resolves.toBe(24);
    await expect(
      page
        .getByTestId('camera-map')
        .locator('[data-state]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-state')).sort()),
    ).resolves.toEqual(['not_detecting', 'online', 'reconnecting']);
    // behind them, the outline of the province they stand in (Hà Nội here), with its source credited
    await expect(page.getByTestId('province-outline').locator('title').textContent()).resolves.toBe('Hà Nội');
    await expect(page.getByTestId('camera-map').locator('.map-attribution').innerText()).resolves.toContain('Open Development Mekong');
    // ageing against the 10-day notice deadline: three open cases with more than 3 days left
    await expect(page.getByTestId('age-notice').locator('td').last().innerText()).resolves.toBe('3');
    // latest violations with their scene still; one that arrives while the wall is open appears, marked new
    const recent = page.locator('.wall-recent li');
    await expect(recent.count()).resolves.toBe(3);
    await expect
      .poll(
        () =>
          recent
            .first()
            .locator('img')
            .evaluate((e) => (e as HTMLImageElement).naturalWidth),
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    const arrived = await stack.addCase({ plate: '29-B1 246.80' });
    const fresh = page.locator(`.wall-recent li[data-case-id="${arrived}"]`);
    await fresh.waitFor({ timeout: 15_000 });
    await expect(fresh.getAttribute('class')).resolves.toBe('fresh');
    await screenshot(page, 'wall-1920x1080');
    // drill-down: one camera's rates, today's violations by type, its 24 hours, its last error in words
    await page.getByRole('button', { name: 'Xem chi tiết camera CAM Lê Lợi – Hai Bà Trưng' }).click();
    const drill = page.getByTestId('camera-drill');
    await drill.waitFor();
    await expect(drill.getByTestId('drill-dps').innerText()).resolves.toBe('2,5');
    await expect(drill.locator('[data-type="red_light"] strong').innerText()).resolves.toBe('2');
    await expect(drill.locator('[data-type="wrong_way"] strong').innerText()).resolves.toBe('1');
    await expect(drill.locator('tbody tr').count()).resolves.toBe(24);
    await screenshot(page, 'wall-drill-down');
    await drill.getByRole('button', { name: 'Đóng' }).click();
    await drill.waitFor({ state: 'detached' });
  }, 60_000);
});

/** Words that mean an English sentence slipped into a Vietnamese page (none is also a Vietnamese word without its accents). */
const ENGLISH = new Set(
  `the and of is are not with for from after before which allows against direction drove crossed onset lane line stop red yellow
green light online offline error errors failed found valid invalid plate detector case cases created expected array length greater equal frames frame
second seconds loading save cancel close open yes no none unknown status state queue review notice owner method describe reconnecting starting stopped
ingest detections per hour hours day days last today new latest violation violations deadline overdue left right straight turn car motorbike truck bus
unread manual confirm reject approve approved confirmed rejected detected notified resolved lapsed escalated search submit login logout password
username page next previous total all filter type time place history system fine points evidence play pause speed limit measured tolerance zone
geometry lamp signal head polygon vertex add remove delete edit list name address phone agency officer supervisor operator admin live updated normal
attention throughput backlog deliveries delivery sent pending batch post outbox subject attachment download preview issue issued response complaint
outcome paid dismissed warning warnings inspection registration registry vehicle colour white blue shape round arrow calibration residual claim claimed
released corrected identified routed escalate lapse resolve return returned drawn image snapshot picture why reason detail`.split(/\s+/),
);

/** Data the pages show as it is (names, ids of the test fixture, units, acronyms), never checked as words. */
const ALLOWED = new Set([
  'stop-1',
  'lane-1',
  'head-1',
  ...Object.values(USERS).map((u) => u.username),
  'km/h',
  'px',
  'SHA-256',
  'PDF',
  'QR',
  'SMS',
  'SMTP',
  'CSGT',
  // keyboard keys, named as printed on them
  'Tab',
  'Shift',
  'Delete',
  'Enter',
  'Space',
  'Escape',
  // the English abbreviation
  'e.g',
]);

interface PageText {
  url: string;
  texts: string[];
}

/**
 * Every text a user can read on the page: text nodes (collapsed <details> opened first, visually hidden tables
 * included), and the aria-label, alt, placeholder and title attributes. Skipped: what is marked translate="no",
 * a part in another language (lang="en" on the language switch), and titles marked as verbatim technical detail.
 */
async function readableText(page: Page): Promise<PageText> {
  const texts = await page.evaluate(() => {
    document.querySelectorAll('details').forEach((d) => (d.open = true));
    const pageLang = document.documentElement.lang;
    const skipped = (el: Element | null): boolean => {
      for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
        if (e.getAttribute('translate') === 'no' || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(e.tagName)) return true;
        const lang = e.getAttribute('lang');
        if (lang && lang !== pageLang) return true;
      }
      return false;
    };
    const out: string[] = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      if (text && !skipped(n.parentElement)) out.push(text);
    }
    for (const el of document.body.querySelectorAll('[aria-label], [alt], [placeholder], [title]')) {
      if (skipped(el)) continue;
      for (const a of ['aria-label', 'alt', 'placeholder', 'title']) {
        if (a === 'title' && el.hasAttribute('data-technical')) continue;
        const v = el.getAttribute(a)?.trim();
        if (v) out.push(v);
      }
    }
    return out;
  });
  return { url: new URL(page.url()).pathname, texts };
}

/** What is wrong with a page's texts: untranslated keys, raw codes, and (in Vietnamese) English words. */
function untranslated(p: PageText, lang: 'vi' | 'en'): string[] {
  const problems: string[] = [];
  for (const text of p.texts) {
    for (const raw of text.split(/\s+/)) {
      const token = raw.replace(/^[("“'«[]+|[)"”'»\],;:.!?…]+$/g, '');
      if (!token || ALLOWED.has(token)) continue;
      if (/^[a-z][a-zA-Z]*(\.[a-zA-Z_]+)+$/.test(token)) problems.push(`${p.url}: key or dotted code "${token}" in "${text}"`);
      else if (/^[a-z]+(_[a-z]+)+$/.test(token)) problems.push(`${p.url}: snake_case code "${token}" in "${text}"`);
      else if (lang === 'vi') {
        for (const word of token.match(/\p{L}+/gu) ?? []) {
          if (/^[A-Za-z]+$/.test(word) && ENGLISH.has(word.toLowerCase())) problems.push(`${p.url}: English word "${word}" in "${text}"`);
        }
      }
    }
  }
  return problems;
}

describe('every page in both languages', () => {
  it('shows no untranslated key, raw code, or (in Vietnamese) English word on any page', async () => {
    // an officer took, corrected and confirmed the red-light case (history entries, a case for the supervisor); the
    // wrong-way case is approved, so the public page shows it
    const as = async (who: keyof typeof USERS, steps: [string, string, object][]) => {
      const ctx = await browser.newContext();
      contexts.push(ctx);
      const login = await ctx.request.post(`${stack.baseUrl}/api/auth/login`, { data: { username: USERS[who].username, password: 'correct-horse-battery' } });
      expect(login.status()).toBe(200);
      for (const [id, path, body] of steps) {
        const r = await ctx.request.post(`${stack.baseUrl}/api/cases/${id}/${path}`, { data: body });
        expect(r.status(), await r.text()).toBeLessThan(300);
      }
    };
    await as('officer', [
      [cases.redLight, 'claim', {}],
      [cases.redLight, 'plate', { plateText: '29-B1 123.46' }],
      [cases.redLight, 'confirm', {}],
      [cases.wrongWay, 'claim', {}],
      [cases.wrongWay, 'confirm', {}],
    ]);
    await as('supervisor', [[cases.wrongWay, 'approve', {}]]);
    const token = (await stack.db.pool.query<{ public_token: string }>('SELECT public_token FROM cases WHERE id = $1', [cases.wrongWay])).rows[0]!.public_token;
    const visits: Record<'public' | 'officer' | 'supervisor' | 'operator' | 'admin', [string, string][]> = {
      public: [
        ['/login', 'form'],
        ['/tra-cuu', 'form'],
        [`/tra-cuu/${token}`, '.public-evidence'],
      ],
      officer: [
        ['/officer', `tr[data-case-id="${cases.wrongLane}"]`],
        [`/officer/cases/${cases.wrongLane}`, `article[data-case-id="${cases.wrongLane}"] [data-testid="rule-text"]`],
        [`/officer/cases/${cases.wrongWay}`, `article[data-case-id="${cases.wrongWay}"] [data-testid="rule-text"]`],
      ],
      supervisor: [
        [`/supervisor/approvals?case=${cases.redLight}`, '[data-testid="rule-text"]'],
        ['/supervisor/ageing', 'figure'],
        ['/outbox', 'h1'],
      ],
      operator: [
        ['/ops', '[data-testid="wall-grid"] li'],
        ['/ops/cameras', '.camera-grid li'],
      ],
      admin: [
        ['/admin/cameras', `a[href="/admin/cameras/${cams.main}"]`],
        [`/admin/cameras/${cams.main}`, '[data-testid="geo-svg"]'],
        ['/admin/retention', '[data-testid="retention-form"]'],
      ],
    };
    // One page: each role logs in once (its session cookie replaces the last one) and loads the app once; the
    // language switch and the app's own navigation do the rest, as a user would.
    const page = await newPage();
    const problems: string[] = [];
    for (const [who, pages] of Object.entries(visits)) {
      await page.context().clearCookies();
      if (who !== 'public') {
        const r = await page.context().request.post(`${stack.baseUrl}/api/auth/login`, {
          data: { username: USERS[who as keyof typeof USERS].username, password: 'correct-horse-battery' },
        });
        expect(r.status()).toBe(200);
      }
      await page.goto(`${stack.baseUrl}${pages[0]![0]}`);
      for (const lang of ['vi', 'en'] as const) {
        if ((await page.evaluate(() => document.documentElement.lang)) !== lang) {
          await page.locator('.header-tools button[lang]').click();
          await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
        }
        for (const [path, ready] of pages) {
          await page.evaluate((to) => {
            window.history.pushState(null, '', to);
            window.dispatchEvent(new PopStateEvent('popstate'));
          }, path);
          await page.locator(ready).first().waitFor();
          await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
          if (path === '/tra-cuu') {
            // a lookup with its answer, in words
            await page.locator('#lookup-plate').fill('29-B1 123.45');
            await page.locator('input[name="vehicleType"][value="motorbike"]').check();
            await page.locator('form button[type="submit"]').click();
            await page.locator('#results-title').waitFor();
          }
          if (path === `/officer/cases/${cases.wrongLane}`) {
            // a plate that is not a car's: the check says why, in words
            await page.locator('#plate-input').fill('ABC123');
            await page.getByTestId('plate-check').waitFor();
          }
          if (path === `/admin/cameras/${cams.main}`) {
            // a lane without its signal head: the server refuses, the field errors are in words
            await page.locator('button', { hasText: 'lane-1' }).first().click();
            await page.locator('[data-path="$.lanes[0].signalHeadId"] select').selectOption('');
            await page.locator('.sticky-actions button.primary').click();
            await page.locator('[data-path="$.lanes[0].signalHeadId"] .field-error').waitFor();
          }
          problems.push(...untranslated(await readableText(page), lang));
        }
        if (lang === 'vi' && who === 'officer') await screenshot(page, 'case-page-vietnamese');
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
