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

/** Ground truth of a frame in image pixels, restricted to the detector's labels and visible objects. */
export function frameTruth(r: FrameRecord, labels: readonly string[]): LabelledBox[] {
  return r.objects
    .filter((o) => o.occluded <= MAX_OCCLUDED && labels.includes(CLASS_ALIASES[o.cls] ?? ''))
    .map((o) => ({ box: o.box, cls: CLASS_ALIASES[o.cls]! }));
}

/** Deterministic PRNG so example preparation is reproducible. */
export { createRng as rng } from '@phatnguoi/core/plates/generate';

/**
 * Turns one frame into `crops` examples: the whole frame (as the detector sees it without a region of
 * interest) and random crops with the model's aspect ratio (scale augmentation: objects appear larger).
 */
export async function framesToExamples(
  r: FrameRecord,
  labels: readonly string[],
  spec: InputSpec,
  crops: number,
  random: () => number,
): Promise<Example[]> {
  const jpeg = await readFile(r.image);
  const truth = frameTruth(r, labels);
  const examples: Example[] = [];
  const aspect = spec.width / spec.height;
  for (let k = 0; k < crops; k++) {
    let roi: Box | undefined;
    if (k > 0) {
      const scale = 0.45 + 0.5 * random();
      let w = r.width * scale;
      let h = w / aspect;
      if (h > r.height) {
        h = r.height;
        w = h * aspect;
      }
      const x = random() * (r.width - w);
      const y = random() * (r.height - h);
      roi = [x, y, x + w, y + h];
    }
    const { pixels, transform: t } = await resizeForModel(sharp(jpeg), r.width, r.height, spec, roi);
    const boxes: TrainBox[] = [];
    for (const o of truth) {
      const [rx1, ry1, rx2, ry2] = t.roi;
      const cx1 = Math.max(rx1, o.box[0]);
      const cy1 = Math.max(ry1, o.box[1]);
      const cx2 = Math.min(rx2, o.box[2]);
      const cy2 = Math.min(ry2, o.box[3]);
      if (cx2 <= cx1 || cy2 <= cy1) continue;
      const visible = ((cx2 - cx1) * (cy2 - cy1)) / ((o.box[2] - o.box[0]) * (o.box[3] - o.box[1]));
      if (visible < 0.5) continue;
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
