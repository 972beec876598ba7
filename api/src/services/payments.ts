// Payment reconciliation: a file of payment records (docs/payments.md) is stored, then a background job checks every
// record (any bad one fails the import, which then changes nothing), and applies them in batches: a payment that
// matches an unpaid decision's number and amount closes its case; anything else is kept as a mismatch for a person
// to resolve. The same payment (channel + reference) imported again changes nothing.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Db, DbClient, Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError, UserError } from '@phatnguoi/core/errors';
import type { Mismatch, MismatchKind, PaymentImport, PaymentSource, ResolveMismatchRequest } from '@phatnguoi/core/contracts/api/reports';
import { appendAudit } from '../audit/chain';
import type { Clock } from '../clock';
import { agencyScope, type UserPrincipal } from '../domain/principal';
import type { ParsedRecord, PaymentRecord, RecordError } from '../domain/payment-records';
import { SOURCE_FORMAT, detectSource, sourceRecords } from '../domain/payment-sources';
import { nextStatus } from '../domain/case-status';
import { actorOf, type Actor } from './cases';
import { vnDay } from '../domain/vietnam-time';
import { fieldError } from '../domain/field-error';

/**
 * Records applied per transaction (and per progress update). Small, because each transaction that writes the audit
 * chain holds its lock until it commits, and officers' decisions wait on that lock meanwhile.
 */
const BATCH = 50;
/** Bad rows listed on a failed import at most; the rest are counted in the message. */
const MAX_LISTED_ERRORS = 100;

/** A stored or uploaded file: its format and the source whose adapter reads it (docs/payments.md). */
export interface PaymentFile {
  format: 'csv' | 'json';
  source: PaymentSource;
  content: Buffer;
}

export function paymentRecords({ format, source, content }: PaymentFile): AsyncGenerator<ParsedRecord> {
  // Fed to the parser in 64 KiB chunks, as a file read from disk or a socket would be.
  const stream = Readable.from(
    (function* () {
      for (let i = 0; i < content.length; i += 65_536) yield content.subarray(i, i + 65_536);
    })(),
  );
  return sourceRecords(source, format, stream);
}

const signature = (r: PaymentRecord) => `${r.decisionNumber}|${r.amount}|${r.paidAt.getTime()}`;

/**
 * Reads the whole file once and checks every record: its fields, and a reference that appears twice with different
 * data. Returns the count and the bad records (the first MAX_LISTED_ERRORS of them listed).
 */
export async function checkRecords(file: PaymentFile): Promise<{ total: number; bad: number; errors: RecordError[] }> {
  const errors: RecordError[] = [];
  let bad = 0;
  let total = 0;
  const seen = new Map<string, string>();
  for await (const rec of paymentRecords(file)) {
    total += 1;
    if (rec.errors) {
      bad += 1;
      for (const e of rec.errors) if (errors.length < MAX_LISTED_ERRORS) errors.push(e);
      continue;
    }
    const key = `${rec.record.channel}|${rec.record.reference}`;
    const before = seen.get(key);
    if (before !== undefined && before !== signature(rec.record)) {
      bad += 1;
      if (errors.length < MAX_LISTED_ERRORS)
        errors.push({
          line: rec.line,
          field: 'reference',
          message: `${rec.record.reference} (${rec.record.channel}) appears earlier in the file with another decision, amount or time`,
        });
    }
    seen.set(key, signature(rec.record));
  }
  return { total, bad, errors };
}

/**
 * Stores an uploaded file for the import job. The file is read once first: a file with any bad record (or none) is
 * refused with every bad line and field named, and nothing is stored.
 */
export async function createImport(
  db: Db,
  clock: Clock,
  user: UserPrincipal,
  upload: { filename: string; format: 'csv' | 'json'; source?: PaymentSource | undefined; content: Buffer },
): Promise<string> {
  if (upload.content.length === 0) throw new UserError('empty_file', 'the file is empty');
  const file: PaymentFile & { filename: string } = { ...upload, source: upload.source ?? detectSource(upload.format, upload.content) };
  const expected = SOURCE_FORMAT[file.source];
  if (expected !== 'both' && expected !== file.format)
    throw fieldError('bad_source_format', 'source', `a ${file.source} file is ${expected.toUpperCase()}, not ${file.format.toUpperCase()}`);
  const checked = await checkRecords(file);
  if (checked.bad > 0) {
    const first = checked.errors
      .slice(0, 3)
      .map((e) => `line ${e.line} ${e.field}: ${e.message}`)
      .join('; ');
    throw new UserError(
      'bad_records',
      `${checked.bad} of ${checked.total} records are bad (nothing was imported): ${first}${checked.bad > 3 ? '; …' : ''}`,
      400,
      { details: { errors: checked.errors.map((e) => ({ path: `/line/${e.line}/${e.field}`, message: e.message })) } },
    );
  }
  if (checked.total === 0) throw new UserError('no_records', 'the file holds no payment records');
  const sha256 = createHash('sha256').update(file.content).digest('hex');
  return withTransaction(db, async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO payment_imports (filename, format, source, content, sha256, created_by, agency_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`,
      [file.filename, file.format, file.source, file.content, sha256, user.id, agencyScope(user), clock.now()],
    );
    const id = rows[0]!.id;
    await appendAudit(tx, {
      at: clock.now(),
      actorId: user.id,
      actor: user.username,
      action: 'payment_import.created',
      entity: 'payment_import',
      entityId: id,
      data: { filename: file.filename, format: file.format, source: file.source, sha256, size: file.content.length },
    });
    return id;
  });
}

/**
 * Safety net (the process may die between storing a file and queueing its job, or Redis lose the job): queues every
 * import still waiting or running a minute after it was stored; the job id per import keeps one job each.
 */
export async function requeueStalledImports(ctx: {
  db: Db;
  clock?: Clock;
  queues?: { enqueue: (name: 'payments.import', p: { importId: string }) => Promise<unknown> };
}): Promise<number> {
  if (!ctx.queues) return 0;
  const now = (ctx.clock ?? { now: () => new Date() }).now();
  const { rows } = await ctx.db.query<{ id: string }>(`SELECT id FROM payment_imports WHERE status IN ('queued', 'running') AND created_at < $1 LIMIT 100`, [
    new Date(now.getTime() - 60_000),
  ]);
  for (const r of rows) await ctx.queues.enqueue('payments.import', { importId: r.id });
  return rows.length;
}

interface ImportRow {
  id: string;
  filename: string;
  format: 'csv' | 'json';
  source: PaymentSource;
  status: PaymentImport['status'];
  total: number | null;
  processed: number;
  matched: number;
  duplicates: number;
  mismatched: number;
  errors: RecordError[];
  created_at: Date;
  finished_at: Date | null;
  created_by: string;
  agency_id: string | null;
}
const toImport = (r: ImportRow): PaymentImport => ({
  id: r.id,
  filename: r.filename,
  format: r.format,
  source: r.source,
  status: r.status,
  total: r.total,
  processed: r.processed,
  matched: r.matched,
  duplicates: r.duplicates,
  mismatched: r.mismatched,
  errors: r.errors,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});
const IMPORT_COLUMNS =
  'id, filename, format, source, status, total, processed, matched, duplicates, mismatched, errors, created_at, finished_at, created_by, agency_id';

export async function getImport(q: Queryable, user: UserPrincipal, id: string): Promise<PaymentImport> {
  const { rows } = await q.query<ImportRow>(`SELECT ${IMPORT_COLUMNS} FROM payment_imports WHERE id = $1 AND ($2::uuid IS NULL OR agency_id = $2)`, [
    id,
    agencyScope(user),
  ]);
  if (!rows[0]) throw new NotFoundError('no such import');
  return toImport(rows[0]);
}
export async function listImports(q: Queryable, user: UserPrincipal): Promise<PaymentImport[]> {
  const { rows } = await q.query<ImportRow>(
    `SELECT ${IMPORT_COLUMNS} FROM payment_imports WHERE ($1::uuid IS NULL OR agency_id = $1) ORDER BY created_at DESC LIMIT 50`,
    [agencyScope(user)],
  );
  return rows.map(toImport);
}

interface DecisionForPayment {
  id: string;
  case_id: string;
  amount: string;
  status: string;
  lapses_on: string;
  case_status: string;
  resolving_agency_id: string | null;
  agency_id: string;
}

/** Closes the case of a paid decision: resolved (if it was waiting on the owner), paid, warnings lifted, deadlines cancelled. */
async function settleDecision(
  tx: DbClient,
  clock: Clock,
  actor: Actor,
  d: DecisionForPayment,
  p: { paymentId: string; amount: number; paidAt: Date; channel: string; reference: string },
  how: string,
): Promise<void> {
  const now = clock.now();
  await tx.query(`UPDATE penalty_decisions SET status = 'paid', paid_at = $2 WHERE id = $1`, [d.id, p.paidAt]);
  const resolves = d.case_status === 'notified' || d.case_status === 'escalated';
  const to = resolves ? nextStatus(d.case_status as 'notified', 'resolve') : d.case_status;
  await tx.query('UPDATE cases SET paid_at = $2, status = $3, updated_at = $4 WHERE id = $1', [d.case_id, p.paidAt, to, now]);
  if (resolves && actor.id) {
    await tx.query(`INSERT INTO owner_responses (case_id, kind, outcome, text, recorded_by, recorded_at) VALUES ($1,'resolution','fine_paid',$2,$3,$4)`, [
      d.case_id,
      `Đã nộp phạt ${p.amount} đồng (${p.channel}, mã giao dịch ${p.reference})`,
      actor.id,
      now,
    ]);
  }
  await tx.query(`UPDATE case_deadlines SET status = 'cancelled' WHERE case_id = $1 AND status = 'pending'`, [d.case_id]);
  await tx.query('UPDATE case_warnings SET lifted_at = $2 WHERE case_id = $1 AND lifted_at IS NULL', [d.case_id, now]);
  await appendAudit(tx, {
    at: now,
    actorId: actor.id,
    actor: actor.name,
    action: 'case.paid',
    entity: 'case',
    entityId: d.case_id,
    data: {
      from: d.case_status,
      to,
      decisionId: d.id,
      paymentId: p.paymentId,
      amount: p.amount,
      paidAt: p.paidAt.toISOString(),
      channel: p.channel,
      reference: p.reference,
      how,
    },
  });
}

/** What a payment is, checked against its decision (null: it settles it). */
export function mismatchOf(
  d: { amount: number; status: string; lapsesOn: string; caseStatus: string } | null,
  r: Pick<PaymentRecord, 'amount' | 'paidAt'>,
): MismatchKind | null {
  if (!d) return 'unknown_decision';
  if (d.status === 'paid') return 'paid_twice';
  if (d.caseStatus === 'lapsed' || vnDay(r.paidAt) > d.lapsesOn) return 'paid_after_lapse';
  if (r.amount !== d.amount) return 'wrong_amount';
  return null;
}

async function decisionByNumber(tx: Queryable, number: string, scope: string | null): Promise<DecisionForPayment | null> {
  const { rows } = await tx.query<DecisionForPayment>(
    `SELECT d.id, d.case_id, d.amount, d.status, to_char(d.lapses_on, 'YYYY-MM-DD') AS lapses_on, c.status AS case_status, c.resolving_agency_id, c.agency_id
       FROM penalty_decisions d JOIN cases c ON c.id = d.case_id
      WHERE d.number = $1 AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2) FOR UPDATE OF d, c`,
    [number, scope],
  );
  return rows[0] ?? null;
}

/** Applies one record; returns what it was. */
async function applyRecord(
  tx: DbClient,
  clock: Clock,
  actor: Actor,
  imp: { id: string; agency_id: string | null },
  line: number,
  r: PaymentRecord,
): Promise<'matched' | 'duplicate' | 'mismatch'> {
  const dup = await tx.query('SELECT 1 FROM payments WHERE channel = $1 AND reference = $2', [r.channel, r.reference]);
  if (dup.rowCount) return 'duplicate';
  const d = await decisionByNumber(tx, r.decisionNumber, imp.agency_id);
  const kind = mismatchOf(d && { amount: Number(d.amount), status: d.status, lapsesOn: d.lapses_on, caseStatus: d.case_status }, r);
  const ins = await tx.query<{ id: string }>(
    `INSERT INTO payments (import_id, line, decision_number, amount, paid_at, channel, reference, decision_id, outcome, mismatch)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (channel, reference) DO NOTHING RETURNING id`,
    [imp.id, line, r.decisionNumber, r.amount, r.paidAt, r.channel, r.reference, d?.id ?? null, kind ? 'mismatch' : 'matched', kind],
  );
  if (!ins.rows[0]) return 'duplicate';
  const paymentId = ins.rows[0].id;
  if (kind || !d) {
    await appendAudit(tx, {
      at: clock.now(),
      actorId: actor.id,
      actor: actor.name,
      action: 'payment.mismatch',
      entity: 'payment',
      entityId: paymentId,
      data: { importId: imp.id, line, kind, decisionNumber: r.decisionNumber, amount: r.amount, reference: r.reference },
    });
    return 'mismatch';
  }
  await settleDecision(
    tx,
    clock,
    actor,
    d,
    { paymentId, amount: r.amount, paidAt: r.paidAt, channel: r.channel, reference: r.reference },
    `import ${imp.id} line ${line}`,
  );
  return 'matched';
}

/**
 * The background job. Pass 1 reads the whole file and checks every record (fields, and a reference imported before
 * with other data); any bad record fails the import and nothing changes. Pass 2 applies the records in batches with
 * the progress counted on the import. A job that dies half way is run again: records already applied are duplicates.
 */
export async function runImport(
  db: Db,
  clock: Clock,
  importId: string,
  onProgress?: (processed: number, total: number) => Promise<void>,
): Promise<PaymentImport['status']> {
  const { rows } = await db.query<ImportRow & { content: Buffer }>(`SELECT ${IMPORT_COLUMNS}, content FROM payment_imports WHERE id = $1`, [importId]);
  const imp = rows[0];
  if (!imp) throw new NotFoundError(`no payment import ${importId}`);
  if (imp.status === 'done' || imp.status === 'failed') return imp.status;
  const who = await db.query<{ username: string }>('SELECT username FROM users WHERE id = $1', [imp.created_by]);
  const actor: Actor = { id: imp.created_by, name: who.rows[0]?.username ?? 'unknown' };
  await db.query(`UPDATE payment_imports SET status = 'running' WHERE id = $1`, [importId]);

  const checked = await checkRecords(imp);
  const errors = checked.errors;
  let bad = checked.bad;
  const total = checked.total;
  // A reference imported before with other data is a bad record too (the gateway does not reuse references).
  let pending: { line: number; r: PaymentRecord }[] = [];
  const checkAgainstStored = async () => {
    if (!pending.length) return;
    const stored = await db.query<{ channel: string; reference: string; decision_number: string; amount: string; paid_at: Date }>(
      `SELECT channel, reference, decision_number, amount, paid_at FROM payments WHERE (channel, reference) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [pending.map((p) => p.r.channel), pending.map((p) => p.r.reference)],
    );
    const byKey = new Map(stored.rows.map((s) => [`${s.channel}|${s.reference}`, `${s.decision_number}|${Number(s.amount)}|${s.paid_at.getTime()}`]));
    for (const p of pending) {
      const was = byKey.get(`${p.r.channel}|${p.r.reference}`);
      if (was !== undefined && was !== signature(p.r)) {
        bad += 1;
        if (errors.length < MAX_LISTED_ERRORS)
          errors.push({
            line: p.line,
            field: 'reference',
            message: `${p.r.reference} (${p.r.channel}) was imported before with another decision, amount or time`,
          });
      }
    }
    pending = [];
  };
  if (bad === 0) {
    for await (const rec of paymentRecords(imp)) {
      pending.push({ line: rec.line, r: rec.record! });
      if (pending.length >= 1000) await checkAgainstStored();
    }
    await checkAgainstStored();
  }
  if (bad > 0) {
    await withTransaction(db, async (tx) => {
      await tx.query(`UPDATE payment_imports SET status = 'failed', total = $2, errors = $3, finished_at = $4 WHERE id = $1`, [
        importId,
        total,
        JSON.stringify(errors),
        clock.now(),
      ]);
      await appendAudit(tx, {
        at: clock.now(),
        actorId: actor.id,
        actor: actor.name,
        action: 'payment_import.failed',
        entity: 'payment_import',
        entityId: importId,
        data: { total, badRecords: bad },
      });
    });
    return 'failed';
  }
  await db.query('UPDATE payment_imports SET total = $2, processed = 0 WHERE id = $1', [importId, total]);
  await onProgress?.(0, total);

  let processed = 0;
  let batch: { line: number; r: PaymentRecord }[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const work = batch;
    batch = [];
    await withTransaction(db, async (tx) => {
      for (const b of work) await applyRecord(tx, clock, actor, imp, b.line, b.r);
      processed += work.length;
      await tx.query('UPDATE payment_imports SET processed = $2 WHERE id = $1', [importId, processed]);
    });
    await onProgress?.(processed, total);
  };
  for await (const rec of paymentRecords(imp)) {
    batch.push({ line: rec.line, r: rec.record! });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await withTransaction(db, async (tx) => {
    // Counted from what this import recorded, so a job run twice after a crash still reports each record once.
    const c = await tx.query<{ matched: string; mismatched: string }>(
      `SELECT count(*) FILTER (WHERE outcome = 'matched') AS matched, count(*) FILTER (WHERE outcome = 'mismatch') AS mismatched FROM payments WHERE import_id = $1`,
      [importId],
    );
    const matched = Number(c.rows[0]!.matched);
    const mismatched = Number(c.rows[0]!.mismatched);
    await tx.query(`UPDATE payment_imports SET status = 'done', matched = $2, mismatched = $3, duplicates = $4, finished_at = $5 WHERE id = $1`, [
      importId,
      matched,
      mismatched,
      total - matched - mismatched,
      clock.now(),
    ]);
    await appendAudit(tx, {
      at: clock.now(),
      actorId: actor.id,
      actor: actor.name,
      action: 'payment_import.done',
      entity: 'payment_import',
      entityId: importId,
      data: { total, matched, mismatched, duplicates: total - matched - mismatched },
    });
  });
  return 'done';
}

interface MismatchRow {
  id: string;
  import_id: string;
  line: number;
  mismatch: MismatchKind;
  decision_number: string;
  amount: string;
  expected: string | null;
  paid_at: Date;
  channel: string;
  reference: string;
  resolution: 'accepted' | 'dismissed' | null;
  resolution_note: string | null;
}
const MISMATCH_SELECT = `SELECT p.id, p.import_id, p.line, p.mismatch, p.decision_number, p.amount, d.amount AS expected, p.paid_at, p.channel, p.reference,
       p.resolution, p.resolution_note
  FROM payments p JOIN payment_imports i ON i.id = p.import_id LEFT JOIN penalty_decisions d ON d.id = p.decision_id`;
const toMismatch = (r: MismatchRow): Mismatch => ({
  id: r.id,
  importId: r.import_id,
  line: r.line,
  kind: r.mismatch,
  decisionNumber: r.decision_number,
  amount: Number(r.amount),
  expectedAmount: r.expected === null ? null : Number(r.expected),
  paidAt: r.paid_at.toISOString(),
  channel: r.channel,
  reference: r.reference,
  resolution: r.resolution,
  resolutionNote: r.resolution_note,
});

/** Mismatches of the user's imports: open ones (default) or all. */
export async function listMismatches(q: Queryable, user: UserPrincipal, opts: { importId?: string | undefined; open: boolean }): Promise<Mismatch[]> {
  const { rows } = await q.query<MismatchRow>(
    `${MISMATCH_SELECT} WHERE p.outcome = 'mismatch' AND ($1::uuid IS NULL OR i.agency_id = $1) AND ($2::uuid IS NULL OR p.import_id = $2)
        AND (NOT $3 OR p.resolution IS NULL) ORDER BY i.created_at DESC, p.line LIMIT 1000`,
    [agencyScope(user), opts.importId ?? null, opts.open],
  );
  return rows.map(toMismatch);
}

/**
 * A person resolves a mismatch: `accept` settles the decision with this payment (an unknown decision needs the number
 * it was meant for; a decision already paid cannot be settled twice), `dismiss` records that it does not (refunded,
 * another unit's). Either way the note and the person are kept, and audited.
 */
export async function resolveMismatch(db: Db, clock: Clock, user: UserPrincipal, id: string, body: ResolveMismatchRequest): Promise<Mismatch> {
  const scope = agencyScope(user);
  await withTransaction(db, async (tx) => {
    const { rows } = await tx.query<{
      id: string;
      mismatch: MismatchKind;
      resolution: string | null;
      decision_number: string;
      decision_id: string | null;
      amount: string;
      paid_at: Date;
      channel: string;
      reference: string;
    }>(
      `SELECT p.id, p.mismatch, p.resolution, p.decision_number, p.decision_id, p.amount, p.paid_at, p.channel, p.reference
         FROM payments p JOIN payment_imports i ON i.id = p.import_id
        WHERE p.id = $1 AND p.outcome = 'mismatch' AND ($2::uuid IS NULL OR i.agency_id = $2) FOR UPDATE OF p`,
      [id, scope],
    );
    const p = rows[0];
    if (!p) throw new NotFoundError('no such mismatch');
    if (p.resolution) throw new ConflictError(`the mismatch was ${p.resolution} already`, 'already_resolved');
    let decisionId = p.decision_id;
    if (body.action === 'accept') {
      if (p.mismatch === 'paid_twice')
        throw new ConflictError('the decision is paid already: a second payment can only be dismissed (and refunded)', 'already_paid');
      const number = p.mismatch === 'unknown_decision' ? body.decisionNumber : p.decision_number;
      if (!number) throw fieldError('decision_required', 'decisionNumber', 'name the decision this payment was meant for');
      const d = await decisionByNumber(tx, number, scope);
      if (!d) throw fieldError('unknown_decision', 'decisionNumber', `no decision ${number}`);
      if (d.status === 'paid') throw new ConflictError(`decision ${number} is paid already`, 'already_paid');
      decisionId = d.id;
      await settleDecision(
        tx,
        clock,
        actorOf(user),
        d,
        { paymentId: p.id, amount: Number(p.amount), paidAt: p.paid_at, channel: p.channel, reference: p.reference },
        `mismatch accepted: ${body.note}`,
      );
    }
    await tx.query('UPDATE payments SET resolution = $2, resolution_note = $3, resolved_by = $4, resolved_at = $5, decision_id = $6 WHERE id = $1', [
      id,
      body.action === 'accept' ? 'accepted' : 'dismissed',
      body.note,
      user.id,
      clock.now(),
      decisionId,
    ]);
    await appendAudit(tx, {
      at: clock.now(),
      actorId: user.id,
      actor: user.username,
      action: `payment.${body.action === 'accept' ? 'accepted' : 'dismissed'}`,
      entity: 'payment',
      entityId: id,
      data: { kind: p.mismatch, note: body.note, decisionId },
    });
  });
  const { rows } = await db.query<MismatchRow>(`${MISMATCH_SELECT} WHERE p.id = $1`, [id]);
  return toMismatch(rows[0]!);
}
