// Outbox delivery: e-mail (SMTP via nodemailer), SMS (gateway interface), post (printable batches).
// Each attempt is recorded on the delivery row so failures are visible to supervisors.
import PDFDocument from 'pdfkit';
import type { JobOutcome } from '@phatnguoi/core/queue';
import { withTransaction, type Db, type Queryable } from '@phatnguoi/core/db';
import { ConflictError, NotFoundError, OperationalError, UserError } from '@phatnguoi/core/errors';
import type { BucketName } from '@phatnguoi/core/storage';
import { appendAudit } from '../audit/chain';
import type { AppDeps, ApiOptions } from '../deps';
import { defaultOptions } from '../deps';
import { formatVnDate } from '../notices/pdf';
import { DEFAULT_NOTICE_FONTS } from '../notices/fonts';
import type { Clock } from '../clock';
import { agencyScope, type UserPrincipal } from '../domain/principal';
import { caseInScope } from '../repositories/cases';

interface DeliveryRow {
  id: string;
  channel: 'email' | 'sms' | 'post';
  recipient: string;
  status: string;
  attempts: number;
  number: string;
  resolve_by: Date;
  bucket: string | null;
  key: string | null;
  plate_text: string;
  public_token: string;
  case_id: string;
}

/**
 * Whether a send failed for good: the SMTP server refused the message or recipient (5xx), or the SMS gateway
 * refused the request (4xx other than 429). Those are not retried; the delivery shows as failed on the case.
 */
export function isPermanentFailure(err: unknown): boolean {
  const e = err as { responseCode?: unknown; permanent?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.permanent === true) return true;
  return typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
}

/** The first delivery that reaches the owner meets the 10-day notice duty (Art. 24.1); a deadline already fired stays fired. */
export async function markNoticeDelivered(tx: Queryable, caseId: string, at: Date): Promise<void> {
  await tx.query(`UPDATE case_deadlines SET status = 'met', fired_at = $2 WHERE case_id = $1 AND kind = 'notice_due' AND status = 'pending'`, [caseId, at]);
}

export async function deliver(ctx: AppDeps & { options?: Partial<ApiOptions> }, deliveryId: string, finalAttempt: boolean): Promise<JobOutcome> {
  const clock = ctx.clock;
  const opts = { ...defaultOptions, ...ctx.options };
  const { rows } = await ctx.db.query<DeliveryRow>(
    `SELECT d.id, d.channel, d.recipient, d.status, d.attempts, n.number, n.resolve_by, n.bucket, n.key, c.plate_text, c.public_token, c.id AS case_id
       FROM deliveries d JOIN notices n ON n.id = d.notice_id JOIN cases c ON c.id = n.case_id WHERE d.id = $1`,
    [deliveryId],
  );
  const d = rows[0];
  if (!d) throw new UserError('unknown_delivery', `no delivery ${deliveryId}`);
  if (d.status === 'sent' || d.status === 'batched') return { status: 'skipped' };
  if (d.status === 'failed') return { status: 'skipped', reason: 'failed for good; a supervisor may send it again' };
  const link = `${opts.publicBaseUrl.replace(/\/$/, '')}/tra-cuu/${d.public_token}`;
  const text = `Thông báo vi phạm giao thông số ${d.number}: phương tiện ${d.plate_text}. Tra cứu: ${link}. Hạn giải quyết: ${formatVnDate(d.resolve_by)}.`;
  try {
    if (d.channel === 'email') {
      if (!d.key || !d.bucket) throw new OperationalError('notice_not_rendered', 'notice PDF not stored yet');
      const pdf = await ctx.storage.get(d.bucket as BucketName, d.key);
      await ctx.mailer.sendMail({
        from: opts.mailFrom,
        to: d.recipient,
        subject: `Thông báo vi phạm giao thông số ${d.number}`,
        text,
        attachments: [{ filename: `thong-bao-${d.number.replace(/[^\w.-]+/g, '-')}.pdf`, content: pdf, contentType: 'application/pdf' }],
      });
    } else if (d.channel === 'sms') {
      await ctx.sms.send(d.recipient, text);
    } else {
      return { status: 'skipped', reason: 'post deliveries go out in printed batches' };
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const permanent = isPermanentFailure(err);
    const failed = permanent || finalAttempt;
    await withTransaction(ctx.db, async (tx) => {
      await tx.query(`UPDATE deliveries SET attempts = attempts + 1, last_error = $2, status = $3, updated_at = $4 WHERE id = $1`, [
        deliveryId,
        `${permanent ? '[permanent] ' : ''}${message}`.slice(0, 500),
        failed ? 'failed' : 'pending',
        clock.now(),
      ]);
      if (failed) {
        await appendAudit(tx, {
          at: clock.now(),
          actorId: null,
          actor: 'outbox',
          action: 'delivery.failed',
          entity: 'delivery',
          entityId: deliveryId,
          data: { channel: d.channel, permanent, error: message.slice(0, 200) },
        });
      }
    });
    // A refusal is final: no retry (the job fails at once); anything else is retried with backoff.
    if (permanent)
      throw new UserError('delivery_refused', `${d.channel} delivery refused: ${message}`, 400, { cause: err, details: { params: { channel: d.channel } } });
    throw err instanceof OperationalError ? err : new OperationalError('delivery_failed', message, { cause: err });
  }
  await withTransaction(ctx.db, async (tx) => {
    await tx.query(`UPDATE deliveries SET attempts = attempts + 1, status = 'sent', sent_at = $2, last_error = NULL, updated_at = $2 WHERE id = $1`, [
      deliveryId,
      clock.now(),
    ]);
    await markNoticeDelivered(tx, d.case_id, clock.now());
    await appendAudit(tx, {
      at: clock.now(),
      actorId: null,
      actor: 'outbox',
      action: `delivery.sent`,
      entity: 'delivery',
      entityId: deliveryId,
      data: { channel: d.channel },
    });
  });
  return { status: 'done' };
}

/**
 * Collects pending postal deliveries into one printable PDF (each notice PDF appended as a page reference sheet).
 * `agencyId` limits the batch to cases detected or resolved by that agency; null takes every agency's (system use).
 */
export async function createPostBatch(ctx: AppDeps, agencyId: string | null): Promise<{ batchId: string; count: number; key: string; sha256: string } | null> {
  const clock = ctx.clock;
  const storage = ctx.storage;
  return withTransaction(ctx.db, async (tx) => {
    const { rows } = await tx.query<{ id: string; recipient: string; number: string; owner: string; plate: string; case_id: string }>(
      `SELECT d.id, d.recipient, n.number, o.full_name AS owner, c.plate_text AS plate, c.id AS case_id
         FROM deliveries d JOIN notices n ON n.id = d.notice_id JOIN cases c ON c.id = n.case_id JOIN registry_owners o ON o.id = c.owner_id
        WHERE d.channel = 'post' AND d.status = 'pending' AND n.sha256 IS NOT NULL
          AND ($1::uuid IS NULL OR c.agency_id = $1 OR c.resolving_agency_id = $1)
        ORDER BY n.number FOR UPDATE OF d SKIP LOCKED LIMIT 500`,
      [agencyId],
    );
    if (rows.length === 0) return null;
    const doc = new PDFDocument({ size: 'A4', margin: 50 });
    doc.registerFont('body', (ctx.options?.noticeFonts ?? DEFAULT_NOTICE_FONTS).body);
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
    doc.font('body').fontSize(14).text(`Danh sách gửi thông báo qua bưu điện (${rows.length})`);
    doc.fontSize(10);
    rows.forEach((r, i) => doc.text(`${i + 1}. ${r.number}  ${r.plate}  ${r.owner}, ${r.recipient}`));
    doc.end();
    const pdf = await done;
    const batch = await tx.query<{ id: string }>(
      `INSERT INTO post_batches (bucket, key, sha256, notices, created_at) VALUES ('notices', '', '', $1, $2) RETURNING id`,
      [rows.length, clock.now()],
    );
    const batchId = batch.rows[0]!.id;
    const key = `post-batches/${batchId}.pdf`;
    const put = await storage.put('notices', key, pdf, 'application/pdf');
    await tx.query('UPDATE post_batches SET key = $2, sha256 = $3 WHERE id = $1', [batchId, key, put.sha256]);
    await tx.query(
      `UPDATE deliveries SET status = 'batched', batch_id = $2, attempts = attempts + 1, sent_at = $3, updated_at = $3 WHERE id = ANY($1::uuid[])`,
      [rows.map((r) => r.id), batchId, clock.now()],
    );
    for (const r of rows) await markNoticeDelivered(tx, r.case_id, clock.now());
    await appendAudit(tx, {
      at: clock.now(),
      actorId: null,
      actor: 'outbox',
      action: 'post_batch.created',
      entity: 'post_batch',
      entityId: batchId,
      data: { count: rows.length, sha256: put.sha256 },
    });
    return { batchId, count: rows.length, key, sha256: put.sha256 };
  });
}

/** Of the given deliveries, the electronic ones (e-mail, SMS): the outbox job sends those; post goes in batches. */
export async function electronicDeliveries(q: Queryable, deliveryIds: string[]): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(`SELECT id FROM deliveries WHERE id = ANY($1::uuid[]) AND channel <> 'post'`, [deliveryIds]);
  return rows.map((r) => r.id);
}

/** Electronic deliveries still pending and notices still without a stored PDF, untouched since `before`. */
export async function stuckOutbox(q: Queryable, before: Date): Promise<{ deliveryIds: string[]; noticeIds: string[] }> {
  const d = await q.query<{ id: string }>(`SELECT id FROM deliveries WHERE status = 'pending' AND channel <> 'post' AND updated_at < $1 LIMIT 1000`, [before]);
  const n = await q.query<{ id: string }>('SELECT id FROM notices WHERE sha256 IS NULL AND issued_at < $1 LIMIT 1000', [before]);
  return { deliveryIds: d.rows.map((r) => r.id), noticeIds: n.rows.map((r) => r.id) };
}

/**
 * Puts a delivery that failed for good back to pending (audited), for the outbox job to send again; only within the
 * user's agency scope, and never a postal one. The caller enqueues the job.
 */
export async function retryDelivery(db: Db, clock: Clock, user: UserPrincipal, deliveryId: string): Promise<void> {
  const { rows } = await db.query<{ status: string; channel: string }>(
    `SELECT d.status, d.channel FROM deliveries d JOIN notices n ON n.id = d.notice_id JOIN cases c ON c.id = n.case_id
      WHERE d.id = $1 AND ${caseInScope(2)}`,
    [deliveryId, agencyScope(user)],
  );
  const d = rows[0];
  if (!d) throw new NotFoundError('no such delivery');
  if (d.status !== 'failed' || d.channel === 'post') throw new ConflictError(`a ${d.status} ${d.channel} delivery cannot be retried`, 'not_retryable');
  await withTransaction(db, async (tx) => {
    await tx.query(`UPDATE deliveries SET status = 'pending', updated_at = $2 WHERE id = $1`, [deliveryId, clock.now()]);
    await appendAudit(tx, {
      at: clock.now(),
      actorId: user.id,
      actor: user.username,
      action: 'delivery.retry',
      entity: 'delivery',
      entityId: deliveryId,
      data: {},
    });
  });
}
