// Admin routes (the administrator console): cameras and their streams, users, worker API tokens, agencies,
// registry imports, fine schedule. Every route is for admins only; the services hold the SQL and audit each change.
import type { RouteApp } from './route-app';
import {
  AdminUserList,
  Agency,
  AgencyList,
  ApiTokenItem,
  ApiTokenList,
  CreateAgencyRequest,
  CreateApiTokenRequest,
  CreateApiTokenResponse,
  CreateUserRequest,
  UserStateResponse,
  UserSummary,
} from '@phatnguoi/core/contracts/api/auth';
import { ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import { FineSchedule, NewFineVersionRequest, OffenceList } from '@phatnguoi/core/contracts/api/registry';
import { Readable } from 'node:stream';
import { UserError } from '@phatnguoi/core/errors';
import { requireRoles, userOf } from '../plugins/auth';
import { addFineVersion, fineSchedule, knownOffences } from '../services/fine-schedule';
import { createAgency, listAgencies, updateAgency } from '../services/admin-agencies';
import { createToken, listTokens, revokeToken } from '../services/api-tokens';
import { createUser, listUsers, resetPassword, revokeUserSessions, setUserActive, updateUser } from '../services/admin-users';
import { getImport, listImports, startRegistryImport } from '../services/registry';
import { createAdminCamera, getAdminCamera, listAdminCameras, testStream, updateAdminCamera } from '../services/admin-cameras';
import {
  AdminCamera,
  AdminCameraList,
  CameraInputBody,
  RetentionBody,
  ResetPasswordRequest,
  RegistryImport,
  RegistryImportList,
  RegistryImportQuery,
  StreamTestRequest,
  StreamTestResult,
  UpdateAgencyRequest,
  UpdateUserRequest,
  LegalHoldRequest,
  LegalHoldResponse,
  RetentionSettings,
} from '@phatnguoi/core/contracts/api/admin';
import { getRetention, putRetention, setLegalHold } from '../services/retention';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 409: ErrorResponse, 413: ErrorResponse };

export default async function adminRoutes(app: RouteApp): Promise<void> {
  app.addHook('onRequest', requireRoles('admin'));
  const { db } = app.deps;
  // A CSV upload reaches its route as the request stream: it is written to disk as it arrives, never held in memory.
  app.addContentTypeParser('text/csv', (_req, payload, done) => done(null, payload));

  // Cameras: the body is checked by the service (not the route schema), so every problem comes back as a field error.
  app.get('/api/admin/cameras', { schema: { tags: ['admin'], response: { 200: AdminCameraList } } }, async (req) => ({
    items: await listAdminCameras(db, userOf(req), app.clock.now()),
  }));
  app.get(
    '/api/admin/cameras/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: AdminCamera, ...errors, 404: ErrorResponse } } },
    async (req) => getAdminCamera(db, userOf(req), req.params.id, app.clock.now()),
  );
  app.post('/api/admin/cameras', { schema: { tags: ['admin'], body: CameraInputBody, response: { 201: AdminCamera, ...errors } } }, async (req, reply) =>
    reply.status(201).send(await createAdminCamera(db, app.clock, userOf(req), req.body, app.opts.cameraSecretKey)),
  );
  app.patch(
    '/api/admin/cameras/:id',
    {
      schema: {
        tags: ['admin'],
        params: IdParams,
        body: CameraInputBody,
        response: { 200: AdminCamera, ...errors, 404: ErrorResponse },
      },
    },
    async (req) => updateAdminCamera(db, app.clock, userOf(req), req.params.id, req.body, app.opts.cameraSecretKey),
  );
  // The stream is opened with ffmpeg as ingest would; nothing is stored. 200 with ok=false when the camera fails.
  app.post(
    '/api/admin/cameras/test-stream',
    { schema: { tags: ['admin'], body: StreamTestRequest, response: { 200: StreamTestResult, ...errors, 404: ErrorResponse } } },
    async (req) => testStream(db, userOf(req), req.body, app.opts.cameraSecretKey),
  );

  // Retention (services/retention.ts): how long things are kept, and legal holds that keep a case's evidence.
  app.get('/api/admin/retention', { schema: { tags: ['admin'], response: { 200: RetentionSettings } } }, async () => getRetention(db));
  app.put('/api/admin/retention', { schema: { tags: ['admin'], body: RetentionBody, response: { 200: RetentionSettings, ...errors } } }, async (req) =>
    putRetention(db, app.clock, userOf(req), req.body),
  );
  app.post(
    '/api/admin/cases/:id/legal-hold',
    { schema: { tags: ['admin'], params: IdParams, body: LegalHoldRequest, response: { 200: LegalHoldResponse, ...errors, 404: ErrorResponse } } },
    async (req) => setLegalHold(db, app.clock, userOf(req), req.params.id, req.body),
  );

  // Users: create, change role/agency/name, reset password, deactivate/reactivate, end sessions (services/admin-users.ts).
  app.get('/api/admin/users', { schema: { tags: ['admin'], response: { 200: AdminUserList } } }, async () => ({ items: await listUsers(db) }));
  for (const [action, active] of [
    ['deactivate', false],
    ['activate', true],
  ] as const) {
    app.post(
      `/api/admin/users/:id/${action}`,
      { schema: { tags: ['admin'], params: IdParams, response: { 200: UserStateResponse, ...errors, 404: ErrorResponse } } },
      async (req) => setUserActive(db, app.clock, userOf(req), req.params.id, active),
    );
  }
  app.post(
    '/api/admin/users/:id/sessions/revoke',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: UserStateResponse, ...errors, 404: ErrorResponse } } },
    async (req) => revokeUserSessions(db, app.clock, userOf(req), req.params.id),
  );
  app.post(
    '/api/admin/users/:id/password',
    { schema: { tags: ['admin'], params: IdParams, body: ResetPasswordRequest, response: { 200: UserStateResponse, ...errors, 404: ErrorResponse } } },
    async (req) => resetPassword(db, app.clock, userOf(req), req.params.id, req.body.password),
  );
  app.patch(
    '/api/admin/users/:id',
    {
      schema: {
        tags: ['admin'],
        params: IdParams,
        body: UpdateUserRequest,
        response: { 200: AdminUserList.properties.items.items, ...errors, 404: ErrorResponse },
      },
    },
    async (req) => updateUser(db, app.clock, userOf(req), req.params.id, req.body),
  );

  // Worker tokens (services/api-tokens.ts).
  app.get('/api/admin/tokens', { schema: { tags: ['admin'], response: { 200: ApiTokenList } } }, async () => ({ items: await listTokens(db) }));
  app.post(
    '/api/admin/tokens',
    { schema: { tags: ['admin'], body: CreateApiTokenRequest, response: { 201: CreateApiTokenResponse, ...errors } } },
    async (req, reply) => reply.status(201).send(await createToken(db, app.clock, userOf(req), req.body)),
  );
  app.post(
    '/api/admin/tokens/:id/revoke',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: ApiTokenItem, ...errors, 404: ErrorResponse } } },
    async (req) => revokeToken(db, app.clock, userOf(req), req.params.id),
  );

  app.post('/api/admin/users', { schema: { tags: ['admin'], body: CreateUserRequest, response: { 201: UserSummary, ...errors } } }, async (req, reply) =>
    reply.status(201).send(await createUser(db, app.clock, userOf(req), req.body)),
  );

  // Registry imports: the upload is stored and read by a background job; the UI follows its progress and report.
  app.post(
    '/api/admin/registry/imports',
    {
      schema: {
        tags: ['admin'],
        consumes: ['text/csv'],
        querystring: RegistryImportQuery,
        response: { 202: RegistryImport, ...errors, 503: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { storage, queues } = app.deps;
      if (!(req.body instanceof Readable)) throw new UserError('csv_required', 'send the file as text/csv', 415);
      const imp = await startRegistryImport(
        { db, storage, queues, clock: app.clock },
        userOf(req),
        req.query.name || 'registry.csv',
        req.body,
        app.opts.csvBodyLimit,
      );
      return reply.status(202).send(imp);
    },
  );
  app.get('/api/admin/registry/imports', { schema: { tags: ['admin'], response: { 200: RegistryImportList } } }, async () => ({
    items: await listImports(db),
  }));
  app.get(
    '/api/admin/registry/imports/:id',
    { schema: { tags: ['admin'], params: IdParams, response: { 200: RegistryImport, ...errors, 404: ErrorResponse } } },
    async (req) => getImport(db, req.params.id),
  );

  // Fine schedule versions (services/fine-schedule.ts).
  app.get('/api/admin/fines', { schema: { tags: ['admin'], response: { 200: FineSchedule } } }, async () => fineSchedule(db));
  app.get('/api/admin/fines/offences', { schema: { tags: ['admin'], response: { 200: OffenceList } } }, async () => ({
    items: await knownOffences(db),
  }));
  app.post('/api/admin/fines', { schema: { tags: ['admin'], body: NewFineVersionRequest, response: { 201: FineSchedule, ...errors } } }, async (req, reply) =>
    reply.status(201).send(await addFineVersion(db, app.clock, userOf(req), req.body)),
  );

  // Agencies and their jurisdictions (services/admin-agencies.ts).
  app.get('/api/admin/agencies', { schema: { tags: ['admin'], response: { 200: AgencyList } } }, async () => ({ items: await listAgencies(db) }));
  app.post('/api/admin/agencies', { schema: { tags: ['admin'], body: CreateAgencyRequest, response: { 201: Agency, ...errors } } }, async (req, reply) =>
    reply.status(201).send(await createAgency(db, app.clock, userOf(req), req.body)),
  );
  app.patch(
    '/api/admin/agencies/:id',
    { schema: { tags: ['admin'], params: IdParams, body: UpdateAgencyRequest, response: { 200: Agency, ...errors, 404: ErrorResponse } } },
    async (req) => updateAgency(db, app.clock, userOf(req), req.params.id, req.body),
  );
}
