// Operations centre: stats snapshot, the live SSE channel, and the pictures of the wall (each camera's latest
// snapshot, each recent violation's scene still), for operators, supervisors (their agency) and admins.
import type { RouteApp } from './route-app';
import { StatsSnapshot } from '@phatnguoi/core/contracts/api/stats';
import { BinaryFile, ErrorResponse, IdParams } from '@phatnguoi/core/contracts/api/common';
import { SNAPSHOT_SOURCE_HEADER } from '@phatnguoi/core/contracts/api/cameras';
import { requireRoles, userOf } from '../plugins/auth';
import { cameraSnapshot } from '../services/cameras';
import { CAMERA_STATUS_CHANNEL, CameraAgencies, DETECTOR_STATS_CHANNEL, caseThumbnail, statsSnapshot } from '../services/stats';
import type { CameraStatusMessage } from '@phatnguoi/core/contracts/api/stats';
import { sseFrame } from '@phatnguoi/core/contracts/api/live';

export default async function opsRoutes(app: RouteApp): Promise<void> {
  app.addHook('onRequest', requireRoles('operator', 'supervisor', 'admin'));
  const board = app.cameraBoard;
  /** Each open stream with the agency it may see (null: every agency, operators and admins). */
  const listeners = new Set<{ agencyId: string | null; send: (msg: CameraStatusMessage) => void }>();
  const agencies = new CameraAgencies(app.deps.db);
  const prefix = app.opts.channelPrefix;
  // Messages go out in the order they came, each only to the streams of the camera's agency (and unscoped ones).
  let chain: Promise<void> = Promise.resolve();
  const fan = (m: CameraStatusMessage | null) => {
    if (!m) return;
    chain = chain.then(async () => {
      const agencyId = await agencies.of(m.cameraId, app.clock.now()).catch(() => null);
      for (const l of listeners) if (l.agencyId === null || (agencyId !== null && l.agencyId === agencyId)) l.send(m);
    });
  };
  const offIngest = await app.deps.subscribe(`${prefix}${CAMERA_STATUS_CHANNEL}`, (raw) => fan(board.updateFromIngest(raw, app.clock.now())));
  const offDetector = await app.deps.subscribe(`${prefix}${DETECTOR_STATS_CHANNEL}`, (raw) => fan(board.updateFromDetector(raw, app.clock.now())));
  app.addHook('onClose', async () => {
    await offIngest();
    await offDetector();
  });
  const scopeOf = (role: string, agencyId: string | null) => (role === 'supervisor' ? agencyId : null);

  app.get('/api/stats', { schema: { tags: ['ops'], response: { 200: StatsSnapshot } } }, async (req) => {
    const u = userOf(req);
    return statsSnapshot(app.deps.db, board, app.clock.now(), scopeOf(u.role, u.agencyId));
  });

  const pictureSchema = { tags: ['ops'], params: IdParams, response: { 200: BinaryFile, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse } };

  // The wall's camera tiles: the same picture as the camera setup page, scoped like the wall itself.
  app.get('/api/stats/cameras/:id/snapshot', { schema: pictureSchema }, async (req, reply) => {
    const u = userOf(req);
    const snap = await cameraSnapshot(
      { db: app.deps.db, storage: app.deps.storage, redis: app.deps.redis, frameRingDir: app.opts.frameRingDir, keyPrefix: app.opts.channelPrefix },
      req.params.id,
      scopeOf(u.role, u.agencyId),
    );
    return reply.type('image/jpeg').header('cache-control', 'no-store').header(SNAPSHOT_SOURCE_HEADER, snap.source).send(snap.jpeg);
  });

  // The wall's latest violations: a small scene still (no plate crop, no owner data).
  app.get('/api/stats/cases/:id/thumbnail', { schema: pictureSchema }, async (req, reply) => {
    const u = userOf(req);
    const jpeg = await caseThumbnail(app.deps.db, app.deps.storage, req.params.id, scopeOf(u.role, u.agencyId));
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600').send(jpeg);
  });

  // Server-sent events: `snapshot` every few seconds, `camera` on each status message from ingest.
  const STREAM = '/api/stats/stream';
  app.get(STREAM, { schema: { tags: ['ops'] } }, async (req, reply) => {
    const u = userOf(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const push = async () => {
      try {
        res.write(sseFrame(STREAM, 'snapshot', await statsSnapshot(app.deps.db, board, app.clock.now(), scopeOf(u.role, u.agencyId))));
      } catch (err) {
        req.log.warn({ err }, 'stats snapshot failed');
      }
    };
    const onCamera = { agencyId: scopeOf(u.role, u.agencyId), send: (m: CameraStatusMessage) => res.write(sseFrame(STREAM, 'camera', m)) };
    listeners.add(onCamera);
    await push();
    const timer = setInterval(() => void push(), 5000);
    req.raw.on('close', () => {
      clearInterval(timer);
      listeners.delete(onCamera);
    });
  });
}
