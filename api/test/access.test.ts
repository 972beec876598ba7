// Every route for every role (allowed and refused), bad input giving clear 4xx that changes nothing,
// lockout and rate limits, registry CSV import, visible delivery failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { bearer, importRegistryCsv, loginAs, METRICS_TOKEN, startHarness, waitFor, type Harness } from './helpers';
import { buildApp } from '../src/app';
import sharp from 'sharp';
import { demoEvent, storeDemoEvidence } from '../src/seed/demo';
import { ingestEvent } from '../src/jobs/handlers';
import { citizenSignIn } from '../src/oidc/citizen';
import { loadSignInSettings } from '../src/oidc/settings';
import { systemClock } from '../src/clock';

let h: Harness;
const tokens: Record<string, string> = {};
let workerToken = '';
let caseId = '';
beforeAll(async () => {
  h = await startHarness();
  for (const u of ['officer1', 'super1', 'operator1', 'admin1']) tokens[u] = await loginAs(h.app, u);
  const t = await h.app.inject({ method: 'POST', url: '/api/admin/tokens', headers: bearer(tokens.admin1!), payload: { name: 'w', role: 'worker' } });
  workerToken = (t.json() as { token: string }).token;
  const created = await ingestEvent(h.deps, demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', occurredAt: new Date(Date.now() - 600_000) }));
  caseId = created.caseId;
});
afterAll(async () => h?.close());

type Who = 'officer1' | 'super1' | 'operator1' | 'admin1' | 'worker';
const ALL: Who[] = ['officer1', 'super1', 'operator1', 'admin1', 'worker'];
const any = randomUUID();

const ROUTES: { method: 'GET' | 'POST' | 'PATCH'; url: () => string; allowed: Who[]; body?: unknown; contentType?: string }[] = [
  { method: 'GET', url: () => '/api/auth/me', allowed: ['officer1', 'super1', 'operator1', 'admin1'] },
  { method: 'GET', url: () => '/api/cases', allowed: ['officer1', 'super1'] },
  { method: 'GET', url: () => `/api/cases/${caseId}`, allowed: ['officer1', 'super1'] },
  { method: 'GET', url: () => '/api/registry/vehicles?plate=63A-123.45', allowed: ['officer1', 'super1'] },
  { method: 'POST', url: () => `/api/cases/${any}/claim`, allowed: ['officer1', 'super1'] },
  { method: 'POST', url: () => `/api/cases/${any}/release`, allowed: ['officer1', 'super1'] },
  { method: 'POST', url: () => `/api/cases/${any}/confirm`, allowed: ['officer1', 'super1'], body: {} },
  { method: 'POST', url: () => `/api/cases/${any}/reject`, allowed: ['officer1', 'super1'], body: { reason: 'duplicate' } },
  { method: 'POST', url: () => `/api/cases/${any}/plate`, allowed: ['officer1', 'super1'], body: { plateText: '63A-123.45' } },
  { method: 'POST', url: () => `/api/cases/${any}/approve`, allowed: ['super1'], body: {} },
  { method: 'POST', url: () => `/api/cases/${any}/return`, allowed: ['super1'], body: { reason: 'x' } },
  { method: 'POST', url: () => `/api/cases/${any}/notice`, allowed: ['super1'] },
  { method: 'GET', url: () => `/api/notices/${any}/pdf`, allowed: ['super1'] },
  { method: 'POST', url: () => `/api/cases/${any}/responses`, allowed: ['super1'], body: { kind: 'response', text: 'x' } },
  { method: 'POST', url: () => `/api/cases/${any}/resolve`, allowed: ['super1'], body: { outcome: 'fine_paid', text: 'x' } },
  { method: 'POST', url: () => '/api/post-batches', allowed: ['super1'] },
  { method: 'POST', url: () => `/api/deliveries/${any}/retry`, allowed: ['super1'] },
  { method: 'GET', url: () => '/api/warnings/export?target=inspection', allowed: ['super1'] },
  { method: 'GET', url: () => '/api/stats', allowed: ['operator1', 'super1', 'admin1'] },
  { method: 'GET', url: () => `/api/stats/cameras/${any}/snapshot`, allowed: ['operator1', 'super1', 'admin1'] },
  { method: 'GET', url: () => `/api/stats/cases/${caseId}/thumbnail`, allowed: ['operator1', 'super1', 'admin1'] },
  { method: 'GET', url: () => '/api/admin/users', allowed: ['admin1'] },
  { method: 'POST', url: () => '/api/admin/users', allowed: ['admin1'], body: { username: 'new.user', displayName: 'x', password: 'short' } },
  { method: 'POST', url: () => '/api/admin/tokens', allowed: ['admin1'], body: { name: 'x', role: 'worker' } },
  { method: 'POST', url: () => '/api/admin/registry/imports', allowed: ['admin1'], body: 'plate\n', contentType: 'text/csv' },
  { method: 'GET', url: () => '/api/admin/registry/imports', allowed: ['admin1'] },
  { method: 'GET', url: () => `/api/admin/registry/imports/${any}`, allowed: ['admin1'] },
  { method: 'GET', url: () => '/api/admin/cameras', allowed: ['admin1'] },
  { method: 'GET', url: () => `/api/admin/cameras/${any}`, allowed: ['admin1'] },
  { method: 'POST', url: () => '/api/admin/cameras', allowed: ['admin1'], body: { name: '' } },
  { method: 'PATCH', url: () => `/api/admin/cameras/${any}`, allowed: ['admin1'], body: { sampleFps: 0 } },
  { method: 'POST', url: () => '/api/admin/cameras/test-stream', allowed: ['admin1'], body: { streamUrl: 'not a url' } },
  { method: 'PATCH', url: () => `/api/admin/users/${any}`, allowed: ['admin1'], body: { displayName: 'x' } },
  { method: 'POST', url: () => `/api/admin/users/${any}/password`, allowed: ['admin1'], body: { password: 'long-enough-password' } },
  { method: 'POST', url: () => `/api/admin/users/${any}/deactivate`, allowed: ['admin1'] },
  { method: 'POST', url: () => `/api/admin/users/${any}/activate`, allowed: ['admin1'] },
  { method: 'POST', url: () => `/api/admin/users/${any}/sessions/revoke`, allowed: ['admin1'] },
  { method: 'GET', url: () => '/api/admin/tokens', allowed: ['admin1'] },
  { method: 'POST', url: () => `/api/admin/tokens/${any}/revoke`, allowed: ['admin1'] },
  { method: 'GET', url: () => '/api/admin/fines/offences', allowed: ['admin1'] },
  { method: 'PATCH', url: () => `/api/admin/agencies/${any}`, allowed: ['admin1'], body: { name: 'x' } },
  { method: 'GET', url: () => '/api/admin/fines', allowed: ['admin1'] },
  { method: 'POST', url: () => '/api/admin/fines', allowed: ['admin1'], body: { offence: 'x' } },
  { method: 'GET', url: () => '/api/admin/agencies', allowed: ['admin1'] },
  { method: 'POST', url: () => '/api/admin/agencies', allowed: ['admin1'], body: { code: 'x' } },
  { method: 'POST', url: () => '/api/worker/violations', allowed: ['worker'], body: { nope: 1 } },
  { method: 'GET', url: () => '/api/reports/outcomes?from=2026-01-01&to=2026-01-31', allowed: ['super1', 'operator1', 'admin1'] },
  { method: 'GET', url: () => '/api/reports/camera-daily?from=2026-01-01&to=2026-01-31&format=xlsx', allowed: ['super1', 'operator1', 'admin1'] },
  { method: 'GET', url: () => '/api/report-agencies', allowed: ['super1', 'operator1', 'admin1'] },
  { method: 'GET', url: () => '/api/report-schedules', allowed: ['super1', 'operator1', 'admin1'] },
  { method: 'POST', url: () => '/api/report-schedules', allowed: ['super1', 'operator1', 'admin1'], body: { report: 'outcomes' } },
  { method: 'POST', url: () => `/api/report-schedules/${any}/stop`, allowed: ['super1', 'operator1', 'admin1'] },
  { method: 'GET', url: () => `/api/cases/${any}/decision`, allowed: ['officer1', 'super1'] },
  { method: 'POST', url: () => `/api/cases/${any}/decision`, allowed: ['super1'], body: { amount: 1 } },
  { method: 'GET', url: () => `/api/decisions/${any}/pdf`, allowed: ['officer1', 'super1'] },
  { method: 'POST', url: () => '/api/payments/imports', allowed: ['super1', 'admin1'], body: 'decision_number\n', contentType: 'text/csv' },
  { method: 'GET', url: () => '/api/payments/imports', allowed: ['super1', 'admin1'] },
  { method: 'GET', url: () => `/api/payments/imports/${any}`, allowed: ['super1', 'admin1'] },
  { method: 'GET', url: () => '/api/payments/mismatches', allowed: ['super1', 'admin1'] },
  { method: 'POST', url: () => `/api/payments/mismatches/${any}/resolve`, allowed: ['super1', 'admin1'], body: { action: 'dismiss', note: 'xyz' } },
];

describe('access', () => {
  for (const r of ROUTES) {
    it(`${r.method} ${r.url().replace(any, ':id')} — allowed: ${r.allowed.join(', ')}`, async () => {
      const inject = (headers: Record<string, string>) =>
        h.app.inject({
          method: r.method,
          url: r.url(),
          headers: { ...headers, ...(r.contentType ? { 'content-type': r.contentType } : {}) },
          ...(r.body !== undefined ? { payload: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) } : {}),
          ...(r.body !== undefined && !r.contentType ? { headers: { ...headers, 'content-type': 'application/json' } } : {}),
        });
      expect((await inject({})).statusCode).toBe(401);
      expect((await inject({ authorization: 'Bearer not-a-real-token' })).statusCode).toBe(401);
      for (const who of ALL) {
        const res = await inject(bearer(who === 'worker' ? workerToken : tokens[who]!));
        if (r.allowed.includes(who)) expect([401, 403], `${who}: ${res.body}`).not.toContain(res.statusCode);
        else expect(res.statusCode, `${who}: ${res.body}`).toBe(403);
      }
    });
  }

  it('public routes answer without credentials; the SSE stream is refused to officers', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok', checks: { db: 'ok', redis: 'ok' } });
    expect((await h.app.inject({ method: 'GET', url: '/api/public/challenge' })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) })).body).toContain('api_request_duration_seconds');
    const docs = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect((docs.json() as { paths: Record<string, unknown> }).paths).toHaveProperty('/api/public/lookup');
    expect((await h.app.inject({ method: 'GET', url: '/api/stats/stream', headers: bearer(tokens.officer1!) })).statusCode).toBe(403);
    const res = await h.app.inject({ method: 'GET', url: '/health' });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sign-in routes: the provider flows are public (404 where not configured); citizen routes need a citizen session and nothing else', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/options' })).json()).toEqual({ staffProvider: false, local: 'on', citizenProvider: false });
    for (const url of [
      '/api/auth/oidc/start',
      '/api/auth/oidc/callback?code=x&state=y',
      '/api/citizen/oidc/start',
      '/api/citizen/oidc/callback?code=x&state=y',
    ]) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect((res.json() as { error: string }).error).toBe('not_configured');
    }
    const citizen = (
      await citizenSignIn(
        h.deps.db,
        systemClock,
        {
          issuer: 'https://vneid.example.vn',
          clientId: 'c',
          clientSecret: 's',
          scopes: 'openid',
          allowHttp: false,
          idNumberClaim: 'citizen_id',
          nameClaim: 'name',
          sessionTtlSeconds: 600,
        },
        { claims: { sub: 'v-access', citizen_id: '079200000099', name: 'Công dân' }, idToken: null, refreshToken: null, expiresIn: null },
      )
    ).token;
    const citizenRoutes: { method: 'GET' | 'POST'; url: string; body?: unknown; ok: number }[] = [
      { method: 'GET', url: '/api/citizen/me', ok: 200 },
      // another owner's case: not found, as if it did not exist
      { method: 'POST', url: `/api/citizen/cases/${caseId}/responses`, body: { kind: 'complaint', text: 'x' }, ok: 404 },
      { method: 'POST', url: '/api/citizen/logout', ok: 200 },
    ];
    for (const r of citizenRoutes) {
      const inject = (headers: Record<string, string>) =>
        h.app.inject({
          method: r.method,
          url: r.url,
          headers: { ...headers, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(r.body !== undefined ? { payload: JSON.stringify(r.body) } : {}),
        });
      expect((await inject({})).statusCode, r.url).toBe(401);
      expect((await inject({ cookie: 'pn_citizen=not-a-real-token' })).statusCode, r.url).toBe(401);
      for (const who of ALL) expect((await inject(bearer(who === 'worker' ? workerToken : tokens[who]!))).statusCode, `${r.url} as ${who}`).toBe(401);
      expect((await inject({ cookie: `pn_citizen=${citizen}` })).statusCode, `${r.url} as the citizen`).toBe(r.ok);
    }
    // after logout the citizen session is gone; a citizen session never opens a staff route
    expect((await h.app.inject({ method: 'GET', url: '/api/citizen/me', headers: { cookie: `pn_citizen=${citizen}` } })).statusCode).toBe(401);
    for (const r of ROUTES) {
      const res = await h.app.inject({
        method: r.method,
        url: r.url(),
        headers: { cookie: `pn_session=${citizen}; pn_citizen=${citizen}`, authorization: `Bearer ${citizen}` },
      });
      expect(res.statusCode, r.url()).toBe(401);
    }
  });

  it('a provider that cannot be reached: the sign-in page says so (no JSON error in the browser), nothing is stored', async () => {
    const signIn = loadSignInSettings({
      OIDC_ALLOW_HTTP: '1',
      OIDC_STAFF_ISSUER: 'http://127.0.0.1:9/realms/none',
      OIDC_STAFF_CLIENT_ID: 'c',
      OIDC_STAFF_CLIENT_SECRET: 's',
      OIDC_STAFF_ROLE_MAP: 'g=officer',
    });
    const app = await buildApp({ ...h.deps, signIn });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/auth/oidc/start' });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/login?error=provider_unavailable');
      expect((await h.deps.db.query('SELECT 1 FROM oidc_logins')).rowCount).toBe(0);
    } finally {
      await app.close();
    }
  });

  it("officers see only their own agency's cases", async () => {
    const other = await ingestEvent(h.deps, demoEvent({ cameraId: h.ids.otherCamera, plate: '30A-111.22', occurredAt: new Date() }));
    const hn = await loginAs(h.app, 'officerhn');
    expect((await h.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: bearer(hn) })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/claim`, headers: bearer(hn) })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: `/api/cases/${other.caseId}`, headers: bearer(tokens.officer1!) })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: `/api/cases/${other.caseId}`, headers: bearer(hn) })).statusCode).toBe(200);
  });
});

describe('live statistics', () => {
  it('streams a snapshot and camera status published by ingest and the detector over SSE', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as { port: number }).port;
    const ac = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/api/stats/stream`, { headers: bearer(tokens.operator1!), signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil('event: snapshot');
    expect(text).toContain('"backlog"');
    await h.redis.publish(
      `${h.channelPrefix}camera-status`,
      JSON.stringify({ cameraId: h.ids.camera, state: 'online', fps: 5, framesDropped: 2, lastError: null }),
    );
    await h.redis.publish(
      `${h.channelPrefix}detector-stats`,
      JSON.stringify({ cameraId: h.ids.camera, detectionsPerSecond: 12.5, framesPerSecond: 5, backend: 'wasm' }),
    );
    await readUntil('"detectionsPerSecond":12.5');
    expect(text).toContain(`event: camera\ndata: {"cameraId":"${h.ids.camera}","state":"online","online":true,"fps":5`);
    ac.abort();
    const stats = await h.app.inject({ method: 'GET', url: '/api/stats', headers: bearer(tokens.operator1!) });
    const cam = (stats.json() as { cameras: { cameraId: string; online: boolean; fps: number; detectionsPerSecond: number }[] }).cameras.find(
      (c) => c.cameraId === h.ids.camera,
    );
    expect(cam).toMatchObject({ online: true, fps: 5, detectionsPerSecond: 12.5 });
    const backlog = (stats.json() as { backlog: { detected: number } }).backlog;
    expect(backlog.detected).toBeGreaterThanOrEqual(1);
    // The detector's rates and TF.js backend, per camera, in Prometheus form.
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) })).body;
    expect(metrics).toContain(`detector_frames_per_second{camera_id="${h.ids.camera}",backend="wasm"} 5`);
    expect(metrics).toContain(`detector_detections_per_second{camera_id="${h.ids.camera}",backend="wasm"} 12.5`);
    // A message with a backend name that is not one gets "unknown", never the raw string in a label.
    await h.redis.publish(
      `${h.channelPrefix}detector-stats`,
      JSON.stringify({ cameraId: h.ids.camera, detectionsPerSecond: 1, framesPerSecond: 1, backend: '"} 9\nfake 1' }),
    );
    await expect
      .poll(async () => (await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) })).body, { timeout: 5000 })
      .toContain(`detector_frames_per_second{camera_id="${h.ids.camera}",backend="unknown"} 1`);
  });

  it('shows a camera online at ingest but not detecting as a fault, with the reason, on the board and in /metrics', async () => {
    const cam = h.ids.camera;
    type Live = { cameraId: string; online: boolean; detectionFault: string | null; detectionError: string | null };
    const live = async (): Promise<Live> =>
      ((await h.app.inject({ method: 'GET', url: '/api/stats', headers: bearer(tokens.operator1!) })).json() as { cameras: Live[] }).cameras.find(
        (c) => c.cameraId === cam,
      )!;
    const metrics = async () => (await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) })).body;
    const ingestOnline = () =>
      h.redis.publish(`${h.channelPrefix}camera-status`, JSON.stringify({ cameraId: cam, state: 'online', fps: 5, framesDropped: 0, lastError: null }));
    const detector = (m: Record<string, unknown>) =>
      h.redis.publish(`${h.channelPrefix}detector-stats`, JSON.stringify({ cameraId: cam, detectionsPerSecond: 3, framesPerSecond: 5, backend: 'wasm', ...m }));
    await ingestOnline();

    // The detector's frame loop fails and retries: a fault at once, with the detector's reason.
    await detector({ state: 'retrying', error: 'Connection terminated unexpectedly', framesPerSecond: 0, detectionsPerSecond: 0 });
    await expect
      .poll(live, { timeout: 5000 })
      .toMatchObject({ online: true, detectionFault: 'retrying', detectionError: 'Connection terminated unexpectedly' });
    let m = await metrics();
    expect(m).toContain(`camera_detecting{camera_id="${cam}"} 0`);
    expect(m).toContain(`camera_detection_fault{camera_id="${cam}",reason="retrying"} 1`);

    // Back to detecting: no fault.
    await detector({ state: 'detecting', error: null });
    await expect.poll(live, { timeout: 5000 }).toMatchObject({ online: true, detectionFault: null, detectionError: null });
    m = await metrics();
    expect(m).toContain(`camera_detecting{camera_id="${cam}"} 1`);
    expect(m).not.toContain(`camera_detection_fault{camera_id="${cam}"`);

    // "Detecting" but no frame through the detector while ingest delivers 5 a second: not detecting either.
    await detector({ state: 'detecting', error: null, framesPerSecond: 0, detectionsPerSecond: 0 });
    await expect.poll(live, { timeout: 5000 }).toMatchObject({ detectionFault: 'no_frames' });

    // The detector gave the camera up: the fault and its reason stay while no other detector reports on it.
    await detector({ state: 'gave_up', error: 'frame loop failed for 60 s: read ECONNRESET', framesPerSecond: 0, detectionsPerSecond: 0 });
    await expect.poll(live, { timeout: 5000 }).toMatchObject({ detectionFault: 'gave_up', detectionError: 'frame loop failed for 60 s: read ECONNRESET' });
    h.clock.advance(20_000);
    await ingestOnline();
    await expect.poll(async () => (await live()).detectionFault, { timeout: 5000 }).toBe('gave_up');

    // A detector that reported and then went silent (killed): a fault once NO_REPORT_MS passes without a report.
    await detector({ state: 'detecting', error: null });
    await expect.poll(async () => (await live()).detectionFault, { timeout: 5000 }).toBeNull();
    h.clock.advance(16_000);
    await ingestOnline();
    await expect.poll(live, { timeout: 5000 }).toMatchObject({ online: true, detectionFault: 'no_report' });
    expect(await metrics()).toContain(`camera_detection_fault{camera_id="${cam}",reason="no_report"} 1`);

    // A camera whose ingest is offline is an offline camera, not a detection fault.
    await h.redis.publish(
      `${h.channelPrefix}camera-status`,
      JSON.stringify({ cameraId: cam, state: 'offline', fps: 0, framesDropped: 0, lastError: 'connection refused' }),
    );
    await expect.poll(live, { timeout: 5000 }).toMatchObject({ online: false, detectionFault: null });
    expect(await metrics()).not.toContain(`camera_detecting{camera_id="${cam}"}`);
  });

  it("gives the wall its pictures: a case's still and a camera's snapshot to operators and the agency, 404 to another agency; ingest's error class reaches /api/stats", async () => {
    const jpeg = await sharp({ create: { width: 640, height: 360, channels: 3, background: '#778899' } })
      .jpeg()
      .toBuffer();
    const at = new Date(Date.now() - 300_000);
    const still = await storeDemoEvidence(h.storage, `${h.ids.camera}/wall-test/scene_before.jpg`, jpeg, at, 'scene_before');
    const created = await ingestEvent(h.deps, demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', occurredAt: at, evidence: [still] }));
    const hn = await loginAs(h.app, 'superhn');
    const get = (url: string, token: string) => h.app.inject({ method: 'GET', url, headers: bearer(token) });
    const thumb = await get(`/api/stats/cases/${created.caseId}/thumbnail`, tokens.operator1!);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(thumb.rawPayload).metadata()).width).toBe(480);
    expect((await get(`/api/stats/cases/${created.caseId}/thumbnail`, tokens.super1!)).statusCode).toBe(200);
    expect((await get(`/api/stats/cases/${created.caseId}/thumbnail`, hn)).statusCode).toBe(404);
    const snap = await get(`/api/stats/cameras/${h.ids.camera}/snapshot`, tokens.operator1!);
    expect(snap.statusCode).toBe(200);
    expect(snap.headers['content-type']).toBe('image/jpeg');
    expect((await get(`/api/stats/cameras/${h.ids.camera}/snapshot`, hn)).statusCode).toBe(404);
    // the wall shows the reason in words from ingest's class of the failure
    await h.redis.publish(
      `${h.channelPrefix}camera-status`,
      JSON.stringify({
        cameraId: h.ids.otherCamera,
        state: 'reconnecting',
        fps: 0,
        framesDropped: 0,
        lastError: 'method DESCRIBE failed: 404 Not Found',
        lastErrorCode: 'not_found',
      }),
    );
    await waitFor(async () => {
      const cams = ((await get('/api/stats', tokens.operator1!)).json() as { cameras: { cameraId: string; state: string; lastErrorCode: string | null }[] })
        .cameras;
      const c = cams.find((x) => x.cameraId === h.ids.otherCamera);
      return c?.state === 'reconnecting' && c.lastErrorCode === 'not_found';
    });
  });
});

describe('bad input gives a clear 4xx and changes nothing', () => {
  async function auditCount(): Promise<number> {
    return (await h.db.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n;
  }

  it('malformed JSON, wrong types, unknown fields and huge payloads', async () => {
    const before = await auditCount();
    const headers = { ...bearer(tokens.officer1!), 'content-type': 'application/json' };
    const bad = await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/reject`, headers, payload: '{"reason": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'bad_request' });
    const wrongType = await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/reject`, headers, payload: JSON.stringify({ reason: 42 }) });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json()).toMatchObject({ error: 'validation' });
    const unknownReason = await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/reject`, headers, payload: JSON.stringify({ reason: 'because' }) });
    expect(unknownReason.statusCode).toBe(400);
    const extra = await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/confirm`, headers, payload: JSON.stringify({ status: 'approved' }) });
    expect(extra.statusCode).toBe(400);
    const huge = await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/confirm`, headers, payload: JSON.stringify({ note: 'x'.repeat(200_000) }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: 'payload_too_large' });
    const badId = await h.app.inject({ method: 'GET', url: '/api/cases/not-a-uuid', headers: bearer(tokens.officer1!) });
    expect(badId.statusCode).toBe(400);
    const badQuery = await h.app.inject({ method: 'GET', url: '/api/cases?minConfidence=abc', headers: bearer(tokens.officer1!) });
    expect(badQuery.statusCode).toBe(400);
    const lookupBad = await h.app.inject({
      method: 'POST',
      url: '/api/public/lookup',
      payload: { plate: '63A-123.45', vehicleType: 'tank', challenge: 'x', nonce: '1' },
    });
    expect(lookupBad.statusCode).toBe(400);
    const invalidEvent = await h.app.inject({ method: 'POST', url: '/api/worker/violations', headers: bearer(workerToken), payload: { idempotencyKey: 'x' } });
    expect(invalidEvent.statusCode).toBe(400);
    expect(invalidEvent.json()).toMatchObject({ error: 'invalid_event' });
    const unknownCamera = demoEvent({ cameraId: randomUUID(), plate: '63A-123.45', occurredAt: new Date() });
    const uc = await h.app.inject({ method: 'POST', url: '/api/worker/violations', headers: bearer(workerToken), payload: unknownCamera });
    expect(uc.statusCode).toBe(400);
    expect(uc.json()).toMatchObject({ error: 'unknown_camera' });
    expect(await auditCount()).toBe(before);
    expect((await h.db.pool.query('SELECT status FROM cases WHERE id = $1', [caseId])).rows[0].status).toBe('detected');
  });

  it('an invalid plate correction and "other" without text are refused and change nothing', async () => {
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/claim`, headers: bearer(tokens.officer1!) })).statusCode).toBe(200);
    const before = await auditCount();
    const plate = await h.app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/plate`,
      headers: bearer(tokens.officer1!),
      payload: { plateText: '99Q-ABC.DE' },
    });
    expect(plate.statusCode).toBe(400);
    expect(plate.json()).toMatchObject({ error: 'invalid_plate', params: { plate: '99Q-ABC.DE', kind: expect.stringMatching(/^(car|motorbike)$/) } });
    const other = await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/reject`, headers: bearer(tokens.officer1!), payload: { reason: 'other' } });
    expect(other.statusCode).toBe(400);
    expect(await auditCount()).toBe(before);
  });

  it('a corrected plate that is not in the registry flags the case for manual handling; approval and the notice need an owner', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/plate`,
      headers: bearer(tokens.officer1!),
      payload: { plateText: '63a99999' },
    });
    expect(res.statusCode).toBe(200);
    const row = (await h.db.pool.query('SELECT plate_text, plate_original, manual_handling, manual_reason FROM cases WHERE id = $1', [caseId])).rows[0];
    expect(row).toEqual({ plate_text: '63A-999.99', plate_original: '63A-123.45', manual_handling: true, manual_reason: 'plate_not_in_registry' });
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/confirm`, headers: bearer(tokens.officer1!), payload: {} })).statusCode).toBe(200);
    // Art. 24.1: the owner is identified before approval (identify, enter the owner or route the case first)
    const approve = await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/approve`, headers: bearer(tokens.super1!), payload: {} });
    expect(approve.statusCode).toBe(409);
    expect(approve.json()).toMatchObject({ error: 'owner_unknown' });
    expect((await h.db.pool.query('SELECT status FROM cases WHERE id = $1', [caseId])).rows[0].status).toBe('confirmed');
    const notice = await h.app.inject({ method: 'POST', url: `/api/cases/${caseId}/notice`, headers: bearer(tokens.super1!) });
    expect(notice.statusCode).toBe(409);
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM notices')).rows[0].n).toBe(0);
  });
});

describe('login protection', () => {
  it('rate-limits login and lookup per IP', async () => {
    const app = await buildApp({
      ...h.deps,
      options: { ...h.deps.options, loginRatePerMinute: 3, lookupRatePerMinute: 2, rateLimitNamespace: `${h.channelPrefix}rl2:` },
    });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++)
        codes.push((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'x' } })).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
      const l: number[] = [];
      for (let i = 0; i < 3; i++) l.push((await app.inject({ method: 'GET', url: '/api/public/challenge' })).statusCode);
      expect(l).toEqual([200, 200, 429]);
    } finally {
      await app.close();
    }
  });
});

describe('admin data', () => {
  it('a new fine schedule version applies from its date; earlier violations keep the old row', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/admin/fines',
      headers: bearer(tokens.admin1!),
      payload: {
        offence: 'red_light',
        vehicleGroup: 'car',
        description: 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông',
        legalBasis: 'Nghị định 999/2030/NĐ-CP',
        article: 'Điểm b khoản 9 Điều 6',
        fineMin: 20_000_000,
        fineMax: 22_000_000,
        points: 4,
        effectiveFrom: '2030-01-01',
      },
    });
    expect(res.statusCode).toBe(201);
    const rows = (res.json() as { items: { offence: string; vehicleGroup: string; effectiveFrom: string; effectiveTo: string | null }[] }).items.filter(
      (r) => r.offence === 'red_light' && r.vehicleGroup === 'car',
    );
    expect(rows.map((r) => [r.effectiveFrom, r.effectiveTo])).toEqual([
      ['2025-01-01', '2030-01-01'],
      ['2030-01-01', null],
    ]);
    const { fineFor } = await import('../src/services/fines');
    expect((await fineFor(h.db.pool, 'red_light', 'car', new Date('2029-12-31T10:00:00Z')))!.fineMin).toBe(18_000_000);
    expect((await fineFor(h.db.pool, 'red_light', 'truck', new Date('2030-01-02T10:00:00Z')))!.fineMin).toBe(20_000_000);
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/admin/fines',
      headers: bearer(tokens.admin1!),
      payload: {
        offence: 'red_light',
        vehicleGroup: 'car',
        description: 'x',
        legalBasis: 'x',
        article: 'x',
        fineMin: 1,
        fineMax: 2,
        points: 0,
        effectiveFrom: '2029-06-01',
      },
    });
    expect(again.statusCode).toBe(409);
  });

  it('creates agencies with a jurisdiction and refuses duplicate codes', async () => {
    const body = { code: 'CAX-P2', name: 'Công an phường 2', kind: 'commune_police', provinceCode: '63', commune: 'Phường 2' };
    const res = await h.app.inject({ method: 'POST', url: '/api/admin/agencies', headers: bearer(tokens.admin1!), payload: body });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ code: 'CAX-P2', kind: 'commune_police', commune: 'Phường 2' });
    expect((await h.app.inject({ method: 'POST', url: '/api/admin/agencies', headers: bearer(tokens.admin1!), payload: body })).statusCode).toBe(409);
    const list = await h.app.inject({ method: 'GET', url: '/api/admin/agencies', headers: bearer(tokens.admin1!) });
    expect((list.json() as { items: { code: string }[] }).items.map((a) => a.code)).toContain('CAX-P2');
  });
});

describe('registry import and deliveries', () => {
  it('looks up an owner by plate for officers, writing the access to the audit log; unknown plates are a clear 404', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/registry/vehicles?plate=63a12345', headers: bearer(tokens.officer1!) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ plate: '63A-123.45', vehicleType: 'car', owner: { fullName: 'Nguyễn Văn Chủ Xe', provinceCode: '63' } });
    const a = await h.db.pool.query(`SELECT actor FROM audit_log WHERE action = 'registry.viewed' AND entity_id = '63A-123.45'`);
    expect(a.rows.map((r) => r.actor)).toContain('officer1');
    const unknown = await h.app.inject({ method: 'GET', url: '/api/registry/vehicles?plate=63A-999.98', headers: bearer(tokens.officer1!) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'plate_not_in_registry' });
    expect((await h.app.inject({ method: 'GET', url: '/api/registry/vehicles?plate=hello', headers: bearer(tokens.officer1!) })).statusCode).toBe(400);
  });

  it('imports good CSV rows and reports each rejected row with its line', async () => {
    const csv = [
      'plate,plate_colour,vehicle_type,brand,colour,owner_name,owner_id_number,address,province_code,commune,email,phone',
      '51G-555.66,white,car,Toyota,đen,"Lê Văn A, con",079000000001,"1 Nguyễn Huệ, Q1",79,Bến Nghé,a@example.vn,0901',
      '51G-55X.66,white,car,Toyota,đen,Lê Văn B,079000000002,addr,79,,,',
      '59-T1 202.45,purple,motorbike,Honda,đỏ,Lê Văn C,079000000003,addr,79,,,',
      '59-T1 202.46,white,motorbike,Honda,đỏ,Lê Văn D,079000000004,addr,7,,,',
      'too,few,fields',
      '59-T1 202.47,white,motorbike,Honda,đỏ,Lê Văn E,079000000005,addr,79,,,',
    ].join('\n');
    const report = await importRegistryCsv(h, tokens.admin1!, csv);
    expect(report.status).toBe('done');
    expect(report.accepted).toBe(2);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6]);
    expect(report.rejected[0]!.reason).toContain('invalid plate');
    const owner = (
      await h.db.pool.query(`SELECT o.full_name FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id WHERE v.plate = '51G-555.66'`)
    ).rows[0];
    expect(owner.full_name).toBe('Lê Văn A, con');
    const badHeader = await importRegistryCsv(h, tokens.admin1!, 'a,b\n1,2');
    expect(badHeader).toMatchObject({ status: 'failed', accepted: 0 });
    expect(badHeader.error).toContain('the first line must be: plate,plate_colour,');
  });

  it('a failing SMS gateway is retried and the failure is visible on the delivery', async () => {
    const c = await ingestEvent(h.deps, demoEvent({ cameraId: h.ids.camera, plate: '63A-123.45', occurredAt: new Date(h.clock.now().getTime() - 60_000) }));
    const officer = await loginAs(h.app, 'officer1');
    const sup = await loginAs(h.app, 'super1');
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${c.caseId}/claim`, headers: bearer(officer) })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${c.caseId}/confirm`, headers: bearer(officer), payload: {} })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${c.caseId}/approve`, headers: bearer(sup), payload: {} })).statusCode).toBe(200);
    h.smsFailure.message = 'gateway down';
    expect((await h.app.inject({ method: 'POST', url: `/api/cases/${c.caseId}/notice`, headers: bearer(sup) })).statusCode).toBe(200);
    await waitFor(
      async () => (await h.db.pool.query(`SELECT 1 FROM deliveries WHERE channel = 'sms' AND attempts >= 1 AND last_error = 'gateway down'`)).rowCount === 1,
    );
    const detail = await h.app.inject({ method: 'GET', url: `/api/cases/${c.caseId}`, headers: bearer(sup) });
    const sms = (detail.json() as { notice: { deliveries: { channel: string; lastError: string | null; status: string }[] } }).notice.deliveries.find(
      (d) => d.channel === 'sms',
    );
    expect(sms).toMatchObject({ lastError: 'gateway down', status: 'pending' });
    h.smsFailure.message = null;
    // the retry (exponential backoff) delivers once the gateway is back
    await waitFor(async () => (await h.db.pool.query(`SELECT 1 FROM deliveries WHERE channel = 'sms' AND status = 'sent'`)).rowCount === 1, 30_000);
    // a delivery that failed for good can be sent again by a supervisor; one that was sent cannot
    const emailId = (await h.db.pool.query(`SELECT id FROM deliveries WHERE channel = 'email' AND status = 'sent' LIMIT 1`)).rows[0].id as string;
    expect((await h.app.inject({ method: 'POST', url: `/api/deliveries/${emailId}/retry`, headers: bearer(sup) })).statusCode).toBe(409);
    await h.db.pool.query(`UPDATE deliveries SET status = 'failed', last_error = 'mailbox full' WHERE id = $1`, [emailId]);
    const mails = h.sentMail.length;
    expect((await h.app.inject({ method: 'POST', url: `/api/deliveries/${emailId}/retry`, headers: bearer(sup) })).json()).toEqual({
      id: emailId,
      status: 'pending',
    });
    await waitFor(async () => (await h.db.pool.query(`SELECT 1 FROM deliveries WHERE id = $1 AND status = 'sent'`, [emailId])).rowCount === 1);
    expect(h.sentMail.length).toBe(mails + 1);
    // outbox safety net: a pending row whose job was never enqueued (process died after commit) is picked up by the sweep
    const smsId = (await h.db.pool.query(`SELECT id FROM deliveries WHERE channel = 'sms' LIMIT 1`)).rows[0].id as string;
    await h.db.pool.query(`UPDATE deliveries SET status = 'pending', updated_at = $2 WHERE id = $1`, [smsId, new Date(h.clock.now().getTime() - 120_000)]);
    const smsCount = h.sentSms.length;
    const { sweepOutbox } = await import('../src/jobs/handlers');
    // its old job id is still held by the completed job, so the sweep re-queues under the same de-duplication rule:
    // remove the completed job first to model a job lost with Redis
    for (const j of await h.queues.queue('outbox').getCompleted()) if ((j.data as { outboxId: string }).outboxId === smsId) await j.remove();
    expect(await sweepOutbox(h.deps)).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await h.db.pool.query(`SELECT 1 FROM deliveries WHERE id = $1 AND status = 'sent'`, [smsId])).rowCount === 1);
    expect(h.sentSms.length).toBe(smsCount + 1);
  });
});
