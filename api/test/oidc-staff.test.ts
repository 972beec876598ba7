// Staff sign-in decisions against a real database (api/src/oidc/staff.ts), from ID token claims the client library
// has already verified: the role and agency follow the provider at every sign-in (each change audited), a user
// deactivated here stays out, a name linked to another provider account is not taken over, and with linking off a
// local name is never claimed. The browser test (review-ui/test/oidc-sign-in.test.ts) drives the protocol itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@phatnguoi/core/testing/index';
import { systemClock } from '../src/clock';
import { createAgency, createUser } from '../src/seed/demo';
import { loadSignInSettings } from '../src/oidc/settings';
import { staffSignIn } from '../src/oidc/staff';
import { SignInRefused } from '../src/oidc/login-state';
import type { ProviderTokens } from '../src/oidc/client';

let db: TestDatabase;
const ENV = {
  OIDC_STAFF_ISSUER: 'https://sso.example.vn/realms/tg',
  OIDC_STAFF_CLIENT_ID: 'c',
  OIDC_STAFF_CLIENT_SECRET: 's',
  OIDC_STAFF_ROLE_MAP: 'csgt-chihuy=supervisor,csgt-canbo=officer,ioc=operator',
};
const settings = loadSignInSettings(ENV).staff!;
const tokens = (claims: Record<string, unknown>): ProviderTokens => ({ claims, idToken: 'id-token', refreshToken: 'refresh-token', expiresIn: 120 });
let tg = '';
let hcm = '';

beforeAll(async () => {
  db = await createTestDatabase();
  tg = await createAgency(db.pool, { code: 'PC08-TG', name: 'Phòng CSGT Tiền Giang', provinceCode: '63' });
  hcm = await createAgency(db.pool, { code: 'PC08-HCM', name: 'Phòng CSGT TP HCM', provinceCode: '79' });
});
afterAll(async () => db?.drop());

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SignInRefused);
  return (err as SignInRefused).code;
}
const auditOf = async (action: string) =>
  (await db.pool.query<{ actor: string; data: Record<string, unknown> }>('SELECT actor, data FROM audit_log WHERE action = $1 ORDER BY seq', [action])).rows;

describe('staff sign-in decisions', () => {
  it('follows the provider: a promotion and a move to another agency are applied and audited at the next sign-in', async () => {
    const first = await staffSignIn(
      db.pool,
      systemClock,
      settings,
      tokens({ sub: 'u-1', preferred_username: 'canbo.lan', name: 'Trần Thị Lan', groups: ['csgt-canbo'], agency: 'PC08-TG' }),
      { ttlSeconds: 3600 },
    );
    expect(first.user).toMatchObject({ username: 'canbo.lan', role: 'officer', agencyId: tg });
    const again = await staffSignIn(
      db.pool,
      systemClock,
      settings,
      tokens({ sub: 'u-1', preferred_username: 'canbo.lan', name: 'Trần Thị Lan', groups: ['csgt-chihuy'], agency: 'PC08-HCM' }),
      { ttlSeconds: 3600 },
    );
    expect(again.user).toMatchObject({ id: first.user.id, role: 'supervisor', agencyId: hcm });
    expect((await auditOf('auth.oidc.mapped')).at(-1)).toMatchObject({
      actor: 'canbo.lan',
      data: { from: { role: 'officer', agencyId: tg }, to: { role: 'supervisor', agencyId: hcm }, matched: ['csgt-chihuy'] },
    });
    // the session keeps the provider's tokens and its re-check time
    const s = await db.pool.query<{ idp_subject: string; idp_refresh_token: string; refresh_due_at: Date }>(
      'SELECT idp_subject, idp_refresh_token, refresh_due_at FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
      [first.user.id],
    );
    expect(s.rows[0]).toMatchObject({ idp_subject: 'u-1', idp_refresh_token: 'refresh-token' });
    expect(s.rows[0]!.refresh_due_at.getTime() - Date.now()).toBeLessThanOrEqual(120_000);
  });

  it('refuses a user deactivated here, an unknown agency, and a name linked to another provider account', async () => {
    await db.pool.query('UPDATE users SET active = false WHERE username = $1', ['canbo.lan']);
    expect(
      await refusal(
        staffSignIn(db.pool, systemClock, settings, tokens({ sub: 'u-1', preferred_username: 'canbo.lan', groups: ['csgt-canbo'], agency: 'PC08-TG' }), {
          ttlSeconds: 3600,
        }),
      ),
    ).toBe('deactivated');
    expect(
      await refusal(
        staffSignIn(db.pool, systemClock, settings, tokens({ sub: 'u-2', preferred_username: 'canbo.x', groups: ['csgt-canbo'], agency: 'PC99-XX' }), {
          ttlSeconds: 3600,
        }),
      ),
    ).toBe('unknown_agency');
    expect(
      await refusal(
        staffSignIn(db.pool, systemClock, settings, tokens({ sub: 'u-3', preferred_username: 'canbo.lan', groups: ['csgt-canbo'], agency: 'PC08-TG' }), {
          ttlSeconds: 3600,
        }),
      ),
    ).toBe('username_taken');
    expect((await auditOf('auth.oidc.refused')).map((a) => a.data.reason)).toEqual(['deactivated', 'unknown_agency', 'username_taken']);
    expect((await db.pool.query('SELECT 1 FROM users WHERE username = $1', ['canbo.x'])).rowCount).toBe(0);
  });

  it('links a local user of the same name, unless linking is off', async () => {
    await createUser(db.pool, { username: 'vanhanh', password: 'mat-khau-dai-2025', role: 'operator', agencyId: null });
    const none = loadSignInSettings({ ...ENV, OIDC_STAFF_LINK_BY: 'none' }).staff!;
    expect(
      await refusal(staffSignIn(db.pool, systemClock, none, tokens({ sub: 'u-4', preferred_username: 'vanhanh', groups: ['ioc'] }), { ttlSeconds: 3600 })),
    ).toBe('username_taken');
    const linked = await staffSignIn(db.pool, systemClock, settings, tokens({ sub: 'u-4', preferred_username: 'vanhanh', groups: ['ioc'] }), {
      ttlSeconds: 3600,
    });
    expect(linked.user.role).toBe('operator');
    expect((await auditOf('auth.oidc.linked')).map((a) => a.actor)).toEqual(['vanhanh']);
    // the local password still works for a linked user (it is kept); a user the provider made has none
    const pw = await db.pool.query<{ username: string; has: boolean }>(
      'SELECT username, password_hash IS NOT NULL AS has FROM users WHERE username IN ($1, $2) ORDER BY username',
      ['canbo.lan', 'vanhanh'],
    );
    expect(pw.rows).toEqual([
      { username: 'canbo.lan', has: false },
      { username: 'vanhanh', has: true },
    ]);
  });
});
