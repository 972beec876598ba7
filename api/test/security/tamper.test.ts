// Evidence and notices replaced in storage (issue 22, item 3): checked against their recorded hash whenever they
// are shown to a reviewer, acted on, attached to a notice or served to a citizen; a tampered item is flagged,
// audited, and blocks the case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, demoJpeg, loginAs, startHarness, type Harness } from '../helpers';
import { demoEvent, storeDemoEvidence } from '../../src/seed/demo';
import { ingestEvent } from '../../src/jobs/handlers';
import { sha256Hex } from '../../src/services/integrity';

let h: Harness;
const tokens: Record<string, string> = {};
let caseId = '';
let key = '';
let original: Buffer;
beforeAll(async () => {
  h = await startHarness();
  for (const u of ['officer1', 'super1']) tokens[u] = await loginAs(h.app, u);
  const occurredAt = new Date(Date.now() - 600_000);
  original = await demoJpeg('original');
  key = `tamper/${Date.now()}/scene_after.jpg`;
  const evidence = [await storeDemoEvidence(h.storage, key, original, occurredAt)];
  caseId = (await ingestEvent(h.deps, demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', occurredAt, evidence }))).caseId;
});
afterAll(async () => h?.close());

const post = (who: string, url: string, payload?: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url, headers: bearer(tokens[who]!), ...(payload !== undefined ? { payload } : {}) });
const status = async () => (await h.db.pool.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [caseId])).rows[0]!.status;
const failures = async () =>
  (await h.db.pool.query("SELECT entity, data FROM audit_log WHERE action = 'integrity.failed' ORDER BY seq")).rows as {
    entity: string;
    data: { use: string };
  }[];

describe('tampering at use (item 3)', () => {
  it('a replaced evidence photo is flagged to the reviewer and blocks confirm; restored, the case goes on', async () => {
    const detail = async () =>
      (await h.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(tokens.officer1!) })).json() as {
        evidenceIntact: boolean;
        evidenceTampered: boolean;
        evidence: { integrity: string; sha256: string; foundSha256?: string; fileName: string }[];
      };
    const queued = async () =>
      (
        (await h.app.inject({ method: 'GET', url: '/api/cases?status=detected', headers: bearer(tokens.officer1!) })).json() as {
          items: { id: string; evidenceTampered: boolean }[];
        }
      ).items.find((i) => i.id === caseId)!.evidenceTampered;
    expect((await detail()).evidenceIntact).toBe(true);
    expect(await queued()).toBe(false);
    const forged = await demoJpeg('forged');
    await h.storage.put('evidence', key, forged, 'image/jpeg');
    const d = await detail();
    expect(d.evidenceIntact).toBe(false);
    expect(d.evidenceTampered).toBe(true);
    // What the reviewer is shown: which file, the hash recorded at capture and the hash of what is stored now.
    expect(d.evidence[0]).toMatchObject({ integrity: 'tampered', fileName: 'scene_after.jpg', foundSha256: sha256Hex(forged) });
    expect(d.evidence[0]!.foundSha256).not.toBe(d.evidence[0]!.sha256);
    // The queue flags the case from that check, without reading the files again.
    expect(await queued()).toBe(true);
    expect((await post('officer1', `/api/cases/${caseId}/claim`)).statusCode).toBe(200);
    const refused = await post('officer1', `/api/cases/${caseId}/confirm`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'evidence_tampered' });
    expect(await status()).toBe('detected');
    expect((await failures()).at(-1)).toMatchObject({ entity: 'case', data: { use: 'confirmed' } });
    // Another agency's officer learns nothing from it (404, nothing audited for them).
    const hn = await loginAs(h.app, 'officerhn');
    const n = (await failures()).length;
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/confirm`, headers: bearer(hn), payload: {} })).statusCode).toBe(404);
    expect(await failures()).toHaveLength(n);

    await h.storage.put('evidence', key, original, 'image/jpeg');
    expect((await post('officer1', `/api/cases/${caseId}/confirm`, {})).statusCode).toBe(200);
    // Restored and checked again at confirm: no longer flagged, no hash found to show.
    expect((await detail()).evidence[0]).not.toHaveProperty('foundSha256');
    expect((await detail()).evidenceTampered).toBe(false);
    // Tampered between confirm and approve: approve and preview are refused too.
    await h.storage.put('evidence', key, await demoJpeg('forged again'), 'image/jpeg');
    expect((await post('super1', `/api/cases/${caseId}/approve`, {})).statusCode).toBe(409);
    expect(await status()).toBe('confirmed');
    await h.storage.put('evidence', key, original, 'image/jpeg');
    expect((await post('super1', `/api/cases/${caseId}/approve`, {})).statusCode).toBe(200);
    await h.storage.put('evidence', key, await demoJpeg('forged 3'), 'image/jpeg');
    expect((await h.app.inject({ method: 'GET', url: `/api/cases/${caseId}/notice/preview`, headers: bearer(tokens.super1!) })).statusCode).toBe(409);
    const issue = await post('super1', `/api/cases/${caseId}/notice`);
    expect(issue.statusCode).toBe(409);
    expect(await status()).toBe('approved');
    expect((await failures()).map((f) => f.data.use)).toEqual(['confirmed', 'approved', 'previewed', 'issued a notice']);
    await h.storage.put('evidence', key, original, 'image/jpeg');
  });

  it('a notice PDF altered in storage is not served; the citizen view leaves out a replaced photo', async () => {
    const issued = await post('super1', `/api/cases/${caseId}/notice`);
    expect(issued.statusCode, issued.body).toBe(200);
    const noticeId = (issued.json() as { noticeId: string }).noticeId;
    const pdf = () => h.app.inject({ method: 'GET', url: `/api/notices/${noticeId}/pdf`, headers: bearer(tokens.super1!) });
    expect((await pdf()).statusCode).toBe(200);
    const n = (await h.db.pool.query<{ key: string }>('SELECT key FROM notices WHERE id = $1', [noticeId])).rows[0]!;
    const stored = await h.storage.get('notices', n.key);
    await h.storage.put('notices', n.key, Buffer.concat([stored, Buffer.from('\n% altered')]), 'application/pdf');
    const res = await pdf();
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'notice_tampered' });
    expect((await failures()).at(-1)).toMatchObject({ entity: 'notice', data: { use: 'served' } });

    const token = (await h.db.pool.query<{ public_token: string }>('SELECT public_token FROM cases WHERE id = $1', [caseId])).rows[0]!.public_token;
    const view = async () => (await h.app.inject({ method: 'GET', url: `/api/public/cases/${token}` })).json() as { evidence: { kind: string }[] };
    expect((await view()).evidence).toHaveLength(1);
    await h.storage.put('evidence', key, await demoJpeg('forged for the citizen'), 'image/jpeg');
    expect((await view()).evidence).toHaveLength(0);
    expect((await failures()).at(-1)).toMatchObject({ entity: 'case', data: { use: 'public view' } });
  });
});
