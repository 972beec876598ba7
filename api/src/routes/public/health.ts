import type { FastifyInstance } from 'fastify';
import { HealthResponse } from '@phatnguoi/core/contracts/api/common';

/** Liveness plus dependency checks; 503 when PostgreSQL or Redis does not answer. */
export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', { schema: { tags: ['public'], response: { 200: HealthResponse, 503: HealthResponse } } }, async (_req, reply) => {
    const checks: Record<string, 'ok' | 'fail' | 'absent'> = { db: 'fail', redis: 'absent' };
    try {
      await app.deps.db.query('select 1');
      checks.db = 'ok';
    } catch {
      checks.db = 'fail';
    }
    if (app.deps.redis) {
      try {
        await withTimeout(app.deps.redis.ping(), 2000);
        checks.redis = 'ok';
      } catch {
        checks.redis = 'fail';
      }
    }
    const ok = !Object.values(checks).includes('fail');
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
