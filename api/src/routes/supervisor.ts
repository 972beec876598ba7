// Supervisor routes: approve (a different person than the confirming officer), return, issue notices,
// owner responses, resolution, post batches.
import type { FastifyInstance } from 'fastify';
import { ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import {
  ApproveRequest, CaseActionResponse, IssueNoticeResponse, OwnerResponseRequest, ResolveRequest, ReturnRequest,
} from '@phatnguoi/core/contracts/api/cases';
import { NotFoundError } from '@phatnguoi/core/errors';
import type { BucketName } from '@phatnguoi/core/storage';
import { Type } from '@sinclair/typebox';
import { agencyScope, requireRoles, userOf } from '../plugins/auth';
import { approveCase, recordOwnerResponse, resolveCase, returnCase } from '../services/cases';
import { issueNotice } from '../services/notices';
import { afterNoticeIssued } from '../jobs/handlers';
import { createPostBatch } from '../services/delivery';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export default async function supervisorRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', requireRoles('supervisor'));
  const { db } = app.deps;

  app.post<{ Params: IdParams; Body: ApproveRequest }>('/api/cases/:id/approve',
    { schema: { tags: ['supervisor'], params: IdParams, body: ApproveRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await approveCase(db, app.clock, userOf(req), req.params.id, req.body?.note) }));

  app.post<{ Params: IdParams; Body: ReturnRequest }>('/api/cases/:id/return',
    { schema: { tags: ['supervisor'], params: IdParams, body: ReturnRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await returnCase(db, app.clock, userOf(req), req.params.id, req.body.reason) }));

  app.post<{ Params: IdParams }>('/api/cases/:id/notice',
    { schema: { tags: ['supervisor'], params: IdParams, response: { 200: IssueNoticeResponse, ...errors } } }, async (req) => {
      const issued = await issueNotice(db, app.clock, userOf(req), req.params.id);
      await afterNoticeIssued({ ...app.deps, clock: app.clock, options: app.opts }, { ...issued, caseId: req.params.id });
      const n = await db.query<{ sha256: string | null }>('SELECT sha256 FROM notices WHERE id = $1', [issued.noticeId]);
      return { noticeId: issued.noticeId, number: issued.number, sha256: n.rows[0]?.sha256 ?? '', resolveBy: issued.resolveBy.toISOString() };
    });

  app.get<{ Params: IdParams }>('/api/notices/:id/pdf', { schema: { tags: ['supervisor'], params: IdParams } }, async (req, reply) => {
    const scope = agencyScope(userOf(req));
    const { rows } = await db.query<{ bucket: string; key: string; number: string }>(
      `SELECT n.bucket, n.key, n.number FROM notices n JOIN cases c ON c.id = n.case_id
        WHERE n.id = $1 AND n.sha256 IS NOT NULL AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)`, [req.params.id, scope]);
    const n = rows[0];
    if (!n || !app.deps.storage) throw new NotFoundError('no such notice');
    const pdf = await app.deps.storage.get(n.bucket as BucketName, n.key);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${n.number}.pdf"`).send(pdf);
  });

  app.post<{ Params: IdParams; Body: OwnerResponseRequest }>('/api/cases/:id/responses',
    { schema: { tags: ['supervisor'], params: IdParams, body: OwnerResponseRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await recordOwnerResponse(db, app.clock, userOf(req), req.params.id, req.body) }));

  app.post<{ Params: IdParams; Body: ResolveRequest }>('/api/cases/:id/resolve',
    { schema: { tags: ['supervisor'], params: IdParams, body: ResolveRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await resolveCase(db, app.clock, userOf(req), req.params.id, req.body) }));

  app.post('/api/post-batches', {
    schema: { tags: ['supervisor'], response: { 200: Type.Object({ batchId: Type.Union([Type.String(), Type.Null()]), count: Type.Integer(), sha256: Type.Union([Type.String(), Type.Null()]) }) } },
  }, async () => {
    const b = await createPostBatch({ ...app.deps, clock: app.clock });
    return b ? { batchId: b.batchId, count: b.count, sha256: b.sha256 } : { batchId: null, count: 0, sha256: null };
  });
}
