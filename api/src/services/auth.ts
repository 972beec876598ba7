// Password login (argon2id) with lockout after repeated failures, and opaque session tokens.
import argon2 from 'argon2';
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { UnauthorizedError, UserError } from '@phatnguoi/core/errors';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import type { UserSummary } from '@phatnguoi/core/contracts/api/auth';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import { newToken, tokenHash } from '../domain/tokens';
import type { UserPrincipal } from '../domain/principal';
import { agencyName } from '../repositories/agencies';
import type { LoginThrottle } from './login-throttle';

// Verified against when the user does not exist, so a missing user costs as much time as a wrong password.
let dummyHash: Promise<string> | null = null;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** A refused sign-in: too many failures for this name or address; the same answer whether the name is a user or not. */
export class TooManyAttemptsError extends UserError {
  constructor(readonly retryAfterSeconds: number) {
    super('too_many_attempts', `too many failed sign-ins; try again in ${retryAfterSeconds} s`, 429, { details: { params: { seconds: retryAfterSeconds } } });
  }
}

/**
 * Password sign-in. Every refusal is one of two answers, the same for a real, a deactivated or a missing name:
 * 401 bad_credentials (after an argon2 verification, against a dummy hash when there is no user) or 429
 * too_many_attempts (before any check, see LoginThrottle). A failed attempt on a real user is audited after the
 * answer is decided, off the answer's path, so it costs the caller no time a missing name would not.
 */
export async function login(
  db: Db,
  clock: Clock,
  username: string,
  password: string,
  opts: { ttlSeconds: number; throttle: LoginThrottle; address: string; onAuditError?: (err: unknown) => void },
): Promise<{ token: string; expiresAt: Date; user: UserSummary }> {
  const wait = await opts.throttle.retryAfterMs(username, opts.address);
  if (wait > 0) throw new TooManyAttemptsError(Math.ceil(wait / 1000));
  const { rows } = await db.query<{
    id: string;
    username: string;
    display_name: string;
    role: Role;
    agency_id: string | null;
    agency_name: string | null;
    password_hash: string | null;
    active: boolean;
  }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.agency_id, a.name AS agency_name, u.password_hash, u.active
       FROM users u LEFT JOIN agencies a ON a.id = u.agency_id WHERE u.username = $1`,
    [username.toLowerCase()],
  );
  const u = rows[0];
  const now = clock.now();
  dummyHash ??= hashPassword('not-a-real-password');
  // A user made by the identity provider has no password: verified against the dummy, so refused like a wrong one.
  const ok = (await argon2.verify(u?.active && u.password_hash ? u.password_hash : await dummyHash, password).catch(() => false)) && !!u?.password_hash;
  if (!u || !u.active || !ok) {
    await opts.throttle.failed(username, opts.address);
    if (u) {
      void withTransaction(db, (tx) =>
        appendAudit(tx, { at: now, actorId: u.id, actor: u.username, action: 'auth.failed', entity: 'user', entityId: u.id, data: { active: u.active } }),
      ).catch((err: unknown) => opts.onAuditError?.(err));
    }
    throw new UnauthorizedError('wrong username or password', 'bad_credentials');
  }
  await opts.throttle.succeeded(username, opts.address);
  const token = newToken();
  const expiresAt = new Date(now.getTime() + opts.ttlSeconds * 1000);
  await withTransaction(db, async (tx) => {
    await tx.query('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1,$2,$3,$4)', [tokenHash(token), u.id, now, expiresAt]);
    await appendAudit(tx, { at: now, actorId: u.id, actor: u.username, action: 'auth.login', entity: 'user', entityId: u.id, data: {} });
  });
  return {
    token,
    expiresAt,
    user: { id: u.id, username: u.username, displayName: u.display_name, role: u.role, agencyId: u.agency_id, agencyName: u.agency_name },
  };
}

/** Ends a session; a session started through the identity provider returns what its end-session needs. */
export async function logout(
  db: Db,
  clock: Clock,
  token: string,
): Promise<{ idpIssuer: string | null; idToken: string | null; refreshToken: string | null } | null> {
  return withTransaction(db, async (tx) => {
    const { rows } = await tx.query<{
      user_id: string;
      username: string;
      idp_issuer: string | null;
      idp_id_token: string | null;
      idp_refresh_token: string | null;
    }>(
      `UPDATE sessions s SET revoked_at = $2 FROM users u WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND u.id = s.user_id
       RETURNING s.user_id, u.username, s.idp_issuer, s.idp_id_token, s.idp_refresh_token`,
      [tokenHash(token), clock.now()],
    );
    const r = rows[0];
    if (!r) return null;
    await appendAudit(tx, {
      at: clock.now(),
      actorId: r.user_id,
      actor: r.username,
      action: 'auth.logout',
      entity: 'user',
      entityId: r.user_id,
      data: { via: r.idp_issuer ? 'oidc' : 'password' },
    });
    return { idpIssuer: r.idp_issuer, idToken: r.idp_id_token, refreshToken: r.idp_refresh_token };
  });
}

/** The signed-in user as the UI shows them (with their agency's name). */
export async function userSummary(q: Queryable, u: UserPrincipal): Promise<UserSummary> {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, agencyId: u.agencyId, agencyName: await agencyName(q, u.agencyId) };
}
