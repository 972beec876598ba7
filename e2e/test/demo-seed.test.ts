// The demo seed (api/src/cli/seed.ts) on two small simulated scenes, as `npm run demo` runs it after rendering them:
// one camera per scene at the address DEMO_CAMERA_PORT gives, cases the detector's pipeline produced from the scenes
// with their evidence in storage (clip, stills; hashes match), each with the rule of its own type. Run again on the
// same data it creates nothing twice and keeps a password a user changed, with or without its cache of events.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, type BucketName, type Storage } from '@phatnguoi/core/storage';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import type { ViolationEvent } from '@phatnguoi/core/contracts/violation-event';
import { CATALOGUE } from '@phatnguoi/sim/scenario/catalogue';
import { readTruth, type TruthFile } from '@phatnguoi/sim/truth';
import { passStart, DEMO_PASSES } from '@phatnguoi/api/seed/scene-cases';
import { writeRedLightScene } from '../src/live-path';
import { ROOT } from '../src/processes';

// Async on purpose: s3rver runs in this process, so a synchronous child would block its answers.
const run = promisify(execFile);

const work = mkdtempSync(join(tmpdir(), 'pn-demo-seed-'));
const scenes = join(work, 'scenes');
const camPort = 20_000 + Math.floor(Math.random() * 20_000);
let db: TestDatabase;
let s3: TestS3;
let storage: Storage;
let env: NodeJS.ProcessEnv;
const truths: Record<string, TruthFile> = {};

/** Frame rate of the test's scenes: the rate the seed's detector samples them at, so nothing rendered goes unused. */
const FPS = 5;

/** The wrong-lane scene: car-in-motorbike-lane at 640x360 for 12 s (a car drives in the motorbike lane from 2 s). */
function writeWrongLaneScene(dir: string, name: string): string {
  const base = CATALOGUE.find((s) => s.name === 'car-in-motorbike-lane')!;
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({ ...base, name, width: 640, height: 360, durationS: 12, fps: FPS, actors: base.actors.filter((a) => a.id === 'lane-car') }),
  );
  return file;
}

beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
  const config = testConfig({ s3: s3.s3 });
  storage = createStorage(config);
  // Both scenes at once (two processes: the renderer and its encoder keep a core each busy only part of the time).
  await Promise.all(
    [writeRedLightScene(work, 'seedtest-red-light', { fps: FPS }), writeWrongLaneScene(work, 'seedtest-wrong-lane')].map((file) =>
      run(process.execPath, ['--import', 'tsx', join(ROOT, 'sim/src/cli.ts'), 'render', file, '--out', scenes], { cwd: ROOT, timeout: 240_000 }),
    ),
  );
  for (const name of ['seedtest-red-light', 'seedtest-wrong-lane']) truths[name] = await readTruth(join(scenes, `${name}.truth.json`));
  env = {
    ...process.env,
    DATABASE_URL: db.url,
    LOG_LEVEL: 'warn',
    DATA_DIR: join(work, 'data'),
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY: config.s3.accessKey,
    S3_SECRET_KEY: config.s3.secretKey,
    S3_BUCKET_PREFIX: config.s3.bucketPrefix,
    DEMO_SIM_OUT: scenes,
    DEMO_SCENARIOS: 'seedtest-red-light,seedtest-wrong-lane',
    DEMO_CAMERA_PORT: String(camPort),
  };
  delete env.DEMO_SCENARIO;
  delete env.SEED_PASSWORD;
}, 600_000);

afterAll(async () => {
  await db?.drop();
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function runCli(script: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, script)], { cwd: ROOT, encoding: 'utf8', timeout: 480_000, env });
  return stdout;
}

/** Everything the seed creates, counted: a second run must leave every figure as it was. */
async function counts(): Promise<Record<string, number>> {
  const n = async (sql: string) => (await db.pool.query<{ n: number }>(sql)).rows[0]!.n;
  return {
    agencies: await n('SELECT count(*)::int AS n FROM agencies'),
    users: await n('SELECT count(*)::int AS n FROM users'),
    cameras: await n('SELECT count(*)::int AS n FROM cameras'),
    owners: await n('SELECT count(*)::int AS n FROM registry_owners'),
    vehicles: await n('SELECT count(*)::int AS n FROM registry_vehicles'),
    cases: await n('SELECT count(*)::int AS n FROM cases'),
    evidence: await n('SELECT count(*)::int AS n FROM case_evidence'),
    deadlines: await n('SELECT count(*)::int AS n FROM case_deadlines'),
    audit: await n('SELECT count(*)::int AS n FROM audit_log'),
  };
}

const RULE_OF: Record<string, string[]> = { red_light: ['redLightRule'], wrong_lane: ['laneClassRule', 'solidLineRule'], wrong_way: ['wrongWayRule'] };

describe('demo seed', () => {
  let first: Record<string, number>;

  it('creates one camera per scene at its own address and cases the pipeline produced from the scenes, with their evidence', async () => {
    const out = await runCli('api/src/cli/seed.ts');
    expect(out).toMatch(/canbo1\s+demo-officer-2025\s+officer/);
    expect(out).toMatch(/detecting violations in seedtest-red-light/);
    const roles = (await db.pool.query('SELECT role, count(*)::int AS n FROM users GROUP BY role ORDER BY role')).rows;
    expect(roles).toEqual([
      { role: 'admin', n: 1 },
      { role: 'officer', n: 2 },
      { role: 'operator', n: 1 },
      { role: 'supervisor', n: 2 },
    ]);

    const cameras = (
      await db.pool.query<{ id: string; name: string; stream_url: string; geometry: unknown; enabled: boolean }>(
        'SELECT id, name, stream_url, geometry, enabled FROM cameras ORDER BY stream_url',
      )
    ).rows;
    expect(cameras.map((c) => c.stream_url)).toEqual([`rtsp://127.0.0.1:${camPort}/cam`, `rtsp://127.0.0.1:${camPort + 1}/cam`]);
    expect(cameras.every((c) => c.enabled && c.geometry !== null)).toBe(true);
    const sceneOf = new Map(cameras.map((c, i) => [c.id, i === 0 ? 'seedtest-red-light' : 'seedtest-wrong-lane']));

    const cases = (
      await db.pool.query<{ id: string; camera_id: string; type: string; occurred_at: Date; rule_summary: string; event: ViolationEvent }>(
        'SELECT id, camera_id, type, occurred_at, rule_summary, event FROM cases ORDER BY occurred_at',
      )
    ).rows;
    expect(cases.length).toBeGreaterThan(0);
    // Every case lies in one of its scene's runs; on each run the scene's type was found, at a true violation of the
    // scene (the evaluator's window: its interval ± 2 s).
    const createdAt = (await db.pool.query<{ id: string; created_at: Date }>('SELECT id, created_at FROM cameras')).rows;
    for (const cam of createdAt) {
      const truth = truths[sceneOf.get(cam.id)!]!;
      const mine = cases.filter((c) => c.camera_id === cam.id);
      for (const pass of DEMO_PASSES) {
        const start = passStart(cam.created_at, pass).getTime();
        const t = (c: { occurred_at: Date }) => (c.occurred_at.getTime() - start) / 1000;
        const inRun = mine.filter((c) => t(c) >= 0 && t(c) <= truth.video.durationS);
        const hit = inRun.some((c) => truth.violations.some((v) => v.type === c.type && t(c) >= v.startS - 2 && t(c) <= v.endS + 2));
        expect(hit, `${sceneOf.get(cam.id)}: no case at a true violation on the run dated ${new Date(start).toISOString()}\n${out}`).toBe(true);
      }
      const outside = mine.filter(
        (c) =>
          !DEMO_PASSES.some((p) => {
            const dt = c.occurred_at.getTime() - passStart(cam.created_at, p).getTime();
            return dt >= 0 && dt <= truth.video.durationS * 1000;
          }),
      );
      expect(outside).toEqual([]);
    }
    for (const c of cases) {
      // Produced by the pipeline: the trained detector's name, the rule of the case's own type, and the signal
      // state printed only where the rule judged one.
      expect(c.event.detector).not.toBe('demo');
      expect(RULE_OF[c.type]).toContain(c.event.ruleDetail.rule);
      expect(c.rule_summary).toBe(c.event.ruleDetail.summary);
      if (c.type !== 'red_light') expect(c.event.ruleDetail.rule).not.toBe('redLightRule');
      const files = (
        await db.pool.query<{ kind: string; bucket: string; key: string; sha256: string; size: number; content_type: string; captured_at: Date }>(
          'SELECT kind, bucket, key, sha256, size, content_type, captured_at FROM case_evidence WHERE case_id = $1',
          [c.id],
        )
      ).rows;
      const kinds = files.map((f) => f.kind);
      expect(kinds).toContain('clip');
      expect(kinds.some((k) => k === 'scene_before' || k === 'scene_after')).toBe(true);
      for (const f of files) {
        const body = await storage.get(f.bucket as BucketName, f.key);
        expect(createHash('sha256').update(body).digest('hex'), `${c.id} ${f.kind}`).toBe(f.sha256);
        expect(body.length).toBe(Number(f.size));
        expect(f.content_type).toBe(f.kind === 'clip' ? 'video/mp4' : 'image/jpeg');
        if (f.kind !== 'clip') expect(Array.from(body.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);
        // Stills were taken around the violation (their overlay prints this time in Asia/Ho_Chi_Minh).
        expect(Math.abs(f.captured_at.getTime() - c.occurred_at.getTime())).toBeLessThan(f.kind === 'clip' ? 10_000 : 5_000);
      }
    }
    // The scenes' vehicles are in the registry with an owner a notice can be sent to: an address in the plate's
    // province (a name, not its code), e-mail and phone, and the vehicle's brand and colour for the officer to compare.
    const scenePlates = [...new Set(Object.values(truths).flatMap((t) => t.tracks.map((k) => k.plate.text)))];
    const registered = (
      await db.pool.query<{ plate: string; brand: string | null; colour: string | null; address: string; email: string | null; phone: string | null }>(
        `SELECT v.plate, v.brand, v.colour, o.address, o.email, o.phone FROM registry_vehicles v JOIN registry_owners o ON o.id = v.owner_id
          WHERE v.plate = ANY($1)`,
        [scenePlates],
      )
    ).rows;
    expect(registered.length).toBeGreaterThan(0);
    for (const r of registered) {
      expect(r.brand && r.colour && r.email && r.phone, r.plate).toBeTruthy();
      expect(r.address, r.plate).not.toMatch(/mã \d/);
    }
    expect(await runCli('api/src/cli/audit-verify.ts')).toMatch(/audit chain OK: \d+ entries verified/);
    first = await counts();
  }, 900_000);

  it('run again, with and without its cache, creates nothing twice and keeps a changed password', async () => {
    expect(first).toBeDefined();
    await db.pool.query('UPDATE users SET password_hash = $2 WHERE username = $1', [
      'canbo1',
      await argon2.hash('mật khẩu mới của tôi', { type: argon2.argon2id }),
    ]);
    const out = await runCli('api/src/cli/seed.ts');
    expect(out).not.toMatch(/detecting violations/); // events came from the cache
    expect(out).toMatch(/canbo1\s+\(changed by a user; kept\)/);
    expect(out).toMatch(/canbo2\s+demo-officer-2025/);
    expect(await counts()).toEqual(first);
    const hash = (await db.pool.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE username = $1', ['canbo1'])).rows[0]!.password_hash;
    expect(await argon2.verify(hash, 'mật khẩu mới của tôi')).toBe(true);

    // Same database, the cache gone (another DATA_DIR): the runs already seeded are recognised, not run again.
    rmSync(join(work, 'data', 'demo-seed'), { recursive: true, force: true });
    const again = await runCli('api/src/cli/seed.ts');
    expect(again).not.toMatch(/detecting violations/);
    expect(await counts()).toEqual(first);
    expect(await runCli('api/src/cli/audit-verify.ts')).toMatch(/audit chain OK: \d+ entries verified/);
  }, 600_000);
});
