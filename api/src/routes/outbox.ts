// The outbox as supervisors see it: in the demo, the e-mails and SMS the local catcher received (what owners get),
// and the post batches of the supervisor's agency with their printable list.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import { NotFoundError } from '@phatnguoi/core/errors';
import type { BucketName } from '@phatnguoi/core/storage';
import { agencyScope, requireRoles, userOf } from '../plugins/auth';
import { parseMail } from '../outbox/catcher';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export const OutboxResponse = Type.Object({
  catcher: Type.Boolean({ description: 'whether this deployment delivers to the local mail catcher and SMS sink (development)' }),
  emails: Type.Array(
    Type.Object({
      id: Type.String(),
      to: Type.String(),
      from: Type.String(),
      subject: Type.String(),
      text: Type.String(),
      receivedAt: Type.String(),
      attachments: Type.Array(Type.Object({ n: Type.Integer(), filename: Type.String(), contentType: Type.String(), size: Type.Integer() })),
    }),
  ),
  sms: Type.Array(Type.Object({ id: Type.String(), to: Type.String(), text: Type.String(), receivedAt: Type.String() })),
  postBatches: Type.Array(Type.Object({ id: Type.String(), createdAt: Type.String(), notices: Type.Integer(), sha256: Type.String() })),
});
export type OutboxResponse = Static<typeof OutboxResponse>;

const AttachmentParams = Type.Object({ id: Type.String({ format: 'uuid' }), n: Type.Integer({ minimum: 0, maximum: 20 }) }, { additionalProperties: false });

export default async function outboxRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', requireRoles('supervisor', 'admin'));
  const { db } = app.deps;
  const catcher = app.opts.showCaughtOutbox;

  app.get('/api/outbox', { schema: { tags: ['supervisor'], response: { 200: OutboxResponse, ...errors } } }, async (req) => {
    const scope = agencyScope(userOf(req));
    const caught = catcher
      ? (
          await db.query<{
            id: string;
            channel: 'email' | 'sms';
            sender: string;
            recipient: string;
            subject: string | null;
            body: string;
            raw: string | null;
            received_at: Date;
          }>('SELECT id, channel, sender, recipient, subject, body, raw, received_at FROM outbox_catcher ORDER BY received_at DESC LIMIT 100')
        ).rows
      : [];
    const batches = await db.query<{ id: string; created_at: Date; notices: number; sha256: string }>(
      `SELECT b.id, b.created_at, b.notices, b.sha256 FROM post_batches b
        WHERE b.sha256 <> '' AND ($1::uuid IS NULL OR EXISTS (
          SELECT 1 FROM deliveries d JOIN notices n ON n.id = d.notice_id JOIN cases c ON c.id = n.case_id
           WHERE d.batch_id = b.id AND (c.agency_id = $1 OR c.resolving_agency_id = $1)))
        ORDER BY b.created_at DESC LIMIT 50`,
      [scope],
    );
    return {
      catcher,
      emails: caught
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
      sms: caught.filter((m) => m.channel === 'sms').map((m) => ({ id: m.id, to: m.recipient, text: m.body, receivedAt: m.received_at.toISOString() })),
      postBatches: batches.rows.map((b) => ({ id: b.id, createdAt: b.created_at.toISOString(), notices: b.notices, sha256: b.sha256 })),
    };
  });

  app.get<{ Params: Static<typeof AttachmentParams> }>(
    '/api/outbox/:id/attachments/:n',
    { schema: { tags: ['supervisor'], params: AttachmentParams } },
    async (req, reply) => {
      const { rows } = await db.query<{ raw: string | null }>(`SELECT raw FROM outbox_catcher WHERE id = $1 AND channel = 'email'`, [req.params.id]);
      const a = rows[0]?.raw ? parseMail(rows[0].raw).attachments[req.params.n] : undefined;
      if (!catcher || !a) throw new NotFoundError('no such attachment');
      return reply
        .type(a.contentType)
        .header('content-disposition', `inline; filename="${a.filename.replace(/[^\w.-]+/g, '-')}"`)
        .send(a.content);
    },
  );

  app.get<{ Params: IdParams }>('/api/post-batches/:id/pdf', { schema: { tags: ['supervisor'], params: IdParams } }, async (req, reply) => {
    const scope = agencyScope(userOf(req));
    const { rows } = await db.query<{ bucket: string; key: string }>(
      `SELECT b.bucket, b.key FROM post_batches b WHERE b.id = $1 AND b.sha256 <> '' AND ($2::uuid IS NULL OR EXISTS (
         SELECT 1 FROM deliveries d JOIN notices n ON n.id = d.notice_id JOIN cases c ON c.id = n.case_id
          WHERE d.batch_id = b.id AND (c.agency_id = $2 OR c.resolving_agency_id = $2)))`,
      [req.params.id, scope],
    );
    const b = rows[0];
    if (!b || !app.deps.storage) throw new NotFoundError('no such post batch');
    const pdf = await app.deps.storage.get(b.bucket as BucketName, b.key);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="lo-buu-dien-${req.params.id}.pdf"`).send(pdf);
  });
}
