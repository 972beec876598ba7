// Who the client is (issue 22, item 1): X-Forwarded-For is believed only from TRUST_PROXY's addresses, so a
// caller cannot get a fresh rate-limit bucket per request by inventing the header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers';
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
        login.push((await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-forwarded-for': `203.0.113.${i + 1}` }, payload: { username: 'nobody', password: 'x' } })).statusCode);
      }
      expect(login).toEqual([401, 401, 401, 429, 429]);
      const lookup: number[] = [];
      for (let i = 0; i < 5; i++) lookup.push((await app.inject({ method: 'GET', url: '/api/public/challenge', headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } })).statusCode);
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
      for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'GET', url: '/api/public/challenge', headers: { 'x-forwarded-for': `203.0.113.${i}` } })).statusCode);
      expect(codes).toEqual([200, 200, 429]);
    } finally {
      await app.close();
    }
  });

  it('TRUST_PROXY is a validated list of addresses and CIDRs, empty by default', () => {
    expect(loadApiSecurityOptions({}).trustProxy).toEqual([]);
    expect(loadApiSecurityOptions({ TRUST_PROXY: ' 10.0.0.0/8, 127.0.0.1 ,fd00::/8,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8', 'loopback']);
    expect(() => loadApiSecurityOptions({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY.*"true"/s);
    expect(() => loadApiSecurityOptions({ TRUST_PROXY: '10.0.0.0/33,*' })).toThrow(/TRUST_PROXY/);
    for (const bad of ['10.0.0.0/33', '::1/129', '300.1.1.1', '10.0.0.0/', '*', '1']) expect(isProxyEntry(bad), bad).toBe(false);
    for (const good of ['10.0.0.0/8', '::1', '192.168.1.1/32', 'uniquelocal']) expect(isProxyEntry(good), good).toBe(true);
    // Every bad variable named at once.
    expect(() => loadApiSecurityOptions({ TRUST_PROXY: 'x', METRICS_TOKEN: 'short', API_REQUEST_TIMEOUT_MS: '0' })).toThrow(/TRUST_PROXY[\s\S]*METRICS_TOKEN[\s\S]*API_REQUEST_TIMEOUT_MS/);
  });
});
