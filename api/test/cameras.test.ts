// Camera setup and case overlays: camera list, geometry read/write (validated, audited, refused documents
// change nothing), snapshot sources, notice preview, case overlay fields, the 30-day trend. Every new route
// is called by every role: allowed and refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { CameraGeometry } from '@phatnguoi/core/contracts/camera-geometry';
import sharp from 'sharp';
import { FRAME_FORMAT, frameRefToFields, slotFileBytes } from '@phatnguoi/core/camera-node/frames';
import { frameStreamKey } from '@phatnguoi/core/camera-node/channels';
import { rgbToI420 } from '@phatnguoi/core/camera-node/pixels';
import type { CameraLamps, CameraList } from '@phatnguoi/core/contracts/api/cameras';
import type { CaseDetail } from '@phatnguoi/core/contracts/api/cases';
import type { StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import { buildApp } from '../src/app';
import { ingestEvent } from '../src/jobs/handlers';
import { demoEvent, storeDemoEvidence, createCamera } from '../src/seed/demo';
import { vnDay } from '../src/domain/vietnam-time';
import { bearer, demoJpeg, loginAs, startHarness, type Harness } from './helpers';

let h: Harness;
const tokens: Record<string, string> = {};
let workerToken = '';
let approvedCase = '';
let approvedAt = new Date();
let detectedAt = new Date();
let detectedCase = '';
let tmp = '';

const GEOMETRY: CameraGeometry = {
  version: 1,
  reference: { width: 1280, height: 720 },
  stopLines: [{ id: 'stop-1', approach: 'Lê Lợi', a: [100, 400], b: [1180, 400], beforePoint: [640, 600] }],
  lanes: [
    {
      id: 'lane-1',
      polygon: [
        [200, 710],
        [1080, 710],
        [900, 200],
        [380, 200],
      ],
      direction: [0, -1],
      allowedClasses: ['motorbike', 'car'],
      turns: ['straight'],
      stopLineId: 'stop-1',
      signalHeadId: 'head-1',
    },
  ],
  solidLines: [],
  signalHeads: [
    {
      id: 'head-1',
      lamps: [
        { id: 'red', colour: 'red', shape: 'round', region: [1200, 20, 1230, 50] },
        { id: 'yellow', colour: 'yellow', shape: 'round', region: [1200, 55, 1230, 85] },
        { id: 'green', colour: 'green', shape: 'round', region: [1200, 90, 1230, 120] },
      ],
    },
  ],
};

type Who = 'officer1' | 'super1' | 'operator1' | 'admin1' | 'officerhn' | 'worker';
const ALL: Who[] = ['officer1', 'super1', 'operator1', 'admin1', 'officerhn', 'worker'];
const auth = (who: Who) => bearer(who === 'worker' ? workerToken : tokens[who]!);

async function call(app: FastifyInstance, who: Who | null, method: 'GET' | 'PUT', url: string, body?: unknown) {
  return app.inject({
    method,
    url,
    headers: { ...(who ? auth(who) : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
}

async function auditCount(action: string, entityId: string): Promise<number> {
  const r = await h.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_log WHERE action = $1 AND entity_id = $2', [action, entityId]);
  return Number(r.rows[0]!.n);
}

beforeAll(async () => {
  h = await startHarness();
  tmp = mkdtempSync(join(tmpdir(), 'pn-cameras-'));
  for (const u of ['officer1', 'officer2', 'super1', 'operator1', 'admin1', 'officerhn']) tokens[u] = await loginAs(h.app, u);
  const t = await h.app.inject({ method: 'POST', url: '/api/admin/tokens', headers: bearer(tokens.admin1!), payload: { name: 'w', role: 'worker' } });
  workerToken = (t.json() as { token: string }).token;

  // an approved case with a clip at 10 fps and a scene still (owner known: a notice can be previewed)
  const occurredAt = new Date(Date.now() - 3_600_000);
  approvedAt = occurredAt;
  const clipFile = join(tmp, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x180:rate=10',
    '-t',
    '2',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-movflags',
    '+faststart',
    clipFile,
  ]);
  const clip = readFileSync(clipFile);
  const put = await h.storage.put('clips', `${h.ids.camera}/cam-test/clip.mp4`, clip, 'video/mp4');
  const still = await storeDemoEvidence(h.storage, `${h.ids.camera}/cam-test/before.jpg`, await demoJpeg('scene before'), occurredAt, 'scene_before');
  const evidence = [
    {
      kind: 'clip' as const,
      bucket: 'clips',
      key: `${h.ids.camera}/cam-test/clip.mp4`,
      sha256: put.sha256,
      size: put.size,
      contentType: 'video/mp4',
      capturedAt: occurredAt.toISOString(),
    },
    still,
  ];
  approvedCase = (await ingestEvent(h.deps, demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', occurredAt, evidence }))).caseId;
  for (const [who, path] of [
    ['officer1', 'claim'],
    ['officer1', 'confirm'],
    ['super1', 'approve'],
  ] as const) {
    const r = await h.app.inject({
      method: 'POST',
      url: `/api/cases/${approvedCase}/${path}`,
      headers: { ...bearer(tokens[who]!), 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(r.statusCode, r.body).toBe(200);
  }
  detectedAt = new Date(Date.now() - 600_000);
  detectedCase = (
    await ingestEvent(
      h.deps,
      demoEvent({ cameraId: h.ids.camera, plate: '63-B1 234.56', vehicleClass: 'motorbike', type: 'wrong_way', occurredAt: detectedAt }),
    )
  ).caseId;
}, 120_000);
afterAll(async () => {
  await h?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('who may call the camera routes', () => {
  // officerhn (another agency's officer) has the role but not the camera: it gets 404, not 403 (see below)
  const routes: { method: 'GET' | 'PUT'; label: string; url: () => string; allowed: Who[]; body?: unknown }[] = [
    { method: 'GET', label: '/api/cameras', url: () => '/api/cameras', allowed: ['admin1'] },
    { method: 'GET', label: '/api/cameras/:id', url: () => `/api/cameras/${h.ids.camera}`, allowed: ['admin1'] },
    {
      method: 'GET',
      label: '/api/cameras/:id/geometry',
      url: () => `/api/cameras/${h.ids.camera}/geometry`,
      allowed: ['admin1', 'officer1', 'super1', 'officerhn'],
    },
    { method: 'PUT', label: '/api/cameras/:id/geometry', url: () => `/api/cameras/${h.ids.camera}/geometry`, allowed: ['admin1'], body: { version: 2 } },
    { method: 'GET', label: '/api/cameras/:id/snapshot', url: () => `/api/cameras/${h.ids.camera}/snapshot`, allowed: ['admin1'] },
    { method: 'GET', label: '/api/cameras/:id/lamps', url: () => `/api/cameras/${h.ids.camera}/lamps`, allowed: ['admin1'] },
    { method: 'GET', label: '/api/cases/:id/notice/preview', url: () => `/api/cases/${approvedCase}/notice/preview`, allowed: ['super1'] },
  ];
  for (const r of routes) {
    it(`${r.method} ${r.label} — allowed: ${r.allowed.join(', ')}`, async () => {
      expect((await call(h.app, null, r.method, r.url(), r.body)).statusCode).toBe(401);
      for (const who of ALL) {
        const res = await call(h.app, who, r.method, r.url(), r.body);
        if (r.allowed.includes(who)) expect([401, 403], `${who}: ${res.body}`).not.toContain(res.statusCode);
        else expect(res.statusCode, `${who}: ${res.body}`).toBe(403);
      }
    });
  }

  it("officers read the geometry of their own agency only; another agency's camera is not found", async () => {
    await h.db.pool.query('UPDATE cameras SET geometry = $2 WHERE id = $1', [h.ids.camera, JSON.stringify(GEOMETRY)]);
    expect((await call(h.app, 'officer1', 'GET', `/api/cameras/${h.ids.camera}/geometry`)).json()).toEqual(GEOMETRY);
    expect((await call(h.app, 'super1', 'GET', `/api/cameras/${h.ids.camera}/geometry`)).statusCode).toBe(200);
    const other = await call(h.app, 'officerhn', 'GET', `/api/cameras/${h.ids.camera}/geometry`);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('lane-1');
    expect((await call(h.app, 'officer1', 'GET', `/api/cameras/${h.ids.otherCamera}/geometry`)).statusCode).toBe(404);
    // the admin reads any agency's camera
    expect((await call(h.app, 'admin1', 'GET', `/api/cameras/${h.ids.camera}/geometry`)).statusCode).toBe(200);
  });
});

describe('camera list', () => {
  it('lists every camera for an admin, with agency, geometry flag and state', async () => {
    const res = await call(h.app, 'admin1', 'GET', '/api/cameras');
    expect(res.statusCode).toBe(200);
    const items = (res.json() as CameraList).items;
    expect(items.map((c) => c.id).sort()).toEqual([h.ids.camera, h.ids.otherCamera].sort());
    const mine = items.find((c) => c.id === h.ids.camera)!;
    expect(mine).toMatchObject({ name: 'Ngã tư Lê Lợi - Hùng Vương', agencyId: h.ids.agency, enabled: true, online: false });
    expect(typeof mine.hasGeometry).toBe('boolean');
    expect(mine).toMatchObject({ detectionFault: null, detectionError: null });
    expect((await call(h.app, 'admin1', 'GET', `/api/cameras/${randomUUID()}`)).statusCode).toBe(404);
  });

  it('shows a camera online at ingest whose detector retries as online but not detecting, with the reason', async () => {
    await h.db.pool.query(
      `INSERT INTO camera_status (camera_id, state, fps, frames_total, frames_dropped, restarts, holder, node, updated_at)
       VALUES ($1, 'online', 5, 10, 0, 0, 'ingest-t', 'node-t', $2)
       ON CONFLICT (camera_id) DO UPDATE SET state = 'online', fps = 5, updated_at = $2`,
      [h.ids.camera, h.clock.now()],
    );
    try {
      h.app.cameraBoard.updateFromDetector(
        JSON.stringify({ cameraId: h.ids.camera, framesPerSecond: 0, detectionsPerSecond: 0, backend: 'wasm', state: 'retrying', error: 'read ECONNRESET' }),
        h.clock.now(),
      );
      const one = (await call(h.app, 'admin1', 'GET', `/api/cameras/${h.ids.camera}`)).json() as CameraList['items'][number];
      expect(one).toMatchObject({ online: true, detectionFault: 'retrying', detectionError: 'read ECONNRESET' });
      h.app.cameraBoard.updateFromDetector(
        JSON.stringify({ cameraId: h.ids.camera, framesPerSecond: 5, detectionsPerSecond: 2, backend: 'wasm', state: 'detecting', error: null }),
        h.clock.now(),
      );
      const items = ((await call(h.app, 'admin1', 'GET', '/api/cameras')).json() as CameraList).items;
      expect(items.find((c) => c.id === h.ids.camera)).toMatchObject({ online: true, detectionFault: null });
    } finally {
      await h.db.pool.query('DELETE FROM camera_status WHERE camera_id = $1', [h.ids.camera]);
    }
  });

  it("an admin that belongs to an agency sees that agency's cameras only", async () => {
    const { createUser } = await import('../src/seed/demo');
    await createUser(h.db.pool, { username: 'admin.tg', password: 'correct horse battery', role: 'admin', agencyId: h.ids.agency });
    const token = await loginAs(h.app, 'admin.tg');
    const res = await h.app.inject({ method: 'GET', url: '/api/cameras', headers: bearer(token) });
    expect((res.json() as CameraList).items.map((c) => c.id)).toEqual([h.ids.camera]);
    expect((await h.app.inject({ method: 'GET', url: `/api/cameras/${h.ids.otherCamera}/geometry`, headers: bearer(token) })).statusCode).toBe(404);
  });
});

describe('camera geometry', () => {
  it('a camera without geometry answers 404 no_geometry', async () => {
    const cam = await createCamera(h.db.pool, { agencyId: h.ids.agency, name: 'Camera mới', address: '' });
    const res = await call(h.app, 'admin1', 'GET', `/api/cameras/${cam}/geometry`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'no_geometry' });
  });

  it('refuses an invalid document with every field error by path, and changes nothing', async () => {
    await h.db.pool.query('UPDATE cameras SET geometry = $2 WHERE id = $1', [h.ids.camera, JSON.stringify(GEOMETRY)]);
    const before = await auditCount('camera.geometry_updated', h.ids.camera);
    const bad = structuredClone(GEOMETRY) as CameraGeometry;
    delete bad.lanes[0]!.signalHeadId;
    bad.stopLines[0]!.a = [-50, 400];
    const res = await call(h.app, 'admin1', 'PUT', `/api/cameras/${h.ids.camera}/geometry`, bad);
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; message: string; errors: { path: string; message: string }[] };
    expect(body.error).toBe('invalid_geometry');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: '$.lanes[0].signalHeadId', message: 'a lane with a stop line needs the signal head that governs it' },
        expect.objectContaining({ path: '$.stopLines[0].a' }),
      ]),
    );
    // schema errors (unknown key, wrong type) come back by path too
    const typo = await call(h.app, 'admin1', 'PUT', `/api/cameras/${h.ids.camera}/geometry`, { ...GEOMETRY, lanes: 'none', extra: 1 });
    expect(typo.statusCode).toBe(400);
    expect((typo.json() as typeof body).errors.map((e) => e.path)).toEqual(expect.arrayContaining(['$.lanes']));
    const stored = await h.db.pool.query<{ geometry: CameraGeometry }>('SELECT geometry FROM cameras WHERE id = $1', [h.ids.camera]);
    expect(stored.rows[0]!.geometry).toEqual(GEOMETRY);
    expect(await auditCount('camera.geometry_updated', h.ids.camera)).toBe(before);
  });

  it('answers bodies that are not a geometry at all with a 400 and field errors, never a 5xx', async () => {
    const bodies = [
      null,
      [],
      'text',
      12,
      true,
      { __proto__: { isAdmin: true } },
      { a: { b: { c: { d: { e: {} } } } } },
      { version: 1, reference: { width: 1.5, height: 'tall' } },
    ];
    for (const b of bodies) {
      const res = await h.app.inject({
        method: 'PUT',
        url: `/api/cameras/${h.ids.camera}/geometry`,
        headers: { ...auth('admin1'), 'content-type': 'application/json' },
        payload: JSON.stringify(b),
      });
      expect(res.statusCode, `${JSON.stringify(b)}: ${res.body}`).toBe(400);
      const body = res.json() as { errors?: { path: string; message: string }[] };
      if (res.json<{ error: string }>().error === 'invalid_geometry') expect(body.errors!.length).toBeGreaterThan(0);
    }
    const broken = await h.app.inject({
      method: 'PUT',
      url: `/api/cameras/${h.ids.camera}/geometry`,
      headers: { ...auth('admin1'), 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(broken.statusCode).toBe(400);
    const stored = await h.db.pool.query<{ geometry: CameraGeometry }>('SELECT geometry FROM cameras WHERE id = $1', [h.ids.camera]);
    expect(stored.rows[0]!.geometry).toEqual(GEOMETRY);
  });

  it('stores a valid document, answers it back, reads it back, and audits the change', async () => {
    const before = await auditCount('camera.geometry_updated', h.ids.camera);
    const next = structuredClone(GEOMETRY) as CameraGeometry;
    next.lanes[0]!.allowedClasses = ['motorbike'];
    next.lanes[0]!.polygon[0] = [200, 690];
    const res = await call(h.app, 'admin1', 'PUT', `/api/cameras/${h.ids.camera}/geometry`, next);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(next);
    expect((await call(h.app, 'officer1', 'GET', `/api/cameras/${h.ids.camera}/geometry`)).json()).toEqual(next);
    expect(await auditCount('camera.geometry_updated', h.ids.camera)).toBe(before + 1);
    const a = await h.db.pool.query<{ actor: string; data: { sha256: string; previousSha256: string | null } }>(
      `SELECT actor, data FROM audit_log WHERE action = 'camera.geometry_updated' AND entity_id = $1 ORDER BY seq DESC LIMIT 1`,
      [h.ids.camera],
    );
    expect(a.rows[0]!.actor).toBe('admin1');
    expect(a.rows[0]!.data.previousSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.rows[0]!.data.sha256).not.toBe(a.rows[0]!.data.previousSha256);
    // a supervisor may read the geometry but not write it
    expect((await call(h.app, 'super1', 'PUT', `/api/cameras/${h.ids.camera}/geometry`, GEOMETRY)).statusCode).toBe(403);
    expect((await call(h.app, 'admin1', 'GET', `/api/cameras/${h.ids.camera}/geometry`)).json()).toEqual(next);
    // an unknown camera: 404, nothing written
    expect((await call(h.app, 'admin1', 'PUT', `/api/cameras/${randomUUID()}/geometry`, GEOMETRY)).statusCode).toBe(404);
  });
});

describe('lamp tool', () => {
  it("serves each lamp's learned levels and last readings from the detector's saved state, to admins of the camera's agency only", async () => {
    const cam = await createCamera(h.db.pool, { agencyId: h.ids.agency, name: 'Camera đèn', address: '' });
    // no detector has run on it yet
    expect((await call(h.app, 'admin1', 'GET', `/api/cameras/${cam}/lamps`)).json()).toEqual({ updatedAt: null, heads: [] });
    const t0 = Date.parse('2026-12-07T08:00:00Z') / 1000;
    const reading = (lampId: string, brightness: number, lit: boolean) => ({
      lampId,
      brightness,
      hueMatch: lit ? 0.8123 : 0,
      rgb: lit ? [250, 40, 30] : [90, 80, 80],
      lit,
      unlitLevel: 88,
      litLevel: lit ? 231 : null,
      threshold: 159.56,
    });
    const frames = [0, 1, 2].map((k) => ({
      t: t0 + k * 0.2,
      readings: [reading('red', k === 0 ? 91.04 : 232.3, k > 0), reading('green', 95, false)],
      round: k === 0 ? 'unknown' : 'red',
      arrowsLit: [],
    }));
    await h.db.pool.query(`INSERT INTO detector_progress (camera_id, stream_id, seq, state, updated_at) VALUES ($1, '1-0', 3, $2, '2026-12-07T08:00:01Z')`, [
      cam,
      JSON.stringify({
        version: 1,
        tracks: [],
        lampFrames: { 'head-1': frames },
        lampLevels: { 'head-1': { red: { unlit: 88.04, lit: 231.66 }, green: { unlit: 95, lit: null } } },
      }),
    ]);
    const res = await call(h.app, 'admin1', 'GET', `/api/cameras/${cam}/lamps`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as CameraLamps;
    expect(body.updatedAt).toBe('2026-12-07T08:00:01.000Z');
    expect(body.heads).toHaveLength(1);
    const [head] = body.heads;
    expect(head!.states.map((s) => s.round)).toEqual(['unknown', 'red', 'red']);
    const red = head!.lamps.find((l) => l.lampId === 'red')!;
    expect(red).toMatchObject({ unlitLevel: 88, litLevel: 231.7 });
    expect(red.readings.map((r) => [r.brightness, r.lit])).toEqual([
      [91, false],
      [232.3, true],
      [232.3, true],
    ]);
    expect(red.readings[1]).toMatchObject({ at: '2026-12-07T08:00:00.200Z', threshold: 159.6, hueMatch: 0.81, rgb: [250, 40, 30] });
    expect(head!.lamps.find((l) => l.lampId === 'green')).toMatchObject({ unlitLevel: 95, litLevel: null });
    // nothing else of the detector's state (tracks, pending violations) is served
    expect(res.body).not.toContain('tracks');
    // an admin of another agency, and officers of the camera's own agency, do not get it
    const { createUser } = await import('../src/seed/demo');
    await createUser(h.db.pool, { username: 'admin.hn', password: 'correct horse battery', role: 'admin', agencyId: h.ids.otherAgency });
    const hn = await loginAs(h.app, 'admin.hn');
    const other = await h.app.inject({ method: 'GET', url: `/api/cameras/${cam}/lamps`, headers: bearer(hn) });
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('brightness');
    expect((await call(h.app, 'officer1', 'GET', `/api/cameras/${cam}/lamps`)).statusCode).toBe(403);
    expect((await call(h.app, 'admin1', 'GET', `/api/cameras/${randomUUID()}/lamps`)).statusCode).toBe(404);
    expect((await call(h.app, 'admin1', 'GET', '/api/cameras/not-a-uuid/lamps')).statusCode).toBe(400);
  });
});

describe('camera snapshot', () => {
  it('is 404 for a camera with no frame, no snapshot and no case', async () => {
    const cam = await createCamera(h.db.pool, { agencyId: h.ids.agency, name: 'Camera trống', address: '' });
    const res = await call(h.app, 'admin1', 'GET', `/api/cameras/${cam}/snapshot`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'no_snapshot' });
  });

  it('falls back to the latest case still, prefers a stored snapshot, and prefers the frame ring over both', async () => {
    const still = await call(h.app, 'admin1', 'GET', `/api/cameras/${h.ids.camera}/snapshot`);
    expect(still.statusCode).toBe(200);
    expect(still.headers['content-type']).toBe('image/jpeg');
    expect(still.headers['x-snapshot-source']).toBe('case_still');
    const expected = await h.storage.get('evidence', `${h.ids.camera}/cam-test/before.jpg`);
    expect(still.rawPayload.equals(expected)).toBe(true);

    // stored snapshots: the newest one under <cameraId>/
    const older = await demoJpeg('older');
    const newer = await demoJpeg('newer');
    await h.storage.put('snapshots', `${h.ids.camera}/a-older.jpg`, older, 'image/jpeg');
    await new Promise((r) => setTimeout(r, 1100)); // S3 lastModified has 1 s resolution
    await h.storage.put('snapshots', `${h.ids.camera}/0-newer.jpg`, newer, 'image/jpeg');
    await h.storage.put('snapshots', `${h.ids.otherCamera}/z.jpg`, await demoJpeg('other camera'), 'image/jpeg');
    const snap = await call(h.app, 'admin1', 'GET', `/api/cameras/${h.ids.camera}/snapshot`);
    expect(snap.headers['x-snapshot-source']).toBe('snapshots');
    expect(snap.rawPayload.equals(newer)).toBe(true);

    // the frame ring of this node: the newest raw slot whose trailer matches its reference, rendered as JPEG
    const ringDir = join(tmp, 'ring');
    const camDir = join(ringDir, h.ids.camera);
    mkdirSync(camDir, { recursive: true });
    const slotBytes = async (seq: number, rgb: { r: number; g: number; b: number }) => {
      const pixels = await sharp({ create: { width: 320, height: 180, channels: 3, background: rgb } })
        .raw()
        .toBuffer();
      const data = rgbToI420(pixels, 320, 180);
      return slotFileBytes({ width: 320, height: 180, data }, seq, Date.now());
    };
    const meanColour = async (jpeg: Buffer) => (await sharp(jpeg).stats()).channels.slice(0, 3).map((c) => Math.round(c.mean));
    const slotFile = join(camDir, '0007.frame');
    writeFileSync(slotFile, await slotBytes(7, { r: 200, g: 40, b: 40 }));
    const key = frameStreamKey(h.ids.camera, h.channelPrefix);
    const ref = (seq: number, path: string) =>
      frameRefToFields({ cameraId: h.ids.camera, seq, capturedAt: new Date().toISOString(), slot: seq, path, width: 320, height: 180, format: FRAME_FORMAT });
    await h.redis.xadd(key, '*', ...ref(7, slotFile));
    const ringApp = await buildApp({ ...h.deps, options: { ...h.deps.options, frameRingDir: ringDir } });
    const red = async () => {
      const res = await ringApp.inject({ method: 'GET', url: `/api/cameras/${h.ids.camera}/snapshot`, headers: auth('admin1') });
      expect(res.headers['x-snapshot-source']).toBe('frame_ring');
      expect(res.headers['content-type']).toBe('image/jpeg');
      const [r, g, b] = await meanColour(res.rawPayload);
      expect(r).toBeGreaterThan(170);
      expect(g).toBeLessThan(70);
      expect(b).toBeLessThan(70);
    };
    try {
      await red();
      // a newer reference whose slot was overwritten (sequence differs) is skipped for the older good one
      await h.redis.xadd(key, '*', ...ref(8, slotFile));
      await red();
      // a reference pointing outside this node's ring is never read
      const outside = join(tmp, 'outside.frame');
      writeFileSync(outside, await slotBytes(9, { r: 40, g: 200, b: 40 }));
      await h.redis.xadd(key, '*', ...ref(9, outside));
      await red();
    } finally {
      await ringApp.close();
    }
    // without a frame ring on this node (the harness app), the stored snapshot is still what it gets
    expect((await call(h.app, 'admin1', 'GET', `/api/cameras/${h.ids.camera}/snapshot`)).headers['x-snapshot-source']).toBe('snapshots');
  }, 60_000);
});

describe('notice preview', () => {
  it("renders the approved case's notice without storing, numbering or changing anything", async () => {
    const seq = async () => (await h.db.pool.query<{ last_value: string; is_called: boolean }>('SELECT last_value, is_called FROM notice_number_seq')).rows[0];
    const seqBefore = await seq();
    const auditBefore = (await h.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n;
    const res = await call(h.app, 'super1', 'GET', `/api/cases/${approvedCase}/notice/preview`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(tmp, 'preview.pdf');
    writeFileSync(file, res.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('BẢN XEM TRƯỚC');
    expect(text).toContain('63A-123.45');
    expect(text).toContain('Nguyễn Văn Chủ Xe');
    expect((await h.db.pool.query('SELECT 1 FROM notices WHERE case_id = $1', [approvedCase])).rowCount).toBe(0);
    expect((await h.db.pool.query<{ status: string }>('SELECT status FROM cases WHERE id = $1', [approvedCase])).rows[0]!.status).toBe('approved');
    expect(await seq()).toEqual(seqBefore);
    expect((await h.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n).toBe(auditBefore);
  });

  it('refuses a case that is not approved (409) and an unknown case (404)', async () => {
    const res = await call(h.app, 'super1', 'GET', `/api/cases/${detectedCase}/notice/preview`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: 'illegal_transition' });
    expect((await call(h.app, 'super1', 'GET', `/api/cases/${randomUUID()}/notice/preview`)).statusCode).toBe(404);
  });
});

describe('case overlays and trend', () => {
  it("the case detail carries the event's vehicle box, signal and rule detail (lane, stop line, frame size) and the clip frame rate", async () => {
    const c = (await call(h.app, 'officer1', 'GET', `/api/cases/${approvedCase}`)).json() as CaseDetail;
    expect(c.box).toEqual([100, 200, 300, 400]);
    // the event's own rule detail, as the detector emitted it
    expect(c.ruleDetail).toEqual({
      rule: 'redLightRule',
      summary: 'Vượt vạch dừng khi đèn đỏ 2,0 s',
      laneId: 'lane-1',
      stopLineId: 'stop-1',
      secondsAfterRed: 2,
      frameSize: [1280, 720],
      frameSeq: 1234,
    });
    expect(c.signal?.round).toBe('red');
    expect(c.clipFps).toBe(10);
    // no clip: the rate is unknown
    expect(((await call(h.app, 'officer1', 'GET', `/api/cases/${detectedCase}`)).json() as CaseDetail).clipFps).toBeNull();
  });

  it('stats carry 30 Vietnam days of violations by type, today last, zeros included', async () => {
    const old = await ingestEvent(
      h.deps,
      demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', type: 'wrong_lane', occurredAt: new Date(h.clock.now().getTime() - 3 * 86_400_000) }),
    );
    const tooOld = await ingestEvent(
      h.deps,
      demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', type: 'wrong_lane', occurredAt: new Date(h.clock.now().getTime() - 40 * 86_400_000) }),
    );
    const otherAgency = await ingestEvent(
      h.deps,
      demoEvent({ cameraId: h.ids.otherCamera, plate: null, type: 'wrong_way', occurredAt: new Date(h.clock.now().getTime() - 60_000) }),
    );
    expect([old.created, tooOld.created, otherAgency.created]).toEqual([true, true, true]);
    const admin = (await call(h.app, 'admin1', 'GET', '/api/stats')).json() as StatsSnapshot;
    const days = admin.violationsPerDay;
    expect(days).toHaveLength(30);
    expect(days.at(-1)!.day).toBe(vnDay(h.clock.now()));
    expect(days.map((d) => d.day)).toEqual([...days.map((d) => d.day)].sort());
    const today = days.at(-1)!;
    const approvedDay = days.find((d) => d.day === vnDay(approvedAt))!;
    expect(approvedDay.counts.red_light).toBeGreaterThanOrEqual(1);
    // this agency's detected case and the other agency's (on Vietnam days: the two may fall either side of midnight)
    const dayOf = (at: Date) => days.find((d) => d.day === vnDay(at))!;
    if (vnDay(detectedAt) === today.day) expect(today.counts.wrong_way).toBe(2);
    else expect([dayOf(detectedAt).counts.wrong_way, today.counts.wrong_way]).toEqual([1, 1]);
    expect(days.find((d) => d.day === vnDay(new Date(h.clock.now().getTime() - 3 * 86_400_000)))!.counts.wrong_lane).toBe(1);
    expect(days.reduce((s, d) => s + d.counts.wrong_lane, 0)).toBe(1); // the 40-day-old case is outside the window
    for (const d of days) expect(d.total).toBe(d.counts.red_light + d.counts.wrong_lane + d.counts.wrong_way + d.counts.speeding);
    // a supervisor sees its own agency only
    const sup = (await call(h.app, 'super1', 'GET', '/api/stats')).json() as StatsSnapshot;
    expect(sup.violationsPerDay.reduce((n, d) => n + d.counts.wrong_way, 0)).toBe(1);
  });
});
