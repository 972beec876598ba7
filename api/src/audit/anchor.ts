// The audit chain anchored outside PostgreSQL (issue 22, item 4). A database superuser can rewrite audit_log and
// recompute every hash; what they cannot do is sign: every few minutes the api writes a checkpoint (the last
// entry's seq and hash) signed with HMAC-SHA256 under AUDIT_HMAC_KEY, a key kept in the environment, never in the
// database, to object storage (`audit` bucket: `checkpoints/latest.json` and one object per checkpoint, kept by
// the bucket's retention). `audit:verify` then checks the chain and that it still holds the signed checkpoint:
// fewer entries than the checkpoint (truncation) or another hash at its seq (edit and re-hash) is a break.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '@phatnguoi/core/db';
import type { BucketName } from '@phatnguoi/core/storage';
import { canonicalJson, verifyAuditChain, withProblem, type ChainReport } from './chain';

export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  /** First entry that carries a MAC (chain.ts), pinned by the first checkpoint that saw one; absent: none yet. */
  macsFrom?: number;
  mac: string;
}

interface CheckpointStore {
  put(bucket: BucketName, key: string, body: Buffer, contentType: string): Promise<unknown>;
  get(bucket: BucketName, key: string): Promise<Buffer>;
}

export const LATEST_KEY = 'checkpoints/latest.json';

export function checkpointMac(key: string, c: Omit<Checkpoint, 'mac'>): string {
  return createHmac('sha256', key)
    .update(canonicalJson({ seq: c.seq, hash: c.hash, at: c.at, macsFrom: c.macsFrom }))
    .digest('hex');
}

/** The latest checkpoint: null when there is none, 'forged' when its MAC is not ours. */
async function readLatest(storage: CheckpointStore, key: string): Promise<Checkpoint | 'forged' | null> {
  let cp: Checkpoint | null = null;
  try {
    cp = JSON.parse((await storage.get('audit', LATEST_KEY)).toString('utf8')) as Checkpoint;
  } catch {
    return null;
  }
  if (!cp || typeof cp !== 'object') return null;
  const expected = Buffer.from(checkpointMac(key, cp), 'hex');
  const given = Buffer.from(typeof cp.mac === 'string' ? cp.mac : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? cp : 'forged';
}

/**
 * Signs and stores a checkpoint of the chain's last entry; null when the log is empty. `macsFrom` is kept from the
 * previous checkpoint once set, so MACs stripped from the first signed entries later are still missed.
 */
export async function writeCheckpoint(db: Queryable, storage: CheckpointStore, key: string, now: Date): Promise<Checkpoint | null> {
  const { rows } = await db.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const last = rows[0];
  if (!last) return null;
  const previous = await readLatest(storage, key);
  let macsFrom = previous && previous !== 'forged' ? previous.macsFrom : undefined;
  if (macsFrom === undefined) {
    const first = await db.query<{ seq: string }>('SELECT seq FROM audit_log WHERE mac IS NOT NULL ORDER BY seq LIMIT 1');
    macsFrom = first.rows[0] ? Number(first.rows[0].seq) : undefined;
  }
  const c = { seq: Number(last.seq), hash: last.hash, at: now.toISOString(), ...(macsFrom !== undefined ? { macsFrom } : {}) };
  const cp: Checkpoint = { ...c, mac: checkpointMac(key, c) };
  const body = Buffer.from(JSON.stringify(cp));
  await storage.put('audit', `checkpoints/${String(cp.seq).padStart(12, '0')}.json`, body, 'application/json');
  await storage.put('audit', LATEST_KEY, body, 'application/json');
  return cp;
}

/** Every entry checked (hash chain and MAC), then the log held against the latest signed checkpoint. */
export async function verifyAnchoredChain(db: Queryable, storage: CheckpointStore, key: string): Promise<ChainReport & { checkpoint: Checkpoint | null }> {
  const latest = await readLatest(storage, key);
  const cp = latest === 'forged' ? null : latest;
  let report: ChainReport = await verifyAuditChain(db, { key, macsFrom: cp?.macsFrom ?? null });
  if (latest === 'forged')
    return {
      ...withProblem(report, { seq: 0, reason: 'the latest checkpoint is not signed with AUDIT_HMAC_KEY (forged or another key)' }),
      checkpoint: null,
    };
  if (!cp) return { ...report, checkpoint: null };
  const { rows } = await db.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = $1', [cp.seq]);
  const at = rows[0];
  if (!at)
    report = withProblem(report, {
      seq: cp.seq,
      reason: `truncated: entry ${cp.seq} of the signed checkpoint of ${cp.at} is gone (the log has ${report.checked})`,
    });
  else if (at.hash !== cp.hash)
    report = withProblem(report, {
      seq: cp.seq,
      reason: `rewritten: entry ${cp.seq} hashes differently from the signed checkpoint of ${cp.at} (edited and re-hashed)`,
    });
  return { ...report, checkpoint: cp };
}
