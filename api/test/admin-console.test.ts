// The administrator console's api against real PostgreSQL, Redis/BullMQ, an S3 endpoint, ffmpeg and a real
// RTSP camera (GStreamer): cameras with secret stream credentials and a stream test, user management, registry
// imports as background jobs. Each change is checked in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCamera, type TestCamera } from '@phatnguoi/ingest/test-camera/index';
import { loadCameras } from '@phatnguoi/ingest/camera-lease';
import { bearer, loginAs, startHarness, type Harness } from './helpers';

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
  const { rows } = await h.db.pool.query<{ action: string; actor: string; data: Record<string, unknown> }>('SELECT action, actor, data FROM audit_log WHERE entity_id = $1 ORDER BY seq', [entityId]);
  return rows;
}

describe('cameras', () => {
  it('tests a stream with ffmpeg: the picture with the right credentials, the reason in a code without them', async () => {
    const call = as(admin);
    const good = await call('POST', '/api/admin/cameras/test-stream', { streamUrl: rtsp.publicUrl, credentials: { username: 'viewer', password: 's3cr3t:p@ss' } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ ok: true, width: 320, height: 180, code: null });
    expect((good.json() as { image: string }).image).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    const refused = (await call('POST', '/api/admin/cameras/test-stream', { streamUrl: rtsp.publicUrl, credentials: { username: 'viewer', password: 'wrong' } })).json() as { ok: boolean; code: string; message: string };
    expect(refused).toMatchObject({ ok: false, code: 'unauthorized', image: null });
    expect(refused.message).not.toContain('wrong');
    const bad = await call('POST', '/api/admin/cameras/test-stream', { streamUrl: 'http://x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_camera', errors: [{ path: 'streamUrl' }] });
  }, 60_000);

  it('adds, lists, edits, disables a camera; credentials are stored for ingest and never returned, logged or audited', async () => {
    const call = as(admin);
    const refused = await call('POST', '/api/admin/cameras', { name: ' ', agencyId: h.ids.agency, streamUrl: 'ftp://cam', sampleFps: 0, lat: 91, lng: 10, colour: 'x' });
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(['colour', 'lat', 'name', 'sampleFps', 'streamUrl']);
    const before = (await h.db.pool.query('SELECT count(*)::int AS n FROM cameras')).rows[0].n as number;
    const unknownAgency = await call('POST', '/api/admin/cameras', { name: 'X', agencyId: '00000000-0000-4000-8000-000000000000', streamUrl: rtsp.publicUrl, sampleFps: 5 });
    expect(unknownAgency.json()).toMatchObject({ errors: [{ path: 'agencyId' }] });
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM cameras')).rows[0].n).toBe(before);

    // credentials typed into the URL are moved out of it
    const created = await call('POST', '/api/admin/cameras', {
      name: 'Ngã tư Ấp Bắc – Nguyễn Trãi', address: 'TP Mỹ Tho', agencyId: h.ids.agency, streamUrl: rtsp.url, sampleFps: 4, lat: 10.3541, lng: 106.3652,
    });
    expect(created.statusCode, created.body).toBe(201);
    const cam = created.json() as { id: string; streamUrl: string; hasCredentials: boolean; enabled: boolean };
    expect(cam).toMatchObject({ streamUrl: rtsp.publicUrl, hasCredentials: true, enabled: true, sampleFps: 4, lat: 10.3541, lng: 106.3652, agencyName: 'Phòng CSGT Công an tỉnh Tiền Giang' });
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
    expect(audit[1]!.data).toEqual({ changes: { name: { from: 'Ngã tư Ấp Bắc – Nguyễn Trãi', to: 'Ngã tư Ấp Bắc' }, sampleFps: { from: 4, to: 2.5 }, enabled: { from: true, to: false } } });
    expect(audit[2]!.data).toEqual({ changes: { credentials: { from: 'set', to: 'none' } } });
    expect(JSON.stringify(audit)).not.toContain('s3cr3t');
  }, 60_000);
});
