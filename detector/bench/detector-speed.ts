// npm run bench:detector -- [--frames 60] [--model <detector.json>] [--nanodet <dir>] [--video <mp4>] [--roi x1,y1,x2,y2]
// Per-frame cost of the detector path, stage by stage, on frames as the ring delivers them (raw I420): I420 → RGB →
// preprocess (crop/resize/normalise) → model → decode/NMS; plus the model alone. Prints the backend, ms per stage (mean, p50, p95) and frames/s per core.
// Stages are a list: later pipeline parts (tracking, rules) add an entry to `stages` in `benchModel`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { Box, Detection, RgbImage } from '@phatnguoi/core/contracts/detection';
import { frameBytes, FRAME_FORMAT, i420ToRgb, rgbToI420, type RawFrame } from '@phatnguoi/core/contracts/frames';
import { initTf, tfBackendName } from '../src/tf/runtime';
import { DEFAULT_DETECTOR_CONFIG, loadDetector } from '../src/models/load-detector';
import { nanodetCocoConfig } from '../src/models/presets/nanodet-coco';
import { inputTensor, resizeFrame, type ResizedInput } from '../src/models/preprocess';
import type { TfVehicleDetector } from '../src/models/tf-detector';
import type { RawOutput } from '../src/models/decode';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = path.resolve(ROOT, '../shared/data');

const { values: args } = parseArgs({
  options: {
    frames: { type: 'string', default: '60' },
    model: { type: 'string', default: DEFAULT_DETECTOR_CONFIG },
    nanodet: { type: 'string', default: path.join(SHARED, 'models/nanodet-coco-tfjs') },
    video: { type: 'string', default: path.join(SHARED, 'videos/id_makassar_night_multilane_11s.mp4') },
    roi: { type: 'string' },
    backend: { type: 'string' },
  },
});

/** Context handed from stage to stage for one frame. */
interface FrameContext {
  frame: RawFrame;
  rgb?: RgbImage;
  resized?: ResizedInput;
  input?: tf.Tensor4D;
  outputs?: RawOutput[];
  detections?: Detection[];
}

interface Stage {
  name: string;
  run(ctx: FrameContext): Promise<void> | void;
}

function stats(xs: number[]): { mean: number; p50: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, p50: at(0.5), p95: at(0.95) };
}

/** Raw I420 frames, as ingest writes them: from the video (ffmpeg) when it exists, else synthetic 1280x720 noise. */
async function loadFrames(n: number): Promise<{ frames: RawFrame[]; source: string }> {
  if (args.video && existsSync(args.video)) {
    const [width, height] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', args.video], { encoding: 'utf8' })
      .trim()
      .split(',')
      .map(Number) as [number, number];
    const out = execFileSync('ffmpeg', ['-loglevel', 'error', '-i', args.video, '-frames:v', String(n), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { maxBuffer: 2 ** 31 });
    const size = frameBytes(width, height);
    const frames: RawFrame[] = [];
    for (let o = 0; o + size <= out.length; o += size) frames.push({ format: FRAME_FORMAT, width, height, data: out.subarray(o, o + size) });
    if (frames.length > 0) return { frames, source: `${path.basename(args.video)} (${frames.length} frames, ${width}x${height} I420)` };
  }
  const frames: RawFrame[] = [];
  for (let i = 0; i < Math.min(n, 10); i++) {
    const noise = Buffer.alloc(1280 * 720 * 3);
    for (let j = 0; j < noise.length; j++) noise[j] = (j * 2654435761 + i * 97) >>> 24;
    frames.push({ format: FRAME_FORMAT, width: 1280, height: 720, data: rgbToI420(noise, 1280, 720) });
  }
  return { frames, source: 'synthetic 1280x720 noise (no --video)' };
}

async function benchModel(label: string, det: TfVehicleDetector, frames: RawFrame[], n: number, roi?: Box): Promise<void> {
  const cfg = det.config;
  const stages: Stage[] = [
    {
      name: 'I420 → RGB',
      run: (c) => {
        c.rgb = { data: i420ToRgb(c.frame), width: c.frame.width, height: c.frame.height };
      },
    },
    {
      name: 'preprocess',
      run: async (c) => {
        c.resized = await resizeFrame(c.rgb!, cfg.input, roi);
        c.input = inputTensor(c.resized.pixels, cfg.input);
      },
    },
    {
      name: 'model',
      run: async (c) => {
        c.outputs = await det.run(c.input!);
        c.input!.dispose();
      },
    },
    {
      name: 'decode + NMS',
      run: (c) => {
        c.detections = det.postprocess(c.outputs!, c.resized!.transform);
      },
    },
  ];
  // Warm-up (kernel setup, first allocations) is not counted.
  for (let i = 0; i < 3; i++) {
    const c: FrameContext = { frame: frames[i % frames.length]! };
    for (const s of stages) await s.run(c);
  }
  const times = new Map<string, number[]>(stages.map((s) => [s.name, []]));
  const totals: number[] = [];
  let detections = 0;
  for (let i = 0; i < n; i++) {
    const c: FrameContext = { frame: frames[i % frames.length]! };
    const t0 = performance.now();
    for (const s of stages) {
      const t = performance.now();
      await s.run(c);
      times.get(s.name)!.push(performance.now() - t);
    }
    totals.push(performance.now() - t0);
    detections += c.detections?.length ?? 0;
    if ((i + 1) % 20 === 0) process.stderr.write(`  ${label}: ${i + 1}/${n} frames\n`);
  }
  // Model alone, on one prepared input.
  const c: FrameContext = { frame: frames[0]! };
  await stages[0]!.run(c);
  await stages[1]!.run(c);
  const alone: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const out = await det.run(c.input!);
    alone.push(performance.now() - t);
    void out;
  }
  c.input!.dispose();

  const a = stats(alone);
  console.log(`\n${label}: ${cfg.name}  input ${cfg.input.width}x${cfg.input.height} ${cfg.input.layout} ${cfg.input.channelOrder} ${cfg.input.resize}, head ${cfg.head.type}, backend ${tfBackendName()}`);
  console.log(`  ${'stage'.padEnd(16)} ${'mean ms'.padStart(8)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}`);
  for (const [name, xs] of times) {
    const s = stats(xs);
    console.log(`  ${name.padEnd(16)} ${s.mean.toFixed(2).padStart(8)} ${s.p50.toFixed(2).padStart(8)} ${s.p95.toFixed(2).padStart(8)}`);
  }
  const t = stats(totals);
  console.log(`  ${'per frame'.padEnd(16)} ${t.mean.toFixed(2).padStart(8)} ${t.p50.toFixed(2).padStart(8)} ${t.p95.toFixed(2).padStart(8)}`);
  console.log(`  model alone      ${a.mean.toFixed(2).padStart(8)} ${a.p50.toFixed(2).padStart(8)} ${a.p95.toFixed(2).padStart(8)}`);
  console.log(`  frames/s per core: ${(1000 / t.mean).toFixed(1)} (whole path), ${(1000 / a.mean).toFixed(1)} (model alone); ${(detections / n).toFixed(1)} detections per frame`);
}

async function main(): Promise<void> {
  const n = Number(args.frames);
  if (!Number.isInteger(n) || n <= 0) throw new Error('--frames must be a positive integer');
  const roi = args.roi ? (args.roi.split(',').map(Number) as Box) : undefined;
  await initTf(args.backend ? { prefer: args.backend as 'wasm' | 'cpu' | 'tensorflow' } : {});
  const { frames, source } = await loadFrames(n);
  console.log(`bench:detector  backend ${tfBackendName()}  frames: ${source}${roi ? `  roi ${roi.join(',')}` : ''}  ${n} timed frames per model`);
  console.log('(wasm runs one thread per process: frames/s per core = 1000 / ms per frame; sharp resizes on its own thread pool)');

  if (existsSync(args.model!)) {
    const det = await loadDetector(args.model!);
    await benchModel('own model', det, frames, n, roi);
    det.dispose();
  } else {
    console.log(`\nown model: ${args.model} not found (train it: npm run train:detector)`);
  }
  const nanodetJson = path.join(args.nanodet!, 'nanodet.json');
  if (existsSync(nanodetJson)) {
    const det = await loadDetector(nanodetCocoConfig(nanodetJson));
    await benchModel('NanoDet (graph model through the same loader)', det, frames, Math.min(n, 30), roi);
    det.dispose();
  } else {
    console.log(`\nNanoDet: ${nanodetJson} not found (pass --nanodet <dir>)`);
  }
}

main().catch((err) => {
  console.error(`bench:detector failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
