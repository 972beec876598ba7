// Who is calling: a back-office user (session cookie or bearer session token) or a worker (API token).
// Each route folder adds `requireRoles(...)` as its onRequest hook, so no handler repeats the check.
import fp from 'fastify-plugin';
import { tokenHash } from '../domain/tokens';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '@phatnguoi/core/errors';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import type { Principal, UserPrincipal } from '../domain/principal';

export const SESSION_COOKIE = 'pn_session';

// The principals and the agency scope are domain types (services use them); re-exported for the routes.
export type { UserPrincipal, TokenPrincipal, Principal } from '../domain/principal';
export { agencyScope } from '../domain/principal';
export type RouteRole = Role | 'worker';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (h && h.startsWith('Bearer ')) return h.slice(7).trim() || null;
  const c = request.cookies?.[SESSION_COOKIE];
  return c ? c : null;
}

async function resolvePrincipal(app: FastifyInstance, request: FastifyRequest, refreshed = false): Promise<Principal | null> {
  const token = bearer(request);
  if (!token || token.length > 200) return null;
  const hash = tokenHash(token);
  const now = app.clock.now();
  const s = await app.deps.db.query<{ id: string; username: string; display_name: string; role: Role; agency_id: string | null; refresh_due_at: Date | null }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.agency_id, s.refresh_due_at
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.active`,
    [hash, now],
  );
  const u = s.rows[0];
  // A session started through the identity provider is re-checked there when due (oidc/staff.ts): it may end, or
  // come back with another role or agency.
  if (u?.refresh_due_at && u.refresh_due_at <= now && !refreshed) {
    return (await app.signIn.refreshStaffSession(hash, request.log)) ? resolvePrincipal(app, request, true) : null;
  }
  if (u) return { kind: 'user', id: u.id, username: u.username, displayName: u.display_name, role: u.role, agencyId: u.agency_id };
  const t = await app.deps.db.query<{ id: string; name: string }>('SELECT id, name FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL', [hash]);
  const tk = t.rows[0];
  return tk ? { kind: 'token', id: tk.id, name: tk.name, role: 'worker' } : null;
}

/** onRequest hook allowing only the given roles (401 without credentials, 403 with the wrong role). */
export function requireRoles(...roles: RouteRole[]): onRequestHookHandler {
  return async function checkRole(request) {
    const p = await resolvePrincipal(this, request);
    if (!p) throw new UnauthorizedError('sign in first');
    if (!roles.includes(p.role)) throw new ForbiddenError(`this needs one of: ${roles.join(', ')}`);
    request.principal = p;
  };
}

/** The signed-in user of a route guarded by requireRoles with user roles. */
export function userOf(request: FastifyRequest): UserPrincipal {
  const p = request.principal;
  if (!p || p.kind !== 'user') throw new ForbiddenError('a user session is required');
  return p;
}

/** Agency filter for case access: null means every agency (admin). */
export default fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('principal', null);
  },
  { name: 'auth', dependencies: ['@fastify/cookie'] },
);
