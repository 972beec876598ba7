// The reports page in Chromium against the real api: a supervisor shows a report of seeded cases whose figures are
// known, reads them in the table (Vietnamese, then English), downloads the XLSX and opens it with exceljs.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildUi, launchBrowser, loginAs, screenshot, startStack, type Stack } from './harness';
import { runImport } from '@phatnguoi/api/services/payments';
import { systemClock } from '@phatnguoi/api/clock';
import { createAgency, createCamera } from '@phatnguoi/api/seed/demo';

let stack: Stack;
let browser: Browser;
let otherAgency = '';

beforeAll(async () => {
  const uiDir = await buildUi();
  stack = await startStack({ uiDir });
  browser = await launchBrowser();
  // Five cases in March 2022 at the stack's camera: 2 confirmed (1 noticed and resolved and paid, 1 noticed), 1 rejected
  // as a duplicate, 2 waiting for review; 3 motorbikes and 2 cars.
  const cases: [string, string, string, string | null, boolean, boolean, string?][] = [
    ['2022-03-01', 'motorbike', 'notified', null, true, false],
    ['2022-03-01', 'motorbike', 'rejected', 'duplicate', false, false],
    ['2022-03-02', 'motorbike', 'detected', null, false, false],
    ['2022-03-02', 'car', 'resolved', null, true, true],
    ['2022-03-03', 'car', 'detected', null, false, false],
  ];
  // Another agency (Tiền Giang) with two cars on 5 March 2022: in the operator's "all agencies", never in the supervisor's.
  otherAgency = await createAgency(stack.db.pool, {
    code: 'PC08-TG',
    name: 'Phòng CSGT Tiền Giang',
    provinceCode: '63',
    phone: '0273 3872 000',
    address: 'Mỹ Tho',
  });
  const otherCamera = await createCamera(stack.db.pool, { agencyId: otherAgency, name: 'CAM Cầu Quay', address: 'Mỹ Tho' });
  cases.push(['2022-03-05', 'car', 'detected', null, false, false, otherCamera], ['2022-03-05', 'car', 'detected', null, false, false, otherCamera]);
  for (const [day, vehicle, status, reason, noticed, paid, camera] of cases) {
    const at = new Date(`${day}T08:00:00+07:00`);
    await stack.db.pool.query(
      `INSERT INTO cases (idempotency_key, agency_id, camera_id, type, status, occurred_at, track_id, phase_id, vehicle_type, event, notice_due_at, public_token, rejected_reason, noticed_at, paid_at)
       VALUES ($1,$2,$3,'red_light',$4,$5,'t','p',$6,'{}',$7,$8,$9,$10,$11)`,
      [
        randomUUID(),
        camera ? otherAgency : stack.agencyId,
        camera ?? stack.cameraId,
        status,
        at,
        vehicle,
        new Date(at.getTime() + 10 * 86_400_000),
        randomUUID(),
        reason,
        noticed ? new Date(at.getTime() + 86_400_000) : null,
        paid ? new Date(at.getTime() + 5 * 86_400_000) : null,
      ],
    );
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('reports and payments pages', () => {
  it('shows the outcomes of March 2022, downloads them as an XLSX with the same figures; reconciles a payment file', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    await loginAs(page, stack.baseUrl, 'supervisor');
    await page.getByRole('link', { name: 'Báo cáo' }).click();
    await page.getByRole('heading', { name: 'Báo cáo thống kê' }).waitFor();
    // a supervisor reports on their own agency only: the picker shows it and cannot change
    const picker = page.getByLabel('Đơn vị', { exact: true });
    await expect.poll(() => picker.locator('option').allTextContents()).toEqual(['Phòng CSGT Hà Nội']);
    expect(await picker.isDisabled()).toBe(true);
    await page.getByLabel('Loại báo cáo').selectOption('outcomes');
    await page.getByLabel('Từ ngày').fill('2022-03-01');
    await page.getByLabel('Đến ngày').fill('2022-03-31');
    await page.getByRole('button', { name: 'Xem báo cáo' }).click();
    const table = page.getByTestId('report-table');
    await table.waitFor();
    const headers = await table.locator('thead th').allTextContents();
    expect(headers.slice(0, 5)).toEqual(['Kỳ', 'Đơn vị', 'Tiếp nhận', 'Xác nhận', 'Loại bỏ']);
    const row = await table.locator('tbody tr').first().locator('td').allTextContents();
    // period, agency, received 5, confirmed 2, rejected 1 (0 0 0 0 duplicate 1 0 0), noticed 2, resolved 1, paid 1, lapsed 0
    expect(row).toEqual(['01/03/2022', 'Phòng CSGT Hà Nội', '5', '2', '1', '0', '0', '0', '0', '1', '0', '0', '2', '1', '1', '0']);
    expect(await table.locator('tfoot th').first().textContent()).toBe('Tổng cộng');
    await screenshot(page, 'reports-outcomes');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-xlsx').click()]);
    expect(download.suggestedFilename()).toBe('bao-cao-outcomes-2022-03-01-2022-03-31.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync((await download.path())!) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([
      undefined,
      'Kỳ',
      'Đơn vị',
      'Tiếp nhận',
      'Xác nhận',
      'Loại bỏ',
      'Loại: dừng trước vạch',
      'Loại: xe ưu tiên',
      'Loại: không đọc được biển',
      'Loại: hình ảnh không rõ',
      'Loại: trùng lặp',
      'Loại: không vi phạm',
      'Loại: lý do khác',
      'Đã gửi thông báo',
      'Đã giải quyết',
      'Đã nộp phạt',
      'Hết thời hiệu',
    ]);
    expect(ws.getRow(2).values).toEqual([undefined, '2022-03-01', 'Phòng CSGT Hà Nội', 5, 2, 1, 0, 0, 0, 0, 1, 0, 0, 2, 1, 1, 0]);
    expect(ws.getRow(3).getCell(1).value).toBe('Tổng cộng');
    expect(ws.getRow(3).getCell(3).value).toBe(5);

    // the same report by vehicle type, in English: shares as percentages
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByLabel('Report').selectOption('vehicle-types');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByRole('columnheader', { name: 'Vehicle type' }).waitFor();
    const rows = await page
      .getByTestId('report-table')
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([
      ['Car', '2', '40%', '1', '50%'],
      ['Motorbike', '3', '60%', '1', '50%'],
    ]);

    // Payment reconciliation, in Vietnamese again: a file with a bad line is refused line by line; a good one is
    // reconciled (the stack has no queue worker: the test runs the job's function) and its mismatch dismissed.
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.getByRole('link', { name: 'Đối soát nộp phạt' }).click();
    const header = 'decision_number,amount,paid_at,channel,reference\n';
    await page
      .getByLabel('Tệp kết quả nộp phạt')
      .setInputFiles({ name: 'vcb.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}9/QĐ-XPHC,năm triệu,2026-03-01T09:00:00+07:00,bank,V-1\n`) });
    await page.getByRole('button', { name: 'Nhập tệp' }).click();
    expect(await page.getByTestId('payment-line-errors').textContent()).toBe('Dòng 2, trường amount: thiếu hoặc sai; số tiền là số nguyên dương (đồng)');
    await page
      .getByLabel('Tệp kết quả nộp phạt')
      .setInputFiles({ name: 'vcb.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}9/QĐ-XPHC,5000000,2026-03-01T09:00:00+07:00,bank,V-1\n`) });
    await page.getByRole('button', { name: 'Nhập tệp' }).click();
    await page.getByText('Đã nhận tệp; đang đối soát.').waitFor();
    const imported = await stack.db.pool.query<{ id: string }>('SELECT id FROM payment_imports');
    expect(imported.rows).toHaveLength(1);
    expect(await runImport(stack.db.pool, systemClock, imported.rows[0]!.id)).toBe('done');
    await page.getByText('Khớp 0 · Không khớp 1 · Trùng lặp 0').waitFor();
    const mismatch = page.getByTestId('payment-mismatches').locator('li');
    await mismatch.getByText('Không tìm thấy quyết định').waitFor();
    await mismatch.getByLabel('Ghi chú xử lý').fill('Không phải quyết định của đơn vị; đã hoàn tiền');
    await mismatch.getByRole('button', { name: 'Không chấp nhận (hoàn trả)' }).click();
    await page.getByText('Không có khoản nộp nào cần xử lý.').waitFor();
    expect((await stack.db.pool.query('SELECT resolution, resolution_note FROM payments')).rows).toEqual([
      { resolution: 'dismissed', resolution_note: 'Không phải quyết định của đơn vị; đã hoàn tiền' },
    ]);
    await screenshot(page, 'reports-payments');
    await ctx.close();
  });

  it('an operator picks all agencies or one; the table, totals and download follow the choice', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    await loginAs(page, stack.baseUrl, 'operator');
    await page.getByRole('link', { name: 'Báo cáo' }).click();
    const picker = page.getByLabel('Đơn vị', { exact: true });
    await expect.poll(() => picker.locator('option').allTextContents()).toEqual(['Tất cả đơn vị', 'Phòng CSGT Hà Nội', 'Phòng CSGT Tiền Giang']);
    expect(await picker.isDisabled()).toBe(false);
    await page.getByLabel('Loại báo cáo').selectOption('vehicle-types');
    await page.getByLabel('Từ ngày').fill('2022-03-01');
    await page.getByLabel('Đến ngày').fill('2022-03-31');
    const shown = async () => {
      await page.getByRole('button', { name: 'Xem báo cáo' }).click();
      await page.getByTestId('report-table').waitFor();
      return page
        .getByTestId('report-table')
        .locator('tbody tr, tfoot tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td, th')].slice(0, 2).map((c) => c.textContent)));
    };
    // all agencies: Hà Nội's 2 cars and 3 motorbikes and Tiền Giang's 2 cars
    expect(await shown()).toEqual([
      ['Ô tô', '4'],
      ['Xe máy', '3'],
      ['Tổng cộng', '7'],
    ]);
    expect(await page.getByTestId('report-agency').textContent()).toBe('Đơn vị: Tất cả đơn vị');
    await picker.selectOption({ label: 'Phòng CSGT Tiền Giang' });
    await expect.poll(shown).toEqual([
      ['Ô tô', '2'],
      ['Tổng cộng', '2'],
    ]);
    expect(await page.getByTestId('report-agency').textContent()).toBe('Đơn vị: Phòng CSGT Tiền Giang');
    expect(await page.getByTestId('download-csv').getAttribute('href')).toContain(`agencyId=${otherAgency}`);
    await ctx.close();
  });
});
