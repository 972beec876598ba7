// The api's dependency checks for /health: PostgreSQL answers a query, Redis (when the app has one) a ping within 2 s.
import type { AppDeps } from '../deps';

export type Check = 'ok' | 'fail' | 'absent';

export interface Health {
  ok: boolean;
  checks: { db: Check; redis: Check };
}

export async function checkDependencies(deps: Pick<AppDeps, 'db' | 'redis'>): Promise<Health> {
  const checks: Health['checks'] = { db: 'fail', redis: 'fail' };
  try {
    await deps.db.query('SELECT 1');
    checks.db = 'ok';
  } catch {
    checks.db = 'fail';
  }
  try {
    await withTimeout(deps.redis.ping(), 2000);
    checks.redis = 'ok';
  } catch {
    checks.redis = 'fail';
  }
  return { ok: !Object.values(checks).includes('fail'), checks };
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
