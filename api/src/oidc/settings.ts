// Sign-in settings (issue 26), validated with core's envReader: every bad variable named in one ConfigError.
// Staff sign in through the province's OpenID provider (OIDC_STAFF_*), citizens through a VNeID-backed provider
// (OIDC_CITIZEN_*); local password accounts can be limited to break-glass names or switched off (AUTH_LOCAL_LOGIN).
import { envReader, type Env, type EnvReader } from '@phatnguoi/core/config';
import { ROLES, type Role } from '@phatnguoi/core/contracts/api/common';

export interface ProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** http:// issuers accepted (development and tests only; refused with NODE_ENV=production). */
  allowHttp: boolean;
}

export interface StaffOidcSettings extends ProviderSettings {
  /** Claim holding the groups or roles (a dot path: `realm_access.roles` for Keycloak's realm roles). */
  roleClaim: string;
  /** Provider group/role → this project's role, in order of precedence (the first one the user has wins). */
  roleMap: { group: string; role: Role }[];
  /** Claim naming the user's agency; its value is an agency code unless agencyMap maps it. */
  agencyClaim: string;
  agencyMap: Map<string, string>;
  usernameClaim: string;
  /** `username`: a first sign-in links a local user of the same name (not linked yet); `none`: only creates. */
  linkBy: 'username' | 'none';
  /** A session is re-checked with the provider (refresh grant, roles mapped again) at least this often. */
  recheckSeconds: number;
}

export interface CitizenOidcSettings extends ProviderSettings {
  /** Claim with the citizen's 12-digit personal identity number (số định danh cá nhân). */
  idNumberClaim: string;
  nameClaim: string;
  sessionTtlSeconds: number;
}

export interface SignInSettings {
  staff: StaffOidcSettings | null;
  citizen: CitizenOidcSettings | null;
  /** Local (password) sign-in: everyone, nobody, or only these break-glass names. */
  local: { mode: 'on' } | { mode: 'off' } | { mode: 'break_glass'; usernames: Set<string> };
}

export const SIGN_IN_OFF: SignInSettings = { staff: null, citizen: null, local: { mode: 'on' } };

/** `a=b,c=d` pairs; a problem is recorded for each entry without `=`. */
export function pairList(r: EnvReader, name: string, raw: string): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const eq = entry.lastIndexOf('=');
    if (eq <= 0 || eq === entry.length - 1) r.problem(name, `must be a comma-separated list of name=value pairs; not ${JSON.stringify(entry.slice(0, 60))}`);
    else out.push([entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()]);
  }
  return out;
}

function provider(r: EnvReader, prefix: string, production: boolean): ProviderSettings | null {
  const issuer = r.url(`${prefix}_ISSUER`, ['https', 'http']);
  if (!issuer) {
    for (const rest of ['CLIENT_ID', 'CLIENT_SECRET']) {
      if (r.raw(`${prefix}_${rest}`, rest === 'CLIENT_SECRET') !== undefined) r.problem(`${prefix}_ISSUER`, `is required when ${prefix}_${rest} is set`);
    }
    return null;
  }
  const allowHttp = r.bool('OIDC_ALLOW_HTTP', false);
  if (issuer.startsWith('http://') && (!allowHttp || production)) {
    r.problem(
      `${prefix}_ISSUER`,
      production ? 'must use https:// in production' : 'must use https:// (OIDC_ALLOW_HTTP=1 accepts http:// outside production, for a local provider)',
    );
  }
  const clientId = r.required(`${prefix}_CLIENT_ID`, { why: `with ${prefix}_ISSUER` });
  const clientSecret = r.required(`${prefix}_CLIENT_SECRET`, { secret: true, why: `with ${prefix}_ISSUER (a confidential client)` });
  const scopes = r.string(`${prefix}_SCOPES`, 'openid profile');
  if (!scopes.split(/\s+/).includes('openid')) r.problem(`${prefix}_SCOPES`, 'must include openid');
  return { issuer, clientId, clientSecret, scopes, allowHttp };
}

/** A claim name, a namespaced one (https://example.vn/agency) or a dot path (realm_access.roles). */
const CLAIM_PATH = /^[A-Za-z_][^\s]{0,199}$/;
function claimName(r: EnvReader, name: string, fallback: string): string {
  const v = r.string(name, fallback);
  if (!CLAIM_PATH.test(v)) r.problem(name, `must be a claim name or dot path like realm_access.roles; not ${JSON.stringify(v.slice(0, 60))}`);
  return v;
}

/**
 * The sign-in settings read with `r` (problems recorded on it, for one ConfigError with the api's other settings);
 * loadSignInSettings reads them alone.
 */
export function readSignInSettings(r: EnvReader, production: boolean): SignInSettings {
  let staff: StaffOidcSettings | null = null;
  const sp = provider(r, 'OIDC_STAFF', production);
  if (sp) {
    const rawMap = r.string('OIDC_STAFF_ROLE_MAP');
    if (rawMap === undefined) r.problem('OIDC_STAFF_ROLE_MAP', 'is required with OIDC_STAFF_ISSUER (e.g. csgt-canbo=officer,csgt-chihuy=supervisor)');
    const roleMap = pairList(r, 'OIDC_STAFF_ROLE_MAP', rawMap ?? '').flatMap(([group, role]) => {
      if ((ROLES as readonly string[]).includes(role)) return [{ group, role: role as Role }];
      r.problem(
        'OIDC_STAFF_ROLE_MAP',
        `maps ${JSON.stringify(group.slice(0, 60))} to ${JSON.stringify(role.slice(0, 30))}, which is not one of ${ROLES.join(', ')}`,
      );
      return [];
    });
    const agencyMap = new Map(pairList(r, 'OIDC_STAFF_AGENCY_MAP', r.string('OIDC_STAFF_AGENCY_MAP', '')));
    staff = {
      ...sp,
      roleClaim: claimName(r, 'OIDC_STAFF_ROLE_CLAIM', 'groups'),
      roleMap,
      agencyClaim: claimName(r, 'OIDC_STAFF_AGENCY_CLAIM', 'agency'),
      agencyMap,
      usernameClaim: claimName(r, 'OIDC_STAFF_USERNAME_CLAIM', 'preferred_username'),
      linkBy: r.oneOf('OIDC_STAFF_LINK_BY', ['username', 'none'] as const, 'username'),
      recheckSeconds: r.int('OIDC_STAFF_RECHECK_SECONDS', 300, { min: 30, max: 86_400 }),
    };
  }
  let citizen: CitizenOidcSettings | null = null;
  const cp = provider(r, 'OIDC_CITIZEN', production);
  if (cp) {
    citizen = {
      ...cp,
      idNumberClaim: claimName(r, 'OIDC_CITIZEN_ID_CLAIM', 'citizen_id'),
      nameClaim: claimName(r, 'OIDC_CITIZEN_NAME_CLAIM', 'name'),
      sessionTtlSeconds: r.int('OIDC_CITIZEN_SESSION_SECONDS', 3600, { min: 60, max: 86_400 }),
    };
  }
  const localMode = r.oneOf('AUTH_LOCAL_LOGIN', ['on', 'off', 'break_glass'] as const, 'on');
  const breakGlass = (r.string('AUTH_BREAK_GLASS_USERS') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (localMode === 'break_glass' && breakGlass.length === 0)
    r.problem('AUTH_BREAK_GLASS_USERS', 'must name at least one user when AUTH_LOCAL_LOGIN=break_glass');
  if (localMode !== 'on' && !staff) r.problem('AUTH_LOCAL_LOGIN', `${localMode} needs OIDC_STAFF_ISSUER: with neither, no one could sign in`);
  const local: SignInSettings['local'] = localMode === 'break_glass' ? { mode: 'break_glass', usernames: new Set(breakGlass) } : { mode: localMode };
  return { staff, citizen, local };
}

/** The sign-in settings of `env`; throws ConfigError naming every bad variable. */
export function loadSignInSettings(env: Env = process.env): SignInSettings {
  const r = envReader(env);
  const settings = readSignInSettings(r, env.NODE_ENV === 'production');
  r.done();
  return settings;
}

/** Whether a local (password) sign-in of this name is allowed. */
export function localSignInAllowed(s: SignInSettings, username: string): boolean {
  if (s.local.mode === 'on') return true;
  if (s.local.mode === 'off') return false;
  return s.local.usernames.has(username.toLowerCase());
}
