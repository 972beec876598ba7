// Process kills on the live path: real processes started as in production (`node --import tsx <entry>`):
//
//   sim serve (RTSP camera looping a scene with two scripted red-light runs) → ingest → detector → api
//   (HTTP + its BullMQ workers in the same process, the production default) → cases in PostgreSQL
//
// One scenario per role: mid-run the detector, ingest or the api is killed with SIGKILL, started again a
// second later (as a supervisor would) and the run finished. The detector is the production wiring with truth
// replay whose video time is read from the picture (e2e/src/faults/video-clock.ts), because the simulator's
// camera loops the scene and starts it again for each new RTSP session (an ingest restart).
//
// Expected violations are counted from the frames ingest actually delivered: this test reads the camera's
// frame stream itself, places every frame in the video by its picture and counts each pass through a scripted
// violation. Kills and the end of the run are placed where no violation is under way (checked: no pass is cut
// inside a violation). Then: cases == expected, no duplicate idempotency key, and the detector's accounting
// (frames processed + dropped + corrupt) equals the frames ingest wrote, so frames lost to the kill would be
// counted as dropped, not vanish. Figures are printed, nothing is timed-asserted.
// Run with `npm run test:faults` (not part of `npm test`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, deleteKeysWithPrefix, type Redis } from '@phatnguoi/core/redis';
import { createQueues, type Queues } from '@phatnguoi/core/queue';
import { createTestDatabase, startTestS3, testConfig, type TestDatabase, type TestS3 } from '@phatnguoi/core/testing/index';
import type { Config } from '@phatnguoi/core/config';
import { readFrames } from '@phatnguoi/core/camera-node/frame-ring';
import { createAgency, createUser } from '@phatnguoi/api/seed/demo';
import { readTruth, type TruthFile } from '@phatnguoi/sim/truth';
import { freePort, startRole, type RoleProcess } from '../../src/processes';
import { liveRoleEnv, writeRedLightScene } from '../../src/live-path';
import { VideoClock } from '../../src/faults/video-clock';
import { processAlive } from '@phatnguoi/core/process';

const PASSWORD = 'faults correct horse battery';
const STEP_MS = 180_000;
/** Video positions (s) where no scripted violation is under way: the runners appear at 7.8 s and 10.9 s and
 *  cross at 9.3 s and 12.4 s; their events leave 6 s later (3.4 s into the next loop). */
const QUIET: [number, number] = [4.0, 6.5];
/** Where the detector is killed: a violation waiting for its clip (pending), the car's track live. */
const DETECTOR_KILL_AT: [number, number] = [10.0, 12.0];

const work = mkdtempSync(join(tmpdir(), 'pn-faults-procs-'));
/** Rendered once per machine: sim serve re-renders only when the scenario changes. */
const simOut = join(tmpdir(), 'pn-faults-sim');
let db: TestDatabase;
let s3: TestS3;
let config: Config;
let queues: Queues;
let redis: Redis;
let sim: RoleProcess;
let truth: TruthFile;
let clock: VideoClock;
let cameraUrl = '';
let agencyId = '';
let prefix = '';
let truthFile = '';
let videoFile = '';
const figures: Record<string, unknown>[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = STEP_MS,
  everyMs = 200,
  roles: RoleProcess[] = [],
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${roles.flatMap((r) => r.lines.slice(-20)).join('\n')}`);
    await sleep(everyMs);
  }
}

interface Seen {
  seq: number;
  capturedAtMs: number;
  /** Video time of the picture (VideoClock). */
  t: number;
}

/** Reads the camera's frame stream as ingest writes it and places every frame in the video. */
class FrameWatch {
  readonly frames: Seen[] = [];
  unreadable = 0;
  private readonly abort = new AbortController();
  private readonly conn: Redis;
  private readonly loop: Promise<void>;
  constructor(cameraId: string) {
    this.conn = createRedis(config.redisUrl, { blocking: true, name: 'faults-frame-watch' });
    this.loop = this.run(cameraId);
  }
  private async run(cameraId: string) {
    try {
      for await (const ev of readFrames(this.conn, cameraId, '0-0', { keyPrefix: prefix, blockMs: 500, signal: this.abort.signal, reportDrops: false })) {
        if (ev.kind !== 'frame') {
          this.unreadable += ev.kind === 'dropped' ? ev.count : 1;
          continue;
        }
        // raw I420 frame: its Y plane is the grey picture
        const { t } = clock.locateGrey(ev.frame.data.subarray(0, ev.frame.width * ev.frame.height), ev.frame.width, ev.frame.height);
        this.frames.push({ seq: ev.ref.seq, capturedAtMs: Date.parse(ev.ref.capturedAt), t });
      }
    } catch (err) {
      if (!this.abort.signal.aborted) this.error = err as Error;
    }
  }
  error: Error | null = null;
  /** For failure messages: how many frames, and the video times of the last few. */
  describe(): string {
    return `frame watch: ${this.frames.length} frames, unreadable ${this.unreadable}, last video times ${this.frames
      .slice(-15)
      .map((f) => f.t.toFixed(1))
      .join(' ')}${this.error ? `, failed: ${this.error.message}` : ''}`;
  }
  get position(): number | null {
    return this.frames.at(-1)?.t ?? null;
  }
  get lastSeq(): number {
    return this.frames.at(-1)?.seq ?? -1;
  }
  /** Complete passes through the violations' part of the video (7 s … 13.5 s) among frames from index `from`. */
  passesSince(from: number): number {
    let n = 0;
    let early = false;
    for (let i = from; i < this.frames.length; i++) {
      const t = this.frames[i]!.t;
      if (t < 7) early = true;
      else if (t >= 13.5 && early) {
        n++;
        early = false;
      }
    }
    return n;
  }
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.conn.disconnect();
  }
}

/**
 * Violations the detector must report for these frames: per run of frames (split where capture time jumps by
 * more than 1.5 s, an ingest restart, or the video jumps back, a loop), each scripted violation whose moment is
 * covered (frames within 1.5 s before and after it). A run that starts or ends inside a violation (from the
 * vehicle's first appearance to 1.5 s after it crosses) makes the count ambiguous; the test places its kills
 * so that this does not happen, and checks it.
 */
function expectedViolations(frames: Seen[]): { expected: number; byType: Record<string, number>; ambiguous: number; runs: number } {
  const runs: Seen[][] = [];
  for (const f of frames) {
    const run = runs.at(-1);
    const prev = run?.at(-1);
    if (!run || !prev || f.capturedAtMs - prev.capturedAtMs > 1500 || f.t < prev.t - 1) runs.push([f]);
    else run.push(f);
  }
  const appear = (trackId: string) => truth.frames.find((fr) => fr.objects.some((o) => o.trackId === trackId))?.t ?? 0;
  let expected = 0;
  let ambiguous = 0;
  const byType: Record<string, number> = {};
  for (const run of runs) {
    const first = run[0]!.t;
    const last = run.at(-1)!.t;
    for (const v of truth.violations) {
      const from = appear(v.trackId);
      const to = v.timeS + 1.5;
      const covered = run.some((f) => f.t >= v.timeS - 1.5 && f.t <= v.timeS - 0.2) && run.some((f) => f.t >= v.timeS + 0.2 && f.t <= to);
      const cut = (first > from && first < to) || (last > from && last < to);
      if (cut) ambiguous++;
      else if (covered) {
        expected++;
        byType[v.type] = (byType[v.type] ?? 0) + 1;
      }
    }
  }
  return { expected, byType, ambiguous, runs: runs.length };
}

function roleEnv(): Record<string, string> {
  return liveRoleEnv({ db, s3, config, work, ingestPrefix: prefix, nodeId: 'faults-node' });
}

class Stack {
  api!: RoleProcess;
  ingest!: RoleProcess;
  detector!: RoleProcess;
  apiUrl = '';
  private port = 0;
  token = '';
  async start(): Promise<void> {
    this.port = await freePort();
    this.apiUrl = `http://127.0.0.1:${this.port}`;
    this.startApi();
    this.startIngest();
    this.startDetector();
    await waitFor('api /health', async () => (await fetch(`${this.apiUrl}/health`).catch(() => null))?.ok, STEP_MS, 250, this.roles);
    const res = await fetch(`${this.apiUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'officer1', password: PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
    this.token = /pn_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))?.[1] ?? '';
  }
  get roles(): RoleProcess[] {
    return [this.api, this.ingest, this.detector].filter(Boolean);
  }
  /** The api as deployed by default: HTTP and its BullMQ workers (case creation) in one process. */
  startApi(): void {
    this.api = startRole('api', 'api/src/main.ts', [], {
      ...roleEnv(),
      API_PORT: String(this.port),
      API_HOST: '127.0.0.1',
      PUBLIC_BASE_URL: 'https://phatnguoi.test',
    });
  }
  startIngest(): void {
    this.ingest = startRole('ingest', 'ingest/src/main.ts', [], roleEnv());
  }
  startDetector(): void {
    this.detector = startRole('detector', 'e2e/src/faults/detector-looping-replay.ts', [], {
      ...roleEnv(),
      DETECTOR_TRUTH_FILE: truthFile,
      DETECTOR_VIDEO_FILE: videoFile,
    });
  }
  async stop(): Promise<void> {
    await Promise.all(this.roles.map((r) => r.stop()));
  }
}

async function kill9(role: RoleProcess): Promise<number> {
  const pid = role.child.pid!;
  const exited = new Promise((r) => role.child.once('exit', r));
  process.kill(pid, 'SIGKILL');
  await exited;
  return pid;
}

/** ffmpeg processes whose command line names this stream URL, with their parent process. */
function ffmpegOn(url: string): { pid: number; ppid: number; args: string }[] {
  const out = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => !!m && /(^|\/)ffmpeg /.test(m[3]!) && m[3]!.includes(url))
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]!.slice(0, 600) }));
}

async function newCamera(name: string): Promise<string> {
  await db.pool.query('UPDATE cameras SET enabled = false');
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO cameras (agency_id, name, address, stream_url, sample_fps, geometry) VALUES ($1, $2, 'TP Mỹ Tho, Tiền Giang', $3, 5, $4) RETURNING id`,
    [agencyId, name, cameraUrl, JSON.stringify(truth.geometry)],
  );
  return rows[0]!.id;
}

interface Progress {
  seq: number;
  processed: number;
  dropped: number;
  corrupt: number;
  holder: string;
  pending: number;
  tracks: number;
}

async function progress(cameraId: string): Promise<Progress | null> {
  const { rows } = await db.pool.query<{
    seq: string;
    frames_processed: string;
    frames_dropped: string;
    frames_corrupt: string;
    holder: string;
    state: { pending?: unknown[]; tracks?: unknown[] } | null;
  }>('SELECT seq, frames_processed, frames_dropped, frames_corrupt, holder, state FROM detector_progress WHERE camera_id = $1', [cameraId]);
  const r = rows[0];
  if (!r) return null;
  return {
    seq: Number(r.seq),
    processed: Number(r.frames_processed),
    dropped: Number(r.frames_dropped),
    corrupt: Number(r.frames_corrupt),
    holder: r.holder,
    pending: r.state?.pending?.length ?? 0,
    tracks: r.state?.tracks?.length ?? 0,
  };
}

async function caseCounts(cameraId: string): Promise<{ cases: number; distinct: number; byType: Record<string, number> }> {
  const { rows } = await db.pool.query<{ type: string; n: string; d: string }>(
    'SELECT type, count(*) AS n, count(DISTINCT idempotency_key) AS d FROM cases WHERE camera_id = $1 GROUP BY type',
    [cameraId],
  );
  const byType = Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
  return { cases: rows.reduce((s, r) => s + Number(r.n), 0), distinct: rows.reduce((s, r) => s + Number(r.d), 0), byType };
}

async function violationsQueueIdle(): Promise<boolean> {
  const c = await queues.queue('violations').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(c).every((n) => n === 0);
}

const position = (w: FrameWatch, [a, b]: [number, number]) => {
  const p = w.position;
  return p !== null && p >= a && p < b;
};

/**
 * One run: a new camera, the three roles, one full pass of the scene, then `fault` (which kills and restarts
 * one role), then at least one more full pass; the run ends in a quiet part of the video (ingest stopped),
 * the detector catches up and stops, the case queue drains; then counts and accounting are checked.
 */
async function scenario(name: string, fault: (s: Stack, w: FrameWatch, cameraId: string) => Promise<Record<string, unknown>>): Promise<void> {
  const t0 = Date.now();
  const cameraId = await newCamera(`Faults ${name}`);
  const stack = new Stack();
  const watch = new FrameWatch(cameraId);
  try {
    await stack.start();
    await waitFor('one full pass of the scene', () => watch.passesSince(0) >= 1, STEP_MS, 200, stack.roles).catch((err: Error) => {
      throw new Error(`${err.message}\n${watch.describe()}`);
    });
    const faultInfo = await fault(stack, watch, cameraId);
    const restartIdx = watch.frames.length;
    // Finish: one more complete pass after the fault, then stop ingest where nothing is under way.
    await waitFor(
      'a full pass after the fault, then a quiet moment',
      () => watch.passesSince(restartIdx) >= 1 && position(watch, QUIET),
      STEP_MS,
      100,
      stack.roles,
    );
    await stack.ingest.stop();
    await sleep(1_000);
    const lastSeq = watch.lastSeq;
    // The detector reads up to the last frame (its progress is saved about once a second), then stops (saving it).
    await waitFor('the detector at the last frame', async () => ((await progress(cameraId))?.seq ?? -1) >= lastSeq - 10, STEP_MS, 250, stack.roles);
    await sleep(3_000);
    await stack.detector.stop();
    await watch.stop();
    const exp = expectedViolations(watch.frames);
    let counts = await caseCounts(cameraId);
    await waitFor(
      'every expected case and an idle violations queue',
      async () => {
        counts = await caseCounts(cameraId);
        return counts.cases >= exp.expected && (await violationsQueueIdle());
      },
      150_000,
      500,
      stack.roles,
    ).catch(() => undefined);
    await sleep(1_000);
    counts = await caseCounts(cameraId);
    const p = (await progress(cameraId))!;
    const framesWritten = lastSeq + 1;
    const queued = await fetch(`${stack.apiUrl}/api/cases?cameraId=${cameraId}`, { headers: { authorization: `Bearer ${stack.token}` } });
    const row = {
      scenario: name,
      expected: exp.expected,
      cases: counts.cases,
      duplicates: counts.cases - counts.distinct,
      missing: Math.max(0, exp.expected - counts.distinct),
      extra: Math.max(0, counts.distinct - exp.expected),
      expectedByType: exp.byType,
      casesByType: counts.byType,
      ambiguousPasses: exp.ambiguous,
      frameRuns: exp.runs,
      framesWritten,
      detector: { processed: p.processed, dropped: p.dropped, corrupt: p.corrupt, lastSeq: p.seq },
      watcherUnreadable: watch.unreadable,
      ...faultInfo,
      seconds: Math.round((Date.now() - t0) / 100) / 10,
    };
    figures.push(row);
    console.log(`[faults] ${JSON.stringify(row)}`);
    if (counts.cases !== exp.expected) console.log(stack.roles.flatMap((r) => r.lines.slice(-40)).join('\n'));
    expect(exp.ambiguous, 'a kill or the end of the run cut a violation in the video').toBe(0);
    expect(exp.expected).toBeGreaterThanOrEqual(4);
    expect(counts.cases - counts.distinct, 'duplicate cases').toBe(0);
    expect(counts.cases, 'cases created == violations expected from the frames delivered').toBe(exp.expected);
    expect(p.seq, 'the detector read every frame ingest wrote').toBe(lastSeq);
    expect(p.processed + p.dropped + p.corrupt, 'every frame accounted for: processed, dropped or corrupt').toBe(framesWritten);
    expect(queued.status, 'the officer queue answers with the session opened before the fault').toBe(200);
    expect(((await queued.json()) as { items: unknown[] }).items.length).toBe(exp.expected);
    expect((await queues.queue('violations').getJobCounts('failed')).failed).toBe(0);
    if ('orphanFfmpeg' in faultInfo)
      expect(faultInfo.orphanFfmpeg, 'ffmpeg processes of the killed ingest still reading the camera 30 s after the kill').toEqual([]);
  } finally {
    await watch.stop().catch(() => undefined);
    await stack.stop();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  s3 = await startTestS3();
  config = testConfig({ s3: s3.s3 });
  queues = createQueues(config);
  redis = createRedis(config.redisUrl);
  prefix = `${config.queuePrefix}:`;
  mkdirSync(simOut, { recursive: true });
  const sceneFile = writeRedLightScene(work, 'faults-red-light');
  sim = startRole('sim', 'sim/src/cli.ts', ['serve', sceneFile, '--out', simOut, '--port', '0'], {});
  cameraUrl = (await sim.waitForLine(/serving \S+ at (rtsp:\/\/\S+)/, STEP_MS))[1]!;
  truthFile = join(simOut, 'faults-red-light.truth.json');
  videoFile = join(simOut, 'faults-red-light.mp4');
  truth = await readTruth(truthFile);
  clock = await VideoClock.fromVideo(videoFile, truth.video);
  agencyId = await createAgency(db.pool, { code: 'PC08-TG', name: 'Phòng CSGT Công an tỉnh Tiền Giang', provinceCode: '63' });
  await createUser(db.pool, { username: 'officer1', password: PASSWORD, role: 'officer', agencyId });
}, 300_000);

afterAll(async () => {
  console.log('[faults] process kills');
  console.table(
    figures.map((f) => ({
      scenario: f.scenario,
      expected: f.expected,
      cases: f.cases,
      duplicates: f.duplicates,
      missing: f.missing,
      extra: f.extra,
      framesWritten: f.framesWritten,
      seconds: f.seconds,
    })),
  );
  await sim?.stop();
  await queues?.obliterateAll().catch(() => undefined);
  await queues?.close();
  if (redis) {
    await deleteKeysWithPrefix(redis, prefix).catch(() => undefined);
    redis.disconnect();
  }
  await db?.drop();
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('process kills: nothing lost, nothing duplicated, each role back on its own', () => {
  it('detector killed with SIGKILL while a violation waits for its clip, restarted', async () => {
    await scenario('detector-kill', async (stack, watch, cameraId) => {
      await waitFor(
        'the detector holding the camera with a violation pending',
        async () => position(watch, DETECTOR_KILL_AT) && ((await progress(cameraId))?.pending ?? 0) > 0,
        STEP_MS,
        100,
        stack.roles,
      );
      const before = (await progress(cameraId))!;
      const positionAtKill = watch.position;
      const pid = await kill9(stack.detector);
      expect(processAlive(pid)).toBe(false);
      await sleep(1_000);
      const restartedAt = Date.now();
      stack.startDetector();
      // back on its own: the new process takes the lease once the old one expires and resumes from the saved progress
      await waitFor(
        'the restarted detector reading the camera',
        async () => {
          const p = await progress(cameraId);
          return p && p.holder.endsWith(`:${stack.detector.child.pid}`) && p.seq > before.seq;
        },
        STEP_MS,
        250,
        stack.roles,
      );
      return {
        killedPid: pid,
        positionAtKill,
        pendingAtLastSave: before.pending,
        tracksAtLastSave: before.tracks,
        resumedAfterSeconds: Math.round((Date.now() - restartedAt) / 100) / 10,
      };
    });
  });

  it('ingest killed with SIGKILL between violations, restarted', async () => {
    await scenario('ingest-kill', async (stack, watch) => {
      await waitFor('a quiet moment of the video', () => position(watch, QUIET), STEP_MS, 50, stack.roles);
      const positionAtKill = watch.position;
      const seqAtKill = watch.lastSeq;
      const pid = await kill9(stack.ingest);
      expect(processAlive(pid)).toBe(false);
      await sleep(1_000);
      const restartedAt = Date.now();
      stack.startIngest();
      await waitFor('frames from the restarted ingest', () => watch.lastSeq > seqAtKill, STEP_MS, 100, stack.roles);
      const framesAgainAfterSeconds = Math.round((Date.now() - restartedAt) / 100) / 10;
      // the killed process's ffmpeg does not outlive it (it dies on its broken output pipe): every ffmpeg on the
      // camera is a child of the new ingest process
      const orphans = () => ffmpegOn(cameraUrl).filter((f) => f.ppid !== stack.ingest.child.pid);
      await waitFor('no ffmpeg of the killed ingest left', () => orphans().length === 0, 30_000, 500).catch(() => undefined);
      // checked after the counts (scenario()), so the figures are printed either way
      return { killedPid: pid, positionAtKill, seqAtKill, framesAgainAfterSeconds, ffmpegOnCamera: ffmpegOn(cameraUrl).length, orphanFfmpeg: orphans() };
    });
  });

  it('api (HTTP and case workers) killed with SIGKILL while case jobs run, restarted', async () => {
    await scenario('api-kill', async (stack) => {
      // Make the kill land mid-job: a transaction of ours blocks case inserts until the api is dead.
      const blocker = await db.pool.connect();
      let active = 0;
      let pid = 0;
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE cases IN SHARE ROW EXCLUSIVE MODE');
        await waitFor(
          'a case job in progress',
          async () => (active = (await queues.queue('violations').getJobCounts('active')).active ?? 0) > 0,
          60_000,
          50,
          stack.roles,
        );
        await sleep(300);
        pid = await kill9(stack.api);
      } finally {
        await blocker.query('ROLLBACK').catch(() => undefined);
        blocker.release();
      }
      expect(processAlive(pid)).toBe(false);
      await sleep(1_000);
      const restartedAt = Date.now();
      stack.startApi();
      await waitFor('api /health after the restart', async () => (await fetch(`${stack.apiUrl}/health`).catch(() => null))?.ok, STEP_MS, 250, stack.roles);
      return { killedPid: pid, activeJobsAtKill: active, healthyAfterSeconds: Math.round((Date.now() - restartedAt) / 100) / 10 };
    });
  });
});
