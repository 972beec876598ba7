// Sign-in settings and claim mapping (issue 26), without I/O (the Keycloak examples are read from infra/): what the environment may say (every bad variable in
// one error), how a provider's claims become a role and an agency, and what a citizen's claims must carry.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@phatnguoi/core/errors';
import { demoIdentity } from '@phatnguoi/core/demo-identity';
import { claimAt, mapCitizenClaims, mapStaffClaims, maskIdNumber, usernameFrom } from '../src/oidc/claims';
import { loadSignInSettings, localSignInAllowed } from '../src/oidc/settings';
import { refusalOf } from '../src/oidc/client';
import { CITIZEN_CALLBACK_PATH, STAFF_CALLBACK_PATH } from '../src/oidc';

const STAFF_ENV = {
  OIDC_STAFF_ISSUER: 'https://sso.tiengiang.gov.vn/realms/tiengiang',
  OIDC_STAFF_CLIENT_ID: 'phatnguoi',
  OIDC_STAFF_CLIENT_SECRET: 'secret',
  OIDC_STAFF_ROLE_MAP: 'phatnguoi-quantri=admin,csgt-chihuy=supervisor,csgt-canbo=officer',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadSignInSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => p.variable);
  }
  return [];
}

describe('sign-in settings', () => {
  it('is off without an issuer, and reads a Keycloak-style staff configuration', () => {
    expect(loadSignInSettings({})).toMatchObject({ staff: null, citizen: null, local: { mode: 'on' } });
    const s = loadSignInSettings({
      ...STAFF_ENV,
      OIDC_STAFF_ROLE_CLAIM: 'realm_access.roles',
      OIDC_STAFF_AGENCY_MAP: 'tg-csgt=PC08-TG',
      AUTH_LOCAL_LOGIN: 'break_glass',
      AUTH_BREAK_GLASS_USERS: 'QuanTri',
    });
    expect(s.staff).toMatchObject({ roleClaim: 'realm_access.roles', linkBy: 'username', recheckSeconds: 300, scopes: 'openid profile' });
    expect(s.staff!.roleMap.map((m) => m.role)).toEqual(['admin', 'supervisor', 'officer']);
    expect(s.staff!.agencyMap.get('tg-csgt')).toBe('PC08-TG');
    expect(localSignInAllowed(s, 'quantri')).toBe(true);
    expect(localSignInAllowed(s, 'canbo1')).toBe(false);
  });

  it('lists every bad variable in one error', () => {
    expect(
      problemsOf({
        OIDC_STAFF_ISSUER: 'http://sso.example.vn',
        OIDC_STAFF_CLIENT_ID: 'x',
        OIDC_STAFF_ROLE_MAP: 'a=officer,b=chief,broken',
        OIDC_STAFF_SCOPES: 'profile',
        OIDC_STAFF_ROLE_CLAIM: 'bad claim',
        OIDC_STAFF_RECHECK_SECONDS: '5',
        OIDC_CITIZEN_CLIENT_ID: 'c',
        AUTH_LOCAL_LOGIN: 'maybe',
      }).sort(),
    ).toEqual([
      'AUTH_LOCAL_LOGIN',
      'OIDC_CITIZEN_ISSUER',
      'OIDC_STAFF_CLIENT_SECRET',
      'OIDC_STAFF_ISSUER',
      'OIDC_STAFF_RECHECK_SECONDS',
      'OIDC_STAFF_ROLE_CLAIM',
      'OIDC_STAFF_ROLE_MAP',
      'OIDC_STAFF_ROLE_MAP',
      'OIDC_STAFF_SCOPES',
    ]);
    // http:// only with OIDC_ALLOW_HTTP, and never in production; switching password sign-in off needs a provider
    expect(problemsOf({ ...STAFF_ENV, OIDC_STAFF_ISSUER: 'http://127.0.0.1:8088', OIDC_ALLOW_HTTP: '1' })).toEqual([]);
    expect(problemsOf({ ...STAFF_ENV, OIDC_STAFF_ISSUER: 'http://127.0.0.1:8088', OIDC_ALLOW_HTTP: '1', NODE_ENV: 'production' })).toEqual([
      'OIDC_STAFF_ISSUER',
    ]);
    expect(problemsOf({ AUTH_LOCAL_LOGIN: 'off' })).toEqual(['AUTH_LOCAL_LOGIN']);
    expect(problemsOf({ ...STAFF_ENV, AUTH_LOCAL_LOGIN: 'break_glass' })).toEqual(['AUTH_BREAK_GLASS_USERS']);
  });

  it('accepts what the demo stack gives the api', () => {
    const d = demoIdentity({ API_PORT: '9000' })!;
    expect(d.staffIssuer).toBe('http://127.0.0.1:9008');
    const s = loadSignInSettings(d.apiEnv);
    expect(s.staff?.issuer).toBe('http://127.0.0.1:9008');
    expect(s.citizen?.issuer).toBe('http://127.0.0.1:9009');
    expect(demoIdentity({ OIDC_DEMO: '0' })).toBeNull();
    expect(demoIdentity({ OIDC_STAFF_ISSUER: 'https://sso.example.vn' })).toBeNull();
  });
});

describe('staff claims', () => {
  const s = loadSignInSettings(STAFF_ENV).staff!;

  it('takes the first role of the map the groups hold, and the agency by code', () => {
    const m = mapStaffClaims(
      { sub: 'k-1', preferred_username: 'Nguyễn.Văn.Đức@csgt.vn', name: 'Nguyễn Văn Đức', groups: ['/csgt-canbo', 'csgt-chihuy'], agency: 'PC08-TG' },
      s,
    );
    expect(m).toEqual({
      ok: true,
      mapping: {
        subject: 'k-1',
        username: 'nguyen.van.duc.csgt.vn',
        displayName: 'Nguyễn Văn Đức',
        role: 'supervisor',
        agencyCode: 'PC08-TG',
        groups: ['csgt-canbo', 'csgt-chihuy'],
        matched: ['csgt-chihuy', 'csgt-canbo'],
      },
    });
  });

  it('refuses what maps to no role, an officer without agency, a missing name', () => {
    expect(mapStaffClaims({ sub: 'k-2', preferred_username: 'khach', groups: ['sgtvt'] }, s)).toMatchObject({
      ok: false,
      reason: 'no_role',
      groups: ['sgtvt'],
    });
    expect(mapStaffClaims({ sub: 'k-3', preferred_username: 'canbo', groups: 'csgt-canbo' }, s)).toMatchObject({ ok: false, reason: 'no_agency' });
    expect(mapStaffClaims({ sub: 'k-4', groups: ['csgt-canbo'], agency: 'PC08-TG' }, s)).toMatchObject({ ok: false, reason: 'no_username' });
    expect(mapStaffClaims({ preferred_username: 'x.y.z', groups: ['csgt-canbo'] }, s)).toMatchObject({ ok: false, reason: 'no_subject' });
    // an admin needs no agency
    expect(mapStaffClaims({ sub: 'k-5', preferred_username: 'quantri', groups: ['phatnguoi-quantri'] }, s)).toMatchObject({
      ok: true,
      mapping: { role: 'admin', agencyCode: null },
    });
  });

  it('reads nested claims (Keycloak realm roles) and maps agency names to codes', () => {
    const kc = loadSignInSettings({ ...STAFF_ENV, OIDC_STAFF_ROLE_CLAIM: 'realm_access.roles', OIDC_STAFF_AGENCY_MAP: 'Phòng CSGT Tiền Giang=PC08-TG' }).staff!;
    const m = mapStaffClaims(
      { sub: 'k-6', preferred_username: 'canbo6', realm_access: { roles: ['offline_access', 'csgt-canbo'] }, agency: 'Phòng CSGT Tiền Giang' },
      kc,
    );
    expect(m).toMatchObject({ ok: true, mapping: { role: 'officer', agencyCode: 'PC08-TG' } });
    expect(claimAt({ 'https://x.vn/agency': 'A' }, 'https://x.vn/agency')).toBe('A');
    expect(claimAt({ a: { b: 1 } }, 'a.c')).toBeUndefined();
  });

  it('makes usernames the users table accepts', () => {
    expect(usernameFrom('  Trần Thị Lan ')).toBe('tran.thi.lan');
    expect(usernameFrom('ab')).toBeNull();
    expect(usernameFrom(42)).toBeNull();
    expect(usernameFrom('x'.repeat(80))).toHaveLength(64);
  });
});

describe('citizen claims', () => {
  const c = { idNumberClaim: 'citizen_id', nameClaim: 'name' };
  it('needs a 12-digit identity number', () => {
    expect(mapCitizenClaims({ sub: 'v-1', citizen_id: '001190000001', name: 'Đỗ Thị Hoa' }, c)).toEqual({
      ok: true,
      subject: 'v-1',
      idNumber: '001190000001',
      name: 'Đỗ Thị Hoa',
    });
    for (const id of ['00119000000', '0011900000012', '00119000000A', 1190000001, undefined]) {
      expect(mapCitizenClaims({ sub: 'v-2', citizen_id: id }, c)).toEqual({ ok: false, reason: 'no_id_number' });
    }
    expect(mapCitizenClaims({ sub: 'v-3', citizen_id: '001190000003' }, c)).toMatchObject({ ok: true, name: '••••••••0003' });
    expect(maskIdNumber('001190000001')).toBe('••••••••0001');
  });
});

describe('refusal reasons', () => {
  it('names the OAuth error or the library code and the wrapped causes', () => {
    const wrapped = Object.assign(new Error('invalid response encountered'), {
      code: 'OAUTH_INVALID_RESPONSE',
      cause: Object.assign(new Error('unexpected JWT "aud" (audience) claim value'), { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' }),
    });
    expect(refusalOf(wrapped)).toEqual({
      code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      detail: 'invalid response encountered: unexpected JWT "aud" (audience) claim value',
    });
    expect(refusalOf(Object.assign(new Error('server responded with an error'), { error: 'invalid_grant' }))).toMatchObject({ code: 'invalid_grant' });
  });
});

describe('the Keycloak realm examples (infra/keycloak) match the settings they document', () => {
  const read = (f: string) =>
    JSON.parse(readFileSync(new URL(`../../infra/keycloak/${f}`, import.meta.url), 'utf8')) as {
      groups?: { name: string }[];
      _comment: string;
      clients: { clientId: string; redirectUris: string[]; attributes: Record<string, string>; protocolMappers: { config: Record<string, string> }[] }[];
    };
  const envOf = (comment: string) => Object.fromEntries([...comment.matchAll(/\b(OIDC_[A-Z_]+)=(\S+?)\.?(?=\s|$)/g)].map((m) => [m[1]!, m[2]!]));

  it('staff realm: groups, client, callback and ID-token claims', () => {
    const realm = read('realm-example.json');
    const s = loadSignInSettings({ ...envOf(realm._comment), OIDC_STAFF_CLIENT_SECRET: 'x' }).staff!;
    expect(s.roleMap.map((m) => m.group).sort()).toEqual(realm.groups!.map((g) => g.name).sort());
    const client = realm.clients.find((c) => c.clientId === s.clientId)!;
    expect(client.redirectUris[0]).toMatch(new RegExp(`${STAFF_CALLBACK_PATH}$`));
    expect(client.attributes['pkce.code.challenge.method']).toBe('S256');
    const idClaims = client.protocolMappers.filter((m) => m.config['id.token.claim'] === 'true').map((m) => m.config['claim.name']);
    for (const claim of [s.roleClaim, s.agencyClaim, s.usernameClaim]) expect(idClaims).toContain(claim);
  });

  it('citizen realm: client, callback and the identity-number claim', () => {
    const realm = read('realm-citizen-example.json');
    const s = loadSignInSettings({ ...envOf(realm._comment), OIDC_CITIZEN_CLIENT_SECRET: 'x' }).citizen!;
    const client = realm.clients.find((c) => c.clientId === s.clientId)!;
    expect(client.redirectUris[0]).toMatch(new RegExp(`${CITIZEN_CALLBACK_PATH}$`));
    expect(client.protocolMappers.filter((m) => m.config['id.token.claim'] === 'true').map((m) => m.config['claim.name'])).toContain(s.idNumberClaim);
  });
});
