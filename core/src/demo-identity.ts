// The demo's identity provider (issue 26): `npm run demo` runs a real OpenID provider (e2e/src/oidc-provider.ts
// --demo) standing in for the province's platform (staff) and the VNeID-backed one (citizens), and points the api
// at it. Shared by the stack (the role and the api's environment) and the provider (its clients and callbacks).
import type { Env } from './config';

export const DEMO_STAFF_CLIENT = { id: 'phatnguoi-staff', secret: 'demo-staff-client-secret-2025' } as const;
export const DEMO_CITIZEN_CLIENT = { id: 'phatnguoi-citizen', secret: 'demo-citizen-client-secret-2025' } as const;
/** The province's groups as the demo provider names them, mapped to this project's roles (first match wins). */
export const DEMO_ROLE_MAP = 'phatnguoi-quantri=admin,csgt-chihuy=supervisor,csgt-canbo=officer,ioc-vanhanh=operator';

export interface DemoIdentity {
  /** The province platform (staff) on OIDC_DEMO_PORT, the VNeID-backed one (citizens) on the next port. */
  staffIssuer: string;
  citizenIssuer: string;
  port: number;
  apiBaseUrl: string;
  /** The stack's role: the provider process. */
  role: { name: string; entry: string; args: string[]; env: Env };
  /** What the api needs to use it (OIDC_* variables; see infra/.env.example). */
  apiEnv: Env;
}

/**
 * OIDC_DEMO_PORT (default: the api's port + 8, so 8088, and the next port) for the providers; OIDC_DEMO=0 leaves
 * them out (password sign-in only), and so does a provider configured by hand.
 */
export function demoIdentity(env: Env = process.env): DemoIdentity | null {
  // A provider configured by hand (OIDC_STAFF_ISSUER / OIDC_CITIZEN_ISSUER) is used as it is.
  if (env.OIDC_DEMO === '0' || env.OIDC_STAFF_ISSUER || env.OIDC_CITIZEN_ISSUER) return null;
  const port = Number(env.OIDC_DEMO_PORT || Number(env.API_PORT || 8080) + 8);
  const staffIssuer = `http://127.0.0.1:${port}`;
  const citizenIssuer = `http://127.0.0.1:${port + 1}`;
  // (127.0.0.1, not localhost: the providers listen on IPv4 loopback only, and localhost may resolve to ::1 first)
  const apiBaseUrl = (env.PUBLIC_BASE_URL || `http://localhost:${env.API_PORT || 8080}`).replace(/\/+$/, '');
  return {
    staffIssuer,
    citizenIssuer,
    port,
    apiBaseUrl,
    role: { name: 'idp', entry: 'e2e/src/oidc-provider.ts', args: ['--demo'], env: { OIDC_DEMO_PORT: String(port), OIDC_DEMO_API_URL: apiBaseUrl } },
    apiEnv: {
      OIDC_ALLOW_HTTP: '1',
      OIDC_STAFF_ISSUER: staffIssuer,
      OIDC_STAFF_CLIENT_ID: DEMO_STAFF_CLIENT.id,
      OIDC_STAFF_CLIENT_SECRET: DEMO_STAFF_CLIENT.secret,
      OIDC_STAFF_ROLE_MAP: DEMO_ROLE_MAP,
      OIDC_CITIZEN_ISSUER: citizenIssuer,
      OIDC_CITIZEN_CLIENT_ID: DEMO_CITIZEN_CLIENT.id,
      OIDC_CITIZEN_CLIENT_SECRET: DEMO_CITIZEN_CLIENT.secret,
    },
  };
}
