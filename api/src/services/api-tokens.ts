// Worker API tokens (detectors posting events, scripts): only the SHA-256 of a token is stored; the token is shown
// once, at creation. Creation and revocation are audited.
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError } from '@phatnguoi/core/errors';
import type { ApiTokenItem, CreateApiTokenRequest, CreateApiTokenResponse } from '@phatnguoi/core/contracts/api/auth';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { UserPrincipal } from '../domain/principal';
import { newToken, tokenHash } from '../domain/tokens';
import { isUuid } from './cases';

export async function listTokens(q: Queryable): Promise<ApiTokenItem[]> {
  const { rows } = await q.query<{ id: string; name: string; role: string; created_at: Date; revoked_at: Date | null; created_by: string | null }>(
    'SELECT t.id, t.name, t.role, t.created_at, t.revoked_at, u.username AS created_by FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by ORDER BY t.created_at',
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

export async function createToken(db: Db, clock: Clock, admin: UserPrincipal, b: CreateApiTokenRequest): Promise<CreateApiTokenResponse> {
  const token = newToken();
  const id = await withTransaction(db, async (tx) => {
    const r = await tx.query<{ id: string }>('INSERT INTO api_tokens (name, token_hash, role, created_by) VALUES ($1,$2,$3,$4) RETURNING id', [
      b.name,
      tokenHash(token),
      b.role,
      admin.id,
    ]);
    await appendAudit(tx, {
      at: clock.now(),
      actorId: admin.id,
      actor: admin.username,
      action: 'token.created',
      entity: 'api_token',
      entityId: r.rows[0]!.id,
      data: { name: b.name },
    });
    return r.rows[0]!.id;
  });
  return { id, name: b.name, token };
}

export async function revokeToken(db: Db, clock: Clock, admin: UserPrincipal, id: string): Promise<ApiTokenItem> {
  return withTransaction(db, async (tx) => {
    const r = isUuid(id)
      ? await tx.query<{ id: string; name: string; role: string; created_at: Date; revoked_at: Date | null }>(
          'SELECT id, name, role, created_at, revoked_at FROM api_tokens WHERE id = $1 FOR UPDATE',
          [id],
        )
      : { rows: [] };
    const t = r.rows[0];
    if (!t) throw new NotFoundError('no such token');
    if (t.revoked_at) throw new ConflictError('the token is revoked already', 'already_revoked');
    const now = clock.now();
    await tx.query('UPDATE api_tokens SET revoked_at = $2 WHERE id = $1', [t.id, now]);
    await appendAudit(tx, {
      at: now,
      actorId: admin.id,
      actor: admin.username,
      action: 'token.revoked',
      entity: 'api_token',
      entityId: t.id,
      data: { name: t.name },
    });
    return { id: t.id, name: t.name, role: t.role, createdBy: null, createdAt: t.created_at.toISOString(), revokedAt: now.toISOString() };
  });
}
