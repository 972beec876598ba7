// The core path against real PostgreSQL, Redis/BullMQ and S3: event → case → review → approval → notice
// (PDF checked with pdftotext) → delivery → public lookup → legal clock → resolution; audit chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, demoJpeg, loginAs, promoteDelayed, startHarness, waitFor, type Harness } from './helpers';
import { demoEvent, storeDemoEvidence } from '../src/seed/demo';
import { solveChallenge } from '../src/services/pow';
import { verifyAuditChain } from '../src/audit/chain';
import { formatVnTime } from '../src/notices/pdf';

let h: Harness;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  h = await startHarness();
  for (const u of ['officer1', 'officer2', 'super1', 'super2', 'operator1', 'admin1', 'officerhn', 'superhn']) tokens[u] = await loginAs(h.app, u);
});
afterAll(async () => h?.close());

async function caseByKey(
  key: string,
): Promise<{ id: string; status: string; manual_handling: boolean; manual_reason: string | null; overdue: boolean; public_token: string }> {
  const { rows } = await h.db.pool.query('SELECT id, status, manual_handling, manual_reason, overdue, public_token FROM cases WHERE idempotency_key = $1', [
    key,
  ]);
  return rows[0];
}
async function post(user: string, url: string, payload?: unknown) {
  return h.app.inject({ method: 'POST', url, headers: bearer(tokens[user]!), ...(payload !== undefined ? { payload: payload as object } : {}) });
}
async function lookup(plate: string, vehicleType: 'car' | 'motorbike') {
  const ch = (await h.app.inject({ method: 'GET', url: '/api/public/challenge' })).json() as { challenge: string; difficulty: number };
  return h.app.inject({
    method: 'POST',
    url: '/api/public/lookup',
    payload: { plate, vehicleType, challenge: ch.challenge, nonce: solveChallenge(ch.challenge, ch.difficulty) },
  });
}

describe('core path', () => {
  const occurredAt = new Date(Date.now() - 2 * 3600_000);
  let mainKey = '';
  let idleKey = '';
  let caseId = '';

  it('a violation event delivered twice makes one case, with its evidence, deadlines and audit entry', async () => {
    const jpeg = await demoJpeg('63A-123.45');
    const evidence = [await storeDemoEvidence(h.storage, `test/${Date.now()}/scene_after.jpg`, jpeg, occurredAt)];
    const ev = demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', occurredAt, evidence });
    mainKey = ev.idempotencyKey;
    await h.queues.enqueue('violation.created', ev);
    // A second delivery under another job id still must not create a second case (unique column).
    await h.queues.enqueue('violation.created', ev, { jobId: `redelivery-${ev.idempotencyKey}` });
    const idle = demoEvent({ cameraId: h.ids.camera, plate: '63-B1 234.56', vehicleClass: 'motorbike', occurredAt });
    idleKey = idle.idempotencyKey;
    await h.queues.enqueue('violation.created', idle);
    await waitFor(async () => Boolean(await caseByKey(mainKey)) && Boolean(await caseByKey(idleKey)));
    const { rows } = await h.db.pool.query('SELECT count(*)::int AS n FROM cases WHERE idempotency_key = $1', [mainKey]);
    expect(rows[0].n).toBe(1);
    const c = await caseByKey(mainKey);
    caseId = c.id;
    expect(c.status).toBe('detected');
    expect(c.manual_handling).toBe(false);
    const ev2 = await h.db.pool.query('SELECT sha256 FROM case_evidence WHERE case_id = $1', [caseId]);
    expect(ev2.rows.map((r) => r.sha256)).toEqual([createHash('sha256').update(jpeg).digest('hex')]);
    const dl = await h.db.pool.query(`SELECT kind FROM case_deadlines WHERE case_id = $1 ORDER BY kind`, [caseId]);
    expect(dl.rows.map((r) => r.kind)).toEqual(['limitation', 'notice_due']);
    const audit = await h.db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND action = 'case.created'`, [caseId]);
    expect(audit.rows[0].n).toBe(1);
  });

  it('the same event over HTTP with a worker token returns the existing case', async () => {
    const t = await post('admin1', '/api/admin/tokens', { name: 'detector-1', role: 'worker' });
    expect(t.statusCode).toBe(201);
    const token = (t.json() as { token: string }).token;
    const { rows } = await h.db.pool.query('SELECT event FROM cases WHERE id = $1', [caseId]);
    const res = await h.app.inject({ method: 'POST', url: '/api/worker/violations', headers: bearer(token), payload: rows[0].event });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ caseId, created: false });
  });

  it("queue lists the agency's cases by deadline; other agencies see nothing", async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/cases?status=detected', headers: bearer(tokens.officer1!) });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: { id: string }[]; total: number };
    expect(body.items.map((i) => i.id)).toContain(caseId);
    const other = await h.app.inject({ method: 'GET', url: '/api/cases?status=detected', headers: bearer(tokens.officerhn!) });
    expect((other.json() as { total: number }).total).toBe(0);
    const detail = await h.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(tokens.officerhn!) });
    expect(detail.statusCode).toBe(404);
    const mine = await h.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(tokens.officer1!) });
    expect(mine.statusCode).toBe(200);
    const d = mine.json() as { evidence: { url: string | null }[]; fine: { fineMin: number; article: string } };
    expect(d.evidence[0]!.url).toMatch(/^http/);
    expect(d.fine).toMatchObject({ fineMin: 18_000_000, article: 'Điểm b khoản 9 Điều 6' });
  });

  it('a claim locks the case for one officer; confirming needs the claim', async () => {
    expect((await post('officer1', `/api/cases/${caseId}/confirm`, {})).statusCode).toBe(409);
    expect((await post('officer1', `/api/cases/${caseId}/claim`)).statusCode).toBe(200);
    const other = await post('officer2', `/api/cases/${caseId}/claim`);
    expect(other.statusCode).toBe(409);
    expect((other.json() as { error: string }).error).toBe('claimed_by_other');
    const res = await post('officer1', `/api/cases/${caseId}/confirm`, { note: 'rõ biển số' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: caseId, status: 'confirmed' });
  });

  it('illegal transitions are refused with 409 and change nothing', async () => {
    expect((await post('officer1', `/api/cases/${caseId}/reject`, { reason: 'image_unclear' })).statusCode).toBe(409);
    expect((await post('officer1', `/api/cases/${caseId}/claim`)).statusCode).toBe(409);
    expect((await post('super1', `/api/cases/${caseId}/notice`)).statusCode).toBe(409);
    expect((await post('super1', `/api/cases/${caseId}/resolve`, { outcome: 'fine_paid', text: 'x' })).statusCode).toBe(409);
    expect((await caseByKey(mainKey)).status).toBe('confirmed');
  });

  it('approval is by a supervisor other than the confirming person', async () => {
    // super1 confirms the motorbike case itself, so super1 may not approve it; super2 may.
    const idle = await caseByKey(idleKey);
    expect((await post('super1', `/api/cases/${idle.id}/claim`)).statusCode).toBe(200);
    expect((await post('super1', `/api/cases/${idle.id}/confirm`, {})).statusCode).toBe(200);
    const same = await post('super1', `/api/cases/${idle.id}/approve`, {});
    expect(same.statusCode).toBe(403);
    expect((same.json() as { error: string }).error).toBe('same_reviewer');
    // return it to the queue instead, then it is detected again (leaves it open for the legal clock test)
    expect((await post('super2', `/api/cases/${idle.id}/return`, { reason: 'kiểm tra lại' })).json()).toEqual({ id: idle.id, status: 'detected' });
    expect((await post('officer1', `/api/cases/${caseId}/approve`, {})).statusCode).toBe(403);
    expect((await post('super1', `/api/cases/${caseId}/approve`, {})).json()).toEqual({ id: caseId, status: 'approved' });
  });

  it('issues a Vietnamese notice PDF with every required field, stored with its hash, and e-mails it', async () => {
    const res = await post('super1', `/api/cases/${caseId}/notice`);
    expect(res.statusCode).toBe(200);
    const n = res.json() as { noticeId: string; number: string; sha256: string };
    expect(n.number).toMatch(/^\d{6}\/TB-PC08-TG$/);
    const pdfRes = await h.app.inject({ method: 'GET', url: `/api/notices/${n.noticeId}/pdf`, headers: bearer(tokens.super2!) });
    expect(pdfRes.statusCode).toBe(200);
    const pdf = pdfRes.rawPayload;
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(n.sha256);
    const dir = mkdtempSync(join(tmpdir(), 'notice-'));
    writeFileSync(join(dir, 'n.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'n.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const expected of [
      'THÔNG BÁO',
      n.number,
      '63A-123.45',
      'Ô tô',
      'Nền trắng',
      formatVnTime(occurredAt),
      'Ngã tư Lê Lợi - Hùng Vương',
      'Vượt đèn đỏ',
      'Điểm b khoản 9 Điều 6',
      'Nghị định 168/2024/NĐ-CP',
      '18.000.000 đ',
      '20.000.000 đ',
      '4 điểm',
      'Phòng CSGT Công an tỉnh Tiền Giang',
      '0273 3872 000',
      'Nguyễn Văn Chủ Xe',
      'https://phatnguoi.test/tra-cuu/',
    ])
      expect(text).toContain(expected);
    expect((await caseByKey(mainKey)).status).toBe('notified');
    await waitFor(async () => (await h.db.pool.query(`SELECT 1 FROM deliveries WHERE status = 'sent'`)).rowCount === 2);
    expect(h.sentMail.map((m) => m.to)).toEqual(['chuxe@example.vn']);
    expect(h.sentSms.map((m) => m.to)).toEqual(['0900000001']);
    expect(h.sentSms[0]!.text).toContain('63A-123.45');
    const d = await h.db.pool.query(`SELECT channel, status FROM deliveries ORDER BY channel`);
    expect(d.rows).toEqual([
      { channel: 'email', status: 'sent' },
      { channel: 'post', status: 'pending' },
      { channel: 'sms', status: 'sent' },
    ]);
    // Another agency's supervisor batches only its own agency's post: this delivery stays pending.
    expect((await post('superhn', '/api/post-batches')).json()).toEqual({ batchId: null, count: 0, sha256: null });
    expect((await h.db.pool.query(`SELECT status FROM deliveries WHERE channel = 'post'`)).rows).toEqual([{ status: 'pending' }]);
    const batch = await post('super1', '/api/post-batches');
    expect((batch.json() as { count: number }).count).toBe(1);
  });

  it('public lookup answers with published fields only, never the owner', async () => {
    const res = await lookup('63a12345', 'car');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { plate: string; items: Record<string, unknown>[] };
    expect(body.plate).toBe('63A-123.45');
    expect(body.items).toHaveLength(1);
    expect(Object.keys(body.items[0]!).sort()).toEqual(
      [
        'detectingUnit',
        'occurredAt',
        'offence',
        'place',
        'plate',
        'plateColour',
        'resolvingAddress',
        'resolvingPhone',
        'resolvingUnit',
        'status',
        'vehicleType',
      ].sort(),
    );
    expect(body.items[0]).toMatchObject({ status: 'notified', resolvingPhone: '0273 3872 000', plateColour: 'white' });
    for (const secret of ['Nguyễn Văn Chủ Xe', '082090000001', 'chuxe@example.vn', '12 Ấp Bắc', '0900000001']) expect(res.body).not.toContain(secret);
    // Unpublished (detected) cases do not show; the motorbike case is still in review.
    expect(((await lookup('63-B1 234.56', 'motorbike')).json() as { items: unknown[] }).items).toHaveLength(0);
    // The QR token opens this case with short-lived evidence links that really serve the file.
    const c = await caseByKey(mainKey);
    const qr = await h.app.inject({ method: 'GET', url: `/api/public/cases/${c.public_token}` });
    expect(qr.statusCode).toBe(200);
    const q = qr.json() as { evidence: { url: string; sha256: string }[] };
    for (const secret of ['Nguyễn Văn Chủ Xe', '082090000001']) expect(qr.body).not.toContain(secret);
    const file = Buffer.from(await (await fetch(q.evidence[0]!.url)).arrayBuffer());
    expect(createHash('sha256').update(file).digest('hex')).toBe(q.evidence[0]!.sha256);
    expect((await h.app.inject({ method: 'GET', url: '/api/public/cases/AAAAAAAAAAAAAAAAAAAAAAAA' })).statusCode).toBe(404);
  });

  it('lookup refuses a missing or replayed proof of work and unknown plates are a clear 400', async () => {
    const ch = (await h.app.inject({ method: 'GET', url: '/api/public/challenge' })).json() as { challenge: string; difficulty: number };
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/public/lookup',
      payload: { plate: '63A-123.45', vehicleType: 'car', challenge: ch.challenge, nonce: 'nope' },
    });
    // 'nope' could solve 8 bits by chance with probability 1/256; accept only a refusal or (rarely) success
    if (bad.statusCode !== 200) expect(bad.statusCode).toBe(403);
    const nonce = solveChallenge(ch.challenge, ch.difficulty);
    const ok = { plate: '63A-123.45', vehicleType: 'car', challenge: ch.challenge, nonce };
    const first = await h.app.inject({ method: 'POST', url: '/api/public/lookup', payload: ok });
    if (bad.statusCode !== 200) expect(first.statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: '/api/public/lookup', payload: ok })).statusCode).toBe(403);
    const invalid = await lookup('not a plate', 'car');
    expect(invalid.statusCode).toBe(400);
    // The code and the values its sentence names: the UI words it from its dictionaries, never from `message`.
    expect(invalid.json()).toMatchObject({ error: 'invalid_plate', params: { plate: 'not a plate', kind: 'car' } });
    const unknown = await lookup('63A-999.99', 'car');
    expect(unknown.statusCode).toBe(200);
    expect((unknown.json() as { items: unknown[] }).items).toEqual([]);
    // A car plate with "motorbike" chosen is refused, not re-cut into the motorbike plate 63-A1 2345 (no cases).
    const mismatch = await lookup('63A-123.45', 'motorbike');
    expect(mismatch.statusCode).toBe(400);
    expect((mismatch.json() as { error: string }).error).toBe('plate_kind_mismatch');
    // Bare characters are cut the way the chosen type's plates are: a motorbike's.
    const bare = await lookup('63b123456', 'motorbike');
    expect(bare.statusCode).toBe(200);
    expect((bare.json() as { plate: string }).plate).toBe('63-B1 234.56');
  });

  it('legal clock: notice deadline flags the idle case, 20 days without response escalates, a response lifts warnings', async () => {
    h.clock.advanceDays(21);
    // sessions expire by the same clock: sign in again
    tokens.super1 = await loginAs(h.app, 'super1');
    await promoteDelayed(h, 'deadlines');
    await waitFor(async () => (await caseByKey(mainKey)).status === 'escalated' && (await caseByKey(idleKey)).overdue);
    const w = await h.db.pool.query('SELECT target, lifted_at FROM case_warnings WHERE case_id = $1 ORDER BY target', [caseId]);
    expect(w.rows).toEqual([
      { target: 'inspection', lifted_at: null },
      { target: 'registration', lifted_at: null },
    ]);
    const csv = await h.app.inject({ method: 'GET', url: '/api/warnings/export?target=inspection', headers: bearer(tokens.super1!) });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('63A-123.45');
    expect(csv.body).toContain('Nguyễn Văn Chủ Xe');
    const commune = await h.app.inject({ method: 'GET', url: '/api/warnings/export?target=commune_police', headers: bearer(tokens.super1!) });
    expect(commune.body.trim().split('\n')).toHaveLength(1);
    const pub = await lookup('63A-123.45', 'car');
    expect((pub.json() as { items: { status: string }[] }).items[0]!.status).toBe('escalated');
    expect(
      (await post('super1', `/api/cases/${caseId}/responses`, { kind: 'response', driverName: 'Nguyễn Văn Lái', text: 'Chủ xe đến làm việc' })).statusCode,
    ).toBe(200);
    const lifted = await h.db.pool.query('SELECT count(*)::int AS n FROM case_warnings WHERE case_id = $1 AND lifted_at IS NOT NULL', [caseId]);
    expect(lifted.rows[0].n).toBe(2);
    expect((await post('super1', `/api/cases/${caseId}/resolve`, { outcome: 'decision_issued', text: 'Đã ra quyết định xử phạt' })).json()).toEqual({
      id: caseId,
      status: 'resolved',
    });
    expect(((await lookup('63A-123.45', 'car')).json() as { items: { status: string }[] }).items[0]!.status).toBe('resolved');
  });

  it('limitation: a case still open a year after the violation lapses; resolved cases do not', async () => {
    h.clock.advanceDays(366);
    await promoteDelayed(h, 'deadlines');
    await waitFor(async () => (await caseByKey(idleKey)).status === 'lapsed');
    expect((await caseByKey(mainKey)).status).toBe('resolved');
  });

  it('the audit chain verifies, and an edited row is detected', async () => {
    const ok = await verifyAuditChain(h.db.pool);
    expect(ok.ok).toBe(true);
    expect(ok.checked).toBeGreaterThan(10);
    await expect(h.db.pool.query(`UPDATE audit_log SET actor = 'x' WHERE seq = 3`)).rejects.toThrow(/append-only/);
    await h.db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await h.db.pool.query(`UPDATE audit_log SET data = jsonb_set(data, '{plate}', '"30A-000.00"') WHERE seq = 2`);
    await h.db.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const broken = await verifyAuditChain(h.db.pool);
    expect(broken.ok).toBe(false);
    expect(broken.broken?.seq).toBe(2);
  });
});
