// The notice as a legal document (read with pdftotext, rendered with pdftoppm) and delivery that really happens:
// SMTP to the local mail catcher, the SMS sink, permanent refusals not retried, the 10-day deadline met on delivery.
// Real PostgreSQL, Redis/BullMQ, S3, poppler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import sharp from 'sharp';
import { ConfigError } from '@phatnguoi/core/errors';
import { bearer, loginAs, startHarness, waitFor, type Harness } from './helpers';
import { demoEvent, storeDemoEvidence } from '../src/seed/demo';
import { createCaseFromEvent } from '../src/services/cases';
import { deliver } from '../src/services/delivery';
import { formatVnTime, placeDateLine } from '../src/notices/pdf';
import { publicBaseUrlSetting } from '../src/notices/public-base-url';
import { parseMail, smsSink, startMailCatcher, type MailCatcher } from '../src/outbox/catcher';
import type { Mailer } from '../src/deps';

let h: Harness;
let catcher: MailCatcher;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  h = await startHarness();
  catcher = await startMailCatcher(h.db.pool);
  for (const u of ['officer1', 'super1', 'super2']) tokens[u] = await loginAs(h.app, u);
  await h.db.pool.query(`UPDATE users SET display_name = 'Trần Văn Cường' WHERE username = 'super1'`);
});
afterAll(async () => {
  await catcher?.close();
  await h?.close();
});

const post = (user: string, url: string, payload: object = {}) => h.app.inject({ method: 'POST', url, headers: bearer(tokens[user]!), payload });

/** A still of one flat colour with a label, so the rendered page can be searched for it. */
async function still(rgb: [number, number, number], label: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><rect width="640" height="360" fill="rgb(${rgb.join(',')})"/><text x="20" y="60" font-size="40" fill="#fff">${label}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 95 }).toBuffer();
}

function pdfText(pdf: Buffer, layout: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'notice-'));
  writeFileSync(join(dir, 'n.pdf'), pdf);
  return execFileSync('pdftotext', [...(layout ? ['-layout'] : []), join(dir, 'n.pdf'), '-'], { encoding: 'utf8' });
}

/** Renders page `page` at 50 dpi and returns its raw RGB pixels. */
async function renderPage(pdf: Buffer, page: number): Promise<{ data: Buffer; width: number; height: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'notice-png-'));
  writeFileSync(join(dir, 'n.pdf'), pdf);
  execFileSync('pdftoppm', ['-r', '50', '-png', '-f', String(page), '-l', String(page), '-singlefile', join(dir, 'n.pdf'), join(dir, 'p')]);
  const { data, info } = await sharp(readFileSync(join(dir, 'p.png')))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function countPixels(
  img: { data: Buffer; width: number; height: number },
  box: { x0: number; x1: number; y0: number; y1: number },
  test: (r: number, g: number, b: number) => boolean,
): number {
  let n = 0;
  for (let y = Math.floor(box.y0 * img.height); y < box.y1 * img.height; y++) {
    for (let x = Math.floor(box.x0 * img.width); x < box.x1 * img.width; x++) {
      const i = (y * img.width + x) * 3;
      if (test(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!)) n++;
    }
  }
  return n;
}

describe('notice and delivery', () => {
  const occurredAt = new Date(Date.now() - 5 * 3600_000);
  let caseId = '';
  let noticeId = '';
  let pdf: Buffer = Buffer.alloc(0);
  const hashes: string[] = [];
  const times: Date[] = [];

  it('issues a notice laid out as an administrative document with every field, the real stills and full hashes', async () => {
    const evidence = [];
    for (const [i, [kind, rgb]] of (
      [
        ['scene_before', [200, 0, 0]],
        ['scene_after', [0, 160, 0]],
        ['plate_crop', [0, 0, 200]],
      ] as const
    ).entries()) {
      const at = new Date(occurredAt.getTime() + (i - 1) * 1000);
      const e = await storeDemoEvidence(h.storage, `notice-test/${Date.now()}/${kind}.jpg`, await still([...rgb], kind), at, kind);
      evidence.push(e);
      hashes.push(e.sha256);
      times.push(at);
    }
    const clipBytes = Buffer.from('not really a video, but hashed like one');
    const clipKey = `notice-test/${Date.now()}/clip.mp4`;
    const clip = await h.storage.put('evidence', clipKey, clipBytes, 'video/mp4');
    evidence.push({
      kind: 'clip' as const,
      bucket: 'evidence',
      key: clipKey,
      sha256: clip.sha256,
      size: clip.size,
      contentType: 'video/mp4',
      capturedAt: occurredAt.toISOString(),
    });
    hashes.push(clip.sha256);
    const ev = demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', occurredAt, evidence });
    caseId = (await createCaseFromEvent(h.db.pool, h.clock, ev)).caseId;
    expect((await post('officer1', `/api/cases/${caseId}/claim`)).statusCode).toBe(200);
    expect((await post('officer1', `/api/cases/${caseId}/confirm`)).statusCode).toBe(200);
    expect((await post('super1', `/api/cases/${caseId}/approve`)).statusCode).toBe(200);

    // the preview is the same document, unnumbered, and changes nothing
    const preview = await h.app.inject({ method: 'GET', url: `/api/cases/${caseId}/notice/preview`, headers: bearer(tokens.super1!) });
    expect(preview.statusCode).toBe(200);
    expect(preview.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(pdfText(preview.rawPayload, false)).toContain('BẢN XEM TRƯỚC');
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM notices WHERE case_id = $1', [caseId])).rows[0].n).toBe(0);

    const issued = await post('super1', `/api/cases/${caseId}/notice`);
    expect(issued.statusCode).toBe(200);
    const n = issued.json() as { noticeId: string; number: string; sha256: string };
    noticeId = n.noticeId;
    expect(n.number).toMatch(/^\d{6}\/TB-PC08-TG$/);
    const res = await h.app.inject({ method: 'GET', url: `/api/notices/${n.noticeId}/pdf`, headers: bearer(tokens.super2!) });
    pdf = res.rawPayload;
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(n.sha256);

    const text = pdfText(pdf, false).replace(/\s+/g, ' ');
    const token = (await h.db.pool.query('SELECT public_token FROM cases WHERE id = $1', [caseId])).rows[0].public_token as string;
    for (const expected of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'PHÒNG CSGT CÔNG AN TỈNH TIỀN GIANG',
      'CÔNG AN TỈNH TIỀN GIANG',
      `Số: ${n.number}`,
      placeDateLine('Mỹ Tho', h.clock.now()),
      'THÔNG BÁO',
      'Kính gửi: Ông (Bà) Nguyễn Văn Chủ Xe',
      '12 Ấp Bắc, Mỹ Tho, Tiền Giang',
      'Biển kiểm soát: 63A-123.45',
      'Màu biển: Nền trắng, chữ đen',
      'Loại phương tiện: Ô tô',
      `${formatVnTime(occurredAt)} (giờ Việt Nam)`,
      'Ngã tư Lê Lợi - Hùng Vương',
      'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông',
      'Điểm b khoản 9 Điều 6 Nghị định 168/2024/NĐ-CP',
      'từ 18.000.000 đ đến 20.000.000 đ',
      '4 điểm',
      'Đơn vị giải quyết',
      '0273 3872 000',
      'Điều 24 Thông tư số 73/2024/TT-BCA',
      'LÃNH ĐẠO PHÊ DUYỆT',
      'Trần Văn Cường',
      'Nơi nhận',
      `https://phatnguoi.test/tra-cuu/${token}`,
      'Ảnh toàn cảnh trước vạch dừng',
      'Ảnh toàn cảnh sau vạch dừng',
      'Ảnh biển số',
      'Đoạn video',
    ])
      expect(text).toContain(expected);
    // the full SHA-256 of every evidence file, clip included, and each still's local time
    for (const hash of hashes) expect(text).toContain(hash);
    for (const t of times) expect(text).toContain(formatVnTime(t));
    // one offence on the offence line: the camera's account is a separate line
    expect(text).toMatch(/6\. Hành vi vi phạm: a\) Không chấp hành hiệu lệnh của đèn tín hiệu giao thông; quy định tại/);
    expect(text).toContain('Tình tiết ghi nhận: Vượt đèn đỏ: Vượt vạch dừng stop-1 2,0 giây sau khi đèn chuyển đỏ');
    // issuing unit and national motto side by side: the same printed line holds both
    const layout = pdfText(pdf, true).split('\n');
    expect(layout.some((l) => /CÔNG AN TỈNH TIỀN GIANG\s{3,}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM/.test(l))).toBe(true);
    if (!layout.some((l) => l.includes(`Số: ${n.number}`) && l.includes('Mỹ Tho, ngày'))) console.log(layout.slice(0, 12).join('\n'));
    expect(layout.some((l) => l.includes(`Số: ${n.number}`) && l.includes('Mỹ Tho, ngày'))).toBe(true);
  });

  it('renders: the heading in two columns on page 1, the real stills on page 2', async () => {
    const p1 = await renderPage(pdf, 1);
    const dark = (r: number, g: number, b: number) => r + g + b < 200;
    // heading band: text in the left column and in the right column, none in the gap between them
    expect(countPixels(p1, { x0: 0.1, x1: 0.45, y0: 0.04, y1: 0.1 }, dark)).toBeGreaterThan(50);
    expect(countPixels(p1, { x0: 0.5, x1: 0.92, y0: 0.04, y1: 0.1 }, dark)).toBeGreaterThan(50);
    const p2 = await renderPage(pdf, 2);
    const all = { x0: 0, x1: 1, y0: 0, y1: 1 };
    expect(countPixels(p2, all, (r, g, b) => r > 170 && g < 50 && b < 50)).toBeGreaterThan(1000); // scene_before
    expect(countPixels(p2, all, (r, g, b) => g > 130 && r < 50 && b < 50)).toBeGreaterThan(1000); // scene_after
    expect(countPixels(p2, all, (r, g, b) => b > 170 && r < 50 && g < 50)).toBeGreaterThan(1000); // plate_crop
  });

  it('the e-mail goes over SMTP to the mail catcher with the PDF attached; the SMS to the sink; the deadline is met', async () => {
    const mailer = nodemailer.createTransport(catcher.url) as unknown as Mailer;
    const ctx = { ...h.deps, mailer, sms: smsSink(h.db.pool) };
    const ds = (await h.db.pool.query<{ id: string; channel: string }>('SELECT id, channel FROM deliveries WHERE notice_id = $1', [noticeId])).rows;
    // the harness workers send email and sms with their own recorders first; then send again through the real path
    await waitFor(
      async () => (await h.db.pool.query(`SELECT count(*)::int AS n FROM deliveries WHERE notice_id = $1 AND status = 'sent'`, [noticeId])).rows[0].n === 2,
    );
    await h.db.pool.query(`UPDATE deliveries SET status = 'pending' WHERE notice_id = $1 AND channel <> 'post'`, [noticeId]);
    await h.db.pool.query(`UPDATE case_deadlines SET status = 'pending', fired_at = NULL WHERE case_id = $1 AND kind = 'notice_due'`, [caseId]);
    for (const d of ds.filter((x) => x.channel !== 'post')) expect(await deliver(ctx, d.id, false)).toEqual({ status: 'done' });
    const mail = (await h.db.pool.query(`SELECT recipient, subject, raw FROM outbox_catcher WHERE channel = 'email' AND recipient = 'chuxe@example.vn'`)).rows;
    expect(mail).toHaveLength(1);
    const parsed = parseMail(mail[0].raw);
    expect(parsed.subject).toMatch(/^Thông báo vi phạm giao thông số \d{6}\/TB-PC08-TG$/);
    expect(parsed.text).toContain('63A-123.45');
    expect(parsed.attachments).toHaveLength(1);
    expect(createHash('sha256').update(parsed.attachments[0]!.content).digest('hex')).toBe(createHash('sha256').update(pdf).digest('hex'));
    const sms = (await h.db.pool.query(`SELECT recipient, body FROM outbox_catcher WHERE channel = 'sms'`)).rows;
    expect(sms).toEqual([{ recipient: '0900000001', body: expect.stringContaining('https://phatnguoi.test/tra-cuu/') }]);
    const dl = (await h.db.pool.query(`SELECT status FROM case_deadlines WHERE case_id = $1 AND kind = 'notice_due'`, [caseId])).rows[0];
    expect(dl.status).toBe('met');
    const detail = (await h.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(tokens.super1!) })).json() as {
      deadlines: { kind: string; status: string }[];
    };
    expect(detail.deadlines.find((d) => d.kind === 'notice_due')!.status).toBe('met');
    // the outbox page shows both, with the attachment downloadable
    const outbox = (await h.app.inject({ method: 'GET', url: '/api/outbox', headers: bearer(tokens.super1!) })).json() as {
      emails: { id: string; attachments: { n: number; size: number }[] }[];
      sms: unknown[];
    };
    const e = outbox.emails.find((x) => x.attachments.length === 1)!;
    const att = await h.app.inject({ method: 'GET', url: `/api/outbox/${e.id}/attachments/0`, headers: bearer(tokens.super1!) });
    expect(att.headers['content-type']).toBe('application/pdf');
    expect(att.rawPayload.length).toBe(e.attachments[0]!.size);
    expect(outbox.sms.length).toBeGreaterThan(0);
  });

  it('a refused delivery fails for good at once (no retry), audited and shown on the case', async () => {
    const d = (await h.db.pool.query<{ id: string }>(`SELECT id FROM deliveries WHERE notice_id = $1 AND channel = 'sms'`, [noticeId])).rows[0]!;
    await h.db.pool.query(`UPDATE deliveries SET status = 'pending', attempts = 0 WHERE id = $1`, [d.id]);
    const refusing = {
      ...h.deps,
      sms: {
        send: async () => {
          throw Object.assign(new Error('SMS gateway answered 400'), { permanent: true });
        },
      },
    };
    await expect(deliver(refusing, d.id, false)).rejects.toMatchObject({ code: 'delivery_refused' });
    const row = (await h.db.pool.query('SELECT status, attempts, last_error FROM deliveries WHERE id = $1', [d.id])).rows[0];
    expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error: '[permanent] SMS gateway answered 400' });
    // a later job for it does nothing: only a supervisor's resend puts it back
    expect(await deliver(refusing, d.id, false)).toMatchObject({ status: 'skipped' });
    expect((await h.db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'delivery.failed' AND entity_id = $1`, [d.id])).rows[0].n).toBe(1);
    const detail = (await h.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(tokens.super1!) })).json() as {
      notice: { deliveries: { channel: string; status: string }[] };
    };
    expect(detail.notice.deliveries.find((x) => x.channel === 'sms')).toMatchObject({ status: 'failed' });
    expect((await post('super1', `/api/deliveries/${d.id}/retry`)).statusCode).toBe(200);
    await waitFor(async () => (await h.db.pool.query('SELECT status FROM deliveries WHERE id = $1', [d.id])).rows[0].status === 'sent');
  });

  it('PUBLIC_BASE_URL is required in production and must not be localhost there', () => {
    expect(() => publicBaseUrlSetting({}, 'production')).toThrow(ConfigError);
    expect(() => publicBaseUrlSetting({ PUBLIC_BASE_URL: 'http://localhost:8080' }, 'production')).toThrow(/not localhost/);
    expect(() => publicBaseUrlSetting({ PUBLIC_BASE_URL: 'ftp://x.vn' }, 'production')).toThrow(ConfigError);
    expect(publicBaseUrlSetting({ PUBLIC_BASE_URL: 'https://phatnguoi.csgt.vn/' }, 'production')).toBe('https://phatnguoi.csgt.vn');
    expect(publicBaseUrlSetting({ API_PORT: '8123' }, 'development')).toBe('http://localhost:8123');
  });
});
