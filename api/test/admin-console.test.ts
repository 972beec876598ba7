// The administrator console's api against real PostgreSQL, Redis/BullMQ, an S3 endpoint, ffmpeg and a real
// RTSP camera (GStreamer): cameras with secret stream credentials and a stream test, user management, registry
// imports as background jobs. Each change is checked in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCamera, type TestCamera } from '@phatnguoi/ingest/test-camera';
import { randomBytes } from 'node:crypto';
import { loadCameras } from '@phatnguoi/core/camera-node/camera-lease';
import { sealStoredCameraPasswords } from '@phatnguoi/core/camera-secrets';
import { createCaseFromEvent } from '../src/services/cases';
import { retentionPurgeDue } from '../src/services/retention';
import { demoEvent, storeDemoEvidence } from '../src/seed/demo';
import { runRegistryImport, CsvParser } from '../src/services/registry';
import { bearer, demoJpeg, importRegistryCsv, loginAs, startHarness, waitFor, type Harness } from './helpers';

let h: Harness;
let admin = '';
let rtsp: TestCamera;
beforeAll(async () => {
  [h, rtsp] = await Promise.all([startHarness(), startTestCamera({ pattern: true, width: 320, height: 180, fps: 5, user: 'viewer', password: 's3cr3t:p@ss' })]);
  admin = await loginAs(h.app, 'admin1');
}, 120_000);
afterAll(async () => {
  await rtsp?.stop();
  await h?.close();
});

const as = (token: string) => (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined ? { payload: payload as object } : {}) });

async function auditOf(entityId: string): Promise<{ action: string; actor: string; data: Record<string, unknown> }[]> {
  const { rows } = await h.db.pool.query<{ action: string; actor: string; data: Record<string, unknown> }>(
    'SELECT action, actor, data FROM audit_log WHERE entity_id = $1 ORDER BY seq',
    [entityId],
  );
  return rows;
}

describe('cameras', () => {
  it('tests a stream with ffmpeg: the picture with the right credentials, the reason in a code without them', async () => {
    const call = as(admin);
    const good = await call('POST', '/api/admin/cameras/test-stream', {
      streamUrl: rtsp.publicUrl,
      credentials: { username: 'viewer', password: 's3cr3t:p@ss' },
    });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ ok: true, width: 320, height: 180, code: null });
    expect((good.json() as { image: string }).image).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    const refused = (
      await call('POST', '/api/admin/cameras/test-stream', { streamUrl: rtsp.publicUrl, credentials: { username: 'viewer', password: 'wrong' } })
    ).json() as { ok: boolean; code: string; message: string };
    expect(refused).toMatchObject({ ok: false, code: 'unauthorized', image: null });
    expect(refused.message).not.toContain('wrong');
    const bad = await call('POST', '/api/admin/cameras/test-stream', { streamUrl: 'http://x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_camera', errors: [{ path: 'streamUrl' }] });
  }, 60_000);

  it('adds, lists, edits, disables a camera; credentials are stored for ingest and never returned, logged or audited', async () => {
    const call = as(admin);
    const refused = await call('POST', '/api/admin/cameras', {
      name: ' ',
      agencyId: h.ids.agency,
      streamUrl: 'ftp://cam',
      sampleFps: 0,
      lat: 91,
      lng: 10,
      colour: 'x',
    });
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(['colour', 'lat', 'name', 'sampleFps', 'streamUrl']);
    const before = (await h.db.pool.query('SELECT count(*)::int AS n FROM cameras')).rows[0].n as number;
    const unknownAgency = await call('POST', '/api/admin/cameras', {
      name: 'X',
      agencyId: '00000000-0000-4000-8000-000000000000',
      streamUrl: rtsp.publicUrl,
      sampleFps: 5,
    });
    expect(unknownAgency.json()).toMatchObject({ errors: [{ path: 'agencyId' }] });
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM cameras')).rows[0].n).toBe(before);

    // credentials typed into the URL are moved out of it
    const created = await call('POST', '/api/admin/cameras', {
      name: 'Ngã tư Ấp Bắc – Nguyễn Trãi',
      address: 'TP Mỹ Tho',
      agencyId: h.ids.agency,
      streamUrl: rtsp.url,
      sampleFps: 4,
      lat: 10.3541,
      lng: 106.3652,
    });
    expect(created.statusCode, created.body).toBe(201);
    const cam = created.json() as { id: string; streamUrl: string; hasCredentials: boolean; enabled: boolean };
    expect(cam).toMatchObject({
      streamUrl: rtsp.publicUrl,
      hasCredentials: true,
      enabled: true,
      sampleFps: 4,
      lat: 10.3541,
      lng: 106.3652,
      agencyName: 'Phòng CSGT Công an tỉnh Tiền Giang',
    });
    expect(created.body).not.toContain('s3cr3t');
    const listed = await call('GET', '/api/admin/cameras');
    expect(listed.body).toContain('Ngã tư Ấp Bắc – Nguyễn Trãi');
    expect(listed.body).not.toContain('s3cr3t');
    // the password is sealed at rest: neither the row's bytes nor its URL hold it
    const stored = (
      await h.db.pool.query<{ stream_url: string; stream_password: string | null; stream_password_sealed: Buffer }>(
        'SELECT stream_url, stream_password, stream_password_sealed FROM cameras WHERE id = $1',
        [cam.id],
      )
    ).rows[0]!;
    expect(stored.stream_password).toBeNull();
    expect(stored.stream_url).not.toContain('s3cr3t');
    expect(stored.stream_password_sealed.length).toBeGreaterThan(28);
    expect(stored.stream_password_sealed.includes(Buffer.from('s3cr3t'))).toBe(false);
    // ingest opens the stream with the stored credentials, under the same key only
    const key = h.app.opts.cameraSecretKey;
    const [leased] = await loadCameras(h.db.pool, [cam.id], key);
    expect(leased!.streamUrl).toBe(rtsp.url.replace('s3cr3t:p@ss', encodeURIComponent('s3cr3t:p@ss')));
    await expect(loadCameras(h.db.pool, [cam.id], randomBytes(32))).rejects.toThrow(/CAMERA_SECRET_KEY/);
    // a saved camera is tested with its stored credentials
    expect((await call('POST', '/api/admin/cameras/test-stream', { streamUrl: rtsp.publicUrl, cameraId: cam.id })).json()).toMatchObject({ ok: true });

    const edited = await call('PATCH', `/api/admin/cameras/${cam.id}`, { sampleFps: 2.5, enabled: false, name: 'Ngã tư Ấp Bắc' });
    expect(edited.json()).toMatchObject({ sampleFps: 2.5, enabled: false, name: 'Ngã tư Ấp Bắc', hasCredentials: true });
    expect(await loadCameras(h.db.pool, [cam.id], key)).toEqual([]); // disabled: ingest leaves it
    expect((await call('PATCH', `/api/admin/cameras/${cam.id}`, { lat: 10 })).json()).toMatchObject({ errors: [{ path: 'lng' }] });
    const cleared = await call('PATCH', `/api/admin/cameras/${cam.id}`, { credentials: null });
    expect(cleared.json()).toMatchObject({ hasCredentials: false });

    const audit = await auditOf(cam.id);
    expect(audit.map((a) => a.action)).toEqual(['camera.created', 'camera.updated', 'camera.updated']);
    expect(audit[0]!.data).toMatchObject({ credentials: 'set', sampleFps: 4, streamUrl: rtsp.publicUrl });
    expect(audit[1]!.data).toEqual({
      changes: { name: { from: 'Ngã tư Ấp Bắc – Nguyễn Trãi', to: 'Ngã tư Ấp Bắc' }, sampleFps: { from: 4, to: 2.5 }, enabled: { from: true, to: false } },
    });
    expect(audit[2]!.data).toEqual({ changes: { credentials: { from: 'set', to: 'none' } } });
    expect(JSON.stringify(audit)).not.toContain('s3cr3t');
  }, 60_000);

  it('seals the passwords stored in the clear before migration 0420 (own column or inside the URL); a wrong key stops it', async () => {
    const key = h.app.opts.cameraSecretKey;
    const insert = async (name: string, url: string, username: string | null, password: string | null) =>
      (
        await h.db.pool.query<{ id: string }>(
          'INSERT INTO cameras (agency_id, name, stream_url, stream_username, stream_password) VALUES ($1, $2, $3, $4, $5) RETURNING id',
          [h.ids.agency, name, url, username, password],
        )
      ).rows[0]!.id;
    const sealedBefore = await as(admin)('POST', '/api/admin/cameras', {
      name: 'Đã niêm phong',
      agencyId: h.ids.agency,
      streamUrl: 'rtsp://10.0.0.6/live',
      credentials: { username: 'op', password: 'moi' },
      sampleFps: 2,
    });
    expect(sealedBefore.statusCode, sealedBefore.body).toBe(201);
    const column = await insert('Cũ: cột mật khẩu', 'rtsp://10.0.0.7/live', 'op', 'mat-khau-cu');
    const inUrl = await insert('Cũ: trong URL', 'rtsp://cam:mk-trong-url@10.0.0.8/live', null, null);
    // another key does not open what was sealed before: nothing is sealed under it
    await expect(sealStoredCameraPasswords(h.db.pool, randomBytes(32))).rejects.toThrow(/CAMERA_SECRET_KEY/);
    expect((await h.db.pool.query('SELECT 1 FROM cameras WHERE id = $1 AND stream_password IS NOT NULL', [column])).rowCount).toBe(1);
    expect(await sealStoredCameraPasswords(h.db.pool, key)).toBeGreaterThanOrEqual(2);
    const { rows } = await h.db.pool.query<{ id: string; stream_url: string; stream_username: string; stream_password: string | null; sealed: Buffer }>(
      'SELECT id, stream_url, stream_username, stream_password, stream_password_sealed AS sealed FROM cameras WHERE id = ANY($1::uuid[])',
      [[column, inUrl]],
    );
    for (const r of rows) {
      expect(r.stream_password).toBeNull();
      expect(r.sealed.includes(Buffer.from('mat-khau-cu')) || r.sealed.includes(Buffer.from('mk-trong-url'))).toBe(false);
    }
    expect(rows.find((r) => r.id === inUrl)).toMatchObject({ stream_url: 'rtsp://10.0.0.8/live', stream_username: 'cam' });
    const urls = new Map((await loadCameras(h.db.pool, [column, inUrl], key)).map((c) => [c.id, c.streamUrl]));
    expect(urls.get(column)).toBe('rtsp://op:mat-khau-cu@10.0.0.7/live');
    expect(urls.get(inUrl)).toBe('rtsp://cam:mk-trong-url@10.0.0.8/live');
    expect(await sealStoredCameraPasswords(h.db.pool, key)).toBe(0); // nothing left in the clear
  });
});

describe('users and agencies', () => {
  it('changes role and agency, resets a password (sessions end), refuses an officer without agency; all audited', async () => {
    const call = as(admin);
    const officer = await loginAs(h.app, 'officer2');
    const id = h.ids.users.officer2!;
    const noAgency = await call('PATCH', `/api/admin/users/${id}`, { agencyId: null });
    expect(noAgency.statusCode).toBe(400);
    expect(noAgency.json()).toMatchObject({ error: 'agency_required', errors: [{ path: 'agencyId' }] });
    const moved = await call('PATCH', `/api/admin/users/${id}`, { role: 'supervisor', agencyId: h.ids.otherAgency });
    expect(moved.json()).toMatchObject({ role: 'supervisor', agencyId: h.ids.otherAgency, agencyName: 'Phòng CSGT Công an TP Hà Nội' });
    // the session sees the new role at once
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(officer) })).json()).toMatchObject({ role: 'supervisor' });
    const reset = await call('POST', `/api/admin/users/${id}/password`, { password: 'mot-mat-khau-moi' });
    expect(reset.json()).toMatchObject({ sessionsRevoked: 1 });
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(officer) })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'officer2', password: 'mot-mat-khau-moi' } })).statusCode).toBe(
      200,
    );
    expect((await call('PATCH', `/api/admin/users/${h.ids.users.admin1}`, { role: 'officer', agencyId: h.ids.agency })).json()).toMatchObject({
      error: 'cannot_demote_self',
    });
    const audit = (await auditOf(id)).filter((a) => a.action.startsWith('user.'));
    expect(audit.map((a) => a.action)).toEqual(['user.updated', 'user.password_reset']);
    expect(audit[0]!.data).toMatchObject({ changes: { role: { from: 'officer', to: 'supervisor' }, agencyId: { from: h.ids.agency, to: h.ids.otherAgency } } });
    expect(JSON.stringify(audit)).not.toContain('mot-mat-khau-moi');
  });

  it("changes an agency's jurisdiction, audited with before and after", async () => {
    const res = await as(admin)('PATCH', `/api/admin/agencies/${h.ids.agency}`, { commune: 'Phường 1', phone: '0273 000 111' });
    expect(res.json()).toMatchObject({ code: 'PC08-TG', commune: 'Phường 1', phone: '0273 000 111', provinceCode: '63' });
    expect((await auditOf(h.ids.agency)).at(-1)).toMatchObject({ action: 'agency.updated', data: { changes: { commune: { from: null, to: 'Phường 1' } } } });
  });
});

describe('registry import job', () => {
  const HEADER = 'plate,plate_colour,vehicle_type,brand,colour,owner_name,owner_id_number,address,province_code,commune,email,phone';

  it('parses CSV split anywhere across chunks the same as whole', () => {
    const text = `a,"b,""c""\r\nd"\r\n1,2\n\n"x"\r\n`;
    const whole = new CsvParser();
    const expected = [...whole.push(text), ...whole.end()];
    expect(expected).toEqual([['a', 'b,"c"\r\nd'], ['1', '2'], [''], ['x']]);
    for (let cut = 1; cut < text.length; cut++) {
      const p = new CsvParser();
      expect([...p.push(text.slice(0, cut)), ...p.push(text.slice(cut)), ...p.end()], `cut at ${cut}`).toEqual(expected);
    }
  });

  it('resumes after the last committed batch: lines already counted are not counted again', async () => {
    const rows = Array.from({ length: 3 }, (_, i) => `63A-77${i}.11,white,car,,,Chủ ${i},08209900010${i},Mỹ Tho,63,,,`);
    const id = '5b1f0c9e-6a4e-4d7a-9e2f-0c1d2e3f4a5b';
    await h.storage.put('imports', `registry/${id}.csv`, `${HEADER}\n${rows.join('\n')}\n`, 'text/csv');
    // as a job that died after committing the first data line
    await h.db.pool.query(
      `INSERT INTO registry_imports (id, status, file_name, object_key, bytes_total, rows_read, accepted, created_by) VALUES ($1, 'running', 'r.csv', $2, 100, 1, 1, $3)`,
      [id, `registry/${id}.csv`, h.ids.users.admin1],
    );
    await runRegistryImport({ db: h.db.pool, storage: h.storage, clock: h.clock }, id);
    const imp = await as(admin)('GET', `/api/admin/registry/imports/${id}`);
    expect(imp.json()).toMatchObject({ status: 'done', rowsRead: 3, accepted: 3, rejectedCount: 0 });
    expect((await h.db.pool.query("SELECT count(*)::int AS n FROM registry_vehicles WHERE plate IN ('63A-771.11', '63A-772.11')")).rows[0].n).toBe(2);
    expect((await h.db.pool.query("SELECT count(*)::int AS n FROM registry_vehicles WHERE plate = '63A-770.11'")).rows[0].n).toBe(0);
    expect(await h.storage.exists('imports', `registry/${id}.csv`)).toBe(false); // owners' data not kept once imported
    // a finished import is not run again
    expect(await runRegistryImport({ db: h.db.pool, storage: h.storage, clock: h.clock }, id)).toMatchObject({ status: 'skipped' });
  });

  it('refuses an upload past the size limit with 413 and keeps nothing', async () => {
    const before = (await h.db.pool.query('SELECT count(*)::int AS n FROM registry_imports')).rows[0].n as number;
    const big = await h.app.inject({
      method: 'POST',
      url: '/api/admin/registry/imports',
      headers: { ...bearer(admin), 'content-type': 'text/csv' },
      payload: Buffer.alloc(h.app.opts.csvBodyLimit + 10, 0x61),
    });
    expect(big.statusCode).toBe(413);
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM registry_imports')).rows[0].n).toBe(before);
    const nul = await importRegistryCsv(h, admin, `${HEADER}\n63A-700.00,white,car,,,Chủ\u0000,082099000200,Mỹ Tho,63,,,\n`);
    expect(nul).toMatchObject({ status: 'done', accepted: 0, rejected: [{ line: 2, reason: 'contains a NUL character' }] });
  });
});

describe('retention', () => {
  it('refuses days below the legal floor or not whole, changing nothing; a valid change is audited; admins only', async () => {
    const call = as(admin);
    const before = (await call('GET', '/api/admin/retention')).json() as Record<string, unknown>;
    expect(before).toMatchObject({ evidenceDays: 730, clipDays: 365, rejectedDays: 90, logDays: 180, publicDays: 30 });
    const audits = async () => Number((await h.db.pool.query("SELECT count(*) AS n FROM audit_log WHERE entity = 'retention'")).rows[0].n);
    const n = await audits();
    const bad = await call('PUT', '/api/admin/retention', { evidenceDays: 100, clipDays: 400.5, rejectedDays: 30, publicDays: 99999, colour: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_retention' });
    expect((bad.json() as { errors: { path: string; message: string }[] }).errors).toEqual([
      { path: '/evidenceDays', message: 'Expected integer to be greater or equal to 365' },
      { path: '/clipDays', message: 'Expected integer' },
      { path: '/publicDays', message: 'Expected integer to be less or equal to 3650' },
      { path: '/colour', message: 'Unexpected property' },
    ]);
    expect((await call('GET', '/api/admin/retention')).json()).toEqual(before); // rejectedDays: 30 was valid, yet nothing changed
    expect(await audits()).toBe(n);
    const ok = await call('PUT', '/api/admin/retention', { rejectedDays: 30, publicDays: 10 });
    expect(ok.json()).toMatchObject({ rejectedDays: 30, publicDays: 10, evidenceDays: 730 });
    const entry = (await h.db.pool.query("SELECT action, actor, data FROM audit_log WHERE entity = 'retention' ORDER BY seq DESC LIMIT 1")).rows[0];
    expect(entry).toEqual({
      action: 'retention.updated',
      actor: 'admin1',
      data: { changes: { rejectedDays: { from: 90, to: 30 }, publicDays: { from: 30, to: 10 } } },
    });
    const officer = await loginAs(h.app, 'officer1');
    expect((await as(officer)('GET', '/api/admin/retention')).statusCode).toBe(403);
    expect((await as(officer)('PUT', '/api/admin/retention', { publicDays: 20 })).statusCode).toBe(403);
  });

  it('the purge job removes only what has expired, and keeps what a legal hold or an open case needs', async () => {
    const jpeg = await demoJpeg('retention');
    const day = 86_400_000;
    const now = h.clock.now().getTime();
    const make = async (label: string) => {
      const at = new Date(now - 1000);
      const evidence = [
        await storeDemoEvidence(h.storage, `retention/${label}/scene.jpg`, jpeg, at),
        await storeDemoEvidence(h.storage, `retention/${label}/clip.mp4`, jpeg, at, 'clip'),
      ];
      const ev = demoEvent({ cameraId: h.ids.camera, plate: '63A-555.55', occurredAt: at, evidence });
      return (await createCaseFromEvent(h.db.pool, h.clock, ev)).caseId;
    };
    const set = (id: string, status: string, occurredDaysAgo: number, updatedDaysAgo: number) =>
      h.db.pool.query(
        `UPDATE cases SET status = $2, occurred_at = $3, updated_at = $4, rejected_reason = CASE WHEN $2 = 'rejected' THEN 'not_violation' END WHERE id = $1`,
        [id, status, new Date(now - occurredDaysAgo * day), new Date(now - updatedDaysAgo * day)],
      );
    const ids = {
      old: await make('old'),
      clipOnly: await make('clip-only'),
      held: await make('held'),
      open: await make('open'),
      rejected: await make('rejected'),
      fresh: await make('fresh'),
    };
    await set(ids.old, 'resolved', 800, 700); // past evidence (730) and clips (365); closed 700 days ago
    await set(ids.clipOnly, 'resolved', 400, 2); // past clips only; closed 2 days ago
    await set(ids.held, 'lapsed', 800, 400);
    await set(ids.open, 'notified', 800, 800); // open: never purged
    await set(ids.rejected, 'rejected', 41, 40); // rejected 40 days ago, rejectedDays = 30
    await set(ids.fresh, 'rejected', 11, 10);
    const call = as(admin);
    expect((await call('POST', `/api/admin/cases/${ids.held}/legal-hold`, { hold: true })).json()).toMatchObject({ error: 'legal_hold_reason_required' });
    expect((await call('POST', `/api/admin/cases/${ids.held}/legal-hold`, { hold: true, reason: 'Khiếu nại đang giải quyết' })).json()).toMatchObject({
      legalHold: true,
    });

    const job = await h.queues.enqueue('retention.purge', { day: 'test' });
    await waitFor(async () => (await job.getState()) === 'completed');
    const kept = async (id: string) =>
      (await h.db.pool.query<{ kind: string; key: string }>('SELECT kind, key FROM case_evidence WHERE case_id = $1 ORDER BY kind', [id])).rows;
    const inStorage = async (label: string, file: string) => h.storage.exists('evidence', `retention/${label}/${file}`);
    expect(await kept(ids.old)).toEqual([]);
    expect([await inStorage('old', 'scene.jpg'), await inStorage('old', 'clip.mp4')]).toEqual([false, false]);
    expect((await kept(ids.clipOnly)).map((e) => e.kind)).toEqual(['scene_after']);
    expect([await inStorage('clip-only', 'scene.jpg'), await inStorage('clip-only', 'clip.mp4')]).toEqual([true, false]);
    for (const [id, label] of [
      [ids.held, 'held'],
      [ids.open, 'open'],
      [ids.fresh, 'fresh'],
    ] as const) {
      expect(
        (await kept(id)).map((e) => e.kind),
        label,
      ).toEqual(['clip', 'scene_after']);
      expect([await inStorage(label, 'scene.jpg'), await inStorage(label, 'clip.mp4')], label).toEqual([true, true]);
    }
    expect(await kept(ids.rejected)).toEqual([]);
    const cases = new Map(
      (
        await h.db.pool.query<{ id: string; plate_text: string | null; unpublished: boolean }>(
          'SELECT id, plate_text, unpublished_at IS NOT NULL AS unpublished FROM cases WHERE id = ANY($1::uuid[])',
          [Object.values(ids)],
        )
      ).rows.map((r) => [r.id, r]),
    );
    expect(cases.get(ids.rejected)!.plate_text).toBeNull();
    expect(cases.get(ids.fresh)!.plate_text).toBe('63A-555.55');
    // closed longer than publicDays (10) ago: off the public lookup; closed 2 days ago: still on it
    expect([cases.get(ids.old)!.unpublished, cases.get(ids.clipOnly)!.unpublished, cases.get(ids.open)!.unpublished]).toEqual([true, false, false]);
    const run = (await call('GET', '/api/admin/retention')).json() as { lastRun: Record<string, number> };
    expect(run.lastRun).toMatchObject({ evidenceObjects: 1, clipObjects: 2, rejectedObjects: 2, rejectedCasesScrubbed: 1, heldCases: 1 });
    // queued once a Vietnam day from 03:00, however often the sweep asks: the day is the job id
    expect(retentionPurgeDue(new Date('2026-12-07T19:59:00Z'))).toBeNull(); // 02:59 on the 8th in Vietnam
    expect(retentionPurgeDue(new Date('2026-12-07T20:00:00Z'))).toBe('2026-12-08');
    expect((await h.queues.enqueue('retention.purge', { day: 'test' })).id).toBe(job.id);
    // a second run finds nothing more
    const again = await h.queues.enqueue('retention.purge', { day: 'test-again' });
    await waitFor(async () => (await again.getState()) === 'completed');
    expect(((await call('GET', '/api/admin/retention')).json() as { lastRun: Record<string, number> }).lastRun).toMatchObject({
      evidenceObjects: 0,
      clipObjects: 0,
      rejectedObjects: 0,
      rejectedCasesScrubbed: 0,
    });
  }, 60_000);
});
