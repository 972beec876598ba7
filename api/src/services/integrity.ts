// Evidence and notices are checked against the SHA-256 taken when they were stored, at the moment they are used
// (issue 22, item 3): shown to a reviewer, acted on (confirm, approve, preview, issue), attached to a notice,
// served to a citizen. A file replaced in storage is flagged, audited once per use, and blocks the case.
import { createHash } from 'node:crypto';
import type { Queryable } from '@phatnguoi/core/db';
import { withTransaction, type Db } from '@phatnguoi/core/db';
import { ConflictError } from '@phatnguoi/core/errors';
import type { BucketName } from '@phatnguoi/core/storage';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { StorageLike } from '../deps';
import { agencyScope, type UserPrincipal } from '../domain/principal';
import { caseVisible } from '../repositories/cases';

/** ok: the bytes hash as recorded; tampered: they do not; missing: the object is gone or unreadable. */
export type Integrity = 'ok' | 'tampered' | 'missing';

export function sha256Hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The state of one stored object against its recorded hash (the bytes are read and hashed every time). */
export async function checkObject(
  storage: StorageLike,
  bucket: string,
  key: string,
  sha256: string,
): Promise<{ integrity: Integrity; body: Buffer | null; found: string | null }> {
  const body = await storage.get(bucket as BucketName, key).catch(() => null);
  if (!body) return { integrity: 'missing', body: null, found: null };
  const found = sha256Hex(body);
  return { integrity: found === sha256 ? 'ok' : 'tampered', body, found };
}

export interface StoredEvidence {
  id: string;
  bucket: string;
  key: string;
  sha256: string;
}

/**
 * One evidence file checked (checkObject) and the outcome recorded on its row (integrity, found_sha256), which the
 * review queue shows; the row is written only when the outcome changes.
 */
export async function checkEvidence(q: Queryable, storage: StorageLike, e: StoredEvidence): Promise<{ integrity: Integrity; found: string | null }> {
  const { integrity, found } = await checkObject(storage, e.bucket, e.key, e.sha256);
  const foundSha256 = integrity === 'tampered' ? found : null;
  await q.query(
    `UPDATE case_evidence SET integrity = $2, found_sha256 = $3, integrity_changed_at = now()
      WHERE id = $1 AND (integrity, found_sha256) IS DISTINCT FROM ($2, $3)`,
    [e.id, integrity, foundSha256],
  );
  return { integrity, found: foundSha256 };
}

/** Every evidence item of a case with its integrity. */
export async function caseEvidenceIntegrity(q: Queryable, storage: StorageLike, caseId: string): Promise<{ id: string; kind: string; integrity: Integrity }[]> {
  const ev = await q.query<StoredEvidence & { kind: string }>('SELECT id, kind, bucket, key, sha256 FROM case_evidence WHERE case_id = $1', [caseId]);
  return Promise.all(ev.rows.map(async (e) => ({ id: e.id, kind: e.kind, integrity: (await checkEvidence(q, storage, e)).integrity })));
}

/** Writes one `integrity.failed` audit entry (its own transaction: the use it blocked changes nothing). */
export async function auditIntegrityFailure(
  db: Db,
  clock: Clock,
  actor: { id: string | null; name: string },
  entity: 'case' | 'notice',
  entityId: string,
  data: Record<string, unknown>,
): Promise<void> {
  await withTransaction(db, (tx) =>
    appendAudit(tx, { at: clock.now(), actorId: actor.id, actor: actor.name, action: 'integrity.failed', entity, entityId, data }),
  );
}

/**
 * Refuses (409 evidence_tampered) an action on a case whose evidence does not hash as recorded, after auditing it.
 * Without storage there is nothing to check. Run before the action: the case then does not change.
 */
export async function assertEvidenceIntact(
  db: Db,
  clock: Clock,
  storage: StorageLike | undefined,
  caseId: string,
  actor: { id: string | null; name: string },
  use: string,
): Promise<void> {
  if (!storage) return;
  const bad = (await caseEvidenceIntegrity(db, storage, caseId)).filter((e) => e.integrity !== 'ok');
  if (bad.length === 0) return;
  await auditIntegrityFailure(db, clock, actor, 'case', caseId, { use, items: bad.map((b) => ({ id: b.id, kind: b.kind, integrity: b.integrity })) });
  throw new ConflictError(
    `evidence of this case does not match its recorded hash (${bad.map((b) => `${b.kind}: ${b.integrity}`).join(', ')}); it cannot be ${use}`,
    'evidence_tampered',
  );
}

/**
 * `assertEvidenceIntact` for a case the user can see (their agency's, detecting or resolving); a case they cannot
 * see is left to the action itself to refuse (404, the same as a missing case).
 */
export async function assertVisibleEvidenceIntact(db: Db, clock: Clock, storage: StorageLike, user: UserPrincipal, caseId: string, use: string): Promise<void> {
  if (!(await caseVisible(db, caseId, agencyScope(user)))) return;
  await assertEvidenceIntact(db, clock, storage, caseId, { id: user.id, name: user.username }, use);
}
