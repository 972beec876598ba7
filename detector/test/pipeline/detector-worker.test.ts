// Camera leases for the detector role: only cameras whose ingest runs on this node, a camera that
// cannot run (no geometry) is reported and its lease released, and leases go on stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testConfig, type TestDatabase } from '@phatnguoi/core/testing/index';
import { DetectorWorker } from '../../src/pipeline/detector-worker';
import type { RunnerLogger } from '../../src/pipeline/camera-runner';
import { TruthReplayDetector } from '../../src/pipeline/truth-replay-detector';
import { videoGeometry } from '../fixtures/synthetic-video';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function camera(name: string, geometry: unknown, ingestNode: string): Promise<string> {
  const agency = await db.pool.query<{ id: string }>(`INSERT INTO agencies (code, name, province_code) VALUES ($1, 'PC08', '79') RETURNING id`, [name]);
  const cam = await db.pool.query<{ id: string }>(
    `INSERT INTO cameras (agency_id, name, stream_url, geometry) VALUES ($1, $2, 'rtsp://x/y', $3) RETURNING id`,
    [agency.rows[0]!.id, name, geometry === null ? null : JSON.stringify(geometry)],
  );
  const id = cam.rows[0]!.id;
  await db.pool.query(
    `INSERT INTO camera_leases (camera_id, role, holder, node, expires_at) VALUES ($1, 'ingest', 'ingest-1', $2, now() + interval '10 minutes')`,
    [id, ingestNode],
  );
  return id;
}

describe('DetectorWorker', () => {
  it('leases local cameras with usable geometry and releases them on stop', async () => {
    const good = await camera('good', videoGeometry, 'node-a');
    const noGeometry = await camera('nogeo', null, 'node-a');
    const elsewhere = await camera('elsewhere', videoGeometry, 'node-b');
    const lines: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
    const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, msg: msg ?? '', obj: obj as Record<string, unknown> });
    const logger = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as RunnerLogger;
    const worker = new DetectorWorker({
      db: db.pool,
      redisUrl: REDIS_URL,
      keyPrefix: `${testConfig().queuePrefix}:`,
      holder: 'det-1',
      node: 'node-a',
      logger,
      detector: new TruthReplayDetector([]),
      leaseTtlMs: 60_000,
    });
    await worker.start();
    try {
      expect(worker.cameras).toEqual([good]);
      const leases = await db.pool.query<{ camera_id: string }>(`SELECT camera_id FROM camera_leases WHERE role = 'detector'`);
      expect(leases.rows.map((r) => r.camera_id)).toEqual([good]);
      expect(lines.some((l) => l.level === 'error' && l.obj.cameraId === noGeometry && /no geometry/.test(l.msg))).toBe(true);
      expect(worker.cameras).not.toContain(elsewhere);
    } finally {
      await worker.stop();
    }
    const after = await db.pool.query(`SELECT 1 FROM camera_leases WHERE role = 'detector'`);
    expect(after.rowCount).toBe(0);
  });
});
