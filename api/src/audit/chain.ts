// Append-only audit log with a hash chain: hash = sha256(prev_hash + canonical entry). The chain is
// computed here under a transaction-scoped advisory lock so concurrent writers append in order. With AUDIT_HMAC_KEY
// (useAuditMacKey at start-up) each entry also carries mac = HMAC-SHA256(key, its seq and content): the key stays in
// the api's environment, so a database superuser who edits an entry and re-hashes the chain is caught at that entry.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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

/** What the hash and the MAC of an entry cover: its seq and content. */
function entryBody(seq: number, e: AuditEntry): string {
  return canonicalJson({
    seq,
    at: e.at.toISOString(),
    actorId: e.actorId,
    actor: e.actor,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId,
    data: e.data ?? {},
  });
}

export function entryHash(prevHash: string, seq: number, e: AuditEntry): string {
  return createHash('sha256').update(prevHash).update('\n').update(entryBody(seq, e)).digest('hex');
}

/** The entry's keyed MAC: not chained (an edit names its own entry), but bound to the seq (no moving entries). */
export function entryMac(key: string, seq: number, e: AuditEntry): string {
  return createHmac('sha256', key).update('audit-entry\n').update(entryBody(seq, e)).digest('hex');
}

let macKey: string | null = null;

/** The key appendAudit signs each entry with (AUDIT_HMAC_KEY), set once by the process that writes the log; null: no MAC. */
export function useAuditMacKey(key: string | null): void {
  macKey = key;
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
  const mac = macKey ? entryMac(macKey, seq, { ...entry, data }) : null;
  await tx.query(
    `INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, data, prev_hash, hash, mac)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [seq, entry.at, entry.actorId, entry.actor, entry.action, entry.entity, entry.entityId, JSON.stringify(data), prevHash, hash, mac],
  );
  return { seq, hash };
}

export interface ChainProblem {
  seq: number;
  reason: string;
}

/** Problems kept in a report; more are counted, not listed. */
export const MAX_LISTED_PROBLEMS = 200;

export interface ChainReport {
  ok: boolean;
  /** Entries read. */
  checked: number;
  /** The first problem, when there is one. */
  broken?: ChainProblem;
  /** Every problem, entry by entry, in seq order (the first MAX_LISTED_PROBLEMS). */
  problems: ChainProblem[];
  problemCount: number;
  /** With a key: entries whose MAC verified, and entries written before MACs (the log's first entries) that carry none. */
  macVerified: number;
  unsigned: number;
}

/** `report` with one more problem. */
export function withProblem<R extends ChainReport>(report: R, problem: ChainProblem): R {
  const problems = report.problems.length < MAX_LISTED_PROBLEMS ? [...report.problems, problem] : report.problems;
  return { ...report, ok: false, broken: report.broken ?? problem, problems, problemCount: report.problemCount + 1 };
}

export interface VerifyOptions {
  /** AUDIT_HMAC_KEY: check each entry's MAC. */
  key?: string | null;
  /** First seq that must carry a MAC (from the signed checkpoint); before any, entries without one are older than MACs. */
  macsFrom?: number | null;
  batch?: number;
}

function macMatches(key: string, seq: number, e: AuditEntry, given: string): boolean {
  const expected = Buffer.from(entryMac(key, seq, e), 'hex');
  const got = Buffer.from(given, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * Walks the whole log in order and checks every entry: its seq follows the previous one, its prev_hash is the
 * previous entry's hash, its content matches its hash and, with a key, its MAC. Every problem is reported with its
 * entry; an entry without a MAC after one that has one (or at or after `macsFrom`) is a problem too.
 */
export async function verifyAuditChain(db: Queryable, opts: VerifyOptions = {}): Promise<ChainReport> {
  const batch = opts.batch ?? 5000;
  const key = opts.key ?? null;
  let report: ChainReport = { ok: true, checked: 0, problems: [], problemCount: 0, macVerified: 0, unsigned: 0 };
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let signedSeen = false;
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
      mac: string | null;
    }>('SELECT seq, at, actor_id, actor, action, entity, entity_id, data, prev_hash, hash, mac FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2', [
      expectedSeq,
      batch,
    ]);
    if (rows.length === 0) return report;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expectedSeq) {
        const gap = seq - 1 === expectedSeq ? `entry ${expectedSeq} is missing` : `entries ${expectedSeq} to ${seq - 1} are missing`;
        report = withProblem(report, { seq: expectedSeq, reason: `${gap} (deleted)` });
      } else if (r.prev_hash !== prevHash) {
        report = withProblem(report, { seq, reason: 'prev_hash does not match the previous entry (an entry before it was edited or removed)' });
      }
      const entry: AuditEntry = {
        at: r.at,
        actorId: r.actor_id,
        actor: r.actor,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        data: r.data,
      };
      if (entryHash(r.prev_hash, seq, entry) !== r.hash) report = withProblem(report, { seq, reason: 'content does not match its hash (edited)' });
      if (key) {
        if (r.mac !== null) {
          signedSeen = true;
          if (macMatches(key, seq, entry, r.mac)) report.macVerified += 1;
          else report = withProblem(report, { seq, reason: 'MAC does not match: edited in the database after the api wrote it' });
        } else if (signedSeen || (opts.macsFrom != null && seq >= opts.macsFrom)) {
          report = withProblem(report, { seq, reason: 'carries no MAC where one is due (MAC removed, or written by a process without AUDIT_HMAC_KEY)' });
        } else {
          report.unsigned += 1;
        }
      }
      prevHash = r.hash;
      expectedSeq = seq + 1;
      report.checked += 1;
    }
  }
}

/** The report as lines for a person: one line per problem, then the outcome. */
export function describeReport(report: ChainReport & { checkpoint?: { seq: number; at: string } | null }, withKey: boolean): string[] {
  const lines: string[] = [];
  if (report.checkpoint !== undefined)
    lines.push(
      report.checkpoint ? `signed checkpoint: entry ${report.checkpoint.seq} at ${report.checkpoint.at}` : 'no signed checkpoint found in object storage yet',
    );
  if (withKey) lines.push(`entry MACs: ${report.macVerified} verified, ${report.unsigned} entries written before MACs carry none`);
  for (const p of report.problems) lines.push(`entry ${p.seq}: ${p.reason}`);
  if (report.problemCount > report.problems.length) lines.push(`... and ${report.problemCount - report.problems.length} more problems`);
  lines.push(
    report.ok
      ? `audit chain OK: ${report.checked} entries verified`
      : `audit chain BROKEN: ${report.problemCount} problem(s), first at entry ${report.broken?.seq} (${report.checked} entries read)`,
  );
  return lines;
}
