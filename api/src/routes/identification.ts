// Vehicle identification routes (officers and supervisors of the case's agency): registry search, identify the
// owner (registry pick or entered by hand), route to the police of the owner's locality, the units to route to.
import type { RouteApp } from './route-app';
import { ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import {
  AgencyOptions,
  CaseIdentification,
  IdentifyRequest,
  IdentifyResponse,
  RegistrySearchQuery,
  RegistrySearchResponse,
  RouteRequest,
} from '@phatnguoi/core/contracts/api/identification';
import { agencyScope, requireRoles, userOf } from '../plugins/auth';
import { caseIdentification, identifyCase, policeUnits, routeCase, searchRegistry } from '../services/identification';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export default async function identificationRoutes(app: RouteApp): Promise<void> {
  app.addHook('onRequest', requireRoles('officer', 'supervisor'));
  const { db } = app.deps;

  app.get(
    '/api/registry/search',
    { schema: { tags: ['officer'], querystring: RegistrySearchQuery, response: { 200: RegistrySearchResponse, ...errors } } },
    async (req) => searchRegistry(db, app.clock, userOf(req), req.query),
  );

  app.get('/api/cases/:id/identification', { schema: { tags: ['officer'], params: IdParams, response: { 200: CaseIdentification, ...errors } } }, async (req) =>
    caseIdentification(db, req.params.id, agencyScope(userOf(req))),
  );

  app.post(
    '/api/cases/:id/identify',
    { schema: { tags: ['officer'], params: IdParams, body: IdentifyRequest, response: { 200: IdentifyResponse, ...errors } } },
    async (req) => ({ id: req.params.id, identification: await identifyCase(db, app.clock, userOf(req), req.params.id, req.body) }),
  );

  app.post(
    '/api/cases/:id/route',
    { schema: { tags: ['officer'], params: IdParams, body: RouteRequest, response: { 200: IdentifyResponse, ...errors } } },
    async (req) => ({ id: req.params.id, identification: await routeCase(db, app.clock, userOf(req), req.params.id, req.body) }),
  );

  app.get('/api/police-units', { schema: { tags: ['officer'], response: { 200: AgencyOptions, ...errors } } }, async () => ({ items: await policeUnits(db) }));
}
