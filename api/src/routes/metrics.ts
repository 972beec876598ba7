// Prometheus metrics: request latency per route, case counts per status, the detector's rates per camera
// with the TF.js backend it runs on, and whether detection runs on each camera ingest has online
// (`camera_detecting` 0 with a `camera_detection_fault{reason}` while it does not).
import type { RouteApp } from './route-app';
import client from 'prom-client';
import fp from 'fastify-plugin';
import { createHash, timingSafeEqual } from 'node:crypto';
import { NotFoundError, UnauthorizedError } from '@phatnguoi/core/errors';
import { caseCountsByStatus, type DetectorFigures } from '../services/stats';

async function metricsRoutes(app: RouteApp): Promise<void> {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const latency = new client.Histogram({
    name: 'api_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new client.Gauge({
    name: 'api_cases',
    help: 'Cases by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await caseCountsByStatus(app.deps.db);
      this.reset();
      for (const c of counts) this.set({ status: c.status }, c.count);
    },
  });
  // The detector has no HTTP port: its figures come over Redis (`detector-stats`) to the camera board.
  for (const [name, help, pick] of [
    ['detector_frames_per_second', 'Frames per second the detector processes, per camera, with its TF.js backend', (f: DetectorFigures) => f.framesPerSecond],
    ['detector_detections_per_second', 'Vehicle detections per second, per camera, with the TF.js backend', (f: DetectorFigures) => f.detectionsPerSecond],
  ] as const) {
    new client.Gauge({
      name,
      help,
      labelNames: ['camera_id', 'backend'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const f of app.cameraBoard.detectorFigures(app.clock.now())) this.set({ camera_id: f.cameraId, backend: f.backend }, pick(f));
      },
    });
  }
  // "Online but not detecting" is a fault: 1/0 per camera ingest has online, and the reason while 0.
  new client.Gauge({
    name: 'camera_detecting',
    help: 'Per camera that ingest has online: 1 while detection runs on it, 0 while it does not (see camera_detection_fault)',
    labelNames: ['camera_id'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const d of app.cameraBoard.cameraDetections(app.clock.now())) this.set({ camera_id: d.cameraId }, d.fault === null ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'camera_detection_fault',
    help: 'Per camera online at ingest but not detecting: 1 with the reason (retrying, stalled, gave_up, no_report, no_frames)',
    labelNames: ['camera_id', 'reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const d of app.cameraBoard.cameraDetections(app.clock.now())) if (d.fault !== null) this.set({ camera_id: d.cameraId, reason: d.fault }, 1);
    },
  });
  app.addHook('onResponse', async (req, reply) => {
    latency.observe({ method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  // Case counts of every agency and camera ids: only for the scraper holding METRICS_TOKEN; without one, no /metrics.
  const expected = app.opts.metricsToken ? createHash('sha256').update(app.opts.metricsToken).digest() : null;
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (!expected) throw new NotFoundError('no route GET /metrics');
    const h = req.headers.authorization;
    const given = createHash('sha256')
      .update(h?.startsWith('Bearer ') ? h.slice(7) : '')
      .digest();
    if (!timingSafeEqual(given, expected)) throw new UnauthorizedError('the metrics token is required');
    return reply
      .type(registry.contentType)
      .header('cache-control', 'no-store')
      .send(await registry.metrics());
  });
}

// Not encapsulated: the latency hook must see every route.
export default fp(metricsRoutes, { name: 'metrics' });
