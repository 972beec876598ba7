// Back-office users as the administrator manages them: create, change role/agency/name, reset the password,
// deactivate or reactivate, end sessions. Every change is audited; a password never is. Generic on purpose:
// a user may later sign in with an external identity, which changes none of this.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError, UserError } from '@phatnguoi/core/errors';
import type { AdminUserList, CreateUserRequest, UserStateResponse, UserSummary } from '@phatnguoi/core/contracts/api/auth';
import type { UpdateUserRequest } from '@phatnguoi/core/contracts/api/admin';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { UserPrincipal } from '../domain/principal';
import { hashPassword } from './auth';
import { isUuid } from './cases';

type AdminUser = AdminUserList['items'][number];
interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  agency_id: string | null;
  agency_name: string | null;
  active: boolean;
}

const SELECT_USERS =
  'SELECT u.id, u.username, u.display_name, u.role, u.agency_id, a.name AS agency_name, u.active FROM users u LEFT JOIN agencies a ON a.id = u.agency_id';
const toUser = (r: UserRow): AdminUser => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  agencyId: r.agency_id,
  agencyName: r.agency_name,
  active: r.active,
});

/** Officers and supervisors see one agency's cases: they need one. */
const needsAgency = (role: Role) => role === 'officer' || role === 'supervisor';
const agencyRequired = () =>
  new UserError('agency_required', 'officers and supervisors belong to an agency', 400, {
    details: { errors: [{ path: 'agencyId', message: 'required for this role' }] },
  });

export async function listUsers(q: Queryable): Promise<AdminUser[]> {
  return (await q.query<UserRow>(`${SELECT_USERS} ORDER BY u.username`)).rows.map(toUser);
}

async function lockUser(tx: Queryable, id: string): Promise<UserRow> {
  const r = isUuid(id) ? await tx.query<UserRow>(`${SELECT_USERS} WHERE u.id = $1 FOR UPDATE OF u`, [id]) : { rows: [] };
  if (!r.rows[0]) throw new NotFoundError('no such user');
  return r.rows[0];
}

async function agencyName(tx: Queryable, agencyId: string): Promise<string> {
  const r = isUuid(agencyId) ? await tx.query<{ name: string }>('SELECT name FROM agencies WHERE id = $1', [agencyId]) : { rows: [] };
  if (!r.rows[0]) throw new UserError('unknown_agency', 'no such agency', 400, { details: { errors: [{ path: 'agencyId', message: 'no such agency' }] } });
  return r.rows[0].name;
}

const revokeSessions = async (tx: Queryable, userId: string, now: Date) =>
  (await tx.query('UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL', [userId, now])).rowCount ?? 0;

export async function createUser(db: Db, clock: Clock, admin: UserPrincipal, b: CreateUserRequest): Promise<UserSummary> {
  if (needsAgency(b.role) && !b.agencyId) throw agencyRequired();
  const hash = await hashPassword(b.password);
  return withTransaction(db, async (tx) => {
    const name = b.agencyId ? await agencyName(tx, b.agencyId) : null;
    const r = await tx.query<{ id: string }>(
      'INSERT INTO users (username, display_name, password_hash, role, agency_id) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (username) DO NOTHING RETURNING id',
      [b.username, b.displayName, hash, b.role, b.agencyId],
    );
    if (!r.rows[0]) throw new ConflictError('username taken', 'username_taken');
    await appendAudit(tx, {
      at: clock.now(),
      actorId: admin.id,
      actor: admin.username,
      action: 'user.created',
      entity: 'user',
      entityId: r.rows[0].id,
      data: { username: b.username, role: b.role, agencyId: b.agencyId },
    });
    return { id: r.rows[0].id, username: b.username, displayName: b.displayName, role: b.role, agencyId: b.agencyId, agencyName: name };
  });
}

/** Role, agency and display name; a role that needs an agency must end up with one. An admin cannot change their own role. */
export async function updateUser(db: Db, clock: Clock, admin: UserPrincipal, id: string, b: UpdateUserRequest): Promise<AdminUser> {
  return withTransaction(db, async (tx) => {
    const u = await lockUser(tx, id);
    if (id === admin.id && b.role !== undefined && b.role !== u.role) throw new ConflictError('an admin cannot change their own role', 'cannot_demote_self');
    const role = b.role ?? u.role;
    const agencyId = b.agencyId !== undefined ? b.agencyId : u.agency_id;
    if (needsAgency(role) && !agencyId) throw agencyRequired();
    const name = agencyId ? await agencyName(tx, agencyId) : null;
    const displayName = b.displayName ?? u.display_name;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (role !== u.role) changes.role = { from: u.role, to: role };
    if (agencyId !== u.agency_id) changes.agencyId = { from: u.agency_id, to: agencyId };
    if (displayName !== u.display_name) changes.displayName = { from: u.display_name, to: displayName };
    if (Object.keys(changes).length > 0) {
      await tx.query('UPDATE users SET role = $2, agency_id = $3, display_name = $4 WHERE id = $1', [id, role, agencyId, displayName]);
      await appendAudit(tx, {
        at: clock.now(),
        actorId: admin.id,
        actor: admin.username,
        action: 'user.updated',
        entity: 'user',
        entityId: id,
        data: { username: u.username, changes },
      });
    }
    return { ...toUser(u), role, agencyId, agencyName: name, displayName };
  });
}

/** A new password chosen by the administrator; the user's sessions end (whoever held them must sign in again). */
export async function resetPassword(db: Db, clock: Clock, admin: UserPrincipal, id: string, password: string): Promise<UserStateResponse> {
  const hash = await hashPassword(password);
  return withTransaction(db, async (tx) => {
    const u = await lockUser(tx, id);
    const now = clock.now();
    await tx.query('UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1', [id, hash]);
    const sessionsRevoked = await revokeSessions(tx, id, now);
    await appendAudit(tx, {
      at: now,
      actorId: admin.id,
      actor: admin.username,
      action: 'user.password_reset',
      entity: 'user',
      entityId: id,
      data: { username: u.username, sessionsRevoked },
    });
    return { id, active: u.active, sessionsRevoked };
  });
}

/**
 * Deactivation ends every session of the user at once (the session check also requires an active user);
 * an admin cannot deactivate themself. Audited with the number of sessions ended.
 */
export async function setUserActive(db: Db, clock: Clock, admin: UserPrincipal, id: string, active: boolean): Promise<UserStateResponse> {
  if (!active && id === admin.id) throw new ConflictError('an admin cannot deactivate their own account', 'cannot_deactivate_self');
  return withTransaction(db, async (tx) => {
    const u = await lockUser(tx, id);
    const now = clock.now();
    await tx.query('UPDATE users SET active = $2 WHERE id = $1', [id, active]);
    const sessionsRevoked = active ? 0 : await revokeSessions(tx, id, now);
    await appendAudit(tx, {
      at: now,
      actorId: admin.id,
      actor: admin.username,
      action: active ? 'user.activated' : 'user.deactivated',
      entity: 'user',
      entityId: id,
      data: { username: u.username, wasActive: u.active, sessionsRevoked },
    });
    return { id, active, sessionsRevoked };
  });
}

/** Ends the user's sessions (a lost laptop) without deactivating the account. */
export async function revokeUserSessions(db: Db, clock: Clock, admin: UserPrincipal, id: string): Promise<UserStateResponse> {
  return withTransaction(db, async (tx) => {
    const u = await lockUser(tx, id);
    const now = clock.now();
    const sessionsRevoked = await revokeSessions(tx, id, now);
    await appendAudit(tx, {
      at: now,
      actorId: admin.id,
      actor: admin.username,
      action: 'user.sessions_revoked',
      entity: 'user',
      entityId: id,
      data: { username: u.username, sessionsRevoked },
    });
    return { id, active: u.active, sessionsRevoked };
  });
}
