// The demo providers' accounts (`npm run demo`): the province platform with staff of the demo agency, and the
// VNeID stand-in with one account per owner in the demo registry (read from the database the stack seeded before
// the roles start), signing in with the identity number. Clients and ports: core/src/demo-identity.ts.
import { join } from 'node:path';
import pg from 'pg';
import { DEMO_AGENCY_CODE } from '@phatnguoi/core/demo-cameras';
import { DEMO_CITIZEN_CLIENT, DEMO_STAFF_CLIENT, demoIdentity } from '@phatnguoi/core/demo-identity';
import type { Env } from '@phatnguoi/core/config';
import type { ProviderAccount, ProviderConfig } from './oidc-provider';

export const DEMO_STAFF_PASSWORD = 'demo-idp-2025';
export const DEMO_CITIZEN_PASSWORD = 'demo-citizen-2025';

/** Staff of the province platform: a new officer (created at the first sign-in), the seed's supervisor (linked), an operator, and one with no role here. */
export const DEMO_STAFF: ProviderAccount[] = [
  {
    sub: 'tg-staff-0001',
    login: 'canbo3',
    password: DEMO_STAFF_PASSWORD,
    claims: { name: 'Cán bộ Huỳnh Văn Phúc', preferred_username: 'canbo3', groups: ['csgt-canbo'], agency: DEMO_AGENCY_CODE },
  },
  {
    sub: 'tg-staff-0002',
    login: 'chihuy1',
    password: DEMO_STAFF_PASSWORD,
    claims: { name: 'Chỉ huy Trần Văn Cường', preferred_username: 'chihuy1', groups: ['csgt-chihuy'], agency: DEMO_AGENCY_CODE },
  },
  {
    sub: 'tg-staff-0003',
    login: 'vanhanh2',
    password: DEMO_STAFF_PASSWORD,
    claims: { name: 'Trực ban Ngô Thị Vy', preferred_username: 'vanhanh2', groups: ['ioc-vanhanh'] },
  },
  {
    sub: 'tg-staff-0004',
    login: 'khach',
    password: DEMO_STAFF_PASSWORD,
    claims: { name: 'Khách Sở Giao thông', preferred_username: 'khach', groups: ['sgtvt-xem'] },
  },
];

async function registryCitizens(databaseUrl: string | undefined): Promise<ProviderAccount[]> {
  if (!databaseUrl) return [];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, application_name: 'demo-idp' });
  try {
    const { rows } = await pool.query<{ id_number: string; full_name: string }>(
      `SELECT id_number, full_name FROM registry_owners WHERE id_number ~ '^[0-9]{12}$' ORDER BY id_number`,
    );
    return rows.map((r) => ({
      sub: `vneid-${r.id_number}`,
      login: r.id_number,
      password: DEMO_CITIZEN_PASSWORD,
      claims: { name: r.full_name, citizen_id: r.id_number },
    }));
  } finally {
    await pool.end();
  }
}

export async function demoProviderConfigs(env: Env): Promise<ProviderConfig[]> {
  const d = demoIdentity(env);
  if (!d) throw new Error('OIDC_DEMO=0: the demo identity provider is switched off');
  const dataDir = env.DATA_DIR || '.data';
  const client = (c: { id: string; secret: string }, callback: string, loggedOut: string) => ({
    client_id: c.id,
    client_secret: c.secret,
    redirect_uris: [`${d.apiBaseUrl}${callback}`],
    post_logout_redirect_uris: [`${d.apiBaseUrl}${loggedOut}`],
  });
  return [
    {
      issuer: d.staffIssuer,
      port: d.port,
      jwksFile: join(dataDir, 'oidc', 'staff-jwks.json'),
      title: 'Cổng định danh tỉnh Tiền Giang (demo)',
      clients: [client(DEMO_STAFF_CLIENT, '/api/auth/oidc/callback', '/login')],
      accounts: DEMO_STAFF,
    },
    {
      issuer: d.citizenIssuer,
      port: d.port + 1,
      jwksFile: join(dataDir, 'oidc', 'citizen-jwks.json'),
      title: 'VNeID (demo)',
      clients: [client(DEMO_CITIZEN_CLIENT, '/api/citizen/oidc/callback', '/cong-dan')],
      accounts: await registryCitizens(env.DATABASE_URL),
    },
  ];
}
