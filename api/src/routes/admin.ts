// Admin routes (the administrator console): cameras and their streams, users, worker API tokens, agencies,
// registry imports, fine schedule.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AdminUserList, Agency, AgencyList, ApiTokenItem, ApiTokenList, CreateAgencyRequest, CreateApiTokenRequest, CreateApiTokenResponse, CreateUserRequest, UserStateResponse, UserSummary } from '@phatnguoi/core/contracts/api/auth';
import { ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import { FineSchedule, ImportReport, NewFineVersionRequest } from '@phatnguoi/core/contracts/api/registry';
import { ConflictError, NotFoundError, UserError } from '@phatnguoi/core/errors';
import type { Queryable } from '@phatnguoi/core/db';
import { withTransaction } from '@phatnguoi/core/db';
import { appendAudit } from '../audit/chain';
import { newToken, requireRoles, tokenHash, userOf } from '../plugins/auth';
import { hashPassword } from '../services/auth';
import { importRegistryCsv } from '../services/registry';
import { createAdminCamera, getAdminCamera, listAdminCameras, testStream, updateAdminCamera } from '../services/admin-cameras';
import { AdminCamera, AdminCameraList, StreamTestRequest, StreamTestResult } from '@phatnguoi/core/contracts/api/admin';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 409: ErrorResponse, 413: ErrorResponse };

export default async function adminRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', requireRoles('admin'));
  const { db } = app.deps;
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: app.opts.csvBodyLimit }, (_req, body, done) => done(null, body));

  // Cameras: the body is checked by the service (not the route schema), so every problem comes back as a field error.
  app.get('/api/admin/cameras', { schema: { tags: ['admin'], response: { 200: AdminCameraList } } },
    async (req) => ({ items: await listAdminCameras(db, userOf(req), app.clock.now()) }));
  app.get<{ Params: IdParams }>('/api/admin/cameras/:id', { schema: { tags: ['admin'], params: IdParams, response: { 200: AdminCamera, ...errors, 404: ErrorResponse } } },
    async (req) => getAdminCamera(db, userOf(req), req.params.id, app.clock.now()));
  app.post('/api/admin/cameras', { schema: { tags: ['admin'], body: Type.Unknown({ description: 'CameraInput' }), response: { 201: AdminCamera, ...errors } } },
    async (req, reply) => reply.status(201).send(await createAdminCamera(db, app.clock, userOf(req), req.body)));
  app.patch<{ Params: IdParams }>('/api/admin/cameras/:id', { schema: { tags: ['admin'], params: IdParams, body: Type.Unknown({ description: 'CameraInput (any subset)' }), response: { 200: AdminCamera, ...errors, 404: ErrorResponse } } },
    async (req) => updateAdminCamera(db, app.clock, userOf(req), req.params.id, req.body));
  // The stream is opened with ffmpeg as ingest would; nothing is stored. 200 with ok=false when the camera fails.
  app.post<{ Body: StreamTestRequest }>('/api/admin/cameras/test-stream', { schema: { tags: ['admin'], body: StreamTestRequest, response: { 200: StreamTestResult, ...errors, 404: ErrorResponse } } },
    async (req) => testStream(db, userOf(req), req.body));

  app.get('/api/admin/users', { schema: { tags: ['admin'], response: { 200: AdminUserList } } }, async () => {
    const { rows } = await db.query<{ id: string; username: string; display_name: string; role: UserSummary['role']; agency_id: string | null; agency_name: string | null; active: boolean }>(
      'SELECT u.id, u.username, u.display_name, u.role, u.agency_id, a.name AS agency_name, u.active FROM users u LEFT JOIN agencies a ON a.id = u.agency_id ORDER BY u.username');
    return { items: rows.map((r) => ({ id: r.id, username: r.username, displayName: r.display_name, role: r.role, agencyId: r.agency_id, agencyName: r.agency_name, active: r.active })) };
  });

  // Deactivation ends every session of the user at once (the session check also requires an active user);
  // sessions alone can be revoked too (a lost laptop). Each is audited with the count of sessions ended.
  const revokeSessions = async (tx: Queryable, userId: string) =>
    (await tx.query('UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL', [userId, app.clock.now()])).rowCount ?? 0;
  for (const [action, active] of [['deactivate', false], ['activate', true]] as const) {
    app.post<{ Params: IdParams }>(`/api/admin/users/:id/${action}`, { schema: { tags: ['admin'], params: IdParams, response: { 200: UserStateResponse, ...errors, 404: ErrorResponse } } }, async (req) => {
      const admin = userOf(req);
      if (!active && req.params.id === admin.id) throw new ConflictError('an admin cannot deactivate their own account', 'cannot_deactivate_self');
      return withTransaction(db, async (tx) => {
        const r = await tx.query<{ username: string; active: boolean }>('SELECT username, active FROM users WHERE id = $1 FOR UPDATE', [req.params.id]);
        const u = r.rows[0];
        if (!u) throw new NotFoundError('no such user');
        await tx.query('UPDATE users SET active = $2 WHERE id = $1', [req.params.id, active]);
        const sessionsRevoked = active ? 0 : await revokeSessions(tx, req.params.id);
        await appendAudit(tx, { at: app.clock.now(), actorId: admin.id, actor: admin.username, action: active ? 'user.activated' : 'user.deactivated', entity: 'user', entityId: req.params.id, data: { username: u.username, wasActive: u.active, sessionsRevoked } });
        return { id: req.params.id, active, sessionsRevoked };
      });
    });
  }
  app.post<{ Params: IdParams }>('/api/admin/users/:id/sessions/revoke', { schema: { tags: ['admin'], params: IdParams, response: { 200: UserStateResponse, ...errors, 404: ErrorResponse } } }, async (req) => {
    const admin = userOf(req);
    return withTransaction(db, async (tx) => {
      const r = await tx.query<{ username: string; active: boolean }>('SELECT username, active FROM users WHERE id = $1 FOR UPDATE', [req.params.id]);
      const u = r.rows[0];
      if (!u) throw new NotFoundError('no such user');
      const sessionsRevoked = await revokeSessions(tx, req.params.id);
      await appendAudit(tx, { at: app.clock.now(), actorId: admin.id, actor: admin.username, action: 'user.sessions_revoked', entity: 'user', entityId: req.params.id, data: { username: u.username, sessionsRevoked } });
      return { id: req.params.id, active: u.active, sessionsRevoked };
    });
  });

  app.get('/api/admin/tokens', { schema: { tags: ['admin'], response: { 200: ApiTokenList } } }, async () => {
    const { rows } = await db.query<{ id: string; name: string; role: string; created_at: Date; revoked_at: Date | null; created_by: string | null }>(
      'SELECT t.id, t.name, t.role, t.created_at, t.revoked_at, u.username AS created_by FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by ORDER BY t.created_at');
    return { items: rows.map((r) => ({ id: r.id, name: r.name, role: r.role, createdBy: r.created_by, createdAt: r.created_at.toISOString(), revokedAt: r.revoked_at?.toISOString() ?? null })) };
  });

  app.post<{ Params: IdParams }>('/api/admin/tokens/:id/revoke', { schema: { tags: ['admin'], params: IdParams, response: { 200: ApiTokenItem, ...errors, 404: ErrorResponse } } }, async (req) => {
    const admin = userOf(req);
    return withTransaction(db, async (tx) => {
      const r = await tx.query<{ id: string; name: string; role: string; created_at: Date; revoked_at: Date | null }>('SELECT id, name, role, created_at, revoked_at FROM api_tokens WHERE id = $1 FOR UPDATE', [req.params.id]);
      const t = r.rows[0];
      if (!t) throw new NotFoundError('no such token');
      if (t.revoked_at) throw new ConflictError('the token is revoked already', 'already_revoked');
      const now = app.clock.now();
      await tx.query('UPDATE api_tokens SET revoked_at = $2 WHERE id = $1', [t.id, now]);
      await appendAudit(tx, { at: now, actorId: admin.id, actor: admin.username, action: 'token.revoked', entity: 'api_token', entityId: t.id, data: { name: t.name } });
      return { id: t.id, name: t.name, role: t.role, createdBy: null, createdAt: t.created_at.toISOString(), revokedAt: now.toISOString() };
    });
  });

  app.post<{ Body: CreateUserRequest }>('/api/admin/users', { schema: { tags: ['admin'], body: CreateUserRequest, response: { 201: UserSummary, ...errors } } }, async (req, reply) => {
    const b = req.body;
    if ((b.role === 'officer' || b.role === 'supervisor') && !b.agencyId) throw new UserError('agency_required', 'officers and supervisors belong to an agency');
    const hash = await hashPassword(b.password);
    const admin = userOf(req);
    const user = await withTransaction(db, async (tx) => {
      const ag = b.agencyId ? await tx.query<{ name: string }>('SELECT name FROM agencies WHERE id::text = $1', [b.agencyId]) : null;
      if (b.agencyId && !ag?.rows[0]) throw new UserError('unknown_agency', 'no such agency');
      const r = await tx.query<{ id: string }>(
        'INSERT INTO users (username, display_name, password_hash, role, agency_id) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (username) DO NOTHING RETURNING id',
        [b.username, b.displayName, hash, b.role, b.agencyId]);
      if (!r.rows[0]) throw new ConflictError('username taken', 'username_taken');
      await appendAudit(tx, { at: app.clock.now(), actorId: admin.id, actor: admin.username, action: 'user.created', entity: 'user', entityId: r.rows[0].id, data: { username: b.username, role: b.role } });
      return { id: r.rows[0].id, username: b.username, displayName: b.displayName, role: b.role, agencyId: b.agencyId, agencyName: ag?.rows[0]?.name ?? null };
    });
    return reply.status(201).send(user);
  });

  app.post<{ Body: CreateApiTokenRequest }>('/api/admin/tokens', { schema: { tags: ['admin'], body: CreateApiTokenRequest, response: { 201: CreateApiTokenResponse, ...errors } } }, async (req, reply) => {
    const admin = userOf(req);
    const token = newToken();
    const id = await withTransaction(db, async (tx) => {
      const r = await tx.query<{ id: string }>('INSERT INTO api_tokens (name, token_hash, role, created_by) VALUES ($1,$2,$3,$4) RETURNING id', [req.body.name, tokenHash(token), req.body.role, admin.id]);
      await appendAudit(tx, { at: app.clock.now(), actorId: admin.id, actor: admin.username, action: 'token.created', entity: 'api_token', entityId: r.rows[0]!.id, data: { name: req.body.name } });
      return r.rows[0]!.id;
    });
    return reply.status(201).send({ id, name: req.body.name, token });
  });

  app.post('/api/admin/registry/import', {
    bodyLimit: app.opts.csvBodyLimit,
    schema: { tags: ['admin'], consumes: ['text/csv'], body: Type.String({ minLength: 1 }), response: { 200: ImportReport, ...errors } },
  }, async (req) => {
    const u = userOf(req);
    return importRegistryCsv(db, app.clock, { id: u.id, name: u.username }, req.body as string);
  });

  const fineRows = async () => {
    const { rows } = await db.query<{ id: number; offence: string; vehicle_group: string; description_vi: string; legal_basis: string; article: string; fine_min: string; fine_max: string; points: number; effective_from: string; effective_to: string | null }>(
      'SELECT * FROM fine_schedule ORDER BY offence, vehicle_group, effective_from');
    return { items: rows.map((r) => ({ id: r.id, offence: r.offence, vehicleGroup: r.vehicle_group, description: r.description_vi, legalBasis: r.legal_basis, article: r.article,
      fineMin: Number(r.fine_min), fineMax: Number(r.fine_max), points: r.points, effectiveFrom: String(r.effective_from), effectiveTo: r.effective_to ? String(r.effective_to) : null })) };
  };
  app.get('/api/admin/fines', { schema: { tags: ['admin'], response: { 200: FineSchedule } } }, fineRows);

  // Versioned schedule: a new row takes effect on its date and closes the row in force; old cases keep their row.
  app.post<{ Body: NewFineVersionRequest }>('/api/admin/fines', { schema: { tags: ['admin'], body: NewFineVersionRequest, response: { 201: FineSchedule, ...errors } } }, async (req, reply) => {
    const b = req.body;
    if (b.fineMax < b.fineMin) throw new UserError('bad_range', 'fineMax must be at least fineMin');
    const u = userOf(req);
    await withTransaction(db, async (tx) => {
      // Only an offence the cases know (violation_offences): any other string would be a row no case ever uses.
      const known = await tx.query<{ offence: string }>('SELECT DISTINCT offence FROM violation_offences ORDER BY offence');
      if (!known.rows.some((r) => r.offence === b.offence)) {
        throw new UserError('unknown_offence', `offence must be one of: ${known.rows.map((r) => r.offence).join(', ')}`);
      }
      const later = await tx.query('SELECT 1 FROM fine_schedule WHERE offence = $1 AND vehicle_group = $2 AND effective_from >= $3', [b.offence, b.vehicleGroup, b.effectiveFrom]);
      if (later.rowCount) throw new ConflictError('a version starting on or after that date exists already', 'version_conflict');
      await tx.query('UPDATE fine_schedule SET effective_to = $3 WHERE offence = $1 AND vehicle_group = $2 AND (effective_to IS NULL OR effective_to > $3)', [b.offence, b.vehicleGroup, b.effectiveFrom]);
      const r = await tx.query<{ id: number }>(
        `INSERT INTO fine_schedule (offence, vehicle_group, description_vi, legal_basis, article, fine_min, fine_max, points, effective_from)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
        [b.offence, b.vehicleGroup, b.description, b.legalBasis, b.article, b.fineMin, b.fineMax, b.points, b.effectiveFrom]);
      await appendAudit(tx, { at: app.clock.now(), actorId: u.id, actor: u.username, action: 'fine_schedule.version', entity: 'fine_schedule', entityId: String(r.rows[0]!.id), data: { ...b } });
    });
    return reply.status(201).send(await fineRows());
  });

  app.get('/api/admin/agencies', { schema: { tags: ['admin'], response: { 200: AgencyList } } }, async () => {
    const { rows } = await db.query<{ id: string; code: string; name: string; kind: Agency['kind']; province_code: string; commune: string | null; phone: string | null; address: string | null }>(
      'SELECT id, code, name, kind, province_code, commune, phone, address FROM agencies ORDER BY code');
    return { items: rows.map((r) => ({ id: r.id, code: r.code, name: r.name, kind: r.kind, provinceCode: r.province_code, commune: r.commune, phone: r.phone, address: r.address })) };
  });

  app.post<{ Body: CreateAgencyRequest }>('/api/admin/agencies', { schema: { tags: ['admin'], body: CreateAgencyRequest, response: { 201: Agency, ...errors } } }, async (req, reply) => {
    const b = req.body;
    const u = userOf(req);
    const created = await withTransaction(db, async (tx) => {
      const r = await tx.query<{ id: string }>(
        `INSERT INTO agencies (code, name, kind, province_code, commune, phone, address) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (code) DO NOTHING RETURNING id`,
        [b.code, b.name, b.kind, b.provinceCode, b.commune ?? null, b.phone ?? null, b.address ?? null]);
      if (!r.rows[0]) throw new ConflictError('agency code taken', 'code_taken');
      await appendAudit(tx, { at: app.clock.now(), actorId: u.id, actor: u.username, action: 'agency.created', entity: 'agency', entityId: r.rows[0].id, data: { code: b.code, kind: b.kind } });
      return r.rows[0].id;
    });
    return reply.status(201).send({ id: created, code: b.code, name: b.name, kind: b.kind, provinceCode: b.provinceCode, commune: b.commune ?? null, phone: b.phone ?? null, address: b.address ?? null });
  });
}
