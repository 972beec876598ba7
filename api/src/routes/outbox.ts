// The outbox as supervisors see it: in the demo, the e-mails and SMS the local catcher received (what owners get),
// and the post batches of the supervisor's agency with their printable list.
import type { RouteApp } from './route-app';
import { AttachmentParams, OutboxResponse } from '@phatnguoi/core/contracts/api/desk';
import { ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import { NotFoundError } from '@phatnguoi/core/errors';
import type { BucketName } from '@phatnguoi/core/storage';
import { agencyScope, requireRoles, userOf } from '../plugins/auth';
import { caughtAttachment, caughtMessages, visiblePostBatchFile, visiblePostBatches } from '../services/outbox';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export default async function outboxRoutes(app: RouteApp): Promise<void> {
  app.addHook('onRequest', requireRoles('supervisor', 'admin'));
  const { db } = app.deps;
  const catcher = app.opts.showCaughtOutbox;

  app.get('/api/outbox', { schema: { tags: ['supervisor'], response: { 200: OutboxResponse, ...errors } } }, async (req) => {
    const scope = agencyScope(userOf(req));
    const { emails, sms } = catcher ? await caughtMessages(db) : { emails: [], sms: [] };
    return { catcher, emails, sms, postBatches: await visiblePostBatches(db, scope) };
  });

  app.get('/api/outbox/:id/attachments/:n', { schema: { tags: ['supervisor'], params: AttachmentParams } }, async (req, reply) => {
    const a = catcher ? await caughtAttachment(db, req.params.id, req.params.n) : undefined;
    if (!a) throw new NotFoundError('no such attachment');
    return reply
      .type(a.contentType)
      .header('content-disposition', `inline; filename="${a.filename.replace(/[^\w.-]+/g, '-')}"`)
      .send(a.content);
  });

  app.get('/api/post-batches/:id/pdf', { schema: { tags: ['supervisor'], params: IdParams } }, async (req, reply) => {
    const b = await visiblePostBatchFile(db, req.params.id, agencyScope(userOf(req)));
    if (!b || !app.deps.storage) throw new NotFoundError('no such post batch');
    const pdf = await app.deps.storage.get(b.bucket as BucketName, b.key);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="lo-buu-dien-${req.params.id}.pdf"`).send(pdf);
  });
}
