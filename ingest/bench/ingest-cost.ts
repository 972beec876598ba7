// `npm run bench:ingest [-- --ks 1,2,4 --seconds 10 --repeats 3] [--ingest-only]`
// CPU cost of ingest per camera-minute against bare ffmpeg decoding the same RTSP stream with the
// same sampling, for K simulated 1080p 25 fps H.264 cameras sampled at 5 fps; and the largest K
// sustained with no dropped frames. Prints figures; asserts nothing.
//
// Ingest = this process's CPU (supervisors, ffmpeg's frame and progress lines, slot trailers, XADD)
//          + its ffmpeg children (decode, sample, raw I420 written into the ring in place, segment ring by stream copy).
// Bare   = `ffmpeg -rtsp_transport tcp -i URL -vf fps=5 -f null -` per camera (decode + sampling),
//          ffmpeg's default decoder threading: the issue's baseline.
// Also shown: bare run as ingest runs ffmpeg (its decoder threads, INGEST_DECODE_THREADS, default 1, and
// its allocator settings, `frameRingEnvironment`), so the share of the difference that comes from how
// ffmpeg is run and the share that comes from what ingest adds are visible.
// All three run at the same time in each window (3K decoders), so a machine shared with other work
// weighs on ingest and its baselines alike; ratios are taken per window, then their median printed.
import { readFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import { createLogger } from '@phatnguoi/core/logger';
import { createRedis, deleteKeysWithPrefix } from '@phatnguoi/core/redis';
import { h264OutputOptions } from '@phatnguoi/core/ffmpeg/encode';
import { frameRingEnvironment, globalPreset, rtspInputPreset, sampledDiscardPreset } from '@phatnguoi/core/ffmpeg/presets';
import { runFfmpeg, startFfmpeg, type FfmpegHandle } from '@phatnguoi/core/ffmpeg/process';
import { CameraSupervisor } from '../src/camera-supervisor';
import { startTestCamera } from '../src/test-camera/index';
import type { IngestSettings } from '../src/settings';

const { values } = parseArgs({
  options: {
    ks: { type: 'string', default: '1,2,4' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '4' },
    repeats: { type: 'string', default: '3' },
    fps: { type: 'string', default: '5' },
    video: { type: 'string' },
    'decode-threads': { type: 'string', default: '1' },
    /** Ingest without the baselines beside it: for the largest K this machine sustains. */
    'ingest-only': { type: 'boolean', default: false },
  },
});
const KS = values.ks
  .split(',')
  .map(Number)
  .filter((k) => k > 0);
const WINDOW_S = Number(values.seconds);
const WARMUP_S = Number(values.warmup);
const REPEATS = Number(values.repeats);
const SAMPLE_FPS = Number(values.fps);
const DECODE_THREADS = Number(values['decode-threads']);
const INGEST_ONLY = values['ingest-only'];
const CLK_TCK = 100; // Linux USER_HZ
const log = createLogger('bench', { level: 'silent' });

function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  } catch {
    return 0;
  }
}

/**
 * A full garbage collection before a window (the script runs with --expose-gc): what this process
 * allocated setting up (modules, clients, the previous run) is not billed to the window; garbage made
 * by the supervisors during the window is. Without it the first windows carried 6-10 ms/s of the
 * start-up's deferred collection and compilation, which a long-running ingest never pays.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function ensureVideo(): Promise<string> {
  if (values.video) return resolve(values.video);
  const dir = resolve('.data/bench');
  const file = join(dir, 'testsrc2-1080p25-h264.mp4');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    console.log('generating 1080p25 H.264 test video (once) ...');
    await runFfmpeg({
      globalOptions: globalPreset('error'),
      inputs: [{ source: 'testsrc2=size=1920x1080:rate=25', options: ['-f', 'lavfi', '-t', '12'] }],
      outputs: [{ target: file, options: h264OutputOptions({ fps: 25, preset: 'ultrafast', crf: 26, gop: 50 }) }],
    });
  }
  return file;
}

interface IngestResult {
  /** cpu-s per camera-minute: the supervisors (this process) plus their ffmpeg children. */
  perCameraMinute: number;
  /** Of that, the ffmpeg children's share. */
  ffmpegShare: number;
  sustained: boolean;
  dropped: number;
  minFps: number;
}

interface WindowResult {
  ingest: IngestResult;
  /** cpu-s per camera-minute of bare decoding, ffmpeg's default threads and ingest's decoder threads. */
  bare: number;
  bareSame: number;
}

/** Bare decoders of `urls` (the baseline): started now, measured by the caller. */
function startBare(urls: string[], decodeThreads: number, env?: Record<string, string>): FfmpegHandle[] {
  return urls.map((url) =>
    startFfmpeg({
      env,
      globalOptions: globalPreset('error'),
      inputs: [{ source: url, options: rtspInputPreset({ decodeThreads }) }],
      outputs: [{ target: '/dev/null', options: sampledDiscardPreset({ fps: SAMPLE_FPS }) }],
    }),
  );
}

const cpuOf = (pids: number[]) => pids.reduce((a, pid) => a + procCpuSeconds(pid), 0);

/**
 * One window: K ingest cameras, K bare decoders with ffmpeg's default threads and K with ingest's
 * decoder threads, all running at once on the same stream, so that whatever else loads the machine
 * weighs on ingest and on its baseline alike.
 */
async function runWindow(urls: string[], redisUrl: string): Promise<WindowResult> {
  const redis = createRedis(redisUrl);
  const prefix = `pn-bench-${randomUUID().slice(0, 8)}:`;
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const ringDir = join(base, `pn-bench-ring-${process.pid}`);
  const segDir = join(tmpdir(), `pn-bench-seg-${process.pid}`);
  const settings: IngestSettings = {
    cameraSecretKey: randomBytes(32),
    leaseTtlMs: 15_000,
    maxCameras: 0,
    frameRingSlots: 32,
    decodeThreads: DECODE_THREADS,
    segmentDir: segDir,
    segmentSeconds: 2,
    clipRetentionSeconds: 60,
    watchdogMs: 10_000,
    startTimeoutMs: 15_000,
    socketTimeoutMs: 5000,
    backoffInitialMs: 1000,
    backoffMaxMs: 5000,
    offlineAfterFailures: 3,
    offlineAfterMs: 30_000,
    giveUpAfterMs: 60_000,
    statusIntervalMs: 2000,
    ffmpegStopGraceMs: 2000,
    redisKeyPrefix: prefix,
  };
  const sups = urls.map(
    (url) =>
      new CameraSupervisor(
        { id: randomUUID(), streamUrl: url, sampleFps: SAMPLE_FPS },
        { redis, log, settings, frameRingDir: ringDir, keyPrefix: prefix, holder: 'bench', node: hostname(), onStatus: () => undefined },
      ),
  );
  const bare = INGEST_ONLY ? [] : startBare(urls, 0);
  const bareSame = INGEST_ONLY ? [] : startBare(urls, DECODE_THREADS, frameRingEnvironment());
  sups.forEach((s) => s.start());
  await sleep(WARMUP_S * 1000);
  collectGarbage();
  const ingestPids = sups.flatMap((s) => [...s.livePids]);
  const barePids = bare.map((h) => h.pid()!);
  const bareSamePids = bareSame.map((h) => h.pid()!);
  const node0 = process.cpuUsage();
  const [ing0, bare0, same0] = [cpuOf(ingestPids), cpuOf(barePids), cpuOf(bareSamePids)];
  const frames0 = sups.map((s) => s.framesTotal);
  const dropped0 = sups.map((s) => s.framesDropped);
  const t0 = Date.now();
  await sleep(WINDOW_S * 1000);
  const elapsed = (Date.now() - t0) / 1000;
  const [ing1, bare1, same1] = [cpuOf(ingestPids), cpuOf(barePids), cpuOf(bareSamePids)];
  const node = process.cpuUsage(node0);
  const frames = sups.map((s, i) => s.framesTotal - frames0[i]!);
  const dropped = sups.reduce((a, s, i) => a + s.framesDropped - dropped0[i]!, 0);
  const restarts = sups.reduce((a, s) => a + s.restarts, 0);
  await Promise.all([...sups.map((s) => s.stop('stopped', false)), ...[...bare, ...bareSame].map((h) => h.stop(2000))]);
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
  rmSync(ringDir, { recursive: true, force: true });
  rmSync(segDir, { recursive: true, force: true });
  const cameraMinutes = urls.length * (elapsed / 60);
  const ffmpegSeconds = ing1 - ing0;
  const ingestSeconds = (node.user + node.system) / 1e6 + ffmpegSeconds;
  const minFps = Math.min(...frames.map((f) => f / elapsed));
  return {
    ingest: {
      perCameraMinute: ingestSeconds / cameraMinutes,
      ffmpegShare: ffmpegSeconds / ingestSeconds,
      sustained: dropped === 0 && restarts === 0 && minFps >= SAMPLE_FPS * 0.9,
      dropped,
      minFps,
    },
    bare: (bare1 - bare0) / cameraMinutes,
    bareSame: (same1 - same0) / cameraMinutes,
  };
}

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const video = await ensureVideo();
  const camera = await startTestCamera({ file: video, path: '/bench' });
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`ingest cost benchmark — ${new Date().toISOString()} — ${hostname()}, ${cpus().length} cores (${cpuModel})`);
  console.log(
    `source: 1080p 25 fps H.264 (${video}) over RTSP/TCP from the GStreamer test camera; sampling ${SAMPLE_FPS} fps; raw I420 frames; ingest decoder threads ${DECODE_THREADS || 'auto'}; window ${WINDOW_S} s after ${WARMUP_S} s warm-up, ${INGEST_ONLY ? 'ingest alone (no baselines)' : 'ingest and both baselines side by side'}; ${REPEATS} repeat(s), medians`,
  );
  console.log('');
  console.log(`  K | ingest cpu-s/cam-min (ffmpeg + node) | bare decode cpu-s/cam-min | ratio | bare as ingest runs it | ratio | sustained (drops, min fps)`);
  let largest = 0;
  try {
    for (const k of KS) {
      const urls = Array.from({ length: k }, () => camera.url);
      const windows: WindowResult[] = [];
      for (let r = 0; r < REPEATS; r++) windows.push(await runWindow(urls, redisUrl));
      const mi = median(windows.map((w) => w.ingest.perCameraMinute));
      const ffShare = median(windows.map((w) => w.ingest.ffmpegShare));
      const mb = median(windows.map((w) => w.bare));
      const mj = median(windows.map((w) => w.bareSame));
      // Ratios per window (ingest and its baseline measured side by side), then their median.
      const ratio = median(windows.map((w) => w.ingest.perCameraMinute / w.bare));
      const ratioSame = median(windows.map((w) => w.ingest.perCameraMinute / w.bareSame));
      const sustained = windows.every((w) => w.ingest.sustained);
      const drops = windows.reduce((a, w) => a + w.ingest.dropped, 0);
      const minFps = Math.min(...windows.map((w) => w.ingest.minFps));
      const fig = (x: number) => (INGEST_ONLY ? '-' : x.toFixed(2));
      console.log(
        `${String(k).padStart(3)} | ${`${mi.toFixed(2)} (${(mi * ffShare).toFixed(2)} + ${(mi * (1 - ffShare)).toFixed(2)})`.padStart(36)} | ${fig(mb).padStart(25)} | ${fig(ratio).padStart(5)} | ${fig(mj).padStart(22)} | ${fig(ratioSame).padStart(5)} | ${sustained ? 'yes' : 'NO'} (${drops}, ${minFps.toFixed(2)})`,
      );
      if (!sustained) break;
      largest = k;
    }
  } finally {
    await camera.stop();
  }
  console.log('');
  console.log(
    `largest K sustained with no dropped frames: ${largest}${largest === KS.at(-1) ? ' (the largest tried; pass a larger --ks to search further)' : ''}`,
  );
  process.exit(0);
}

await main();
