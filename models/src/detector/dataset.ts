// Training data for the vehicle detector from the simulator's training export (sim/EXPORT.md): JPEG frames
// plus JSON lines of boxes. Frames are cropped/resized once (sharp) into model-input examples kept in memory.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { Box, RgbImage } from '@phatnguoi/core/contracts/detection';
import { resizeForModel } from '@phatnguoi/detector/models/preprocess';
import type { InputSpec } from '@phatnguoi/detector/models/config';
import type { LabelledBox } from '@phatnguoi/detector/models/metrics';
import type { TrainBox } from './targets';

export interface FrameRecord {
  image: string;
  width: number;
  height: number;
  /** Frames of one scene share a group; train/validation are split by group so near-duplicate frames do not leak. */
  group: string;
  /** The region the pipeline's detector looks at in this scene (export field `roi`); absent in older exports. */
  roi?: Box;
  objects: Array<{ box: Box; cls: string; occluded: number }>;
}

export interface Example {
  pixels: Uint8Array;
  boxes: TrainBox[];
}

/** Simulator kinds and classes → detector labels (taxis are cars). */
const CLASS_ALIASES: Record<string, string> = { motorbike: 'motorbike', motorcycle: 'motorbike', car: 'car', taxi: 'car', bus: 'bus', truck: 'truck' };

/** Objects hidden more than this are not asked of the detector. */
export const MAX_OCCLUDED = 0.7;

function pick<T>(o: Record<string, unknown>, keys: string[]): T | undefined {
  for (const k of keys) if (o[k] !== undefined) return o[k] as T;
  return undefined;
}

/** Reads every `*.jsonl` in the export folder (one frame per line). */
export async function readExport(dir: string): Promise<FrameRecord[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
  if (files.length === 0) throw new Error(`${dir}: no .jsonl label files (see sim/EXPORT.md: npm run sim -- export ...)`);
  const records: FrameRecord[] = [];
  for (const f of files) {
    const lines = (await readFile(path.join(dir, f), 'utf8')).split('\n').filter((l) => l.trim() !== '');
    lines.forEach((line, i) => {
      const o = JSON.parse(line) as Record<string, unknown>;
      const image = pick<string>(o, ['image', 'file', 'path', 'jpeg', 'frame']);
      const width = pick<number>(o, ['width', 'w']);
      const height = pick<number>(o, ['height', 'h']);
      const objs = pick<Array<Record<string, unknown>>>(o, ['objects', 'boxes', 'vehicles', 'annotations']) ?? [];
      if (typeof image !== 'string' || typeof width !== 'number' || typeof height !== 'number') {
        throw new Error(`${f}:${i + 1}: expected image, width, height fields`);
      }
      records.push({
        image: path.resolve(dir, image),
        width,
        height,
        group: String(pick(o, ['scene', 'scenario', 'video', 'group', 'seed']) ?? `${f}:${Math.floor(i / 50)}`),
        ...(Array.isArray(o.roi) ? { roi: o.roi as Box } : {}),
        objects: objs.map((ob) => ({
          box: pick<Box>(ob, ['box', 'bbox'])!,
          cls: String(pick(ob, ['cls', 'class', 'label', 'kind'])),
          occluded: Number(pick(ob, ['occluded', 'occlusion']) ?? 0),
        })),
      });
    });
  }
  return records;
}

/** Deterministic split by group: about `fraction` of the groups go to validation. */
export function splitByGroup(records: FrameRecord[], fraction: number): { train: FrameRecord[]; val: FrameRecord[] } {
  const groups = [...new Set(records.map((r) => r.group))].sort();
  const nVal = Math.max(1, Math.round(groups.length * fraction));
  // Every k-th group, so validation spans the variety of scenes (day/night, layouts) rather than the last ones.
  const step = groups.length / nVal;
  const valGroups = new Set<string>();
  for (let i = 0; i < nVal; i++) valGroups.add(groups[Math.floor(i * step + step / 2)]!);
  if (groups.length === 1) {
    // One scene only: hold out the last fifth of its frames instead.
    const cut = Math.floor(records.length * (1 - fraction));
    return { train: records.slice(0, cut), val: records.slice(cut) };
  }
  return { train: records.filter((r) => !valGroups.has(r.group)), val: records.filter((r) => valGroups.has(r.group)) };
}

/** Objects less than this fraction inside the model's view (crop or region of interest) are not asked of it. */
export const MIN_VISIBLE_IN_VIEW = 0.5;

/** The part of `box` inside `view`, and the fraction of the box that is. */
export function clipToView(box: Box, view: Box): { box: Box; visible: number } | null {
  const x1 = Math.max(view[0], box[0]);
  const y1 = Math.max(view[1], box[1]);
  const x2 = Math.min(view[2], box[2]);
  const y2 = Math.min(view[3], box[3]);
  if (x2 <= x1 || y2 <= y1) return null;
  return { box: [x1, y1, x2, y2], visible: ((x2 - x1) * (y2 - y1)) / ((box[2] - box[0]) * (box[3] - box[1])) };
}

/**
 * Ground truth of a frame in image pixels, restricted to the detector's labels and visible objects; with
 * `view` (the region of interest the detector is given) only objects mostly inside it, clipped to it.
 */
export function frameTruth(r: FrameRecord, labels: readonly string[], view?: Box): LabelledBox[] {
  const out: LabelledBox[] = [];
  for (const o of r.objects) {
    if (o.occluded > MAX_OCCLUDED || !labels.includes(CLASS_ALIASES[o.cls] ?? '')) continue;
    const clipped = view ? clipToView(o.box, view) : { box: o.box, visible: 1 };
    if (!clipped || clipped.visible < MIN_VISIBLE_IN_VIEW) continue;
    out.push({ box: clipped.box, cls: CLASS_ALIASES[o.cls]! });
  }
  return out;
}

/** Deterministic PRNG so example preparation is reproducible. */
export { createRng as rng } from '@phatnguoi/core/plates/generate';

/** A crop of the model's aspect ratio, `scale` of the frame width, at a random place. */
function randomCrop(r: FrameRecord, aspect: number, scale: number, random: () => number): Box {
  let w = r.width * scale;
  let h = w / aspect;
  if (h > r.height) {
    h = r.height;
    w = h * aspect;
  }
  const x = random() * (r.width - w);
  const y = random() * (r.height - h);
  return [x, y, x + w, y + h];
}

/** The scene's region of interest, grown or shrunk by up to 20 % and shifted by up to 10 % of its size. */
function jitteredRoi(r: FrameRecord, roi: Box, random: () => number): Box {
  const s = 0.8 + 0.4 * random();
  const w = (roi[2] - roi[0]) * s;
  const h = (roi[3] - roi[1]) * s;
  const cx = (roi[0] + roi[2]) / 2 + (random() - 0.5) * 0.2 * w;
  const cy = (roi[1] + roi[3]) / 2 + (random() - 0.5) * 0.2 * h;
  return [Math.max(0, cx - w / 2), Math.max(0, cy - h / 2), Math.min(r.width, cx + w / 2), Math.min(r.height, cy + h / 2)];
}

/**
 * Turns one frame into `crops` examples: first what the pipeline gives the detector (the scene's region of
 * interest, or the whole frame in exports without one), then alternately a jittered region of interest and a
 * random crop of the model's aspect ratio (30–100 % of the frame width: scale augmentation).
 */
export async function framesToExamples(r: FrameRecord, labels: readonly string[], spec: InputSpec, crops: number, random: () => number): Promise<Example[]> {
  const jpeg = await readFile(r.image);
  const truth = frameTruth(r, labels);
  const examples: Example[] = [];
  const aspect = spec.width / spec.height;
  for (let k = 0; k < crops; k++) {
    const view: Box | undefined = k === 0 ? r.roi : r.roi && k % 2 === 1 ? jitteredRoi(r, r.roi, random) : randomCrop(r, aspect, 0.3 + 0.7 * random(), random);
    const { pixels, transform: t } = await resizeForModel(sharp(jpeg), r.width, r.height, spec, view);
    const boxes: TrainBox[] = [];
    for (const o of truth) {
      const clipped = clipToView(o.box, t.roi);
      if (!clipped || clipped.visible < MIN_VISIBLE_IN_VIEW) continue;
      const [cx1, cy1, cx2, cy2] = clipped.box;
      const box: Box = [
        (cx1 - t.roiX) * t.scaleX + t.padX,
        (cy1 - t.roiY) * t.scaleY + t.padY,
        (cx2 - t.roiX) * t.scaleX + t.padX,
        (cy2 - t.roiY) * t.scaleY + t.padY,
      ];
      if (box[2] - box[0] < 2 || box[3] - box[1] < 2) continue;
      boxes.push({ box, cls: labels.indexOf(o.cls) });
    }
    examples.push({ pixels, boxes });
  }
  return examples;
}

/** Decodes a frame to RGB for validation through the real detector. */
export async function readRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}
