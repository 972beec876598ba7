// Supervisor routes: approve (a different person than the confirming officer), return, issue notices,
// owner responses, resolution, post batches.
import type { FastifyInstance } from 'fastify';
import { ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import {
  ApproveRequest, CaseActionResponse, IssueNoticeResponse, OwnerResponseRequest, ResolveRequest, ReturnRequest,
} from '@phatnguoi/core/contracts/api/cases';
import { ConflictError, NotFoundError } from '@phatnguoi/core/errors';
import { withTransaction } from '@phatnguoi/core/db';
import { appendAudit } from '../audit/chain';
import { Type } from '@sinclair/typebox';
import { agencyScope, requireRoles, userOf } from '../plugins/auth';
import { approveCase, recordOwnerResponse, resolveCase, returnCase } from '../services/cases';
import { issueNotice, previewNotice } from '../services/notices';
import { afterNoticeIssued } from '../jobs/handlers';
import { createPostBatch } from '../services/delivery';
import { auditIntegrityFailure, checkObject } from '../services/integrity';
import { intactOrRefuse } from './officer';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export default async function supervisorRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', requireRoles('supervisor'));
  const { db } = app.deps;

  app.post<{ Params: IdParams; Body: ApproveRequest }>('/api/cases/:id/approve',
    { schema: { tags: ['supervisor'], params: IdParams, body: ApproveRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => {
      await intactOrRefuse(app, req, req.params.id, 'approved');
      return { id: req.params.id, status: await approveCase(db, app.clock, userOf(req), req.params.id, req.body?.note) };
    });

  app.post<{ Params: IdParams; Body: ReturnRequest }>('/api/cases/:id/return',
    { schema: { tags: ['supervisor'], params: IdParams, body: ReturnRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await returnCase(db, app.clock, userOf(req), req.params.id, req.body.reason) }));

  app.post<{ Params: IdParams }>('/api/cases/:id/notice',
    { schema: { tags: ['supervisor'], params: IdParams, response: { 200: IssueNoticeResponse, ...errors } } }, async (req) => {
      await intactOrRefuse(app, req, req.params.id, 'issued a notice');
      const issued = await issueNotice(db, app.clock, userOf(req), req.params.id);
      await afterNoticeIssued({ ...app.deps, clock: app.clock, options: app.opts }, { ...issued, caseId: req.params.id });
      const n = await db.query<{ sha256: string | null }>('SELECT sha256 FROM notices WHERE id = $1', [issued.noticeId]);
      return { noticeId: issued.noticeId, number: issued.number, sha256: n.rows[0]?.sha256 ?? '', resolveBy: issued.resolveBy.toISOString() };
    });

  // The notice of an approved case before it is issued: rendered on request, never stored or numbered.
  app.get<{ Params: IdParams }>('/api/cases/:id/notice/preview', { schema: { tags: ['supervisor'], params: IdParams, response: errors } }, async (req, reply) => {
    await intactOrRefuse(app, req, req.params.id, 'previewed');
    const pdf = await previewNotice(db, app.clock, app.deps.storage, userOf(req), req.params.id, app.opts.publicBaseUrl, app.opts.noticeFonts);
    // shown inside the issue confirmation dialog of the review UI (same origin only)
    return reply.type('application/pdf').header('cache-control', 'no-store').header('content-disposition', 'inline; filename="thong-bao-xem-truoc.pdf"')
      .header('content-security-policy', "default-src 'none'; frame-ancestors 'self'").header('x-frame-options', 'SAMEORIGIN').send(pdf);
  });

  app.get<{ Params: IdParams }>('/api/notices/:id/pdf', { schema: { tags: ['supervisor'], params: IdParams } }, async (req, reply) => {
    const scope = agencyScope(userOf(req));
    const { rows } = await db.query<{ bucket: string; key: string; number: string; sha256: string }>(
      `SELECT n.bucket, n.key, n.number, n.sha256 FROM notices n JOIN cases c ON c.id = n.case_id
        WHERE n.id = $1 AND n.sha256 IS NOT NULL AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)`, [req.params.id, scope]);
    const n = rows[0];
    if (!n || !app.deps.storage) throw new NotFoundError('no such notice');
    // Served only as stored: a PDF that no longer hashes as recorded is refused and audited.
    const { integrity, body: pdf } = await checkObject(app.deps.storage, n.bucket, n.key, n.sha256);
    if (integrity !== 'ok' || !pdf) {
      const u = userOf(req);
      await auditIntegrityFailure(db, app.clock, { id: u.id, name: u.username }, 'notice', req.params.id, { use: 'served', integrity });
      throw new ConflictError(`the stored notice does not match its recorded hash (${integrity}); it is not served`, 'notice_tampered');
    }
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${n.number.replace(/[^\w.-]+/g, '-')}.pdf"`).send(pdf);
  });

  app.post<{ Params: IdParams; Body: OwnerResponseRequest }>('/api/cases/:id/responses',
    { schema: { tags: ['supervisor'], params: IdParams, body: OwnerResponseRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await recordOwnerResponse(db, app.clock, userOf(req), req.params.id, req.body) }));

  app.post<{ Params: IdParams; Body: ResolveRequest }>('/api/cases/:id/resolve',
    { schema: { tags: ['supervisor'], params: IdParams, body: ResolveRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await resolveCase(db, app.clock, userOf(req), req.params.id, req.body) }));

  // Warnings after 20 days without response, as CSV for the inspection body, the registration agency or the commune police.
  app.get<{ Querystring: { target: 'inspection' | 'registration' | 'commune_police' } }>('/api/warnings/export', {
    schema: { tags: ['supervisor'], querystring: Type.Object({ target: Type.Union([Type.Literal('inspection'), Type.Literal('registration'), Type.Literal('commune_police')]) }, { additionalProperties: false }) },
  }, async (req, reply) => {
    const scope = agencyScope(userOf(req));
    const { rows } = await db.query<{ number: string; plate_text: string; vehicle_type: string; occurred_at: Date; issued_at: Date; created_at: Date; full_name: string; address: string; commune: string | null }>(
      `SELECT n.number, c.plate_text, c.vehicle_type, c.occurred_at, n.issued_at, w.created_at, o.full_name, o.address, o.commune
         FROM case_warnings w JOIN cases c ON c.id = w.case_id JOIN notices n ON n.case_id = c.id JOIN registry_owners o ON o.id = c.owner_id
        WHERE w.target = $1 AND w.lifted_at IS NULL AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)
        ORDER BY w.created_at`, [req.query.target, scope]);
    const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = ['notice_number,plate,vehicle_type,occurred_at,notice_issued_at,warned_at,owner_name,owner_address,owner_commune',
      ...rows.map((r) => [r.number, r.plate_text, r.vehicle_type, r.occurred_at.toISOString(), r.issued_at.toISOString(), r.created_at.toISOString(), r.full_name, r.address, r.commune ?? ''].map(esc).join(','))];
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="canh-bao-${req.query.target}.csv"`).send(`${lines.join('\n')}\n`);
  });

  // A delivery that failed for good is sent again on request (e.g. after the owner's e-mail was corrected).
  app.post<{ Params: IdParams }>('/api/deliveries/:id/retry', {
    schema: { tags: ['supervisor'], params: IdParams, response: { 200: Type.Object({ id: Type.String(), status: Type.String() }), ...errors } },
  }, async (req) => {
    const scope = agencyScope(userOf(req));
    const u = userOf(req);
    const { rows } = await db.query<{ status: string; channel: string }>(
      `SELECT d.status, d.channel FROM deliveries d JOIN notices n ON n.id = d.notice_id JOIN cases c ON c.id = n.case_id
        WHERE d.id = $1 AND ($2::uuid IS NULL OR c.agency_id = $2 OR c.resolving_agency_id = $2)`, [req.params.id, scope]);
    const d = rows[0];
    if (!d) throw new NotFoundError('no such delivery');
    if (d.status !== 'failed' || d.channel === 'post') throw new ConflictError(`a ${d.status} ${d.channel} delivery cannot be retried`, 'not_retryable');
    await withTransaction(db, async (tx) => {
      await tx.query(`UPDATE deliveries SET status = 'pending', updated_at = $2 WHERE id = $1`, [req.params.id, app.clock.now()]);
      await appendAudit(tx, { at: app.clock.now(), actorId: u.id, actor: u.username, action: 'delivery.retry', entity: 'delivery', entityId: req.params.id, data: {} });
    });
    await app.deps.queues?.enqueue('outbox.deliver', { outboxId: req.params.id }, { jobId: `outbox.${req.params.id}.retry.${Date.now()}` });
    return { id: req.params.id, status: 'pending' };
  });

  app.post('/api/post-batches', {
    schema: { tags: ['supervisor'], response: { 200: Type.Object({ batchId: Type.Union([Type.String(), Type.Null()]), count: Type.Integer(), sha256: Type.Union([Type.String(), Type.Null()]) }) } },
  }, async (req) => {
    const b = await createPostBatch({ ...app.deps, clock: app.clock }, agencyScope(userOf(req)));
    return b ? { batchId: b.batchId, count: b.count, sha256: b.sha256 } : { batchId: null, count: 0, sha256: null };
  });
}
