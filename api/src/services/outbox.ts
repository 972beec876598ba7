// The outbox read models: what the demo's mail catcher and SMS sink received (what owners get), and the post batches
// an agency may see (a batch with at least one delivery of the agency's cases, detecting or resolving).
import type { Queryable } from '@phatnguoi/core/db';
import { parseMail, type ParsedMail } from '../outbox/catcher';

export interface CaughtEmail {
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  receivedAt: string;
  attachments: { n: number; filename: string; contentType: string; size: number }[];
}

export interface CaughtSms {
  id: string;
  to: string;
  text: string;
  receivedAt: string;
}

/** The last 100 messages the catcher and the sink received, newest first. */
export async function caughtMessages(q: Queryable): Promise<{ emails: CaughtEmail[]; sms: CaughtSms[] }> {
  const { rows } = await q.query<{
    id: string;
    channel: 'email' | 'sms';
    sender: string;
    recipient: string;
    subject: string | null;
    body: string;
    raw: string | null;
    received_at: Date;
  }>('SELECT id, channel, sender, recipient, subject, body, raw, received_at FROM outbox_catcher ORDER BY received_at DESC LIMIT 100');
  return {
    emails: rows
      .filter((m) => m.channel === 'email')
      .map((m) => {
        const parsed = m.raw ? parseMail(m.raw) : null;
        return {
          id: m.id,
          to: m.recipient,
          from: m.sender,
          subject: m.subject ?? '',
          text: m.body,
          receivedAt: m.received_at.toISOString(),
          attachments: (parsed?.attachments ?? []).map((a, n) => ({ n, filename: a.filename, contentType: a.contentType, size: a.content.length })),
        };
      }),
    sms: rows.filter((m) => m.channel === 'sms').map((m) => ({ id: m.id, to: m.recipient, text: m.body, receivedAt: m.received_at.toISOString() })),
  };
}

/** Attachment `n` of a caught e-mail; undefined when there is no such e-mail or attachment. */
export async function caughtAttachment(q: Queryable, id: string, n: number): Promise<ParsedMail['attachments'][number] | undefined> {
  const { rows } = await q.query<{ raw: string | null }>(`SELECT raw FROM outbox_catcher WHERE id = $1 AND channel = 'email'`, [id]);
  return rows[0]?.raw ? parseMail(rows[0].raw).attachments[n] : undefined;
}

/** A written post batch (its PDF stored) that agency `$scope` may see; null scope: every batch. */
const BATCH_VISIBLE = `b.sha256 <> '' AND ($1::uuid IS NULL OR EXISTS (
    SELECT 1 FROM deliveries d JOIN notices n ON n.id = d.notice_id JOIN cases c ON c.id = n.case_id
     WHERE d.batch_id = b.id AND (c.agency_id = $1 OR c.resolving_agency_id = $1)))`;

/** The 50 newest post batches `scope` (null: all) may see. */
export async function visiblePostBatches(q: Queryable, scope: string | null): Promise<{ id: string; createdAt: string; notices: number; sha256: string }[]> {
  const { rows } = await q.query<{ id: string; created_at: Date; notices: number; sha256: string }>(
    `SELECT b.id, b.created_at, b.notices, b.sha256 FROM post_batches b WHERE ${BATCH_VISIBLE} ORDER BY b.created_at DESC LIMIT 50`,
    [scope],
  );
  return rows.map((b) => ({ id: b.id, createdAt: b.created_at.toISOString(), notices: b.notices, sha256: b.sha256 }));
}

/** Where a post batch's PDF is stored, when `scope` (null: all) may see the batch. */
export async function visiblePostBatchFile(q: Queryable, id: string, scope: string | null): Promise<{ bucket: string; key: string } | null> {
  const { rows } = await q.query<{ bucket: string; key: string }>(`SELECT b.bucket, b.key FROM post_batches b WHERE ${BATCH_VISIBLE} AND b.id = $2`, [
    scope,
    id,
  ]);
  return rows[0] ?? null;
}
