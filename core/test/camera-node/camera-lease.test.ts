// Lease statements against a real PostgreSQL database (cloned from the migrated template).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Db } from '../../src/db';
import { startEmbeddedPostgres } from '../../src/embedded/postgres';
import { migrate } from '../../src/migrate';
import { createTestDatabase } from '../../src/testing/index';
import { loadCameras, planLeases, releaseLeases, renewLeases, takeLease, type LeaseIdentity } from '../../src/camera-node/camera-lease';

const a: LeaseIdentity = { role: 'ingest', holder: 'proc-a', node: 'node-1' };
const b: LeaseIdentity = { role: 'ingest', holder: 'proc-b', node: 'node-2' };

// The same statements against the test server and against embedded PostgreSQL (the no-configuration default).
const backends = {
  postgresql: async () => {
    const t = await createTestDatabase();
    return { pool: t.pool, drop: () => t.drop() };
  },
  'embedded postgresql': async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pn-lease-embedded-'));
    const pg = await startEmbeddedPostgres({ dir });
    const pool = createPool(pg.url, { max: 4 });
    await migrate(pool);
    return {
      pool,
      drop: async () => {
        await pool.end();
        await pg.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

describe.each(Object.entries(backends))('camera leases on %s', (_name, open) => {
  let db: { pool: Db; drop(): Promise<void> };
  const ids: string[] = [];

  beforeAll(async () => {
    db = await open();
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO agencies (code, name, province_code) VALUES ('CSGT-HN', 'CSGT Hà Nội', '01') RETURNING id`,
    );
    for (let i = 0; i < 3; i++) {
      const r = await db.pool.query<{ id: string }>(
        `INSERT INTO cameras (agency_id, name, stream_url, sample_fps, enabled) VALUES ($1, $2, 'rtsp://u:p@10.0.0.1/cam', 5, $3) RETURNING id`,
        [rows[0]!.id, `cam ${i}`, i < 2],
      );
      ids.push(r.rows[0]!.id);
    }
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('gives a camera to exactly one of several racing holders', async () => {
    const results = await Promise.all([takeLease(db.pool, a, ids[0]!, 60_000), takeLease(db.pool, b, ids[0]!, 60_000)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? a : b;
    const loser = results[0] ? b : a;
    // The holder may take it again (idempotent); the other still cannot.
    expect(await takeLease(db.pool, winner, ids[0]!, 60_000)).toBe(true);
    expect(await takeLease(db.pool, loser, ids[0]!, 60_000)).toBe(false);
    expect([...(await renewLeases(db.pool, loser, [ids[0]!], 60_000))]).toEqual([]);
    expect([...(await renewLeases(db.pool, winner, [ids[0]!], 60_000))]).toEqual([ids[0]]);
    await releaseLeases(db.pool, winner, [ids[0]!]);
    expect(await takeLease(db.pool, loser, ids[0]!, 60_000)).toBe(true);
    await releaseLeases(db.pool, loser, [ids[0]!]);
  });

  it('lets another holder take a lapsed lease, and the old holder learns it on renewal', async () => {
    expect(await takeLease(db.pool, a, ids[1]!, 200)).toBe(true);
    expect(await takeLease(db.pool, b, ids[1]!, 60_000)).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    expect(await takeLease(db.pool, b, ids[1]!, 60_000)).toBe(true);
    expect((await renewLeases(db.pool, a, [ids[1]!], 60_000)).size).toBe(0);
    await releaseLeases(db.pool, b, [ids[1]!]);
  });

  it('plans an even share over enabled cameras and live holders', async () => {
    let plan = await planLeases(db.pool, a);
    expect(plan).toMatchObject({ enabled: 2, liveHolders: 1, target: 2 });
    expect(plan.free.sort()).toEqual([ids[0], ids[1]].sort());
    expect(await takeLease(db.pool, b, ids[0]!, 60_000)).toBe(true);
    plan = await planLeases(db.pool, a);
    expect(plan).toMatchObject({ liveHolders: 2, target: 1, free: [ids[1]] });
    // Disabled cameras are never planned nor loaded; credentials stay in the row only.
    expect((await loadCameras(db.pool, ids, randomBytes(32))).map((c) => c.id).sort()).toEqual([ids[0], ids[1]].sort());
  });
});
