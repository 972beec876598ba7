// Retention: how long evidence, clips, rejected cases, operational logs and public entries are kept (set in the
// administrator console, floors in RETENTION_LIMITS), and the daily retention.purge job that applies it. What an open
// case or a legal hold needs is never touched: only resolved and lapsed cases lose their evidence (after the one-year
// limitation period at least), only rejected ones their plate. The audit log is never purged (hash-chained record).
import type { Db, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { NotFoundError, UserError } from '@phatnguoi/core/errors';
import type { BucketName } from '@phatnguoi/core/storage';
import {
  RETENTION_FIELDS,
  RETENTION_LIMITS,
  type LegalHoldRequest,
  type LegalHoldResponse,
  type RetentionField,
  type RetentionRun,
  type RetentionSettings,
} from '@phatnguoi/core/contracts/api/admin';
import type { FieldError } from '@phatnguoi/core/contracts/values';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import type { StorageLike } from '../deps';
import type { UserPrincipal } from '../domain/principal';
import { isUuid } from './cases';
import { vnDay, vnWallClock } from '../domain/vietnam-time';

const COLUMNS: Record<RetentionField, string> = {
  evidenceDays: 'evidence_days',
  clipDays: 'clip_days',
  rejectedDays: 'rejected_days',
  logDays: 'log_days',
  publicDays: 'public_days',
};
const DAY_MS = 86_400_000;
/** Evidence rows removed per round trip (each is one object in storage). */
const BATCH = 200;

type Days = Record<RetentionField, number>;

async function readDays(q: Queryable): Promise<Days & { updatedAt: Date }> {
  const { rows } = await q.query<Record<string, number | Date>>('SELECT * FROM retention_settings');
  const r = rows[0]!;
  const days = Object.fromEntries(RETENTION_FIELDS.map((f) => [f, Number(r[COLUMNS[f]])])) as Days;
  return { ...days, updatedAt: r.updated_at as Date };
}

export async function getRetention(q: Queryable): Promise<RetentionSettings> {
  const d = await readDays(q);
  const last = await q.query<{ data: RetentionRun }>(
    "SELECT data FROM audit_log WHERE entity = 'retention' AND action = 'retention.purged' ORDER BY seq DESC LIMIT 1",
  );
  return { ...d, updatedAt: d.updatedAt.toISOString(), lastRun: last.rows[0]?.data ?? null };
}

/** Field errors of a settings change: whole days within each field's limits (the legal floor first). */
export function retentionErrors(body: unknown): { ok: true; value: Partial<Days> } | { ok: false; errors: FieldError[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, errors: [{ path: '/', message: 'Expected object' }] };
  const errors: FieldError[] = [];
  const value: Partial<Days> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const limits = RETENTION_LIMITS[k as RetentionField];
    if (!limits) errors.push({ path: `/${k}`, message: 'Unexpected property' });
    else if (typeof v !== 'number' || !Number.isInteger(v)) errors.push({ path: `/${k}`, message: 'Expected integer' });
    else if (v < limits.min) errors.push({ path: `/${k}`, message: `Expected integer to be greater or equal to ${limits.min}` });
    else if (v > limits.max) errors.push({ path: `/${k}`, message: `Expected integer to be less or equal to ${limits.max}` });
    else value[k as RetentionField] = v;
  }
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

/** Changes the fields given; a refused change changes nothing. The audit entry lists each change before and after. */
export async function putRetention(db: Db, clock: Clock, admin: UserPrincipal, body: unknown): Promise<RetentionSettings> {
  const v = retentionErrors(body);
  if (!v.ok) {
    throw new UserError('invalid_retention', `invalid retention: ${v.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, 400, {
      details: { errors: v.errors },
    });
  }
  await withTransaction(db, async (tx) => {
    const prev = await readDays(tx);
    const changes: Record<string, { from: number; to: number }> = {};
    for (const f of RETENTION_FIELDS) if (v.value[f] !== undefined && v.value[f] !== prev[f]) changes[f] = { from: prev[f], to: v.value[f]! };
    const fields = Object.keys(changes) as RetentionField[];
    if (fields.length === 0) return;
    const now = clock.now();
    await tx.query(
      `UPDATE retention_settings SET ${fields.map((f, i) => `${COLUMNS[f]} = $${i + 1}`).join(', ')}, updated_at = $${fields.length + 1}, updated_by = $${fields.length + 2}`,
      [...fields.map((f) => changes[f]!.to), now, admin.id],
    );
    await appendAudit(tx, {
      at: now,
      actorId: admin.id,
      actor: admin.username,
      action: 'retention.updated',
      entity: 'retention',
      entityId: 'settings',
      data: { changes },
    });
  });
  return getRetention(db);
}

/** Puts a case under a legal hold (its evidence is kept whatever its age) or lifts it; audited with the reason. */
export async function setLegalHold(db: Db, clock: Clock, admin: UserPrincipal, caseId: string, req: LegalHoldRequest): Promise<LegalHoldResponse> {
  if (!isUuid(caseId)) throw new NotFoundError('no such case');
  const reason = req.reason?.trim() || null;
  if (req.hold && !reason) {
    throw new UserError('legal_hold_reason_required', 'give the reason of the legal hold', 400, {
      details: { errors: [{ path: '/reason', message: 'Expected required property' }] },
    });
  }
  return withTransaction(db, async (tx) => {
    const r = await tx.query<{ legal_hold: boolean }>('SELECT legal_hold FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
    if (!r.rows[0]) throw new NotFoundError('no such case');
    await tx.query('UPDATE cases SET legal_hold = $2, legal_hold_reason = $3 WHERE id = $1', [caseId, req.hold, req.hold ? reason : null]);
    await appendAudit(tx, {
      at: clock.now(),
      actorId: admin.id,
      actor: admin.username,
      action: req.hold ? 'case.legal_hold' : 'case.legal_hold_lifted',
      entity: 'case',
      entityId: caseId,
      data: { from: r.rows[0].legal_hold, reason },
    });
    return { caseId, legalHold: req.hold, reason: req.hold ? reason : null };
  });
}

/** Vietnam hour after which the day's purge is queued: the quietest hours for storage deletes. */
export const RETENTION_PURGE_HOUR = 3;

/**
 * The Vietnam date whose purge is due at `now` (from 03:00 that day), or null before 03:00. Queued from the api's
 * minute sweep with the date as job id, so each day gets one run however many replicas ask or restart.
 */
export function retentionPurgeDue(now: Date): string | null {
  return vnWallClock(now).getUTCHours() >= RETENTION_PURGE_HOUR ? vnDay(now) : null;
}

interface ExpiredEvidence {
  id: string;
  bucket: string;
  key: string;
  kind: string;
  status: string;
}

/**
 * One run of the purge: removes what has outlived its time, in batches, the object before its row (a run cut short
 * leaves rows whose objects a later run removes again, never an object without its row), and writes what it did to
 * the audit log. Idempotent: a second run the same day finds nothing.
 */
export async function purgeExpired(ctx: { db: Db; storage: StorageLike; clock: Clock }): Promise<RetentionRun> {
  const { db, storage, clock } = ctx;
  const now = clock.now();
  const days = await readDays(db);
  const before = (d: number) => new Date(now.getTime() - d * DAY_MS);
  const evidenceCut = before(days.evidenceDays);
  const clipCut = before(days.clipDays);
  const rejectedCut = before(days.rejectedDays);
  const run: RetentionRun = {
    at: now.toISOString(),
    evidenceObjects: 0,
    clipObjects: 0,
    rejectedObjects: 0,
    rejectedCasesScrubbed: 0,
    logRows: 0,
    unpublished: 0,
    heldCases: 0,
  };
  // Only closed cases: resolved and lapsed by the violation's age, rejected by the time of the rejection.
  const expiredSql = `SELECT e.id, e.bucket, e.key, e.kind, c.status FROM case_evidence e JOIN cases c ON c.id = e.case_id
    WHERE NOT c.legal_hold AND (
      (c.status IN ('resolved', 'lapsed') AND e.kind <> 'clip' AND c.occurred_at < $1)
      OR (c.status IN ('resolved', 'lapsed') AND e.kind = 'clip' AND c.occurred_at < $2)
      OR (c.status = 'rejected' AND c.updated_at < $3))
    ORDER BY e.id LIMIT ${BATCH}`;
  for (;;) {
    const { rows } = await db.query<ExpiredEvidence>(expiredSql, [evidenceCut, clipCut, rejectedCut]);
    if (rows.length === 0) break;
    for (const e of rows) {
      await storage.remove(e.bucket as BucketName, e.key);
      await db.query('DELETE FROM case_evidence WHERE id = $1', [e.id]);
      if (e.status === 'rejected') run.rejectedObjects += 1;
      else if (e.kind === 'clip') run.clipObjects += 1;
      else run.evidenceObjects += 1;
    }
  }
  run.rejectedCasesScrubbed =
    (
      await db.query(
        `UPDATE cases SET plate_text = NULL, plate_original = NULL
          WHERE status = 'rejected' AND updated_at < $1 AND NOT legal_hold AND (plate_text IS NOT NULL OR plate_original IS NOT NULL)`,
        [rejectedCut],
      )
    ).rowCount ?? 0;
  run.heldCases = Number(
    (
      await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM cases WHERE legal_hold AND (
          (status IN ('resolved', 'lapsed') AND occurred_at < $1) OR (status = 'rejected' AND updated_at < $2))`,
        [evidenceCut < clipCut ? clipCut : evidenceCut, rejectedCut],
      )
    ).rows[0]!.n,
  );
  const logCut = before(days.logDays);
  for (const sql of [
    'DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1',
    'DELETE FROM citizen_sessions WHERE expires_at < $1',
    'DELETE FROM oidc_logins WHERE expires_at < $1',
    'DELETE FROM outbox_catcher WHERE received_at < $1',
  ]) {
    run.logRows += (await db.query(sql, [logCut])).rowCount ?? 0;
  }
  run.unpublished =
    (
      await db.query(`UPDATE cases SET unpublished_at = $2 WHERE status IN ('resolved', 'lapsed') AND updated_at < $1 AND unpublished_at IS NULL`, [
        before(days.publicDays),
        now,
      ])
    ).rowCount ?? 0;
  await withTransaction(db, (tx) =>
    appendAudit(tx, {
      at: now,
      actorId: null,
      actor: 'retention',
      action: 'retention.purged',
      entity: 'retention',
      entityId: now.toISOString().slice(0, 10),
      data: run,
    }),
  );
  return run;
}
