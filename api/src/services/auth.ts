// Password login (argon2id) with lockout after repeated failures, and opaque session tokens.
import argon2 from 'argon2';
import type { Db } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { UnauthorizedError, UserError } from '@phatnguoi/core/errors';
import type { Role } from '@phatnguoi/core/contracts/api/common';
import type { UserSummary } from '@phatnguoi/core/contracts/api/auth';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import { newToken, tokenHash } from '../plugins/auth';

// Verified against when the user does not exist, so a missing user costs as much time as a wrong password.
let dummyHash: Promise<string> | null = null;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function login(
  db: Db, clock: Clock, username: string, password: string, opts: { ttlSeconds: number; threshold: number; lockSeconds: number },
): Promise<{ token: string; expiresAt: Date; user: UserSummary }> {
  const { rows } = await db.query<{ id: string; username: string; display_name: string; role: Role; agency_id: string | null; agency_name: string | null; password_hash: string; active: boolean; failed_logins: number; locked_until: Date | null }>(
    `SELECT u.id, u.username, u.display_name, u.role, u.agency_id, a.name AS agency_name, u.password_hash, u.active, u.failed_logins, u.locked_until
       FROM users u LEFT JOIN agencies a ON a.id = u.agency_id WHERE u.username = $1`,
    [username.toLowerCase()],
  );
  const u = rows[0];
  const now = clock.now();
  if (!u || !u.active) {
    dummyHash ??= hashPassword('not-a-real-password');
    await argon2.verify(await dummyHash, password).catch(() => false);
    throw new UnauthorizedError('wrong username or password', 'bad_credentials');
  }
  if (u.locked_until && u.locked_until > now) {
    throw new UserError('account_locked', `too many failed attempts; try again after ${u.locked_until.toISOString()}`, 423);
  }
  const ok = await argon2.verify(u.password_hash, password).catch(() => false);
  if (!ok) {
    await withTransaction(db, async (tx) => {
      const failed = u.failed_logins + 1;
      const lock = failed >= opts.threshold ? new Date(now.getTime() + opts.lockSeconds * 1000) : null;
      await tx.query('UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1', [u.id, lock ? 0 : failed, lock]);
      await appendAudit(tx, { at: now, actorId: u.id, actor: u.username, action: lock ? 'auth.locked' : 'auth.failed', entity: 'user', entityId: u.id, data: { failed } });
    });
    throw new UnauthorizedError('wrong username or password', 'bad_credentials');
  }
  const token = newToken();
  const expiresAt = new Date(now.getTime() + opts.ttlSeconds * 1000);
  await withTransaction(db, async (tx) => {
    await tx.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [u.id]);
    await tx.query('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1,$2,$3,$4)', [tokenHash(token), u.id, now, expiresAt]);
    await appendAudit(tx, { at: now, actorId: u.id, actor: u.username, action: 'auth.login', entity: 'user', entityId: u.id, data: {} });
  });
  return { token, expiresAt, user: { id: u.id, username: u.username, displayName: u.display_name, role: u.role, agencyId: u.agency_id, agencyName: u.agency_name } };
}

export async function logout(db: Db, clock: Clock, token: string): Promise<void> {
  await db.query('UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash(token), clock.now()]);
}
