// npm run eval:real -- [--labels <dir>] [--media <dir>] [--detector <spec>]... [--lead-in S] [--limit N] [--out report.json]
// Scores detector configs side by side on real frames labelled by eye (format: models/EVAL-REAL.md): recall per
// class group (motorbike incl. bicycle; car/bus/truck; pedestrian), precision, false boxes per frame, at IoU ≥ 0.3
// and ≥ 0.5, and ms per frame of the whole detect() call, every config on the same decoded frames. A config with
// per-stream memory (`gating`) is scored as a camera would run it: with --lead-in, it first sees the clip's frames
// of the S seconds before each labelled frame at --lead-fps, and its boxes on the labelled frame are scored.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import sharp from 'sharp';
import type { Box, Detection, RgbImage } from '@phatnguoi/core/contracts/detection';
import { tfBackendName } from '@phatnguoi/detector/tf/runtime';
import { DETECTOR_SPECS, loadDetectorSpec } from '@phatnguoi/detector/models/presets/specs';
import { scoreFrames, GROUPS, type FrameScore, type LabelledFrame } from './real/score';
import { readLabelFolder, type FrameLabel } from './real/labels';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

const USAGE = `usage: npm run eval:real -- [--labels DIR] [--media DIR] [--detector SPEC]... [--lead-in S] [--lead-fps F] [--limit N] [--out report.json]
  --labels  folder of label files (*.json, one frame each; default ../shared/data/real-dev/boxes)
  --media   folder holding the clips / images the labels name (default /work/real-media/videos, else <labels>/../media/videos)
  --detector  repeatable; a config file (.json) or one of: ${Object.keys(DETECTOR_SPECS).join(', ')};
            a JSON object after '+' overrides fields, e.g. 'nanodet-real+{"tiling":{"tileScale":0.8}}'
            (default: shipped and nanodet-coco)
  --lead-in   seconds of the clip a gated config (one with per-stream memory) sees before each labelled frame (default 0)
  --lead-fps  frame rate of that lead-in, as the camera pipeline samples (default 5)`;

const { values: args } = parseArgs({
  options: {
    labels: { type: 'string', default: path.resolve(ROOT, '../shared/data/real-dev/boxes') },
    media: { type: 'string' },
    detector: { type: 'string', multiple: true },
    limit: { type: 'string' },
    'lead-in': { type: 'string', default: '0' },
    'lead-fps': { type: 'string', default: '5' },
    out: { type: 'string' },
    help: { type: 'boolean' },
  },
});

async function probe(clipPath: string): Promise<{ width: number; height: number; fps: number }> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,r_frame_rate',
    '-of',
    'csv=p=0',
    clipPath,
  ]);
  const [w, h, rate] = stdout.trim().split(',');
  const [num, den] = rate!.split('/').map(Number) as [number, number];
  return { width: Number(w), height: Number(h), fps: num / (den || 1) };
}

/** Decodes the labelled frames of one clip with one ffmpeg run (frames selected by index, in order). */
async function clipFrames(clipPath: string, width: number, height: number, indices: number[]): Promise<Map<number, RgbImage>> {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const select = sorted.map((i) => `eq(n\\,${i})`).join('+');
  const out = await run(
    'ffmpeg',
    ['-loglevel', 'error', '-i', clipPath, '-vf', `select=${select}`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      encoding: 'buffer',
      maxBuffer: 2 ** 31,
    },
  );
  const size = width * height * 3;
  const buf = out.stdout as Buffer;
  if (buf.length !== size * sorted.length) {
    throw new Error(`${clipPath}: expected ${sorted.length} frames of ${width}x${height}, ffmpeg gave ${buf.length / size}`);
  }
  return new Map(sorted.map((idx, k) => [idx, { data: new Uint8Array(buf.buffer, buf.byteOffset + k * size, size), width, height }]));
}

async function imageFrame(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** A labelled frame, and for clips the frames before it (oldest first) that a gated detector sees first. */
type EvalFrame = LabelledFrame & { leadIn: RgbImage[] };

/**
 * Every labelled frame decoded, checked against the size its label file states, with the clip's frames of the
 * `leadIn` seconds before it at `leadFps` (none before the clip's start).
 */
async function loadFrames(labels: FrameLabel[], media: string, leadIn: number, leadFps: number): Promise<EvalFrame[]> {
  const byClip = new Map<string, FrameLabel[]>();
  for (const l of labels) if (l.clip) byClip.set(l.clip, [...(byClip.get(l.clip) ?? []), l]);
  const frames: EvalFrame[] = [];
  let done = 0;
  for (const [clip, ls] of byClip) {
    const file = path.join(media, clip);
    if (!existsSync(file)) throw new Error(`clip ${clip} (named by ${ls[0]!.file}) not found in ${media}`);
    const { width, height, fps } = await probe(file);
    // frame_index wins; else pts_time at the clip's (constant) frame rate.
    const index = (l: FrameLabel) => l.frameIndex ?? Math.round(l.ptsTime! * fps);
    const before = (l: FrameLabel) => {
      const out: number[] = [];
      for (let k = Math.round(leadIn * leadFps); k >= 1; k--) {
        const i = index(l) - Math.round((k * fps) / leadFps);
        if (i >= 0) out.push(i);
      }
      return out;
    };
    const decoded = await clipFrames(file, width, height, [...ls.map(index), ...ls.flatMap(before)]);
    for (const l of ls) frames.push({ label: l, image: decoded.get(index(l))!, leadIn: before(l).map((i) => decoded.get(i)!) });
    done += ls.length;
    process.stderr.write(`  decoded ${done}/${labels.length} frames (${clip})\n`);
  }
  for (const l of labels.filter((x) => x.image)) {
    const file = path.join(media, l.image!);
    if (!existsSync(file)) throw new Error(`image ${l.image} (named by ${l.file}) not found in ${media}`);
    frames.push({ label: l, image: await imageFrame(file), leadIn: [] });
  }
  for (const f of frames) {
    if (f.label.width && (f.image.width !== f.label.width || f.image.height !== f.label.height)) {
      throw new Error(`${f.label.file}: label says ${f.label.width}x${f.label.height}, the media is ${f.image.width}x${f.image.height}`);
    }
  }
  return frames;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '   –  ');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Row {
  name: string;
  ms: number;
  /** Model passes per labelled frame. */
  passes: number;
  /** A gated config: model passes per lead-in frame after each stream's first (NaN when none). */
  leadPasses: number;
  at: Record<string, FrameScore>;
}

function table(rows: Row[], ious: number[]): string {
  const head = ['detector', 'IoU', 'motorbike R', 'car/bus/truck R', 'pedestrian R', 'precision', 'false/frame', 'ms/frame', 'passes', 'lead-in passes'];
  const lines = [head];
  for (const r of rows) {
    for (const t of ious) {
      const s = r.at[String(t)]!;
      lines.push([
        r.name,
        String(t),
        `${pct(s.groups.motorbike.recall)} (${s.groups.motorbike.matched}/${s.groups.motorbike.truth})`,
        `${pct(s.groups.vehicle.recall)} (${s.groups.vehicle.matched}/${s.groups.vehicle.truth})`,
        `${pct(s.groups.pedestrian.recall)} (${s.groups.pedestrian.matched}/${s.groups.pedestrian.truth})`,
        `${pct(s.precision)} (${s.truePositives}/${s.predictions})`,
        s.falsePerFrame.toFixed(2),
        r.ms.toFixed(0),
        r.passes.toFixed(1),
        Number.isFinite(r.leadPasses) ? r.leadPasses.toFixed(2) : '–',
      ]);
    }
  }
  const widths = head.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines.map((l) => l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const labelDir = path.resolve(args.labels!);
  const media = path.resolve(args.media ?? (existsSync('/work/real-media/videos') ? '/work/real-media/videos' : path.join(labelDir, '../media/videos')));
  if (!existsSync(labelDir)) throw new Error(`label folder ${labelDir} not found\n${USAGE}`);
  if (!existsSync(media)) throw new Error(`media folder ${media} not found (rebuild it as the labels' README says, or pass --media)\n${USAGE}`);
  let labels = await readLabelFolder(labelDir, await readdir(labelDir), (f) => readFile(path.join(labelDir, f), 'utf8'));
  if (args.limit) labels = labels.slice(0, Number(args.limit));
  const specs = args.detector?.length ? args.detector : ['shipped', 'nanodet-coco'];
  const leadIn = Number(args['lead-in']);
  const leadFps = Number(args['lead-fps']);
  if (!(leadIn >= 0) || !(leadFps > 0)) throw new Error(`--lead-in must be ≥ 0 and --lead-fps > 0\n${USAGE}`);
  const frames = await loadFrames(labels, media, leadIn, leadFps);
  const ious = [0.3, 0.5];
  const truthCount = frames.reduce((n, f) => n + f.label.boxes.length, 0);
  console.log(`eval:real  ${frames.length} frames, ${truthCount} boxes from ${labelDir}  (media ${media})`);
  if (leadIn > 0) {
    const n = frames.filter((f) => f.leadIn.length > 0).length;
    console.log(
      `gated configs see up to ${leadIn} s of the clip at ${leadFps} fps before each labelled frame (${n} of ${frames.length} frames have frames before them)`,
    );
  }

  const rows: Row[] = [];
  for (const spec of specs) {
    const det = await loadDetectorSpec(spec);
    const gated = det.config.gating !== undefined;
    const predictions: Detection[][] = [];
    const ms: number[] = [];
    const lead = { passes: 0, frames: 0 };
    let passes = 0;
    // One untimed warm-up call (kernel set-up, first allocations).
    await det.detect(frames[0]!.image);
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      const roi: Box | undefined = f.label.roi;
      // A gated config runs as one camera's stream: a fresh memory per labelled frame, fed its lead-in first.
      const stream = gated ? det.forStream() : det;
      for (const [k, image] of (gated ? f.leadIn : []).entries()) {
        await stream.detect(image, roi);
        // The first frame of a stream runs every pass; the steady cost is that of the frames after it.
        if (k > 0) {
          lead.passes += det.lastTimings.passes;
          lead.frames++;
        }
      }
      const t = performance.now();
      predictions.push(await stream.detect(f.image, roi));
      ms.push(performance.now() - t);
      passes += det.lastTimings.passes;
      if ((i + 1) % 5 === 0 || i + 1 === frames.length)
        process.stderr.write(`  ${spec}: ${i + 1}/${frames.length} frames, median ${median(ms).toFixed(0)} ms/frame\n`);
    }
    const at: Record<string, FrameScore> = {};
    for (const t of ious) at[String(t)] = scoreFrames(frames, predictions, t);
    const row = { name: spec, ms: median(ms), passes: passes / frames.length, leadPasses: lead.frames > 0 ? lead.passes / lead.frames : NaN, at };
    rows.push(row);
    // Each config's figures as soon as it is done (a long run may be stopped); the side-by-side table follows.
    process.stderr.write(`${table([row], ious)}\n`);
    det.dispose();
  }
  console.log(
    `\nbackend ${tfBackendName()}; R = recall per class group (${GROUPS.map((g) => `${g.name}: ${g.classes.join('+')}`).join('; ')}), a box counts when it overlaps a labelled box of its group at the IoU; precision and false boxes count every box the detector returned; ms/frame = median of the whole detect() call on the labelled frames; passes = model passes per labelled frame; lead-in passes = a gated config's passes per frame of the lead-in after each stream's first\n`,
  );
  console.log(table(rows, ious));
  if (args.out) {
    await writeFile(
      args.out,
      JSON.stringify({ labels: labelDir, frames: frames.length, boxes: truthCount, backend: tfBackendName(), leadIn, leadFps, detectors: rows }, null, 2),
    );
    console.log(`\nreport written to ${args.out}`);
  }
}

main().catch((err) => {
  console.error(`eval:real failed: ${(err as Error).message}`);
  process.exit(1);
});
