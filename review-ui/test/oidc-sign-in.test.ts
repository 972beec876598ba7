// Sign-in through OpenID Connect end to end (issue 26): a real provider (oidc-provider, its own process: the
// province platform for staff, a VNeID stand-in for citizens), the real api and UI, Chromium. The staff provider is
// reached through a small proxy in this file, standing in for an attacker on the path: armed, it swaps the ID token
// in the token response for a forged one (bad signature), one for another audience (signed with the provider's own
// key), or one replayed from an earlier sign-in (stale nonce). Every one of them must be refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ControllableClock } from '@phatnguoi/api/clock';
import { loadSignInSettings } from '@phatnguoi/api/oidc/settings';
import { buildUi, launchBrowser, PASSWORD, screenshot, startStack, USERS, type Stack } from './harness';

const ROOT = join(import.meta.dirname, '..', '..');
const STAFF_CLIENT = { id: 'phatnguoi-staff', secret: 'staff-client-secret-for-tests' };
const CITIZEN_CLIENT = { id: 'phatnguoi-citizen', secret: 'citizen-client-secret-for-tests' };
const IDP_PASSWORD = 'idp-password-2025';
const HOA = '001190000001'; // owns 29-B1 123.45 (harness registry)
const KHANH = '001190000002'; // owns 30A-999.99

let stack: Stack;
let browser: Browser;
let provider: ChildProcess;
let proxy: Server;
let tmp: string;
let staffKey: JWK;
const clock = new ControllableClock(new Date());
const contexts: BrowserContext[] = [];
const providerOutput: string[] = [];

/** What the proxy does to the next token response's ID token. */
type Tamper = 'forge' | 'audience' | 'replay' | null;
let tamper: Tamper = null;
let lastGenuineIdToken: string | null = null;

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function tampered(idToken: string, how: Exclude<Tamper, null>): Promise<string> {
  const header = decodeProtectedHeader(idToken);
  const claims = decodeJwt(idToken);
  if (how === 'replay') return lastGenuineIdToken!;
  if (how === 'audience') {
    // A genuine signature (the provider's own key), issued for another client.
    return new SignJWT({ ...claims, aud: 'another-province-service' })
      .setProtectedHeader({ alg: 'RS256', kid: header.kid! })
      .sign(await importJWK(staffKey, 'RS256'));
  }
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid! }).sign(privateKey);
}

/** Forwards everything to the staff provider; the token endpoint's answer is changed while armed. */
function startProxy(listenPort: number, targetPort: number): Promise<Server> {
  const server = createHttpServer((req, res) => {
    const up = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      if (!(req.method === 'POST' && req.url === '/token' && upRes.statusCode === 200)) {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        void (async () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id_token?: string };
          if (body.id_token && tamper) body.id_token = await tampered(body.id_token, tamper);
          else if (body.id_token) lastGenuineIdToken = body.id_token;
          const out = Buffer.from(JSON.stringify(body));
          res.writeHead(200, { ...upRes.headers, 'content-length': String(out.length) });
          res.end(out);
        })();
      });
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(listenPort, '127.0.0.1', () => resolve(server)));
}

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** On the provider's own page: account and password, then back to the api's callback. */
async function signInAtProvider(page: Page, login: string, password = IDP_PASSWORD): Promise<void> {
  await page.getByLabel(/Tài khoản/).fill(login);
  await page.getByLabel(/Mật khẩu/).fill(password);
  await page.getByRole('button', { name: /Đăng nhập/ }).click();
}

async function staffSignIn(page: Page, login: string): Promise<void> {
  await page.goto(`${stack.baseUrl}/login`);
  await page.getByRole('link', { name: 'Đăng nhập qua Cổng định danh của tỉnh' }).click();
  await signInAtProvider(page, login);
}

/** Waits for the signed-in header; when it does not come, says where the browser is and what the audit log says. */
async function signedIn(page: Page, text?: string): Promise<void> {
  const who = text ? page.getByTestId('who').filter({ hasText: text }) : page.getByTestId('who');
  await who.waitFor({ timeout: 20_000 }).catch(async (err: unknown) => {
    const { rows } = await stack.db.pool.query<{ action: string; data: unknown }>('SELECT action, data FROM audit_log ORDER BY seq DESC LIMIT 3');
    throw new Error(`not signed in at ${page.url()}: ${JSON.stringify(rows)} (${String(err)})`);
  });
}

async function audit(action: string): Promise<{ actor: string | null; data: Record<string, unknown> }[]> {
  const { rows } = await stack.db.pool.query<{ actor: string | null; data: Record<string, unknown> }>(
    'SELECT actor, data FROM audit_log WHERE action = $1 ORDER BY seq',
    [action],
  );
  return rows;
}

async function sessionCookie(page: Page, name = 'pn_session'): Promise<string> {
  const c = (await page.context().cookies()).find((x) => x.name === name);
  expect(c, `${name} cookie`).toBeDefined();
  return c!.value;
}

async function api(token: string, method: string, path: string, body?: unknown, cookie = false): Promise<Response> {
  return fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: {
      ...(cookie ? { cookie: `pn_citizen=${token}` } : { authorization: `Bearer ${token}` }),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let casePublishedHoa = '';
let caseUnpublishedHoa = '';
let caseKhanh = '';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'phatnguoi-oidc-'));
  const [apiPort, proxyPort, staffPort, citizenPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const base = `http://127.0.0.1:${apiPort}`;
  const staffIssuer = `http://127.0.0.1:${proxyPort}`;
  const citizenIssuer = `http://127.0.0.1:${citizenPort}`;
  // The staff provider's signing key is made here: the "audience" attack needs a genuinely signed token.
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  staffKey = { ...(await exportJWK(privateKey)), kid: 'staff-1', alg: 'RS256', use: 'sig' };
  writeFileSync(join(tmp, 'staff-jwks.json'), JSON.stringify({ keys: [staffKey] }));
  const staffAccount = (sub: string, login: string, name: string, groups: string[], agency?: string) => ({
    sub,
    login,
    password: IDP_PASSWORD,
    claims: { name, preferred_username: login, groups, ...(agency ? { agency } : {}) },
  });
  writeFileSync(
    join(tmp, 'providers.json'),
    JSON.stringify([
      {
        issuer: staffIssuer,
        port: staffPort,
        jwksFile: join(tmp, 'staff-jwks.json'),
        clients: [
          {
            client_id: STAFF_CLIENT.id,
            client_secret: STAFF_CLIENT.secret,
            redirect_uris: [`${base}/api/auth/oidc/callback`],
            post_logout_redirect_uris: [`${base}/login`],
          },
        ],
        accounts: [
          staffAccount('hn-0001', 'canbo.oanh', 'Nguyễn Thị Oanh', ['/csgt-canbo'], 'PC08-HN'),
          staffAccount('hn-0002', USERS.supervisor.username, USERS.supervisor.displayName, ['csgt-chihuy', 'csgt-canbo'], 'PC08-HN'),
          staffAccount('hn-0003', 'khach', 'Khách', ['sgtvt-xem']),
        ],
      },
      {
        issuer: citizenIssuer,
        port: citizenPort,
        jwksFile: join(tmp, 'citizen-jwks.json'),
        clients: [
          {
            client_id: CITIZEN_CLIENT.id,
            client_secret: CITIZEN_CLIENT.secret,
            redirect_uris: [`${base}/api/citizen/oidc/callback`],
            post_logout_redirect_uris: [`${base}/cong-dan`],
          },
        ],
        accounts: [
          { sub: 'vneid-1', login: HOA, password: IDP_PASSWORD, claims: { name: 'Đỗ Thị Hoa', citizen_id: HOA } },
          { sub: 'vneid-2', login: KHANH, password: IDP_PASSWORD, claims: { name: 'Vũ Văn Khánh', citizen_id: KHANH } },
        ],
      },
    ]),
  );
  provider = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'e2e/src/oidc-provider.ts'), '--config', join(tmp, 'providers.json')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const seen = new Set<string>();
    for (const s of [provider.stdout!, provider.stderr!]) {
      createInterface({ input: s }).on('line', (line) => {
        providerOutput.push(line);
        const m = /^listening (\S+)/.exec(line);
        if (m) seen.add(m[1]!);
        if (seen.size === 2) resolve();
      });
    }
    provider.once('exit', (code) => reject(new Error(`provider exited (${code}): ${providerOutput.join('\n')}`)));
  });
  proxy = await startProxy(proxyPort, staffPort);
  const signIn = loadSignInSettings({
    OIDC_ALLOW_HTTP: '1',
    OIDC_STAFF_ISSUER: staffIssuer,
    OIDC_STAFF_CLIENT_ID: STAFF_CLIENT.id,
    OIDC_STAFF_CLIENT_SECRET: STAFF_CLIENT.secret,
    OIDC_STAFF_ROLE_MAP: 'csgt-chihuy=supervisor,csgt-canbo=officer',
    OIDC_STAFF_RECHECK_SECONDS: '300',
    OIDC_CITIZEN_ISSUER: citizenIssuer,
    OIDC_CITIZEN_CLIENT_ID: CITIZEN_CLIENT.id,
    OIDC_CITIZEN_CLIENT_SECRET: CITIZEN_CLIENT.secret,
    AUTH_LOCAL_LOGIN: 'break_glass',
    AUTH_BREAK_GLASS_USERS: USERS.admin.username,
  });
  const [uiDir] = await Promise.all([buildUi(), ready]);
  stack = await startStack({ uiDir, port: apiPort, deps: { signIn, clock, options: { publicBaseUrl: base } } });
  browser = await launchBrowser();
  casePublishedHoa = await stack.addCase({ plate: '29-B1 123.45', occurredAt: new Date(Date.now() - 3_600_000) });
  caseUnpublishedHoa = await stack.addCase({ plate: '29-B1 123.45', occurredAt: new Date(Date.now() - 1_800_000) });
  caseKhanh = await stack.addCase({ plate: '30A-999.99', vehicleClass: 'car', occurredAt: new Date(Date.now() - 2_400_000) });
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
  provider?.kill('SIGTERM');
  proxy?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('staff sign-in through the province provider', () => {
  let officerId = '';
  let supervisorToken = '';

  it('creates the officer at the first sign-in, who then reviews a case of their agency', async () => {
    const page = await newPage();
    await staffSignIn(page, 'canbo.oanh');
    await signedIn(page, 'Nguyễn Thị Oanh · Cán bộ xử lý');
    const u = await stack.db.pool.query<{ id: string; role: string; agency_id: string; password_hash: string | null }>(
      'SELECT id, role, agency_id, password_hash FROM users WHERE username = $1',
      ['canbo.oanh'],
    );
    expect(u.rows[0]).toMatchObject({ role: 'officer', agency_id: stack.agencyId, password_hash: null });
    officerId = u.rows[0]!.id;
    expect((await audit('auth.oidc.user_created')).map((a) => a.actor)).toEqual(['canbo.oanh']);
    expect((await audit('auth.login')).at(-1)).toMatchObject({ actor: 'canbo.oanh', data: { via: 'oidc', role: 'officer', matched: ['csgt-canbo'] } });

    await page.goto(`${stack.baseUrl}/officer/cases/${casePublishedHoa}`);
    await page.getByTestId('claim').filter({ hasText: 'Bạn đang giữ hồ sơ này' }).waitFor();
    await page.getByRole('button', { name: /Xác nhận vi phạm/ }).click();
    await page.getByRole('status').filter({ hasText: 'Đã xác nhận hồ sơ' }).waitFor();
    await screenshot(page, 'oidc-officer-confirmed');
    const c = await stack.db.pool.query<{ status: string; confirmed_by: string }>('SELECT status, confirmed_by FROM cases WHERE id = $1', [casePublishedHoa]);
    expect(c.rows[0]).toEqual({ status: 'confirmed', confirmed_by: officerId });
    // Khánh's case too, through the api with the same session (the citizen tests need it published).
    const officer = await sessionCookie(page);
    expect((await api(officer, 'POST', `/api/cases/${caseKhanh}/claim`, {})).status).toBe(200);
    expect((await api(officer, 'POST', `/api/cases/${caseKhanh}/confirm`, {})).status).toBe(200);

    // Signing out ends the provider's session too: the next sign-in asks for the password again.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('button', { name: /Đăng xuất \(Sign out\)/ }).click();
    await page.waitForURL(`${stack.baseUrl}/login`);
    expect((await audit('auth.logout')).at(-1)).toMatchObject({ actor: 'canbo.oanh', data: { via: 'oidc' } });
    await page.getByRole('link', { name: 'Đăng nhập qua Cổng định danh của tỉnh' }).click();
    await page.getByLabel(/Mật khẩu/).waitFor();
  });

  it('links the local supervisor of the same name, whose provider session approves and issues the notice', async () => {
    const page = await newPage();
    await staffSignIn(page, USERS.supervisor.username);
    await signedIn(page, `${USERS.supervisor.displayName} · Lãnh đạo phê duyệt`);
    expect((await audit('auth.oidc.linked')).map((a) => a.actor)).toEqual([USERS.supervisor.username]);
    supervisorToken = await sessionCookie(page);
    for (const id of [casePublishedHoa, caseKhanh]) {
      expect((await api(supervisorToken, 'POST', `/api/cases/${id}/approve`, {})).status).toBe(200);
      expect((await api(supervisorToken, 'POST', `/api/cases/${id}/notice`)).status).toBe(200);
    }
  });

  it('re-checks the session with the provider (refresh) and ends it when the provider revokes it', async () => {
    const before = await stack.db.pool.query<{ refresh_due_at: Date; idp_refresh_token: string }>(
      'SELECT refresh_due_at, idp_refresh_token FROM sessions WHERE idp_subject = $1 AND revoked_at IS NULL',
      ['hn-0002'],
    );
    clock.advance(301_000);
    expect((await api(supervisorToken, 'GET', '/api/auth/me')).status).toBe(200);
    const after = await stack.db.pool.query<{ refresh_due_at: Date; idp_refresh_token: string }>(
      'SELECT refresh_due_at, idp_refresh_token FROM sessions WHERE idp_subject = $1 AND revoked_at IS NULL',
      ['hn-0002'],
    );
    expect(after.rows[0]!.refresh_due_at.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(after.rows[0]!.refresh_due_at.getTime()).toBeGreaterThan(before.rows[0]!.refresh_due_at.getTime());
    // The province revokes the grant (say, the officer left): the next re-check ends the session here.
    const rev = await fetch(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}/token/revocation`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${STAFF_CLIENT.id}:${STAFF_CLIENT.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: after.rows[0]!.idp_refresh_token, token_type_hint: 'refresh_token' }),
    });
    expect(rev.status).toBe(200);
    clock.advance(301_000);
    expect((await api(supervisorToken, 'GET', '/api/auth/me')).status).toBe(401);
    expect((await audit('auth.oidc.refresh_refused')).at(-1)).toMatchObject({ actor: USERS.supervisor.username, data: { reason: 'provider_refused' } });
  });

  it('local sign-in: only the break-glass admin', async () => {
    const login = (username: string) =>
      fetch(`${stack.baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD }),
      });
    const refused = await login(USERS.officer.username);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toBe('local_login_disabled');
    expect((await login(USERS.admin.username)).status).toBe(200);
    // An account the provider made has no password at all.
    expect(await fetch(`${stack.baseUrl}/api/auth/options`).then((r) => r.json())).toEqual({
      staffProvider: true,
      local: 'break_glass',
      citizenProvider: true,
    });
  });

  it('refuses an account whose groups map to no role, and says why', async () => {
    const users = Number((await stack.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n);
    const page = await newPage();
    await staffSignIn(page, 'khach');
    await page.getByTestId('sign-in-refused').filter({ hasText: 'chưa được giao vai trò nào' }).waitFor();
    expect(page.url()).toBe(`${stack.baseUrl}/login?error=no_role`);
    expect((await audit('auth.oidc.refused')).at(-1)).toMatchObject({ actor: 'oidc:hn-0003', data: { reason: 'no_role', groups: ['sgtvt-xem'] } });
    expect(Number((await stack.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n)).toBe(users);
  });

  it('refuses a forged ID token, one for another audience and a replayed one', async () => {
    const sessions = async () => Number((await stack.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM sessions')).rows[0]!.n);
    expect(lastGenuineIdToken).not.toBeNull();
    // One browser: after the first attempt the provider knows it (single sign-on) and sends it straight back.
    const page = await newPage();
    for (const how of ['forge', 'audience', 'replay'] as const) {
      const n = await sessions();
      tamper = how;
      try {
        if (how === 'forge') await staffSignIn(page, 'canbo.oanh');
        else await page.getByRole('link', { name: 'Đăng nhập qua Cổng định danh của tỉnh' }).click();
        await page.waitForURL(`${stack.baseUrl}/login?error=token_refused`);
      } finally {
        tamper = null;
      }
      await page.getByTestId('sign-in-refused').filter({ hasText: 'không hợp lệ và đã bị từ chối' }).waitFor();
      expect(await sessions(), how).toBe(n);
      const entry = (await audit('auth.oidc.refused')).at(-1)!;
      expect(entry.data.reason, how).toBe('token_refused');
      // the library's own reason: the signature for a forgery, the aud or nonce claim otherwise
      expect(String(entry.data.detail), how).toMatch(how === 'forge' ? /signature/i : how === 'audience' ? /aud/ : /nonce/);
    }
  });

  it('refuses a replayed callback, a stolen code, a mismatched state and a stale one', async () => {
    const page = await newPage();
    let callback = '';
    page.on('request', (r) => {
      if (r.url().includes('/api/auth/oidc/callback?')) callback = r.url();
    });
    await staffSignIn(page, 'canbo.oanh');
    await signedIn(page);
    const state = new URL(callback).searchParams.get('state')!;
    // The same callback again, even with the state cookie put back: the sign-in was used.
    await page.context().addCookies([{ name: 'pn_oidc_staff', value: state, url: stack.baseUrl }]);
    await page.goto(callback);
    await page.waitForURL(`${stack.baseUrl}/login?error=state_unknown`);
    // The code used in another browser's own sign-in: the provider refuses it (used, and the PKCE verifier differs).
    const thief = await newPage();
    const start = async () => {
      await thief.goto(`${stack.baseUrl}/api/auth/oidc/start`);
      await thief.getByLabel(/Tài khoản/).waitFor();
      return (await thief.context().cookies()).find((c) => c.name === 'pn_oidc_staff')!.value;
    };
    const stolen = new URL(callback);
    stolen.searchParams.set('state', await start());
    await thief.goto(stolen.href);
    await thief.waitForURL(`${stack.baseUrl}/login?error=token_refused`);
    expect((await audit('auth.oidc.refused')).at(-1)!.data).toMatchObject({ reason: 'token_refused', code: 'invalid_grant' });
    // A state that is not this browser's.
    await start();
    await thief.goto(`${stack.baseUrl}/api/auth/oidc/callback?code=abc&state=not-the-browsers`);
    await thief.waitForURL(`${stack.baseUrl}/login?error=state_mismatch`);
    // A sign-in left at the provider for more than ten minutes.
    await start();
    clock.advance(11 * 60_000);
    await signInAtProvider(thief, 'canbo.oanh');
    await thief.waitForURL(`${stack.baseUrl}/login?error=state_expired`);
    const reasons = (await audit('auth.oidc.refused')).map((a) => a.data.reason);
    expect(reasons).toEqual(expect.arrayContaining(['state_unknown', 'state_mismatch', 'state_expired']));
  });
});

describe('citizens sign in (VNeID) and see their own cases only', () => {
  it("shows Hoa her vehicle and its published case with evidence and deadlines, nothing of Khánh's, and records her response", async () => {
    const page = await newPage();
    await page.goto(`${stack.baseUrl}/tra-cuu`);
    await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
    await page.waitForURL(`${stack.baseUrl}/cong-dan`);
    await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).click();
    await signInAtProvider(page, HOA);
    await page.getByTestId('citizen-who').filter({ hasText: 'Xin chào Đỗ Thị Hoa (số định danh ••••••••0001)' }).waitFor();
    await page.getByTestId('my-vehicles').filter({ hasText: '29-B1 123.45' }).waitFor();
    const card = page.locator(`[data-case="${casePublishedHoa}"]`);
    await card.waitFor();
    await expect(card.locator('img').count()).resolves.toBe(4);
    await expect(card.innerText()).resolves.toMatch(/Hạn liên hệ giải quyết/);
    await expect(page.locator(`[data-case="${caseUnpublishedHoa}"]`).count()).resolves.toBe(0);
    await expect(page.locator('body').innerText()).resolves.not.toContain('30A-999.99');

    // The driver's name is required; nothing is saved without it.
    await card.getByLabel('Nội dung').fill('Người nhà tôi điều khiển xe hôm đó.');
    await card.getByRole('button', { name: 'Gửi phản hồi' }).click();
    await card.getByText('Hãy nhập họ tên người điều khiển xe.').waitFor();
    expect((await stack.db.pool.query('SELECT 1 FROM owner_responses WHERE case_id = $1', [casePublishedHoa])).rowCount).toBe(0);
    await card.getByLabel('Họ và tên người điều khiển xe').fill('Đỗ Văn Nam');
    await card.getByRole('button', { name: 'Gửi phản hồi' }).click();
    await page.getByTestId('my-responses').filter({ hasText: 'Đỗ Văn Nam' }).waitFor();
    await screenshot(page, 'oidc-citizen-cases');
    const saved = await stack.db.pool.query<{ kind: string; driver_name: string; citizen_id_number: string; recorded_by: string | null }>(
      'SELECT kind, driver_name, citizen_id_number, recorded_by FROM owner_responses WHERE case_id = $1',
      [casePublishedHoa],
    );
    expect(saved.rows).toEqual([{ kind: 'response', driver_name: 'Đỗ Văn Nam', citizen_id_number: HOA, recorded_by: null }]);
    const due = await stack.db.pool.query<{ status: string }>(`SELECT status FROM case_deadlines WHERE case_id = $1 AND kind = 'response_due'`, [
      casePublishedHoa,
    ]);
    expect(due.rows[0]?.status).toBe('cancelled');
    expect((await audit('case.owner_response')).at(-1)).toMatchObject({ actor: 'citizen:••••••••0001', data: { online: true, driverName: 'Đỗ Văn Nam' } });

    // Through the api with her session: Khánh's case is not found, the staff routes do not know her.
    const hoa = await sessionCookie(page, 'pn_citizen');
    const me = await api(hoa, 'GET', '/api/citizen/me', undefined, true);
    const body = await me.text();
    expect(me.status).toBe(200);
    expect(body).not.toContain(caseKhanh);
    expect(body).not.toContain('30A-999.99');
    expect(body).not.toContain(caseUnpublishedHoa);
    expect((await api(hoa, 'POST', `/api/citizen/cases/${caseKhanh}/responses`, { kind: 'complaint', text: 'x' }, true)).status).toBe(404);
    expect((await fetch(`${stack.baseUrl}/api/cases`, { headers: { cookie: `pn_citizen=${hoa}` } })).status).toBe(401);
    expect((await api(hoa, 'GET', '/api/cases')).status).toBe(401);

    // Signing out ends the VNeID session too.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('button', { name: /Đăng xuất \(Sign out\)/ }).click();
    await page.waitForURL(`${stack.baseUrl}/cong-dan`);
    await page.getByRole('link', { name: 'Đăng nhập bằng VNeID' }).waitFor();
    expect((await api(hoa, 'GET', '/api/citizen/me', undefined, true)).status).toBe(401);
  });
});
