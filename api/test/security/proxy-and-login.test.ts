// Who the client is (issue 22, item 1): X-Forwarded-For is believed only from TRUST_PROXY's addresses, so a
// caller cannot get a fresh rate-limit bucket per request by inventing the header.
// Sign-in throttling (item 2): the answers never tell a real name from a missing one, and a stranger cannot
// lock an officer out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startHarness, type Harness } from '../helpers';
import { backoffMs } from '../../src/services/login-throttle';
import { buildApp } from '../../src/app';
import { isProxyEntry, loadApiSecurityOptions } from '../../src/settings';
import type { ApiOptions } from '../../src/deps';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

let apps = 0;
async function appWith(options: Partial<ApiOptions>) {
  apps += 1;
  return buildApp({ ...h.deps, options: { ...h.deps.options, rateLimitNamespace: `${h.channelPrefix}rl-p${apps}:`, ...options } });
}

describe('trusted proxies (item 1)', () => {
  it('by default a forged X-Forwarded-For does not give a new rate-limit bucket (login and citizen lookup)', async () => {
    const app = await appWith({ loginRatePerMinute: 3, lookupRatePerMinute: 3 });
    try {
      const login: number[] = [];
      for (let i = 0; i < 5; i++) {
        login.push(
          (
            await app.inject({
              method: 'POST',
              url: '/api/auth/login',
              headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
              payload: { username: 'nobody', password: 'x' },
            })
          ).statusCode,
        );
      }
      expect(login).toEqual([401, 401, 401, 429, 429]);
      const lookup: number[] = [];
      for (let i = 0; i < 5; i++)
        lookup.push((await app.inject({ method: 'GET', url: '/api/public/challenge', headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } })).statusCode);
      expect(lookup).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await app.close();
    }
  });

  it('behind a trusted proxy each real client has its own bucket, and forging the header through the proxy does not help', async () => {
    const app = await appWith({ lookupRatePerMinute: 2, trustProxy: ['127.0.0.1/32'] });
    try {
      const from = async (xff: string) => (await app.inject({ method: 'GET', url: '/api/public/challenge', headers: { 'x-forwarded-for': xff } })).statusCode;
      expect([await from('203.0.113.7'), await from('203.0.113.7'), await from('203.0.113.7')]).toEqual([200, 200, 429]);
      expect(await from('203.0.113.8')).toBe(200);
      // The client puts its own X-Forwarded-For; the proxy appends the address it saw: the rightmost untrusted one counts.
      expect(await from('1.2.3.4, 203.0.113.7')).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('an untrusted peer (not in TRUST_PROXY) is keyed on its own address', async () => {
    const app = await appWith({ lookupRatePerMinute: 2, trustProxy: ['10.0.0.0/8'] });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++)
        codes.push((await app.inject({ method: 'GET', url: '/api/public/challenge', headers: { 'x-forwarded-for': `203.0.113.${i}` } })).statusCode);
      expect(codes).toEqual([200, 200, 429]);
    } finally {
      await app.close();
    }
  });

  it('TRUST_PROXY is a validated list of addresses and CIDRs, empty by default', () => {
    expect(loadApiSecurityOptions({}).trustProxy).toEqual([]);
    expect(loadApiSecurityOptions({ TRUST_PROXY: ' 10.0.0.0/8, 127.0.0.1 ,fd00::/8,loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'fd00::/8',
      'loopback',
    ]);
    expect(() => loadApiSecurityOptions({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY.*"true"/s);
    expect(() => loadApiSecurityOptions({ TRUST_PROXY: '10.0.0.0/33,*' })).toThrow(/TRUST_PROXY/);
    for (const bad of ['10.0.0.0/33', '::1/129', '300.1.1.1', '10.0.0.0/', '*', '1']) expect(isProxyEntry(bad), bad).toBe(false);
    for (const good of ['10.0.0.0/8', '::1', '192.168.1.1/32', 'uniquelocal']) expect(isProxyEntry(good), good).toBe(true);
    // Every bad variable named at once.
    expect(() => loadApiSecurityOptions({ TRUST_PROXY: 'x', METRICS_TOKEN: 'short', API_REQUEST_TIMEOUT_MS: '0' })).toThrow(
      /TRUST_PROXY[\s\S]*METRICS_TOKEN[\s\S]*API_REQUEST_TIMEOUT_MS/,
    );
  });
});

describe('sign-in throttling (item 2)', () => {
  type App = Awaited<ReturnType<typeof appWith>>;
  const attempt = async (app: App, username: string, password: string, from: string) => {
    const r = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: from, payload: { username, password } });
    const body = r.json() as { error: string; message: string };
    return { status: r.statusCode, error: body.error, message: body.message?.replace(/\d+ s$/, 'N s'), retryAfter: r.headers['retry-after'] !== undefined };
  };

  it('a real name and a missing one get the same answers, attempt after attempt', async () => {
    const app = await appWith({ lockoutThreshold: 3 });
    try {
      const real: unknown[] = [];
      const ghost: unknown[] = [];
      for (let i = 0; i < 5; i++) {
        real.push(await attempt(app, 'officer2', 'wrong password', '203.0.113.10'));
        ghost.push(await attempt(app, 'ghost.user', 'wrong password', '203.0.113.11'));
      }
      expect(real).toEqual(ghost);
      expect((real as { status: number }[]).map((r) => r.status)).toEqual([401, 401, 401, 429, 429]);
      expect(real[3]).toMatchObject({ error: 'too_many_attempts' });
      expect(real[3]).toMatchObject({ retryAfter: true });
      // A deactivated user answers like a missing one too.
      await h.db.pool.query("UPDATE users SET active = false WHERE username = 'officer2'");
      try {
        expect(await attempt(app, 'officer2', PASSWORD, '203.0.113.12')).toEqual(await attempt(app, 'ghost.user', PASSWORD, '203.0.113.13'));
      } finally {
        await h.db.pool.query("UPDATE users SET active = true WHERE username = 'officer2'");
      }
      // Nothing is written to the user's row.
      const row = await h.db.pool.query("SELECT failed_logins, locked_until FROM users WHERE username = 'officer2'");
      expect(row.rows[0]).toEqual({ failed_logins: 0, locked_until: null });
    } finally {
      await app.close();
    }
  });

  it('a stranger guessing from one address does not lock the officer out, even with the right password tried there later', async () => {
    const app = await appWith({});
    try {
      for (let i = 0; i < 12; i++) await attempt(app, 'officer1', 'guess', '198.51.100.66');
      expect((await attempt(app, 'officer1', PASSWORD, '198.51.100.66')).status).toBe(429);
      expect((await attempt(app, 'officer1', PASSWORD, '10.1.2.3')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("many addresses guessing one name are stopped for unknown addresses; the officer's known address still signs in", async () => {
    const app = await appWith({ loginNameThreshold: 4 });
    try {
      expect((await attempt(app, 'super2', PASSWORD, '10.9.9.9')).status).toBe(200);
      for (let i = 0; i < 4; i++) expect((await attempt(app, 'super2', 'guess', `192.0.2.${i + 1}`)).status).toBe(401);
      // The 5th address is refused before its password is checked, right or wrong; so is a missing name after as many.
      expect((await attempt(app, 'super2', PASSWORD, '192.0.2.200')).status).toBe(429);
      for (let i = 0; i < 4; i++) await attempt(app, 'ghost.two', 'guess', `192.0.2.${i + 1}`);
      expect(await attempt(app, 'ghost.two', PASSWORD, '192.0.2.201')).toEqual(await attempt(app, 'super2', PASSWORD, '192.0.2.202'));
      expect((await attempt(app, 'super2', PASSWORD, '10.9.9.9')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('a refusal ends after its backoff, which doubles with each further failure up to the maximum', async () => {
    const app = await appWith({ lockoutThreshold: 2, loginBackoffBaseMs: 400 });
    try {
      expect((await attempt(app, 'officer1', 'x', '203.0.113.90')).status).toBe(401);
      expect((await attempt(app, 'officer1', 'x', '203.0.113.90')).status).toBe(401);
      expect((await attempt(app, 'officer1', PASSWORD, '203.0.113.90')).status).toBe(429);
      await new Promise((r) => setTimeout(r, 900));
      expect((await attempt(app, 'officer1', PASSWORD, '203.0.113.90')).status).toBe(200);
    } finally {
      await app.close();
    }
    expect([0, 1, 2, 3, 10, 100].map((n) => backoffMs(n, { baseBackoffMs: 30_000, maxBackoffMs: 900_000 }))).toEqual([
      30_000, 60_000, 120_000, 240_000, 900_000, 900_000,
    ]);
  });
});
