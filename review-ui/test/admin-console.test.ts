// The administrator console in Chromium at 1920×1080 against the REAL api (buildApp), PostgreSQL, S3, the
// api's registry-import worker on Redis/BullMQ, ffmpeg and a real RTSP camera (GStreamer). One browser session
// walks the console as an administrator would; screenshots go to a temp folder.
import { openCameraPassword } from '@phatnguoi/core/camera-secrets';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestCamera, type TestCamera } from '@phatnguoi/ingest/test-camera';
import { createQueues, startWorkers, type Queues, type Workers } from '@phatnguoi/core/queue';
import { testConfig } from '@phatnguoi/core/testing/index';
import { API_QUEUES, apiJobHandlers } from '@phatnguoi/api/jobs/handlers';
import { buildUi, launchBrowser, loginAs, startStack, USERS, type Stack } from './harness';

let stack: Stack;
let browser: Browser;
let rtsp: TestCamera;
let page: Page;
let queues: Queues;
let workers: Workers;
const shots = mkdtempSync(join(tmpdir(), 'phatnguoi-admin-console-'));
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  const [uiDir, cam] = await Promise.all([
    buildUi(),
    startTestCamera({ pattern: true, width: 320, height: 180, fps: 5, user: 'viewer', password: 'mat-khau-camera' }),
  ]);
  rtsp = cam;
  const config = testConfig();
  queues = createQueues(config);
  stack = await startStack({ uiDir, queues });
  // the api's workers, as `api/src/worker.ts` runs them: registry imports are background jobs
  workers = await startWorkers(config, apiJobHandlers({ ...stack.deps, queues }), { queues: API_QUEUES });
  browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  await loginAs(page, stack.baseUrl, 'admin');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await workers?.close();
  await queues?.obliterateAll();
  await queues?.close();
  await stack?.close();
  await rtsp?.stop();
});

describe('administrator console (1920×1080, Vietnamese)', () => {
  it('adds a camera: field errors, stream test with its picture, save; the password never reaches the page', async () => {
    await page.goto(`${stack.baseUrl}/admin/cameras`);
    await page.getByRole('link', { name: 'Thêm camera' }).click();
    await page.getByRole('heading', { name: 'Thêm camera mới' }).waitFor();
    // nothing filled in: each field says what is wrong, in Vietnamese
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByText('Nhập tên camera (1–200 ký tự).').waitFor();
    await page.getByText('Chọn đơn vị quản lý camera.').waitFor();
    await page.getByText('Nhập địa chỉ rtsp:// hoặc rtsps:// có tên máy chủ.').waitFor();
    expect(await page.getByLabel('Tên', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Tên', { exact: true }).fill('Ngã tư Trần Hưng Đạo – Lê Duẩn');
    await page.getByLabel('Đơn vị quản lý').selectOption({ label: 'Phòng CSGT Hà Nội' });
    await page.getByLabel('Địa điểm lắp đặt').fill('Hoàn Kiếm, Hà Nội');
    await page.getByLabel('Địa chỉ luồng RTSP').fill(rtsp.publicUrl);
    await page.getByLabel('Tên đăng nhập camera').fill('viewer');
    await page.getByLabel('Mật khẩu camera').fill('sai-mat-khau');
    await page.getByRole('button', { name: 'Kiểm tra luồng' }).click();
    await expect(page.getByTestId('stream-failed').innerText()).resolves.toContain('camera từ chối tên đăng nhập hoặc mật khẩu');
    await page.getByLabel('Mật khẩu camera').fill('mat-khau-camera');
    await page.getByRole('button', { name: 'Kiểm tra luồng' }).click();
    await expect(page.getByTestId('stream-ok').innerText()).resolves.toContain('320×180');
    const size = await page.getByTestId('stream-snapshot').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(size).toEqual([320, 180]);
    await page.getByLabel('Tần suất lấy mẫu (khung hình/giây)').fill('2,5');
    await page.getByLabel('Vĩ độ').fill('21,0245');
    await page.getByLabel('Kinh độ').fill('200');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByText('Kinh độ là số từ -180 đến 180; nhập cả vĩ độ và kinh độ hoặc bỏ trống cả hai.').waitFor();
    await expect(page.getByTestId('camera-map').count()).resolves.toBe(0); // longitude 200 is no place: no preview
    await page.getByLabel('Kinh độ').fill('105,8412');
    // the typed place is previewed among the other cameras, named as typed
    await expect(page.getByTestId('camera-map').locator('[data-camera-id="new"] text').textContent()).resolves.toBe('Ngã tư Trần Hưng Đạo – Lê Duẩn');
    await shot('camera-form-tested');
    await page.getByRole('button', { name: 'Lưu' }).click();

    await page.waitForURL((u) => u.pathname === '/admin/cameras');
    const row = page.locator('tr[data-camera="Ngã tư Trần Hưng Đạo – Lê Duẩn"]');
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain(rtsp.publicUrl);
    await expect(row.innerText()).resolves.toContain('21,02450, 105,84120');
    expect(await page.content()).not.toContain('mat-khau-camera');
    const { rows } = await stack.db.pool.query<{ id: string; stream_username: string; stream_password: string | null; sealed: Buffer; sample_fps: number }>(
      "SELECT id, stream_username, stream_password, stream_password_sealed AS sealed, sample_fps FROM cameras WHERE name = 'Ngã tư Trần Hưng Đạo – Lê Duẩn'",
    );
    // the password is stored sealed (AES-256-GCM under CAMERA_SECRET_KEY), and opens to what was typed
    expect(rows[0]).toMatchObject({ stream_username: 'viewer', stream_password: null, sample_fps: 2.5 });
    expect(rows[0]!.sealed.includes(Buffer.from('mat-khau-camera'))).toBe(false);
    expect(openCameraPassword(stack.app.opts.cameraSecretKey, rows[0]!.id, rows[0]!.sealed)).toBe('mat-khau-camera');
    // the map above the list places it by its coordinates, named, in its state's colour
    const point = page.getByTestId('camera-map').locator(`[data-camera-id="${rows[0]!.id}"]`);
    await expect(point.locator('text').textContent()).resolves.toBe('Ngã tư Trần Hưng Đạo – Lê Duẩn');
    await shot('camera-list');
    // disable from the list (the map shows it stopped), then open its geometry editor from the same row
    await row.getByRole('button', { name: 'Tắt' }).click();
    await row.getByRole('button', { name: 'Bật' }).waitFor();
    await page.locator(`[data-camera-id="${rows[0]!.id}"][data-state="stopped"]`).waitFor();
    await row.getByRole('link', { name: 'Hình học (vạch dừng, làn, đèn)' }).click();
    await page.waitForURL((u) => u.pathname === `/admin/cameras/${rows[0]!.id}`);
  }, 60_000);

  it('creates a user, who can sign in; deactivating them ends their session at once', async () => {
    await page.goto(`${stack.baseUrl}/admin/cameras`);
    await page.getByRole('link', { name: 'Người dùng' }).click();
    await page.getByRole('heading', { name: 'Người dùng', exact: true }).waitFor();
    // an officer needs an agency: said on the field
    await page.getByLabel('Tên đăng nhập', { exact: true }).fill('canbo.moi');
    await page.getByLabel('Họ và tên').fill('Đặng Thị Mới');
    await page.getByLabel('Mật khẩu (ít nhất 10 ký tự)').fill('mat-khau-dai-du');
    await page.getByLabel('Vai trò').selectOption({ label: 'Cán bộ xử lý' });
    await page.getByRole('button', { name: 'Thêm người dùng' }).click();
    await page.getByText('Chọn đơn vị: cán bộ và chỉ huy phải thuộc một đơn vị.').waitFor();
    await page.getByLabel('Đơn vị', { exact: true }).selectOption({ label: 'Phòng CSGT Hà Nội' });
    await page.getByRole('button', { name: 'Thêm người dùng' }).click();
    await page.getByText('Đã tạo tài khoản canbo.moi.').waitFor();
    const row = page.locator('tr[data-user="canbo.moi"]');
    await expect(row.innerText()).resolves.toContain('Phòng CSGT Hà Nội');

    // the new officer signs in (another browser context), then is deactivated by the admin
    const other = await (await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'vi-VN' })).newPage();
    await other.goto(`${stack.baseUrl}/login`);
    await other.getByLabel('Tên đăng nhập').fill('canbo.moi');
    await other.getByLabel('Mật khẩu').fill('mat-khau-dai-du');
    await other.getByRole('button', { name: 'Đăng nhập' }).click();
    await other.getByTestId('who').waitFor();
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Khoá tài khoản' }).click();
    await page.getByText('Đã khoá tài khoản canbo.moi; 1 phiên đăng nhập đã kết thúc.').waitFor();
    await row.getByText('Đã khoá', { exact: true }).waitFor(); // the list reloads after the change
    await shot('users');
    // the officer's next request is refused: back to the login page
    await other.goto(`${stack.baseUrl}/officer`);
    await other.waitForURL(/\/login/);
    await other.context().close();
    const audit = (await stack.db.pool.query<{ action: string; actor: string }>("SELECT action, actor FROM audit_log WHERE action LIKE 'user.%' ORDER BY seq"))
      .rows;
    expect(audit).toEqual([
      { action: 'user.created', actor: USERS.admin.username },
      { action: 'user.deactivated', actor: USERS.admin.username },
    ]);
  }, 60_000);

  it('imports a registry CSV as a background job and shows its progress and report', async () => {
    await page.getByRole('link', { name: 'Nhập dữ liệu đăng ký xe' }).click(); // from the users page's console menu
    await page.getByRole('heading', { name: 'Nhập dữ liệu đăng ký xe (CSV)' }).waitFor();
    const csv = [
      'plate,plate_colour,vehicle_type,brand,colour,owner_name,owner_id_number,address,province_code,commune,email,phone',
      '29A-456.78,white,car,Toyota,trắng,Ngô Văn Nhập,001199000111,"5 Tràng Tiền, Hoàn Kiếm",29,Tràng Tiền,nhap@example.vn,0911000111',
      '29A-45X.78,white,car,Kia,đen,Ngô Văn Sai,001199000112,Hà Nội,29,,,',
      '29-B1 333.44,white,motorbike,Honda,đỏ,Lý Thị Xe,001199000113,Hà Nội,29,,,',
    ].join('\n');
    await page.getByLabel('Tệp CSV').setInputFiles({ name: 'dang-ky-xe.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Tải lên và nhập' }).click();
    await page.getByTestId('import-current').waitFor();
    await expect(page.getByTestId('import-report').innerText()).resolves.toBe('Kết quả: 2 dòng được nhập, 1 dòng bị từ chối.');
    await expect(page.getByTestId('import-current').innerText()).resolves.toMatch(/Đã đọc [\d.]+ \/ [\d.]+ byte, 3 dòng/);
    expect(await page.locator('progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(100);
    await expect(page.getByRole('row', { name: '3 Biển số không hợp lệ: "29A-45X.78"' }).count()).resolves.toBe(1);
    await shot('registry-import');
    const owner = (
      await stack.db.pool.query<{ full_name: string }>(
        "SELECT o.full_name FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id WHERE v.plate = '29A-456.78'",
      )
    ).rows[0];
    expect(owner?.full_name).toBe('Ngô Văn Nhập');
  }, 60_000);

  it("changes an agency's jurisdiction, reads the fine versions, creates and revokes a worker token", async () => {
    await page.getByRole('link', { name: 'Đơn vị và địa bàn' }).click();
    const agency = page.locator('tr[data-agency="PC08-HN"]');
    await agency.getByRole('button', { name: 'Sửa' }).click();
    await page.getByLabel('Xã, phường (địa bàn)').fill('Phường Hoàn Kiếm');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByText('Đã cập nhật đơn vị Phòng CSGT Hà Nội.').waitFor();
    await agency.getByText('Phường Hoàn Kiếm, 29').waitFor(); // the list reloads after the save

    await page.getByRole('link', { name: 'Mức phạt' }).click();
    await page.getByRole('heading', { name: 'Khung tiền phạt theo phiên bản' }).waitFor();
    const redLight = page.getByRole('row', { name: /^Vượt đèn đỏ/ }).first();
    await expect(redLight.innerText()).resolves.toMatch(/\d{1,3}(\.\d{3})+ – \d{1,3}(\.\d{3})+ ₫/);

    await page.getByRole('link', { name: 'Mã truy cập tiến trình' }).click();
    await page.getByLabel('Tên gợi nhớ').fill('detector-nut-2');
    await page.getByRole('button', { name: 'Tạo mã truy cập' }).click();
    const secret = await page.getByTestId('token-secret').innerText();
    expect(secret.length).toBeGreaterThan(20);
    await page
      .getByRole('row', { name: /detector-nut-2/ })
      .getByRole('button', { name: 'Thu hồi' })
      .click();
    await page
      .getByRole('row', { name: /detector-nut-2/ })
      .getByText(/^Đã thu hồi/)
      .waitFor();
    await shot('tokens');
    const refused = await fetch(`${stack.baseUrl}/api/worker/violations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(401);

    // retention: a value under the legal floor is refused on its field in Vietnamese and nothing changes
    await page.getByRole('link', { name: 'Thời hạn lưu trữ' }).click();
    const evidence = page.getByLabel(/^Ảnh chứng cứ của hồ sơ đã kết thúc/);
    await expect(evidence.inputValue()).resolves.toBe('730');
    await evidence.fill('100');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect(page.locator('#ret-evidenceDays-error').textContent()).resolves.toBe('phải lớn hơn hoặc bằng 365');
    await expect(evidence.getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByText('Thời hạn lưu trữ chưa hợp lệ: sửa các trường được đánh dấu. Không có gì thay đổi.').waitFor();
    await evidence.fill('1000');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByText('Đã lưu.').waitFor();
    const stored = await stack.db.pool.query<{ evidence_days: number }>('SELECT evidence_days FROM retention_settings');
    expect(stored.rows[0]!.evidence_days).toBe(1000);
    await shot('retention');
  }, 60_000);
});
