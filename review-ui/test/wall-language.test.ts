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
  if (detector) stack.app.cameraBoard.updateFromDetector(JSON.stringify({ cameraId, detectionsPerSecond: 0, framesPerSecond: 5, backend: 'wasm', ...detector }), now);
}

beforeAll(async () => {
  const uiDir = await buildUi();
  stack = await startStack({ uiDir });
  browser = await launchBrowser();
  const pool = stack.db.pool;
  cams.main = stack.cameraId;
  await pool.query('UPDATE cameras SET lat = 21.0245, lng = 105.8412 WHERE id = $1', [cams.main]);
  cams.stalled = await createCamera(pool, { agencyId: stack.agencyId, name: 'CAM Tràng Tiền', address: 'Tràng Tiền, Hoàn Kiếm', lat: 21.0250, lng: 105.8560 });
  cams.broken = await createCamera(pool, { agencyId: stack.agencyId, name: 'CAM Kim Mã', address: 'Kim Mã, Ba Đình', lat: 21.0315, lng: 105.8190 });
  await stack.addCase({ plate: '29-B1 123.45' });
  await stack.addCase({ plate: '30A-999.99', vehicleClass: 'car', type: 'wrong_lane', ruleDetail: { rule: 'laneClassRule', summary: 'car in lane lane-1, which allows motorbike', stopLineId: undefined, secondsAfterRed: undefined } });
  await stack.addCase({ plate: '29-B1 123.45', type: 'wrong_way', ruleDetail: { rule: 'wrongWayRule', summary: 'Drove 113 px against the direction of lane lane-1', distancePx: 113, stopLineId: undefined, secondsAfterRed: undefined } });
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
    await expect(page.getByTestId('camera-map').locator('[data-state]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')).sort()))
      .resolves.toEqual(['not_detecting', 'online', 'reconnecting']);
    // ageing against the 10-day notice deadline: three open cases with more than 3 days left
    await expect(page.getByTestId('age-notice').locator('td').last().innerText()).resolves.toBe('3');
    // latest violations with their scene still; one that arrives while the wall is open appears, marked new
    const recent = page.locator('.wall-recent li');
    await expect(recent.count()).resolves.toBe(3);
    await expect.poll(() => recent.first().locator('img').evaluate((e) => (e as HTMLImageElement).naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
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
