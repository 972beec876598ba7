// npm run bench:detector -- [--frames 60] [--detector <spec>]... [--video <mp4>] [--roi x1,y1,x2,y2] [--fps 5]
// Per-frame cost of the detector path, stage by stage, on frames as the ring delivers them (raw I420): I420 → RGB →
// detect() (every model pass of a tiled config: preprocess, model, decode; then merging) → tracker update. Prints the
// backend, ms per stage (mean, p50, p95), frames/s per core and the share of a core one camera takes at --fps, for
// every detector spec in the same run (names as eval:real takes them: detector/src/models/presets/specs.ts), and
// each one's ratio to the first.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Box, Detection, RgbImage } from '@phatnguoi/core/contracts/detection';
import { frameBytes, FRAME_FORMAT, type RawFrame } from '@phatnguoi/core/camera-node/frames';
import { i420ToRgb, rgbToI420 } from '@phatnguoi/core/camera-node/pixels';
import { initTf, tfBackendName } from '../src/tf/runtime';
import { loadDetectorSpec } from '../src/models/presets/specs';
import type { TfVehicleDetector } from '../src/models/tf-detector';
import { Tracker } from '../src/tracking/tracker';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = path.resolve(ROOT, '../shared/data');

const { values: args } = parseArgs({
  options: {
    frames: { type: 'string', default: '60' },
    detector: { type: 'string', multiple: true },
    fps: { type: 'string', default: '5' },
    video: { type: 'string', default: path.join(SHARED, 'videos/id_makassar_night_multilane_11s.mp4') },
    roi: { type: 'string' },
    backend: { type: 'string' },
  },
});

function stats(xs: number[]): { mean: number; p50: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: at(0.5), p95: at(0.95) };
}

/**
 * Raw I420 frames, as ingest writes them at `fps` (so that a gated detector sees the change between frames a
 * camera pipeline sees): from the video (ffmpeg) when it exists, else synthetic 1280x720 noise.
 */
async function loadFrames(n: number, fps: number): Promise<{ frames: RawFrame[]; source: string }> {
  if (args.video && existsSync(args.video)) {
    const [width, height] = execFileSync(
      'ffprobe',
      ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', args.video],
      { encoding: 'utf8' },
    )
      .trim()
      .split(',')
      .map(Number) as [number, number];
    const out = execFileSync(
      'ffmpeg',
      ['-loglevel', 'error', '-i', args.video, '-vf', `fps=${fps}`, '-frames:v', String(n), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'],
      {
        maxBuffer: 2 ** 31,
      },
    );
    const size = frameBytes(width, height);
    const frames: RawFrame[] = [];
    for (let o = 0; o + size <= out.length; o += size) frames.push({ format: FRAME_FORMAT, width, height, data: out.subarray(o, o + size) });
    if (frames.length > 0) return { frames, source: `${path.basename(args.video)} (${frames.length} frames at ${fps} fps, ${width}x${height} I420)` };
  }
  const frames: RawFrame[] = [];
  for (let i = 0; i < Math.min(n, 10); i++) {
    const noise = Buffer.alloc(1280 * 720 * 3);
    for (let j = 0; j < noise.length; j++) noise[j] = (j * 2654435761 + i * 97) >>> 24;
    frames.push({ format: FRAME_FORMAT, width: 1280, height: 720, data: rgbToI420(noise, 1280, 720) });
  }
  return { frames, source: 'synthetic 1280x720 noise (no --video)' };
}

interface BenchResult {
  spec: string;
  msPerFrame: number;
  cpuMsPerFrame: number;
}

async function benchModel(
  spec: string,
  det: TfVehicleDetector,
  frames: RawFrame[],
  n: number,
  fps: number,
  roi: Box | undefined,
  baseline?: BenchResult,
): Promise<BenchResult> {
  const cfg = det.config;
  const names = ['I420 → RGB', 'preprocess', 'model', 'decode + merge', 'tracker'] as const;
  const times = new Map<string, number[]>(names.map((x) => [x, []]));
  const totals: number[] = [];
  let detections = 0;
  let passes = 0;
  const tracker = new Tracker();
  // One camera's stream, as the pipeline runs it (a gated config carries the boxes of passes that saw no change).
  const stream = det.forStream();
  const step = async (frame: RawFrame, seq: number, record: boolean) => {
    const t0 = performance.now();
    const rgb: RgbImage = { data: i420ToRgb(frame), width: frame.width, height: frame.height };
    const t1 = performance.now();
    const found: Detection[] = await stream.detect(rgb, roi);
    const t2 = performance.now();
    tracker.update(seq, seq / fps, found);
    const t3 = performance.now();
    if (!record) return;
    const lt = det.lastTimings;
    times.get('I420 → RGB')!.push(t1 - t0);
    times.get('preprocess')!.push(lt.preprocessMs);
    times.get('model')!.push(lt.modelMs);
    times.get('decode + merge')!.push(t2 - t1 - lt.preprocessMs - lt.modelMs);
    times.get('tracker')!.push(t3 - t2);
    totals.push(t3 - t0);
    detections += found.length;
    passes += lt.passes;
  };
  // Warm-up (kernel set-up, first allocations) is not counted.
  for (let i = 0; i < 2; i++) await step(frames[i % frames.length]!, i, false);
  // CPU time of the process (every thread: wasm, sharp's pool, GC): on a shared machine wall time also counts the
  // time other processes held the cores, CPU time does not.
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    await step(frames[i % frames.length]!, i + 2, true);
    if ((i + 1) % 10 === 0 || i + 1 === n)
      process.stderr.write(`  ${spec}: ${i + 1}/${n} frames, ${(totals.reduce((a, b) => a + b, 0) / totals.length).toFixed(0)} ms/frame so far\n`);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / n;
  const tiling = cfg.tiling
    ? `, tiles at scale ${cfg.tiling.tileScale} over ${Math.round(cfg.tiling.tiledFraction * 100)} % of the region${cfg.tiling.whole ? ' + whole region' : ''}`
    : '';
  const gating = cfg.gating ? `, passes gated on change (${JSON.stringify(cfg.gating)})` : '';
  console.log(
    `\n${spec}: ${cfg.name}  input ${cfg.input.width}x${cfg.input.height} ${cfg.input.layout} ${cfg.input.channelOrder} ${cfg.input.resize}, head ${cfg.head.type}${tiling}${gating}; ${(passes / n).toFixed(2)} model passes per frame`,
  );
  console.log(`  ${'stage'.padEnd(16)} ${'mean ms'.padStart(8)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}`);
  for (const [name, xs] of times) {
    const st = stats(xs);
    console.log(`  ${name.padEnd(16)} ${st.mean.toFixed(2).padStart(8)} ${st.p50.toFixed(2).padStart(8)} ${st.p95.toFixed(2).padStart(8)}`);
  }
  const t = stats(totals);
  console.log(`  ${'per frame'.padEnd(16)} ${t.mean.toFixed(2).padStart(8)} ${t.p50.toFixed(2).padStart(8)} ${t.p95.toFixed(2).padStart(8)}`);
  const ratio = baseline ? `; ${(cpuMs / baseline.cpuMsPerFrame).toFixed(1)}x the CPU of ${baseline.spec}` : '';
  console.log(`  CPU per frame (all threads of the process): ${cpuMs.toFixed(1)} ms; wall per frame (median): ${t.p50.toFixed(1)} ms`);
  console.log(
    `  frames/s per core: ${(1000 / cpuMs).toFixed(2)} (CPU), ${(1000 / t.p50).toFixed(2)} (wall); one camera at ${fps} fps takes ${((fps * cpuMs) / 1000).toFixed(2)} core${ratio}; ${(detections / n).toFixed(1)} detections per frame`,
  );
  return { spec, msPerFrame: t.p50, cpuMsPerFrame: cpuMs };
}

async function main(): Promise<void> {
  const n = Number(args.frames);
  if (!Number.isInteger(n) || n <= 0) throw new Error('--frames must be a positive integer');
  const fps = Number(args.fps);
  if (!(fps > 0)) throw new Error('--fps must be a positive number');
  const roi = args.roi ? (args.roi.split(',').map(Number) as Box) : undefined;
  await initTf(args.backend ? { prefer: args.backend as 'wasm' | 'cpu' | 'tensorflow' } : {});
  const { frames, source } = await loadFrames(Math.min(n, 60), fps);
  const specs = args.detector?.length ? args.detector : ['vehicle-net', 'nanodet-coco', 'nanodet-real', 'shipped'];
  console.log(`bench:detector  backend ${tfBackendName()}  frames: ${source}${roi ? `  roi ${roi.join(',')}` : ''}  ${n} timed frames per detector`);
  console.log('(wasm runs one thread per process: frames/s per core = 1000 / ms per frame; sharp resizes on its own thread pool)');
  let baseline: BenchResult | undefined;
  for (const spec of specs) {
    const det = await loadDetectorSpec(spec);
    const r = await benchModel(spec, det, frames, n, fps, roi, baseline);
    baseline ??= r;
    det.dispose();
  }
}

main().catch((err) => {
  console.error(`bench:detector failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
