// What the api gave away or accepted from any page (issue 22, item 10): /metrics without credentials, the
// process id on every answer, the session token readable by scripts in the login body, and state-changing
// requests from other sites.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, loginAs, METRICS_TOKEN, PASSWORD, startHarness, type Harness } from '../helpers';
import { buildApp, crossOriginReason } from '../../src/app';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('metrics, process id, token in body (item 10)', () => {
  it('/metrics needs the metrics token; without a configured token it is not served', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer('wrong-token-wrong-token') })).statusCode).toBe(401);
    // A user session is not the metrics token either.
    expect((await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer(await loginAs(h.app, 'admin1')) })).statusCode).toBe(401);
    const ok = await h.app.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('api_cases');
    const app = await buildApp({ ...h.deps, options: { ...h.deps.options, metricsToken: null } });
    try {
      const res = await app.inject({ method: 'GET', url: '/metrics', headers: bearer(METRICS_TOKEN) });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('api_cases');
    } finally {
      await app.close();
    }
  });

  it('no answer names the process unless API_EXPOSE_PID is set', async () => {
    for (const url of ['/health', '/api/public/challenge', '/api/cases']) {
      expect((await h.app.inject({ method: 'GET', url })).headers['x-api-pid']).toBeUndefined();
    }
    const app = await buildApp({ ...h.deps, options: { ...h.deps.options, exposePid: true } });
    try {
      expect((await app.inject({ method: 'GET', url: '/health' })).headers['x-api-pid']).toBe(String(process.pid));
    } finally {
      await app.close();
    }
  });

  it('login puts the session token only in the HttpOnly cookie, never in the body', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'officer1', password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'pn_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(res.body).not.toContain(cookie.value);
    expect(Object.keys(res.json() as object).sort()).toEqual(['expiresAt', 'user']);
    // The cookie alone is a session (what the review UI relies on).
    const me = await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { pn_session: cookie.value } });
    expect(me.statusCode).toBe(200);
  });
});

describe('Origin check (item 10)', () => {
  it('state-changing requests from another site are refused before anything runs; same-site, listed and non-browser ones pass', async () => {
    const session = await loginAs(h.app, 'admin1');
    const before = (await h.db.pool.query('SELECT count(*)::int AS n FROM api_tokens')).rows[0].n as number;
    const post = (headers: Record<string, string>) =>
      h.app.inject({
        method: 'POST',
        url: '/api/admin/tokens',
        headers: { host: 'csgt.local:8080', cookie: `pn_session=${session}`, ...headers },
        payload: { name: 'w', role: 'worker' },
      });
    for (const headers of <Record<string, string>[]>[
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'http://csgt.local:8081' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'file://x' },
    ]) {
      const res = await post(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json()).toMatchObject({ error: 'bad_origin' });
    }
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM api_tokens')).rows[0].n).toBe(before);
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example' },
      payload: { username: 'officer1', password: PASSWORD },
    });
    expect(login.statusCode).toBe(403);
    expect(login.cookies).toHaveLength(0);
    // Same origin, no Origin (curl, the detector), and a GET from anywhere.
    expect((await post({ origin: 'http://csgt.local:8080' })).statusCode).toBe(201);
    expect((await post({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
    expect((await post({})).statusCode).toBe(201);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: { origin: 'https://evil.example', cookie: `pn_session=${session}` } })).statusCode,
    ).toBe(200);
    // PUBLIC_BASE_URL's origin (the citizen site) and API_ALLOWED_ORIGINS are allowed.
    expect((await post({ origin: 'https://phatnguoi.test' })).statusCode).toBe(201);
    const app = await buildApp({ ...h.deps, options: { ...h.deps.options, allowedOrigins: ['https://ioc.example.vn'] } });
    try {
      const res = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { origin: 'https://ioc.example.vn' } });
      expect(res.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('crossOriginReason', () => {
    const none = new Set<string>();
    expect(crossOriginReason(undefined, undefined, 'a.vn', none)).toBeNull();
    expect(crossOriginReason(undefined, 'cross-site', 'a.vn', none)).toMatch(/cross-site/);
    expect(crossOriginReason('https://a.vn', 'same-origin', 'a.vn', none)).toBeNull();
    expect(crossOriginReason('https://A.vn', undefined, 'a.vn', none)).toBeNull();
    expect(crossOriginReason('https://a.vn.evil.example', undefined, 'a.vn', none)).toMatch(/refused/);
    expect(crossOriginReason('not a url', undefined, 'a.vn', none)).toMatch(/not an origin/);
  });
});
