import type { RouteApp } from '../route-app';
import { HealthResponse } from '@phatnguoi/core/contracts/api/common';
import { checkDependencies } from '../../services/health';

/** Liveness plus dependency checks; 503 when PostgreSQL or Redis does not answer. */
export default async function healthRoutes(app: RouteApp): Promise<void> {
  app.get('/health', { schema: { tags: ['public'], response: { 200: HealthResponse, 503: HealthResponse } } }, async (_req, reply) => {
    const { ok, checks } = await checkDependencies(app.deps);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });
}
