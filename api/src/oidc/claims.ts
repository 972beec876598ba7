// From a provider's ID token claims to this project's terms, without I/O: the staff member's role and agency
// (by the configured maps), a username the users table accepts, and the citizen's identity number.
import type { Role } from '@phatnguoi/core/contracts/api/common';
import type { CitizenOidcSettings, StaffOidcSettings } from './settings';

export type Claims = Record<string, unknown>;

/** The value at a dot path (`realm_access.roles`); a claim whose name itself has dots is found first. */
export function claimAt(claims: Claims, path: string): unknown {
  if (path in claims) return claims[path];
  let v: unknown = claims;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A claim as a list of strings: an array of strings, or one string (space- or comma-separated values split). */
export function stringList(v: unknown): string[] {
  if (typeof v === 'string') return v.split(/[\s,]+/).filter((s) => s !== '');
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Lower case, characters outside [a-z0-9._-] become '.', at most 64: what users.username accepts; null if too short. */
export function usernameFrom(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const name = raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, 64);
  return name.length >= 3 ? name : null;
}

export type StaffRefusal = 'no_subject' | 'no_username' | 'no_role' | 'no_agency';

export interface StaffMapping {
  subject: string;
  username: string;
  displayName: string;
  role: Role;
  /** The agency code the claims name (null: none named). */
  agencyCode: string | null;
  /** What was decided from, for the audit entry. */
  groups: string[];
  matched: string[];
}

const AGENCY_ROLES: ReadonlySet<Role> = new Set(['officer', 'supervisor']);

/**
 * The role is the first entry of the role map the user's groups contain (the map's order is its precedence).
 * Officers and supervisors need an agency; operators and admins may have one.
 */
export function mapStaffClaims(
  claims: Claims,
  s: Pick<StaffOidcSettings, 'roleClaim' | 'roleMap' | 'agencyClaim' | 'agencyMap' | 'usernameClaim'>,
): { ok: true; mapping: StaffMapping } | { ok: false; reason: StaffRefusal; groups: string[] } {
  const groups = stringList(claimAt(claims, s.roleClaim)).map((g) => g.replace(/^\//, ''));
  const subject = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : null;
  if (!subject) return { ok: false, reason: 'no_subject', groups };
  const username = usernameFrom(claimAt(claims, s.usernameClaim));
  if (!username) return { ok: false, reason: 'no_username', groups };
  const matched = s.roleMap.filter((m) => groups.includes(m.group));
  const first = matched[0];
  if (!first) return { ok: false, reason: 'no_role', groups };
  const agencyClaim = claimAt(claims, s.agencyClaim);
  // one agency: the claim's string (names have spaces), or the first of a list
  const rawAgency = (typeof agencyClaim === 'string' ? agencyClaim.trim() : stringList(agencyClaim)[0]) || null;
  const agencyCode = rawAgency === null ? null : (s.agencyMap.get(rawAgency) ?? rawAgency);
  if (AGENCY_ROLES.has(first.role) && !agencyCode) return { ok: false, reason: 'no_agency', groups };
  const name = typeof claims.name === 'string' && claims.name.trim() !== '' ? claims.name.trim().slice(0, 200) : username;
  return { ok: true, mapping: { subject, username, displayName: name, role: first.role, agencyCode, groups, matched: matched.map((m) => m.group) } };
}

/** The 12-digit personal identity number (số định danh cá nhân / CCCD) and a display name, or why not. */
export function mapCitizenClaims(
  claims: Claims,
  s: Pick<CitizenOidcSettings, 'idNumberClaim' | 'nameClaim'>,
): { ok: true; subject: string; idNumber: string; name: string } | { ok: false; reason: 'no_subject' | 'no_id_number' } {
  const subject = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : null;
  if (!subject) return { ok: false, reason: 'no_subject' };
  const raw = claimAt(claims, s.idNumberClaim);
  const idNumber = typeof raw === 'string' ? raw.trim() : '';
  if (!/^\d{12}$/.test(idNumber)) return { ok: false, reason: 'no_id_number' };
  const n = claimAt(claims, s.nameClaim);
  return { ok: true, subject, idNumber, name: typeof n === 'string' && n.trim() !== '' ? n.trim().slice(0, 200) : maskIdNumber(idNumber) };
}

/** Shown back to the citizen and written to logs and audit entries: the last 4 digits only. */
export function maskIdNumber(id: string): string {
  return `${'•'.repeat(Math.max(0, id.length - 4))}${id.slice(-4)}`;
}
