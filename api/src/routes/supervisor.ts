// Supervisor routes: approve (a different person than the confirming officer), return, issue notices,
// owner responses, resolution, post batches.
import type { RouteApp } from './route-app';
import { BinaryFile, ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import { DeliveryRetryResponse, PostBatchResponse } from '@phatnguoi/core/contracts/api/desk';
import {
  ApproveRequest,
  CaseActionResponse,
  IssueNoticeResponse,
  OwnerResponseRequest,
  ResolveRequest,
  ReturnRequest,
} from '@phatnguoi/core/contracts/api/cases';
import { Type } from '@sinclair/typebox';
import { agencyScope, requireRoles, userOf } from '../plugins/auth';
import { approveCase, recordOwnerResponse, resolveCase, returnCase } from '../services/cases';
import { issueNotice, previewNotice, storedNoticeHash, storedNoticePdf } from '../services/notices';
import { afterNoticeIssued } from '../services/case-flow';
import { createPostBatch, retryDelivery } from '../services/delivery';
import { warningsCsv } from '../services/warnings';
import { intactOrRefuse } from './officer';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export default async function supervisorRoutes(app: RouteApp): Promise<void> {
  app.addHook('onRequest', requireRoles('supervisor'));
  const { db } = app.deps;

  app.post(
    '/api/cases/:id/approve',
    { schema: { tags: ['supervisor'], params: IdParams, body: ApproveRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => {
      await intactOrRefuse(app, req, req.params.id, 'approved');
      return { id: req.params.id, status: await approveCase(db, app.clock, userOf(req), req.params.id, req.body?.note) };
    },
  );

  app.post(
    '/api/cases/:id/return',
    { schema: { tags: ['supervisor'], params: IdParams, body: ReturnRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await returnCase(db, app.clock, userOf(req), req.params.id, req.body.reason) }),
  );

  app.post('/api/cases/:id/notice', { schema: { tags: ['supervisor'], params: IdParams, response: { 200: IssueNoticeResponse, ...errors } } }, async (req) => {
    await intactOrRefuse(app, req, req.params.id, 'issued a notice');
    const issued = await issueNotice(db, app.clock, userOf(req), req.params.id);
    await afterNoticeIssued({ ...app.deps, clock: app.clock, options: app.opts }, { ...issued, caseId: req.params.id });
    return {
      noticeId: issued.noticeId,
      number: issued.number,
      sha256: await storedNoticeHash(db, issued.noticeId),
      resolveBy: issued.resolveBy.toISOString(),
    };
  });

  // The notice of an approved case before it is issued: rendered on request, never stored or numbered.
  app.get(
    '/api/cases/:id/notice/preview',
    { schema: { tags: ['supervisor'], params: IdParams, response: { 200: BinaryFile, ...errors } } },
    async (req, reply) => {
      await intactOrRefuse(app, req, req.params.id, 'previewed');
      const pdf = await previewNotice(db, app.clock, app.deps.storage, userOf(req), req.params.id, app.opts.publicBaseUrl, app.opts.noticeFonts);
      // shown inside the issue confirmation dialog of the review UI (same origin only)
      return reply
        .type('application/pdf')
        .header('cache-control', 'no-store')
        .header('content-disposition', 'inline; filename="thong-bao-xem-truoc.pdf"')
        .header('content-security-policy', "default-src 'none'; frame-ancestors 'self'")
        .header('x-frame-options', 'SAMEORIGIN')
        .send(pdf);
    },
  );

  // Served only as stored: a PDF that no longer hashes as recorded is refused and audited.
  app.get('/api/notices/:id/pdf', { schema: { tags: ['supervisor'], params: IdParams } }, async (req, reply) => {
    const { number, pdf } = await storedNoticePdf(db, app.clock, app.deps.storage, userOf(req), req.params.id);
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="${number.replace(/[^\w.-]+/g, '-')}.pdf"`)
      .send(pdf);
  });

  app.post(
    '/api/cases/:id/responses',
    { schema: { tags: ['supervisor'], params: IdParams, body: OwnerResponseRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await recordOwnerResponse(db, app.clock, userOf(req), req.params.id, req.body) }),
  );

  app.post(
    '/api/cases/:id/resolve',
    { schema: { tags: ['supervisor'], params: IdParams, body: ResolveRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await resolveCase(db, app.clock, userOf(req), req.params.id, req.body) }),
  );

  // Warnings after 20 days without response, as CSV for the inspection body, the registration agency or the commune police.
  app.get(
    '/api/warnings/export',
    {
      schema: {
        tags: ['supervisor'],
        querystring: Type.Object(
          { target: Type.Union([Type.Literal('inspection'), Type.Literal('registration'), Type.Literal('commune_police')]) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const csv = await warningsCsv(db, req.query.target, agencyScope(userOf(req)));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="canh-bao-${req.query.target}.csv"`).send(csv);
    },
  );

  // A delivery that failed for good is sent again on request (e.g. after the owner's e-mail was corrected).
  app.post(
    '/api/deliveries/:id/retry',
    {
      schema: { tags: ['supervisor'], params: IdParams, response: { 200: DeliveryRetryResponse, ...errors } },
    },
    async (req) => {
      await retryDelivery(db, app.clock, userOf(req), req.params.id);
      await app.deps.queues.enqueue('outbox.deliver', { outboxId: req.params.id }, { jobId: `outbox.${req.params.id}.retry.${Date.now()}` });
      return { id: req.params.id, status: 'pending' };
    },
  );

  app.post(
    '/api/post-batches',
    {
      schema: {
        tags: ['supervisor'],
        response: { 200: PostBatchResponse },
      },
    },
    async (req) => {
      const b = await createPostBatch({ ...app.deps, clock: app.clock }, agencyScope(userOf(req)));
      return b ? { batchId: b.batchId, count: b.count, sha256: b.sha256 } : { batchId: null, count: 0, sha256: null };
    },
  );
}
