// Test databases: the migrations run once into a template database (named after a hash of the migration
// files, so a changed migration gets a fresh template), and each test file clones it with
// CREATE DATABASE ... TEMPLATE, which takes milliseconds instead of re-running every migration.
import pg from 'pg';
import { createPool, type Db } from '../db';
import { migrate, migrationsFingerprint } from '../migrate';
import { processAlive } from '../process';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const TEMPLATE_LOCK_KEY = 7_305_142_771_031_338n;

export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

/** The same server URL pointing at another database. */
export function databaseUrl(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

export function templateDatabaseName(): string {
  return `pn_tpl_${migrationsFingerprint().slice(0, 16)}`;
}

const quote = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(), application_name: 'phatnguoi-test-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return !!rowCount;
}

async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query(`ALTER DATABASE ${quote(name)} WITH IS_TEMPLATE false`).catch(() => undefined);
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  await client.query(`DROP DATABASE IF EXISTS ${quote(name)}`);
}

/**
 * Creates the migrated template database if it does not exist yet. Safe to call from many processes at
 * once: creation runs under an advisory lock, into a scratch name that is renamed only when complete.
 */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = templateDatabaseName();
  await withAdmin(async (client) => {
    if (await databaseExists(client, name)) return;
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY.toString()]);
    try {
      if (await databaseExists(client, name)) return;
      const building = `${name}_build`;
      await dropDatabase(client, building);
      await client.query(`CREATE DATABASE ${quote(building)}`);
      const pool = createPool(databaseUrl(adminUrl(), building), { max: 2, applicationName: 'phatnguoi-test-template' });
      try {
        await migrate(pool);
      } finally {
        await pool.end();
      }
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [building]);
      await client.query(`ALTER DATABASE ${quote(building)} RENAME TO ${quote(name)}`);
      await client.query(`ALTER DATABASE ${quote(name)} WITH IS_TEMPLATE true`);
      await client.query(`COMMENT ON DATABASE ${quote(name)} IS ${pg.escapeLiteral(`phatnguoi test template created ${new Date().toISOString()}`)}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY.toString()]);
    }
  });
  return name;
}

/**
 * Drops leftovers of earlier runs: test databases whose creating process is gone (names carry the pid),
 * and templates of older migration sets created more than two hours ago.
 */
export async function dropStaleTestDatabases(): Promise<string[]> {
  const current = templateDatabaseName();
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string; comment: string | null }>(
      `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE 'pn\\_test\\_%' OR datname LIKE 'pn\\_tpl\\_%'`,
    );
    const dropped: string[] = [];
    for (const r of rows) {
      let stale = false;
      const test = /^pn_test_(\d+)_/.exec(r.datname);
      if (test) stale = !processAlive(Number(test[1]));
      else if (r.datname !== current && !r.datname.endsWith('_build')) {
        const created = /created (\S+)/.exec(r.comment ?? '')?.[1];
        stale = !created || Date.now() - Date.parse(created) > 2 * 3600_000;
      }
      if (stale) {
        try {
          await dropDatabase(client, r.datname);
          dropped.push(r.datname);
        } catch {
          // In use by a run that is still going: leave it.
        }
      }
    }
    return dropped;
  });
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: Db;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, fully migrated database for one test file, cloned from the template. */
export async function createTestDatabase(opts: { poolMax?: number } = {}): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase();
  const name = `pn_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withAdmin(async (client) => {
    // CREATE DATABASE waits briefly for template connections to go; retry if a template user lingers.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${quote(name)} TEMPLATE ${quote(template)}`);
        return;
      } catch (err) {
        if (attempt >= 5 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
      }
    }
  });
  const url = databaseUrl(adminUrl(), name);
  const pool = createPool(url, { max: opts.poolMax ?? 5, applicationName: 'phatnguoi-test' });
  let dropped = false;
  return {
    name,
    url,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end();
      await withAdmin((client) => dropDatabase(client, name));
    },
  };
}
