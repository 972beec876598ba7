// Browser tests: Debian Chromium (playwright-core) against the REAL api (buildApp) with a fresh
// PostgreSQL database, a real S3 endpoint and the UI built by Vite. Each test saves a screenshot
// under review-ui/test-output/.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildUi, launchBrowser, loginAs, screenshot, startStack, USERS, type Stack } from './harness';

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(viewport = { width: 1366, height: 768 }): Promise<Page> {
  const ctx = await browser.newContext({ viewport, acceptDownloads: true, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

async function caseRow(id: string) {
  const { rows } = await stack.db.pool.query<{ status: string; plate_text: string | null; claimed_by: string | null; rejected_reason: string | null }>(
    'SELECT status, plate_text, claimed_by, rejected_reason FROM cases WHERE id = $1',
    [id],
  );
  return rows[0]!;
}

/** Drives the api as a user would over HTTP (for the steps a test is not about). */
async function apiAs(who: keyof typeof USERS) {
  const res = await fetch(`${stack.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: USERS[who].username, password: 'correct-horse-battery' }),
  });
  expect(res.status).toBe(200);
  const token = /pn_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))?.[1] ?? '';
  return async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<unknown>;
  };
}

beforeAll(async () => {
  const uiDir = await buildUi();
  stack = await startStack({ uiDir });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

describe('review UI against the real api', () => {
  it('logs in each role to its home, refuses pages the role may not use, and logs out', async () => {
    const homes = { officer: '/officer', supervisor: '/supervisor', operator: '/ops', admin: '/admin/cameras' } as const;
    const forbidden = { officer: '/supervisor', supervisor: '/admin/cameras', operator: '/officer', admin: '/officer' } as const;
    for (const who of ['officer', 'supervisor', 'operator', 'admin'] as const) {
      const page = await newPage();
      await loginAs(page, stack.baseUrl, who);
      await page.waitForURL((u) => u.pathname === homes[who]);
      await expect(page.getByTestId('who').innerText()).resolves.toContain(USERS[who].displayName);
      await screenshot(page, `login-${who}`);
      await page.goto(`${stack.baseUrl}${forbidden[who]}`);
      await page.getByRole('heading', { name: 'Không có quyền truy cập' }).waitFor();
      await page.getByRole('button', { name: 'Đăng xuất' }).click();
      await page.waitForURL(/\/login/);
      await page.goto(`${stack.baseUrl}${homes[who]}`);
      await page.waitForURL(/\/login\?next=/);
    }
    // Vietnamese by default; the English switch changes every string and survives a reload
    const en = await newPage();
    await loginAs(en, stack.baseUrl, 'officer');
    await en.getByRole('link', { name: 'Hàng đợi xử lý' }).first().waitFor();
    await en.getByRole('button', { name: 'Switch to English' }).click();
    await en.getByRole('heading', { name: 'Review queue' }).waitFor();
    await en.reload();
    await en.getByRole('link', { name: 'Review queue' }).waitFor();
    expect(await en.evaluate(() => document.documentElement.lang)).toBe('en');
    await en
      .getByTestId('queue-total')
      .filter({ hasText: /cases$/ })
      .waitFor();
    await screenshot(en, 'queue-english');
    await en.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    await en.getByRole('heading', { name: 'Hàng đợi xử lý' }).waitFor();

    // a wrong password is refused with a message, not a session
    const page = await newPage();
    await page.goto(`${stack.baseUrl}/login`);
    await page.getByLabel('Tên đăng nhập').fill(USERS.officer.username);
    await page.getByLabel('Mật khẩu').fill('wrong-password-123');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sai tên đăng nhập hoặc mật khẩu' }).waitFor();
    expect(page.url()).toMatch(/\/login$/);
  }, 240_000);

  it('officer confirms one case with a corrected plate and rejects another, keyboard only', async () => {
    const first = await stack.addCase({ plate: '29-B1 123.46', occurredAt: new Date(Date.now() - 3_600_000) });
    const second = await stack.addCase({ plate: '29-B1 123.47', occurredAt: new Date(Date.now() - 1_800_000) });
    const page = await newPage();
    await loginAs(page, stack.baseUrl, 'officer');
    // the queue lists both, oldest deadline first, with deadline badges; open the first with the keyboard
    const link = page.locator(`tr[data-case-id="${first}"] a`);
    await link.waitFor();
    await expect(page.locator(`tr[data-case-id="${second}"] [data-deadline]`).innerText()).resolves.toMatch(/Còn \d+ ngày/);
    await screenshot(page, 'officer-queue');
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/officer/cases/${first}$`));
    await page.getByTestId('claim').filter({ hasText: 'Bạn đang giữ hồ sơ này' }).waitFor();
    expect((await caseRow(first)).claimed_by).not.toBeNull();
    await page.locator('[data-evidence-ready="true"]').waitFor();
    // frame stepping with the keyboard moves the clip by one frame
    await page.locator('body').press('.');
    await page
      .getByTestId('clip-frame')
      .filter({ hasText: /Khung 2\// })
      .waitFor();
    // P focuses the plate field; type the corrected plate; Escape leaves the field; C confirms
    await page.keyboard.press('p');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('plate-input');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('29-B1 123.45');
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    await page.getByRole('status').filter({ hasText: 'Đã xác nhận hồ sơ' }).waitFor();
    await screenshot(page, 'officer-confirmed');
    const confirmed = await caseRow(first);
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.plate_text).toBe('29-B1 123.45');
    // N goes to the next case in the queue; R opens the reject dialog; 3 picks a reason; Enter submits
    await page.keyboard.press('n');
    await page.waitForURL(new RegExp(`/officer/cases/${second}$`));
    await page.getByTestId('claim').filter({ hasText: 'Bạn đang giữ hồ sơ này' }).waitFor();
    await page.keyboard.press('r');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('3');
    await screenshot(page, 'officer-reject-dialog');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Đã loại hồ sơ' }).waitFor();
    const rejected = await caseRow(second);
    expect(rejected.status).toBe('rejected');
    expect(rejected.rejected_reason).toBe('plate_unreadable');
    await screenshot(page, 'officer-rejected');
  }, 240_000);

  it("offers the detector's uncertain plate read as a suggestion that the officer takes with one click, never stored on its own", async () => {
    const id = await stack.addCase({ plate: null, plateSuggestion: '29-B1 246.81', confidence: 0.42 });
    expect((await caseRow(id)).plate_text).toBeNull();
    const page = await newPage();
    await loginAs(page, stack.baseUrl, 'officer');
    await page.goto(`${stack.baseUrl}/officer/cases/${id}`);
    await page.getByTestId('claim').filter({ hasText: 'Bạn đang giữ hồ sơ này' }).waitFor();
    const suggestion = page.getByTestId('plate-suggestion');
    await expect(suggestion.innerText()).resolves.toContain('Gợi ý của hệ thống (chưa chắc chắn): 29-B1 246.81');
    await expect(page.locator('#plate-input').inputValue()).resolves.toBe('');
    await suggestion.getByRole('button', { name: 'Dùng gợi ý' }).click();
    await expect(page.locator('#plate-input').inputValue()).resolves.toBe('29-B1 246.81');
    await page.getByTestId('plate-check').filter({ hasText: 'Sẽ lưu: 29-B1 246.81' }).waitFor();
    await expect(suggestion.count()).resolves.toBe(0);
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    await page.getByRole('status').filter({ hasText: 'Đã xác nhận hồ sơ' }).waitFor();
    expect((await caseRow(id)).plate_text).toBe('29-B1 246.81');
  }, 120_000);

  it('releases the claim when the officer leaves a case, so another officer can take it', async () => {
    const id = await stack.addCase({ plate: '29-B1 555.55' });
    const page = await newPage();
    await loginAs(page, stack.baseUrl, 'officer');
    await page.goto(`${stack.baseUrl}/officer/cases/${id}`);
    await page.getByTestId('claim').filter({ hasText: 'Bạn đang giữ hồ sơ này' }).waitFor();
    const other = await newPage();
    await loginAs(other, stack.baseUrl, 'officer2');
    await other.goto(`${stack.baseUrl}/officer/cases/${id}`);
    await other
      .getByTestId('claim')
      .filter({ hasText: `cán bộ khác (${USERS.officer.username})` })
      .waitFor();
    await expect(other.getByRole('button', { name: /Xác nhận vi phạm/ }).isDisabled()).resolves.toBe(true);
    await screenshot(other, 'claim-held-by-other');
    await page.getByRole('button', { name: 'Trả hồ sơ về hàng đợi' }).click();
    await page.waitForURL(/\/officer$/);
    await expect.poll(async () => (await caseRow(id)).claimed_by, { timeout: 20_000 }).toBeNull();
    await other.reload();
    await other.getByTestId('claim').filter({ hasText: 'Bạn đang giữ hồ sơ này' }).waitFor();
  }, 240_000);

  it('supervisor approves a confirmed case, issues the notice and downloads the PDF', async () => {
    const id = await stack.addCase({ plate: '29-B1 123.45' });
    const officer = await apiAs('officer');
    await officer('POST', `/api/cases/${id}/claim`, {});
    await officer('POST', `/api/cases/${id}/confirm`, {});
    const page = await newPage();
    await loginAs(page, stack.baseUrl, 'supervisor');
    await page.goto(`${stack.baseUrl}/supervisor/approvals`);
    await page.locator(`button[data-case-id="${id}"]`).click();
    await page.getByRole('button', { name: 'Phê duyệt', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Đã phê duyệt' }).waitFor();
    expect((await caseRow(id)).status).toBe('approved');
    await page.getByRole('link', { name: 'Phát hành thông báo' }).click();
    await page.locator(`button[data-case-id="${id}"]`).click();
    // issuing is confirmed on the preview: the button stays disabled until the supervisor ticks that it was checked
    await page.getByRole('button', { name: 'Xem trước và phát hành…' }).click();
    await expect(page.getByTestId('notice-issue').isDisabled()).resolves.toBe(true);
    await page.getByTestId('notice-checked').check();
    await page.getByTestId('notice-issue').click();
    await page
      .getByRole('status')
      .filter({ hasText: /Đã phát hành thông báo số/ })
      .waitFor();
    expect((await caseRow(id)).status).toBe('notified');
    await screenshot(page, 'supervisor-notice-issued');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('notice-download').click()]);
    const file = await download.path();
    const pdf = readFileSync(file);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
  }, 240_000);

  it('evidence replaced in storage is flagged on the case page and in the queues, with the file and both hashes, and blocks the decision', async () => {
    const detected = await stack.addCase({ plate: '29-B1 777.71' });
    const confirmed = await stack.addCase({ plate: '29-B1 123.45' });
    const officer = await apiAs('officer');
    await officer('POST', `/api/cases/${confirmed}/claim`, {});
    await officer('POST', `/api/cases/${confirmed}/confirm`, {});
    // Someone with storage access swaps the "after" photo of each case for its "before" photo.
    const swap = async (caseId: string) => {
      const { rows } = await stack.db.pool.query<{ kind: string; key: string; sha256: string }>(
        "SELECT kind, key, sha256 FROM case_evidence WHERE case_id = $1 AND kind IN ('scene_before', 'scene_after')",
        [caseId],
      );
      const after = rows.find((r) => r.kind === 'scene_after')!;
      const before = rows.find((r) => r.kind === 'scene_before')!;
      await stack.storage.put('evidence', after.key, await stack.storage.get('evidence', before.key), 'image/jpeg');
      return { expected: after.sha256.slice(0, 12), found: before.sha256.slice(0, 12) };
    };
    const d = await swap(detected);
    const c = await swap(confirmed);

    const page = await newPage();
    await loginAs(page, stack.baseUrl, 'officer');
    await page.goto(`${stack.baseUrl}/officer/cases/${detected}`);
    const alert = page.getByTestId('evidence-tampered');
    await alert.waitFor();
    const said = await alert.innerText();
    expect(said).toContain('Chứng cứ không khớp mã băm đã ghi nhận khi thu thập');
    expect(said).toContain(`(tệp scene_after.jpg): mã băm ghi nhận ${d.expected}…, tệp đang lưu có mã băm ${d.found}…`);
    expect(said).toMatch(/Việc cần làm: .*quản trị viên hệ thống/);
    await page.getByTestId('claim').filter({ hasText: 'Bạn đang giữ hồ sơ này' }).waitFor();
    await expect(page.getByRole('button', { name: /Xác nhận vi phạm/ }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'officer-evidence-tampered');
    // Back in the queue, the case carries the badge (from that check); an untouched case does not.
    await page.getByRole('button', { name: 'Trả hồ sơ về hàng đợi' }).click();
    await page.waitForURL(/\/officer$/);
    await page.locator(`tr[data-case-id="${detected}"] [data-testid="tampered-badge"]`).filter({ hasText: 'Chứng cứ bị thay đổi' }).waitFor();
    expect(await page.locator('[data-testid="tampered-badge"]').count()).toBe(1);

    // The supervisor: the confirmed case shows what was found, cannot be approved, and is badged in the list.
    const sup = await newPage();
    await loginAs(sup, stack.baseUrl, 'supervisor');
    await sup.goto(`${stack.baseUrl}/supervisor/approvals`);
    await sup.locator(`button[data-case-id="${confirmed}"]`).click();
    await sup
      .getByTestId('evidence-tampered')
      .filter({ hasText: `mã băm ghi nhận ${c.expected}…, tệp đang lưu có mã băm ${c.found}…` })
      .waitFor();
    // the owner is known and another officer confirmed: only the evidence keeps it from approval
    await expect(sup.getByRole('button', { name: 'Phê duyệt', exact: true }).isDisabled()).resolves.toBe(true);
    expect(await sup.getByTestId('approve-blocked').count()).toBe(0);
    await sup.reload();
    await sup.locator(`button[data-case-id="${confirmed}"] [data-testid="tampered-badge"]`).waitFor();
    await sup.getByRole('button', { name: 'Switch to English' }).click();
    await sup
      .getByTestId('evidence-tampered')
      .filter({ hasText: `recorded hash ${c.expected}…, the stored file hashes ${c.found}…` })
      .waitFor();
    await sup.locator(`button[data-case-id="${confirmed}"] [data-testid="tampered-badge"]`).filter({ hasText: 'Evidence altered' }).waitFor();
    await screenshot(sup, 'supervisor-evidence-tampered');
  }, 240_000);

  it('citizen lookup on a phone finds the plate asked for and not another plate, and the QR page shows the evidence', async () => {
    const mine = await stack.addCase({ plate: '29-B1 123.45' });
    const other = await stack.addCase({ plate: '30A-999.99', vehicleClass: 'car' });
    const officer = await apiAs('officer');
    const supervisor = await apiAs('supervisor');
    for (const id of [mine, other]) {
      await officer('POST', `/api/cases/${id}/claim`, {});
      await officer('POST', `/api/cases/${id}/confirm`, {});
      await supervisor('POST', `/api/cases/${id}/approve`, {});
    }
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${stack.baseUrl}/tra-cuu`);
    // a plate that is not a plate: the server refuses it and the field says so in Vietnamese
    await page.getByLabel('Biển số xe').fill('12345');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await page.getByText('“12345” không phải biển số hợp lệ').waitFor();
    await expect(page.getByLabel('Biển số xe').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByLabel('Biển số xe').fill('29-b1 123.45');
    await page.getByLabel('Xe máy').check();
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await page.getByRole('heading', { name: /Kết quả tra cứu cho 29-B1 123.45/ }).waitFor();
    const cards = page.locator('article.violation-card');
    await expect.poll(() => cards.count()).toBeGreaterThan(0);
    const plates = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-plate')));
    expect(new Set(plates)).toEqual(new Set(['29-B1 123.45']));
    expect(await page.locator('main').innerText()).not.toContain('30A-999.99');
    // no owner identity on the public page
    expect(await page.locator('main').innerText()).not.toContain('Đỗ Thị Hoa');
    await screenshot(page, 'citizen-lookup-phone');
    // the other plate, looked up as a car, finds only its own case
    await page.getByLabel('Biển số xe').fill('30A-999.99');
    await page.getByLabel('Ô tô').check();
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await page.getByRole('heading', { name: /Kết quả tra cứu cho 30A-999.99/ }).waitFor();
    expect(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-plate')))).toEqual(['30A-999.99']);
    // the page a notice's QR code opens
    const { rows } = await stack.db.pool.query<{ public_token: string }>('SELECT public_token FROM cases WHERE id = $1', [mine]);
    await page.goto(`${stack.baseUrl}/tra-cuu/${rows[0]!.public_token}`);
    await page.getByRole('heading', { name: 'Hình ảnh, video chứng cứ' }).waitFor();
    const img = page.locator('.public-evidence img').first();
    await img.waitFor();
    await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await page.locator('article.violation-card').getAttribute('data-plate')).toBe('29-B1 123.45');
    await screenshot(page, 'citizen-case-from-qr');
  }, 240_000);

  it('operations wall updates its backlog tile over SSE when a new case arrives, without a reload', async () => {
    const page = await newPage({ width: 1920, height: 1080 });
    await loginAs(page, stack.baseUrl, 'operator');
    await page.waitForURL((u) => u.pathname === '/ops');
    const tile = page.getByTestId('tile-backlog').locator('.tile-value');
    await tile.waitFor();
    const before = Number((await tile.innerText()).replace(/\D/g, ''));
    await page.evaluate(() => ((window as unknown as { __wallMarker: number }).__wallMarker = 42));
    await stack.addCase({ plate: '29-B1 777.77' });
    await stack.addCase({ plate: '29-B1 777.78' });
    await expect.poll(async () => Number((await tile.innerText()).replace(/\D/g, '')), { timeout: 30_000, interval: 500 }).toBe(before + 2);
    // same document: the marker set before the case arrived is still there
    await expect(page.evaluate(() => (window as unknown as { __wallMarker?: number }).__wallMarker)).resolves.toBe(42);
    await page.getByTestId('live-state').filter({ hasText: 'Trực tiếp' }).waitFor();
    await screenshot(page, 'ops-wall');
  }, 240_000);

  it('admin edits camera geometry on the snapshot, saves it, sees it after a reload, and sees server errors on the field', async () => {
    // the editor draws over the camera's snapshot (here: the scene_before still of its latest case)
    await stack.addCase({ plate: '29-B1 888.88' });
    const page = await newPage();
    await loginAs(page, stack.baseUrl, 'admin');
    await page.waitForURL((u) => u.pathname === '/admin/cameras');
    await page.locator(`a[href="/admin/cameras/${stack.cameraId}"]`).click();
    await page.getByTestId('geo-svg').waitFor();
    const snapshotWidth = await page.evaluate(async (id) => {
      const img = new Image();
      img.src = `/api/cameras/${id}/snapshot?v=latest`;
      await img.decode();
      return img.naturalWidth;
    }, stack.cameraId);
    expect(snapshotWidth).toBe(640);
    await expect(page.getByTestId('geo-svg').locator('image').count()).resolves.toBe(1);
    // select the lane, forbid cars, move its first vertex 20 px up with the keyboard
    await page.getByRole('button', { name: /^Làn đường: lane-1/ }).click();
    await page.getByRole('group', { name: 'Phương tiện được phép' }).getByLabel('Ô tô').uncheck();
    const vertex = page.getByRole('button', { name: 'Đỉnh 1', exact: true });
    await vertex.focus();
    await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('Shift+ArrowUp');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Đã lưu' }).waitFor();
    const stored = await stack.db.pool.query<{ geometry: { lanes: { allowedClasses: string[]; polygon: number[][] }[] } }>(
      'SELECT geometry FROM cameras WHERE id = $1',
      [stack.cameraId],
    );
    expect(stored.rows[0]!.geometry.lanes[0]!.allowedClasses).toEqual(['motorbike']);
    expect(stored.rows[0]!.geometry.lanes[0]!.polygon[0]).toEqual([120, 335]);
    // the detector's saved state with its lamp readings (the lamp tool below shows them)
    const t0 = Date.now() / 1000 - 10;
    const reading = (lampId: string, brightness: number, lit: boolean, litLevel: number | null) => ({
      lampId,
      brightness,
      hueMatch: lit ? 0.9 : 0,
      rgb: [brightness, 40, 30],
      lit,
      unlitLevel: 80,
      litLevel,
      threshold: litLevel === null ? 110 : 160,
    });
    const frames = Array.from({ length: 6 }, (_, k) => ({
      t: t0 + k * 0.2,
      readings: [reading('red', k < 2 ? 82 : 240, k >= 2, 240), reading('yellow', 86, false, 101), reading('green', 84, false, null)],
      round: k < 2 ? 'unknown' : 'red',
      arrowsLit: [],
    }));
    const levels = { red: { unlit: 80, lit: 240 }, yellow: { unlit: 84, lit: 101 }, green: { unlit: 84, lit: null } };
    await stack.db.pool.query(
      `INSERT INTO detector_progress (camera_id, stream_id, seq, state) VALUES ($1, '1-0', 6, $2)
       ON CONFLICT (camera_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
      [stack.cameraId, JSON.stringify({ version: 1, lampFrames: { 'head-1': frames }, lampLevels: { 'head-1': levels } })],
    );
    // reload: the editor shows what the server stored
    await page.reload();
    await page.getByTestId('geo-svg').waitFor();
    await page.getByRole('button', { name: /^Làn đường: lane-1/ }).click();
    await expect(page.getByRole('group', { name: 'Phương tiện được phép' }).getByLabel('Ô tô').isChecked()).resolves.toBe(false);
    await expect(page.getByRole('button', { name: 'Đỉnh 1', exact: true }).getAttribute('cy')).resolves.toBe('335');
    await screenshot(page, 'geometry-saved');
    // a lane with a stop line but no signal head: the server refuses, the error sits on that field
    await page.getByLabel('Cột đèn điều khiển làn').selectOption('');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    const field = page.locator('[data-path="$.lanes[0].signalHeadId"]');
    await field.locator('.field-error').waitFor();
    await expect(page.getByLabel('Cột đèn điều khiển làn').getAttribute('aria-invalid')).resolves.toBe('true');
    await screenshot(page, 'geometry-server-error');
    const after = await stack.db.pool.query<{ geometry: { lanes: { signalHeadId?: string }[] } }>('SELECT geometry FROM cameras WHERE id = $1', [
      stack.cameraId,
    ]);
    expect(after.rows[0]!.geometry.lanes[0]!.signalHeadId).toBe('head-1');
    // the lamp tool: what the detector's lamp reader saw in each lamp region, beside the region
    await page.getByTestId('lamps-status').filter({ hasText: 'Số đọc của bộ phát hiện lúc' }).waitFor();
    await page.getByRole('button', { name: /^Cột đèn: head-1/ }).click();
    const red = page.locator('[data-lamp-readings="red"]');
    await expect(red.getByTestId('lamp-levels-red').innerText()).resolves.toBe('Độ sáng đã học: khi tắt 80, khi sáng 240');
    await expect(red.getByTestId('lamp-lit-red').innerText()).resolves.toBe('Sáng trong 4/6 khung hình gần nhất');
    await expect(red.getByTestId('lamp-verdict-red').innerText()).resolves.toContain('vùng nằm trên đèn');
    // a region whose lit and unlit readings barely differ, and one never seen lit, are called out
    await expect(page.getByTestId('lamp-verdict-yellow').innerText()).resolves.toContain('kiểm tra xem vùng có nằm đúng trên đèn không');
    await expect(page.getByTestId('lamp-verdict-green').innerText()).resolves.toContain('Chưa thấy đèn này sáng');
    // on the canvas, beside each region: one bar per reading, the lit ones marked
    const bars = page.getByTestId('geo-svg').locator('[data-lamp-bars="red"] rect[data-lit]');
    await expect(bars.count()).resolves.toBe(6);
    await expect(page.getByTestId('geo-svg').locator('[data-lamp-bars="red"] rect[data-lit="true"]').count()).resolves.toBe(4);
    await screenshot(page, 'geometry-lamp-tool');
    // in English too
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await expect(page.getByTestId('lamp-levels-red').innerText()).resolves.toBe('Learned brightness: unlit 80, lit 240');
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
  }, 240_000);

  it('operations wall and camera grid show a camera online at ingest that no detector reports on as a fault, with why', async () => {
    // Ingest has the camera online (its stored status), and no detector reports on it: "online but not detecting".
    await stack.db.pool.query(
      `INSERT INTO camera_status (camera_id, state, fps, frames_total, frames_dropped, restarts, holder, node, updated_at)
       VALUES ($1, 'online', 5, 100, 0, 0, 'ingest-ui', 'node-ui', now())
       ON CONFLICT (camera_id) DO UPDATE SET state = 'online', fps = 5, last_error = NULL, updated_at = now()`,
      [stack.cameraId],
    );
    try {
      const page = await newPage({ width: 1920, height: 1080 });
      await loginAs(page, stack.baseUrl, 'operator');
      await page.waitForURL((u) => u.pathname === '/ops');
      const tile = page.getByTestId('tile-detection');
      // Within 30 s: the board waits 15 s for a first detector report, the wall refreshes every 5 s.
      await expect.poll(() => tile.getAttribute('data-state'), { timeout: 30_000, interval: 500 }).toBe('bad');
      expect(await tile.innerText()).toContain('Trực tuyến nhưng không phát hiện');
      expect(await tile.innerText()).toContain('không có bộ phát hiện nào báo cáo về camera này');
      await screenshot(page, 'ops-wall-not-detecting');
      await page.goto(`${stack.baseUrl}/ops/cameras`);
      const item = page.locator(`li[data-camera-id="${stack.cameraId}"]`);
      await expect.poll(() => item.getAttribute('data-detection'), { timeout: 30_000, interval: 500 }).toBe('no_report');
      expect(await item.getAttribute('class')).toBe('cam-fault');
      expect(await item.getByTestId('detection-fault').innerText()).toContain('Lý do: không có bộ phát hiện nào báo cáo về camera này');
      await screenshot(page, 'camera-grid-not-detecting');
    } finally {
      await stack.db.pool.query('DELETE FROM camera_status WHERE camera_id = $1', [stack.cameraId]);
    }
  }, 240_000);
});
