// Numbered SQL migrations, up and down, applied under a PostgreSQL advisory lock so replicas starting
// together never race. Files: core/migrations/NNNN_<area>_<name>.{up,down}.sql (number ranges per area in
// CONTRIBUTING.md). Each migration runs in its own transaction on one connection.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db, DbClient } from './db';
import { InternalError } from './errors';
import { createLogger, type Logger } from './logger';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));
/** Advisory lock key for migrations ("phatnguoi-migrate" folded to int8). */
export const MIGRATION_LOCK_KEY = 7_305_142_771_031_337n;

export interface MigrationFile {
  version: number;
  name: string;
  up: string;
  down: string;
  checksum: string;
}

export interface MigrateOptions {
  /** Target version: 'latest' (default for up); for down, the version to end at (default: one step back). */
  to?: 'latest' | number;
  direction?: 'up' | 'down';
  dir?: string;
  logger?: Logger;
}

export interface MigrateResult {
  direction: 'up' | 'down';
  /** Versions applied (up) or rolled back (down), in the order it happened. */
  versions: number[];
  current: number;
}

export interface MigrationStatus {
  version: number;
  name: string;
  applied: boolean;
  appliedAt?: Date;
  /** The up file changed after it was applied. */
  changed: boolean;
  /** Applied in the database but no longer on disk. */
  missing: boolean;
}

const FILE_RE = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.(up|down)\.sql$/;

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  const byVersion = new Map<number, { name: string; up?: string; down?: string }>();
  const problems: string[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE_RE.exec(file);
    if (!m) {
      problems.push(`${file}: name must be NNNN_<area>_<name>.up.sql or .down.sql`);
      continue;
    }
    const version = Number(m[1]);
    const name = m[2]!;
    const entry = byVersion.get(version) ?? { name };
    if (entry.name !== name) problems.push(`${file}: version ${version} already used by ${entry.name}`);
    const sql = readFileSync(`${dir}/${file}`, 'utf8');
    if (m[3] === 'up') entry.up = sql;
    else entry.down = sql;
    byVersion.set(version, entry);
  }
  const out: MigrationFile[] = [];
  for (const [version, e] of [...byVersion.entries()].sort((a, b) => a[0] - b[0])) {
    if (e.up === undefined) problems.push(`${String(version).padStart(4, '0')}_${e.name}: missing .up.sql`);
    if (e.down === undefined) problems.push(`${String(version).padStart(4, '0')}_${e.name}: missing .down.sql`);
    if (e.up !== undefined && e.down !== undefined) {
      out.push({ version, name: e.name, up: e.up, down: e.down, checksum: createHash('sha256').update(e.up).digest('hex') });
    }
  }
  if (problems.length) throw new InternalError('bad_migrations', `Migration files are inconsistent:\n  ${problems.join('\n  ')}`);
  return out;
}

/** SHA-256 over every migration file: identifies a schema (used to name test template databases). */
export function migrationsFingerprint(dir = MIGRATIONS_DIR): string {
  const h = createHash('sha256');
  for (const m of readMigrations(dir)) h.update(`${m.version}:${m.name}:${m.checksum}:${createHash('sha256').update(m.down).digest('hex')}\n`);
  return h.digest('hex');
}

async function ensureTable(client: DbClient): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function appliedVersions(client: DbClient): Promise<Map<number, { name: string; checksum: string; appliedAt: Date }>> {
  const { rows } = await client.query<{ version: number; name: string; checksum: string; applied_at: Date }>(
    'SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version',
  );
  return new Map(rows.map((r) => [r.version, { name: r.name, checksum: r.checksum, appliedAt: r.applied_at }]));
}

/**
 * Holds the migration advisory lock while fn runs. Polls pg_try_advisory_lock rather than blocking in
 * pg_advisory_lock, so a waiting process says once that it waits and never sits inside the server.
 */
async function withMigrationLock<T>(pool: Db, log: Logger, fn: (client: DbClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    let waited = false;
    for (;;) {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [MIGRATION_LOCK_KEY.toString()]);
      if (rows[0]?.ok) break;
      if (!waited) log.info('another process is migrating; waiting for the migration lock');
      waited = true;
      await new Promise((r) => setTimeout(r, 200));
    }
    try {
      await ensureTable(client);
      return await fn(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } finally {
    client.release();
  }
}

async function runInTransaction(client: DbClient, fn: () => Promise<boolean>): Promise<boolean> {
  await client.query('BEGIN');
  try {
    const done = await fn();
    await client.query(done ? 'COMMIT' : 'ROLLBACK');
    return done;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export async function migrate(pool: Db, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const direction = opts.direction ?? 'up';
  const log = opts.logger ?? createLogger('migrate');
  const files = readMigrations(opts.dir);
  return withMigrationLock(pool, log, async (client) => {
    const applied = await appliedVersions(client);
    const done: number[] = [];
    if (direction === 'up') {
      const target = opts.to === undefined || opts.to === 'latest' ? Infinity : opts.to;
      for (const m of files) {
        if (m.version > target || applied.has(m.version)) continue;
        const ran = await runInTransaction(client, async () => {
          // Re-check inside the transaction: in embedded mode the advisory lock is shared by every connection.
          const { rowCount } = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
          if (rowCount) return false;
          await client.query(m.up);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
          return true;
        }).catch((err: unknown) => {
          throw new InternalError('migration_failed', `migration ${String(m.version).padStart(4, '0')}_${m.name} (up) failed: ${(err as Error).message}`, {
            cause: err,
          });
        });
        if (ran) {
          done.push(m.version);
          log.info({ version: m.version, migration: m.name }, 'migration applied');
        }
      }
    } else {
      const appliedDesc = [...applied.keys()].sort((a, b) => b - a);
      const target = opts.to === undefined ? (appliedDesc[1] ?? 0) : opts.to === 'latest' ? Infinity : opts.to;
      const byVersion = new Map(files.map((f) => [f.version, f]));
      for (const version of appliedDesc) {
        if (version <= target) break;
        const m = byVersion.get(version);
        if (!m) throw new InternalError('migration_missing', `cannot roll back ${version}: its files are gone`);
        const ran = await runInTransaction(client, async () => {
          const { rowCount } = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
          if (!rowCount) return false;
          await client.query(m.down);
          await client.query('DELETE FROM schema_migrations WHERE version = $1', [m.version]);
          return true;
        }).catch((err: unknown) => {
          throw new InternalError('migration_failed', `migration ${String(m.version).padStart(4, '0')}_${m.name} (down) failed: ${(err as Error).message}`, {
            cause: err,
          });
        });
        if (ran) {
          done.push(m.version);
          log.info({ version: m.version, migration: m.name }, 'migration rolled back');
        }
      }
    }
    const after = await appliedVersions(client);
    return { direction, versions: done, current: Math.max(0, ...after.keys()) };
  });
}

export async function migrationStatus(pool: Db, dir?: string): Promise<MigrationStatus[]> {
  const files = readMigrations(dir);
  const log = createLogger('migrate');
  return withMigrationLock(pool, log, async (client) => {
    const applied = await appliedVersions(client);
    const out: MigrationStatus[] = files.map((f) => {
      const a = applied.get(f.version);
      return {
        version: f.version,
        name: f.name,
        applied: !!a,
        ...(a ? { appliedAt: a.appliedAt } : {}),
        changed: !!a && a.checksum !== f.checksum,
        missing: false,
      };
    });
    for (const [version, a] of applied) {
      if (!files.some((f) => f.version === version)) out.push({ version, name: a.name, applied: true, appliedAt: a.appliedAt, changed: false, missing: true });
    }
    return out.sort((x, y) => x.version - y.version);
  });
}
