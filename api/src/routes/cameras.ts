// Camera routes. Each route names who may call it:
//   GET /api/cameras, GET /api/cameras/:id, PUT /api/cameras/:id/geometry, GET /api/cameras/:id/snapshot,
//   GET /api/cameras/:id/lamps: admin (of the camera's agency when the admin has one);
//   GET /api/cameras/:id/geometry: admin, and officers/supervisors of the camera's agency (case overlays need it).
import type { RouteApp } from './route-app';
import { ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import { CameraGeometryBody, CameraLamps, CameraList, CameraSummary, SNAPSHOT_SOURCE_HEADER } from '@phatnguoi/core/contracts/api/cameras';
import { CameraGeometrySchema } from '@phatnguoi/core/contracts/camera-geometry';
import { requireRoles, userOf } from '../plugins/auth';
import { cameraLamps, cameraScope, cameraSnapshot, getCamera, getGeometry, listCameras, putGeometry } from '../services/cameras';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

export default async function cameraRoutes(app: RouteApp): Promise<void> {
  const { db } = app.deps;
  const adminOnly = requireRoles('admin');
  const geometryReaders = requireRoles('admin', 'officer', 'supervisor');

  app.get('/api/cameras', { onRequest: adminOnly, schema: { tags: ['admin'], response: { 200: CameraList, ...errors } } }, async (req) => ({
    items: await listCameras(db, cameraScope(userOf(req)), app.clock.now(), app.cameraBoard),
  }));

  app.get(
    '/api/cameras/:id',
    { onRequest: adminOnly, schema: { tags: ['admin'], params: IdParams, response: { 200: CameraSummary, ...errors } } },
    async (req) => getCamera(db, req.params.id, cameraScope(userOf(req)), app.clock.now(), app.cameraBoard),
  );

  app.get(
    '/api/cameras/:id/geometry',
    {
      onRequest: geometryReaders,
      schema: { tags: ['admin'], params: IdParams, response: { 200: CameraGeometrySchema, ...errors } },
    },
    async (req) => getGeometry(db, req.params.id, cameraScope(userOf(req))),
  );

  // The body is validated by validateGeometry (not by the route schema), so every problem comes back as a field error.
  app.put(
    '/api/cameras/:id/geometry',
    {
      onRequest: adminOnly,
      schema: {
        tags: ['admin'],
        params: IdParams,
        body: CameraGeometryBody,
        response: { 200: CameraGeometrySchema, ...errors },
      },
    },
    async (req) => putGeometry(db, app.clock, userOf(req), req.params.id, req.body, cameraScope(userOf(req))),
  );

  // What the detector sees of each lamp region (learned levels, last readings): the geometry editor's lamp tool.
  app.get(
    '/api/cameras/:id/lamps',
    { onRequest: adminOnly, schema: { tags: ['admin'], params: IdParams, response: { 200: CameraLamps, ...errors } } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return cameraLamps(db, req.params.id, cameraScope(userOf(req)));
    },
  );

  app.get('/api/cameras/:id/snapshot', { onRequest: adminOnly, schema: { tags: ['admin'], params: IdParams } }, async (req, reply) => {
    const snap = await cameraSnapshot(
      { db, storage: app.deps.storage, redis: app.deps.redis, frameRingDir: app.opts.frameRingDir, keyPrefix: app.opts.channelPrefix },
      req.params.id,
      cameraScope(userOf(req)),
    );
    return reply.type('image/jpeg').header('cache-control', 'no-store').header(SNAPSHOT_SOURCE_HEADER, snap.source).send(snap.jpeg);
  });
}
