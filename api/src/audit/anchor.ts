// The audit chain anchored outside PostgreSQL (issue 22, item 4). A database superuser can rewrite audit_log and
// recompute every hash; what they cannot do is sign: every few minutes the api writes a checkpoint (the last
// entry's seq and hash) signed with HMAC-SHA256 under AUDIT_HMAC_KEY, a key kept in the environment, never in the
// database, to object storage (`audit` bucket: `checkpoints/latest.json` and one object per checkpoint, kept by
// the bucket's retention). `audit:verify` then checks the chain and that it still holds the signed checkpoint:
// fewer entries than the checkpoint (truncation) or another hash at its seq (edit and re-hash) is a break.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '@phatnguoi/core/db';
import type { BucketName } from '@phatnguoi/core/storage';
import { canonicalJson, verifyAuditChain, type ChainReport } from './chain';

export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  mac: string;
}

interface CheckpointStore {
  put(bucket: BucketName, key: string, body: Buffer, contentType: string): Promise<unknown>;
  get(bucket: BucketName, key: string): Promise<Buffer>;
}

export const LATEST_KEY = 'checkpoints/latest.json';

export function checkpointMac(key: string, c: Omit<Checkpoint, 'mac'>): string {
  return createHmac('sha256', key)
    .update(canonicalJson({ seq: c.seq, hash: c.hash, at: c.at }))
    .digest('hex');
}

/** Signs and stores a checkpoint of the chain's last entry; null when the log is empty. */
export async function writeCheckpoint(db: Queryable, storage: CheckpointStore, key: string, now: Date): Promise<Checkpoint | null> {
  const { rows } = await db.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const last = rows[0];
  if (!last) return null;
  const c = { seq: Number(last.seq), hash: last.hash, at: now.toISOString() };
  const cp: Checkpoint = { ...c, mac: checkpointMac(key, c) };
  const body = Buffer.from(JSON.stringify(cp));
  await storage.put('audit', `checkpoints/${String(cp.seq).padStart(12, '0')}.json`, body, 'application/json');
  await storage.put('audit', LATEST_KEY, body, 'application/json');
  return cp;
}

/** The chain recomputed, then held against the latest signed checkpoint. */
export async function verifyAnchoredChain(db: Queryable, storage: CheckpointStore, key: string): Promise<ChainReport & { checkpoint: Checkpoint | null }> {
  const chain = await verifyAuditChain(db);
  let cp: Checkpoint | null = null;
  try {
    cp = JSON.parse((await storage.get('audit', LATEST_KEY)).toString('utf8')) as Checkpoint;
  } catch {
    cp = null;
  }
  if (!cp) return { ...chain, checkpoint: null };
  const expected = Buffer.from(checkpointMac(key, cp), 'hex');
  const given = Buffer.from(typeof cp.mac === 'string' ? cp.mac : '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      checked: chain.checked,
      broken: { seq: Number(cp.seq) || 0, reason: 'the latest checkpoint is not signed with AUDIT_HMAC_KEY (forged or another key)' },
      checkpoint: cp,
    };
  }
  if (!chain.ok) return { ...chain, checkpoint: cp };
  const { rows } = await db.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = $1', [cp.seq]);
  const at = rows[0];
  if (!at)
    return {
      ok: false,
      checked: chain.checked,
      broken: { seq: cp.seq, reason: `truncated: entry ${cp.seq} of the signed checkpoint of ${cp.at} is gone (the log has ${chain.checked})` },
      checkpoint: cp,
    };
  if (at.hash !== cp.hash)
    return {
      ok: false,
      checked: chain.checked,
      broken: { seq: cp.seq, reason: `rewritten: entry ${cp.seq} hashes differently from the signed checkpoint of ${cp.at} (edited and re-hashed)` },
      checkpoint: cp,
    };
  return { ...chain, checkpoint: cp };
}
