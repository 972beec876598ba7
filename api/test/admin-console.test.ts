// The administrator console's api against real PostgreSQL, Redis/BullMQ, an S3 endpoint, ffmpeg and a real
// RTSP camera (GStreamer): cameras with secret stream credentials and a stream test, user management, registry
// imports as background jobs. Each change is checked in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCamera, type TestCamera } from '@phatnguoi/ingest/test-camera';
import { loadCameras } from '@phatnguoi/core/camera-node/camera-lease';
import { runRegistryImport, CsvParser } from '../src/services/registry';
import { bearer, importRegistryCsv, loginAs, startHarness, type Harness } from './helpers';

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

const as = (token: string) => (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
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
    // ingest opens the stream with the stored credentials
    const [leased] = await loadCameras(h.db.pool, [cam.id]);
    expect(leased!.streamUrl).toBe(rtsp.url.replace('s3cr3t:p@ss', encodeURIComponent('s3cr3t:p@ss')));
    // a saved camera is tested with its stored credentials
    expect((await call('POST', '/api/admin/cameras/test-stream', { streamUrl: rtsp.publicUrl, cameraId: cam.id })).json()).toMatchObject({ ok: true });

    const edited = await call('PATCH', `/api/admin/cameras/${cam.id}`, { sampleFps: 2.5, enabled: false, name: 'Ngã tư Ấp Bắc' });
    expect(edited.json()).toMatchObject({ sampleFps: 2.5, enabled: false, name: 'Ngã tư Ấp Bắc', hasCredentials: true });
    expect(await loadCameras(h.db.pool, [cam.id])).toEqual([]); // disabled: ingest leaves it
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
