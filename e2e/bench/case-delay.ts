// npm run bench:delay — delay from a violation in the video to its case in the review queue, and how it grows
// with the number of cameras. For each K: K simulated RTSP cameras (each looping the live path's scene, two
// scripted red-light runs per 15 s loop), one ingest, one detector (the trained model by default) and the api's
// case worker, all separate processes against real PostgreSQL, Redis and S3 (s3rver), exactly the demo path.
//
//   npm run bench:delay [-- --cameras 1,2,4 --seconds 60 --detector model|truth-replay]
//
// Violation time = capture time of the camera's first frame (video t=0) + the loop's start + the truth's timeS;
// case time = cases.created_at. Only violations inside the first --seconds of each camera's video are counted;
// a case matches a scripted run of its camera when its occurred_at is within 2 s of it, and a run is missed when
// no case came for it 40 s after the last new one. Prints, per K: runs expected, matched, missed, cases that match
// no run (each listed), and delay p50 / p95 / max. Figures go to bench/README.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { frameRefFromFields } from '@phatnguoi/core/camera-node/frames';
import { frameStreamKey } from '@phatnguoi/core/camera-node/channels';
import { createRedis, deleteKeysWithPrefix } from '@phatnguoi/core/redis';
import { createQueues } from '@phatnguoi/core/queue';
import { createStorage } from '@phatnguoi/core/storage';
import { createTestDatabase, startTestS3, testConfig } from '@phatnguoi/core/testing/index';
import { createAgency } from '@phatnguoi/api/seed/demo';
import { readTruth, type TruthFile } from '@phatnguoi/sim/truth';
import { ROOT, startRole, type RoleProcess } from '../src/processes';
import { liveRoleEnv, writeRedLightScene } from '../src/live-path';

const { values } = parseArgs({
  options: {
    cameras: { type: 'string', default: '1,2,4' },
    seconds: { type: 'string', default: '60' },
    detector: { type: 'string', default: 'model' },
  },
});
const ks = values.cameras!.split(',').map(Number);
const windowS = Number(values.seconds);
const detector = values.detector!;
if (ks.some((k) => !Number.isInteger(k) || k < 1) || !(windowS > 0)) throw new Error('--cameras takes positive integers (1,2,4), --seconds a positive number');
if (detector !== 'model' && detector !== 'truth-replay') throw new Error(`--detector must be model or truth-replay, not ${detector}`);
if (detector === 'truth-replay' && ks.some((k) => k > 1)) throw new Error("--detector truth-replay replays one camera's truth: use --cameras 1");
/** Matching tolerance between a case's occurred_at and the scripted crossing time. */
const MATCH_S = 2;
/** After the window, a run with no case once no new case has come for this long counts as missed. */
const QUIET_S = 40;

interface Row {
  k: number;
  expected: number;
  matched: number;
  missed: number;
  unmatched: string[];
  p50: number;
  p95: number;
  max: number;
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs: number, roles: RoleProcess[]): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${roles.flatMap((r) => r.lines.slice(-15)).join('\n')}`);
    await sleep(100);
  }
}

async function runK(k: number, sceneFile: string, simOut: string, truth: TruthFile): Promise<Row> {
  const work = mkdtempSync(join(tmpdir(), `pn-bench-delay-${k}-`));
  const db = await createTestDatabase();
  const s3 = await startTestS3();
  const config = testConfig({ s3: s3.s3 });
  await createStorage(config).ensureBuckets();
  const queues = createQueues(config);
  const redis = createRedis(config.redisUrl);
  const ingestPrefix = `${config.queuePrefix}:`;
  const roles: RoleProcess[] = [];
  try {
    const agency = await createAgency(db.pool, { code: 'PC08-TG', name: 'Phòng CSGT Công an tỉnh Tiền Giang', provinceCode: '63' });
    const cameras: string[] = [];
    for (let i = 0; i < k; i++) {
      const sim = startRole(`sim-${i}`, 'sim/src/cli.ts', ['serve', sceneFile, '--out', simOut, '--port', '0'], {});
      roles.push(sim);
      const url = (await sim.waitForLine(/serving \S+ at (rtsp:\/\/\S+)/, 300_000))[1]!;
      const cam = await db.pool.query<{ id: string }>(
        `INSERT INTO cameras (agency_id, name, address, stream_url, sample_fps, geometry) VALUES ($1, $2, $3, $4, 5, $5) RETURNING id`,
        [agency, `Camera ${i + 1}`, 'TP Mỹ Tho, Tiền Giang', url, JSON.stringify(truth.geometry)],
      );
      cameras.push(cam.rows[0]!.id);
    }
    const env = liveRoleEnv({ db, s3, config, work, ingestPrefix, nodeId: 'bench-node' });
    roles.push(startRole('api-worker', 'api/src/worker.ts', [], env));
    roles.push(startRole('ingest', 'ingest/src/main.ts', [], env));
    roles.push(
      detector === 'model'
        ? startRole('detector', 'detector/src/main.ts', [], {
            ...env,
            DETECTOR_CONFIG: process.env.DETECTOR_CONFIG ?? join(ROOT, 'models/vehicle-detector/detector.json'),
          })
        : startRole('detector', 'e2e/src/detector-truth-replay.ts', [], { ...env, DETECTOR_TRUTH_FILE: join(simOut, 'bench-red-light.truth.json') }),
    );

    // Video t=0 of each camera: the capture time of its first frame (each RTSP session starts the video).
    const startMs = new Map<string, number>();
    for (const id of cameras) {
      const first = await waitFor(
        `the first frame of camera ${id}`,
        async () => (await redis.xrange(frameStreamKey(id, ingestPrefix), '-', '+', 'COUNT', 1))[0],
        120_000,
        roles,
      );
      startMs.set(id, Date.parse(frameRefFromFields(first[1])!.capturedAt));
    }
    const expected = truth.violations.filter((v) => v.type === 'red_light');
    const loops = Math.ceil(windowS / truth.video.durationS);
    const runs: { camera: string; atMs: number }[] = [];
    for (const id of cameras) {
      for (let loop = 0; loop < loops; loop++) {
        for (const v of expected) {
          const t = loop * truth.video.durationS + v.timeS;
          if (t <= windowS) runs.push({ camera: id, atMs: startMs.get(id)! + t * 1000 });
        }
      }
    }
    const match = async () => {
      const cases = await db.pool.query<{ camera_id: string; occurred_at: Date; created_at: Date; vehicle_type: string; track_id: string }>(
        `SELECT camera_id::text, occurred_at, created_at, vehicle_type, track_id FROM cases WHERE type = 'red_light' ORDER BY created_at`,
      );
      const taken = new Set<number>();
      const delays: number[] = [];
      const unmatched: string[] = [];
      for (const c of cases.rows) {
        const at = c.occurred_at.getTime();
        if (at > startMs.get(c.camera_id)! + (windowS + MATCH_S) * 1000) continue;
        const i = runs.findIndex((r, j) => !taken.has(j) && r.camera === c.camera_id && Math.abs(r.atMs - at) <= MATCH_S * 1000);
        if (i < 0) {
          const videoS = (at - startMs.get(c.camera_id)!) / 1000;
          unmatched.push(
            `camera ${cameras.indexOf(c.camera_id) + 1} ${c.vehicle_type} track ${c.track_id} at ${(videoS % truth.video.durationS).toFixed(1)} s of loop ${Math.floor(videoS / truth.video.durationS)}`,
          );
          continue;
        }
        taken.add(i);
        delays.push((c.created_at.getTime() - runs[i]!.atMs) / 1000);
      }
      return { delays, unmatched };
    };

    // Past the window, wait until every run has its case, or no new one came for QUIET_S (a real miss).
    const windowEnd = Math.max(...startMs.values()) + windowS * 1000;
    let result = await match();
    let lastNew = Date.now();
    for (;;) {
      const now = Date.now();
      process.stderr.write(
        `\r[bench:delay] K=${k}: ${Math.round((now - windowEnd) / 1000 + windowS)} s, ${result.delays.length}/${runs.length} runs have a case`,
      );
      if (now > windowEnd && (result.delays.length === runs.length || now - lastNew > QUIET_S * 1000)) break;
      await sleep(2_000);
      const next = await match();
      if (next.delays.length > result.delays.length) lastNew = Date.now();
      result = next;
    }
    process.stderr.write('\n');
    const { delays, unmatched } = result;
    delays.sort((a, b) => a - b);
    const matched = delays.length;
    return {
      k,
      expected: runs.length,
      matched,
      missed: runs.length - matched,
      unmatched,
      p50: quantile(delays, 0.5),
      p95: quantile(delays, 0.95),
      max: delays.at(-1) ?? NaN,
    };
  } finally {
    await Promise.all(roles.map((r) => r.stop()));
    await queues.obliterateAll().catch(() => undefined);
    await queues.close();
    await deleteKeysWithPrefix(redis, ingestPrefix).catch(() => undefined);
    redis.disconnect();
    await db.drop();
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const simOut = mkdtempSync(join(tmpdir(), 'pn-bench-delay-sim-'));
try {
  const sceneFile = writeRedLightScene(simOut, 'bench-red-light');
  // Render the scene once (the camera processes reuse the cached video).
  const render = startRole('sim-render', 'sim/src/cli.ts', ['render', sceneFile, '--out', simOut], {});
  const code = await new Promise<number | null>((resolve) => render.child.once('exit', resolve));
  if (code !== 0) throw new Error(`sim render failed (${code})\n${render.lines.slice(-20).join('\n')}`);
  const truth = await readTruth(join(simOut, 'bench-red-light.truth.json'));
  const rows: Row[] = [];
  for (const k of ks) {
    const row = await runK(k, sceneFile, simOut, truth);
    rows.push(row);
    console.log(`[bench:delay] K=${k}: ${row.matched}/${row.expected} runs became cases, delay p50 ${row.p50.toFixed(1)} s, p95 ${row.p95.toFixed(1)} s`);
    for (const u of row.unmatched) console.log(`[bench:delay]   case matching no scripted run: ${u}`);
  }
  console.log(
    `\n${detector} detector, ${windowS} s of video per camera, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log('| cameras | runs expected | cases matched | missed | unmatched cases | delay p50 | delay p95 | max |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.k} | ${r.expected} | ${r.matched} | ${r.missed} | ${r.unmatched.length} | ${r.p50.toFixed(1)} s | ${r.p95.toFixed(1)} s | ${r.max.toFixed(1)} s |`,
    );
} finally {
  rmSync(simOut, { recursive: true, force: true });
}
