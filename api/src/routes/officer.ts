// Officer routes (officers and supervisors of the case's agency): queue, case detail, claim, confirm, reject, correct plate.
// Confirmation is one case per request: there is no bulk endpoint by design.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteApp } from './route-app';
import { ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import {
  CaseActionResponse,
  CaseDetail,
  ClaimResponse,
  ConfirmRequest,
  CorrectPlateRequest,
  QueueQuery,
  QueueResponse,
  RejectRequest,
} from '@phatnguoi/core/contracts/api/cases';
import { agencyScope, requireRoles, userOf } from '../plugins/auth';
import { claimCase, confirmCase, correctPlate, rejectCase, releaseCase } from '../services/cases';
import { caseDetail, listQueue } from '../services/queries';
import { RegistryQuery, RegistryVehicle } from '@phatnguoi/core/contracts/api/registry';
import { assertVisibleEvidenceIntact } from '../services/integrity';
import { viewRegistryVehicle } from '../services/registry';

/** Refuses (409 evidence_tampered, audited) an action on a case the caller can see whose evidence no longer hashes as recorded. */
export async function intactOrRefuse(app: FastifyInstance, req: FastifyRequest, caseId: string, use: string): Promise<void> {
  await assertVisibleEvidenceIntact(app.deps.db, app.clock, app.deps.storage, userOf(req), caseId, use);
}

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export default async function officerRoutes(app: RouteApp): Promise<void> {
  app.addHook('onRequest', requireRoles('officer', 'supervisor'));
  const { db } = app.deps;

  app.get('/api/cases', { schema: { tags: ['officer'], querystring: QueueQuery, response: { 200: QueueResponse, ...errors } } }, async (req) =>
    listQueue(db, agencyScope(userOf(req)), req.query, app.clock.now()),
  );

  app.get('/api/cases/:id', { schema: { tags: ['officer'], params: IdParams, response: { 200: CaseDetail, ...errors } } }, async (req) =>
    caseDetail(db, req.params.id, agencyScope(userOf(req)), app.clock.now(), app.deps.storage),
  );

  app.post('/api/cases/:id/claim', { schema: { tags: ['officer'], params: IdParams, response: { 200: ClaimResponse, ...errors } } }, async (req) => {
    const u = userOf(req);
    const out = await claimCase(db, app.clock, u, req.params.id, app.opts.claimMinutes);
    return { caseId: req.params.id, claimedBy: u.username, claimedUntil: out.claimedUntil.toISOString() };
  });

  app.post('/api/cases/:id/release', { schema: { tags: ['officer'], params: IdParams, response: { 200: CaseActionResponse, ...errors } } }, async (req) => {
    await releaseCase(db, app.clock, userOf(req), req.params.id);
    return { id: req.params.id, status: 'detected' as const };
  });

  app.post(
    '/api/cases/:id/confirm',
    { schema: { tags: ['officer'], params: IdParams, body: ConfirmRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => {
      await intactOrRefuse(app, req, req.params.id, 'confirmed');
      return { id: req.params.id, status: await confirmCase(db, app.clock, userOf(req), req.params.id, req.body ?? {}) };
    },
  );

  app.post(
    '/api/cases/:id/reject',
    { schema: { tags: ['officer'], params: IdParams, body: RejectRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await rejectCase(db, app.clock, userOf(req), req.params.id, req.body.reason, req.body.text) }),
  );

  app.post(
    '/api/cases/:id/plate',
    { schema: { tags: ['officer'], params: IdParams, body: CorrectPlateRequest, response: { 200: CaseActionResponse, ...errors } } },
    async (req) => ({ id: req.params.id, status: await correctPlate(db, app.clock, userOf(req), req.params.id, req.body) }),
  );

  // Owner lookup in the registration data; every look at personal data is written to the audit log.
  app.get('/api/registry/vehicles', { schema: { tags: ['officer'], querystring: RegistryQuery, response: { 200: RegistryVehicle, ...errors } } }, async (req) =>
    viewRegistryVehicle(db, app.clock, userOf(req), req.query.plate),
  );
}
