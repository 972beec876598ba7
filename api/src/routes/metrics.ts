// Prometheus metrics: request latency per route and case counts per status.
import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import fp from 'fastify-plugin';

async function metricsRoutes(app: FastifyInstance): Promise<void> {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const latency = new client.Histogram({
    name: 'api_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
  });
  new client.Gauge({
    name: 'api_cases', help: 'Cases by status', labelNames: ['status'] as const, registers: [registry],
    async collect() {
      const { rows } = await app.deps.db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM cases GROUP BY status');
      this.reset();
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });
  app.addHook('onResponse', async (req, reply) => {
    latency.observe({ method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}

// Not encapsulated: the latency hook must see every route.
export default fp(metricsRoutes, { name: 'metrics' });
