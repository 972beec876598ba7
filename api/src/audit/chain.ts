// Append-only audit log with a hash chain: hash = sha256(prev_hash + canonical entry). The chain is
// computed here under a transaction-scoped advisory lock so concurrent writers append in order.
import { createHash } from 'node:crypto';
import type { Queryable } from '@phatnguoi/core/db';

export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_LOCK_KEY = 7_305_142_771_031_400n;

export interface AuditEntry {
  at: Date;
  actorId: string | null;
  actor: string | null;
  action: string;
  entity: string;
  entityId: string;
  data: unknown;
}

/** JSON with object keys sorted at every level, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function entryHash(prevHash: string, seq: number, e: AuditEntry): string {
  const body = canonicalJson({
    seq,
    at: e.at.toISOString(),
    actorId: e.actorId,
    actor: e.actor,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId,
    data: e.data ?? {},
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/** Appends one entry. Must run inside a transaction (the advisory lock is held until it ends). */
export async function appendAudit(tx: Queryable, entry: AuditEntry): Promise<{ seq: number; hash: string }> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY.toString()]);
  const last = await tx.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const prev = last.rows[0];
  const seq = prev ? Number(prev.seq) + 1 : 1;
  const prevHash = prev ? prev.hash : GENESIS_HASH;
  // Round-trip the data through JSON so what is hashed is what jsonb gives back.
  const data = JSON.parse(JSON.stringify(entry.data ?? {})) as unknown;
  const hash = entryHash(prevHash, seq, { ...entry, data });
  await tx.query(
    `INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, data, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [seq, entry.at, entry.actorId, entry.actor, entry.action, entry.entity, entry.entityId, JSON.stringify(data), prevHash, hash],
  );
  return { seq, hash };
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** First broken entry and why, when the chain does not verify. */
  broken?: { seq: number; reason: string };
}

/** Walks the whole log in order and recomputes every hash. */
export async function verifyAuditChain(db: Queryable, batch = 5000): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const { rows } = await db.query<{
      seq: string;
      at: Date;
      actor_id: string | null;
      actor: string | null;
      action: string;
      entity: string;
      entity_id: string;
      data: unknown;
      prev_hash: string;
      hash: string;
    }>('SELECT seq, at, actor_id, actor, action, entity, entity_id, data, prev_hash, hash FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [
      expectedSeq,
      batch,
    ]);
    if (rows.length === 0) return { ok: true, checked };
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expectedSeq) return { ok: false, checked, broken: { seq: expectedSeq, reason: `entry ${expectedSeq} is missing` } };
      if (r.prev_hash !== prevHash) return { ok: false, checked, broken: { seq, reason: 'prev_hash does not match the previous entry' } };
      const h = entryHash(prevHash, seq, {
        at: r.at,
        actorId: r.actor_id,
        actor: r.actor,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        data: r.data,
      });
      if (h !== r.hash) return { ok: false, checked, broken: { seq, reason: 'content does not match its hash (row edited)' } };
      prevHash = r.hash;
      expectedSeq += 1;
      checked += 1;
    }
  }
}
