// Who acts: a back-office user or a worker's API token. Domain types: services take them, the web layer
// (plugins/auth.ts) only finds out which one is calling.
import type { Role } from '@phatnguoi/core/contracts/api/common';

export interface UserPrincipal {
  kind: 'user';
  id: string;
  username: string;
  displayName: string;
  role: Role;
  agencyId: string | null;
}
export interface TokenPrincipal {
  kind: 'token';
  id: string;
  name: string;
  role: 'worker';
}
export type Principal = UserPrincipal | TokenPrincipal;

/** A user without an agency sees no agency's cases (an id no agency has). */
const NO_AGENCY = '00000000-0000-0000-0000-000000000000';

/** The agency whose cases a user works on (detecting or resolving); null: every agency (admins). */
export function agencyScope(user: UserPrincipal): string | null {
  return user.role === 'admin' ? null : (user.agencyId ?? NO_AGENCY);
}
